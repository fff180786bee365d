// Real sign-in in Chromium through a real OpenID provider (npm oidc-provider): a confirmed
// person gets a pass; the admin the operator bootstrapped invites an employee by СНИЛС; the
// employee signs in for the first time and scans the pass valid on behalf of the museum;
// logout ends the session here and at the provider; an unconfirmed person is refused a pass.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort, startServer } from "../lib/server.mjs";
import { holdCamera, openCamera } from "../lib/browser.mjs";
import { withBrowsers } from "../lib/scenario.mjs";
import { oidcEnv, signInAtProvider, startProvider } from "../lib/oidc.mjs";
import { writeQrVideo } from "../lib/y4m.mjs";

const MUSEUM = "1027700012340";
const RESULT_TIMEOUT = 30_000;

/** A provider, a statuspass server signing in through it, and the museum bootstrapped by the
 *  operator commands (erin, СНИЛС 271-828-182 91, is its admin). */
async function realSignIn(body) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const op = await startProvider(`${base}/api/auth/oidc/callback`);
  const server = await startServer(oidcEnv(op.issuer, base), { port });
  const dir = mkdtempSync(join(tmpdir(), "statuspass-e2e-"));
  try {
    await server.cli(["orgs", "add", "--ogrn", MUSEUM, "--short-name", "Музей", "--name", "Городской музей", "--email", "reports@museum.example.ru"]);
    await server.cli(["orgs", "add-admin", "--ogrn", MUSEUM, "--snils", "271-828-182 91"]);
    await withBrowsers(server, (open) => body({ base, server, open, dir }));
  } finally {
    await server.stop();
    await op.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a confirmed person signs in through the provider and gets a pass; an employee invited by SNILS scans it for the museum", async () => {
  await realSignIn(async ({ base, open, dir }) => {
    // The participant.
    const a = await open({ camera: false });
    await a.page.goto(`${base}/`);
    assert.equal(await a.page.locator("[data-demo-key]").count(), 0, "no demo people");
    await a.page.locator('[data-sign-in="oidc"]').waitFor();
    assert.match(await a.page.locator('[data-sign-in="oidc"]').innerText(), /Войти через Госуслуги/);
    await signInAtProvider(a.page, "alice", `${base}/`);
    const issued = a.page.waitForResponse((r) => r.url().endsWith("/api/pass"));
    await a.page.click('[data-testid="get-pass"]');
    const pass = await (await issued).json();
    assert.equal(pass.outcome, "issued");
    await a.page.waitForSelector(".pass .qr svg");

    // Logout ends the session here and at the provider: the next sign-in asks for the password.
    await a.page.click("text=Выйти");
    await a.page.waitForSelector("#logout");
    await a.page.click("#logout");
    await a.page.waitForURL(`${base}/`);
    assert.equal((await a.page.request.get(`${base}/api/me`)).status(), 401);

    // The admin invites the employee by СНИЛС and issues him a delegation, on /org.
    await a.page.goto(`${base}/org`);
    await signInAtProvider(a.page, "erin", `${base}/org`);
    await a.page.locator(`.org-head[data-org="${MUSEUM}"]`).waitFor();
    await a.page.fill("#staff-snils", "901-234-567 64");
    await a.page.fill("#staff-name", "Кассиров Давид");
    await a.page.click("form.add-staff button[type=submit]");
    const invited = a.page.locator(".staff li", { hasText: "Кассиров Давид" });
    await invited.waitFor();
    assert.match(await invited.innerText(), /ещё не входил/);
    assert.doesNotMatch(await a.page.locator(".staff").innerText(), /pending:|oidc:|demo:/, "people by name, not ids");
    await a.page.selectOption("#delegation-subject", { label: "Кассиров Давид (СНИЛС ***-***-567 64)" });
    await a.page.click("form.issue-delegation button[type=submit]");
    const delegation = a.page.locator(".delegations li", { hasText: "Кассиров Давид" });
    await delegation.locator(".badge").waitFor();
    assert.equal(await delegation.getAttribute("data-state"), "active");

    // The employee's first sign-in, on the scanner, with the pass in front of the camera.
    const video = writeQrVideo(join(dir, "camera.y4m"), pass.link);
    const d = await open({ video });
    await holdCamera(d.page);
    await d.page.goto(`${base}/scan`);
    await signInAtProvider(d.page, "dave", `${base}/scan`);
    const org = d.page.locator(`[data-org="${MUSEUM}"]`);
    await org.waitFor();
    await org.click();
    await openCamera(d.page);
    const result = d.page.locator('[data-result="valid"][data-scan-seq="1"]');
    await result.waitFor({ timeout: RESULT_TIMEOUT });
    assert.equal(await result.getAttribute("data-recorded"), "true");
  });
});

test("an unconfirmed person signs in through the provider but is refused a pass", async () => {
  await realSignIn(async ({ base, open }) => {
    const b = await open({ camera: false });
    await b.page.goto(`${base}/`);
    await signInAtProvider(b.page, "bob", `${base}/`);
    await b.page.click('[data-testid="get-pass"]');
    const refusal = b.page.locator('[data-problem="unconfirmed"]');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /только для подтверждённой учётной записи/);
  });
});
