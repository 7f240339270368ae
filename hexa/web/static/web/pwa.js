// On every page: register the service worker (the Log page works offline, README "The Log
// page on a phone"), tell it who is signed in (it keeps the Log page of that user only), show
// in the navigation how many entries of the device's outbox wait, and send them when there is
// a connection (the Log page does its own sending, with states).
import { forget, keep, kept, sendAll, unsentCount } from "./outbox.js";

const manifest = document.querySelector("link[rel=manifest][data-service-worker]");
const link = document.querySelector("[data-outbox-link]");
const user = link ? link.dataset.user : ""; // "" on a signed-out page

// Resolves once the worker has dropped (or fetched) the Log page it keeps, to "kept" if it
// has just kept this user's page; at most `wait` ms.
function tellWorker(who, wait = 2000) {
  if (!("serviceWorker" in navigator)) return Promise.resolve();
  const told = navigator.serviceWorker.ready.then(
    (registration) =>
      new Promise((resolve) => {
        if (!registration.active) return resolve();
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        registration.active.postMessage({ type: "user", user: who }, [channel.port2]);
      }),
  );
  return Promise.race([told, new Promise((resolve) => setTimeout(resolve, wait))]);
}

if (manifest && "serviceWorker" in navigator) {
  navigator.serviceWorker
    .register(manifest.dataset.serviceWorker, { scope: "/" })
    .catch((error) => console.warn("Hexa works online only here:", error));
  // The Log page served from the worker's copy says the same user the copy was kept for.
  tellWorker(user, 60_000).then((answer) => {
    if (answer === "kept" && link && !document.getElementById("field-log")) keepClients();
  });
}

// Signing out: the Log page kept on this device (the user's name, their employee) and the
// clients kept for searching offline go before the next person can open them offline. Their
// outbox entries stay: they are still theirs, sent the next time they sign in here.
async function forgetUser(who) {
  const logUrl = link ? new URL(link.href, location.href).pathname : "/log/";
  const dropped = (async () => {
    if ("caches" in window) {
      for (const name of await caches.keys()) {
        if (name.startsWith("hexa-")) await (await caches.open(name)).delete(logUrl);
      }
    }
    if (who) await forget(`clients:${who}`);
  })().catch((error) => console.warn("Not all of it could be dropped:", error));
  await Promise.all([dropped, tellWorker("")]);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-sign-out]") || form.dataset.forgotten) return;
  event.preventDefault();
  forgetUser(user).finally(() => {
    form.dataset.forgotten = "true";
    form.submit(); // submit() fires no second submit event
  });
});

export async function showWaiting() {
  if (!link) return;
  const badge = link.querySelector("[data-outbox-badge]");
  const count = await unsentCount(link.dataset.user);
  badge.textContent = count ? String(count) : "";
  badge.hidden = !count;
}

async function sendWaiting() {
  if (!navigator.onLine) return;
  await sendAll({ url: link.dataset.send, user: link.dataset.user });
  await showWaiting();
}

// The clients the Log page finds offline, kept for a user who has not opened it yet (just
// signed in on this device, the worker has just kept their Log page): that page is then of
// use without a connection from the start. The Log page refreshes them each time it opens.
async function keepClients() {
  if (!navigator.onLine || (await kept(`clients:${user}`))) return;
  try {
    const response = await fetch(link.dataset.clients, { credentials: "same-origin", redirect: "manual" });
    if (response.ok) await keep(`clients:${user}`, (await response.json()).clients);
  } catch (error) {
    // Offline after all: the next page keeps them.
  }
}

if (link && !document.getElementById("field-log")) {
  showWaiting().then(sendWaiting);
  window.addEventListener("online", sendWaiting);
}
