/* Autosave for the commentary editor: word count, and a draft saved every few seconds
   after typing stops, posted with the version number it was based on. A conflict (409)
   stops autosave and asks the writer to save by hand, which shows both texts. */
(function () {
  "use strict";
  var AUTOSAVE_DELAY_MS = 3000; // wait this long after the last key press
  var form = document.getElementById("slot-form");
  if (!form) { return; }
  var text = document.getElementById("id_text");
  var rag = document.getElementById("id_rag");
  var version = form.querySelector("input[name=version]");
  var status = document.getElementById("autosave-status");
  var words = document.getElementById("word-count");
  var chars = document.getElementById("char-count");
  var url = form.getAttribute("data-autosave");
  // What the server sent, not what the box holds now: a writer (or a test) can type before
  // this script has loaded, and that text must still be saved.
  function served(select) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].defaultSelected) { return select.options[i].value; }
    }
    return select.options.length ? select.options[0].value : "";
  }
  var timer = null, saving = false, stopped = false, lastSent = text.defaultValue + "\u0000" + served(rag);

  function count() {
    var t = text.value.trim();
    words.textContent = t ? t.split(/\s+/).length : 0;
    chars.textContent = text.value.length;
  }
  function say(msg) { status.textContent = msg; }
  function save() {
    var current = text.value + "\u0000" + rag.value;
    if (stopped || saving || current === lastSent) { return; }
    saving = true;
    var body = new FormData();
    body.append("text", text.value);
    body.append("rag", rag.value);
    body.append("version", version.value);
    body.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    say("Saving…");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); })
      .then(function (res) {
        saving = false;
        if (res.status === 200 && res.data.ok) {
          version.value = res.data.version;
          lastSent = current;
          say("Draft saved automatically (version " + res.data.version + ")");
        } else if (res.status === 409) {
          stopped = true;
          say("Someone else has saved this commentary. Your text is still here: press 'Save draft' to compare both versions.");
        } else {
          say("Not saved automatically: " + (res.data.message || "please check the form and save by hand."));
        }
      })
      .catch(function () { saving = false; say("Not saved automatically (no connection). Your text is still here."); });
  }
  function changed() { count(); if (timer) { clearTimeout(timer); } timer = setTimeout(save, AUTOSAVE_DELAY_MS); }
  text.addEventListener("input", changed);
  rag.addEventListener("change", changed);
  form.addEventListener("submit", function () { stopped = true; if (timer) { clearTimeout(timer); } });
  var use = document.getElementById("use-previous");
  if (use) {
    use.addEventListener("click", function () {
      if (text.value.trim() && !window.confirm("Replace what you have written with last quarter's text?")) { return; }
      text.value = document.getElementById("previous-text").textContent;
      changed();
    });
  }
  count();
  if (text.value + "\u0000" + rag.value !== lastSent) { changed(); }  // typed before we loaded
})();
