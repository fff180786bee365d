// «Цифровой ID» in the browser: a person holding several statuses picks «студент»; the scanner,
// shown that code by the fake camera, says «студент» and nothing personal; a screenshot of a
// dynamic code taken 70 s earlier reads as stale; offline, the participant page keeps rotating
// the code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { withServer } from "../lib/scenario.mjs";
import { screenLuma, writeLumaVideo, writeQrVideo } from "../lib/y4m.mjs";

const RESULT_TIMEOUT = 30_000;
const QR = "[data-pass-qr]";


/** kovaleva (student, СВО family member, adult) signs in and shows her student code. */
async function showStudentCode(page, base) {
  await page.goto(`${base}/`);
  await page.click('[data-demo-key="kovaleva"]');
  for (const kind of ["svo_participant", "svo_family", "adult", "student", "large_family"]) {
    await page.locator(`button[data-status="${kind}"]`).waitFor();
  }
  await page.click('button[data-status="student"]');
  await page.locator(`.pass[data-status="student"] ${QR}`).waitFor();
  assert.match(await page.locator(".pass").innerText(), /студент/);
  await page.locator('[data-testid="refresh"]').waitFor();
  const code = await page.getAttribute(QR, "data-pass-qr");
  // The rotating part first, then the signed offline token.
  assert.match(code, /\/somc2\/[0-9a-f-]{36}#\d+-\d{8}~T[A-Z2-7]+$/, code);
  return code;
}

/** /scan as demo staff with the camera showing the video it was launched with. */
async function scanner(page, base) {
  await page.goto(`${base}/scan`);
  await page.click('[data-demo-key="staff-none"]');
  await page.waitForSelector("video.camera");
}

test("a student code shown to the camera reads «студент» and nothing personal", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const holder = await open({ camera: false });
    const code = await showStudentCode(holder.page, server.base);
    const checker = await open({ video: writeQrVideo(join(dir, "student.y4m"), code) });
    await scanner(checker.page, server.base);
    const result = checker.page.locator('[data-result="valid"]');
    await result.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await result.getAttribute("data-status-kind"), "student");
    const text = await result.innerText();
    assert.match(text, /Подтверждено: студент/);
    assert.doesNotMatch(text, /Ковал|Дарья|Андреевна|2004|\b[А-ЯЁ]\. [А-ЯЁ]\./u, "nothing personal");
    assert.equal(await result.locator(".holder, .initials, .birth-year").count(), 0);
  });
});

test("a screenshot of a dynamic code taken 70 s earlier reads as stale", async () => {
  await withServer({}, async ({ server, dir, open }) => {
    const holder = await open({ camera: false });
    await holder.page.clock.install();
    await showStudentCode(holder.page, server.base);
    // The phone's screen 70 s ago: its own clock moved back, the pass as it was shown then.
    await holder.page.clock.setSystemTime(Date.now() - 70_000);
    await holder.page.waitForFunction(
      ({ sel, now }) => {
        const step = Number(document.querySelector(sel).dataset.passQr.split("#")[1].split("-")[0]);
        return step <= Math.floor((now - 60_000) / 30_000);
      },
      { sel: QR, now: Date.now() },
    );
    const screenshot = writeLumaVideo(join(dir, "screenshot.y4m"), await screenLuma(holder.page, QR));
    const checker = await open({ video: screenshot });
    await scanner(checker.page, server.base);
    const result = checker.page.locator('[data-result="stale"]');
    await result.waitFor({ timeout: RESULT_TIMEOUT });
    assert.match(await result.innerText(), /Код устарел: попросите обновить экран/);
    assert.equal(await result.getAttribute("data-status-kind"), null);
  });
});

test("offline, the participant page keeps rotating the dynamic code", async () => {
  await withServer({}, async ({ server, open }) => {
    const holder = await open({ camera: false });
    await holder.page.clock.install();
    const first = await showStudentCode(holder.page, server.base);
    await holder.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await holder.context.setOffline(true);
    await holder.page.reload();
    await holder.page.locator(`.pass[data-status="student"] ${QR}`).waitFor();
    await holder.page.locator('[data-testid="offline"]').waitFor();
    await holder.page.clock.fastForward(31_000);
    await holder.page.waitForFunction(({ sel, first }) => document.querySelector(sel).dataset.passQr !== first, { sel: QR, first });
    const next = await holder.page.getAttribute(QR, "data-pass-qr");
    const [link, part] = next.split("#");
    assert.equal(link, first.split("#")[0], "the same pass");
    const step = (c) => Number(c.split("#")[1].split("-")[0]);
    // 31 s fast-forwarded plus the real seconds of the reload: one step, or two when the
    // first code was shown just before a step boundary.
    const moved = step(next) - step(first);
    assert.ok(moved === 1 || moved === 2, `rotated forward by the elapsed steps: ${first} → ${next}`);
    assert.match(part, /^\d+-\d{8}~T[A-Z2-7]+$/);
    assert.equal(part.split("~")[1], first.split("~")[1], "the same signed token");
  });
});
