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

  // The server says the quick log is recorded: close the dialog, forget the draft, and have
  // the explorer's row of that client refresh itself (the client page's lists and the agenda
  // listen to the event themselves: hx-trigger="hexa:quick-logged from:body").
  document.addEventListener("hexa:quick-logged", (event) => {
    closeDialog();
    forgetDraft(event.detail.client);
    const row = document.getElementById(`client-row-${event.detail.client}`);
    if (row) row.dispatchEvent(new CustomEvent("hexa:refresh"));
    changed(event.detail);
  });
  // Another one-click action changed a task (Done, +1 day, Undo): the agenda refreshes.
  document.addEventListener("hexa:changed", (event) => changed(event.detail));

  // The last change, lit up when it happens and again once a part it touched has refreshed
  // (a request triggered by one of Hexa's events), since the refreshed rows are new ones.
  let lastChange = null;
  function changed(detail) {
    lastChange = detail;
    highlight(detail);
  }
  document.addEventListener("htmx:afterSettle", (event) => {
    const cause = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (lastChange && cause && cause.type.startsWith("hexa:")) highlight(lastChange);
  });

  // The rows a change touched, by their ids: the explorer's client, the agenda's task, the
  // new activity in a list. The CSS animates them (or just marks them, without motion).
  function highlight({ client, task, dedication }) {
    setUpToasts();
    const ids = [`client-row-${client}`, `agenda-task-${task}`, `dedication-${dedication}`];
    for (const id of ids) {
      const row = document.getElementById(id);
      if (!row) continue;
      row.classList.remove("changed");
      void row.offsetWidth; // restart the animation
      row.classList.add("changed");
      setTimeout(() => row.classList.remove("changed"), 3000);
      uncover(row);
    }
  }

  // A row under the toast comes up above it (the page has room for that below its end).
  function uncover(row) {
    const toasts = document.querySelector("#messages .message");
    if (!toasts) return;
    const hidden = row.getBoundingClientRect().bottom - toasts.getBoundingClientRect().top;
    if (hidden > 0) window.scrollBy({ top: hidden + 8, behavior: "instant" });
  }

  // While toasts show, the page gets room below its end, so nothing stays under them.
  function makeRoom() {
    const box = document.getElementById("messages");
    const height = box ? box.getBoundingClientRect().height : 0;
    document.body.style.paddingBottom = height ? `${Math.ceil(height) + 16}px` : "";
  }

  // Toasts (#messages, messages.html): each gets a close button, and goes after a while,
  // longer when it offers an action (Undo), never while the pointer or focus is on it.
  function setUpToasts() {
    const box = document.getElementById("messages");
    if (!box) return;
    for (const toast of box.querySelectorAll(".message:not([data-toast])")) {
      toast.dataset.toast = "";
      const close = document.createElement("button");
      close.type = "button";
      close.className = "close";
      close.setAttribute("aria-label", box.dataset.closeLabel || "Close");
      close.addEventListener("click", () => {
        toast.remove();
        makeRoom();
      });
      toast.append(close);
      const wait = toast.querySelector("form") ? 20000 : 8000;
      const leave = () => {
        if (!toast.isConnected) return;
        if (toast.matches(":hover, :focus-within")) {
          setTimeout(leave, 2000);
          return;
        }
        toast.classList.add("leaving");
        setTimeout(() => {
          toast.remove();
          makeRoom();
        }, 300);
      };
      setTimeout(leave, wait);
    }
    makeRoom();
  }
  setUpToasts();
  document.addEventListener("htmx:afterSettle", setUpToasts);

  // A request htmx could not complete (the server refused it - too large, unavailable - or
  // never answered) swaps nothing: say so in a toast instead of leaving the page silent.
  function failed(text) {
    const box = document.getElementById("messages");
    if (!box || !text) return;
    const toast = document.createElement("div");
    toast.className = "message error";
    toast.setAttribute("role", "alert");
    toast.textContent = text;
    box.append(toast);
    setUpToasts();
  }
  document.addEventListener("htmx:responseError", (event) => {
    const box = document.getElementById("messages");
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    const text = box && (box.getAttribute(`data-error-${status}`) || box.dataset.errorOther);
    failed(text && text.replace("%(status)s", String(status)));
  });
  document.addEventListener("htmx:sendError", () => {
    const box = document.getElementById("messages");
    failed(box && box.dataset.errorOffline);
  });

  // Drafts: what is typed in a client's quick log is kept (in this tab) until it is recorded,
  // so Escape, Cancel or a click outside lose nothing; reopening the form for that client
  // brings it back, with a button to discard it.
  const DRAFT = "hexa:draft:";
  const DRAFTED = ["text", "minutes"];

  function draftKey(form) {
    const match = /\/clients\/([^/]+)\/log\//.exec(form.getAttribute("action") || "");
    return match ? DRAFT + decodeURIComponent(match[1]) : null;
  }

  function forgetDraft(client) {
    if (client) sessionStorage.removeItem(DRAFT + client);
  }

  function saveDraft(form) {
    const key = draftKey(form);
    if (!key) return;
    const draft = {};
    for (const name of DRAFTED) {
      const field = form.elements[name];
      if (field && field.value.trim()) draft[name] = field.value;
    }
    if (Object.keys(draft).length) sessionStorage.setItem(key, JSON.stringify(draft));
    else sessionStorage.removeItem(key);
  }

  function restoreDraft(form) {
    const key = draftKey(form);
    const text = form.elements.text;
    const saved = key && sessionStorage.getItem(key);
    if (!saved || !text || text.value.trim()) return; // a form sent back keeps what it has
    const draft = JSON.parse(saved);
    for (const name of DRAFTED) {
      const field = form.elements[name];
      if (field && draft[name] && !field.value) field.value = draft[name];
    }
    text.dispatchEvent(new Event("input", { bubbles: true }));
    const note = document.createElement("p");
    note.className = "draft-note";
    note.setAttribute("role", "status");
    note.textContent = `${text.dataset.draftRestored} `;
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary outline";
    discard.textContent = text.dataset.draftDiscard;
    discard.addEventListener("click", () => {
      for (const name of DRAFTED) if (form.elements[name]) form.elements[name].value = "";
      sessionStorage.removeItem(key);
      note.remove();
      text.dispatchEvent(new Event("input", { bubbles: true }));
      text.focus();
    });
    note.append(discard);
    (form.querySelector(`label[for="${text.id}"]`) || text).before(note);
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("#quick-log-form");
    if (form && event.isTrusted) saveDraft(form);
  });

  // Signing out forgets the drafts: the next person on this computer must not see them.
  document.addEventListener("submit", (event) => {
    if (!/\/logout\/?$/.test(new URL(event.target.action, location.href).pathname)) return;
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(DRAFT)) sessionStorage.removeItem(key);
    }
  });

  // A text with a length limit (data-max-length) says how many characters it has when it
  // gets close, and how many are too many past the limit: the server refuses it then, and
  // nothing is cut without saying.
  const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function count(field) {
    const max = Number(field.dataset.maxLength);
    let counter = document.getElementById(`${field.id}-counter`);
    if (!counter) {
      counter = document.createElement("small");
      counter.id = `${field.id}-counter`;
      counter.className = "counter";
      counter.setAttribute("aria-live", "polite");
      counter.hidden = true;
      field.after(counter);
      const described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", `${described ? `${described} ` : ""}${counter.id}`);
    }
    const length = field.value.length;
    const over = length > max;
    counter.hidden = length < max * 0.9;
    counter.classList.toggle("over", over);
    const template = over ? field.dataset.overText : field.dataset.countText;
    counter.textContent = counter.hidden
      ? ""
      : template
          .replace("%(count)s", numbers.format(length))
          .replace("%(over)s", numbers.format(length - max))
          .replace("%(max)s", numbers.format(max));
  }

  function setUpFields(root) {
    for (const field of root.querySelectorAll("textarea[data-max-length]")) count(field);
    const form = root.querySelector("#quick-log-form");
    if (form) restoreDraft(form);
  }
  setUpFields(document);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target === dialog()) setUpFields(event.detail.target);
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("textarea[data-max-length]")) {
      count(event.target);
    }
  });

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
