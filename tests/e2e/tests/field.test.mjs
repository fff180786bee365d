// The PWA in the field (issue 14): on a cheap 360×640 phone the camera is whole on screen
// under the organization bar and the device counts today's checks; the camera stops while the
// page is hidden and starts again when shown; the stored pass does not move when the sign-in
// card arrives; axe-core finds no accessibility violation on /, /scan and /org.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { visibleFraction } from "../lib/perf.mjs";
import { issuePass } from "../lib/server.mjs";
import { scenario, withServer } from "../lib/scenario.mjs";

const TIMEOUT = 30_000;
const MUSEUM = "1027700012340";
const SMALL_PHONE = { width: 360, height: 640 };
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The violations axe-core finds on the page as it is now (WCAG 2.1 A/AA rules). */
async function axeViolations(page) {
  // Evaluated through DevTools, so the page's script policy does not apply to axe itself.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

test("at 360×640 the camera is whole on screen under the organization bar, and the device counts today's checks", async () => {
  await withServer({}, async ({ server, open }) => {
    const pass = await issuePass(server.base, "ivanov");
    const { page } = await open({ viewport: SMALL_PHONE });
    await page.goto(`${server.base}/scan`);
    await page.click('[data-demo-key="staff-active"]');
    await page.click(`[data-org="${MUSEUM}"]`);
    await page.locator('[data-mode="org"]').waitFor();
    await page.locator('main.scan[data-camera="on"]').waitFor({ timeout: TIMEOUT });
    assert.equal(await visibleFraction(page, ".viewport"), 1, "the camera view is whole on screen");
    assert.equal(await page.getAttribute("main.scan", "data-checks-today"), "0");

    await page.fill("#manual-code", pass.link);
    await page.click("form.manual button[type=submit]");
    await page.locator('[data-result="valid"]').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-result="valid"]').click();
    assert.equal(await page.getAttribute("main.scan", "data-checks-today"), "1");
    assert.match(await page.locator(".checks-today").innerText(), /1/);
    // A reload keeps the day's count (this device, this day).
    await page.reload();
    await page.locator('main.scan[data-checks-today="1"]').waitFor({ timeout: TIMEOUT });
  });
});

test("the camera stops while the page is hidden and starts again when it is shown", async () => {
  await scenario({}, async ({ server, page }) => {
    await page.goto(`${server.base}/scan`);
    await page.click('[data-demo-key="staff-none"]');
    await page.locator('main.scan[data-camera="on"]').waitFor({ timeout: TIMEOUT });
    const setHidden = (hidden) =>
      page.evaluate((h) => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
        // As the browser fires it: at the document, bubbling to the window.
        document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
      }, hidden);
    await setHidden(true);
    await page.locator('main.scan[data-camera="off"]').waitFor({ timeout: TIMEOUT });
    const live = await page.evaluate(() => {
      const s = document.querySelector("video.camera").srcObject;
      return s ? s.getVideoTracks().filter((t) => t.readyState === "live").length : 0;
    });
    assert.equal(live, 0, "no live camera track while hidden");
    await setHidden(false);
    await page.locator('main.scan[data-camera="on"]').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => document.querySelector("video.camera").videoWidth > 0, null, { timeout: TIMEOUT });
  });
});

test("the stored pass stays put when the account card arrives", async () => {
  await scenario({}, async ({ server, page }) => {
    await page.goto(server.base);
    await page.click('[data-demo-key="ivanov"]');
    await page.click('[data-testid="get-pass"]');
    await page.locator("section.pass .qr").waitFor({ timeout: TIMEOUT });
    await page.reload();
    await page.locator("section.pass .qr").waitFor({ timeout: TIMEOUT });
    const top = await page.evaluate(() => document.querySelector("section.pass").getBoundingClientRect().top);
    // The sign-in check answers; whatever it adds goes below the pass.
    await page.waitForFunction(() => !document.querySelector("main.participant p.hint"), null, { timeout: TIMEOUT });
    await page.waitForTimeout(300);
    const after = await page.evaluate(() => document.querySelector("section.pass").getBoundingClientRect().top);
    assert.equal(after, top, "the pass did not move");
  });
});

test("axe-core finds no accessibility violation on /, /scan and /org", async () => {
  await scenario({}, async ({ server, page, context }) => {
    const pages = [
      ["/", null],
      ["/scan", "staff-active"],
      ["/org", "admin-a"],
    ];
    for (const [path, who] of pages) {
      await context.clearCookies();
      await page.goto(`${server.base}${path}`);
      await page.locator("main").waitFor();
      assert.deepEqual(await axeViolations(page), [], `${path} signed out`);
      if (!who) continue;
      await page.click(`[data-demo-key="${who}"]`);
      await page.waitForTimeout(500);
      assert.deepEqual(await axeViolations(page), [], `${path} as ${who}`);
    }
  });
});

test("before the app's wasm has run the page shows its static shell (which says so if the wasm never comes), and the app replaces it", async () => {
  await withServer({}, async ({ server, open }) => {
    const b = await open();
    await b.context.route("**/*_bg.wasm", (route) => route.abort());
    await b.page.goto(server.base);
    await b.page.locator("#shell h1").waitFor();
    assert.match(await b.page.locator("#shell").innerText(), /Статус участника СВО[\s\S]*(Загрузка|не загрузилось)/);
    // The wasm never comes: the shell says so (offline on a device that never opened the page).
    await b.page.locator("#shell[data-load-failed]").waitFor({ timeout: TIMEOUT });
    assert.match(await b.page.locator("#shell").innerText(), /Приложение не загрузилось/);
    b.errors.length = 0; // the app cannot start without its wasm: expected here
    await b.context.unroute("**/*_bg.wasm");
    await b.page.reload();
    await b.page.locator("[data-demo-key]").first().waitFor({ timeout: TIMEOUT });
    assert.equal(await b.page.locator("#shell").count(), 0, "the app removed the shell");
  });
});
