// How the server serves the PWA build: deep links, cache headers, CSP, no HTML for missing
// files or unknown API paths. (Plain HTTP, no browser.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";

import { startServer, WEB_DIR } from "../lib/server.mjs";

test("deep links get the app, hashed assets are immutable, the rest is revalidated", async () => {
  const server = await startServer();
  try {
    const get = (p) => fetch(`${server.base}${p}`);
    for (const path of ["/", "/scan", "/org"]) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get("content-type"), /^text\/html/, path);
      assert.equal(r.headers.get("cache-control"), "no-cache", path);
      const csp = r.headers.get("content-security-policy");
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|[^-]unsafe-eval/, path);
      assert.match(await r.text(), /<script type=module>/, path);
    }

    const wasm = readdirSync(WEB_DIR).find((f) => /^statuspass-frontend-[0-9a-f]{1,16}_bg\.wasm$/.test(f));
    const hashed = await get(`/${wasm}`);
    assert.equal(hashed.status, 200);
    assert.equal(hashed.headers.get("content-type"), "application/wasm");
    assert.match(hashed.headers.get("cache-control"), /max-age=31536000/);
    assert.match(hashed.headers.get("cache-control"), /immutable/);

    for (const path of ["/sw.js", "/manifest.webmanifest", "/decode-worker_loader.js", "/decode-worker_bg.wasm",
      "/statuspass-scan.js", "/statuspass-scan_bg.wasm", "/statuspass-org.js", "/statuspass-org_bg.wasm"]) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get("cache-control"), "no-cache", path);
    }
    const sw = await (await get("/sw.js")).text();
    assert.match(sw, new RegExp(`"/${wasm.replace(".", "\\.")}"`), "the precache list names the hashed wasm");
    assert.doesNotMatch(sw, /__SW_(VERSION|PRECACHE)__/);
    assert.match(sw, /"\/statuspass-scan_bg\.wasm"/, "the precache list names the scanner's app");
    assert.match(sw, /"\/statuspass-org_bg\.wasm"/, "the precache list names the organization pages' app");

    const missing = await get("/no-such-file.js");
    assert.equal(missing.status, 404);
    assert.doesNotMatch(missing.headers.get("content-type") || "", /html/);

    const api = await get("/api/no-such-thing");
    assert.equal(api.status, 404);
    assert.match(api.headers.get("content-type"), /json/);
    assert.equal((await api.json()).error, "not_found");
  } finally {
    await server.stop();
  }
});
