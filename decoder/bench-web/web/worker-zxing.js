// Module worker: zxing-wasm (reader build). The .wasm is served by the benchmark's own
// server: `locateFile` is overridden so the default jsDelivr CDN is never contacted.
import { prepareZXingModule, readBarcodes } from "/node_modules/zxing-wasm/dist/es/reader/index.js";

// Default reader options (tryHarder, tryRotate, tryInvert, tryDownscale all on) restricted
// to QR codes.
const OPTIONS = { formats: ["QRCode"] };
let ready = null;

self.onmessage = async (ev) => {
  const m = ev.data;
  if (m.cmd === "init") {
    ready ??= prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) =>
          path.endsWith(".wasm") ? "/node_modules/zxing-wasm/dist/reader/" + path : prefix + path,
      },
      fireImmediately: true,
    });
    try {
      await ready;
      self.postMessage({ ok: true });
    } catch (e) {
      self.postMessage({ ok: false, error: String(e) });
    }
    return;
  }
  const img = new ImageData(new Uint8ClampedArray(m.rgba), m.width, m.height);
  const t0 = performance.now();
  const results = await readBarcodes(img, OPTIONS);
  const ms = performance.now() - t0;
  self.postMessage({ texts: results.filter((r) => r.isValid).map((r) => r.text), ms });
};
