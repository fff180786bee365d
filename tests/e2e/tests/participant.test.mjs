// The participant page: issues a pass and renders its QR code with a countdown; offline, a
// reload still shows the pass (service worker + localStorage), marked «нет сети».
import { test } from "node:test";
import assert from "node:assert/strict";

import { scenario } from "../lib/scenario.mjs";

async function signIn(page, base, key) {
  await page.goto(`${base}/`);
  await page.click(`[data-demo-key="${key}"]`);
}

test("the participant page issues a pass, and shows it offline after a reload", async () => {
  await scenario({}, async ({ server, page, context }) => {
    // Every file the page or the service worker fetches: the scanner's and the organization
    // pages' apps and the decode worker are not among them.
    const fetched = [];
    context.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await signIn(page, server.base, "ivanov");
    await page.click('[data-testid="get-pass"]');
    await page.waitForSelector(".pass .qr svg");
    const countdown = page.locator(".countdown");
    assert.match(await countdown.innerText(), /\d:\d\d/);
    const remaining = Number(await countdown.getAttribute("data-remaining"));
    assert.ok(remaining > 250 && remaining <= 300, `remaining ${remaining}`);
    const box = await page.locator(".pass .qr svg").boundingBox();
    assert.ok(box.width >= 280, `QR ${box.width}px wide on a 390px screen`);
    assert.equal(await page.locator('[data-testid="offline"]').count(), 0);

    // The service worker has precached the app and controls the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    assert.ok(fetched.some((p) => /^\/statuspass-frontend-[0-9a-f]+_bg\.wasm$/.test(p)), fetched.join(" "));
    assert.deepEqual(fetched.filter((p) => /statuspass-(scan|org)|decode-worker/.test(p)), []);

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector(".pass .qr svg");
    await page.locator('[data-testid="offline"]').waitFor();
    assert.match(await page.locator(".pass").innerText(), /нет сети/);
    assert.match(await page.locator(".countdown").innerText(), /\d:\d\d/);

    // Also with the server gone entirely: the shell comes from the service worker's cache.
    await server.stop();
    await page.reload();
    await page.waitForSelector(".pass .qr svg");
    await page.locator('[data-testid="offline"]').waitFor();
  });
});

test("not found, unconfirmed and registry outage each get their own message", async () => {
  await scenario({}, async ({ server, page, context }) => {
    const cases = [
      ["popov", "not_found", /Бумажная справка/],
      ["novikov", "unconfirmed", /только для подтверждённой учётной записи/],
      ["morozov", "unavailable", /временно недоступен/],
    ];
    for (const [key, marker, text] of cases) {
      await context.clearCookies();
      await signIn(page, server.base, key);
      await page.click('[data-testid="get-pass"]');
      const el = page.locator(`[data-outcome="${marker}"], [data-problem="${marker}"]`);
      await el.waitFor();
      assert.match(await el.innerText(), text, key);
      if (marker === "not_found") {
        assert.ok(await el.locator("a[href^='http']").count(), "certificate form link");
      }
    }
  });
});
