//! Behaviour on synthetic codes generated with the `qrcode` crate (no corpus needed).

#![allow(clippy::unwrap_used)] // test helpers

use statuspass_decoder::{decode, decode_thorough, decode_with, Effort, GreyFrame};

const URL: &str = "https://pass.example.org/p/4f7c2a9e-1b3d-4c5e-8f60-7a1b2c3d4e5f";

/// Module matrix of a QR code for `text` (true = dark).
fn modules(text: &str) -> (usize, Vec<bool>) {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    (
        code.width(),
        code.to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    )
}

struct Img {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Img {
    fn frame(&self) -> GreyFrame<'_> {
        GreyFrame::new(self.w, self.h, &self.px)
    }
}

/// Render with `scale` px per module, a 4-module quiet zone, dark = `ink`, light = `paper`,
/// optionally rotated by `angle` degrees around the image centre.
fn render(text: &str, scale: f64, ink: u8, paper: u8, angle: f64) -> Img {
    let (n, m) = modules(text);
    let quiet = 4.0;
    let side =
        ((n as f64 + 2.0 * quiet) * scale * if angle == 0.0 { 1.0 } else { 1.45 }).ceil() as usize;
    let c = side as f64 / 2.0;
    let (sin, cos) = angle.to_radians().sin_cos();
    let mut px = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            // inverse rotation, then to module coordinates
            let dx = x as f64 + 0.5 - c;
            let dy = y as f64 + 0.5 - c;
            let u = cos * dx + sin * dy;
            let v = -sin * dx + cos * dy;
            let mx = u / scale + n as f64 / 2.0;
            let my = v / scale + n as f64 / 2.0;
            let dark = mx >= 0.0
                && my >= 0.0
                && (mx as usize) < n
                && (my as usize) < n
                && m[my as usize * n + mx as usize];
            px.push(if dark { ink } else { paper });
        }
    }
    Img {
        w: side,
        h: side,
        px,
    }
}

/// Deterministic xorshift noise in [-amp, amp].
fn add_noise(img: &mut Img, amp: i32) {
    let mut s: u32 = 0x9E37_79B9;
    for p in img.px.iter_mut() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let n = (s % (2 * amp as u32 + 1)) as i32 - amp;
        *p = (i32::from(*p) + n).clamp(0, 255) as u8;
    }
}

/// Box blur with radius r.
fn blur(img: &Img, r: usize) -> Img {
    let mut px = vec![0u8; img.px.len()];
    for y in 0..img.h {
        for x in 0..img.w {
            let (mut s, mut c) = (0u32, 0u32);
            for yy in y.saturating_sub(r)..(y + r + 1).min(img.h) {
                for xx in x.saturating_sub(r)..(x + r + 1).min(img.w) {
                    s += u32::from(img.px[yy * img.w + xx]);
                    c += 1;
                }
            }
            px[y * img.w + x] = (s / c) as u8;
        }
    }
    Img {
        w: img.w,
        h: img.h,
        px,
    }
}

/// Paste `img` into a larger canvas of `paper` at (x0, y0).
fn embed(img: &Img, w: usize, h: usize, x0: usize, y0: usize, paper: u8) -> Img {
    let mut px = vec![paper; w * h];
    for y in 0..img.h {
        for x in 0..img.w {
            px[(y + y0) * w + x + x0] = img.px[y * img.w + x];
        }
    }
    Img { w, h, px }
}

#[test]
fn clean_code_decodes_at_several_scales() {
    for scale in [2.0, 3.0, 4.0, 6.0, 10.0] {
        let img = render(URL, scale, 0, 255, 0.0);
        assert_eq!(decode(&img.frame()), vec![URL.to_string()], "scale {scale}");
    }
}

#[test]
fn fractional_and_tiny_scales_decode_when_trying_harder() {
    for scale in [1.5, 2.5, 3.7] {
        let img = render(URL, scale, 0, 255, 0.0);
        assert_eq!(
            decode_thorough(&img.frame()),
            vec![URL.to_string()],
            "scale {scale}"
        );
    }
}

#[test]
fn inverted_code_decodes() {
    let img = render(URL, 4.0, 255, 0, 0.0);
    assert_eq!(decode(&img.frame()), vec![URL.to_string()]);
}

#[test]
fn noisy_code_decodes() {
    let mut img = render(URL, 4.0, 20, 235, 0.0);
    add_noise(&mut img, 60);
    assert_eq!(decode(&img.frame()), vec![URL.to_string()]);
}

#[test]
fn low_contrast_code_decodes() {
    // A dim screen: 30 grey levels between ink and paper.
    let img = render(URL, 4.0, 110, 140, 0.0);
    assert_eq!(decode(&img.frame()), vec![URL.to_string()]);
}

#[test]
fn blurred_code_decodes() {
    let img = blur(&render(URL, 5.0, 0, 255, 0.0), 2);
    assert_eq!(decode(&img.frame()), vec![URL.to_string()]);
}

#[test]
fn rotated_code_decodes() {
    for angle in [30.0, 90.0, 200.0] {
        let img = render(URL, 4.0, 0, 255, angle);
        assert_eq!(decode(&img.frame()), vec![URL.to_string()], "angle {angle}");
    }
}

#[test]
fn small_code_in_large_frame_decodes() {
    // 640x480 camera frame, code off-centre, 3 px per module.
    let code = render(URL, 3.0, 30, 220, 0.0);
    let img = embed(&code, 640, 480, 400, 200, 200);
    assert_eq!(decode(&img.frame()), vec![URL.to_string()]);
}

#[test]
fn two_codes_in_one_frame_are_both_returned() {
    let a = render("first code", 4.0, 0, 255, 0.0);
    let b = render("second code", 4.0, 0, 255, 0.0);
    let mut img = embed(&a, a.w + b.w + 20, a.h.max(b.h), 0, 0, 255);
    for y in 0..b.h {
        for x in 0..b.w {
            img.px[y * img.w + a.w + 20 + x] = b.px[y * b.w + x];
        }
    }
    let mut got = decode(&img.frame());
    got.sort();
    assert_eq!(
        got,
        vec!["first code".to_string(), "second code".to_string()]
    );
}

#[test]
fn non_ascii_payload_roundtrips() {
    let text = "Pass für Zoë — 測試";
    let img = render(text, 4.0, 0, 255, 0.0);
    assert_eq!(decode(&img.frame()), vec![text.to_string()]);
}

#[test]
fn blank_and_non_qr_frames_decode_to_nothing() {
    let white = vec![255u8; 320 * 240];
    assert!(decode_with(&GreyFrame::new(320, 240, &white), Effort::Thorough).is_empty());
    // Stripes and checkerboards are full of 1:1 runs but contain no code.
    let stripes: Vec<u8> = (0..320 * 240)
        .map(|i| if (i % 320) / 7 % 2 == 0 { 0 } else { 255 })
        .collect();
    assert!(decode_with(&GreyFrame::new(320, 240, &stripes), Effort::Thorough).is_empty());
    let checker: Vec<u8> = (0..320 * 240)
        .map(|i| {
            if ((i % 320) / 5 + (i / 320) / 5) % 2 == 0 {
                0
            } else {
                255
            }
        })
        .collect();
    assert!(decode_with(&GreyFrame::new(320, 240, &checker), Effort::Thorough).is_empty());
}
