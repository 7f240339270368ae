// The device's outbox (IndexedDB): quick logs recorded on this phone, each with the
// idempotency key made here, until Hexa has them. Sending an entry twice is harmless: the
// server answers a repeated key with the first answer (a replay), never a second dedication.
//
// An entry: {key, user, userName, payload, recordedAt, state, reason, code, fields, projects,
//            result, tried, note}; state is "waiting", "sent", "refused" or "editing" (open in
// the Log page's form: not sent until Finish makes it waiting again). `tried` is set before
// an entry is sent: from then on Hexa may have it (the answer may be lost), so the Log page
// asks Hexa before letting it be edited (log.js, edit()).

const DB_NAME = "hexa";
const OUTBOX = "outbox";
const KEPT = "kept"; // other things the device keeps: the clients for offline search

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let opened = null;
function database() {
  if (!opened) {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(OUTBOX, { keyPath: "key" });
      req.result.createObjectStore(KEPT);
    };
    opened = request(req);
  }
  return opened;
}

async function store(name, mode) {
  const db = await database();
  return db.transaction(name, mode).objectStore(name);
}

function written(objectStore) {
  return new Promise((resolve, reject) => {
    objectStore.transaction.oncomplete = () => resolve();
    objectStore.transaction.onerror = () => reject(objectStore.transaction.error);
  });
}

export async function entries() {
  const all = await request((await store(OUTBOX, "readonly")).getAll());
  return all.sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : 1));
}

export async function getEntry(key) {
  return request((await store(OUTBOX, "readonly")).get(key));
}

export async function putEntry(entry) {
  const objectStore = await store(OUTBOX, "readwrite");
  objectStore.put(entry);
  await written(objectStore); // on disk before saying it is saved
}

export async function removeEntry(key) {
  const objectStore = await store(OUTBOX, "readwrite");
  objectStore.delete(key);
  await written(objectStore);
}

export async function keep(name, value) {
  const objectStore = await store(KEPT, "readwrite");
  objectStore.put(value, name);
  await written(objectStore);
}

export async function forget(name) {
  const objectStore = await store(KEPT, "readwrite");
  objectStore.delete(name);
  await written(objectStore);
}

export async function kept(name) {
  return request((await store(KEPT, "readonly")).get(name));
}

// Entries not yet in Hexa (waiting or refused) recorded by `user`.
export async function unsentCount(user) {
  return (await entries()).filter((e) => e.user === user && e.state !== "sent").length;
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

// Send every waiting entry of `user` to `url`, one at a time, oldest first. Resolves to
// {stopped: null | "offline" | "signed-out" | "stale" | "other-user" | "server"}; `changed` is called
// after each entry changes state. One sender at a time across the tabs of this browser.
export async function sendAll({ url, user, changed = () => {} }) {
  const run = () => sendEach(url, user, changed);
  if (navigator.locks) return navigator.locks.request("hexa-outbox", run);
  return run();
}

async function sendEach(url, user, changed) {
  // Not even tried without a connection: an entry never sent can be edited offline (log.js).
  if (!navigator.onLine) return { stopped: "offline" };
  for (const listed of await entries()) {
    if (listed.state !== "waiting" || listed.user !== user) continue;
    const entry = await getEntry(listed.key); // edited or discarded meanwhile?
    if (!entry || entry.state !== "waiting") continue;
    if (!entry.tried) {
      entry.tried = true;
      await putEntry(entry);
    }
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
          "Idempotency-Key": entry.key,
          "X-Hexa-User": entry.user,
        },
        body: JSON.stringify(entry.payload),
      });
    } catch (error) {
      return { stopped: "offline" }; // or the answer was lost: the same key replays it later
    }
    if (response.type === "opaqueredirect" || response.status === 401) {
      return { stopped: "signed-out" };
    }
    // The CSRF token this page has was another session's: someone signed in (or out and in
    // again) on this browser since the page opened. Opened again, it knows who it is.
    if (response.status === 403) return { stopped: "stale" };
    const body = await response.json().catch(() => ({}));
    if (response.status === 409 && body.code === "other_user") return { stopped: "other-user" };
    if (response.status >= 500 || response.status === 429) return { stopped: "server" };
    const fresh = await getEntry(entry.key); // discarded meanwhile?
    if (!fresh) continue;
    if (response.ok) {
      Object.assign(fresh, { state: "sent", result: body, reason: "", code: "", fields: {} });
    } else {
      Object.assign(fresh, {
        state: "refused",
        // Refused, it wrote nothing, so its key is free again; but a key already used with
        // other fields (idempotency_conflict) means Hexa has the entry.
        tried: body.code === "idempotency_conflict",
        reason: body.message || String(response.status),
        code: body.code || "",
        fields: body.fields || {},
        projects: body.projects || [],
      });
    }
    await putEntry(fresh);
    changed(fresh);
  }
  return { stopped: null };
}

// What Hexa answered the entry with `key` the first time ({recorded: true, ...}), or
// {recorded: false} if it never reached Hexa, {signedOut: true} if the session ended; null if
// that cannot be known now (offline, the server busy).
export async function recorded(url, key) {
  try {
    const response = await fetch(`${url}${encodeURIComponent(key)}/`, {
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json" },
    });
    if (response.status === 404) return { recorded: false };
    if (response.type === "opaqueredirect" || response.status === 401) return { signedOut: true };
    if (!response.ok) return null;
    return await response.json();
  } catch (error) {
    return null;
  }
}
