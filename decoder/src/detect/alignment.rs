//! Alignment patterns: quirc's spiral search for the pattern that fixes a grid's fourth
//! corner, and (Thorough) the local warp: every alignment pattern searched around where
//! the perspective puts it, the displacements interpolated bilinearly in between.
//!
//! In: a seed point and two capstones / a fitted [`GridLocation`]. Out: the pattern's
//! position / the same grid with a [`Warp`] (`None` when nothing moved).

use super::bitmap::{Bitmap, Region, MAX_SIDE, WHITE};
use super::finder::CapStone;
use super::geometry::{Perspective, Point};
use super::grid::GridLocation;

/// Alignment pattern centres per version (index = version, 0 unused).
pub(crate) const APAT: [[u8; 7]; 41] = [
    [0; 7],
    [0, 0, 0, 0, 0, 0, 0],
    [6, 18, 0, 0, 0, 0, 0],
    [6, 22, 0, 0, 0, 0, 0],
    [6, 26, 0, 0, 0, 0, 0],
    [6, 30, 0, 0, 0, 0, 0],
    [6, 34, 0, 0, 0, 0, 0],
    [6, 22, 38, 0, 0, 0, 0],
    [6, 24, 42, 0, 0, 0, 0],
    [6, 26, 46, 0, 0, 0, 0],
    [6, 28, 50, 0, 0, 0, 0],
    [6, 30, 54, 0, 0, 0, 0],
    [6, 32, 58, 0, 0, 0, 0],
    [6, 34, 62, 0, 0, 0, 0],
    [6, 26, 46, 66, 0, 0, 0],
    [6, 26, 48, 70, 0, 0, 0],
    [6, 26, 50, 74, 0, 0, 0],
    [6, 30, 54, 78, 0, 0, 0],
    [6, 30, 56, 82, 0, 0, 0],
    [6, 30, 58, 86, 0, 0, 0],
    [6, 34, 62, 90, 0, 0, 0],
    [6, 28, 50, 72, 92, 0, 0],
    [6, 26, 50, 74, 98, 0, 0],
    [6, 30, 54, 78, 102, 0, 0],
    [6, 28, 54, 80, 106, 0, 0],
    [6, 32, 58, 84, 110, 0, 0],
    [6, 30, 58, 86, 114, 0, 0],
    [6, 34, 62, 90, 118, 0, 0],
    [6, 26, 50, 74, 98, 122, 0],
    [6, 30, 54, 78, 102, 126, 0],
    [6, 26, 52, 78, 104, 130, 0],
    [6, 30, 56, 82, 108, 134, 0],
    [6, 34, 60, 86, 112, 138, 0],
    [6, 30, 58, 86, 114, 142, 0],
    [6, 34, 62, 90, 118, 146, 0],
    [6, 30, 54, 78, 102, 126, 150],
    [6, 24, 50, 76, 102, 128, 154],
    [6, 28, 54, 80, 106, 132, 158],
    [6, 32, 58, 84, 110, 136, 162],
    [6, 26, 54, 82, 110, 138, 166],
    [6, 30, 58, 86, 114, 142, 170],
];

pub(super) fn find_alignment_pattern(
    img: &mut Bitmap,
    mut seed: Point,
    c0: &CapStone,
    c2: &CapStone,
) -> Option<Point> {
    let (u, v) = c0.c.unmap(&seed);
    let a = c0.c.map(u, v + 1.0);
    let (u, v) = c2.c.unmap(&seed);
    let c = c2.c.map(u + 1.0, v);
    let size_estimate = ((i64::from(a.x) - i64::from(seed.x))
        * -(i64::from(c.y) - i64::from(seed.y))
        + (i64::from(a.y) - i64::from(seed.y)) * (i64::from(c.x) - i64::from(seed.x)))
    .unsigned_abs()
    .min(10_000) as usize;

    const DX: [i32; 4] = [1, 0, -1, 0];
    const DY: [i32; 4] = [0, -1, 0, 1];
    let mut dir = 0;
    let mut step = 1usize;
    while step * step < size_estimate * 100 {
        for _ in 0..step {
            if img.inside(seed) {
                let (x, y) = (seed.x as usize, seed.y as usize);
                if img.get(x, y) != WHITE {
                    if let Some(Region::Unclaimed { count, .. }) = img.get_region(x, y) {
                        if count >= size_estimate / 2 && count <= size_estimate * 2 {
                            return Some(seed);
                        }
                    }
                }
            }
            seed.x += DX[dir];
            seed.y += DY[dir];
        }
        dir = (dir + 1) % 4;
        if dir & 1 == 0 {
            step += 1;
        }
    }
    None
}

/// Displacements (in modules) measured at the alignment-pattern lattice and interpolated
/// bilinearly in between: a single perspective cannot follow curved paper or lens
/// distortion on larger codes.
#[derive(Debug, Clone)]
pub(super) struct Warp {
    /// Lattice coordinates (module units), increasing: the version's alignment positions.
    at: Vec<f64>,
    /// Displacement at each lattice point, row-major (`at.len()` squared).
    d: Vec<(f64, f64)>,
}

impl Warp {
    fn cell(&self, t: f64) -> (usize, f64) {
        let n = self.at.len();
        let mut i = 0;
        while i + 2 < n && self.at.get(i + 1).is_some_and(|&a| t > a) {
            i += 1;
        }
        let (a, b) = (
            self.at.get(i).copied().unwrap_or(0.0),
            self.at.get(i + 1).copied().unwrap_or(1.0),
        );
        let f = if b > a { (t - a) / (b - a) } else { 0.0 };
        (i, f.clamp(0.0, 1.0))
    }

    pub(super) fn displacement(&self, u: f64, v: f64) -> (f64, f64) {
        let n = self.at.len();
        let (i, fx) = self.cell(u);
        let (j, fy) = self.cell(v);
        let d = |x: usize, y: usize| self.d.get(y * n + x).copied().unwrap_or((0.0, 0.0));
        let (a, b, c, e) = (d(i, j), d(i + 1, j), d(i, j + 1), d(i + 1, j + 1));
        let lerp = |p: f64, q: f64, f: f64| p + (q - p) * f;
        (
            lerp(lerp(a.0, b.0, fx), lerp(c.0, e.0, fx), fy),
            lerp(lerp(a.1, b.1, fx), lerp(c.1, e.1, fx), fy),
        )
    }
}

/// Scores shifts of the 5x5 alignment pattern centred on module (`cx`, `cy`): +1 per
/// sample of the expected colour, -1 otherwise (3x3 samples per module). The perspective
/// is replaced by its local affine approximation at the pattern (over the +-4 modules
/// sampled, the error is a small fraction of a module even on strongly tilted codes):
/// the search scores 169 shifts of 225 samples per pattern, and a division per sample
/// made it the costliest step of a failed grid.
struct ApatMatcher<'a> {
    img: &'a Bitmap,
    origin: (f64, f64),
    du: (f64, f64),
    dv: (f64, f64),
}

impl<'a> ApatMatcher<'a> {
    fn new(img: &'a Bitmap, p: &Perspective, cx: f64, cy: f64) -> Option<Self> {
        let origin = p.map_f(cx, cy);
        let (r, l) = (p.map_f(cx + 1.0, cy), p.map_f(cx - 1.0, cy));
        let (d, u) = (p.map_f(cx, cy + 1.0), p.map_f(cx, cy - 1.0));
        let du = ((r.0 - l.0) / 2.0, (r.1 - l.1) / 2.0);
        let dv = ((d.0 - u.0) / 2.0, (d.1 - u.1) / 2.0);
        // Bounded, so that the fixed-point sample positions below fit an i32.
        let lim = MAX_SIDE as f64;
        let fits = |v: f64, l: f64| v.is_finite() && v.abs() <= l;
        (fits(origin.0, 2.0 * lim)
            && fits(origin.1, 2.0 * lim)
            && [du.0, du.1, dv.0, dv.1].iter().all(|&c| fits(c, lim / 8.0)))
        .then_some(ApatMatcher {
            img,
            origin,
            du,
            dv,
        })
    }

    /// Score of the pattern shifted by (`su`, `sv`) modules.
    fn score(&self, su: f64, sv: f64) -> i32 {
        const OFFSETS: [f64; 3] = [0.3, 0.5, 0.7];
        // Sample offsets along each axis (module units), in 1/256 px per image axis.
        let fixed = |shift: f64, axis: (f64, f64), base: (f64, f64)| {
            let mut out = [(0i32, 0i32); 15];
            for (k, o) in out.iter_mut().enumerate() {
                let t = (k / 3) as f64 - 2.5 + OFFSETS[k % 3] + shift;
                *o = (
                    ((base.0 + t * axis.0) * 256.0) as i32,
                    ((base.1 + t * axis.1) * 256.0) as i32,
                );
            }
            out
        };
        let cols = fixed(su, self.du, (0.0, 0.0));
        let rows = fixed(sv, self.dv, self.origin);
        let (w, h) = (self.img.w as i32, self.img.h as i32);
        let mut score = 0;
        for (kj, r) in rows.iter().enumerate() {
            let j = (kj / 3) as i32 - 2;
            for (ki, c) in cols.iter().enumerate() {
                let i = (ki / 3) as i32 - 2;
                // Arithmetic shifts floor, so negatives stay outside the bitmap.
                let x = (r.0 + c.0 + 128) >> 8;
                let y = (r.1 + c.1 + 128) >> 8;
                if x >= 0 && y >= 0 && x < w && y < h {
                    let dark = i.abs().max(j.abs()) != 1;
                    let px = self.img.get(x as usize, y as usize) != WHITE;
                    score += if px == dark { 1 } else { -1 };
                }
            }
        }
        score
    }
}

/// The grid with a local warp: each alignment pattern is searched within +-1 module of
/// its predicted position (quarter-module steps, nearest first) and the displacements are
/// interpolated between them (the finder patterns stay where the perspective puts them).
/// `None` for version 1 or when no alignment pattern moved.
pub fn warped(img: &Bitmap, loc: &GridLocation) -> Option<GridLocation> {
    const COARSE: [f64; 7] = [0.0, -0.5, 0.5, -1.0, 1.0, -1.5, 1.5];
    const FINE: [f64; 3] = [0.0, -0.25, 0.25];
    // 225 samples per pattern; a shift must match most of them to count.
    const MIN_SCORE: i32 = 110;
    let version = loc.size.checked_sub(17)? / 4;
    let apat = APAT.get(version)?;
    let n = apat.iter().take_while(|&&a| a != 0).count();
    if n < 2 {
        return None;
    }
    let at: Vec<f64> = apat.iter().take(n).map(|&a| f64::from(a) + 0.5).collect();
    // Row-major, so the patterns above and to the left are measured first; each search
    // starts from their displacement (the distortion grows smoothly across the code).
    let mut d: Vec<(f64, f64)> = Vec::with_capacity(n * n);
    let mut moved = false;
    for (j, &y) in at.iter().enumerate() {
        for (i, &x) in at.iter().enumerate() {
            let edge = |k: usize| k == 0 || k + 1 == n;
            let finder = edge(i) && edge(j) && (i == 0 || j == 0);
            if finder {
                d.push((0.0, 0.0));
                continue;
            }
            let prior: Vec<(f64, f64)> = [
                (i > 0).then(|| d.get(j * n + i - 1)).flatten(),
                (j > 0).then(|| d.get((j - 1) * n + i)).flatten(),
            ]
            .into_iter()
            .flatten()
            .copied()
            .collect();
            let k = prior.len().max(1) as f64;
            let (pu, pv) = prior
                .iter()
                .fold((0.0, 0.0), |acc, p| (acc.0 + p.0 / k, acc.1 + p.1 / k));
            let Some(m) = ApatMatcher::new(img, &loc.c, x, y) else {
                d.push((pu, pv));
                continue;
            };
            // Coarse to fine: half-module steps, then the quarter-module neighbours of
            // the best (the score varies smoothly over a quarter module: a third of the
            // work of the full quarter-module lattice).
            let mut best = (m.score(pu, pv), (pu, pv));
            for dv in COARSE {
                for du in COARSE {
                    let s = m.score(pu + du, pv + dv);
                    if s > best.0 {
                        best = (s, (pu + du, pv + dv));
                    }
                }
            }
            let (cu, cv) = best.1;
            for dv in FINE {
                for du in FINE {
                    let s = m.score(cu + du, cv + dv);
                    if s > best.0 {
                        best = (s, (cu + du, cv + dv));
                    }
                }
            }
            if best.0 >= MIN_SCORE {
                moved |= best.1 != (0.0, 0.0);
                d.push(best.1);
            } else {
                d.push((pu, pv));
            }
        }
    }
    moved.then(|| GridLocation {
        warp: Some(Warp { at, d }),
        ..loc.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::super::grid::square_grid;
    use super::*;

    #[test]
    fn warp_interpolates_between_alignment_patterns() {
        let w = Warp {
            at: vec![6.5, 22.5, 38.5],
            d: vec![
                (0.0, 0.0),
                (0.0, 0.0),
                (0.0, 0.0),
                (0.0, 0.0),
                (1.0, -1.0),
                (0.0, 0.0),
                (0.0, 0.0),
                (0.0, 0.0),
                (0.0, 0.0),
            ],
        };
        assert_eq!(w.displacement(22.5, 22.5), (1.0, -1.0));
        assert_eq!(w.displacement(14.5, 22.5), (0.5, -0.5));
        assert_eq!(w.displacement(0.0, 0.0), (0.0, 0.0));
        assert_eq!(w.displacement(44.0, 44.0), (0.0, 0.0));
        // Total on any input (NaN, huge).
        let _ = w.displacement(f64::NAN, 1e300);
    }

    #[test]
    fn warped_grid_of_an_exact_drawing_does_not_move() {
        let loc = square_grid();
        // Version 2 on an empty bitmap: nothing to match, no warp.
        let img = Bitmap::new(200, 200, std::iter::repeat_n(false, 200 * 200)).unwrap();
        assert!(warped(&img, &loc).is_none());
    }
}
