// The Log page (web/log.html): find a client, log, and follow the device's outbox.
// Entries go to the outbox first (outbox.js), so that Finish never loses one, then to Hexa.
import { entries, getEntry, keep, kept, putEntry, recorded, removeEntry, sendAll } from "./outbox.js";
import { showWaiting } from "./pwa.js";

const root = document.getElementById("field-log");
const texts = JSON.parse(document.getElementById("log-texts").textContent);
const user = root.dataset.user;
const $ = (selector, within = root) => within.querySelector(selector);
const form = $("[data-entry]");
const search = $("#log-search");
const results = $("[data-results]");
const status = $("[data-status]");
let clients = [];
let chosen = null; // {code, name}
let editing = null; // the key of the entry being edited
let fromTimer = null; // {client, stop}: the form holds a timer stopped offline (timer.js)

function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
}

// --- Dates, in the device's time zone ------------------------------------------------------

function isoDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function later(from, step) {
  const date = new Date(`${from}T12:00:00`);
  const amount = parseInt(step, 10);
  if (step.endsWith("m")) {
    const day = date.getDate();
    date.setDate(1);
    date.setMonth(date.getMonth() + amount);
    const last = new Date(date.getFullYear(), date.getMonth() + 1, 0).getDate();
    date.setDate(Math.min(day, last));
  } else {
    date.setDate(date.getDate() + amount);
  }
  return isoDate(date);
}

// Days as the date fields read and show them (dates.js, loaded by every page before this
// module; the service worker keeps it for offline use): a typed day's ISO form, or null when
// it is not a day (31/02); an ISO day as Hexa types and shows it (29/11/2026).
const parseDay = (text) => window.hexaDays.iso(text);
const typedDay = (iso) => window.hexaDays.typed(iso);

// --- Finding a client -----------------------------------------------------------------------

function folded(text) {
  return (text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

function matches(query) {
  const q = folded(query.trim());
  if (!q) return [];
  const taxId = q.replace(/[\s.-]/g, "");
  return clients
    .filter(
      (c) =>
        folded(c.code).includes(q) ||
        folded(c.name).includes(q) ||
        (taxId && folded(c.tax_id).replace(/[\s.-]/g, "").includes(taxId)),
    )
    .slice(0, 10);
}

// Online, the explorer's own search finds the clients beyond the device's budget too.
async function serverMatches(query) {
  if (!navigator.onLine) return [];
  try {
    const url = `${root.dataset.suggestions}?q=${encodeURIComponent(query)}`;
    const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
    if (!response.ok) return [];
    const list = new DOMParser().parseFromString(`<ul>${await response.text()}</ul>`, "text/html");
    return [...list.querySelectorAll("li[data-value]")]
      .filter((li) => !li.querySelector(".archived"))
      .map((li) => ({ code: li.dataset.value, name: li.querySelector(".name")?.textContent || "" }));
  } catch (error) {
    return [];
  }
}

function showResults(found) {
  results.replaceChildren(
    ...found.map((client) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary outline client";
      const code = document.createElement("strong");
      code.className = "code";
      code.textContent = client.code;
      button.append(code, ` ${client.name}`);
      button.addEventListener("click", () => choose(client));
      item.append(button);
      return item;
    }),
  );
  if (!found.length && search.value.trim()) {
    const item = document.createElement("li");
    item.className = "none";
    item.textContent = texts.no_match;
    results.append(item);
  }
}

let searching = 0;
search.addEventListener("input", async () => {
  const query = search.value;
  const mine = ++searching;
  const local = matches(query);
  showResults(local);
  if (!query.trim()) return;
  const remote = await serverMatches(query);
  if (mine !== searching) return; // typed on meanwhile
  const seen = new Set(local.map((c) => c.code));
  showResults([...local, ...remote.filter((c) => !seen.has(c.code))].slice(0, 10));
});

// The timer's Start for the chosen client: a form posted through htmx, so that timer.js
// keeps a start made offline, as it does for the explorer's and agenda's buttons.
function showTimer(code) {
  const timer = $("[data-log-timer]");
  if (!timer) return;
  const url = timer.dataset.action.replace("CLIENT", encodeURIComponent(code));
  timer.action = url;
  timer.setAttribute("hx-post", url);
  timer.dataset.timerStart = code;
  $("[data-timer-label]", timer).textContent = format(texts.start_timer, { code });
  timer.hidden = false;
  if (window.htmx) window.htmx.process(timer);
}

// Back to the search: the timer's Start belongs to the client left, so it goes too.
function hideTimer() {
  const timer = $("[data-log-timer]");
  if (!timer) return;
  timer.hidden = true;
  delete timer.dataset.timerStart;
}

function choose(client, focus = true) {
  chosen = { code: client.code, name: client.name };
  $("[data-client-code]").textContent = client.code;
  $("[data-client-name]").textContent = client.name;
  $("[data-find]").hidden = true;
  form.hidden = false;
  showTimer(client.code);
  if (focus) $("#log-text").focus();
}

$("[data-change-client]").addEventListener("click", () => {
  form.hidden = true;
  hideTimer();
  $("[data-find]").hidden = false;
  search.focus();
});

// --- The form -------------------------------------------------------------------------------

function resetForm() {
  form.reset();
  form.elements.date.value = typedDay(isoDate(new Date()));
  $("[data-project-choice]").hidden = true;
  form.elements.project.replaceChildren();
  for (const error of form.querySelectorAll("[data-error-for]")) error.textContent = "";
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  editing = null;
  fromTimer = null;
}

for (const chip of form.querySelectorAll("[data-minutes]")) {
  chip.addEventListener("click", () => {
    form.elements.minutes.value = chip.dataset.minutes;
  });
}
for (const chip of form.querySelectorAll("[data-follow-up]")) {
  chip.addEventListener("click", () => {
    const from = parseDay(form.elements.date.value) || isoDate(new Date());
    const field = form.elements.next_follow_up;
    field.value = typedDay(later(from, chip.dataset.followUp));
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

function payloadOf() {
  const data = form.elements;
  // Dates as the server stores them: what was typed, read here (checked() made sure it reads).
  const payload = { client: chosen.code, text: data.text.value.trim(), date: parseDay(data.date.value) };
  if (data.employee.value) payload.employee = data.employee.value;
  if (data.minutes.value.trim()) payload.minutes = data.minutes.value.trim();
  if (data.next_follow_up.value.trim()) payload.next_follow_up = parseDay(data.next_follow_up.value);
  if (!$("[data-project-choice]").hidden && data.project.value) payload.project = data.project.value;
  return payload;
}

// What the device can check without a connection, with the quick log's own words; false
// (the first field at fault focused) when something is wrong.
function checked() {
  const data = form.elements;
  const errors = {};
  if (!data.text.value.trim()) errors.text = texts.required;
  if (!data.date.value.trim()) errors.date = texts.required;
  else if (!parseDay(data.date.value)) errors.date = texts.bad_date;
  if (data.next_follow_up.value.trim() && !parseDay(data.next_follow_up.value)) {
    errors.next_follow_up = texts.bad_date;
  }
  for (const name of ["text", "date", "next_follow_up"]) {
    $(`[data-error-for=${name}]`).textContent = errors[name] || "";
    if (errors[name]) data[name].setAttribute("aria-invalid", "true");
    else data[name].removeAttribute("aria-invalid");
  }
  const first = ["text", "date", "next_follow_up"].find((name) => errors[name]);
  if (first) data[first].focus();
  return !first;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!checked()) return;
  const previous = editing ? await getEntry(editing) : null;
  const entry = {
    // An edited entry keeps its key: edit() made sure Hexa never recorded it.
    key: previous ? previous.key : crypto.randomUUID(),
    user,
    userName: root.dataset.userName,
    client: { ...chosen },
    payload: payloadOf(),
    recordedAt: previous ? previous.recordedAt : new Date().toISOString(),
    state: "waiting",
  };
  await putEntry(entry);
  if (fromTimer && fromTimer.client === entry.client.code) {
    // The timer's time is in the outbox now: Hexa is only told that it stopped.
    const detail = { stop: fromTimer.stop };
    document.dispatchEvent(new CustomEvent("hexa:timer-logged-offline", { detail }));
  }
  resetForm();
  form.hidden = true;
  hideTimer();
  chosen = null;
  $("[data-find]").hidden = false;
  search.value = "";
  showResults([]);
  status.textContent = navigator.onLine ? texts.saved : texts.saved_offline;
  await render();
  send();
});

// --- A timer stopped offline ----------------------------------------------------------------

// 90 -> "1h30", 45 -> "45m", 120 -> "2h", as the quick log fills in a timer's time.
function formatMinutes(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return `${rest}m`;
  return rest ? `${hours}h${String(rest).padStart(2, "0")}` : `${hours}h`;
}

// Stop without a connection (timer.js): this form takes the client and the time it ran, so
// Finish puts it in the outbox like any entry. A form being filled for another client is
// left alone.
document.addEventListener("hexa:timer-stopped-offline", (event) => {
  const { client, since, at, stop } = event.detail;
  const busy = !form.hidden && chosen && chosen.code !== client && form.elements.text.value.trim();
  if (busy || editing) return;
  const known = clients.find((c) => c.code === client) || { code: client, name: "" };
  resetForm();
  choose(known);
  const minutes = since ? Math.max(0, Math.round((Date.parse(at) - Date.parse(since)) / 60000)) : null;
  if (minutes !== null) form.elements.minutes.value = formatMinutes(minutes);
  fromTimer = { client, stop };
  status.textContent = format(texts.timer_stopped, {
    code: client,
    spent: minutes !== null ? formatMinutes(minutes) : "",
  });
});

// --- The outbox -----------------------------------------------------------------------------

function resultText(result) {
  if (!result || !result.project) return "";
  const project = format(result.project.created ? texts.new_project : texts.project, {
    project: result.project.code,
  });
  const task = format(result.task.created ? texts.new_task : texts.task, {
    task: result.task.title,
  });
  return `${project} · ${task}`;
}

function card(entry) {
  const item = document.getElementById("outbox-entry").content.firstElementChild.cloneNode(true);
  const at = (selector) => item.querySelector(selector);
  item.dataset.key = entry.key;
  item.dataset.state = entry.state;
  at("[data-state]").textContent = texts[entry.state] || texts.waiting;
  at("[data-code]").textContent = entry.client.code;
  at("[data-name]").textContent = entry.client.name;
  const typed = entry.payload.minutes || "";
  const minutes = typed ? ` · ${typed}${/^\d+$/.test(typed) ? " min" : ""}` : "";
  at("[data-when]").textContent = `${typedDay(entry.payload.date)}${minutes}`;
  at("[data-text]").textContent = entry.payload.text;
  if (entry.user !== user) {
    at("[data-who]").hidden = false;
    at("[data-who]").textContent = format(texts.other_user, { name: entry.userName });
  }
  if (entry.state === "sent") {
    at("[data-result]").hidden = false;
    at("[data-result]").textContent = [resultText(entry.result), entry.note].filter(Boolean).join(" · ");
  }
  if (entry.state === "editing" && entry.user === user && entry.key !== editing) {
    at("[data-resend]").hidden = false; // left in the form (the page closed): as it was
  }
  if (entry.state === "refused") {
    at("[data-reason]").hidden = false;
    at("[data-reason]").textContent = entry.reason;
    at("[data-resend]").hidden = false;
    at("[data-edit]").hidden = false;
    if (entry.projects && entry.projects.length) {
      at("[data-choose]").hidden = false;
      at("[data-choose-label]").textContent = texts.choose_project;
      const select = at("[data-choose-project]");
      for (const project of entry.projects) {
        select.append(new Option(`${project.code} · ${project.name}`, project.code));
      }
    }
  }
  if (["waiting", "editing"].includes(entry.state) && entry.user === user) {
    at("[data-edit]").hidden = false;
  }
  at("[data-resend]").addEventListener("click", async () => {
    const fresh = await getEntry(entry.key);
    if (!at("[data-choose]").hidden) fresh.payload.project = at("[data-choose-project]").value;
    fresh.state = "waiting";
    await putEntry(fresh);
    await render();
    send();
  });
  at("[data-edit]").addEventListener("click", () => edit(entry));
  const discard = at("[data-discard]");
  discard.addEventListener("click", async () => {
    if (entry.state !== "sent" && !discard.dataset.armed) {
      discard.dataset.armed = "true"; // a second tap, so that a slip loses nothing
      discard.textContent = texts.discard_confirm;
      return;
    }
    await removeEntry(entry.key);
    await render();
  });
  return item;
}

// Editing an entry sends it again under the same key with other fields. That is safe only if
// Hexa never recorded it: an entry refused (which wrote nothing), or one never sent. One that
// was sent and whose answer was lost (still waiting, `tried`) may be in Hexa already: with the
// same key its new fields would be refused for good (idempotency_conflict), and under a new key
// it would be a second dedication. So Edit asks Hexa first: recorded, the entry is shown as
// sent, with what Hexa has and where to change it; not recorded, it is edited as any other.
// Offline that cannot be known, and the page says to edit it once connected. The entry is
// "editing" while in the form, so that no sender sends the old fields meanwhile.
async function edit(listed) {
  let entry = await getEntry(listed.key);
  if (!entry) return render();
  if (entry.tried || entry.code === "idempotency_conflict") {
    const answer = navigator.onLine ? await recorded(root.dataset.send, entry.key) : null;
    if (answer === null) {
      status.textContent = texts.check_offline;
      return;
    }
    if (answer.signedOut) {
      $("[data-signed-out]").hidden = false; // sign in again, then edit it
      return;
    }
    entry = await getEntry(listed.key);
    if (!entry) return render();
    if (answer.recorded) {
      Object.assign(entry, {
        state: "sent",
        result: answer,
        note: texts.already_sent,
        reason: "",
        code: "",
        fields: {},
      });
      await putEntry(entry);
      status.textContent = texts.already_sent;
      await render();
      return;
    }
    entry.tried = false;
  }
  entry.state = "editing";
  await putEntry(entry);
  resetForm();
  editing = entry.key;
  choose(entry.client, false);
  const data = form.elements;
  data.text.value = entry.payload.text;
  data.date.value = typedDay(entry.payload.date);
  data.minutes.value = entry.payload.minutes || "";
  data.next_follow_up.value = typedDay(entry.payload.next_follow_up || "");
  if (entry.payload.employee) data.employee.value = entry.payload.employee;
  if (entry.projects && entry.projects.length) {
    $("[data-project-choice]").hidden = false;
    for (const project of entry.projects) {
      data.project.append(new Option(`${project.code} · ${project.name}`, project.code));
    }
    if (entry.payload.project) data.project.value = entry.payload.project;
  }
  for (const [field, messages] of Object.entries(entry.fields || {})) {
    const error = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (error) error.textContent = messages.join(" ");
  }
  data.text.focus();
  form.scrollIntoView({ block: "start" });
  await render();
}

async function render() {
  const all = (await entries()).reverse(); // newest first
  $("[data-outbox]").replaceChildren(...all.map(card));
  $("[data-outbox-empty]").hidden = all.length > 0;
  const waiting = all.filter((e) => e.user === user && e.state !== "sent").length;
  $("[data-waiting-count]").textContent = waiting ? String(waiting) : "";
  const others = all.filter((e) => e.user !== user && e.state !== "sent");
  const note = $("[data-other-user]");
  note.hidden = !others.length;
  if (others.length) note.textContent = format(texts.other_user, { name: others[0].userName });
  await showWaiting();
}

// One round at a time. A call during a round (the connection came back while a round was
// failing offline, an entry was saved meanwhile) asks for one more round after it: dropping it
// left entries waiting while online until the next trigger.
let sending = null;
let again = false;
async function send() {
  if (sending) {
    again = true;
    return sending;
  }
  sending = (async () => {
    try {
      do {
        again = false;
        const { stopped } = await sendAll({ url: root.dataset.send, user, changed: render });
        $("[data-signed-out]").hidden = stopped !== "signed-out";
        // Someone signed in on this browser since this page opened (another tab): the page
        // must be opened again to know who it is for. What it recorded is its author's, sent
        // when they are signed in.
        $("[data-other-session]").hidden = !["other-user", "stale"].includes(stopped);
        if (stopped === "offline") status.textContent = texts.not_sent_yet;
        else if (stopped === "server") status.textContent = texts.error;
        else if (stopped === null) status.textContent = "";
      } while (again && navigator.onLine);
    } finally {
      sending = null;
      await render();
    }
  })();
  return sending;
}

function showConnection() {
  $("[data-connection]").hidden = navigator.onLine;
}

// --- The clients kept on this device --------------------------------------------------------

async function loadClients() {
  clients = (await kept(`clients:${user}`)) || [];
  try {
    if (!navigator.onLine) return;
    const response = await fetch(root.dataset.clients, { credentials: "same-origin", redirect: "manual" });
    if (!response.ok) return;
    clients = (await response.json()).clients;
    await keep(`clients:${user}`, clients);
  } catch (error) {
    // Offline after all: the clients kept last time.
  } finally {
    root.dataset.clientsKept = String(clients.length);
  }
}

$("[data-send-now]").addEventListener("click", send);
window.addEventListener("online", () => {
  showConnection();
  send();
});
window.addEventListener("offline", showConnection);

// The calendar's "today" is the device's, not the day the page was kept for offline use.
const picker = document.getElementById("date-picker");
if (picker) picker.dataset.today = isoDate(new Date());

resetForm();
showConnection();
await render();
await loadClients();
if (search.value) search.dispatchEvent(new Event("input"));
await send();
