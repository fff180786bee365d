// One browser test's set-up and tear-down: a fresh server, a fake-camera video, a browser.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer } from "./server.mjs";
import { writeQrVideo } from "./y4m.mjs";
import { launch } from "./browser.mjs";

/**
 * Runs `body({ server, code, dir, page, context, ... })` with a server (`serverEnv`), a browser
 * whose fake camera shows `codeFor(server)` (a text; null: a frame without a code; no
 * `codeFor`: Chromium's own test pattern) drawn with `look` (see `qrLuma`), and a scratch
 * folder `dir`. `beforeBrowser` runs after the video is written; `camera: false` starts the
 * browser without any camera. Fails on uncaught page exceptions; on failure the server log
 * and the page errors are appended to the message. Everything is stopped and removed.
 */
export async function scenario({ serverEnv = {}, codeFor, beforeBrowser, camera = true, look = {} } = {}, body) {
  const server = await startServer(serverEnv);
  const dir = mkdtempSync(join(tmpdir(), "statuspass-e2e-"));
  let browser;
  try {
    const code = codeFor ? await codeFor(server) : undefined;
    const video = code === undefined ? undefined : writeQrVideo(join(dir, "camera.y4m"), code, look);
    if (beforeBrowser) await beforeBrowser();
    browser = await launch({ video, camera });
    await body({ server, code, dir, ...browser });
    assert.deepEqual(browser.errors, [], "no uncaught exception in the page");
  } catch (e) {
    e.message += `\n--- server log ---\n${server.log().slice(-4000)}\n--- page errors ---\n${[...(browser?.errors || []), ...(browser?.consoleErrors || [])].join("\n")}`;
    throw e;
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `body(open)` against a running `server`, where `open(options)` launches a browser (see
 * `launch`) that is closed at the end; for tests that need several browsers (a holder and a
 * checker). Fails on uncaught page exceptions; on failure the server log is appended.
 */
export async function withBrowsers(server, body) {
  const browsers = [];
  const open = async (options) => {
    const b = await launch(options);
    browsers.push(b);
    return b;
  };
  try {
    await body(open);
    for (const b of browsers) assert.deepEqual(b.errors, [], "no uncaught exception in the page");
  } catch (e) {
    e.message += `\n--- server log ---\n${server.log().slice(-4000)}`;
    throw e;
  } finally {
    for (const b of browsers) await b.close();
  }
}

/** A fresh server (settings `env`) and a scratch folder `dir`; `body({ server, dir, open })`
 *  opens browsers with `open` (see `withBrowsers`); everything is stopped and removed. */
export async function withServer(env, body) {
  const server = await startServer(env);
  const dir = mkdtempSync(join(tmpdir(), "statuspass-e2e-"));
  try {
    await withBrowsers(server, (open) => body({ server, dir, open }));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
