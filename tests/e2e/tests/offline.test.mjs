// The scanner without network (issue 12): the key list is cached while online, then the
// browser is set offline (or the server stops) and the fake camera shows a code; the verdict is
// decided on the device from the code's signed token. The fake camera's video is fixed per
// browser launch, so each code gets its own browser: opened online with the camera held (so
// nothing is scanned online), the key list cached, then offline, then the camera opened.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { holdCamera, openCamera } from "../lib/browser.mjs";
import { issuePass } from "../lib/server.mjs";
import { withServer } from "../lib/scenario.mjs";
import { writeQrVideo } from "../lib/y4m.mjs";

const RESULT_TIMEOUT = 30_000;


/** A browser whose camera shows `code`, on /scan as demo staff, online, with the camera held
 *  until the key list is cached (`main[data-keys-fetched-at]`); `route` may alter requests. */
async function scannerFor(open, dir, base, name, code, { route } = {}) {
  const b = await open({ video: writeQrVideo(join(dir, `${name}.y4m`), code) });
  await holdCamera(b.page);
  if (route) await route(b.page);
  await b.page.goto(`${base}/scan`);
  await b.page.click('[data-demo-key="staff-none"]');
  await b.page.waitForSelector("video.camera");
  return b;
}

const keysCached = (page) => page.waitForSelector("main.scan[data-keys-fetched-at]", { timeout: RESULT_TIMEOUT });

/** Cuts the network, then lets the camera look at the code. */
async function offlineThenCamera(b) {
  await b.context.setOffline(true);
  await openCamera(b.page);
}

/** The link with one character of its token part changed (in the signature's range). */
function tamper(link) {
  const t = link.indexOf("#T") + 2;
  const i = t + Math.floor((link.length - t) / 2);
  const c = link[i] === "A" ? "B" : "A";
  return link.slice(0, i) + c + link.slice(i + 1);
}

test("offline, a fresh pass reads «проверено без сети», and a second scan «уже проверен»", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const pass = await issuePass(server.base, "ivanov");
    assert.match(pass.link, /#T[A-Z2-7]+$/, "the issued link carries the token");
    const b = await scannerFor(open, dir, server.base, "valid", pass.link);
    const scans = [];
    b.page.on("request", (r) => r.url().endsWith("/api/scan") && scans.push(r.url()));
    await keysCached(b.page);
    assert.equal(await b.page.locator("[data-keys-stale]").count(), 0, "a fresh list is not stale");
    await offlineThenCamera(b);

    const first = b.page.locator('[data-result="valid"][data-offline="true"][data-scan-seq="1"]');
    await first.waitFor({ timeout: RESULT_TIMEOUT });
    const text = await first.innerText();
    assert.match(text, /проверено без сети/);
    assert.match(text, /Статус участника СВО подтверждён/);
    assert.match(text, /не отозван/, "revocations since the sync are not checked");
    assert.equal(await first.getAttribute("data-status-kind"), "svo_participant");
    assert.equal(await first.getAttribute("data-seen-before"), "false");
    assert.match(await first.locator(".initials").innerText(), /^[А-ЯЁ]\.( [А-ЯЁ]\.)*$/u, "initials from the token");
    assert.match(await first.locator(".birth-year").innerText(), /^(19|20)\d\d$/);

    // Back to scanning: the same code again (after the few quiet seconds) is flagged.
    await b.page.click("[data-result]");
    const second = b.page.locator('[data-result="valid"][data-offline="true"][data-scan-seq="2"]');
    await second.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await second.getAttribute("data-seen-before"), "true");
    assert.match(await second.innerText(), /уже проверен на этом устройстве/);
    assert.deepEqual(scans, [], "offline, nothing was sent");
  });
});

test("offline, a tampered token reads forged and a bare link needs the network", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const pass = await issuePass(server.base, "ivanov");

    const forged = await scannerFor(open, dir, server.base, "forged", tamper(pass.link));
    await keysCached(forged.page);
    await offlineThenCamera(forged);
    const f = forged.page.locator('[data-result="forged"][data-offline="true"]');
    await f.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await f.innerText(), /QR-код подделан или повреждён/);

    const bare = await scannerFor(open, dir, server.base, "bare", pass.link.split("#")[0]);
    await keysCached(bare.page);
    await offlineThenCamera(bare);
    const n = bare.page.locator('[data-result="needs_network"][data-offline="true"]');
    await n.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await n.getAttribute("data-reason"), "no_token");
    assert.match(await n.innerText(), /Нужна сеть, чтобы проверить этот код/);
  });
});

test("offline, an expired token reads expired", async () => {
  await withServer({ STATUSPASS_PASS_TTL_SECS: "2" }, async ({ server, dir, open }) => {
    const pass = await issuePass(server.base, "petrov");
    await new Promise((r) => setTimeout(r, 3_000));
    const b = await scannerFor(open, dir, server.base, "expired", pass.link);
    await keysCached(b.page);
    await offlineThenCamera(b);
    const e = b.page.locator('[data-result="expired"][data-offline="true"]');
    await e.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await e.innerText(), /Срок действия QR-кода истёк/);
  });
});

test("without a cached key list the scanner says so, and a token cannot be checked offline", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const pass = await issuePass(server.base, "ivanov");
    const b = await scannerFor(open, dir, server.base, "nokeys", pass.link, {
      route: (page) => page.route("**/api/keys", (r) => r.abort()),
    });
    const stale = b.page.locator("[data-keys-stale]");
    await stale.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await stale.innerText(), /ключи проверки устарели: подключитесь к сети/i);
    await offlineThenCamera(b);
    const n = b.page.locator('[data-result="needs_network"][data-offline="true"]');
    await n.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await n.getAttribute("data-reason"), "unknown_key");
    assert.match(await n.innerText(), /нельзя проверить без сети/);
  });
});

test("with the server down (the browser still online) the scanner decides locally", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const pass = await issuePass(server.base, "ivanov");
    const b = await scannerFor(open, dir, server.base, "down", pass.link);
    await keysCached(b.page);
    await server.stop();
    await openCamera(b.page);
    const v = b.page.locator('[data-result="valid"][data-offline="true"]');
    await v.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await v.innerText(), /проверено без сети/);
  });
});

test("the cached key list survives a reload (IndexedDB) and still verifies offline", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const pass = await issuePass(server.base, "ivanov");
    const b = await scannerFor(open, dir, server.base, "reload", pass.link);
    await keysCached(b.page);
    const fetchedAt = await b.page.getAttribute("main.scan", "data-keys-fetched-at");
    // From now on the key list cannot be fetched: what the page has comes from IndexedDB.
    await b.page.route("**/api/keys", (r) => r.abort());
    await b.page.reload();
    await b.page.waitForSelector("video.camera");
    await b.page.waitForSelector(`main.scan[data-keys-fetched-at="${fetchedAt}"]`, { timeout: RESULT_TIMEOUT });
    assert.equal(await b.page.locator("[data-keys-stale]").count(), 0);
    await offlineThenCamera(b);
    await b.page.locator('[data-result="valid"][data-offline="true"]').waitFor({ timeout: RESULT_TIMEOUT });
  });
});

test("offline, a «Цифровой ID» code reads its status only, its rotation unchecked", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    // kovaleva shows her dynamic student code (rotating part, then the token).
    const holder = await open({ camera: false });
    await holder.page.goto(`${server.base}/`);
    await holder.page.click('[data-demo-key="kovaleva"]');
    await holder.page.click('button[data-status="student"]');
    const qr = holder.page.locator('.pass[data-status="student"] [data-pass-qr]');
    await qr.waitFor();
    const code = await qr.getAttribute("data-pass-qr");
    assert.match(code, /#\d+-\d{8}~T[A-Z2-7]+$/, code);

    const b = await scannerFor(open, dir, server.base, "student", code);
    await keysCached(b.page);
    await offlineThenCamera(b);
    const v = b.page.locator('[data-result="valid"][data-offline="true"]');
    await v.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await v.getAttribute("data-status-kind"), "student");
    const text = await v.innerText();
    assert.match(text, /Подтверждено: студент/);
    assert.match(text, /смена кода не проверена без сети/i);
    assert.equal(await v.locator(".initials, .birth-year").count(), 0, "nothing personal");
  });
});
