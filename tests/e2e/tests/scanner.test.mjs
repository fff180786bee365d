// The scanner in headless Chromium, fed by a fake camera showing a QR code: a live pass reads
// as valid, a random id of this server as unknown, an expired pass as expired; and a panicking
// decode worker is replaced while the scanner keeps reading codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import QRCode from "qrcode";
import { join } from "node:path";

import { holdCamera, openCamera } from "../lib/browser.mjs";
import { issuePass } from "../lib/server.mjs";
import { scenario } from "../lib/scenario.mjs";

const RESULT_TIMEOUT = 30_000;

/** Opens /scan and signs in as demo staff through the page. */
async function openScanner(page, base, staff = "staff-none") {
  await page.goto(`${base}/scan`);
  await page.click(`[data-demo-key="${staff}"]`);
  await page.waitForSelector("video.camera");
}

test("a live pass shown to the camera reads as valid, with initials and birth year", async () => {
  await scenario({ codeFor: async ({ base }) => (await issuePass(base, "ivanov")).link }, async ({ server, page }) => {
    await openScanner(page, server.base);
    const result = page.locator('[data-result="valid"]');
    await result.waitFor({ timeout: RESULT_TIMEOUT });
    const text = await result.innerText();
    assert.match(text, /Статус участника СВО подтверждён/);
    assert.match(text, /\b(19|20)\d\d\b/, "birth year shown");
    assert.match(await result.locator(".initials").innerText(), /\S+ [А-ЯЁ]\./u);
  });
});

test("a distant pass (1.7 px per module) is read by the scanner's thorough frames", async () => {
  // At 1.7 px per module the quick decode of a camera frame finds no finder pattern
  // (decoder/tests/small_codes.rs); every 4th frame is decoded thoroughly, whose enlarged
  // centre view reads it.
  await scenario(
    { codeFor: async ({ base }) => (await issuePass(base, "ivanov")).link, look: { modulePx: 1.7 } },
    async ({ server, page }) => {
      await openScanner(page, server.base);
      await page.locator('[data-result="valid"]').waitFor({ timeout: RESULT_TIMEOUT });
    },
  );
});

test("a random id of this server reads as unknown", async () => {
  await scenario({ codeFor: async ({ base }) => `${base}/somc2/${randomUUID()}` }, async ({ server, page }) => {
    await openScanner(page, server.base);
    const result = page.locator('[data-result="unknown"]');
    await result.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await result.innerText(), /QR-код не найден/);
  });
});

test("a pass whose lifetime is over reads as expired", async () => {
  await scenario(
    {
      serverEnv: { STATUSPASS_PASS_TTL_SECS: "2" },
      codeFor: async ({ base }) => (await issuePass(base, "petrov")).link,
      beforeBrowser: () => new Promise((r) => setTimeout(r, 3_000)),
    },
    async ({ server, page }) => {
      await openScanner(page, server.base);
      const result = page.locator('[data-result="expired"]');
      await result.waitFor({ timeout: RESULT_TIMEOUT });
      assert.match(await result.innerText(), /Срок действия QR-кода истёк/);
    }
  );
});

test("a foreign QR code is answered locally as foreign", async () => {
  await scenario({ codeFor: async () => "https://example.com/not-a-pass" }, async ({ server, page }) => {
    let scanCalls = 0;
    page.on("request", (r) => {
      if (r.url().endsWith("/api/scan")) scanCalls++;
    });
    await openScanner(page, server.base);
    await page.locator('[data-result="foreign"]').waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(scanCalls, 0, "nothing sent to the server");
  });
});

test("a panicking decode worker is replaced and the scanner reads the next code", async () => {
  await scenario({ codeFor: async ({ base }) => (await issuePass(base, "ivanov")).link }, async ({ server, page }) => {
    await openScanner(page, server.base);
    await page.locator('[data-result="valid"][data-scan-seq="1"]').waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await page.getAttribute("main.scan", "data-worker-restarts"), "0");

    // Back to scanning, and make the worker panic while frames are being decoded.
    await page.click('[data-result="valid"]');
    await page.evaluate(() => window.dispatchEvent(new Event("statuspass:worker-panic")));
    await page.waitForSelector('main.scan[data-worker-restarts="1"]', { timeout: 10_000 });

    // The same code is read again (after the few seconds in which it is not re-sent).
    await page.locator('[data-result="valid"][data-scan-seq="2"]').waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await page.getAttribute("main.scan", "data-camera"), "on");
  });
});

test("scanning on behalf of an organization records the valid scan in its ledger", async () => {
  await scenario({ codeFor: async ({ base }) => (await issuePass(base, "sidorova")).link }, async ({ server, page }) => {
    // staff-active holds an active delegation; the organization is chosen before the camera
    // sees the code (held until then: a desk points the phone at a pass after the tap).
    await holdCamera(page);
    await page.goto(`${server.base}/scan`);
    await page.click('[data-demo-key="staff-active"]');
    const org = page.locator(".on-behalf [data-org]").first();
    await org.click();
    assert.equal(await org.getAttribute("aria-pressed"), "true");
    await openCamera(page);
    const result = page.locator('[data-result="valid"]');
    await result.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await result.innerText(), /учтена в отчёте организации/);
  });
});

test("a photo of a pass is decoded, and an id typed by hand is checked", async () => {
  // The camera sees no code (noise) the whole time.
  await scenario({ codeFor: async () => null }, async ({ server, page, dir }) => {
    const pass = await issuePass(server.base, "kuznetsov");
    const photo = join(dir, "pass.png");
    await QRCode.toFile(photo, pass.link, { errorCorrectionLevel: "M", width: 900, margin: 4 });
    await openScanner(page, server.base);
    await page.waitForSelector('main.scan[data-camera="on"]');

    await page.setInputFiles('[data-testid="photo"]', photo);
    await page.locator('[data-result="valid"][data-scan-seq="1"]').waitFor({ timeout: RESULT_TIMEOUT });
    await page.click("[data-result]");

    await page.fill("#manual-code", randomUUID());
    await page.click('form.manual button[type="submit"]');
    await page.locator('[data-result="unknown"][data-scan-seq="2"]').waitFor({ timeout: RESULT_TIMEOUT });
    await page.click("[data-result]");

    await page.fill("#manual-code", pass.id);
    await page.click('form.manual button[type="submit"]');
    await page.locator('[data-result="valid"][data-scan-seq="3"]').waitFor({ timeout: RESULT_TIMEOUT });
  });
});

test("without a camera the scanner says so instead of staying blank", async () => {
  await scenario({ codeFor: async () => null, camera: false }, async ({ server, page }) => {
    await openScanner(page, server.base);
    const problem = page.locator('[data-problem^="camera-"]');
    await problem.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await problem.innerText(), /камер/i);
    // The alternatives stay usable.
    assert.equal(await page.locator("#manual-code").count(), 1);
  });
});
