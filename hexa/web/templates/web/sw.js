{% autoescape off %}/* Hexa's service worker (hexa/web/views/field_log.py serves it at /sw.js).

   - Install: keep the Log page's static files ({{ version }}) and the Log page itself.
   - The Log page: from the network when there is one (and kept for later), else the copy kept.
   - The precached static files: from the copy kept.
   - Anything else goes to the network as if there were no worker.

   The Log page kept is one user's page (their name, their employee, their outbox's owner): it
   is kept with that user (the X-Hexa-User header the server sets on it) and only while that
   user is the one signed in. Every page tells the worker who is signed in (pwa.js, a
   "user" message; "" on a signed-out page, such as the sign-in page a sign-out lands on, and
   from the sign-out button itself): another user, or none, drops the page kept, and a signed-in
   user's own page is fetched to be kept instead. A /log/ that answers with the sign-in page
   drops it too. So the copy served offline is always the page of the last user this browser
   showed signed in, never someone else's.
*/
"use strict";

const VERSION = "hexa-{{ version }}";
const PRECACHED = {{ precached }};
const LOG_URL = {{ log_url }};
const USER_HEADER = "X-Hexa-User";

function pageOf(response) {
  return response.ok && !response.redirected && response.headers.has(USER_HEADER);
}

// Whether it kept it.
async function keepLogPage(cache, user = null) {
  // Only the page itself, never the sign-in page a signed-out request is redirected to, and
  // only the page of `user` when given (they may have signed out meanwhile).
  try {
    const response = await fetch(LOG_URL, { credentials: "same-origin" });
    if (!pageOf(response)) {
      if (response.redirected) await cache.delete(LOG_URL);
      return false;
    }
    if (user === null || response.headers.get(USER_HEADER) === user) {
      await cache.put(LOG_URL, response);
      return true;
    }
  } catch (error) {
    // Offline: the next visit to the Log page keeps it.
  }
  return false;
}

// Who is signed in now ("" for nobody): the page kept must be theirs or none. "kept" when
// this user's page was just kept (pwa.js then keeps their clients too), else "done".
async function signedIn(user) {
  const cache = await caches.open(VERSION);
  const kept = await cache.match(LOG_URL);
  if (kept && kept.headers.get(USER_HEADER) === user) return "done";
  if (kept) await cache.delete(LOG_URL);
  return user && (await keepLogPage(cache, user)) ? "kept" : "done";
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "user") return;
  const answer = (answered) => {
    if (event.ports[0]) event.ports[0].postMessage(answered);
  };
  event.waitUntil(signedIn(String(data.user || "")).then(answer, () => answer("done")));
});

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(VERSION);
      await cache.addAll(PRECACHED);
      await keepLogPage(cache);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("hexa-") && name !== VERSION) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function logPage(request) {
  const cache = await caches.open(VERSION);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const kept = await cache.match(LOG_URL);
    if (kept) return kept;
    throw error;
  }
  if (pageOf(response)) await cache.put(LOG_URL, response.clone());
  else if (response.redirected) await cache.delete(LOG_URL); // signed out: sign-in page
  return response;
}

async function precached(request) {
  const cache = await caches.open(VERSION);
  return (await cache.match(request, { ignoreSearch: true })) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === LOG_URL) {
    event.respondWith(logPage(request));
  } else if (PRECACHED.includes(url.pathname)) {
    event.respondWith(precached(request));
  }
});
{% endautoescape %}
