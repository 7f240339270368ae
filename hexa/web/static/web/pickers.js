// Client and project pickers (hexa.web.forms.pickers.PickerInput): without JavaScript, a text
// field whose code, name or tax id the server reads; with it, suggestions as one types, in the
// ARIA combobox pattern (GitHub's combobox-nav: arrows, Enter, aria-activedescendant).
// Choosing one writes its code and fires change, so a report updates as with a typed code.
// Suggestions are the server's HTML (web/suggestions.html), words in the page's language.
import Combobox from "../vendor/combobox-nav.js";

const WAIT = 150; // ms after the last key before asking the server
const pickers = new WeakMap();

class Picker {
  constructor(box) {
    this.box = box;
    this.input = box.querySelector("input[data-picker-input]");
    this.list = box.querySelector("[role=listbox]");
    this.status = box.querySelector("[data-picker-status]");
    this.combobox = new Combobox(this.input, this.list, { tabInsertsSuggestions: true });
    this.asked = 0;
    this.timer = null;
    this.input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.suggest(), WAIT);
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.list.hidden) {
        event.preventDefault();
        event.stopPropagation(); // the list closes, not the dialog around it
        this.close();
      } else if (event.key === "ArrowDown" && this.list.hidden && this.input.value.trim()) {
        this.suggest();
      }
    });
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 100));
    // A click on a suggestion must not take the focus out of the field first.
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("combobox-commit", (event) => this.choose(event.target));
  }

  async suggest() {
    const q = this.input.value.trim();
    const asked = ++this.asked;
    if (!q) {
      this.close();
      return;
    }
    const source = this.box.dataset.source;
    const address = `${source}${source.includes("?") ? "&" : "?"}q=${encodeURIComponent(q)}`;
    let html;
    try {
      const answer = await fetch(address, { credentials: "same-origin" });
      if (!answer.ok) return;
      html = await answer.text();
    } catch {
      return; // offline: the field still takes a code, read by the server
    }
    if (asked !== this.asked || document.activeElement !== this.input) return;
    // Suggestions that come while the arrows are at one keep it chosen, if it is still there.
    const selected = this.list.querySelector("[aria-selected=true]");
    const kept = selected && selected.dataset.value;
    this.list.innerHTML = html;
    const summary = this.list.querySelector("[data-summary]");
    this.status.textContent = summary ? summary.textContent : "";
    this.open();
    const options = [...this.list.querySelectorAll("[role=option]")];
    const at = options.findIndex((option) => option.dataset.value === kept);
    for (let step = 0; step <= at; step++) this.combobox.navigate(1);
  }

  open() {
    if (!this.list.hidden) {
      this.combobox.clearSelection();
      return;
    }
    this.list.hidden = false;
    this.combobox.start();
  }

  close() {
    if (this.list.hidden) return;
    this.combobox.stop();
    this.list.hidden = true;
  }

  choose(option) {
    this.input.value = option.dataset.value;
    this.close();
    this.asked++; // an answer still on its way is not wanted any more
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

function setUp(root) {
  for (const box of root.querySelectorAll("[data-picker]")) {
    if (!pickers.has(box)) pickers.set(box, new Picker(box));
  }
}

// The fields of the page (a module runs once it is parsed), and those htmx puts in later.
setUp(document);
document.addEventListener("htmx:load", (event) => setUp(event.target));
