// Date fields (hexa.web.forms.base.DateInput): a text field for dd/mm/yyyy, the same in every
// browser and in Hexa's language, which the server reads without JavaScript too. With it, a
// button beside the field opens a calendar (Cally's <calendar-date>, keyboard and screen-reader
// friendly, month and day names from the page's language) in a popover: choosing a day writes
// it as dd/mm/yyyy and fires input and change, as typing would. The calendar's markup and words
// are the page's <template id="date-picker">. Fields that htmx puts in later get the button
// too (htmx:load). No inline style: the popover is placed through the CSSOM, which the
// Content-Security-Policy allows.
"use strict";

(() => {
  const ISO = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/;
  const TYPED = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})\s*$/;
  const pad = (number, width = 2) => String(number).padStart(width, "0");

  // {year, month, day} of what the field holds, as the server reads it
  // (hexa.lib.dates.parse_typed_day); null if it is not a day.
  function parse(text) {
    let year, month, day;
    let match = ISO.exec(text);
    if (match) {
      [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    } else if ((match = TYPED.exec(text))) {
      [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
      if (match[3].length === 2) year += 2000;
    } else {
      return null;
    }
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1) return null;
    return { year, month, day };
  }

  const iso = (date) => `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
  const typed = (date) => `${pad(date.day)}/${pad(date.month)}/${pad(date.year, 4)}`;

  // The same reading for pages that check a day themselves (the Log page, offline): the ISO
  // form of a typed day, or null; and the typed form of an ISO day.
  window.hexaDays = Object.freeze({
    iso: (text) => {
      const date = parse(text || "");
      return date && iso(date);
    },
    typed: (isoDay) => {
      const date = ISO.exec(isoDay || "") && parse(isoDay);
      return date ? typed(date) : isoDay || "";
    },
  });

  const parts = (field) => ({
    input: field.querySelector("input[data-date-input]"),
    toggle: field.querySelector("[data-date-toggle]"),
    picker: field.querySelector(".date-picker"),
  });

  // Below the field, or above it when there is no room below; within the screen's width.
  function place(picker, field) {
    const box = field.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    const height = window.innerHeight;
    const margin = 8;
    let left = Math.min(box.left, width - picker.offsetWidth - margin);
    left = Math.max(margin, left);
    let top = box.bottom + 4;
    if (top + picker.offsetHeight > height - margin) {
      const above = box.top - picker.offsetHeight - 4;
      top = above >= margin ? above : Math.max(margin, height - picker.offsetHeight - margin);
    }
    picker.style.left = `${left}px`;
    picker.style.top = `${top}px`;
  }

  // The month shown, in the page's language ("noviembre de 2026"), above the days.
  function title(picker, date) {
    const language = document.documentElement.lang || undefined;
    const format = new Intl.DateTimeFormat(language, {
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
    picker.querySelector(".date-picker-heading").textContent = format.format(date);
  }

  function fill(field, date) {
    const { input, picker } = parts(field);
    input.value = typed(date);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    picker.hidePopover();
    input.focus();
  }

  function build(field) {
    const template = document.getElementById("date-picker");
    const picker = template.content.firstElementChild.cloneNode(true);
    const calendar = picker.querySelector("calendar-date");
    const { toggle } = parts(field);
    picker.id = `${parts(field).input.id || "date"}-picker`;
    toggle.setAttribute("aria-controls", picker.id);
    if (template.dataset.today) calendar.setAttribute("today", template.dataset.today);
    field.append(picker);
    calendar.addEventListener("focusday", (event) => title(picker, event.detail));
    calendar.addEventListener("change", () => {
      const date = parse(calendar.value);
      if (date) fill(field, date);
    });
    picker.querySelector("[data-date-today]").addEventListener("click", () => {
      const today = parse(template.dataset.today || "");
      if (today) fill(field, today);
    });
    picker.querySelector("[data-date-close]").addEventListener("click", () => {
      picker.hidePopover();
      parts(field).input.focus();
    });
    const follow = () => place(picker, field);
    const resized = new ResizeObserver(follow);
    picker.addEventListener("toggle", (event) => {
      const open = event.newState === "open";
      parts(field).toggle.setAttribute("aria-expanded", String(open));
      if (open) {
        window.addEventListener("resize", follow);
        window.addEventListener("scroll", follow, true);
        resized.observe(picker); // the calendar draws itself after it is shown
        return;
      }
      window.removeEventListener("resize", follow);
      window.removeEventListener("scroll", follow, true);
      resized.unobserve(picker);
      // Closed by Escape or a click elsewhere: focus goes back where the calendar came from.
      if (!document.activeElement || document.activeElement === document.body) {
        parts(field).toggle.focus();
      }
    });
    return picker;
  }

  // Cally is loaded the first time a calendar opens, not with every page.
  let calendarLoaded = null;
  function loadCalendar() {
    const source = document.getElementById("date-picker").dataset.calendar;
    calendarLoaded ||= import(source).then(() => customElements.whenDefined("calendar-date"));
    return calendarLoaded;
  }

  async function open(field) {
    await loadCalendar();
    const picker = parts(field).picker || build(field);
    const calendar = picker.querySelector("calendar-date");
    const date = parse(parts(field).input.value);
    const start = date ? iso(date) : document.getElementById("date-picker").dataset.today;
    calendar.value = date ? iso(date) : "";
    if (start) {
      calendar.focusedDate = start;
      const [year, month, day] = start.split("-").map(Number);
      title(picker, new Date(Date.UTC(year, month - 1, day)));
    }
    picker.showPopover();
    place(picker, field);
    // Into the days, once the calendar has drawn them (a frame or two after it is shown).
    const focusDay = (tries) => {
      calendar.focus();
      if (!picker.contains(document.activeElement) && tries > 0) {
        requestAnimationFrame(() => focusDay(tries - 1));
      }
    };
    focusDay(20);
  }

  function enhance(root) {
    for (const toggle of root.querySelectorAll("[data-date-toggle][hidden]")) toggle.hidden = false;
    for (const choices of root.querySelectorAll("[data-follow-up-choices][hidden]")) {
      choices.hidden = false;
    }
  }

  // One-tap dates (+1 day, +1 week, ...) beside a date field: each button carries its day,
  // computed by the server (hexa.crm.services.follow_up_choices), and writes it into the
  // field as typing would. Without JavaScript they stay hidden and the field is typed.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-follow-up]");
    if (!button) return;
    const input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) return;
    input.value = button.dataset.followUp;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest && event.target.closest("[data-date-toggle]");
    if (!toggle) return;
    const field = toggle.closest(".date-field");
    const { picker } = parts(field);
    if (picker && picker.matches(":popover-open")) picker.hidePopover();
    else open(field);
  });

  // Alt+Down in a date field opens its calendar, as in a native date picker.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" || !event.altKey) return;
    const input = event.target.closest && event.target.closest("input[data-date-input]");
    const field = input && input.closest(".date-field");
    if (!field || !parts(field).toggle) return;
    event.preventDefault();
    open(field);
  });

  // The calendar buttons of the page, and of what htmx puts in later.
  enhance(document);
  document.addEventListener("htmx:load", (event) => enhance(event.target));
})();
