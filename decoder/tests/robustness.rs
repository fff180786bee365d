//! Never panic, never hang: arbitrary buffers and claimed sizes.

use std::time::{Duration, Instant};

use statuspass_decoder::{decode, decode_plain, decode_with, Effort, GreyFrame, MAX_FRAME_PIXELS};

fn all_entry_points(w: usize, h: usize, luma: &[u8]) -> Vec<String> {
    let f = GreyFrame::new(w, h, luma);
    let mut out = decode(&f);
    out.extend(decode_with(&f, Effort::Thorough));
    out.extend(decode_plain(&f));
    out
}

#[test]
fn inconsistent_or_degenerate_sizes_return_empty() {
    let buf = vec![0u8; 1000];
    for (w, h, len) in [
        (0, 0, 0),
        (0, 10, 0),
        (10, 0, 0),
        (1, 1, 1),
        (20, 20, 400),  // below the 21 px minimum
        (31, 31, 1000), // len != w*h
        (10, 100, 999), // one byte short
        (usize::MAX, 2, 1000),
        (usize::MAX, usize::MAX, 1000),
        (1 << 40, 1 << 40, 0),
    ] {
        let t = Instant::now();
        assert!(
            all_entry_points(w, h, &buf[..len]).is_empty(),
            "{w}x{h} len {len}"
        );
        assert!(t.elapsed() < Duration::from_secs(1));
    }
}

#[test]
fn frames_above_the_pixel_cap_are_refused_cheaply() {
    // A consistent 8193x8193 frame is just above the cap: refused before any work.
    let side = 8193;
    const { assert!(8193 * 8193 > MAX_FRAME_PIXELS) };
    let luma = vec![0u8; side * side]; // calloc'd, never touched by the decoder
    let f = GreyFrame::new(side, side, &luma);
    assert!(!f.is_valid());
    let t = Instant::now();
    assert!(all_entry_points(side, side, &luma).is_empty());
    assert!(t.elapsed() < Duration::from_secs(1));
}

#[test]
fn extreme_aspect_ratios_do_not_panic() {
    let buf = vec![0u8; 21 * 20000];
    assert!(all_entry_points(21, 20000, &buf).is_empty());
    assert!(all_entry_points(20000, 21, &buf).is_empty());
    let buf: Vec<u8> = (0..3 * 100_000).map(|i| (i * 37 % 251) as u8).collect();
    assert!(all_entry_points(100_000, 3, &buf).is_empty());
}

#[test]
fn pseudo_random_content_returns_in_bounded_time() {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    for round in 0..12 {
        let w = 21 + (next() % 300) as usize;
        let h = 21 + (next() % 300) as usize;
        // Mix of white noise, blocky noise (large regions, many capstone-like runs) and
        // saturated frames.
        let block = 1 + (next() % 9) as usize;
        let seeds: Vec<u8> = (0..(w / block + 1) * (h / block + 1))
            .map(|_| next() as u8)
            .collect();
        let luma: Vec<u8> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                match round % 3 {
                    0 => next() as u8,
                    1 => seeds[(y / block) * (w / block + 1) + x / block] & 0x80,
                    _ => {
                        if seeds[(y / block) * (w / block + 1) + x / block] > 128 {
                            255
                        } else {
                            0
                        }
                    }
                }
            })
            .collect();
        let t = Instant::now();
        let _ = all_entry_points(w, h, &luma);
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "round {round} {w}x{h}"
        );
    }
}

#[test]
fn large_frame_is_downscaled_not_refused() {
    // 4000x3000 (12 Mpx) flat frame: valid, processed on a shrunk copy, quick.
    let luma = vec![200u8; 4000 * 3000];
    let f = GreyFrame::new(4000, 3000, &luma);
    assert!(f.is_valid());
    let t = Instant::now();
    assert!(decode(&f).is_empty());
    assert!(t.elapsed() < Duration::from_secs(20));
}
