// Mekong — the community pages' service worker: keeps the activity log page and its assets so that a
// member can open it and record support without a connection. Entries themselves wait in IndexedDB
// (activity.js) and are sent when the connection returns; the worker never touches them.
"use strict";
const CACHE = "mekong-community-" + {{ version|safe }};
const ASSETS = {{ assets|safe }};
const PAGE = {{ page|safe }};

self.addEventListener("install", (event) => {
  // The page too (with the member's cookies): it must open offline even if never reloaded since.
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...ASSETS, PAGE]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("mekong-community-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    // The page: the network first (fresh list, fresh CSRF token), the last copy when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(PAGE, copy));
          }
          return response;
        })
        .catch(() => caches.match(PAGE).then((cached) => cached || Response.error()))
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(request)));
  }
});
