// Benchmark page (driven by ../run.mjs through Playwright). Images are decoded and resized
// here, once, with createImageBitmap + OffscreenCanvas; every decoder then receives a copy of
// the very same RGBA pixels, in its own Web Worker, one decoder at a time.

export const DECODERS = [
  { name: "statuspass-fast", url: "/web/worker-ours.js?effort=fast", type: "module" },
  { name: "statuspass-thorough", url: "/web/worker-ours.js?effort=thorough", type: "module" },
  { name: "jsqr", url: "/web/worker-jsqr.js", type: "classic" },
  { name: "zxing-wasm", url: "/web/worker-zxing.js", type: "module" },
];

class Client {
  constructor(spec) {
    this.spec = spec;
    this.worker = new Worker(spec.url, { type: spec.type, name: spec.name });
    this.pending = null;
    this.worker.onmessage = (ev) => {
      const p = this.pending;
      this.pending = null;
      p?.resolve(ev.data);
    };
    this.worker.onerror = (ev) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(new Error(`${spec.name}: ${ev.message || "worker error"}`));
    };
  }
  call(msg, transfer = []) {
    return new Promise((resolve, reject) => {
      // Never hang the run: a worker that dies (wasm trap, failed import) or stalls fails it.
      const timer = setTimeout(() => {
        this.pending = null;
        reject(new Error(`${this.spec.name}: no answer within 120 s`));
      }, 120000);
      this.pending = {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.worker.postMessage(msg, transfer);
    });
  }
  async decode(frame) {
    // A fresh copy per call (outside the timed region), transferred to the worker.
    const buf = frame.rgba.slice().buffer;
    return this.call({ cmd: "decode", width: frame.width, height: frame.height, rgba: buf }, [buf]);
  }
}

async function loadFrame(url, width) {
  const blob = await (await fetch(url)).blob();
  const bmp = await createImageBitmap(blob);
  const w = width;
  const h = Math.max(1, Math.round((bmp.height * width) / bmp.width));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bmp, 0, 0, w, h);
  const srcWidth = bmp.width;
  bmp.close();
  const data = ctx.getImageData(0, 0, w, h).data;
  return { width: w, height: h, rgba: data, srcWidth };
}

// A deterministic 640x480 "camera frame" without a QR code: a shaded background, random
// boxes, ellipses and lines (edges and dark/light runs like a desk or a room), some text
// (glyphs produce finder-like runs) and sensor noise.
function noQrFrame(w = 640, h = 480, seed = 12345) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const g = ctx.createLinearGradient(0, 0, w, h);
  g.addColorStop(0, "#b8a890");
  g.addColorStop(1, "#404850");
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  const col = () =>
    `rgb(${Math.floor(rnd() * 256)},${Math.floor(rnd() * 256)},${Math.floor(rnd() * 256)})`;
  for (let i = 0; i < 40; i++) {
    ctx.fillStyle = col();
    if (rnd() < 0.5) ctx.fillRect(rnd() * w, rnd() * h, 10 + rnd() * 150, 10 + rnd() * 120);
    else {
      ctx.beginPath();
      ctx.ellipse(rnd() * w, rnd() * h, 5 + rnd() * 70, 5 + rnd() * 70, rnd() * 3, 0, 7);
      ctx.fill();
    }
  }
  for (let i = 0; i < 30; i++) {
    ctx.strokeStyle = col();
    ctx.lineWidth = 1 + rnd() * 6;
    ctx.beginPath();
    ctx.moveTo(rnd() * w, rnd() * h);
    ctx.lineTo(rnd() * w, rnd() * h);
    ctx.stroke();
  }
  const words = "Lorem ipsum dolor sit amet 0123456789 Boarding pass gate seat MMXXV".split(" ");
  for (let i = 0; i < 14; i++) {
    ctx.fillStyle = rnd() < 0.7 ? "#111" : "#f4f4f4";
    ctx.font = `${rnd() < 0.5 ? "bold " : ""}${10 + Math.floor(rnd() * 30)}px sans-serif`;
    let line = "";
    for (let k = 0; k < 3 + rnd() * 5; k++) line += words[Math.floor(rnd() * words.length)] + " ";
    ctx.fillText(line, rnd() * w * 0.6, 20 + rnd() * (h - 20));
  }
  const img = ctx.getImageData(0, 0, w, h);
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) {
    const n = (rnd() + rnd() + rnd() - 1.5) * 16;
    for (let c = 0; c < 3; c++) d[i + c] = Math.max(0, Math.min(255, d[i + c] + n));
  }
  return { width: w, height: h, rgba: d };
}

// Flat mid-grey 640x480 frame (lens cap, blank wall): the cheapest possible input.
function flatFrame(w = 640, h = 480) {
  const d = new Uint8ClampedArray(w * h * 4).fill(128);
  return { width: w, height: h, rgba: d };
}

// images: [{ url }]; returns { perImage: [{ width, height, results: { name: { texts, ms } } }],
// noqr: { name: [ms...] }, flat: { name: [ms...] } }.
export async function runBench(images, opts) {
  const log = (s) => console.log(s);
  const only = opts.only ? new Set(opts.only) : null;
  const clients = DECODERS.filter((d) => !only || only.has(d.name)).map((d) => new Client(d));
  for (const c of clients) {
    const r = await c.call({ cmd: "init" });
    if (!r.ok) throw new Error(`${c.spec.name}: init failed: ${r.error ?? "?"}`);
  }
  log(`workers ready: ${clients.map((c) => c.spec.name).join(", ")}`);

  const noqr = noQrFrame();
  const flat = flatFrame();
  // Warm-up (not counted): lets the engines tier up their wasm/JS.
  const first = images.length ? await loadFrame(images[0].url, opts.width) : noqr;
  for (const c of clients) {
    for (let i = 0; i < opts.warmup; i++) {
      await c.decode(first);
      await c.decode(noqr);
    }
  }

  const perImage = [];
  for (let i = 0; i < images.length; i++) {
    let frame;
    try {
      frame = await loadFrame(images[i].url, opts.width);
    } catch (e) {
      perImage.push({ error: String(e), results: {} });
      continue;
    }
    const results = {};
    // Interleaved per image, so that load changes on the machine hit all decoders alike.
    for (const c of clients) {
      const r = await c.decode(frame);
      results[c.spec.name] = { texts: r.texts, ms: r.ms };
    }
    perImage.push({ width: frame.width, height: frame.height, results });
    if ((i + 1) % 10 === 0) log(`  ${i + 1}/${images.length} images`);
  }

  const noqrMs = {};
  const flatMs = {};
  for (const c of clients) {
    noqrMs[c.spec.name] = [];
    flatMs[c.spec.name] = [];
  }
  const noqrTexts = {};
  for (let k = 0; k < opts.reps; k++) {
    for (const c of clients) {
      const r = await c.decode(noqr);
      noqrMs[c.spec.name].push(r.ms);
      if (r.texts.length) noqrTexts[c.spec.name] = r.texts;
      flatMs[c.spec.name].push((await c.decode(flat)).ms);
    }
  }
  for (const c of clients) c.worker.terminate();
  return { perImage, noqr: noqrMs, flat: flatMs, noqrFalsePositives: noqrTexts };
}

// Renders the synthetic no-QR frame as base64 PNG (run.mjs --save-noqr).
export async function noQrPng() {
  return framePng(noQrFrame());
}

// The frame the decoders get for an image, as base64 PNG (run.mjs --save-frames): the exact
// pixels, so that a browser result can be replayed natively with decode-bench.
export async function imageFramePng(url, width) {
  return framePng(await loadFrame(url, width));
}

async function framePng(f) {
  const c = new OffscreenCanvas(f.width, f.height);
  c.getContext("2d").putImageData(new ImageData(f.rgba, f.width, f.height), 0, 0);
  const blob = await c.convertToBlob({ type: "image/png" });
  const buf = new Uint8Array(await blob.arrayBuffer());
  let s = "";
  for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(s);
}
