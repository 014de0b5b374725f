/* Start GOV.UK Frontend's components (error summary focus, notification banners, the
   service navigation's menu on small screens). A module script from the app's own files:
   the Content-Security-Policy allows no inline script, so the "supported" class GOV.UK's
   page template sets inline is set here, before the components start. */
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
