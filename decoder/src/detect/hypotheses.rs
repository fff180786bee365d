//! Geometry retries for grids that were found but did not decode: the size read from the
//! version information (version 7 and up), the neighbouring version towards the
//! finder-pattern size estimate, bottom-right corner variants, and grids fitted from the
//! three finder-pattern centres alone (round finder patterns).
//!
//! In: a [`GridLocation`] (and its bitmap). Out: alternative grids, best guess first.

use super::bitmap::{Bitmap, WHITE};
use super::geometry::{saturate, sorted_by_key, Perspective, Point};
use super::grid::{fit_grid, GridLocation};

/// Diagonal of a finder pattern in modules: square patterns, and round ones (whose ring
/// "corners" are arbitrary points on a circle of 7 modules).
const SQUARE_FINDER_DIAGONAL: f64 = 7.0 * std::f64::consts::SQRT_2;
const ROUND_FINDER_DIAGONAL: f64 = 7.0;

/// Grid size (modules per side) estimated from the finder patterns alone: the distance
/// between their centres over the module size read from their diagonals, taken to be
/// `diagonal` modules long. Independent of the timing-pattern count.
fn size_from_centres(loc: &GridLocation, diagonal: f64) -> Option<f64> {
    let ([a, b, c], diag) = loc.centres?;
    let d = (0.5 * ((b.0 - a.0).hypot(b.1 - a.1) + (c.0 - a.0).hypot(c.1 - a.1))).max(1.0);
    let module = diag / diagonal;
    (module > 0.5).then(|| d / module + 7.0)
}

/// The same grid re-fitted as a neighbouring version (timing-pattern counts are often off
/// by one version on blurred codes), not yet [`refined`](super::refined): only a neighbour
/// that is closer than the counted size to the size the finder patterns suggest (so at
/// most one). On the corpus every neighbour that decoded was such a case, and trying both
/// neighbours of every failing grid cost a quarter of the time of the frames without a
/// readable code.
pub fn neighbour_sizes(img: &Bitmap, loc: &GridLocation) -> Vec<GridLocation> {
    let Some(est) = size_from_centres(loc, SQUARE_FINDER_DIAGONAL) else {
        return Vec::new();
    };
    let off = |s: usize| (est - s as f64).abs();
    [loc.size.checked_sub(4), Some(loc.size + 4)]
        .into_iter()
        .flatten()
        .filter(|&s| off(s) < off(loc.size))
        .filter_map(|s| fit_grid(img, loc.quad, s))
        .collect()
}

/// The 34 valid version words (BCH(18,6): the version in the top 6 bits, the remainder of
/// `version * x^12` by x^12+x^11+x^10+x^9+x^8+x^5+x^2+1 below), index = version - 7.
const VERSION_WORDS: [u32; 34] = {
    let mut out = [0u32; 34];
    let mut i = 0;
    while i < 34 {
        let v = (i + 7) as u32;
        let mut rem = v << 12;
        let mut bit = 17;
        while bit >= 12 {
            if rem & (1 << bit) != 0 {
                rem ^= 0x1F25 << (bit - 12);
            }
            bit -= 1;
        }
        out[i] = (v << 12) | rem;
        i += 1;
    }
    out
};

/// The version in the version information of a grid of its own size (versions 7+), if
/// one of the two 18-bit copies (6x3 modules beside the top-right and the bottom-left
/// finder patterns; each read in both orientations, the grid may be mirrored) is within
/// 3 bit errors of a valid word (the code's minimum distance is 8).
fn read_version(img: &Bitmap, loc: &GridLocation) -> Option<usize> {
    let s = loc.size;
    let dark =
        |x: usize, y: usize| img.get_at_point(loc.map(x as f64 + 0.5, y as f64 + 0.5)) != WHITE;
    // Bit i (i = 0 the least significant) sits at (s - 11 + i % 3, i / 3) in the top-right
    // block and transposed in the bottom-left one.
    let mut best: Option<(u32, usize)> = None;
    for transposed in [false, true] {
        let mut word = 0u32;
        for i in 0..18 {
            let (a, b) = (s.checked_sub(11)? + i % 3, i / 3);
            let bit = if transposed { dark(b, a) } else { dark(a, b) };
            word |= u32::from(bit) << i;
        }
        for (k, w) in VERSION_WORDS.iter().enumerate() {
            let errors = (w ^ word).count_ones();
            if errors <= 3 && best.is_none_or(|(e, _)| errors < e) {
                best = Some((errors, k + 7));
            }
        }
    }
    best.map(|(_, v)| v)
}

/// For grids of version 6 and up (a blurred version 7 code may count as 6): the grid
/// whose size its version information confirms, among its own size, the size its version
/// information reads and the neighbouring versions (re-fitted from the same source quad,
/// not yet [`refined`](super::refined)); `None` when none of them reads its own version
/// (unreadable, or versions 1-6). Version information is BCH-protected evidence of the
/// size, unlike the timing-pattern count (blur merges or splits its modules, curved paper
/// stretches them) or the finder-size estimate (tilt).
pub fn version_checked(img: &Bitmap, loc: &GridLocation) -> Option<GridLocation> {
    if loc.size < 41 {
        return None;
    }
    let own = read_version(img, loc);
    if own == Some((loc.size - 17) / 4) {
        return Some(loc.clone());
    }
    let mut sizes = Vec::with_capacity(3);
    for s in [
        own.map(|v| v * 4 + 17),
        loc.size.checked_sub(4),
        Some(loc.size + 4),
    ]
    .into_iter()
    .flatten()
    {
        if s >= 45 && s != loc.size && !sizes.contains(&s) {
            sizes.push(s);
        }
    }
    sizes
        .into_iter()
        .filter_map(|s| fit_grid(img, loc.quad, s))
        .find(|g| read_version(img, g) == Some((g.size - 17) / 4))
}

/// The same grid with its bottom-right corner (the least constrained one: estimated, or
/// from a single alignment pattern) moved by up to +-1 module in each direction, nearest
/// first: recovers codes whose alignment pattern was missed or misplaced.
pub fn corner_variants(loc: &GridLocation) -> Vec<GridLocation> {
    const STEPS: [f64; 5] = [0.0, -0.5, 0.5, -1.0, 1.0];
    let s = loc.size as f64;
    let dom = s + 1.0;
    let fixed = [(0.0, 0.0), (s, 0.0), (0.0, s)].map(|(u, v)| loc.c.map_f(u, v));
    let mut out = Vec::new();
    for (i, &dy) in STEPS.iter().enumerate() {
        for (j, &dx) in STEPS.iter().enumerate() {
            if i == 0 && j == 0 {
                continue;
            }
            let moved = loc.c.map_f(s + dx, s + dy);
            let rect = [fixed[0], fixed[1], moved, fixed[2]];
            if let Some(c) = Perspective::create_f(rect, s, s).filter(|c| c.regular_on(dom, dom)) {
                out.push((
                    dx.abs() + dy.abs(),
                    GridLocation {
                        size: loc.size,
                        c,
                        quad: loc.quad,
                        centres: None,
                        warp: None,
                        // Deliberate variants: a jiggle would pull them back.
                        refined: true,
                    },
                ));
            }
        }
    }
    sorted_by_key(&out, |a| a.0)
        .into_iter()
        .map(|(_, g)| g)
        .collect()
}

/// Grids fitted from the finder-pattern centres alone, for finder patterns whose corners
/// mean nothing (round finders: the "corners" of a ring are arbitrary points on it, so the
/// capstone orientation and the timing-pattern count are unreliable). The version comes
/// from the centre distance over the module size, with the module size read from the
/// capstone diagonal as a square (diagonal = 7 sqrt 2 modules) and as a circle (7
/// modules) pattern, plus the neighbouring versions; the 4th corner is the parallelogram
/// estimate (to be [`refined`](super::refined) by the usual jiggle). At most 6 sizes, up
/// to version 10.
///
/// The grid's own size is among them when the centres suggest it: the same size with
/// the 4th corner from the centres rather than from the alignment pattern (or the
/// intersection of the finder edges on version 1) recovers blurred, wavy or curved codes
/// whose fitted corner is a module or two off (qr-dev: Fast 640 px 74 -> 75, Thorough
/// full size 77 -> 78, at 640 px 74 -> 77).
pub fn centre_hypotheses(img: &Bitmap, loc: &GridLocation) -> Vec<GridLocation> {
    if loc.centres.is_none() {
        return Vec::new();
    }
    let mut sizes: Vec<usize> = Vec::new();
    for diagonal in [SQUARE_FINDER_DIAGONAL, ROUND_FINDER_DIAGONAL] {
        let Some(est) = size_from_centres(loc, diagonal) else {
            continue;
        };
        let v = ((est - 17.0) / 4.0).round();
        if !(1.0..=10.0).contains(&v) {
            continue;
        }
        let v = v as usize;
        for s in [v * 4 + 17, v * 4 + 13, v * 4 + 21] {
            if (21..=57).contains(&s) && !sizes.contains(&s) {
                sizes.push(s);
            }
        }
    }
    sizes
        .into_iter()
        .take(6)
        .filter_map(|size| fit_from_centres(img, loc, size))
        .collect()
}

/// The grid of `size` modules fitted from the three finder-pattern centres, with the
/// parallelogram estimate as the 4th corner (not yet [`refined`](super::refined)).
fn fit_from_centres(img: &Bitmap, loc: &GridLocation, size: usize) -> Option<GridLocation> {
    let ([a, b, c], _) = loc.centres?;
    let n = size.checked_sub(7).filter(|&n| n > 0)? as f64;
    let ex = ((b.0 - a.0) / n, (b.1 - a.1) / n);
    let ey = ((c.0 - a.0) / n, (c.1 - a.1) / n);
    let off = (-3.5 * (ex.0 + ey.0), -3.5 * (ex.1 + ey.1));
    let pt = |x: f64, y: f64| Point {
        x: saturate(x + off.0),
        y: saturate(y + off.1),
    };
    let quad = [
        pt(a.0, a.1),
        pt(b.0, b.1),
        pt(b.0 + c.0 - a.0, b.1 + c.1 - a.1),
        pt(c.0, c.1),
    ];
    fit_grid(img, quad, size)
}

#[cfg(test)]
mod tests {
    use super::super::grid::square_grid;
    use super::*;

    #[test]
    fn corner_variants_move_only_the_bottom_right_corner() {
        let g = square_grid();
        let vars = corner_variants(&g);
        assert_eq!(vars.len(), 24);
        for v in &vars {
            let (a, b) = (v.corners(), g.corners());
            for i in [0, 1, 3] {
                assert!((a[i].0 - b[i].0).abs() < 1e-6 && (a[i].1 - b[i].1).abs() < 1e-6);
            }
            let moved = (a[2].0 - b[2].0).abs().max((a[2].1 - b[2].1).abs());
            assert!(moved > 1.0 && moved < 4.0 + 1e-6, "{moved}");
        }
        // Nearest first: half-module moves before whole-module ones.
        let first = vars[0].corners()[2];
        assert!((first.0 - 110.0).abs() + (first.1 - 110.0).abs() <= 2.0 + 1e-6);
    }

    #[test]
    fn centre_hypotheses_size_from_centre_distance() {
        // Capstone centres 18 modules apart (a 25-module code) at 4 px per module: a
        // square capstone's diagonal is 7 sqrt 2 modules. The hypotheses are the
        // plausible sizes, the right one among them.
        let img = Bitmap::new(130, 130, std::iter::repeat_n(false, 130 * 130)).unwrap();
        let mut g = square_grid();
        g.size = 29;
        let hyps = centre_hypotheses(&img, &g);
        assert!(
            hyps.iter().any(|h| h.size == 25),
            "{:?}",
            hyps.iter().map(|h| h.size).collect::<Vec<_>>()
        );
        for h in &hyps {
            let tl = h.c.map_f(3.5, 3.5);
            assert!(
                (tl.0 - 24.0).abs() < 6.0 && (tl.1 - 24.0).abs() < 6.0,
                "{tl:?}"
            );
        }
        // No centres recorded: nothing to do.
        g.centres = None;
        assert!(centre_hypotheses(&img, &g).is_empty());
    }
}
