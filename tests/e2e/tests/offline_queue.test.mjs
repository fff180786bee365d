// The offline queue (issue 12): a staff member scanning on behalf of an organization with the
// network cut checks three passes (one forged); the two valid ones wait on the device
// (`data-pending`), survive a reload made offline, and reach the organization's ledger once,
// at their scan times, when the network is back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { holdCamera, openCamera } from "../lib/browser.mjs";
import { apiSession, issuePass } from "../lib/server.mjs";
import { withServer } from "../lib/scenario.mjs";
import { writeQrVideo } from "../lib/y4m.mjs";

const TIMEOUT = 30_000;
const MUSEUM = "1027700012340";

/** The link with one character of its token part changed. */
function tamper(link) {
  const t = link.indexOf("#T") + 2;
  const i = t + Math.floor((link.length - t) / 2);
  return link.slice(0, i) + (link[i] === "A" ? "B" : "A") + link.slice(i + 1);
}

/** /scan as staff-active on behalf of the museum, key list cached and the service worker
 *  ready (so the page reloads offline); the camera held until `openCamera`.
 *
 *  `b.setOffline` is Chromium's network emulation plus a route that refuses the queue's
 *  upload: a service worker woken for Background Sync has been seen sending while the page was
 *  emulated offline (CI, once; the emulation reaches a worker only through Playwright's attach),
 *  which no phone without network could do. */
async function museumScanner(open, base, video) {
  const b = await open(video ? { video } : {});
  let cut = false;
  await b.context.route("**/api/scan/batch", (route) => (cut ? route.abort("internetdisconnected") : route.continue()));
  b.setOffline = async (offline) => {
    cut = offline;
    await b.context.setOffline(offline);
  };
  await holdCamera(b.page);
  await b.page.goto(`${base}/scan`);
  await b.page.click('[data-demo-key="staff-active"]');
  await b.page.click(`[data-org="${MUSEUM}"]`);
  await b.page.locator('[data-mode="org"]').waitFor();
  await b.page.waitForSelector("main.scan[data-keys-fetched-at]", { timeout: TIMEOUT });
  await b.page.evaluate(() => navigator.serviceWorker.ready);
  assert.equal(await b.page.getAttribute("[data-pending]", "data-pending"), "0");
  return b;
}

async function typeCode(page, code) {
  await page.fill("#manual-code", code);
  await page.click("form.manual button[type=submit]");
}

const pending = (page, n) => page.waitForSelector(`[data-pending="${n}"]`, { timeout: TIMEOUT });

async function museumStats(base) {
  const admin = await apiSession(base, "admin-a");
  return (await admin(`/api/orgs/${MUSEUM}/stats`)).json();
}

test("org scans made offline wait on the device, survive an offline reload and reach the ledger once at their scan times", async () => {
  await withServer({}, async ({ server, open }) => {
    const ivanov = await issuePass(server.base, "ivanov");
    const petrov = await issuePass(server.base, "petrov");
    const sidorova = await issuePass(server.base, "sidorova");
    const b = await museumScanner(open, server.base);
    const uploads = [];
    b.page.on("response", async (r) => {
      if (r.url().endsWith("/api/scan/batch")) uploads.push(await r.json().catch(() => null));
    });
    await b.setOffline(true);
    await b.page.locator('main.scan[data-network="offline"]').waitFor();

    const scannedAt = [];
    for (const [i, code] of [ivanov.link, tamper(sidorova.link), petrov.link].entries()) {
      const before = Date.now();
      await typeCode(b.page, code);
      const result = b.page.locator(`[data-result][data-scan-seq="${i + 1}"]`);
      await result.waitFor({ timeout: TIMEOUT });
      assert.equal(await result.getAttribute("data-offline"), "true");
      if (i === 1) {
        assert.equal(await result.getAttribute("data-result"), "forged");
      } else {
        assert.equal(await result.getAttribute("data-result"), "valid");
        assert.equal(await result.getAttribute("data-mode"), "org");
        assert.equal(await result.getAttribute("data-queued"), "true");
        assert.match(await result.innerText(), /попадёт в отчёт организации, когда появится сеть/);
        scannedAt.push([before, Date.now()]);
      }
      await result.click();
    }
    await pending(b.page, 2);
    // The same pass again, offline: flagged, and not queued a second time.
    await typeCode(b.page, ivanov.link);
    const again = b.page.locator('[data-result][data-scan-seq="4"]');
    await again.waitFor({ timeout: TIMEOUT });
    assert.equal(await again.getAttribute("data-seen-before"), "true");
    assert.equal(await again.getAttribute("data-queued"), "false");
    await again.click();
    await pending(b.page, 2);

    // Reloaded while still offline: the scanner opens (service worker, stored sign-in) for the
    // museum again, and the queue is still there.
    await b.page.reload();
    await b.page.locator("video.camera").waitFor({ timeout: TIMEOUT });
    await b.page.locator(`[data-mode="org"][data-mode-org="${MUSEUM}"]`).waitFor({ timeout: TIMEOUT });
    await pending(b.page, 2);
    assert.deepEqual(uploads, [], "nothing could be sent offline");
    assert.equal((await museumStats(server.base)).today, 0, "nothing recorded yet");

    await b.setOffline(false);
    await pending(b.page, 0);
    // The page's upload and the service worker's (Background Sync) may race: whichever comes
    // second is answered «duplicate». Either way the server's scan time is the scan's.
    const results = uploads.filter(Boolean).flatMap((u) => u.results);
    assert.equal(results.length, 2, JSON.stringify(uploads));
    for (const r of results) assert.ok(["recorded", "duplicate"].includes(r.outcome), JSON.stringify(r));
    results.forEach((r, i) => {
      const at = Date.parse(r.scanned_at);
      const [from, to] = scannedAt[i];
      assert.ok(at >= from - 2_000 && at <= to + 2_000, `scan time ${r.scanned_at} is when it was scanned`);
    });
    const stats = await museumStats(server.base);
    assert.equal(stats.today, 2, "exactly the two valid scans");
    assert.deepEqual(stats.by_kind, { svo_participant: 2 });

    // Sent once: another reload online uploads nothing more.
    await b.page.reload();
    await b.page.locator("video.camera").waitFor({ timeout: TIMEOUT });
    await b.page.locator('[data-mode="org"]').waitFor({ timeout: TIMEOUT });
    await pending(b.page, 0);
    assert.equal((await museumStats(server.base)).today, 2);
  });
});

test("a camera scan for the organization made offline is queued and sent when the network returns", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const pass = await issuePass(server.base, "ivanov");
    const b = await museumScanner(open, server.base, writeQrVideo(join(dir, "queued.y4m"), pass.link));
    await b.setOffline(true);
    await openCamera(b.page);
    const v = b.page.locator('[data-result="valid"][data-offline="true"][data-scan-seq="1"]');
    await v.waitFor({ timeout: TIMEOUT });
    assert.equal(await v.getAttribute("data-queued"), "true");
    await pending(b.page, 1);
    await b.setOffline(false);
    await pending(b.page, 0);
    assert.equal((await museumStats(server.base)).today, 1);
  });
});
