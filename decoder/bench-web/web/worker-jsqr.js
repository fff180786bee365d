// Classic worker: jsQR (UMD build, defines self.jsQR). Default options
// (inversionAttempts: "attemptBoth"), RGBA input as jsQR expects.
importScripts("/node_modules/jsqr/dist/jsQR.js");

self.onmessage = (ev) => {
  const m = ev.data;
  if (m.cmd === "init") {
    self.postMessage({ ok: typeof self.jsQR === "function" });
    return;
  }
  const rgba = new Uint8ClampedArray(m.rgba);
  const t0 = performance.now();
  const r = self.jsQR(rgba, m.width, m.height);
  const ms = performance.now() - t0;
  self.postMessage({ texts: r ? [r.data] : [], ms });
};
