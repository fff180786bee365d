// statuspass service worker. This file is a template: the Trunk post-build hook
// (frontend/build/post-build.sh) writes dist/sw.js with the version and the precache list.
//
// - The app shell (the files of the build, Trunk's hashed names included) is precached, through
//   the HTTP cache (nothing the page already loaded is downloaded again), in a cache named after
//   a hash of the build, so a new deploy installs a new cache and the old ones are deleted on
//   activate.
// - Of the apps (the participant's, the scanner's with its decode worker, the organization
//   pages': APPS) only those this device uses are precached: the app of a page open at install,
//   and any app an earlier deploy's cache held; another one is cached when a page first loads
//   it. So a participant's phone never downloads the scanner, and a desk that has scanned keeps
//   it offline across deploys.
// - Navigations to the app's pages (`/` and the APPS pages) are answered with the cached shell
//   at once: a phone on a bad connection shows the stored pass without waiting for the network.
//   The browser checks sw.js on every navigation; a new deploy's worker installs its own shell
//   in the background and is used from the next launch on. Other navigations (and the app's
//   pages before the shell is cached) go to the network, falling back to the cached shell when
//   offline or after a few seconds without an answer.
// - /api/ and the server-rendered /somc2/ pages are never touched: always the network.
// - Background Sync "statuspass-queue" (registered by the scanner when it queues an organization
//   scan offline): sends the signed-in staff member's queued scans (IndexedDB `statuspass` /
//   `scanner`, records `queue` and `owner`, JSON texts written by frontend/src/browser/idb.rs)
//   to POST /api/scan/batch and drops every event the server answered, as the page does
//   (frontend/src/pages/scan/queue.rs). Safe beside the page: the server records an event once.
"use strict";

const VERSION = "__SW_VERSION__";
const PREFIX = "statuspass-";
const CACHE = PREFIX + VERSION;
const PRECACHE = ["__SW_PRECACHE__"];
// The files of each app, and the pages it runs (the loader's map, Trunk.toml; any other page:
// the participant's).
const APPS = {
  participant: { file: /^\/statuspass-frontend-/ },
  scan: { file: /^\/(statuspass-scan|decode-worker)/, page: "/scan" },
  org: { file: /^\/statuspass-org/, page: "/org" },
};
const NAVIGATION_TIMEOUT_MS = 4000;
/** Files no page loads: the home-screen and install icons, which the browser fetches itself
 *  when the app is installed (online); not precached (~11 KiB of a first visit). */
const NOT_PRECACHED = /^\/icons\/(icon-512|maskable-512|apple-touch-icon)\.png$/;
/** The pages the shell serves (the loader picks the app by path). */
const APP_PAGES = new Set(["/", ...Object.values(APPS).map((app) => app.page).filter(Boolean)]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // Through the HTTP cache: what the page has just loaded (hashed files are immutable for a
      // year) is taken from there, not fetched again; unhashed files (`no-cache`) are
      // revalidated with a conditional request.
      .then(async (cache) => cache.addAll(await precacheList()))
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

/** The app a page runs. */
function appOfPage(path) {
  const page = path.replace(/\/$/, "");
  return Object.keys(APPS).find((app) => APPS[app].page === page) || "participant";
}

/** The app a file of the build belongs to (none: the shell every page needs). */
function appOfFile(path) {
  return Object.keys(APPS).find((app) => APPS[app].file.test(path));
}

/** The shell and the apps in use: those of the open pages and those an older cache holds. */
async function precacheList() {
  const used = new Set();
  for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "window" })) {
    used.add(appOfPage(new URL(client.url).pathname));
  }
  for (const key of await caches.keys()) {
    if (!key.startsWith(PREFIX) || key === CACHE) continue;
    for (const request of await (await caches.open(key)).keys()) {
      const app = appOfFile(new URL(request.url).pathname);
      if (app) used.add(app);
    }
  }
  return PRECACHE.filter((path) => {
    if (NOT_PRECACHED.test(path)) return false;
    const app = appOfFile(path);
    return !app || used.has(app);
  });
}

/** The cached answer, else the network's; a file of the build is kept for offline use. */
async function cachedOrFetched(event, url) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(event.request);
  if (response.ok && PRECACHE.includes(url.pathname)) {
    // Stored while the page already reads the answer.
    event.waitUntil(cache.put(url.pathname, response.clone()));
  }
  return response;
}

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

/** An app page: the cached shell, else the network; another page: the network, else the
 *  cached shell. */
async function navigation(request, url) {
  const shell = () => caches.open(CACHE).then((cache) => cache.match("/"));
  const page = url.pathname.replace(/(.)\/$/, "$1");
  if (APP_PAGES.has(page)) {
    const cached = await shell();
    if (cached) return cached;
  }
  try {
    return await networkWithTimeout(request, NAVIGATION_TIMEOUT_MS);
  } catch {
    return (await shell()) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (bypass(url, request)) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigation(request, url));
    return;
  }
  event.respondWith(cachedOrFetched(event, url));
});

const QUEUE_SYNC_TAG = "statuspass-queue";
const BATCH = 50;

function idbRequest(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openScannerDb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("statuspass", 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains("scanner")) open.result.createObjectStore("scanner");
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function readRecord(db, key) {
  const text = await idbRequest(db.transaction("scanner").objectStore("scanner").get(key));
  return typeof text === "string" ? JSON.parse(text) : null;
}

/** Drops the answered events from the stored queue (read and written in one transaction, so
 *  scans the page queued meanwhile stay). */
function dropSettled(db, settled) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction("scanner", "readwrite");
    const store = tx.objectStore("scanner");
    const get = store.get("queue");
    get.onsuccess = () => {
      if (typeof get.result !== "string") return;
      const queue = JSON.parse(get.result);
      queue.events = queue.events.filter((q) => !settled.has(q.scan.event_id));
      store.put(JSON.stringify(queue), "queue");
    };
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

async function sendQueue() {
  const db = await openScannerDb();
  try {
    for (;;) {
      const owner = await readRecord(db, "owner");
      const queue = await readRecord(db, "queue");
      if (!owner || !queue) return;
      const batch = queue.events.filter((q) => q.owner === owner).slice(0, BATCH).map((q) => q.scan);
      if (batch.length === 0) return;
      const response = await fetch("/api/scan/batch", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ events: batch }),
      });
      // Not settled (signed out, server trouble): the browser retries the sync later.
      if (!response.ok) throw new Error(`queue upload: ${response.status}`);
      const answer = await response.json();
      const settled = new Set(answer.results.map((r) => r.event_id));
      if (settled.size === 0) return;
      await dropSettled(db, settled);
    }
  } finally {
    db.close();
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === QUEUE_SYNC_TAG) event.waitUntil(sendQueue());
});
