// Hexa's page behaviour. Every page works without it; with it, the quick-log form opens as
// a dialog over the page, and the keyboard finishes it. No inline scripts: the
// Content-Security-Policy forbids them.
"use strict";

(() => {
  const dialog = () => document.getElementById("dialog");

  function closeDialog() {
    const box = dialog();
    if (box && box.open) box.close();
  }

  // htmx put a form in the dialog: show it, with focus in its first field to fill. After
  // settling, when htmx has bound the new form: a key pressed at once submits it through htmx.
  document.addEventListener("htmx:afterSettle", (event) => {
    const box = dialog();
    if (!box || event.detail.target !== box) return;
    if (!box.querySelector("form, article")) {
      closeDialog();
      return;
    }
    if (!box.open) box.showModal();
    const focus = box.querySelector("[aria-invalid=true], [autofocus]");
    if (focus) focus.focus();
  });

  // The server says the quick log is recorded: close the dialog.
  document.addEventListener("hexa:quick-logged", closeDialog);

  // A closed dialog keeps nothing, so the next one starts from a fresh form.
  document.addEventListener(
    "close",
    (event) => {
      if (event.target === dialog()) event.target.replaceChildren();
    },
    true,
  );

  // Close and Cancel links close the dialog instead of leaving the page.
  document.addEventListener("click", (event) => {
    const closer = event.target.closest("[data-close-dialog]");
    if (closer && closer.closest("dialog")) {
      event.preventDefault();
      closeDialog();
    }
  });

  // Ctrl+Enter (Cmd+Enter on a Mac) finishes the form being filled.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const form = event.target.closest && event.target.closest("form[data-submit-on-ctrl-enter]");
    if (!form) return;
    event.preventDefault();
    form.requestSubmit();
  });
})();
