{% autoescape off %}/* Hexa's service worker (hexa/web/views/field_log.py serves it at /sw.js).

   - Install: keep the Log page's static files ({{ version }}) and the Log page itself.
   - The Log page: from the network when there is one (and kept for later), else the copy kept.
   - The precached static files: from the copy kept.
   - Anything else goes to the network as if there were no worker.
*/
"use strict";

const VERSION = "hexa-{{ version }}";
const PRECACHED = {{ precached }};
const LOG_URL = {{ log_url }};

async function keepLogPage(cache) {
  // Only the page itself, never the sign-in page a signed-out request is redirected to.
  try {
    const response = await fetch(LOG_URL, { credentials: "same-origin" });
    if (response.ok && !response.redirected) await cache.put(LOG_URL, response);
  } catch (error) {
    // Offline while installing: the next visit to the Log page keeps it.
  }
}

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
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(LOG_URL, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(LOG_URL);
    if (kept) return kept;
    throw error;
  }
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
