// Lighthouse (npm, pinned in this folder's lock) on the real server and the Debian Chromium:
// mobile form factor with Lighthouse's default simulated throttling (Slow 4G, 4× slower CPU).
// Prints the category scores and the load metrics of `/` (signed out), `/` with a pass on
// screen and `/scan` (signed in as staff, fake camera). Figures, not a test: run by
// tests/e2e/figures.sh.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

import { startServer } from "../lib/server.mjs";

const CHROMIUM = process.env.CHROMIUM || "/usr/lib/chromium/chromium";

/** A demo sign-in's session cookie (`name=value`). */
async function sessionCookie(base, key) {
  const r = await fetch(`${base}/api/auth/demo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key }),
  });
  if (!r.ok) throw new Error(`demo sign-in as ${key}: ${r.status}`);
  return r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

async function audit(url, cookie) {
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
    ],
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
      extraHeaders: cookie ? { Cookie: cookie } : undefined,
    });
    return result.lhr;
  } finally {
    await chrome.kill();
  }
}

/** Lighthouse once more when a run failed on its own (it reports `runtimeError`). */
async function auditWithRetry(url, cookie) {
  const first = await audit(url, cookie);
  return first.runtimeError ? audit(url, cookie) : first;
}

function print(label, lhr) {
  if (lhr.runtimeError) {
    console.log(`   ${label}: Lighthouse failed: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    return;
  }
  const scores = Object.values(lhr.categories)
    .map((c) => `${c.title} ${Math.round(c.score * 100)}`)
    .join(", ");
  const a = lhr.audits;
  const ms = (id) => (a[id]?.numericValue == null ? "n/a" : `${(a[id].numericValue / 1000).toFixed(2)} s`);
  const num = (id, digits) => (a[id]?.numericValue == null ? "n/a" : a[id].numericValue.toFixed(digits));
  console.log(`   ${label}`);
  console.log(`     ${scores}`);
  console.log(
    `     first contentful paint ${ms("first-contentful-paint")}, largest ${ms("largest-contentful-paint")}, ` +
      `interactive ${ms("interactive")}, total blocking ${num("total-blocking-time", 0)} ms, ` +
      `layout shift ${num("cumulative-layout-shift", 3)}`,
  );
}

const server = await startServer();
try {
  console.log("5. Lighthouse (mobile, simulated Slow 4G + 4× CPU; targets: performance ≥ 90, layout shift < 0.05):");
  print("/ signed out", await auditWithRetry(`${server.base}/`));
  print("/ signed in (participant)", await auditWithRetry(`${server.base}/`, await sessionCookie(server.base, "ivanov")));
  print("/scan signed in (staff)", await auditWithRetry(`${server.base}/scan`, await sessionCookie(server.base, "staff-none")));
} finally {
  await server.stop();
}
