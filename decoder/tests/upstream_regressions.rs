//! Degenerate-geometry inputs for the detector (see `UPSTREAM.md`).
//!
//! The images are synthetic: three finder patterns drawn through random, often degenerate,
//! quadrilaterals plus random modules (`finders_image(seed)`), i.e. the situation in which
//! stock rqrr's `detect_grids` reaches `assert!(x <= i32::MAX as f64)` on real photos.
//! `search_rqrr_panics` (ignored) looks for seeds on which *stock* rqrr panics; any seed it
//! finds goes into `PANIC_SEEDS`, where the test checks that stock rqrr still panics (so the
//! case keeps its point) and that our pipeline does not. So far (20 000 seeds, debug and
//! release, plus ~106 000 libFuzzer runs of the `rqrr_upstream` target) none was found.

use std::panic::{catch_unwind, AssertUnwindSafe};

use statuspass_decoder::{decode_plain, decode_with, Effort, GreyFrame};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn f(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

const SIDE: usize = 160;

/// Map (u, v) in [0,1]^2 bilinearly onto quad q (TL, TR, BR, BL).
fn bilerp(q: &[(f64, f64); 4], u: f64, v: f64) -> (f64, f64) {
    let top = (
        q[0].0 + (q[1].0 - q[0].0) * u,
        q[0].1 + (q[1].1 - q[0].1) * u,
    );
    let bot = (
        q[3].0 + (q[2].0 - q[3].0) * u,
        q[3].1 + (q[2].1 - q[3].1) * u,
    );
    (top.0 + (bot.0 - top.0) * v, top.1 + (bot.1 - top.1) * v)
}

/// 160x160 image: white, random modules in the middle, three 7x7 finder patterns splatted
/// through jittered quads around the usual top-left / top-right / bottom-left positions.
fn finders_image(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut px = vec![255u8; SIDE * SIDE];
    let m = 4.0 + rng.f() * 4.0; // module size
    let n = 21.0 + 4.0 * (rng.next() % 4) as f64; // modules
    let o = 10.0;
    let jitter = rng.f() * 3.0 * m;
    // random data modules
    for my in 0..n as usize {
        for mx in 0..n as usize {
            if rng.next().is_multiple_of(2) {
                let (x0, y0) = (o + mx as f64 * m, o + my as f64 * m);
                for y in y0 as usize..(y0 + m) as usize {
                    for x in x0 as usize..(x0 + m) as usize {
                        if x < SIDE && y < SIDE {
                            px[y * SIDE + x] = 0;
                        }
                    }
                }
            }
        }
    }
    for (fx, fy) in [(0.0, 0.0), (n - 7.0, 0.0), (0.0, n - 7.0)] {
        let (x0, y0, s) = (o + fx * m, o + fy * m, 7.0 * m);
        let mut q = [(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s)];
        for c in q.iter_mut() {
            c.0 += (rng.f() - 0.5) * 2.0 * jitter;
            c.1 += (rng.f() - 0.5) * 2.0 * jitter;
        }
        // clear a separator, then draw the 7x7 pattern
        let steps = 200;
        for i in 0..=steps {
            for j in 0..=steps {
                let (u, v) = (i as f64 / steps as f64, j as f64 / steps as f64);
                let (cu, cv) = ((u * 9.0 - 1.0) as i32, (v * 9.0 - 1.0) as i32);
                let (x, y) = bilerp(&q, u * 9.0 / 7.0 - 1.0 / 7.0, v * 9.0 / 7.0 - 1.0 / 7.0);
                let ring = cu == 0 || cu == 6 || cv == 0 || cv == 6;
                let stone = (2..=4).contains(&cu) && (2..=4).contains(&cv);
                let inside = (0..7).contains(&cu) && (0..7).contains(&cv);
                let dark = inside && (ring || stone);
                if x >= 0.0 && y >= 0.0 && (x as usize) < SIDE && (y as usize) < SIDE {
                    px[y as usize * SIDE + x as usize] = if dark { 0 } else { 255 };
                }
            }
        }
    }
    px
}

/// Panic message of stock rqrr on this image, if it panics.
fn stock_rqrr_panic(px: &[u8]) -> Option<String> {
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(SIDE, SIDE, |x, y| px[y * SIDE + x]);
        for g in img.detect_grids() {
            let _ = g.decode();
        }
    }));
    r.err().map(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

/// Seeds on which stock rqrr panics (found with `search_rqrr_panics`).
const PANIC_SEEDS: &[u64] = &[];

/// Our entry points on one image; `Err` if anything panicked.
fn ours(px: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let f = GreyFrame::new(SIDE, SIDE, px);
        let _ = decode_with(&f, Effort::Thorough);
        let _ = decode_plain(&f);
    }))
    .map_err(|e| format!("{e:?}"))
}

#[test]
fn stock_rqrr_panics_and_we_do_not() {
    for &seed in PANIC_SEEDS {
        let px = finders_image(seed);
        assert!(
            stock_rqrr_panic(&px).is_some(),
            "seed {seed}: stock rqrr no longer panics"
        );
        assert_eq!(ours(&px), Ok(()), "seed {seed}");
    }
}

#[test]
fn degenerate_finder_geometry_never_panics() {
    let start = std::time::Instant::now();
    for seed in 0..40 {
        let px = finders_image(seed);
        assert_eq!(ours(&px), Ok(()), "seed {seed}");
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(120));
}

#[test]
#[ignore = "search tool: cargo test -p statuspass-decoder --test upstream_regressions -- --ignored --nocapture"]
fn search_rqrr_panics() {
    std::panic::set_hook(Box::new(|_| {}));
    let mut found = 0;
    for seed in 0..20_000u64 {
        let px = finders_image(seed);
        if let Some(msg) = stock_rqrr_panic(&px) {
            println!("seed {seed}: {msg}");
            found += 1;
            if found >= 10 {
                break;
            }
        }
    }
    let _ = std::panic::take_hook();
}
