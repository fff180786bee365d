//! Finder patterns ("capstones"): the row scan for 1:1:3:1:1 runs (whole runs at a time,
//! in quarter pixels), the ZXing-style column cross-check, quirc's ring/stone region test
//! and the capstone's corners and perspective.
//!
//! In: a [`Bitmap`]. Out: up to [`MAX_CAPSTONES`] capstones, and how many inverse-polarity
//! line candidates the scan saw (used to skip the inverted view).

use super::bitmap::{Bitmap, Region, Row, CAPSTONE, TMP1, WHITE};
use super::geometry::{Perspective, Point};

/// At most this many capstones are considered per bitmap.
const MAX_CAPSTONES: usize = 48;

#[derive(Debug, Clone)]
pub(super) struct CapStone {
    pub(super) corners: [Point; 4],
    pub(super) center: Point,
    pub(super) c: Perspective,
}

#[derive(Clone, Copy)]
struct LineScanner {
    runs: [usize; 5],
    last: bool,
    run: usize,
    changes: usize,
    pos: usize,
}

#[derive(Clone, Copy)]
struct LinePos {
    left: usize,
    stone: usize,
    right: usize,
    /// Length of the stone's run, and the sum of the four other runs (four modules).
    stone_len: usize,
    modules4: usize,
}

impl LineScanner {
    fn new(first_dark: bool) -> Self {
        LineScanner {
            runs: [0; 5],
            last: first_dark,
            run: 1,
            changes: 0,
            pos: 0,
        }
    }

    /// The last five runs are in the ratio 1:1:3:1:1 (+-75% of a module on each run).
    /// Computed in quarter pixels: quirc's `avg = sum / 4` truncates, which at 2-3 px per
    /// module (a distant code) turns 2.5 into 2 and rejects the 8 px stone of a 2.6 px
    /// module, so small clean codes found no finder pattern at all.
    #[inline]
    fn finder_ratio(&self) -> bool {
        let [a, b, stone, d, e] = self.runs;
        let avg4 = a + b + d + e;
        let err4 = avg4 * 3 / 4;
        let fits = |run: usize, k: usize| run * 4 + err4 >= k * avg4 && run * 4 <= k * avg4 + err4;
        // The stone first: it rejects most runs of a row (this runs at every run end).
        fits(stone, 3) && fits(a, 1) && fits(b, 1) && fits(d, 1) && fits(e, 1)
    }

    /// `n` more pixels of the current colour.
    fn extend(&mut self, n: usize) {
        self.pos += n;
        self.run += n;
    }

    /// The next pixel; a 1:1:3:1:1 pattern ending here, with `true` for a light-centred
    /// one (a candidate of the inverted bitmap).
    #[inline]
    fn advance(&mut self, dark: bool) -> Option<(LinePos, bool)> {
        self.pos += 1;
        if self.last == dark {
            self.run += 1;
            return None;
        }
        self.last = dark;
        let [_, a, b, c, d] = self.runs;
        self.runs = [a, b, c, d, self.run];
        self.run = 1;
        self.changes += 1;
        if self.changes < 5 || !self.finder_ratio() {
            return None;
        }
        let total: usize = self.runs.iter().sum();
        let tail: usize = self.runs[2..].iter().sum();
        let lp = LinePos {
            left: self.pos.checked_sub(total)?,
            stone: self.pos.checked_sub(tail)?,
            right: self.pos.checked_sub(self.runs[4])?,
            stone_len: self.runs[2],
            modules4: self.runs[0] + self.runs[1] + self.runs[3] + self.runs[4],
        };
        // Just left a light run (now dark): the pattern has a light centre.
        Some((lp, dark))
    }
}

/// Runs met walking from (`x`, `y`) by (`dx`, `dy`) (each -1, 0 or 1), one pixel at a
/// time: the run of the start pixel's colour (the start excluded), then a run of the
/// other colour, then one of the start's; walking stops after `limit` pixels. A pixel
/// has the start's colour when it is dark exactly if `stone_dark`.
fn runs_from(
    img: &Bitmap,
    (x, y): (usize, usize),
    (dx, dy): (isize, isize),
    stone_dark: bool,
    limit: usize,
) -> [usize; 3] {
    let mut runs = [0usize; 3];
    let mut i = 0;
    let (mut xx, mut yy) = (x, y);
    for _ in 0..limit {
        match (xx.checked_add_signed(dx), yy.checked_add_signed(dy)) {
            (Some(a), Some(b)) if a < img.w && b < img.h => (xx, yy) = (a, b),
            _ => break,
        }
        let stone_colour = (img.get(xx, yy) != WHITE) == stone_dark;
        if stone_colour != (i % 2 == 0) {
            i += 1;
            if i == 3 {
                break;
            }
        }
        runs[i] += 1;
    }
    runs
}

/// ZXing-style cross-checks of a row candidate: the column through the middle of the
/// stone run must also cross ring, gap, stone, gap, ring, in roughly the row's module
/// size (loose bounds: tilt and perspective change the ratios), and so must the diagonal
/// through the stone's centre (a diagonal crosses a square pattern at up to sqrt 2 times
/// the module size, a tilted one anywhere in between). Rejects most false candidates
/// (text, textures: strokes that cross like rings in one direction rarely do in all
/// three) before the flood fills of quirc's region test, which otherwise visit every dark
/// region a candidate touches.
fn cross_check(img: &Bitmap, lp: &LinePos, y: usize, stone_dark: bool) -> bool {
    // In quarter pixels: m4 is four modules.
    let m4 = lp.modules4.max(1);
    let x = lp.stone + lp.stone_len / 2;
    let limit = 8 * (lp.stone_len + m4);
    let up = runs_from(img, (x, y), (0, -1), stone_dark, limit);
    let down = runs_from(img, (x, y), (0, 1), stone_dark, limit);
    let stone = up[0] + down[0] + 1;
    // Stone 1..6 modules; gaps and rings present (blur thins them to a pixel) and at
    // most 3 modules.
    let column = (m4..=6 * m4).contains(&(stone * 4))
        && [up[1], down[1], up[2], down[2]]
            .iter()
            .all(|&r| r >= 1 && r * 4 <= 3 * m4);
    if !column {
        return false;
    }
    // The stone's centre: the middle of its column run.
    let Some(cy) = (y + down[0]).checked_sub(up[0]).map(|v| (v + y) / 2) else {
        return false;
    };
    if (img.get(x, cy) != WHITE) != stone_dark {
        return false;
    }
    let a = runs_from(img, (x, cy), (-1, -1), stone_dark, limit);
    let b = runs_from(img, (x, cy), (1, 1), stone_dark, limit);
    let stone = a[0] + b[0] + 1;
    // Along the diagonal each length is 1..sqrt 2 times the straight one; bounds as above,
    // widened by half.
    (m4..=9 * m4).contains(&(stone * 4))
        && [a[1], b[1], a[2], b[2]]
            .iter()
            .all(|&r| r >= 1 && r * 8 <= 9 * m4)
}

/// quirc's region test: ring and stone are distinct regions, the stone 10-70% of the
/// ring's pixel count (after the column cross-check).
///
/// The fills are capped (a region cut short fails): the stone at 32 squared modules of
/// the row's module size (it has 9; a pattern foreshortened to 0.3 along the row has 30
/// of the row's), the ring at 10 times the stone, beyond which the ratio test fails
/// anyway. Without the caps, false candidates in text and textures flood-filled whole
/// backgrounds, and in a code its large dark data regions (on qr-dev a cap of 64 read
/// the same, 16 lost codes).
fn is_capstone(img: &mut Bitmap, lp: &LinePos, y: usize) -> bool {
    // modules4 is four modules (pixels), so its square is 16 squared modules.
    let stone_cap = lp.modules4.saturating_mul(lp.modules4).saturating_mul(2);
    let stone = img.get_region_capped(lp.stone, y, stone_cap);
    let ring_cap = match stone {
        Some(Region::Unclaimed { count, .. }) => count.saturating_mul(10),
        _ => return false,
    };
    let ring = img.get_region_capped(lp.right, y, ring_cap);
    if img.get(lp.left, y) != img.get(lp.right, y) {
        return false;
    }
    match (ring, stone) {
        (
            Some(Region::Unclaimed {
                color: rc,
                count: rn,
            }),
            Some(Region::Unclaimed {
                color: sc,
                count: sn,
            }),
        ) => {
            let ratio = sn * 100 / rn.max(1);
            rc != sc && 10 < ratio && ratio < 70
        }
        _ => false,
    }
}

fn create_capstone(img: &mut Bitmap, lp: &LinePos, y: usize) -> Option<CapStone> {
    let start = Point {
        x: lp.right as i32,
        y: y as i32,
    };
    // First corner: farthest point of the ring from the start point.
    let mut best = start;
    let mut score = -1i64;
    img.repaint(lp.right, y, TMP1, |r: Row| {
        let dy = r.y as i64 - i64::from(start.y);
        for x in [r.left, r.right] {
            let dx = x as i64 - i64::from(start.x);
            let d = dx * dx + dy * dy;
            if d > score {
                score = d;
                best = Point {
                    x: x as i32,
                    y: r.y as i32,
                };
            }
        }
    })?;
    // The other corners: extremes along and across the start->corner line.
    let base = (
        i64::from(best.x) - i64::from(start.x),
        i64::from(best.y) - i64::from(start.y),
    );
    let par = i64::from(start.x) * base.0 + i64::from(start.y) * base.1;
    let ort = -i64::from(start.x) * base.1 + i64::from(start.y) * base.0;
    let mut scores = [par, ort, -par, -ort];
    let mut corners = [start; 4];
    img.repaint(lp.right, y, CAPSTONE, |r: Row| {
        for x in [r.left, r.right] {
            let (xi, yi) = (x as i64, r.y as i64);
            let p = xi * base.0 + yi * base.1;
            let o = -xi * base.1 + yi * base.0;
            for (j, s) in [p, o, -p, -o].into_iter().enumerate() {
                if s > scores[j] {
                    scores[j] = s;
                    corners[j] = Point {
                        x: x as i32,
                        y: r.y as i32,
                    };
                }
            }
        }
    })?;
    let c = Perspective::create(&corners, 7.0, 7.0)?;
    let center = c.map(3.5, 3.5);
    if !img.inside(center) {
        return None;
    }
    Some(CapStone { corners, center, c })
}

/// What [`find_capstones`] found.
pub(super) struct Scan {
    pub(super) caps: Vec<CapStone>,
    /// Inverse-polarity line candidates (`None` when the scan stopped early at
    /// [`MAX_CAPSTONES`]).
    pub(super) inverse_hits: Option<usize>,
    /// Row candidates that passed the column and diagonal cross-checks (before the region
    /// test).
    pub(super) cross_checked: usize,
}

/// Capstones of the bitmap, with the scan's candidate counts; the row scan looks at every
/// `row_step`-th row (the column and diagonal cross-checks and the region test see the
/// whole bitmap).
pub(super) fn find_capstones(img: &mut Bitmap, row_step: usize) -> Scan {
    let mut res = Scan {
        caps: Vec::new(),
        inverse_hits: None,
        cross_checked: 0,
    };
    let mut inverse_hits = 0;
    let w = img.w;
    for y in (0..img.h).step_by(row_step.max(1)) {
        let mut scanner = LineScanner::new(img.get(0, y) != WHITE);
        let mut x = 1;
        while x < w {
            // Skip to the end of the current run in one go (labels never turn a dark pixel
            // light, so the row's dark/light pattern does not change while we scan it).
            let colour = scanner.last;
            let Some(row) = img.px.get(y * w + x..(y + 1) * w) else {
                break;
            };
            let same = row
                .iter()
                .position(|&p| (p != WHITE) != colour)
                .unwrap_or(row.len());
            scanner.extend(same);
            x += same;
            if x >= w {
                break;
            }
            let hit = scanner.advance(!colour);
            x += 1;
            match hit {
                Some((lp, false)) if record_candidate(img, &lp, y, &mut res) => return res,
                Some((lp, true)) => inverse_hits += usize::from(cross_check(img, &lp, y, false)),
                _ => {}
            }
        }
        // A virtual pixel past the right edge closes patterns touching it: light for this
        // polarity, dark for the inverse count (light in the inverted bitmap).
        let mut inverse = scanner;
        if let Some((lp, true)) = inverse.advance(true) {
            inverse_hits += usize::from(cross_check(img, &lp, y, false));
        }
        if let Some((lp, false)) = scanner.advance(false) {
            if record_candidate(img, &lp, y, &mut res) {
                return res;
            }
        }
    }
    res.inverse_hits = Some(inverse_hits);
    res
}

/// Tests a row candidate and records the capstone it belongs to; `true` once
/// [`MAX_CAPSTONES`] are found (the scan stops there).
fn record_candidate(img: &mut Bitmap, lp: &LinePos, y: usize, res: &mut Scan) -> bool {
    if !cross_check(img, lp, y, true) {
        return false;
    }
    res.cross_checked += 1;
    if is_capstone(img, lp, y) {
        if let Some(cap) = create_capstone(img, lp, y) {
            res.caps.push(cap);
        }
    }
    res.caps.len() >= MAX_CAPSTONES
}
