// Prints the PWA's figures (not a test):
//  1. the bytes on the wire of a first visit of `/` and of what `/scan` adds (the page's and
//     the service worker's requests, compressed as the server sent them), and whether any file
//     came twice;
//  2. the time from the fake camera's first frame to the valid screen;
//  3. the decode time per camera frame in the worker (a frame with a code; a frame without),
//     the attempts per second and the longest main-thread task while scanning (Long Tasks
//     API: tasks over 50 ms).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer, issuePass } from "./lib/server.mjs";
import { launch } from "./lib/browser.mjs";
import { writeQrVideo } from "./lib/y4m.mjs";

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
      bytes: sizes.responseBodySize + sizes.responseHeadersSize,
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

async function scanFigures(label, codeFor, { waitValid }) {
  const server = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "statuspass-fig-"));
  const code = await codeFor(server);
  const browser = await launch({ video: writeQrVideo(join(dir, "cam.y4m"), code) });
  try {
    const page = browser.page;
    // Every main-thread task over 50 ms the page runs (the Long Tasks API reports only those).
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    await page.goto(`${server.base}/scan`);
    await page.click('[data-demo-key="staff-none"]');
    let out = {};
    if (waitValid) {
      await page.waitForSelector('[data-result="valid"]', { timeout: 30_000 });
      const now = await page.evaluate(() => performance.now());
      const first = Number(await page.getAttribute("main.scan", "data-first-frame-ms"));
      out.firstFrameToValidMs = now - first;
    } else {
      await page.waitForSelector('main.scan[data-first-frame-ms]', { timeout: 30_000 });
      const frames = async () => Number(await page.getAttribute("main.scan", "data-decoded-frames"));
      const [n0, t0] = [await frames(), await page.evaluate(() => performance.now())];
      await page.waitForTimeout(5_000);
      const [n1, t1] = [await frames(), await page.evaluate(() => performance.now())];
      out.attemptsPerS = ((n1 - n0) * 1000) / (t1 - t0);
      const tasks = await page.evaluate((since) => window.__longTasks.filter((t) => t.start >= since), t0);
      out.longTasks = tasks.length;
      out.longestTaskMs = tasks.reduce((m, t) => Math.max(m, t.ms), 0);
    }
    out.decodeMeanMs = Number(await page.getAttribute("main.scan", "data-decode-mean-ms"));
    out.frames = await page.getAttribute("main.scan", "data-frame-size");
    return out;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await firstVisit();
const valid = await scanFigures("valid", async ({ base }) => (await issuePass(base)).link, { waitValid: true });
console.log(`2. Fake camera's first frame → valid screen: ${valid.firstFrameToValidMs.toFixed(0)} ms (includes the POST /api/scan round trip)`);
const blank = await scanFigures("blank", async () => null, { waitValid: false });
console.log(`3. Decode time per camera frame in the worker (${valid.frames || blank.frames} px):`);
console.log(`   frame with a QR code:   ${valid.decodeMeanMs.toFixed(1)} ms (mean over the frames until the result)`);
console.log(`   frame without any code: ${blank.decodeMeanMs.toFixed(1)} ms (blocky noise; mean over 5 s; every 4th frame thorough)`);
console.log(`4. While scanning a frame without a code for 5 s: ${blank.attemptsPerS.toFixed(1)} attempts/s; main-thread tasks over 50 ms: ${blank.longTasks}` +
  (blank.longTasks ? ` (longest ${blank.longestTaskMs.toFixed(0)} ms)` : ""));
