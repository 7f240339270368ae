// The running timer in the navigation (web/timer_nav.html): the time it has run ticks every
// second; and what is done to it without a connection is kept on the device (localStorage)
// until Hexa can be told. No inline scripts: the Content-Security-Policy forbids them.
//
// Offline, each Start, Stop and Discard is added to a queue (every one of them: a Stop then a
// Start are two actions, and both reach Hexa), with the moment it was pressed and the user who
// pressed it. The navigation shows the queue applied over the timer the server showed last;
// a Start on another client while one shows there asks, as the server does, whether to stop
// or discard the first. Back online (and on every page load) the queue is told to Hexa in
// order, by its user only: a Start is sent with the moment it was pressed; a Stop opens the
// quick log with the time up to that moment, and what follows waits until that dialog is
// closed (logged, the timer is stopped; cancelled, it keeps running); a Discard drops the
// timer only if it still runs on that client. A Start that Hexa refuses because another timer
// runs (started meanwhile on another device) is shown as the server's own question, never
// dropped without a word.
"use strict";

(() => {
  const QUEUE = "hexa:timer:queue";
  const SEEN = "hexa:timer:seen"; // the server's timer as last shown, per user
  const OLD = "hexa:timer:pending"; // one pending action, as kept before the queue

  const nav = () => document.getElementById("timer-nav");
  const dialog = () => document.getElementById("dialog");
  const user = () => (nav() ? nav().dataset.user || "" : "");
  const texts = () => JSON.parse((nav() && nav().dataset.texts) || "{}");
  const format = (text, values) => (text || "").replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
  const csrf = () => {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };

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

  // --- The queue ------------------------------------------------------------------------------

  function read(key, fallback) {
    try {
      return JSON.parse(localStorage.getItem(key) || "null") ?? fallback;
    } catch {
      return fallback;
    }
  }

  function action(type, client, at = new Date().toISOString()) {
    const id = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    return { id, type, client, at, user: user() };
  }

  // A device that kept one pending action (before the queue) keeps it, as actions.
  function migrate() {
    const old = read(OLD, null);
    if (!old) return;
    localStorage.removeItem(OLD);
    const items = [];
    if (old.discarded) items.push(action("discard", old.client || ""));
    else {
      if (old.start) items.push(action("start", old.client, old.started_at));
      if (old.stopped_at) items.push(action("stop", old.client, old.stopped_at));
    }
    localStorage.setItem(QUEUE, JSON.stringify([...read(QUEUE, []), ...items]));
  }

  function queue() {
    return read(QUEUE, []);
  }

  function save(items) {
    if (items.length) localStorage.setItem(QUEUE, JSON.stringify(items));
    else localStorage.removeItem(QUEUE);
  }

  const mine = () => queue().filter((item) => item.user === user());

  function add(...items) {
    save([...queue(), ...items]);
    show();
  }

  function drop(id) {
    save(queue().filter((item) => item.id !== id));
  }

  // --- What the navigation shows ----------------------------------------------------------------

  // The server's timer as this page shows it, or as another page showed it later: the Log page
  // kept for offline use shows the timer of the moment it was kept.
  function serverTimer() {
    const box = nav();
    if (!box) return null;
    const key = `${SEEN}:${box.dataset.user}`;
    const seen = read(key, null);
    if (box.dataset.local) return seen; // our own drawing below, not the server's
    const running = box.querySelector("[data-timer-client]");
    const time = box.querySelector("time[data-timer-since]");
    const here = {
      rendered: Number(box.dataset.rendered || 0),
      client: running ? running.dataset.timerClient : null,
      since: time ? time.dataset.timerSince : null,
    };
    if (seen && seen.rendered > here.rendered) return { ...seen, stale: true };
    localStorage.setItem(key, JSON.stringify(here));
    return here;
  }

  // The timer running once the queue is applied, and the stops still to be logged.
  function state() {
    const server = serverTimer();
    let running = server && server.client ? { client: server.client, since: server.since } : null;
    const stopped = [];
    for (const item of mine()) {
      if (item.type === "start") running = { client: item.client, since: item.at, offline: true };
      else if (item.type === "stop") {
        stopped.push(item);
        if (running && running.client === item.client) running = null;
      } else if (item.type === "discard" && (!running || running.client === item.client)) {
        running = null;
      }
    }
    return { running, stopped, drawn: mine().length > 0 || Boolean(server && server.stale) };
  }

  function button(label, attribute, className) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.setAttribute(attribute, "");
    return element;
  }

  function show() {
    const box = nav();
    if (!box) return;
    const { running, stopped, drawn } = state();
    if (!drawn) return; // the server's own navigation, as it came
    const words = texts();
    box.dataset.local = "true";
    box.replaceChildren();
    for (const item of stopped) {
      const line = document.createElement("span");
      line.className = "timer-running offline";
      line.setAttribute("role", "status");
      line.dataset.timerStopped = item.client;
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = item.client;
      line.append(code, " ", box.dataset.offlineStopped);
      box.append(line);
    }
    if (running) {
      const line = document.createElement("span");
      line.className = `timer-running${running.offline ? " offline" : ""}`;
      line.setAttribute("role", "status");
      line.dataset.timerClient = running.client;
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = running.client;
      const time = document.createElement("time");
      time.dataset.timerSince = running.since;
      time.textContent = clock(Date.parse(running.since));
      line.append(code, " ", time);
      if (running.offline) line.append(" ", box.dataset.offlineStarted);
      box.append(
        line,
        button(words.stop, "data-local-stop", "timer-stop"),
        button(words.discard, "data-local-discard", "secondary outline timer-discard"),
      );
    }
    box.hidden = !running && !stopped.length;
  }

  // --- Pressed without a connection -------------------------------------------------------------

  // Stopped offline: the Log page (log.js) fills its form with the client and the time.
  function stopLocally(client) {
    const { running } = state();
    const stop = action("stop", client);
    add(stop);
    const since = running && running.client === client ? running.since : null;
    const detail = { client, since, at: stop.at, stop: stop.id };
    document.dispatchEvent(new CustomEvent("hexa:timer-stopped-offline", { detail }));
  }

  // The Log page put the time of a timer stopped offline in its outbox (log.js): the stop no
  // longer opens a quick log once back online; Hexa is only told to drop the timer (a timer
  // started offline and never told is simply forgotten).
  document.addEventListener("hexa:timer-logged-offline", (event) => {
    const items = queue();
    const at = items.findIndex((item) => item.id === event.detail.stop);
    if (at < 0) return;
    const stop = items[at];
    const before = items.slice(0, at).filter((item) => item.user === stop.user);
    const started = before[before.length - 1];
    if (started && started.type === "start" && started.client === stop.client) {
      save(items.filter((item) => item !== stop && item !== started));
    } else {
      items[at] = { ...stop, type: "discard" };
      save(items);
    }
    show();
  });

  // A timer started offline and not told to Hexa yet is simply forgotten; one Hexa has is
  // discarded there once the connection is back.
  function discardLocally(client) {
    const items = mine();
    const last = items[items.length - 1];
    if (last && last.type === "start" && last.client === client) {
      drop(last.id);
      show();
    } else {
      add(action("discard", client));
    }
  }

  function startLocally(client) {
    const { running } = state();
    if (running && running.client === client) return; // already timing it
    if (running) {
      ask(running, client);
      return;
    }
    add(action("start", client));
  }

  // The server's question (web/timer_running.html), asked on the device.
  function ask(running, client) {
    const words = texts();
    const box = dialog();
    const values = { code: running.client, new: client, spent: clock(Date.parse(running.since)) };
    const article = document.createElement("article");
    article.className = "timer-question";
    const header = document.createElement("header");
    const title = document.createElement("h2");
    title.id = "dialog-title";
    title.textContent = words.question_title;
    header.append(title);
    const question = document.createElement("p");
    question.textContent = format(words.question, values);
    const footer = document.createElement("footer");
    const stop = button(format(words.stop_and_time, values), "data-answer-stop", "");
    const discard = button(format(words.discard_and_time, values), "data-answer-discard", "secondary");
    const cancel = button(words.cancel, "data-answer-cancel", "secondary outline");
    stop.addEventListener("click", () => {
      box.close();
      stopLocally(running.client);
      add(action("start", client));
    });
    discard.addEventListener("click", () => {
      box.close();
      discardLocally(running.client);
      add(action("start", client));
    });
    cancel.addEventListener("click", () => box.close());
    footer.append(stop, discard, cancel);
    article.append(header, question, footer);
    box.replaceChildren(article);
    if (!box.open) box.showModal();
    stop.focus();
  }

  function runningClient() {
    const { running } = state();
    return running ? running.client : null;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (navigator.onLine) return;
    const element = event.detail.elt;
    if (element.matches("form[data-timer-start]")) {
      startLocally(element.dataset.timerStart);
    } else if (element.matches("[data-timer-stop]") && runningClient()) {
      stopLocally(runningClient());
    } else if (element.matches("form.timer-discard-form") && runningClient()) {
      discardLocally(runningClient());
    } else {
      return;
    }
    event.preventDefault();
  });

  // The navigation drawn here: its Stop and Discard are kept too, then told when possible.
  document.addEventListener("click", (event) => {
    const selector = "#timer-nav [data-local-stop], #timer-nav [data-local-discard]";
    const target = event.target.closest && event.target.closest(selector);
    if (!target) return;
    const client = runningClient();
    if (!client) return;
    if (target.hasAttribute("data-local-stop")) stopLocally(client);
    else discardLocally(client);
    send();
  });

  // --- Telling Hexa -----------------------------------------------------------------------------

  // "ok", "later" (no connection, signed out, server trouble: kept), "conflict" (another timer
  // runs), or the reason Hexa gave for refusing it.
  async function post(url, fields) {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) if (value) body.append(name, value);
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      });
    } catch {
      return { outcome: "later" };
    }
    if (response.ok) return { outcome: "ok" };
    const { status } = response;
    if (response.type === "opaqueredirect" || [401, 403, 429].includes(status) || status >= 500) {
      return { outcome: "later" };
    }
    const answer = await response.json().catch(() => ({}));
    if (status === 409 && answer.code === "timer_running") return { outcome: "conflict" };
    return { outcome: "refused", status, reason: answer.message || String(status) };
  }

  const urlFor = (name, client) => nav().dataset[name].replace("CLIENT", encodeURIComponent(client));
  const here = () => location.pathname + location.search;

  let waiting = null; // the action whose dialog is open: what follows waits until it closes

  function inDialog(item, method, url, values) {
    waiting = item.id;
    window.htmx.ajax(method, url, { target: "#dialog", swap: "innerHTML", values });
  }

  function refusedDialog(item, reason) {
    const box = dialog();
    const article = document.createElement("article");
    article.className = "timer-question";
    const text = document.createElement("p");
    text.textContent = format(texts().refused, { code: item.client, reason });
    const footer = document.createElement("footer");
    const close = button(texts().close, "data-answer-close", "secondary");
    close.addEventListener("click", () => box.close());
    footer.append(close);
    article.append(text, footer);
    box.replaceChildren(article);
    if (!box.open) box.showModal();
  }

  // The server's navigation again, now that it knows: the latest request wins (hx-sync), so
  // that a refresh still on its way from before cannot show the timer as it was then.
  function refreshNav() {
    const box = nav();
    if (!box || !window.htmx) return;
    window.htmx.ajax("GET", box.getAttribute("hx-get"), { source: box, target: box, swap: "outerHTML" });
  }

  // Not told yet although the browser says it is online (the connection is not really back,
  // the session ended, the server is busy): tried again a little later, less and less often.
  let retry = null;
  let pause = 2000;
  function later() {
    if (retry || !navigator.onLine) return;
    retry = setTimeout(() => {
      retry = null;
      send();
    }, pause);
    pause = Math.min(pause * 2, 60_000);
  }

  async function replay() {
    let told = false;
    try {
      for (;;) {
        const item = mine()[0];
        if (!item || waiting) return;
        if (item.type === "stop") {
          // The quick log with the time up to the moment Stop was pressed; the action goes
          // when its dialog closes (logged or not), then the rest follows.
          const url = new URL(urlFor("stopUrl", item.client), location.href);
          url.searchParams.set("stopped_at", item.at);
          url.searchParams.set("next", here());
          inDialog(item, "GET", url.pathname + url.search, {});
          return;
        }
        const result =
          item.type === "start"
            ? await post(urlFor("startUrl", item.client), {
                csrfmiddlewaretoken: csrf(),
                started_at: item.at,
              })
            : await post(nav().dataset.discardUrl, { csrfmiddlewaretoken: csrf(), client: item.client });
        if (result.outcome === "later") {
          later();
          return;
        }
        pause = 2000;
        drop(item.id);
        told = true;
        if (result.outcome === "conflict") {
          // Another timer runs (started on another device meanwhile): the server's question,
          // which keeps the moment this one was started if the user still wants it.
          inDialog(item, "POST", urlFor("startUrl", item.client), {
            csrfmiddlewaretoken: csrf(),
            started_at: item.at,
            next: here(),
          });
          return;
        }
        if (result.outcome === "refused" && !(item.type === "discard" && result.status === 404)) {
          waiting = item.id;
          refusedDialog(item, result.reason);
          return;
        }
      }
    } finally {
      show();
      if (told) refreshNav();
    }
  }

  let sending = false;
  async function send() {
    if (sending || waiting || !navigator.onLine || !nav() || !mine().length) return;
    sending = true;
    try {
      if (navigator.locks) {
        await navigator.locks.request("hexa-timer", { ifAvailable: true }, (lock) => lock && replay());
      } else {
        await replay();
      }
    } finally {
      sending = false;
    }
  }

  // The dialog of an action closed: that action is done with, the rest follows.
  document.addEventListener(
    "close",
    (event) => {
      if (event.target !== dialog() || !waiting) return;
      drop(waiting);
      waiting = null;
      show();
      setTimeout(send, 0);
    },
    true,
  );
  // Its dialog could not be opened (the connection went again): kept, tried later.
  for (const name of ["htmx:sendError", "htmx:responseError"]) {
    document.addEventListener(name, (event) => {
      if (waiting && event.detail.target === dialog()) waiting = null;
    });
  }
  // The navigation refreshed by the server: drawn again over it if actions still wait.
  document.addEventListener("htmx:load", (event) => {
    if (event.target.id === "timer-nav") show();
  });

  window.addEventListener("online", send);
  document.addEventListener("DOMContentLoaded", () => {
    migrate();
    show();
    send();
  });
})();
