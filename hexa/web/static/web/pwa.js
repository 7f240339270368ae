// On every page: register the service worker (the Log page works offline, README "The Log
// page on a phone"), show in the navigation how many entries of the device's outbox wait,
// and send them when there is a connection (the Log page does its own sending, with states).
import { sendAll, unsentCount } from "./outbox.js";

const manifest = document.querySelector("link[rel=manifest][data-service-worker]");
if (manifest && "serviceWorker" in navigator) {
  navigator.serviceWorker
    .register(manifest.dataset.serviceWorker, { scope: "/" })
    .catch((error) => console.warn("Hexa works online only here:", error));
}

const link = document.querySelector("[data-outbox-link]");

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

if (link && !document.getElementById("field-log")) {
  showWaiting().then(sendWaiting);
  window.addEventListener("online", sendWaiting);
}
