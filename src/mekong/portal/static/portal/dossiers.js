/* Dossier pages: small enhancements only — every page works without this file.
   1. Focus the error summary (for browsers that ignore `autofocus` on it), so screen readers and
      keyboard users start from what to fix.
   2. A form marked data-mot-lan is sent once: a second tap on a slow connection does nothing. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) {
      summary.focus();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-mot-lan")) {
      return;
    }
    if (form.getAttribute("data-dang-gui")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-dang-gui", "1");
    form.setAttribute("aria-busy", "true");
  });
  // Coming back with the browser's Back button shows the page from cache: allow sending again.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-dang-gui]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].removeAttribute("data-dang-gui");
      forms[i].removeAttribute("aria-busy");
    }
  });
})();
