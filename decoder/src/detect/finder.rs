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
    /// 1:1:3:1:1 patterns of the opposite polarity (light centre) seen so far: what the
    /// same scan of the inverted bitmap would report as candidates.
    inverse_hits: usize,
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
            inverse_hits: 0,
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

    #[inline]
    fn advance(&mut self, dark: bool) -> Option<LinePos> {
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
        if self.changes < 5 {
            return None;
        }
        if dark {
            // Just left a light run: a candidate of the inverted bitmap.
            self.inverse_hits += usize::from(self.finder_ratio());
            return None;
        }
        // Just left a dark run: check 1:1:3:1:1.
        if !self.finder_ratio() {
            return None;
        }
        let total: usize = self.runs.iter().sum();
        let tail: usize = self.runs[2..].iter().sum();
        Some(LinePos {
            left: self.pos.checked_sub(total)?,
            stone: self.pos.checked_sub(tail)?,
            right: self.pos.checked_sub(self.runs[4])?,
            stone_len: self.runs[2],
            modules4: self.runs[0] + self.runs[1] + self.runs[3] + self.runs[4],
        })
    }
}

/// Runs met walking from (`x`, `y`) one pixel at a time in direction `dy`: the dark run
/// the start pixel belongs to (the start excluded), then the light run, then the dark one;
/// walking stops after `limit` pixels.
fn column_runs(img: &Bitmap, x: usize, y: usize, up: bool, limit: usize) -> [usize; 3] {
    let mut runs = [0usize; 3];
    let mut i = 0;
    let mut yy = y;
    for _ in 0..limit {
        yy = match if up { yy.checked_sub(1) } else { Some(yy + 1) } {
            Some(v) if v < img.h => v,
            _ => break,
        };
        let dark = img.get(x, yy) != WHITE;
        // Runs alternate dark, light, dark.
        if dark != (i % 2 == 0) {
            i += 1;
            if i == 3 {
                break;
            }
        }
        runs[i] += 1;
    }
    runs
}

/// ZXing-style cross-check of a row candidate: the column through the middle of the
/// stone run must also cross ring, gap, stone, gap, ring, in roughly the row's module
/// size (loose bounds: tilt and perspective change the ratios). Rejects most false
/// candidates (text, textures) before the flood fills of quirc's region test, which
/// otherwise visit every dark region a candidate touches.
fn column_cross_check(img: &Bitmap, lp: &LinePos, y: usize) -> bool {
    // In quarter pixels: m4 is four modules.
    let m4 = lp.modules4.max(1);
    let x = lp.stone + lp.stone_len / 2;
    let limit = 8 * (lp.stone_len + m4);
    let up = column_runs(img, x, y, true, limit);
    let down = column_runs(img, x, y, false, limit);
    let stone = up[0] + down[0] + 1;
    // Stone 1..6 modules; gaps and rings present (blur thins them to a pixel) and at
    // most 3 modules.
    (m4..=6 * m4).contains(&(stone * 4))
        && [up[1], down[1], up[2], down[2]]
            .iter()
            .all(|&r| r >= 1 && r * 4 <= 3 * m4)
}

/// quirc's region test: ring and stone are distinct regions, the stone 10-70% of the
/// ring's pixel count (after the column cross-check).
fn is_capstone(img: &mut Bitmap, lp: &LinePos, y: usize) -> bool {
    let ring = img.get_region(lp.right, y);
    let stone = img.get_region(lp.stone, y);
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
    /// Row candidates that passed the column cross-check (before the region test).
    pub(super) cross_checked: usize,
}

/// Capstones of the bitmap, with the scan's candidate counts.
pub(super) fn find_capstones(img: &mut Bitmap) -> Scan {
    let mut res = Scan {
        caps: Vec::new(),
        inverse_hits: None,
        cross_checked: 0,
    };
    let mut inverse_hits = 0;
    let w = img.w;
    for y in 0..img.h {
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
            let lp = scanner.advance(!colour);
            x += 1;
            if lp.is_some_and(|lp| record_candidate(img, &lp, y, &mut res)) {
                return res;
            }
        }
        // A virtual pixel past the right edge closes patterns touching it: light for this
        // polarity, dark for the inverse count (light in the inverted bitmap).
        let mut inverse = scanner;
        inverse.advance(true);
        inverse_hits += inverse.inverse_hits;
        if scanner
            .advance(false)
            .is_some_and(|lp| record_candidate(img, &lp, y, &mut res))
        {
            return res;
        }
    }
    res.inverse_hits = Some(inverse_hits);
    res
}

/// Tests a row candidate and records the capstone it belongs to; `true` once
/// [`MAX_CAPSTONES`] are found (the scan stops there).
fn record_candidate(img: &mut Bitmap, lp: &LinePos, y: usize, res: &mut Scan) -> bool {
    if !column_cross_check(img, lp, y) {
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
