// Measurements for figures.mjs: a cheap phone's CPU and network (DevTools protocol), observers
// installed before the app runs (long tasks, layout shifts, when elements first appear), the
// part of an element on screen, and the heaps of the page and its workers.

/** Lighthouse's «Slow 4G»: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up (bytes/s). */
export const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

/** Runs `page` on a 4× slower CPU and, with `network`, on Slow 4G. Only the page's own
 *  requests are slowed: the service worker's fetches (e.g. its precaching) and
 *  the workers' CPU are not. Lasts as long as the page (the session is kept by the page). */
export async function throttle(context, page, { cpu = 4, network = true } = {}) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
  if (network) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  }
  return cdp;
}

/**
 * Before any script of each document `page` loads: `window.__fig` collects the long tasks
 * (over 50 ms, `{start, ms}`), the long animation frames (over 50 ms, `{start, ms, scripts}`),
 * the layout shifts not caused by input (`{value, sources}`) and,
 * for each `name: selector` of `selectors`, `seen[name]`: the time (ms after the navigation
 * started) the element was first in the document.
 */
export function watch(page, selectors = {}) {
  return page.addInitScript((selectors) => {
    const fig = (window.__fig = { longTasks: [], longFrames: [], shifts: [], seen: {} });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) fig.longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: "longtask", buffered: true });
    // Who ran in them: the scripts of the long animation frames (invoker and file).
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const scripts = e.scripts.map((s) => `${s.invoker} in ${(s.sourceURL || "?").split("/").pop()}`);
        fig.longFrames.push({ start: e.startTime, ms: e.duration, scripts });
      }
    }).observe({ type: "long-animation-frame", buffered: true });
    const describe = (n) => (n && n.nodeType === 1 ? n.tagName.toLowerCase() + [...n.classList].map((c) => `.${c}`).join("") : String(n?.nodeName || "?"));
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (!e.hadRecentInput) fig.shifts.push({ at: e.startTime, value: e.value, sources: e.sources.map((s) => describe(s.node)) });
      }
    }).observe({ type: "layout-shift", buffered: true });
    const look = () => {
      for (const [name, sel] of Object.entries(selectors)) {
        if (!(name in fig.seen) && document.querySelector(sel)) fig.seen[name] = performance.now();
      }
    };
    new MutationObserver(look).observe(document, { childList: true, subtree: true });
  }, selectors);
}

/** What `watch` collected on the current document. */
export const watched = (page) => page.evaluate(() => window.__fig);

/** The part of `selector`'s box inside the window, 0..1 (the figures and tests/field.test.mjs). */
export function visibleFraction(page, selector) {
  return page.evaluate((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
    const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
    return r.width * r.height > 0 ? (h * w) / (r.width * r.height) : 0;
  }, selector);
}

/**
 * Heap probe of `page` and its dedicated workers (DevTools protocol; the workers through
 * `Target.setAutoAttach`, as Playwright gives no session for a worker). `sample()` forces a
 * garbage collection in each and returns the bytes in use: `page`/`workers[]` each
 * `{ js, wasm }` (the V8 heap; the WebAssembly memories found on that heap; absent when the
 * target did not answer within 30 s), and `memoryApi`, the page's
 * `performance.memory.usedJSHeapSize` (rounded by Chromium without --enable-precise-memory-info).
 */
export async function heapProbe(context, page) {
  const cdp = await context.newCDPSession(page);
  const workers = new Set();
  const replies = new Map();
  let nextId = 1;
  cdp.on("Target.attachedToTarget", (e) => e.targetInfo.type === "worker" && workers.add(e.sessionId));
  cdp.on("Target.detachedFromTarget", (e) => workers.delete(e.sessionId));
  cdp.on("Target.receivedMessageFromTarget", (e) => {
    const m = JSON.parse(e.message);
    if (m.id && replies.has(m.id)) replies.get(m.id)(m);
  });
  const inWorker = (sessionId) => (method, params = {}) =>
    new Promise((ok, fail) => {
      const id = nextId++;
      replies.set(id, (m) => (replies.delete(id), m.error ? fail(new Error(m.error.message)) : ok(m.result)));
      cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch(fail);
    });
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

  async function usage(send) {
    await send("HeapProfiler.collectGarbage");
    const { usedSize } = await send("Runtime.getHeapUsage");
    const proto = await send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
    const { objects } = await send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId });
    const bytes = await send("Runtime.callFunctionOn", {
      objectId: objects.objectId,
      functionDeclaration: "function () { return this.reduce((a, m) => a + m.buffer.byteLength, 0); }",
      returnByValue: true,
    });
    await send("Runtime.releaseObject", { objectId: objects.objectId });
    return { js: usedSize, wasm: bytes.result.value };
  }
  // A target that does not answer (e.g. a worker being replaced) gives no figure, not a hang.
  const within = (promise) =>
    Promise.race([promise, new Promise((_, fail) => setTimeout(() => fail(new Error("no answer")), 30_000).unref())]).catch(() => null);
  return {
    async sample() {
      const page_ = await within(usage((m, p) => cdp.send(m, p)));
      const workers_ = [];
      for (const s of workers) workers_.push(await within(usage(inWorker(s))));
      const memoryApi = await within(page.evaluate(() => performance.memory?.usedJSHeapSize ?? null));
      return { page: page_ || {}, workers: workers_.filter(Boolean), memoryApi };
    },
  };
}
