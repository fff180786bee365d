// The participant page: issues a pass and renders its QR code with a countdown; offline, a
// reload still shows the pass (service worker + localStorage), marked «нет сети».
import { test } from "node:test";
import assert from "node:assert/strict";

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { scenario } from "../lib/scenario.mjs";
import { WEB_DIR } from "../lib/server.mjs";

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
    // Nor the install icons (the browser fetches those when the app is installed).
    assert.deepEqual(fetched.filter((p) => /icon-512|maskable|apple-touch/.test(p)), []);

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

test("a reopened app starts from the cached shell; a new deploy runs from the next launch", async () => {
  // A copy of the build that can be "deployed over" while the browser holds the old one.
  const dist = mkdtempSync(join(tmpdir(), "statuspass-dist-"));
  cpSync(WEB_DIR, dist, { recursive: true });
  try {
    await scenario({ serverEnv: { STATUSPASS_WEB_DIR: dist } }, async ({ server, page }) => {
      await page.goto(`${server.base}/`);
      await page.waitForSelector("[data-demo-key]");
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
      const [installed] = await page.evaluate(() => caches.keys());

      // The next deploy: a new shell and a new worker version (their precompressed copies
      // dropped, so the server sends the new files).
      const marker = '<meta name="statuspass-build" content="next">';
      const edit = (file, from, to) => {
        const path = join(dist, file);
        const text = readFileSync(path, "utf8");
        assert.ok(text.includes(from), `${file} holds ${from}`);
        writeFileSync(path, text.replace(from, to));
        for (const ext of [".br", ".gz"]) rmSync(path + ext, { force: true });
      };
      edit("index.html", "</title>", `</title>${marker}`);
      const version = installed.replace(/^statuspass-/, "");
      edit("sw.js", `"${version}"`, `"${version}-next"`);
      const buildMark = () => page.locator('meta[name="statuspass-build"]').count();

      // Reopened: the cached shell, not the server's new one, and the app runs.
      await page.reload();
      await page.waitForSelector("[data-demo-key]");
      assert.equal(await buildMark(), 0, "the reopened app comes from the cache");
      // Meanwhile the browser found the new worker, which installs the new build.
      const next = `statuspass-${version}-next`;
      for (let tries = 0; ; tries++) {
        const keys = await page.evaluate(() => caches.keys());
        if (keys.length === 1 && keys[0] === next) break;
        assert.ok(tries < 100, `the new build's cache alone (${next}), not ${keys}`);
        await page.waitForTimeout(200);
      }
      await page.reload();
      await page.waitForSelector("[data-demo-key]");
      assert.equal(await buildMark(), 1, "the next launch runs the new deploy");
    });
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
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
