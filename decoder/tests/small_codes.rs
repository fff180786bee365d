//! Distant codes: a pass link (version 5, level M) rendered into a 640x480 camera frame at
//! 1.5-3 pixels per module, with area-averaged (grey) module edges as a camera gives them.
//!
//! Fast reads them from ~2.4 px per module: quirc's finder-pattern test truncated its
//! module estimate (2.5 px became 2) and rejected every finder pattern of such codes until
//! the test was done in quarter pixels. Below that, Thorough's enlarged centre view reads
//! them; the scanner decodes every 4th camera frame thoroughly for these.
#![allow(clippy::expect_used)]

use qrcode::{Color, EcLevel, QrCode};
use statuspass_decoder::{decode, decode_thorough, decode_with, Effort, GreyFrame};

const W: usize = 640;
const H: usize = 480;

/// `text` as a QR code of `px` pixels per module (fractional), centred, dark 16 on light
/// 235, each pixel the mean of 4x4 sub-samples.
fn frame(text: &str, px: f64) -> Vec<u8> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).expect("encodable");
    let n = code.width();
    let colors = code.to_colors();
    let x0 = ((W as f64 - n as f64 * px) / 2.0).floor();
    let y0 = ((H as f64 - n as f64 * px) / 2.0).floor();
    let mut luma = vec![235u8; W * H];
    for y in 0..H {
        for x in 0..W {
            let mut acc = 0.0f64;
            for sy in 0..4 {
                for sx in 0..4 {
                    let u = (x as f64 + (f64::from(sx) + 0.5) / 4.0 - x0) / px;
                    let v = (y as f64 + (f64::from(sy) + 0.5) / 4.0 - y0) / px;
                    let dark = u >= 0.0
                        && v >= 0.0
                        && (u as usize) < n
                        && (v as usize) < n
                        && colors[(v as usize) * n + u as usize] == Color::Dark;
                    acc += if dark { 16.0 } else { 235.0 };
                }
            }
            luma[y * W + x] = (acc / 16.0).round() as u8;
        }
    }
    luma
}

fn links() -> Vec<String> {
    (0..4u64)
        .map(|k| {
            format!(
                "http://127.0.0.1:{}/somc2/{:08x}-8f1f-4d0a-9a4e-{:012x}",
                40_000 + k * 37,
                k.wrapping_mul(2_654_435_761) & 0xffff_ffff,
                k * 0x009e_3779_b97f
            )
        })
        .collect()
}

#[test]
fn fast_reads_codes_of_two_and_a_half_pixels_per_module() {
    for px in [2.4, 2.5, 2.7, 2.8, 3.0] {
        for text in links() {
            let luma = frame(&text, px);
            let got = decode(&GreyFrame::new(W, H, &luma));
            assert_eq!(got, vec![text.clone()], "{px} px per module: {text}");
        }
    }
}

#[test]
fn thorough_reads_codes_of_one_and_a_half_pixels_per_module() {
    for px in [1.5, 1.7] {
        for text in links() {
            let luma = frame(&text, px);
            let got = decode_thorough(&GreyFrame::new(W, H, &luma));
            assert_eq!(got, vec![text.clone()], "{px} px per module: {text}");
        }
    }
}

/// The table of the README ("Distant codes"): links read (of 4) per module size and effort.
#[test]
#[ignore = "table: cargo test -p statuspass-decoder --release --test small_codes -- --ignored --nocapture"]
fn small_code_table() {
    let sizes = [
        1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0,
    ];
    for (name, effort) in [("Fast", Effort::Fast), ("Thorough", Effort::Thorough)] {
        let row: Vec<String> = sizes
            .iter()
            .map(|&px| {
                let mut n = 0;
                for text in links() {
                    let luma = frame(&text, px);
                    n += usize::from(
                        decode_with(&GreyFrame::new(W, H, &luma), effort) == vec![text.clone()],
                    );
                }
                format!("{px}:{n}")
            })
            .collect();
        println!("{name}: {}", row.join(" "));
    }
}
