// statuspass service worker. This file is a template: the Trunk post-build hook
// (frontend/build/post-build.sh) writes dist/sw.js with the version and the precache list.
//
// - The app shell (every file of the build, Trunk's hashed names included) is precached in a
//   cache named after a hash of the build, so a new deploy installs a new cache and the old
//   ones are deleted on activate.
// - Navigations go to the network first (a new deploy is seen at once) and fall back to the
//   cached shell when offline or after a few seconds without an answer.
// - /api/ and the server-rendered /somc2/ pages are never touched: always the network.
"use strict";

const VERSION = "__SW_VERSION__";
const PREFIX = "statuspass-";
const CACHE = PREFIX + VERSION;
const PRECACHE = ["__SW_PRECACHE__"];
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))
        )
      )
      .then(() => self.clients.claim())
  );
});

function bypass(url, request) {
  return (
    request.method !== "GET" ||
    url.origin !== self.location.origin ||
    url.pathname.startsWith("/api/") ||
    url.pathname.startsWith("/somc2/") ||
    url.pathname === "/healthz"
  );
}

function networkWithTimeout(request, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    fetch(request).then(
      (response) => {
        clearTimeout(timer);
        resolve(response);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      }
    );
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (bypass(url, request)) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      networkWithTimeout(request, NAVIGATION_TIMEOUT_MS).catch(() =>
        caches.open(CACHE).then((cache) => cache.match("/")).then((r) => r || Response.error())
      )
    );
    return;
  }
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(request, { ignoreSearch: true }))
      .then((cached) => cached || fetch(request))
  );
});
