// The real OpenID provider of the sign-in tests (tests/oidc/provider.mjs: npm oidc-provider,
// pinned there; `scripts/setup.sh test` installs it), and signing in through its pages.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { REPO } from "./server.mjs";

const DIR = join(REPO, "tests/oidc");
export const CLIENT_ID = "statuspass";
export const CLIENT_SECRET = "statuspass-test-secret";

/** Starts the provider for a client redirecting to `redirectUri`; resolves `{issuer, stop}`. */
export async function startProvider(redirectUri) {
  if (!existsSync(join(DIR, "node_modules/oidc-provider"))) {
    throw new Error("tests/oidc/node_modules is missing: run scripts/setup.sh test (npm ci there)");
  }
  const child = spawn("node", ["provider.mjs", "--port", "0", "--redirect-uri", redirectUri], {
    cwd: DIR,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", ok);
    child.once("exit", (code) => fail(new Error(`the OpenID provider exited with ${code}`)));
  });
  const { issuer } = JSON.parse(line);
  return {
    issuer,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.once("exit", ok)));
    },
  };
}

/** The settings that point a statuspass server at the provider. */
export function oidcEnv(issuer, base) {
  return {
    STATUSPASS_PUBLIC_URL: base,
    STATUSPASS_OIDC_ISSUER: issuer,
    STATUSPASS_OIDC_CLIENT_ID: CLIENT_ID,
    STATUSPASS_OIDC_CLIENT_SECRET: CLIENT_SECRET,
  };
}

/** On a statuspass page showing the sign-in card: «Войти через …», the provider's login form
 *  (password `test`) and consent, back on `returnUrl`. */
export async function signInAtProvider(page, login, returnUrl) {
  await page.click('[data-sign-in="oidc"]');
  await page.waitForSelector("#login");
  await page.fill("#login", login);
  await page.fill("#password", "test");
  await page.click("#submit");
  // Consent (the provider asks once per client and account).
  await page.waitForSelector('form[action$="/confirm"] #submit');
  await page.click('form[action$="/confirm"] #submit');
  await page.waitForURL(returnUrl);
}
