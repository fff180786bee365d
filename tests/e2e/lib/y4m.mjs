// A YUV4MPEG2 video for Chromium's fake camera (--use-file-for-fake-video-capture): a QR code
// of the given text, black on white with a quiet zone, centred in a 640×480 frame.
import { writeFileSync } from "node:fs";
import QRCode from "qrcode";

export const WIDTH = 640;
export const HEIGHT = 480;

/** Luma plane of one frame showing `text` as a QR code; for null, a frame without a code:
 *  blocky noise (a busy scene with many edges, the decoder's slow case). With `modulePx`
 *  (fractional), the code is drawn that small, each pixel the mean of 4x4 sub-samples (a
 *  distant code as a camera sees it: grey module edges); otherwise as large as fits. */
export function qrLuma(text, { width = WIDTH, height = HEIGHT, quiet = 4, dark = 16, light = 235, modulePx = null } = {}) {
  const y = Buffer.alloc(width * height, light);
  if (text === null) {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff;
    const block = 6;
    for (let by = 0; by < height; by += block) {
      for (let bx = 0; bx < width; bx += block) {
        const v = rand();
        for (let dy = 0; dy < block && by + dy < height; dy++) y.fill(v, (by + dy) * width + bx, (by + dy) * width + Math.min(bx + block, width));
      }
    }
    return y;
  }
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  if (modulePx !== null) {
    const x0 = Math.floor((width - n * modulePx) / 2);
    const y0 = Math.floor((height - n * modulePx) / 2);
    const darkAt = (u, v) => u >= 0 && v >= 0 && u < n && v < n && qr.modules.get(Math.floor(v), Math.floor(u));
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        let acc = 0;
        for (let sy = 0; sy < 4; sy++) {
          for (let sx = 0; sx < 4; sx++) {
            const u = (px + (sx + 0.5) / 4 - x0) / modulePx;
            const v = (py + (sy + 0.5) / 4 - y0) / modulePx;
            acc += darkAt(u, v) ? dark : light;
          }
        }
        y[py * width + px] = Math.round(acc / 16);
      }
    }
    return y;
  }
  const total = n + 2 * quiet;
  const px = Math.floor((Math.min(width, height) - 40) / total);
  const x0 = Math.floor((width - total * px) / 2) + quiet * px;
  const y0 = Math.floor((height - total * px) / 2) + quiet * px;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < px; dy++) {
        y.fill(dark, (y0 + r * px + dy) * width + x0 + c * px, (y0 + r * px + dy) * width + x0 + (c + 1) * px);
      }
    }
  }
  return y;
}

/** Writes a y4m file of `frames` identical frames of `text` (null: no code, noise); `look`
 *  goes to `qrLuma` (e.g. `{ modulePx: 1.7 }`). */
export function writeQrVideo(path, text, { frames = 10, ...look } = {}) {
  return writeLumaVideo(path, qrLuma(text, look), frames);
}

/** Writes a y4m file of `frames` identical frames of a WIDTH×HEIGHT luma plane (e.g. a
 *  screenshot of a phone screen, see `screenLuma`). */
export function writeLumaVideo(path, luma, frames = 10) {
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma]);
  writeFileSync(path, Buffer.concat([header, ...Array(frames).fill(frame)]));
  return path;
}

/** A screenshot of the QR code an element of `page` shows (its SVG, drawn as the phone
 *  screen draws it), as a WIDTH×HEIGHT luma plane: what a camera pointed at that screen sees. */
export async function screenLuma(page, selector) {
  const bytes = await page.evaluate(
    async ({ selector, width, height }) => {
      const svg = document.querySelector(selector).innerHTML;
      const img = new Image();
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, width, height);
      const side = height - 40;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, (width - side) / 2, 20, side, side);
      const { data } = ctx.getImageData(0, 0, width, height);
      const luma = new Array(width * height);
      for (let i = 0; i < luma.length; i++) {
        luma[i] = Math.round(0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]);
      }
      return luma;
    },
    { selector, width: WIDTH, height: HEIGHT },
  );
  return Buffer.from(bytes);
}
