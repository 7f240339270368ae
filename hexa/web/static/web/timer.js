// The running timer in the navigation (web/timer_nav.html): the time it has run ticks every
// second; and what is done to it without a connection is kept on the device (localStorage)
// until Hexa can be told: a timer started offline is started on the server with the moment
// it really started, a timer stopped offline opens the quick log with the time it ran until
// then. No inline scripts: the Content-Security-Policy forbids them.
"use strict";

(() => {
  const PENDING = "hexa:timer:pending";

  function clock(since) {
    const seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
    const hours = Math.floor(seconds / 3600);
    const minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
    return `${hours}:${minutes}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function tick() {
    for (const time of document.querySelectorAll("time[data-timer-since]")) {
      const since = Date.parse(time.dataset.timerSince);
      if (!Number.isNaN(since)) time.textContent = clock(since);
    }
  }
  setInterval(tick, 1000);

  // --- Offline ------------------------------------------------------------------------------

  function pending() {
    try {
      return JSON.parse(localStorage.getItem(PENDING) || "null");
    } catch {
      return null;
    }
  }

  function keep(state) {
    if (state) localStorage.setItem(PENDING, JSON.stringify(state));
    else localStorage.removeItem(PENDING);
    show();
  }

  // The navigation shows what the device keeps, over what the server said.
  function show() {
    const nav = document.getElementById("timer-nav");
    const state = pending();
    if (!nav || !state) return;
    nav.replaceChildren();
    if (state.discarded) {
      nav.hidden = true;
      return;
    }
    nav.hidden = false;
    const box = document.createElement("span");
    box.className = "timer-running offline";
    box.setAttribute("role", "status");
    box.dataset.timerClient = state.client;
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = state.client;
    box.append(code, " ");
    if (state.stopped_at) {
      box.append(nav.dataset.offlineStopped);
    } else if (state.started_at) {
      const time = document.createElement("time");
      time.dataset.timerSince = state.started_at;
      time.textContent = clock(Date.parse(state.started_at));
      box.append(time, " ", nav.dataset.offlineStarted);
    }
    nav.append(box);
  }

  // Pressed without a connection: Start, Stop and Discard are kept instead of sent.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (navigator.onLine) return;
    const element = event.detail.elt;
    const state = pending() || {};
    const now = new Date().toISOString();
    const form = element.closest && element.closest("form");
    const csrf = form && form.elements.csrfmiddlewaretoken;
    if (element.matches("form[data-timer-start]")) {
      keep({ client: element.dataset.timerStart, start: element.action, started_at: now, csrf: csrf && csrf.value });
    } else if (element.matches("[data-timer-stop]")) {
      const running = document.querySelector("#timer-nav [data-timer-client]");
      keep({ ...state, client: state.client || running.dataset.timerClient, stop: element.href, stopped_at: now });
    } else if (element.matches("form.timer-discard-form")) {
      keep({ client: state.client || "", discard: element.action, csrf: csrf && csrf.value, discarded: true });
    } else {
      return;
    }
    event.preventDefault();
  });

  async function post(url, fields) {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) if (value) body.append(name, value);
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
  }

  // Back online (and on every page load): tell the server, in the order it happened.
  let sending = false;
  async function send() {
    const state = pending();
    if (!state || sending || !navigator.onLine) return;
    sending = true;
    try {
      if (state.discarded) {
        await post(state.discard, { csrfmiddlewaretoken: state.csrf });
      } else {
        if (state.start) {
          await post(state.start, { csrfmiddlewaretoken: state.csrf, started_at: state.started_at });
        }
        if (state.stopped_at) {
          const url = new URL(state.stop, location.href);
          url.searchParams.set("stopped_at", state.stopped_at);
          localStorage.removeItem(PENDING);
          window.htmx.ajax("GET", url.pathname + url.search, { target: "#dialog", swap: "innerHTML" });
        }
      }
      localStorage.removeItem(PENDING);
      document.body.dispatchEvent(new CustomEvent("hexa:timer", { bubbles: true }));
    } catch {
      // Still no answer: kept for the next try.
    } finally {
      sending = false;
    }
  }
  window.addEventListener("online", send);
  document.addEventListener("DOMContentLoaded", () => {
    show();
    send();
  });
})();
