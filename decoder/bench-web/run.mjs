#!/usr/bin/env node
// Side-by-side browser benchmark: statuspass (wasm) vs jsQR vs zxing-wasm in headless
// Chromium, each decoder in its own Web Worker, on the same corpus resized to 640 px wide.
//
//   node run.mjs DIR [--width 640] [--reps 30] [--warmup 2] [--only a,b] [--groups]
//                    [--verbose] [--json OUT] [--save-noqr OUT.png] [--save-frames DIR]
//                    [--chromium PATH]
//
// Normally started through run.sh (which builds the wasm first). See README.md.

import { createServer } from "node:http";
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync, mkdirSync } from "node:fs";
import { join, extname, relative, resolve, dirname, basename, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const IMAGE_EXTS = new Set([".png", ".jpg", ".jpeg", ".webp"]);
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
};

function parseArgs(argv) {
  const a = { dir: null, width: 640, reps: 30, warmup: 2, only: null, groups: false, verbose: false,
    json: null, saveNoqr: null, saveFrames: null, chromium: "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${s} needs a value`);
      return argv[++i];
    };
    if (s === "--width") a.width = Number(next());
    else if (s === "--reps") a.reps = Number(next());
    else if (s === "--warmup") a.warmup = Number(next());
    else if (s === "--only") a.only = next().split(",");
    else if (s === "--groups") a.groups = true;
    else if (s === "--verbose" || s === "-v") a.verbose = true;
    else if (s === "--json") a.json = next();
    else if (s === "--save-noqr") a.saveNoqr = next();
    else if (s === "--save-frames") a.saveFrames = next();
    else if (s === "--chromium") a.chromium = next();
    else if (s.startsWith("-")) throw new Error(`unknown option ${s}`);
    else a.dir = s;
  }
  if (!a.dir) throw new Error("usage: run.mjs DIR [options]");
  if (!(a.width >= 21)) throw new Error("--width must be >= 21");
  return a;
}

// Every image with a sibling .txt (same stem), walking sub-folders, sorted. Group = the
// folder relative to DIR (images directly in DIR: DIR's own name), as in decode-bench.
function collect(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (IMAGE_EXTS.has(extname(name).toLowerCase())) {
        const txt = p.slice(0, -extname(name).length) + ".txt";
        if (!existsSync(txt)) continue;
        const rel = relative(dir, d);
        out.push({ path: p, group: rel === "" ? basename(resolve(dir)) : rel.split(sep).join("/"),
          name, expected: readFileSync(txt, "utf8") });
      }
    }
  };
  walk(dir);
  return out;
}

const stripNl = (s) => s.replace(/[\r\n]+$/, "");

function stats(times) {
  const n = times.length;
  if (!n) return { mean: 0, p95: 0 };
  const t = [...times].sort((x, y) => x - y);
  const mean = t.reduce((x, y) => x + y, 0) / n;
  const p95 = t[Math.min(n, Math.max(1, Math.ceil(n * 0.95))) - 1];
  return { mean, p95 };
}

const gz = (files) => files.reduce((acc, f) => acc + gzipSync(readFileSync(join(HERE, f)), { level: 9 }).length, 0);
const raw = (files) => files.reduce((acc, f) => acc + statSync(join(HERE, f)).size, 0);

// What each decoder ships to the browser (code the worker loads).
const SHIPPED = {
  "statuspass": ["pkg/statuspass_decoder_bench_web_bg.wasm", "pkg/statuspass_decoder_bench_web.js"],
  "jsqr": ["node_modules/jsqr/dist/jsQR.js"],
  "zxing-wasm": ["node_modules/zxing-wasm/dist/reader/zxing_reader.wasm",
    "node_modules/zxing-wasm/dist/es/reader/index.js", "node_modules/zxing-wasm/dist/es/share.js"],
};

function serve(images) {
  const external = [];
  const allowed = [
    ["/web/", join(HERE, "web") + sep],
    ["/pkg/", join(HERE, "pkg") + sep],
    ["/node_modules/jsqr/dist/", join(HERE, "node_modules/jsqr/dist") + sep],
    ["/node_modules/zxing-wasm/dist/", join(HERE, "node_modules/zxing-wasm/dist") + sep],
  ];
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let file = null;
    if (url.pathname === "/") file = join(HERE, "web/index.html");
    else if (url.pathname.startsWith("/img/")) file = images[Number(url.pathname.slice(5))]?.path ?? null;
    else {
      for (const [prefix, root] of allowed) {
        if (url.pathname.startsWith(prefix)) {
          const p = resolve(root, decodeURIComponent(url.pathname.slice(prefix.length)));
          if (p.startsWith(root)) file = p;
        }
      }
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      external.push(`404 ${url.pathname}`);
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
      "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, external })));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const images = collect(args.dir);
  if (!images.length) throw new Error(`no labelled images under ${args.dir}`);
  for (const f of SHIPPED.statuspass) {
    if (!existsSync(join(HERE, f))) throw new Error(`${f} missing: build with run.sh first`);
  }
  const { server, external } = await serve(images);
  const port = server.address().port;
  const origin = `http://127.0.0.1:${port}`;
  console.log(`${images.length} images from ${args.dir}, resized to ${args.width} px wide; serving on ${origin}`);

  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  let out;
  try {
    const context = await browser.newContext();
    // Anything not served by us (a CDN, telemetry) is blocked and reported; workers' requests
    // are covered too (context-level routing).
    await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u.startsWith(origin + "/")) return route.continue();
      external.push(`blocked ${u}`);
      return route.abort();
    });
    const page = await context.newPage();
    page.on("console", (m) => console.log(`[page] ${m.text()}`));
    page.on("pageerror", (e) => console.log(`[page error] ${e.message}`));
    await page.goto(origin + "/");
    await page.waitForFunction(() => window.benchReady === true);
    if (args.saveNoqr) {
      const b64 = await page.evaluate(() => window.bench.noQrPng());
      writeFileSync(args.saveNoqr, Buffer.from(b64, "base64"));
    }
    if (args.saveFrames) {
      // The resized frames as PNG with their .txt, same layout as DIR: `decode-bench` on
      // that folder decodes exactly what the workers decode.
      for (const [i, img] of images.entries()) {
        const b64 = await page.evaluate(([u, w]) => window.bench.imageFramePng(u, w), [`/img/${i}`, args.width]);
        const rel = relative(args.dir, img.path);
        const out = join(args.saveFrames, rel.slice(0, rel.length - extname(rel).length));
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out + ".png", Buffer.from(b64, "base64"));
        writeFileSync(out + ".txt", img.expected);
      }
      console.log(`frames saved under ${args.saveFrames}`);
    }
    const ua = await page.evaluate(() => navigator.userAgent);
    console.log(`browser: ${browser.version()} (${ua.includes("Headless") ? "headless" : "headed"})`);
    out = await page.evaluate(
      ([list, opts]) => window.bench.runBench(list, opts),
      [images.map((_, i) => ({ url: `/img/${i}` })),
        { width: args.width, reps: args.reps, warmup: args.warmup, only: args.only }],
    );
  } finally {
    await browser.close();
    server.close();
  }

  const names = Object.keys(out.noqr);
  const rows = {};
  for (const n of names) rows[n] = { groups: new Map(), all: { hits: 0, times: [], misses: [] } };
  out.perImage.forEach((r, i) => {
    const img = images[i];
    if (r.error) console.log(`${img.path}: cannot load (${r.error})`);
    for (const n of names) {
      const res = r.results[n];
      if (!res) continue;
      const hit = res.texts.some((t) => stripNl(t) === stripNl(img.expected));
      const row = rows[n];
      if (!row.groups.has(img.group)) row.groups.set(img.group, { hits: 0, times: [] });
      const g = row.groups.get(img.group);
      for (const acc of [g, row.all]) {
        acc.hits += hit ? 1 : 0;
        acc.times.push(res.ms);
      }
      if (!hit) row.all.misses.push(`${img.group}/${img.name}`);
      if (args.verbose) {
        console.log(`${n} ${img.group}/${img.name} ${hit ? "ok  " : "MISS"} ${res.ms.toFixed(1)} ms` +
          (hit || !res.texts.length ? "" : ` got ${JSON.stringify(res.texts)}`));
      }
    }
  });

  const fmt = (x) => x.toFixed(2);
  const line = (label, acc) => {
    const s = stats(acc.times);
    return `${label}: ${acc.hits}/${acc.times.length} ${fmt(s.mean)} ${fmt(s.p95)}`;
  };
  console.log(`\n== corpus: name: decoded/total mean_ms p95_ms (per ${args.width} px image, in a Web Worker)`);
  for (const n of names) {
    if (args.groups) for (const [g, acc] of rows[n].groups) console.log("  " + line(`${n} ${g}`, acc));
    console.log(line(n, rows[n].all));
  }
  console.log(`\n== 640x480 frame without a QR code (${args.reps} runs): name: mean_ms p95_ms`);
  for (const n of names) {
    const s = stats(out.noqr[n]);
    const f = stats(out.flat[n]);
    console.log(`${n}: scene ${fmt(s.mean)} ${fmt(s.p95)} (${(1000 / s.mean).toFixed(1)}/s)   flat grey ${fmt(f.mean)} ${fmt(f.p95)}`);
  }
  for (const [n, t] of Object.entries(out.noqrFalsePositives)) console.log(`  false positive on the no-QR frame: ${n} ${JSON.stringify(t)}`);
  console.log(`\n== shipped code: name: raw_bytes gzip_bytes (gzip -9)`);
  for (const [n, files] of Object.entries(SHIPPED)) {
    console.log(`${n}: ${raw(files)} ${gz(files)}   (${files.map((f) => basename(f)).join(" + ")})`);
  }
  // Written by run.sh: the PWA's decode worker built and optimised as it ships (its wasm only;
  // Trunk minifies the JS glue).
  const worker = ["pkg/shipped-decode-worker_bg.wasm"];
  if (existsSync(join(HERE, worker[0]))) {
    console.log(`statuspass as shipped (PWA decode worker wasm): ${raw(worker)} ${gz(worker)}   (decode-worker_bg.wasm, wasm-release + wasm-opt -O3 stripped)`);
  }
  if (external.length) {
    console.log(`\n!! requests not served locally: ${external.length}`);
    for (const e of [...new Set(external)]) console.log(`  ${e}`);
    process.exitCode = 1;
  } else {
    console.log(`\nno request left 127.0.0.1 (zxing-wasm's .wasm served locally)`);
  }
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ args, images: images.map((i) => `${i.group}/${i.name}`), ...out }, null, 1));
  }
}

main().catch((e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
