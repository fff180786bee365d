// Headless Chromium (the system one) with a fake camera playing a y4m file. The file is fixed
// per browser launch, so each scenario launches its own browser.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  // Debian's /usr/bin/chromium is a shell wrapper; the binary itself is launched directly.
  for (const p of ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (existsSync(p)) return p;
  }
  throw new Error("Chromium not found (set CHROMIUM=/path/to/chromium)");
}

/** A phone-sized page in a fresh browser; `video` is the fake camera's y4m file;
 *  `camera: false` launches a browser without any camera; `viewport` another screen size
 *  (default 390×844). */
export async function launch({ video, camera = true, viewport = { width: 390, height: 844 } } = {}) {
  const args = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
  ];
  if (camera) args.push("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream");
  if (video) args.push(`--use-file-for-fake-video-capture=${video}`);
  const userDataDir = mkdtempSync(join(tmpdir(), "statuspass-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args,
    viewport,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "ru-RU",
    serviceWorkers: "allow",
  });
  const page = context.pages()[0] || (await context.newPage());
  // Uncaught exceptions of the page (a test fails on any); console errors only for reports.
  const errors = [];
  const consoleErrors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  return {
    context,
    page,
    errors,
    consoleErrors,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Holds getUserMedia until `openCamera(page)`: the staff member picks the organization
 *  before pointing the camera at a code (the fake camera shows the code from the start). */
export async function holdCamera(page) {
  await page.addInitScript(() => {
    const devices = navigator.mediaDevices;
    if (!devices) return;
    const real = devices.getUserMedia.bind(devices);
    let open;
    const gate = new Promise((r) => (open = r));
    window.__statuspassOpenCamera = () => open();
    devices.getUserMedia = (constraints) => gate.then(() => real(constraints));
  });
}
export const openCamera = (page) => page.evaluate(() => window.__statuspassOpenCamera());
