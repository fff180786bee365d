// Prints the PWA's figures (not a test), each with its target where there is one:
//  1. the bytes on the wire of a first visit of `/` and of what `/scan` adds (the page's and
//     the service worker's requests, compressed as the server sent them), and whether any file
//     came twice;
//  2. the time from the fake camera's first frame to the valid screen;
//  3. the decode time per camera frame in the worker (a frame with a code; a frame without);
//  4. the attempts per second and the long main-thread tasks while scanning (Long Tasks
//     API: tasks over 50 ms);
//  (5. Lighthouse: lighthouse/run.mjs, run by figures.sh between 4 and 6;)
//  6. the time to the sign-in card, the pass button and the QR code on a cold, a warm and three
//     more loads of `/` at 4× CPU and Slow 4G;
//  7. the layout shift of `/` reloaded with a stored pass (same throttling; worst of three);
//  8. the part of the camera view on screen at 360×640 on `/scan` signed in as staff;
//  9. the long main-thread tasks while scanning for 10 s at 4× CPU, and the time from a code
//     entering the frame to the valid screen at 4× CPU (a large code and a distant one);
// 10. a soak: the heaps and workers every minute while scanning a frame without a code for
//     SOAK_MINUTES minutes (default 30; 0 skips it).
// `node figures.mjs [part …]` prints only those parts (1, 2-4, 6-7, 8, 9, 10); all by default.
import { join } from "node:path";

import { startServer, issuePass } from "./lib/server.mjs";
import { launch } from "./lib/browser.mjs";
import { withServer } from "./lib/scenario.mjs";
import { writeQrVideo } from "./lib/y4m.mjs";
import { heapProbe, throttle, visibleFraction, watch, watched } from "./lib/perf.mjs";

const TIMEOUT = 60_000;
const MUSEUM = "1027700012340";
const SOAK_MINUTES = Number(process.env.SOAK_MINUTES ?? 30);

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
/** Bytes on the wire of every finished request (body as sent, compressed, plus headers),
 *  the page's and the service worker's, from `start` on. */
function wireLog(browser) {
  const rows = [];
  browser.context.on("requestfinished", async (r) => {
    const sizes = await r.sizes().catch(() => null);
    if (!sizes) return;
    const response = await r.response().catch(() => null);
    rows.push({
      path: new URL(r.url()).pathname,
      by: r.serviceWorker() ? "service worker" : "page",
      bytes: Math.max(0, sizes.responseBodySize + sizes.responseHeadersSize), // a cached answer: about 0
      body: sizes.responseBodySize,
      encoding: (response && (await response.headerValue("content-encoding"))) || "",
      status: response ? response.status() : 0,
    });
  });
  return rows;
}

function printWire(title, rows) {
  console.log(title);
  for (const r of rows) {
    console.log(`   ${r.by.padEnd(15)} ${r.path.padEnd(52)} ${kb(r.bytes).padStart(10)} ${String(r.status)} ${r.encoding}`);
  }
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  // A file whose body came over the network twice (page and worker, or twice by either).
  const bodies = new Map();
  for (const r of rows.filter((r) => r.body > 0 && !r.path.startsWith("/api/"))) bodies.set(r.path, (bodies.get(r.path) || 0) + 1);
  const twice = [...bodies].filter(([, n]) => n > 1).map(([p]) => p);
  console.log(`   ${"TOTAL on the wire".padEnd(68)} ${kb(total).padStart(10)}`);
  console.log(`   fetched twice: ${twice.length ? twice.join(", ") : "nothing"}`);
  return total;
}

async function firstVisit() {
  const server = await startServer();
  const browser = await launch();
  try {
    const page = browser.page;
    const rows = wireLog(browser);
    await page.goto(`${server.base}/`);
    await page.waitForSelector("[data-demo-key]");
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    await page.waitForTimeout(1000);
    const home = printWire("1. First visit of / (bytes on the wire, compressed as sent, headers included; target ≤ 150 KB):", rows.splice(0));
    await page.goto(`${server.base}/scan`);
    await page.click('[data-demo-key="staff-none"]');
    await page.waitForSelector('main.scan[data-camera="on"]', { timeout: 30_000 });
    await page.waitForTimeout(1000);
    const scan = printWire("1b. Then /scan, signed in as staff (what it adds; target ≤ 120 KB):", rows.splice(0));
    console.log(`   / ${kb(home)}, /scan adds ${kb(scan)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** What the fake camera shows to be valid: the link of a pass just issued on `server`. */
const passLink = async ({ base }) => (await issuePass(base)).link;

/** Scans on `/scan` as staff with the fake camera showing `codeFor(server)` (null: a frame
 *  without a code; `look` goes to `qrLuma`) at `cpu`× slower CPU: with `waitValid` until the
 *  valid screen, otherwise for `seconds`. */
async function scanFigures(codeFor, { waitValid = false, seconds = 5, cpu = 1, look = {} } = {}) {
  const out = {};
  await withServer({}, async ({ server, dir, open }) => {
    const { context, page } = await open({ video: writeQrVideo(join(dir, "cam.y4m"), await codeFor(server), look) });
    await watch(page);
    if (cpu > 1) await throttle(context, page, { cpu, network: false });
    await page.goto(`${server.base}/scan`);
    await page.click('[data-demo-key="staff-none"]');
    if (waitValid) {
      await page.waitForSelector('[data-result="valid"]', { timeout: TIMEOUT });
      const now = await page.evaluate(() => performance.now());
      const first = Number(await page.getAttribute("main.scan", "data-first-frame-ms"));
      out.firstFrameToValidMs = now - first;
    } else {
      await page.waitForSelector("main.scan[data-first-frame-ms]", { timeout: TIMEOUT });
      const frames = async () => Number(await page.getAttribute("main.scan", "data-decoded-frames"));
      const [n0, t0] = [await frames(), await page.evaluate(() => performance.now())];
      await page.waitForTimeout(seconds * 1000);
      const [n1, t1] = [await frames(), await page.evaluate(() => performance.now())];
      out.attemptsPerS = ((n1 - n0) * 1000) / (t1 - t0);
      const fig = await watched(page);
      const tasks = fig.longTasks.filter((t) => t.start >= t0);
      out.longTasks = tasks.length;
      out.longestTaskMs = tasks.reduce((m, t) => Math.max(m, t.ms), 0);
      // The scripts that ran in the long frames, most frequent first.
      const counts = new Map();
      for (const f of fig.longFrames.filter((f) => f.start >= t0)) for (const s of new Set(f.scripts)) counts.set(s, (counts.get(s) || 0) + 1);
      out.culprits = [...counts].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} (${n}×)`);
    }
    out.decodeMeanMs = Number(await page.getAttribute("main.scan", "data-decode-mean-ms"));
    // Fast frames and the thorough ones (every THOROUGH_EVERY-th) apart.
    out.decodeFastMs = Number(await page.getAttribute("main.scan", "data-decode-fast-ms"));
    out.decodeThoroughMs = Number(await page.getAttribute("main.scan", "data-decode-thorough-ms"));
    out.frames = await page.getAttribute("main.scan", "data-frame-size");
  });
  return out;
}

const longTasksText = (r) =>
  `${r.longTasks}${r.longTasks ? ` (longest ${r.longestTaskMs.toFixed(0)} ms)` : ""} (target: none)` +
  (r.culprits.length ? `\n   what ran in the long animation frames: ${r.culprits.slice(0, 3).join(", ")}` : "");

async function scanning() {
  const valid = await scanFigures(passLink, { waitValid: true });
  console.log(`2. Fake camera's first frame → valid screen: ${valid.firstFrameToValidMs.toFixed(0)} ms (includes the POST /api/scan round trip)`);
  const blank = await scanFigures(async () => null);
  console.log(`3. Decode time per camera frame in the worker (${valid.frames || blank.frames} px):`);
  console.log(`   frame with a QR code:   ${valid.decodeMeanMs.toFixed(1)} ms (mean over the frames until the result)`);
  console.log(`   frame without any code: ${blank.decodeMeanMs.toFixed(1)} ms (blocky noise; mean over 5 s; every 4th frame thorough)`);
  console.log(`     of which Fast frames ${blank.decodeFastMs.toFixed(1)} ms, thorough frames ${blank.decodeThoroughMs.toFixed(1)} ms`);
  console.log(`4. While scanning a frame without a code for 5 s: ${blank.attemptsPerS.toFixed(1)} attempts/s; main-thread tasks over 50 ms: ${longTasksText(blank)}`);
}

// What figure 6 waits for (the selectors of tests/participant.test.mjs and field.test.mjs).
const MARKS = { signIn: "[data-demo-key]", getPass: '[data-testid="get-pass"]', qr: "section.pass .qr svg" };

/** Navigates `page` to `url` and waits for `selectors`; returns `watch`'s times of the marks. */
async function load(page, url, ...selectors) {
  await page.goto(url);
  for (const s of selectors) await page.waitForSelector(s, { timeout: TIMEOUT });
  return (await watched(page)).seen;
}

/** A fresh phone at 4× CPU and Slow 4G, watching `MARKS`; signed in as `who` if given. */
async function slowPhone(open, base, who) {
  const b = await open();
  if (who) await b.context.request.post(`${base}/api/auth/demo`, { data: { key: who } });
  await watch(b.page, MARKS);
  await throttle(b.context, b.page);
  return b;
}

/** `watch`'s marks on the next visit of `url` (the second, warm) and their medians over the
 *  three after it (V8 has cached the compiled code by then). */
async function warmLoads(page, url, ...selectors) {
  const warm = await load(page, url, ...selectors);
  const later = [];
  for (let i = 0; i < 3; i++) later.push(await load(page, url, ...selectors));
  const median = (name) => later.map((s) => s[name]).sort((a, b) => a - b)[1];
  return { warm, later: Object.fromEntries(Object.keys(MARKS).map((k) => [k, median(k)])) };
}

const controlled = (page) => page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: TIMEOUT });

async function loads() {
  await withServer({}, async ({ server, open }) => {
    const home = `${server.base}/`;
    const out = await slowPhone(open, server.base);
    const coldOut = await load(out.page, home, MARKS.signIn);
    await controlled(out.page);
    const warmOut = await warmLoads(out.page, home, MARKS.signIn);

    const ivanov = await slowPhone(open, server.base, "ivanov");
    await load(ivanov.page, home, MARKS.getPass);
    await ivanov.page.click(MARKS.getPass);
    await ivanov.page.waitForSelector(MARKS.qr, { timeout: TIMEOUT });
    const coldIn = (await watched(ivanov.page)).seen;
    await controlled(ivanov.page);
    const warmIn = await warmLoads(ivanov.page, home, MARKS.qr, MARKS.getPass);

    const ms = (t) => (t === undefined ? "n/a" : `${t.toFixed(0)} ms`);
    const row = (label, mark, cold, warm, target) =>
      console.log(`   ${label.padEnd(36)} ${[cold[mark], warm.warm[mark], warm.later[mark]].map((t) => ms(t).padStart(8)).join(" ")}   ${target}`);
    console.log("6. Load of / at 4× CPU and Slow 4G (150 ms, 1.6 Mbit/s down, 750 kbit/s up); from the navigation's start until the element is in the page:");
    console.log(`   ${"".padEnd(36)} ${["cold", "warm", "3rd-5th"].map((h) => h.padStart(8)).join(" ")}   target`);
    row("sign-in card (signed out)", "signIn", coldOut, warmOut, "cold usable ≤ 3 s");
    row("«get pass» button (signed in)", "getPass", coldIn, warmIn, "cold usable ≤ 3 s");
    row("QR code (participant with a pass)", "qr", coldIn, warmIn, "warm QR ≤ 0.5 s");
    console.log("   cold: first visit, empty caches; the cold QR has no pass on the phone yet: it includes the tap on the");
    console.log("   button as soon as it shows and POST /api/pass. warm: second visit, service worker and HTTP cache filled;");
    console.log("   3rd-5th: the median of the next three visits.");
    console.log("   Warm loads take the shell from the service worker's cache (no network before the app runs: on a real");
    console.log("   Slow 4G too); /api/ requests go from the page and are slowed.");

    // 7. The same phone reloads with its pass stored: what moves while the app starts (the
    // shifts depend on when the account card arrives: three reloads, the worst counts).
    const runs = [];
    for (let i = 0; i < 3; i++) {
      await ivanov.page.reload();
      await ivanov.page.waitForSelector(MARKS.qr, { timeout: TIMEOUT });
      await ivanov.page.waitForSelector(MARKS.getPass, { timeout: TIMEOUT });
      await ivanov.page.waitForTimeout(2000);
      const shifts = (await watched(ivanov.page)).shifts;
      runs.push({ total: shifts.reduce((a, s) => a + s.value, 0), shifts });
    }
    const worst = runs.reduce((a, r) => (r.total > a.total ? r : a));
    console.log(`7. Layout shift of / reloaded with a stored pass (4× CPU, Slow 4G; until 2 s after the account card), three`);
    console.log(`   reloads: ${runs.map((r) => r.total.toFixed(3)).join(", ")}; worst ${worst.total.toFixed(3)} (target < 0.05)`);
    for (const s of worst.shifts) console.log(`   at ${s.at.toFixed(0)} ms: ${s.value.toFixed(3)}, moved: ${s.sources.join(", ")}`);
  });
}

async function cameraView() {
  console.log("8. Camera view on screen at 360×640 on /scan once the video plays (box inside the window; target 100%):");
  await withServer({}, async ({ server, open }) => {
    const { context, page } = await open({ viewport: { width: 360, height: 640 } });
    for (const [who, org] of [["staff-none", null], ["staff-active", MUSEUM]]) {
      await context.clearCookies();
      await page.goto(`${server.base}/scan`);
      await page.click(`[data-demo-key="${who}"]`);
      if (org) await page.click(`[data-org="${org}"]`);
      await page.locator('main.scan[data-camera="on"]').waitFor({ timeout: TIMEOUT });
      await page.waitForFunction(() => document.querySelector("video.camera").videoWidth > 0, null, { timeout: TIMEOUT });
      const pct = async (sel) => `${(100 * (await visibleFraction(page, sel))).toFixed(1)}%`;
      const label = org ? `${who} for the museum (organization bar)` : `${who} (private)`;
      console.log(`   ${label.padEnd(47)} video ${await pct("video.camera")}, its .viewport ${await pct(".viewport")}`);
    }
  });
}

async function throttledScan() {
  const r = await scanFigures(async () => null, { seconds: 10, cpu: 4 });
  console.log(`9. While scanning a frame without a code for 10 s at 4× CPU: ${r.attemptsPerS.toFixed(1)} attempts/s (decode ${r.decodeMeanMs.toFixed(1)} ms a frame: Fast ${r.decodeFastMs.toFixed(1)}, thorough ${r.decodeThoroughMs.toFixed(1)});`);
  console.log(`   main-thread tasks over 50 ms: ${longTasksText(r)}`);
  // The camera's first frame already shows the code, so this is "a code enters the frame →
  // valid" with the worker's start-up included; the distant code (1.7 px a module, grey
  // edges) is one Fast does not always read, so it waits for a thorough frame.
  const near = await scanFigures(passLink, { waitValid: true, cpu: 4 });
  const far = await scanFigures(passLink, { waitValid: true, cpu: 4, look: { modulePx: 1.7 } });
  console.log(`   a code entering the frame → valid screen at 4× CPU (target < 1 s): large code ${near.firstFrameToValidMs.toFixed(0)} ms,`);
  console.log(`   distant code (1.7 px a module) ${far.firstFrameToValidMs.toFixed(0)} ms (both include the POST /api/scan round trip)`);
}

const mib = (n) => (n == null ? "n/a" : `${(n / 1048576).toFixed(2)} MiB`);
const sum = (list, key) => list.reduce((a, w) => a + w[key], 0);

async function soak(minutes) {
  if (!(minutes > 0)) return console.log("10. Soak: skipped (SOAK_MINUTES=0)");
  console.log(`10. Soak: /scan as staff, the looping fake camera without a code, for ${minutes} min; a sample a minute after a`);
  console.log("    forced garbage collection (JS: V8 heap in use; wasm: WebAssembly memory; memory API: the page's");
  console.log("    performance.memory.usedJSHeapSize, rounded without --enable-precise-memory-info); target: flat heap:");
  await withServer({}, async ({ server, dir, open }) => {
    const { context, page } = await open({ video: writeQrVideo(join(dir, "cam.y4m"), null) });
    await page.goto(`${server.base}/scan`);
    await page.click('[data-demo-key="staff-none"]');
    await page.waitForSelector("main.scan[data-first-frame-ms]", { timeout: TIMEOUT });
    const probe = await heapProbe(context, page);
    await page.waitForTimeout(1000);
    const cols = ["min", "page JS", "page wasm", "worker JS", "worker wasm", "memory API", "workers", "SW", "frames", "restarts"];
    console.log(`    ${cols.map((c) => c.padStart(12)).join("")}`);
    const samples = [];
    for (let m = 0; m <= minutes; m++) {
      if (m) await page.waitForTimeout(60_000);
      const h = await probe.sample();
      const s = {
        pageJs: h.page.js,
        pageWasm: h.page.wasm,
        workerJs: sum(h.workers, "js"),
        workerWasm: sum(h.workers, "wasm"),
        memoryApi: h.memoryApi,
      };
      samples.push(s);
      const cells = [m, ...Object.values(s).map(mib), page.workers().length, context.serviceWorkers().length,
        await page.getAttribute("main.scan", "data-decoded-frames"), await page.getAttribute("main.scan", "data-worker-restarts")];
      console.log(`    ${cells.map((c) => String(c).padStart(12)).join("")}`);
    }
    const kib = (d) => (Number.isFinite(d) ? `${d >= 0 ? "+" : ""}${(d / 1024).toFixed(0)} KiB` : "n/a");
    const growth = (from, to) => Object.keys(from).map((k, i) => `${cols[i + 1]} ${kib(to[k] - from[k])}`).join(", ");
    console.log(`    growth first → last: ${growth(samples[0], samples.at(-1))}`);
    // The first minute includes the scanner's warm-up (code compiled, buffers grown).
    if (samples.length > 2) console.log(`    growth minute 1 → last: ${growth(samples[1], samples.at(-1))}`);
  });
}

// In the order figures.sh prints them (Lighthouse, figure 5, runs in between).
const PARTS = [
  ["1", firstVisit],
  ["2-4", scanning],
  ["6-7", loads],
  ["8", cameraView],
  ["9", throttledScan],
  ["10", () => soak(SOAK_MINUTES)],
];
const wanted = process.argv.slice(2);
for (const [name, run] of PARTS) if (!wanted.length || wanted.includes(name)) await run();
