// Organizations in the browser: a staff member with an active delegation scans on behalf of the
// museum (one ledger row per valid scan, none for private scans); a delegation revoked while the
// scanner is open makes the next scan fail with the server's message and the scanner fall back
// to private mode; the organization page (/org) shows the figures, issues and revokes a
// delegation, refuses a bad e-mail, and flags a report kept for want of an e-mail.
import { test } from "node:test";
import assert from "node:assert/strict";

import { apiSession, issuePass } from "../lib/server.mjs";
import { scenario } from "../lib/scenario.mjs";
import { holdCamera, openCamera } from "../lib/browser.mjs";

const MUSEUM = "1027700012340"; // admin-a; staff-active holds delegation demo-a-active
const STADIUM = "1177847123453"; // admin-b; no contact e-mail
const RESULT_TIMEOUT = 30_000;

/** The museum's successful scans today, as its admin sees them through the API. */
async function museumToday(base) {
  const admin = await apiSession(base, "admin-a");
  const r = await admin(`/api/orgs/${MUSEUM}/stats`);
  assert.equal(r.status, 200);
  return (await r.json()).today;
}


/** /scan as staff-active, switched to the museum, the camera opened. Returns the bodies of the
 *  /api/scan requests the page makes. */
async function scanForMuseum(page, base) {
  const sent = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/scan")) sent.push(JSON.parse(r.postData() || "{}"));
  });
  await holdCamera(page);
  await page.goto(`${base}/scan`);
  await page.click('[data-demo-key="staff-active"]');
  const org = page.locator(`[data-org="${MUSEUM}"]`);
  await org.waitFor();
  assert.match(await org.innerText(), /Музей истории/);
  // Before the tap: private, and the mode says so.
  await page.locator('p.mode[data-mode="private"]').waitFor();
  assert.equal(await org.getAttribute("aria-pressed"), "false");
  await org.click();
  assert.equal(await org.getAttribute("aria-pressed"), "true");
  const mode = page.locator(`p.mode[data-mode="org"][data-mode-org="${MUSEUM}"]`);
  await mode.waitFor();
  assert.match(await mode.innerText(), /Музей истории/);
  await openCamera(page);
  return sent;
}

test("a scan on behalf of the organization adds one ledger row, a private scan none", async () => {
  await scenario({ codeFor: async ({ base }) => (await issuePass(base, "sidorova")).link }, async ({ server, page }) => {
    const before = await museumToday(server.base);
    const sent = await scanForMuseum(page, server.base);

    const first = page.locator('[data-result="valid"][data-scan-seq="1"]');
    await first.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await first.getAttribute("data-recorded"), "true");
    assert.equal(await first.getAttribute("data-mode"), "org");
    assert.match(await first.innerText(), /учтена в отчёте организации «Музей истории»/);
    assert.equal(await museumToday(server.base), before + 1, "exactly one more ledger row");

    // One tap on the organization again: back to private. Then resume: the same pass is read
    // again (after the few quiet seconds) and checked privately.
    await page.click(`[data-org="${MUSEUM}"]`);
    await page.locator('p.mode[data-mode="private"]').waitFor();
    assert.equal(await page.getAttribute(`[data-org="${MUSEUM}"]`, "aria-pressed"), "false");
    await first.click();
    const second = page.locator('[data-result="valid"][data-scan-seq="2"]');
    await second.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await second.getAttribute("data-recorded"), "false");
    assert.equal(await second.getAttribute("data-mode"), "private");
    assert.match(await second.innerText(), /от своего имени: в отчёт не попадает/);
    assert.equal(await museumToday(server.base), before + 1, "a private scan adds no ledger row");

    assert.deepEqual(
      sent.map((b) => b.on_behalf_of),
      [MUSEUM, null],
      "what the page asked the server"
    );
    // The organization scan carries the scanner's event id (retry-safe), the private one none.
    assert.match(sent[0].event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(sent[1].event_id ?? null, null);
  });
});

test("a delegation revoked while the scanner is open: the next scan is refused, the scanner goes private", async () => {
  await scenario({ codeFor: async ({ base }) => (await issuePass(base, "sidorova")).link }, async ({ server, page }) => {
    const before = await museumToday(server.base);
    await scanForMuseum(page, server.base);
    const first = page.locator('[data-result="valid"][data-scan-seq="1"]');
    await first.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await first.getAttribute("data-recorded"), "true");

    const admin = await apiSession(server.base, "admin-a");
    const revoked = await admin(`/api/orgs/${MUSEUM}/delegations/demo-a-active/revoke`, { method: "POST" });
    assert.equal(revoked.status, 204);

    // Still showing the museum as chosen: the page has not been told. The next scan is.
    assert.equal(await page.getAttribute(`[data-org="${MUSEUM}"]`, "aria-pressed"), "true");
    await first.click();
    const refused = page.locator('[data-problem="no-delegation"]');
    await refused.waitFor({ timeout: RESULT_TIMEOUT });
    const said = await refused.innerText();
    assert.match(said, /Нет действующей доверенности/, "the server's message");
    assert.match(said, /переключён на проверку от своего имени/);
    await page.locator('p.mode[data-mode="private"]').waitFor();
    // The list was asked again: no organization is offered any more.
    await page.locator(`[data-org="${MUSEUM}"]`).waitFor({ state: "detached" });
    assert.equal(await museumToday(server.base), before + 1, "the refused scan is not recorded");

    // Scanning goes on, privately.
    await refused.click();
    const next = page.locator('[data-result="valid"][data-scan-seq="2"]');
    await next.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await next.getAttribute("data-mode"), "private");
    assert.equal(await next.getAttribute("data-recorded"), "false");
    assert.equal(await museumToday(server.base), before + 1);
  });
});

test("the organization page: figures, a delegation issued and revoked, a bad e-mail refused", async () => {
  await scenario({}, async ({ server, page }) => {
    // One recorded scan, so the figures are not all zero.
    const pass = await issuePass(server.base, "ivanov");
    const staff = await apiSession(server.base, "staff-active");
    const scan = await staff("/api/scan", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: pass.link, on_behalf_of: MUSEUM }),
    });
    assert.equal((await scan.json()).recorded, true);
    const admin = await apiSession(server.base, "admin-a");
    const stats = await (await admin(`/api/orgs/${MUSEUM}/stats`)).json();
    assert.ok(stats.today >= 1);

    await page.goto(`${server.base}/org`);
    await page.click('[data-demo-key="admin-a"]');
    await page.locator(`.org-head[data-org="${MUSEUM}"]`).waitFor();
    for (const key of ["today", "this_month", "last_30_days"]) {
      const shown = page.locator(`[data-stat="${key}"] dd`);
      await shown.waitFor();
      assert.equal(Number(await shown.innerText()), stats[key], key);
    }
    assert.equal(await page.locator('[data-flag="no-email"]').count(), 0, "the museum has an e-mail");

    // Issue a delegation to staff-none (a member without one) for the default period.
    await page.locator('#delegation-subject option[value="demo:staff-none"]').waitFor({ state: "attached" });
    await page.selectOption("#delegation-subject", "demo:staff-none");
    await page.click("form.issue-delegation button[type=submit]");
    const issued = page.locator('.delegations li[data-subject="demo:staff-none"]');
    await issued.locator(".badge").waitFor();
    assert.equal(await issued.getAttribute("data-state"), "active");
    assert.match(await issued.innerText(), /действует/);
    const listed = await (await admin(`/api/orgs/${MUSEUM}/delegations`)).json();
    const mine = listed.filter((d) => d.subject === "demo:staff-none");
    assert.equal(mine.length, 1);
    assert.equal(mine[0].state, "active");
    assert.equal(mine[0].power_code, "GOSCAN_DELEGATE_SCAN");
    const nowMs = Date.now();
    assert.ok(Date.parse(mine[0].valid_from) <= nowMs && Date.parse(mine[0].valid_until) > nowMs + 300 * 86_400_000);
    // staff-none may now scan for the museum.
    const none = await apiSession(server.base, "staff-none");
    assert.deepEqual((await (await none("/api/me/delegations")).json()).map((d) => d.ogrn), [MUSEUM]);

    // Revoke it.
    await issued.locator('[data-action="revoke"]').click();
    await page.locator('.delegations li[data-subject="demo:staff-none"][data-state="revoked"]').waitFor();
    assert.match(await issued.innerText(), /отозвана/);
    assert.equal(await issued.locator('[data-action="revoke"]').count(), 0);
    assert.deepEqual(await (await none("/api/me/delegations")).json(), []);

    // A bad e-mail: the server's message is shown, the address stays.
    await page.fill("#contact-email", "not-an-email");
    await page.click(".contact button[type=submit]");
    const error = page.locator(".contact [data-error]");
    await error.waitFor();
    assert.match(await error.innerText(), /Некорректный адрес электронной почты/);
    const org = await (await admin(`/api/orgs/${MUSEUM}`)).json();
    assert.equal(org.contact_email, "reports@museum.example.ru");
  });
});

test("a report kept for want of an e-mail is flagged with a call to set one; sent ones download", async () => {
  await scenario({}, async ({ server, page }) => {
    const out = await server.cli(["reports", "run", "--force"]);
    assert.match(out, /reports:/);

    await page.goto(`${server.base}/org`);
    await page.click('[data-demo-key="admin-b"]');
    await page.locator(`.org-head[data-org="${STADIUM}"]`).waitFor();
    const report = page.locator('.reports li[data-status="no_contact_email"]');
    await report.waitFor();
    const flag = report.locator('[data-flag="no-email"]');
    assert.match(await flag.innerText(), /не указан адрес электронной почты/);
    assert.equal(await flag.locator('a[href="#contact-email"]').count(), 1, "a call to set the e-mail");
    assert.equal(await page.locator('.contact [data-flag="no-email"]').count(), 1);

    // The museum's report went out; its zip downloads. (Signing out through the page: with
    // sliding server-side sessions, clearing cookies while the page's calls are in flight lets
    // a late answer set the session cookie again.)
    await page.click("text=Выйти");
    await page.click('[data-demo-key="admin-a"]');
    const sent = page.locator('.reports li[data-status="sent"]');
    await sent.waitFor();
    assert.match(await sent.innerText(), /reports@museum\.example\.ru/);
    const href = await sent.locator('a[data-action="download"]').getAttribute("href");
    const admin = await apiSession(server.base, "admin-a");
    const zip = await admin(href);
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get("content-type"), "application/zip");
    assert.equal(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString(), "PK");
  });
});

test("someone who administers no organization is told so", async () => {
  await scenario({}, async ({ server, page }) => {
    await page.goto(`${server.base}/org`);
    // The page offers admins only; a staff member signed in elsewhere comes here.
    const r = await page.request.post(`${server.base}/api/auth/demo`, { data: { key: "staff-none" } });
    assert.equal(r.status(), 200);
    await page.reload();
    const refusal = page.locator('[data-problem="not-admin"]');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /только администраторам/);
  });
});
