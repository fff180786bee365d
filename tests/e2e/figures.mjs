// Prints the PWA's figures (not a test):
//  1. the gzip size of what a first visit of `/` loads (index.html, js, wasm, css, manifest,
//     icons; from the browser's network log, sizes measured on dist/), and of what the service
//     worker precaches on top (the decode worker);
//  2. the time from the fake camera's first frame to the valid screen;
//  3. the decode time per camera frame in the worker (a frame with a code; a frame without),
//     the attempts per second and the longest main-thread task while scanning (Long Tasks
//     API: tasks over 50 ms).
import { readFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer, issuePass, WEB_DIR } from "./lib/server.mjs";
import { launch } from "./lib/browser.mjs";
import { writeQrVideo } from "./lib/y4m.mjs";

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const gz = (path) => gzipSync(readFileSync(path), { level: 6 }).length;

function distPath(url) {
  const path = new URL(url).pathname;
  const file = path === "/" || !path.includes(".") ? "index.html" : path.slice(1);
  return join(WEB_DIR, file);
}

async function firstVisit() {
  const server = await startServer();
  const browser = await launch();
  try {
    const page = browser.page;
    const byPage = new Set();
    const bySw = new Set();
    page.on("requestfinished", (r) => {
      if (!r.url().includes("/api/")) byPage.add(r.url());
    });
    browser.context.on("requestfinished", (r) => {
      if (r.serviceWorker() && !r.url().includes("/api/")) bySw.add(r.url());
    });
    await page.goto(`${server.base}/`);
    await page.waitForSelector("[data-demo-key]");
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    const rows = [...byPage].map((u) => [new URL(u).pathname, distPath(u)]);
    const extra = [...bySw].filter((u) => !byPage.has(u)).map((u) => [new URL(u).pathname, distPath(u)]);
    const uniq = (list) => [...new Map(list.map(([p, f]) => [f, p])).entries()].map(([f, p]) => [p, f]);
    const sum = (list) => list.reduce((a, [, f]) => a + gz(f), 0);
    const rawSum = (list) => list.reduce((a, [, f]) => a + statSync(f).size, 0);
    console.log("1. First visit of / (gzip -6 of the files, as the server's Compress would send them):");
    for (const [p, f] of uniq(rows)) console.log(`   ${p.padEnd(52)} ${kb(gz(f)).padStart(10)}  (raw ${kb(statSync(f).size)})`);
    console.log(`   ${"TOTAL loaded by the page".padEnd(52)} ${kb(sum(uniq(rows))).padStart(10)}  (raw ${kb(rawSum(uniq(rows)))})`);
    const swOnly = uniq(extra).filter(([, f]) => !uniq(rows).some(([, g]) => g === f));
    for (const [p, f] of swOnly) console.log(`   + fetched by the service worker: ${p.padEnd(30)} ${kb(gz(f)).padStart(10)}`);
    console.log(`   ${"TOTAL including the service worker's precache".padEnd(52)} ${kb(sum(uniq(rows)) + sum(swOnly)).padStart(10)}`);
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
