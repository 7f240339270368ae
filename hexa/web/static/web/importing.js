// The import pages. They work without it; with it, a button that sent a file (or starts an
// import) shows that the server is at work, and cannot be pressed twice meanwhile.
"use strict";

(() => {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("form[data-busy-on-submit]")) return;
    const button = event.submitter || form.querySelector("button[type=submit]");
    if (!button) return;
    button.setAttribute("aria-busy", "true");
    // Disabled after the form is sent: disabling it now would leave it out of the form data.
    setTimeout(() => button.setAttribute("disabled", ""), 0);
  });

  // Back to a page kept in the browser's cache: its button is no longer busy.
  window.addEventListener("pageshow", () => {
    for (const button of document.querySelectorAll("form[data-busy-on-submit] [aria-busy]")) {
      button.removeAttribute("aria-busy");
      button.removeAttribute("disabled");
    }
  });
})();
