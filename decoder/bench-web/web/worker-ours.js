// Module worker: the statuspass decoder (wasm-bindgen `--target web` build in /pkg/).
// The RGBA -> luma conversion (integer Rec.601, as the scanner's worker) happens inside
// `decode_rgba`, so it is timed like the RGBA handling of jsQR and zxing-wasm.
import init, { decode_rgba } from "/pkg/statuspass_decoder_bench_web.js";

const thorough = new URL(self.location.href).searchParams.get("effort") === "thorough";
let ready = null;

self.onmessage = async (ev) => {
  const m = ev.data;
  if (m.cmd === "init") {
    try {
      ready ??= init({ module_or_path: "/pkg/statuspass_decoder_bench_web_bg.wasm" });
      await ready;
      self.postMessage({ ok: true });
    } catch (e) {
      self.postMessage({ ok: false, error: String(e) });
    }
    return;
  }
  const rgba = new Uint8Array(m.rgba);
  const t0 = performance.now();
  const texts = decode_rgba(m.width, m.height, rgba, thorough);
  const ms = performance.now() - t0;
  self.postMessage({ texts, ms });
};
