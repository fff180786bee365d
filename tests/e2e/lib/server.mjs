// Starts the real statuspass server (release binary) on a free loopback port, with a fresh
// data dir and the built PWA, and stops it again.
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../../..");
export const SERVER_BIN = process.env.STATUSPASS_BIN || join(REPO, "target/release/statuspass");
export const WEB_DIR = process.env.STATUSPASS_E2E_WEB_DIR || join(REPO, "dist");

export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts a server; `env` adds settings (e.g. STATUSPASS_PASS_TTL_SECS); `port` when the
 *  caller needs to know it first (e.g. for an OpenID provider's redirect URI). */
export async function startServer(env = {}, { port: wanted } = {}) {
  if (!existsSync(SERVER_BIN)) throw new Error(`server binary missing: ${SERVER_BIN}`);
  if (!existsSync(join(WEB_DIR, "index.html"))) throw new Error(`PWA build missing: ${WEB_DIR}`);
  const port = wanted ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), "statuspass-e2e-"));
  const base = `http://127.0.0.1:${port}`;
  // A hermetic environment: nothing from the caller's STATUSPASS_*/DATABASE_URL/REDIS_URL.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith("STATUSPASS_") && !["DATABASE_URL", "REDIS_URL", "RUST_LOG"].includes(k)
    )
  );
  const serverEnv = {
    ...clean,
    RUST_LOG: "warn",
    STATUSPASS_BIND: `127.0.0.1:${port}`,
    STATUSPASS_DATA_DIR: dataDir,
    STATUSPASS_WEB_DIR: WEB_DIR,
    ...env,
  };
  const child = spawn(SERVER_BIN, [], { env: serverEnv, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  let exited = null;
  child.on("exit", (code) => (exited = code));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`server exited with ${exited}:\n${log}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not become healthy:\n${log}`);
    }
    await sleep(100);
  }

  return {
    base,
    port,
    dataDir,
    log: () => log,
    /** Runs an operator command (`statuspass …args`) against this server's data (same
     *  environment, so the same SQLite file); resolves with its stdout. */
    cli(args) {
      return new Promise((ok, fail) => {
        execFile(SERVER_BIN, args, { env: serverEnv, timeout: 60_000 }, (err, stdout, stderr) => {
          if (err) fail(new Error(`statuspass ${args.join(" ")}: ${err.message}\n${stdout}\n${stderr}`));
          else ok(stdout);
        });
      });
    },
    async stop() {
      if (exited === null) {
        child.kill("SIGTERM");
        for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
        if (exited === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs a demo person in through the API; returns a fetch bound to that session. */
export async function apiSession(base, key) {
  const r = await fetch(`${base}/api/auth/demo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key }),
  });
  if (!r.ok) throw new Error(`demo sign-in as ${key}: ${r.status} ${await r.text()}`);
  const cookie = r.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return (path, init = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { ...(init.headers || {}), cookie } });
}

/** Issues a pass for a demo participant; returns `{id, link, expires_at}`. */
export async function issuePass(base, key = "ivanov") {
  const call = await apiSession(base, key);
  const r = await call("/api/pass", { method: "POST" });
  const body = await r.json();
  if (!r.ok || body.outcome !== "issued") throw new Error(`pass for ${key}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}
