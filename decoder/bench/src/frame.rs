//! decode-frame: decode one frame (an image file, or a synthetic frame without a code)
//! a number of times, for instruction counts under `valgrind --tool=callgrind`.
//!
//! ```text
//! cargo run --release --bin decode-frame -- (IMAGE | --noqr | --flat) [--width N]
//!     [--thorough] [--repeat N] [--diagnose] [--invert] [--save OUT.png]
//! valgrind --tool=callgrind --toggle-collect=decode_frame::run_decode \
//!     target/release/decode-frame --noqr
//! ```
//!
//! `--noqr` is a deterministic 640x480 "camera frame" without a QR code, in the spirit of
//! the browser benchmark's no-QR scene: a shaded background, boxes, ellipses, lines, rows
//! of glyph-like strokes and sensor noise. `--flat` is a flat grey 640x480 frame. Only
//! `run_decode` (the decoder calls) is meant to be counted.

use std::process::ExitCode;
use std::time::Instant;

use statuspass_decoder::{decode_with, diagnose, Effort, GreyFrame};

struct Rng(u32);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        f64::from(self.0) / 4_294_967_296.0
    }
}

/// The synthetic no-QR scene (640x480 luma).
fn noqr_frame(w: usize, h: usize, seed: u32) -> Vec<u8> {
    let mut r = Rng(seed);
    let mut px = vec![0f64; w * h];
    for y in 0..h {
        for x in 0..w {
            let t = (x as f64 / w as f64 + y as f64 / h as f64) / 2.0;
            px[y * w + x] = 170.0 * (1.0 - t) + 70.0 * t;
        }
    }
    let fill = |px: &mut Vec<f64>, x0: f64, y0: f64, x1: f64, y1: f64, v: f64| {
        let (xa, xb) = (x0.max(0.0) as usize, (x1.min(w as f64)) as usize);
        let (ya, yb) = (y0.max(0.0) as usize, (y1.min(h as f64)) as usize);
        for y in ya..yb {
            for x in xa..xb {
                px[y * w + x] = v;
            }
        }
    };
    for _ in 0..40 {
        let v = r.next() * 255.0;
        let (cx, cy) = (r.next() * w as f64, r.next() * h as f64);
        if r.next() < 0.5 {
            let (bw, bh) = (10.0 + r.next() * 150.0, 10.0 + r.next() * 120.0);
            fill(&mut px, cx, cy, cx + bw, cy + bh, v);
        } else {
            let (rx, ry) = (5.0 + r.next() * 70.0, 5.0 + r.next() * 70.0);
            for y in 0..h {
                for x in 0..w {
                    let (dx, dy) = ((x as f64 - cx) / rx, (y as f64 - cy) / ry);
                    if dx * dx + dy * dy <= 1.0 {
                        px[y * w + x] = v;
                    }
                }
            }
        }
    }
    for _ in 0..30 {
        let v = r.next() * 255.0;
        let lw = 1.0 + r.next() * 6.0;
        let (x0, y0, x1, y1) = (
            r.next() * w as f64,
            r.next() * h as f64,
            r.next() * w as f64,
            r.next() * h as f64,
        );
        let n = ((x1 - x0).hypot(y1 - y0)) as usize + 1;
        for i in 0..=n {
            let t = i as f64 / n as f64;
            let (x, y) = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
            fill(
                &mut px,
                x - lw / 2.0,
                y - lw / 2.0,
                x + lw / 2.0,
                y + lw / 2.0,
                v,
            );
        }
    }
    // Text: rows of glyph-like strokes (vertical and horizontal bars, dots).
    for _ in 0..14 {
        let v = if r.next() < 0.7 { 17.0 } else { 244.0 };
        let size = 10.0 + (r.next() * 30.0).floor();
        let stroke = (size / 8.0).max(1.0);
        let (mut x, y) = (
            r.next() * w as f64 * 0.6,
            20.0 + r.next() * (h as f64 - 20.0),
        );
        let glyphs = 15 + (r.next() * 30.0) as usize;
        for _ in 0..glyphs {
            let gw = size * (0.4 + r.next() * 0.3);
            if r.next() < 0.15 {
                x += gw;
                continue;
            }
            for _ in 0..(1 + (r.next() * 3.0) as usize) {
                if r.next() < 0.5 {
                    let gx = x + r.next() * (gw - stroke);
                    fill(&mut px, gx, y - size * 0.7, gx + stroke, y, v);
                } else {
                    let gy = y - r.next() * size * 0.7;
                    fill(&mut px, x, gy, x + gw, gy + stroke, v);
                }
            }
            x += gw + stroke;
        }
    }
    px.iter()
        .map(|&v| {
            let n = (r.next() + r.next() + r.next() - 1.5) * 16.0;
            (v + n).clamp(0.0, 255.0) as u8
        })
        .collect()
}

#[inline(never)]
fn run_decode(frame: &GreyFrame, effort: Effort, repeat: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..repeat {
        out = decode_with(frame, effort);
    }
    out
}

fn main() -> ExitCode {
    let mut src = None;
    let mut width: Option<u32> = None;
    let mut effort = Effort::Fast;
    let mut repeat = 1usize;
    let mut save = None;
    let mut diag = false;
    let mut invert = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--thorough" => effort = Effort::Thorough,
            "--fast" => effort = Effort::Fast,
            "--width" => width = it.next().and_then(|n| n.parse().ok()),
            "--repeat" => repeat = it.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            "--save" => save = it.next(),
            "--diagnose" => diag = true,
            "--invert" => invert = true,
            s => src = Some(s.to_string()),
        }
    }
    let (w, h, luma) = match src.as_deref() {
        Some("--noqr") => (640, 480, noqr_frame(640, 480, 12345)),
        Some("--flat") => (640, 480, vec![128u8; 640 * 480]),
        Some(path) => {
            let img = match image::open(path) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let img = match width {
                Some(nw) if nw != img.width() => {
                    let nh = ((u64::from(img.height()) * u64::from(nw))
                        / u64::from(img.width().max(1)))
                    .max(1);
                    img.resize_exact(nw, nh as u32, image::imageops::FilterType::Triangle)
                }
                _ => img,
            };
            let g = img.to_luma8();
            (g.width() as usize, g.height() as usize, g.into_raw())
        }
        None => {
            eprintln!("usage: decode-frame (IMAGE | --noqr | --flat) [--width N] [--thorough] [--repeat N] [--diagnose] [--invert] [--save OUT.png]");
            return ExitCode::FAILURE;
        }
    };
    let luma: Vec<u8> = if invert {
        luma.iter().map(|&v| 255 - v).collect()
    } else {
        luma
    };
    if let Some(out) = save {
        if let Some(img) = image::GrayImage::from_raw(w as u32, h as u32, luma.clone()) {
            if let Err(e) = img.save(&out) {
                eprintln!("{out}: {e}");
            }
        }
    }
    let frame = GreyFrame::new(w, h, &luma);
    if diag {
        for line in diagnose(&frame, effort) {
            println!("  {line}");
        }
    }
    let t = Instant::now();
    let texts = run_decode(&frame, effort, repeat.max(1));
    let ms = t.elapsed().as_secs_f64() * 1000.0 / repeat.max(1) as f64;
    println!("{w}x{h} {ms:.2} ms/decode texts={texts:?}");
    ExitCode::SUCCESS
}
