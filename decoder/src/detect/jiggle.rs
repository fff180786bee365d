//! Perspective refinement ("jiggle"): quirc's hill climbing of the 8 perspective
//! coefficients on a fitness score (timing, finder and alignment modules that should be
//! dark or light), on sample points precomputed once per grid size.
//!
//! In: a fitted [`GridLocation`] and its bitmap. Out: the refined grid (`None` if the
//! result is singular or lands far off the bitmap). Run only when the fitted grid fails.

use super::alignment::APAT;
use super::bitmap::{Bitmap, WHITE};
use super::geometry::Perspective;
use super::grid::GridLocation;

/// quirc's fitness score of a grid perspective, as a list of sample points: each module
/// that should look a certain way (timing patterns, finder patterns, alignment patterns)
/// contributes 3x3 points with the sign of its expected colour (+1 dark, -1 light). The
/// list depends only on the grid size, so the jiggle builds it once and re-maps it for
/// each of its ~80 candidate perspectives.
struct FitnessProbe {
    /// (u, v, expected sign) of each module's top-left corner, in module coordinates.
    cells: Vec<(f64, f64, i32)>,
    /// Sample offsets inside a module, per axis.
    offsets: &'static [f64],
}

impl FitnessProbe {
    fn new(size: usize, offsets: &'static [f64]) -> Self {
        let mut probe = FitnessProbe {
            cells: Vec::new(),
            offsets,
        };
        let gs = size as i32;
        let version = size.saturating_sub(17) / 4;
        let apat = &APAT[version.min(40)];
        for i in 0..(gs - 14) {
            let expect = if i & 1 != 0 { 1 } else { -1 };
            probe.cell(i + 7, 6, expect);
            probe.cell(6, i + 7, expect);
        }
        probe.capstone(0, 0);
        probe.capstone(gs - 7, 0);
        probe.capstone(0, gs - 7);
        let n = apat.iter().take_while(|&&a| a != 0).count();
        let inner = apat.get(1..n).unwrap_or(&[]);
        // Alignment patterns on the timing rows/columns (not the ones next to capstones).
        for &a in inner.iter().take(inner.len().saturating_sub(1)) {
            probe.apat(6, i32::from(a));
            probe.apat(i32::from(a), 6);
        }
        for &a in inner {
            for &b in inner {
                probe.apat(i32::from(a), i32::from(b));
            }
        }
        probe
    }

    fn cell(&mut self, x: i32, y: i32, sign: i32) {
        self.cells.push((f64::from(x), f64::from(y), sign));
    }

    fn ring(&mut self, cx: i32, cy: i32, r: i32, sign: i32) {
        for i in 0..(r * 2) {
            self.cell(cx - r + i, cy - r, sign);
            self.cell(cx - r, cy + r - i, sign);
            self.cell(cx + r, cy - r + i, sign);
            self.cell(cx + r - i, cy + r, sign);
        }
    }

    fn apat(&mut self, cx: i32, cy: i32) {
        self.cell(cx, cy, 1);
        self.ring(cx, cy, 1, -1);
        self.ring(cx, cy, 2, 1);
    }

    fn capstone(&mut self, x: i32, y: i32) {
        self.cell(x + 3, y + 3, 1);
        self.ring(x + 3, y + 3, 1, 1);
        self.ring(x + 3, y + 3, 2, -1);
        self.ring(x + 3, y + 3, 3, 1);
    }

    /// Sum over the points that land inside the bitmap: +sign when the pixel is dark,
    /// -sign when it is light. The numerators and the denominator of the perspective are
    /// linear in (u, v): each cell's corner is mapped once and its points add the
    /// offsets' precomputed terms (exact, one division per point as before, a third of
    /// the multiplications).
    fn score(&self, img: &Bitmap, p: &Perspective) -> i32 {
        let c = &p.0;
        let (w, h) = (img.w as f64, img.h as f64);
        // (dx, dy, dden) per sample offset inside a module; at most 3x3 offsets.
        let mut subs = [(0.0f64, 0.0f64, 0.0f64); 9];
        let mut n = 0;
        for &dv in self.offsets {
            for &du in self.offsets {
                if let Some(s) = subs.get_mut(n) {
                    *s = (
                        c[0] * du + c[1] * dv,
                        c[3] * du + c[4] * dv,
                        c[6] * du + c[7] * dv,
                    );
                    n += 1;
                }
            }
        }
        let subs = subs.get(..n).unwrap_or(&[]);
        let mut score = 0;
        for &(u, v, sign) in &self.cells {
            let x0 = c[0] * u + c[1] * v + c[2];
            let y0 = c[3] * u + c[4] * v + c[5];
            let d0 = c[6] * u + c[7] * v + 1.0;
            for &(dx, dy, dd) in subs {
                let r = 1.0 / (d0 + dd);
                // The pixel is (floor(x + 0.5), floor(y + 0.5)) as in `map`; it is inside
                // the bitmap exactly when 0 <= x + 0.5 < w (NaN fails the test).
                let x = (x0 + dx) * r + 0.5;
                let y = (y0 + dy) * r + 0.5;
                if x >= 0.0 && y >= 0.0 && x < w && y < h {
                    // Below w, h <= 4096 here: the cast to i32 is exact and cheaper than
                    // one to usize (no unsigned 64-bit conversion on baseline x86-64).
                    let (xi, yi) = (x as i32 as usize, y as i32 as usize);
                    let dark = img.px.get(yi * img.w + xi) != Some(&WHITE);
                    score += if dark { sign } else { -sign };
                }
            }
        }
        score
    }
}

/// Pattern modules above which the fitness scores one point per module.
const MANY_CELLS: usize = 600;

/// Passes of the jiggle. quirc does 5; the 5th (steps of 0.125% of each coefficient)
/// decoded nothing more on the corpus, in Fast or Thorough, at full size or 640 px.
const JIGGLE_PASSES: usize = 4;

/// quirc's perspective refinement: coordinate-wise hill climbing of the 8 coefficients on
/// the fitness score, [`JIGGLE_PASSES`] passes with halving steps (2% of each
/// coefficient first). The first `coarse_passes` score one point per module instead of
/// 3x3 (9x cheaper; the big early steps do not need the fine score).
fn jiggle_perspective(
    img: &Bitmap,
    mut p: Perspective,
    size: usize,
    coarse_passes: usize,
) -> Perspective {
    let mut fine = FitnessProbe::new(size, &[0.3, 0.5, 0.7]);
    // Large versions have hundreds of pattern modules (a version 40 grid ~1600): one
    // point per module is a score as well founded as 3x3 points of a small version, at a
    // ninth of the cost (the jiggle of a version 40 grid was ~34M instructions).
    if fine.cells.len() > MANY_CELLS {
        fine.offsets = &[0.5];
    }
    let coarse = (coarse_passes > 0).then(|| FitnessProbe::new(size, &[0.5]));
    let probe_for = |pass: usize| match &coarse {
        Some(c) if pass < coarse_passes => c,
        _ => &fine,
    };
    let dom = size as f64 + 1.0;
    let mut best = probe_for(0).score(img, &p);
    let mut adjustments = p.0.map(|c| c * 0.02);
    for pass in 0..JIGGLE_PASSES {
        let probe = probe_for(pass);
        if pass > 0 && pass == coarse_passes {
            // Scores of the two probes are not comparable: rescore on switching.
            best = probe.score(img, &p);
        }
        for (j, &step) in adjustments.iter().enumerate() {
            // Try the coefficient lowered, then raised (quirc's order). After a lowering
            // that improved, raising would only come back to the point just left, whose
            // score is lower: skip that evaluation.
            for delta in [-step, step] {
                let old = p.0[j];
                p.0[j] = old + delta;
                if p.regular_on(dom, dom) {
                    let test = probe.score(img, &p);
                    if test > best {
                        best = test;
                        break;
                    }
                }
                p.0[j] = old;
            }
        }
        for a in adjustments.iter_mut() {
            *a *= 0.5;
        }
    }
    p
}

/// The grid with its perspective refined by quirc's fitness jiggle (the same grid when
/// it already is). The jiggle costs far more than sampling and decoding a grid, so the
/// pipeline first tries the grid as fitted and refines only when that fails.
pub fn refined(img: &Bitmap, loc: &GridLocation, coarse_passes: usize) -> Option<GridLocation> {
    if loc.refined {
        return Some(loc.clone());
    }
    let dom = loc.size as f64 + 1.0;
    let c = jiggle_perspective(img, loc.c.clone(), loc.size, coarse_passes);
    if !c.regular_on(dom, dom) {
        return None;
    }
    let out = GridLocation {
        c,
        refined: true,
        ..loc.clone()
    };
    out.lands_near(img).then_some(out)
}
