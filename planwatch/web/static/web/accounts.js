/* The account forms (new account, change an account): the departments are asked for only
   when the role is commitment owner. For a reader or an analyst the boxes are hidden and
   switched off, so none is sent: only owners belong to departments. Without this script
   every box shows and the server takes what is ticked, as before. */
(function () {
  "use strict";
  var OWNER = "owner";
  var role = document.getElementById("id_role");
  var group = document.getElementById("id_departments-group");
  if (!role || !group) { return; }
  var boxes = group.querySelectorAll("input[type=checkbox]");
  function show() {
    var owner = role.value === OWNER;
    group.hidden = !owner;
    for (var i = 0; i < boxes.length; i++) { boxes[i].disabled = !owner; }
  }
  role.addEventListener("change", show);
  show();
})();
