//! Finder-pattern ("capstone") detector and grid sampler.
//!
//! This is a port of the detection half of rqrr 0.11 (itself a port of quirc), MIT OR
//! Apache-2.0, Copyright (c) rqrr contributors. rqrr's `detect_grids` can panic on real
//! photos (see `UPSTREAM.md`): the panic happens inside detection, before any grid is handed
//! back, so it cannot be guarded from the outside on wasm (no `catch_unwind`). This port keeps
//! the algorithm and makes every step total:
//!
//! * every perspective is checked to be regular (its denominator, an affine function, stays
//!   positive on the whole domain it is sampled on) before it is used, and mapping saturates
//!   instead of asserting;
//! * geometry products use `i64`, sorting uses a total order, "impossible" states return
//!   `None` instead of panicking;
//! * work is capped: number of capstones, number of capstone groups tried, alignment search
//!   radius, timing-scan length;
//! * region labels use a `u16` plane instead of rqrr's 251-entry LRU, and grouping tests no
//!   longer clone the whole image per candidate.
//!
//! Decoding of the sampled bit grid is in `qrdata.rs` (own Reed-Solomon and payload parser;
//! rqrr only reads the format information and the raw codewords, which is total for any
//! grid of a valid QR size).

/// Alignment pattern centres per version (index = version, 0 unused).
const APAT: [[u8; 7]; 41] = [
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

/// Largest bitmap side the detector accepts (the pipeline never builds bigger ones).
pub const MAX_SIDE: usize = 4096;
/// At most this many capstones are considered per bitmap.
const MAX_CAPSTONES: usize = 48;
/// At most this many capstone triples are tested per bitmap.
const MAX_GROUP_TESTS: usize = 64;
/// At most this many grids are returned per bitmap.
const MAX_GRIDS: usize = 8;
/// Mapped coordinates are clamped to +-COORD_LIMIT (far outside any bitmap).
const COORD_LIMIT: f64 = (1 << 24) as f64;
/// Smallest denominator accepted anywhere on a perspective's domain.
const MIN_DEN: f64 = 1e-3;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// Plane-to-plane projective transform (same parameterisation as rqrr/quirc).
#[derive(Debug, Clone, PartialEq)]
pub struct Perspective([f64; 8]);

/// Nearest integer (halves round up), clamped; NaN lands far outside any bitmap.
/// `floor(v + 0.5)` by a truncating cast and a correction for negatives: `round` and
/// `floor` are library calls on baseline x86-64, and this runs for every sample point.
fn saturate(v: f64) -> i32 {
    if v.is_nan() {
        return -(COORD_LIMIT as i32);
    }
    let t = (v + 0.5).clamp(-COORD_LIMIT, COORD_LIMIT);
    let i = t as i32;
    if f64::from(i) > t {
        i - 1
    } else {
        i
    }
}

impl Perspective {
    /// Transform mapping (0,0),(w,0),(w,h),(0,h) onto `rect`. `None` when the quad is
    /// degenerate (wrong orientation, zero area, non-finite coefficients) or when the
    /// transform is singular somewhere on [0,w]x[0,h].
    pub fn create(rect: &[Point; 4], w: f64, h: f64) -> Option<Self> {
        Self::create_f(rect.map(|p| (f64::from(p.x), f64::from(p.y))), w, h)
    }

    /// [`Perspective::create`] with sub-pixel corners.
    pub fn create_f(rect: [(f64, f64); 4], w: f64, h: f64) -> Option<Self> {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = rect;
        let wden = w * (x2 * y3 - x3 * y2 + (x3 - x2) * y1 + x1 * (y2 - y3));
        let hden = h * (x2 * y3 + x1 * (y2 - y3) - x3 * y2 + (x3 - x2) * y1);
        if wden.is_nan() || hden.is_nan() || wden < f64::EPSILON || hden < f64::EPSILON {
            return None;
        }
        let c = [
            (x1 * (x2 * y3 - x3 * y2)
                + x0 * (-x2 * y3 + x3 * y2 + (x2 - x3) * y1)
                + x1 * (x3 - x2) * y0)
                / wden,
            -(x0 * (x2 * y3 + x1 * (y2 - y3) - x2 * y1) - x1 * x3 * y2
                + x2 * x3 * y1
                + (x1 * x3 - x2 * x3) * y0)
                / hden,
            x0,
            (y0 * (x1 * (y3 - y2) - x2 * y3 + x3 * y2)
                + y1 * (x2 * y3 - x3 * y2)
                + x0 * y1 * (y2 - y3))
                / wden,
            (x0 * (y1 * y3 - y2 * y3) + x1 * y2 * y3 - x2 * y1 * y3
                + y0 * (x3 * y2 - x1 * y2 + (x2 - x3) * y1))
                / hden,
            y0,
            (x1 * (y3 - y2) + x0 * (y2 - y3) + (x2 - x3) * y1 + (x3 - x2) * y0) / wden,
            (-x2 * y3 + x1 * y3 + x3 * y2 + x0 * (y1 - y2) - x3 * y1 + (x2 - x1) * y0) / hden,
        ];
        let p = Perspective(c);
        if p.regular_on(w, h) {
            Some(p)
        } else {
            None
        }
    }

    fn den(&self, u: f64, v: f64) -> f64 {
        self.0[6] * u + self.0[7] * v + 1.0
    }

    /// The denominator is affine in (u, v): positive at the 4 corners of the rectangle
    /// means positive on all of it, so `map` is finite and continuous there. This is the
    /// check whose absence lets rqrr reach its `assert!(x <= i32::MAX as f64)`.
    pub fn regular_on(&self, w: f64, h: f64) -> bool {
        self.0.iter().all(|c| c.is_finite())
            && [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
                .iter()
                .all(|&(u, v)| self.den(u, v) > MIN_DEN)
    }

    pub fn map_f(&self, u: f64, v: f64) -> (f64, f64) {
        let den = self.den(u, v);
        (
            (self.0[0] * u + self.0[1] * v + self.0[2]) / den,
            (self.0[3] * u + self.0[4] * v + self.0[5]) / den,
        )
    }

    /// Saturating map: never panics, non-finite results land far outside any bitmap.
    pub fn map(&self, u: f64, v: f64) -> Point {
        let (x, y) = self.map_f(u, v);
        Point {
            x: saturate(x),
            y: saturate(y),
        }
    }

    pub fn unmap(&self, p: &Point) -> (f64, f64) {
        let c = &self.0;
        let x = f64::from(p.x);
        let y = f64::from(p.y);
        let den =
            -c[0] * c[7] * y + c[1] * c[6] * y + (c[3] * c[7] - c[4] * c[6]) * x + c[0] * c[4]
                - c[1] * c[3];
        let u =
            -(c[1] * (y - c[5]) - c[2] * c[7] * y + (c[5] * c[7] - c[4]) * x + c[2] * c[4]) / den;
        let v =
            (c[0] * (y - c[5]) - c[2] * c[6] * y + (c[5] * c[6] - c[3]) * x + c[2] * c[3]) / den;
        (u, v)
    }
}

fn line_intersect(p0: &Point, p1: &Point, q0: &Point, q1: &Point) -> Option<Point> {
    let a = -(i64::from(p1.y) - i64::from(p0.y));
    let b = i64::from(p1.x) - i64::from(p0.x);
    let c = -(i64::from(q1.y) - i64::from(q0.y));
    let d = i64::from(q1.x) - i64::from(q0.x);
    let e = a * i64::from(p1.x) + b * i64::from(p1.y);
    let f = c * i64::from(q1.x) + d * i64::from(q1.y);
    let det = a * d - b * c;
    if det == 0 {
        return None;
    }
    let x = (d * e - b * f) / det;
    let y = (-c * e + a * f) / det;
    let lim = COORD_LIMIT as i64;
    if x.abs() > lim || y.abs() > lim {
        return None;
    }
    Some(Point {
        x: x as i32,
        y: y as i32,
    })
}

/// Bresenham line between two points, yields at most `max_len + 1` points.
fn bresenham(from: Point, to: Point, mut visit: impl FnMut(Point)) {
    let (mut x, mut y) = (i64::from(from.x), i64::from(from.y));
    let dx = (i64::from(to.x) - x).abs();
    let dy = -(i64::from(to.y) - y).abs();
    let sx = if from.x < to.x { 1 } else { -1 };
    let sy = if from.y < to.y { 1 } else { -1 };
    let mut err = dx + dy;
    let steps = dx.max(-dy);
    for _ in 0..=steps {
        visit(Point {
            x: x as i32,
            y: y as i32,
        });
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
    }
}

const WHITE: u16 = 0;
const BLACK: u16 = 1;
const CAPSTONE: u16 = 2;
const ALIGNMENT: u16 = 3;
const TMP1: u16 = 4;
const FIRST_REGION: u16 = 5;

#[derive(Debug, Clone, Copy)]
struct Row {
    left: usize,
    right: usize,
    y: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    Unclaimed { color: u16, count: usize },
    CapStone,
    Alignment,
    Tmp1,
}

/// Binary image being searched. Pixels: 0 white, 1 black, >1 labels.
pub struct Bitmap {
    w: usize,
    h: usize,
    px: Vec<u16>,
    regions: Vec<usize>,
}

impl Bitmap {
    /// `dark[i]` true means black. `None` for empty, oversized or inconsistent input.
    pub fn new(w: usize, h: usize, dark: impl Iterator<Item = bool>) -> Option<Self> {
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return None;
        }
        let px: Vec<u16> = dark.take(w * h).map(u16::from).collect();
        if px.len() != w * h {
            return None;
        }
        Some(Bitmap {
            w,
            h,
            px,
            regions: Vec::new(),
        })
    }

    fn get(&self, x: usize, y: usize) -> u16 {
        self.px.get(y * self.w + x).copied().unwrap_or(WHITE)
    }

    fn get_at_point(&self, p: Point) -> u16 {
        let x = p.x.clamp(0, self.w as i32 - 1) as usize;
        let y = p.y.clamp(0, self.h as i32 - 1) as usize;
        self.get(x, y)
    }

    fn inside(&self, p: Point) -> bool {
        p.x >= 0 && p.y >= 0 && (p.x as usize) < self.w && (p.y as usize) < self.h
    }

    /// Loose sanity box: points far outside the bitmap mean a broken geometry.
    fn near(&self, p: Point) -> bool {
        let (w, h) = (self.w as i32, self.h as i32);
        p.x >= -w && p.y >= -h && p.x < 2 * w && p.y < 2 * h
    }

    fn get_region(&mut self, x: usize, y: usize) -> Option<Region> {
        match self.get(x, y) {
            WHITE => None,
            BLACK => {
                let color = usize::from(FIRST_REGION) + self.regions.len();
                let color = u16::try_from(color).ok().filter(|&c| c < u16::MAX)?;
                let mut count = 0usize;
                self.flood_fill(x, y, BLACK, color, &mut |r: Row| {
                    count += r.right - r.left + 1
                });
                self.regions.push(count);
                Some(Region::Unclaimed { color, count })
            }
            CAPSTONE => Some(Region::CapStone),
            ALIGNMENT => Some(Region::Alignment),
            TMP1 => Some(Region::Tmp1),
            c => self
                .regions
                .get(usize::from(c - FIRST_REGION))
                .map(|&count| Region::Unclaimed { color: c, count }),
        }
    }

    fn repaint(&mut self, x: usize, y: usize, to: u16, mut fill: impl FnMut(Row)) -> Option<()> {
        let src = self.get(x, y);
        if src == WHITE || src == to || x >= self.w || y >= self.h {
            return None;
        }
        self.flood_fill(x, y, src, to, &mut fill);
        Some(())
    }

    /// Scan-line flood fill; every pixel changes from `from` to `to` at most once, so the
    /// work is bounded by the bitmap size. Works on row slices (one bounds check per run,
    /// not per pixel): this runs over every dark region a finder candidate touches.
    fn flood_fill(&mut self, x: usize, y: usize, from: u16, to: u16, fill: &mut impl FnMut(Row)) {
        if from == to || x >= self.w || y >= self.h {
            return;
        }
        let (w, h) = (self.w, self.h);
        let mut queue = vec![(x, y)];
        while let Some((x, y)) = queue.pop() {
            let Some(row) = self.px.get_mut(y * w..(y + 1) * w) else {
                continue;
            };
            if row.get(x) != Some(&from) {
                continue;
            }
            let left = row[..x]
                .iter()
                .rposition(|&p| p != from)
                .map_or(0, |i| i + 1);
            let right = row[x..]
                .iter()
                .position(|&p| p != from)
                .map_or(w - 1, |i| x + i - 1);
            row[left..=right].fill(to);
            fill(Row { left, right, y });
            for ny in [y.checked_sub(1), Some(y + 1).filter(|&v| v < h)]
                .into_iter()
                .flatten()
            {
                let Some(span) = self.px.get(ny * w + left..=ny * w + right) else {
                    continue;
                };
                let mut seeded = false;
                for (i, &p) in span.iter().enumerate() {
                    if p == from {
                        if !seeded {
                            queue.push((left + i, ny));
                        }
                        seeded = true;
                    } else {
                        seeded = false;
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
struct CapStone {
    corners: [Point; 4],
    center: Point,
    c: Perspective,
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
    fn finder_ratio(&self) -> bool {
        const CHECK: [usize; 5] = [1, 1, 3, 1, 1];
        let avg4 = self.runs[0] + self.runs[1] + self.runs[3] + self.runs[4];
        let err4 = avg4 * 3 / 4;
        self.runs
            .iter()
            .zip(CHECK)
            .all(|(run, k)| run * 4 + err4 >= k * avg4 && run * 4 <= k * avg4 + err4)
    }

    /// `n` more pixels of the current colour.
    fn extend(&mut self, n: usize) {
        self.pos += n;
        self.run += n;
    }

    fn advance(&mut self, dark: bool) -> Option<LinePos> {
        self.pos += 1;
        if self.last == dark {
            self.run += 1;
            return None;
        }
        self.last = dark;
        self.runs.rotate_left(1);
        self.runs[4] = self.run;
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

fn is_capstone(img: &mut Bitmap, lp: &LinePos, y: usize) -> bool {
    if !column_cross_check(img, lp, y) {
        return false;
    }
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

/// Capstones of the bitmap, and the number of inverse-polarity line candidates (`None`
/// when the scan stopped early at [`MAX_CAPSTONES`]).
fn find_capstones(img: &mut Bitmap) -> (Vec<CapStone>, Option<usize>) {
    let mut res = Vec::new();
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
                return (res, None);
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
            return (res, None);
        }
    }
    (res, Some(inverse_hits))
}

/// Tests a row candidate and records the capstone it belongs to; `true` once
/// [`MAX_CAPSTONES`] are found (the scan stops there).
fn record_candidate(img: &mut Bitmap, lp: &LinePos, y: usize, res: &mut Vec<CapStone>) -> bool {
    if is_capstone(img, lp, y) {
        if let Some(cap) = create_capstone(img, lp, y) {
            res.push(cap);
        }
    }
    res.len() >= MAX_CAPSTONES
}

/// Candidate (horizontal neighbour, vertical neighbour) pairs for capstone `idx`, best first.
fn rank_neighbours(caps: &[CapStone], idx: usize) -> Vec<(usize, usize)> {
    let cap = &caps[idx];
    let mut hlist = Vec::new();
    let mut vlist = Vec::new();
    for (i, other) in caps.iter().enumerate() {
        if i == idx {
            continue;
        }
        let (u, v) = cap.c.unmap(&other.center);
        if !u.is_finite() || !v.is_finite() {
            continue;
        }
        let u = (u - 3.5).abs();
        let v = (v - 3.5).abs();
        if u < 0.2 * v {
            hlist.push((i, v));
        }
        if v < 0.2 * u {
            vlist.push((i, u));
        }
    }
    let mut res = Vec::new();
    for &(hi, hd) in &hlist {
        for &(vi, vd) in &vlist {
            let score = if hd < vd {
                (1.0 - hd / vd).abs()
            } else {
                (1.0 - vd / hd).abs()
            };
            if score.is_finite() && score < 0.25 {
                res.push((score, hi, vi));
            }
        }
    }
    res.sort_by(|a, b| a.0.total_cmp(&b.0));
    res.into_iter().map(|(_, h, v)| (h, v)).collect()
}

/// A located grid: size in modules and the grid->image perspective.
#[derive(Debug, Clone)]
pub struct GridLocation {
    pub size: usize,
    c: Perspective,
    /// Source points of the initial perspective (for re-fitting with another size).
    quad: [Point; 4],
    /// Finder-pattern centres (top-left, top-right, bottom-left) and mean capstone
    /// diagonal, for [`centre_hypotheses`].
    centres: Option<([(f64, f64); 3], f64)>,
    /// Local corrections measured at the alignment patterns (see [`warped`]).
    warp: Option<Warp>,
    /// Whether the perspective went through the fitness jiggle (see [`refined`]).
    refined: bool,
}

/// Displacements (in modules) measured at the alignment-pattern lattice and interpolated
/// bilinearly in between: a single perspective cannot follow curved paper or lens
/// distortion on larger codes.
#[derive(Debug, Clone)]
struct Warp {
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

    fn displacement(&self, u: f64, v: f64) -> (f64, f64) {
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

impl GridLocation {
    /// Image position of grid point (`u`, `v`) (module units), with the local warp if any.
    fn map_f(&self, u: f64, v: f64) -> (f64, f64) {
        match &self.warp {
            Some(w) => {
                let (du, dv) = w.displacement(u, v);
                self.c.map_f(u + du, v + dv)
            }
            None => self.c.map_f(u, v),
        }
    }

    fn map(&self, u: f64, v: f64) -> Point {
        let (x, y) = self.map_f(u, v);
        Point {
            x: saturate(x),
            y: saturate(y),
        }
    }

    /// All four outer corners near the bitmap (a sane geometry).
    fn lands_near(&self, img: &Bitmap) -> bool {
        self.corners().iter().all(|&(x, y)| {
            img.near(Point {
                x: saturate(x),
                y: saturate(y),
            })
        })
    }

    /// Image coordinates of the grid's outer corners (top-left, top-right, bottom-right,
    /// bottom-left).
    pub fn corners(&self) -> [(f64, f64); 4] {
        let s = self.size as f64;
        [(0.0, 0.0), (s, 0.0), (s, s), (0.0, s)].map(|(u, v)| self.c.map_f(u, v))
    }
}

fn rotate_capstone(cap: &mut CapStone, h0: &Point, hd: &Point) -> Option<()> {
    let (best, _) = cap.corners.iter().enumerate().min_by_key(|(_, a)| {
        (i64::from(a.x) - i64::from(h0.x)) * -i64::from(hd.y)
            + (i64::from(a.y) - i64::from(h0.y)) * i64::from(hd.x)
    })?;
    cap.corners.rotate_left(best);
    cap.c = Perspective::create(&cap.corners, 7.0, 7.0)?;
    Some(())
}

fn timing_scan(img: &Bitmap, p0: Point, p1: Point) -> usize {
    let mut count = 0;
    let mut prev = None;
    bresenham(p0, p1, |p| {
        let px = img.get_at_point(p) != WHITE;
        if prev.is_some_and(|q| q != px) {
            count += 1;
        }
        prev = Some(px);
    });
    count
}

fn measure_timing_pattern(img: &Bitmap, caps: &[CapStone; 3]) -> Option<usize> {
    let p0 = caps[0].c.map(6.5, 0.5);
    let p1 = caps[1].c.map(6.5, 6.5);
    let p2 = caps[2].c.map(0.5, 6.5);
    if ![p0, p1, p2].iter().all(|p| img.near(*p)) {
        return None;
    }
    let scan = timing_scan(img, p1, p2).max(timing_scan(img, p1, p0));
    if scan < 1 {
        return None;
    }
    let size = scan + 13;
    let ver = size.saturating_sub(15) / 4;
    Some(ver * 4 + 17)
}

fn find_alignment_pattern(
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

/// quirc's fitness score of a grid perspective, as a list of sample points: each module
/// that should look a certain way (timing patterns, finder patterns, alignment patterns)
/// contributes 3x3 points with the sign of its expected colour (+1 dark, -1 light). The
/// list depends only on the grid size, so the jiggle builds it once and re-maps it for
/// each of its ~80 candidate perspectives.
struct FitnessProbe {
    /// (u, v, expected sign) in module coordinates.
    pts: Vec<(f64, f64, i32)>,
    /// Sample offsets inside a module, per axis.
    offsets: &'static [f64],
}

impl FitnessProbe {
    fn new(size: usize, offsets: &'static [f64]) -> Self {
        let mut probe = FitnessProbe {
            pts: Vec::new(),
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
        for &v in self.offsets {
            for &u in self.offsets {
                self.pts.push((f64::from(x) + u, f64::from(y) + v, sign));
            }
        }
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
    /// -sign when it is light.
    fn score(&self, img: &Bitmap, p: &Perspective) -> i32 {
        let c = &p.0;
        let (w, h) = (img.w as f64, img.h as f64);
        let mut score = 0;
        for &(u, v, sign) in &self.pts {
            let r = 1.0 / (c[6] * u + c[7] * v + 1.0);
            // The pixel is (floor(x + 0.5), floor(y + 0.5)) as in `map`; it is inside the
            // bitmap exactly when 0 <= x + 0.5 < w (NaN fails the test).
            let x = (c[0] * u + c[1] * v + c[2]) * r + 0.5;
            let y = (c[3] * u + c[4] * v + c[5]) * r + 0.5;
            if x >= 0.0 && y >= 0.0 && x < w && y < h {
                let dark = img.px.get(y as usize * img.w + x as usize) != Some(&WHITE);
                score += if dark { sign } else { -sign };
            }
        }
        score
    }
}

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
    let fine = FitnessProbe::new(size, &[0.3, 0.5, 0.7]);
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

fn locate_grid(img: &mut Bitmap, group: [&CapStone; 3]) -> Option<GridLocation> {
    let mut caps = [group[0].clone(), group[1].clone(), group[2].clone()];
    let h0 = caps[0].center;
    let mut hd = Point {
        x: caps[2].center.x - h0.x,
        y: caps[2].center.y - h0.y,
    };
    // Make A-B-C clockwise.
    if (i64::from(caps[1].center.x) - i64::from(h0.x)) * -i64::from(hd.y)
        + (i64::from(caps[1].center.y) - i64::from(h0.y)) * i64::from(hd.x)
        > 0
    {
        caps.swap(0, 2);
        hd = Point { x: -hd.x, y: -hd.y };
    }
    for cap in caps.iter_mut() {
        rotate_capstone(cap, &h0, &hd)?;
    }
    let size = measure_timing_pattern(img, &caps)?;
    let version = (size - 17) / 4;
    if version == 0 || version > 40 {
        return None;
    }
    let mut align = line_intersect(
        &caps[0].corners[0],
        &caps[0].corners[1],
        &caps[2].corners[0],
        &caps[2].corners[3],
    )?;
    if !img.near(align) {
        return None;
    }
    // On V2+ grids, refine the estimate with the alignment pattern when it can be found;
    // otherwise keep the estimate (rqrr gives up here) and let the fitness jiggle fix it.
    if let Some(found) = (size > 21)
        .then(|| find_alignment_pattern(img, align, &caps[0], &caps[2]))
        .flatten()
    {
        align = found;
        let (ax, ay) = (align.x as usize, align.y as usize);
        let line = (i64::from(hd.x), i64::from(hd.y));
        let mut score = -line.1 * i64::from(align.x) + line.0 * i64::from(align.y);
        let mut best = align;
        let original = img.get(ax, ay);
        // Left-most point of the alignment region (relative to the hypotenuse). Paint it
        // and restore its label afterwards so the bitmap stays reusable for other groups.
        img.repaint(ax, ay, ALIGNMENT, |r: Row| {
            for x in [r.left, r.right] {
                let d = -line.1 * x as i64 + line.0 * r.y as i64;
                if d < score {
                    score = d;
                    best = Point {
                        x: x as i32,
                        y: r.y as i32,
                    };
                }
            }
        })?;
        img.repaint(ax, ay, original, |_: Row| ());
        align = best;
    }
    let centres = [&caps[1], &caps[2], &caps[0]].map(|c| c.c.map_f(3.5, 3.5));
    let diag = caps
        .iter()
        .map(|c| {
            let (a, b) = (c.corners[0], c.corners[2]);
            (f64::from(a.x - b.x)).hypot(f64::from(a.y - b.y))
        })
        .sum::<f64>()
        / 3.0;
    let mut loc = fit_grid(
        img,
        [
            caps[1].corners[0],
            caps[2].corners[0],
            align,
            caps[0].corners[0],
        ],
        size,
    )?;
    loc.centres = Some((centres, diag));
    Some(loc)
}

/// Perspective for a grid of `size` modules from its source quad (not yet refined, see
/// [`refined`]); `None` unless it is regular on the whole grid and lands near the bitmap.
fn fit_grid(img: &Bitmap, quad: [Point; 4], size: usize) -> Option<GridLocation> {
    let version = size.checked_sub(17)? / 4;
    if version == 0 || version > 40 || size != version * 4 + 17 {
        return None;
    }
    let dom = size as f64 + 1.0;
    let c = Perspective::create(&quad, (size - 7) as f64, (size - 7) as f64)?;
    if !c.regular_on(dom, dom) {
        return None;
    }
    let loc = GridLocation {
        size,
        c,
        quad,
        centres: None,
        warp: None,
        refined: false,
    };
    loc.lands_near(img).then_some(loc)
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
/// by one version on blurred codes), not yet [`refined`]: only a neighbour that is closer
/// than the counted size to the size the finder patterns suggest (so at most one). On the
/// corpus every neighbour that decoded was such a case, and trying both neighbours of
/// every failing grid cost a quarter of the time of the frames without a readable code.
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
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out.into_iter().map(|(_, g)| g).collect()
}

/// Grids fitted from the finder-pattern centres alone, for finder patterns whose corners
/// mean nothing (round finders: the "corners" of a ring are arbitrary points on it, so the
/// capstone orientation and the timing-pattern count are unreliable). The version comes
/// from the centre distance over the module size, with the module size read from the
/// capstone diagonal as a square (diagonal = 7 sqrt 2 modules) and as a circle (7
/// modules) pattern, plus the neighbouring versions; the 4th corner is the parallelogram
/// estimate (to be [`refined`] by the usual jiggle). At most 6 sizes, up to version 10.
pub fn centre_hypotheses(img: &Bitmap, loc: &GridLocation) -> Vec<GridLocation> {
    let Some(([a, b, c], _)) = loc.centres else {
        return Vec::new();
    };
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
            if (21..=57).contains(&s) && !sizes.contains(&s) && s != loc.size {
                sizes.push(s);
            }
        }
    }
    sizes
        .into_iter()
        .take(6)
        .filter_map(|size| {
            let n = (size - 7) as f64;
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
        })
        .collect()
}

/// How well a 5x5 alignment pattern centred on module (`cx`, `cy`) matches the bitmap when
/// shifted by (`du`, `dv`) modules: +1 per sample of the expected colour, -1 otherwise.
fn apat_match(img: &Bitmap, p: &Perspective, cx: f64, cy: f64, du: f64, dv: f64) -> i32 {
    const OFFSETS: [f64; 3] = [0.3, 0.5, 0.7];
    let mut score = 0;
    for j in -2i32..=2 {
        for i in -2i32..=2 {
            let dark = i.abs().max(j.abs()) != 1;
            for v in OFFSETS {
                for u in OFFSETS {
                    let q = p.map(
                        cx + f64::from(i) - 0.5 + u + du,
                        cy + f64::from(j) - 0.5 + v + dv,
                    );
                    if img.inside(q) {
                        score += if (img.get_at_point(q) != WHITE) == dark {
                            1
                        } else {
                            -1
                        };
                    }
                }
            }
        }
    }
    score
}

/// The grid with a local warp: each alignment pattern is searched within +-1 module of
/// its predicted position (quarter-module steps, nearest first) and the displacements are
/// interpolated between them (the finder patterns stay where the perspective puts them).
/// `None` for version 1 or when no alignment pattern moved.
pub fn warped(img: &Bitmap, loc: &GridLocation) -> Option<GridLocation> {
    const STEPS: [f64; 13] = [
        0.0, -0.25, 0.25, -0.5, 0.5, -0.75, 0.75, -1.0, 1.0, -1.25, 1.25, -1.5, 1.5,
    ];
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
            let mut best = (apat_match(img, &loc.c, x, y, pu, pv), (pu, pv));
            for dv in STEPS {
                for du in STEPS {
                    let s = apat_match(img, &loc.c, x, y, pu + du, pv + dv);
                    if s > best.0 {
                        best = (s, (pu + du, pv + dv));
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

/// What the capstone scan of a bitmap saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanStats {
    /// Capstones (finder patterns) found.
    pub capstones: usize,
    /// Line candidates (1:1:3:1:1 runs) of the opposite polarity: the inverted bitmap
    /// can only have capstones where it has candidates, so fewer than 3 rule it out.
    /// `None` when the scan stopped early.
    pub inverse_hits: Option<usize>,
}

/// Find grids in a binary bitmap. Mutates the labels (not the black/white content).
pub fn detect_grids(img: &mut Bitmap) -> Vec<GridLocation> {
    detect(img).1
}

/// Like [`detect_grids`], also returning what the scan saw.
pub fn detect(img: &mut Bitmap) -> (ScanStats, Vec<GridLocation>) {
    let (caps, inverse_hits) = find_capstones(img);
    let stats = ScanStats {
        capstones: caps.len(),
        inverse_hits,
    };
    (stats, group_capstones(img, &caps))
}

fn group_capstones(img: &mut Bitmap, caps: &[CapStone]) -> Vec<GridLocation> {
    let mut used = vec![false; caps.len()];
    let mut grids = Vec::new();
    let mut tests = 0;
    for idx in 0..caps.len() {
        if used[idx] {
            continue;
        }
        for (a, b) in rank_neighbours(caps, idx) {
            if used[a] || used[b] {
                continue;
            }
            if tests >= MAX_GROUP_TESTS || grids.len() >= MAX_GRIDS {
                return grids;
            }
            tests += 1;
            if let Some(loc) = locate_grid(img, [&caps[a], &caps[idx], &caps[b]]) {
                grids.push(loc);
                used[a] = true;
                used[idx] = true;
                used[b] = true;
            }
        }
    }
    // Fallback: quirc's neighbour test looks along the axes of each capstone's own
    // perspective, which blur and strong tilt skew (the corners of a blurred capstone are
    // imprecise). Try loosely right-angled triples of unused capstones, best first.
    let free: Vec<usize> = (0..caps.len().min(FALLBACK_CAPSTONES))
        .filter(|&i| !used[i])
        .collect();
    for (_, a, corner, b) in right_angle_triples(caps, &free) {
        if used[a] || used[corner] || used[b] {
            continue;
        }
        if tests >= MAX_GROUP_TESTS || grids.len() >= MAX_GRIDS {
            break;
        }
        tests += 1;
        if let Some(loc) = locate_grid(img, [&caps[a], &caps[corner], &caps[b]]) {
            grids.push(loc);
            used[a] = true;
            used[corner] = true;
            used[b] = true;
        }
    }
    grids
}

/// Only the first capstones take part in the all-triples fallback (12 -> 220 triples).
const FALLBACK_CAPSTONES: usize = 12;

/// Triples (score, a, corner, b) whose legs corner->a and corner->b are roughly
/// perpendicular (60..120 degrees) and of similar length (ratio < 2), best first.
fn right_angle_triples(caps: &[CapStone], idx: &[usize]) -> Vec<(f64, usize, usize, usize)> {
    let mut out = Vec::new();
    for (i, &p) in idx.iter().enumerate() {
        for (j, &q) in idx.iter().enumerate().skip(i + 1) {
            for &r in idx.iter().skip(j + 1) {
                for (a, corner, b) in [(q, p, r), (p, q, r), (p, r, q)] {
                    let c = caps[corner].center;
                    let (ax, ay) = (
                        f64::from(caps[a].center.x - c.x),
                        f64::from(caps[a].center.y - c.y),
                    );
                    let (bx, by) = (
                        f64::from(caps[b].center.x - c.x),
                        f64::from(caps[b].center.y - c.y),
                    );
                    let (la, lb) = (ax.hypot(ay), bx.hypot(by));
                    if la < 1.0 || lb < 1.0 {
                        continue;
                    }
                    let cos = ((ax * bx + ay * by) / (la * lb)).abs();
                    let ratio = la.max(lb) / la.min(lb);
                    if cos < 0.5 && ratio < 2.0 {
                        out.push((cos + (ratio - 1.0), a, corner, b));
                    }
                }
            }
        }
    }
    out.sort_by(|x, y| x.0.total_cmp(&y.0));
    out
}

/// Sampled module grid, handed to the decoder (`qrdata.rs`).
pub struct Modules {
    size: usize,
    bits: Vec<bool>,
}

impl rqrr::BitGrid for Modules {
    fn size(&self) -> usize {
        self.size
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.bits.get(y * self.size + x).copied().unwrap_or(false)
    }
}

/// Sample the module centres of a located grid.
pub fn sample(img: &Bitmap, loc: &GridLocation) -> Modules {
    let size = loc.size;
    let mut bits = Vec::with_capacity(size * size);
    for y in 0..size {
        for x in 0..size {
            let p = loc.map(x as f64 + 0.5, y as f64 + 0.5);
            bits.push(img.get_at_point(p) != WHITE);
        }
    }
    Modules { size, bits }
}

/// Sample each module as the majority of 5 points (centre and +-0.25 module): more
/// tolerant of a slightly off perspective and of blur than the centre alone.
pub fn sample_majority(img: &Bitmap, loc: &GridLocation) -> Modules {
    const OFF: [(f64, f64); 5] = [
        (0.5, 0.5),
        (0.25, 0.25),
        (0.75, 0.25),
        (0.25, 0.75),
        (0.75, 0.75),
    ];
    let size = loc.size;
    let mut bits = Vec::with_capacity(size * size);
    for y in 0..size {
        for x in 0..size {
            let dark = OFF
                .iter()
                .filter(|(u, v)| img.get_at_point(loc.map(x as f64 + u, y as f64 + v)) != WHITE)
                .count();
            bits.push(dark >= 3);
        }
    }
    Modules { size, bits }
}

impl Modules {
    /// A grid from its bits (row-major, `true` = dark); missing bits read as light.
    pub fn from_bits(size: usize, bits: Vec<bool>) -> Modules {
        Modules { size, bits }
    }
}

/// Grey level of each module of a located grid, read from the grey plane (`w` x `h`,
/// row-major) rather than a binarization: the mean of bilinear samples at the centre and
/// at +-0.2 module around it. Points outside the plane read as white.
pub fn sample_grey(w: usize, h: usize, px: &[u8], loc: &GridLocation) -> Vec<u8> {
    const OFF: [(f64, f64); 5] = [(0.5, 0.5), (0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7)];
    let at = |x: f64, y: f64| -> f64 {
        if !(x >= 0.0 && y >= 0.0) {
            return 255.0;
        }
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let (x0, y0) = (x0 as usize, y0 as usize);
        if x0 + 1 >= w || y0 + 1 >= h {
            return 255.0;
        }
        let g = |xx: usize, yy: usize| f64::from(px.get(yy * w + xx).copied().unwrap_or(255));
        let top = g(x0, y0) * (1.0 - fx) + g(x0 + 1, y0) * fx;
        let bottom = g(x0, y0 + 1) * (1.0 - fx) + g(x0 + 1, y0 + 1) * fx;
        top * (1.0 - fy) + bottom * fy
    };
    let size = loc.size;
    let mut out = Vec::with_capacity(size * size);
    for y in 0..size {
        for x in 0..size {
            let sum: f64 = OFF
                .iter()
                .map(|(u, v)| {
                    let (px, py) = loc.map_f(x as f64 + u, y as f64 + v);
                    at(px, py)
                })
                .sum();
            out.push((sum / OFF.len() as f64).round().clamp(0.0, 255.0) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
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

    /// A 25-module grid drawn at 4 px per module from (10, 10).
    fn square_grid() -> GridLocation {
        let rect = [(10.0, 10.0), (110.0, 10.0), (110.0, 110.0), (10.0, 110.0)];
        GridLocation {
            size: 25,
            c: Perspective::create_f(rect, 25.0, 25.0).unwrap(),
            quad: [Point { x: 10, y: 10 }; 4],
            centres: Some((
                [(24.0, 24.0), (96.0, 24.0), (24.0, 96.0)],
                28.0 * 2f64.sqrt(),
            )),
            warp: None,
            refined: true,
        }
    }

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
        // square capstone's diagonal is 7 sqrt 2 modules. The hypotheses are the other
        // plausible sizes (the grid's own size is skipped).
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

    #[test]
    fn perspective_rejects_degenerate_quads() {
        let p = |x, y| Point { x, y };
        // Collinear.
        assert!(Perspective::create(&[p(0, 0), p(5, 0), p(10, 0), p(15, 0)], 7.0, 7.0).is_none());
        // All the same point.
        assert!(Perspective::create(&[p(3, 3); 4], 7.0, 7.0).is_none());
        // Self-intersecting ("bow tie").
        assert!(Perspective::create(&[p(0, 0), p(10, 10), p(10, 0), p(0, 10)], 7.0, 7.0).is_none());
        // Concave quad whose vanishing line crosses the domain.
        assert!(
            Perspective::create(&[p(0, 0), p(100, 0), p(10, 10), p(0, 100)], 7.0, 7.0).is_none()
        );
        // A proper square works and maps corners back.
        let sq =
            Perspective::create(&[p(10, 10), p(80, 10), p(80, 80), p(10, 80)], 7.0, 7.0).unwrap();
        assert_eq!(sq.map(7.0, 7.0), p(80, 80));
        assert_eq!(sq.map(0.0, 0.0), p(10, 10));
    }

    #[test]
    fn map_saturates_instead_of_panicking() {
        let p = Perspective([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, -1.0, 0.0]);
        // den = 1 - u = 0 at u = 1: rqrr asserts here.
        let q = p.map(1.0, 0.0);
        assert!(q.x.unsigned_abs() >= 1 << 23);
        let q = Perspective([f64::NAN; 8]).map(1.0, 1.0);
        assert_eq!(q.x, -(1 << 24));
    }

    #[test]
    fn saturate_rounds_halves_up_and_clamps() {
        for (v, want) in [
            (0.0, 0),
            (0.49, 0),
            (0.5, 1),
            (2.5, 3),
            (-0.5, 0),
            (-0.51, -1),
            (-1.5, -1),
            (-2.7, -3),
            (1e300, 1 << 24),
            (-1e300, -(1 << 24)),
            (f64::INFINITY, 1 << 24),
        ] {
            assert_eq!(saturate(v), want, "{v}");
        }
    }

    #[test]
    fn bresenham_is_bounded_and_exact() {
        let mut pts = Vec::new();
        bresenham(Point { x: 0, y: 0 }, Point { x: 3, y: 1 }, |p| pts.push(p));
        assert_eq!(pts.len(), 4);
        assert_eq!(pts[0], Point { x: 0, y: 0 });
        assert_eq!(pts[3], Point { x: 3, y: 1 });
    }

    #[test]
    fn flood_fill_counts_region() {
        let dark = [true, true, false, false, false, false, false, true, true];
        let mut b = Bitmap::new(3, 3, dark.into_iter()).unwrap();
        match b.get_region(0, 0) {
            Some(Region::Unclaimed { count, .. }) => assert_eq!(count, 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(b.get_region(1, 1), None);
        match b.get_region(2, 2) {
            Some(Region::Unclaimed { count, color }) => {
                assert_eq!(count, 2);
                assert_eq!(color, FIRST_REGION + 1);
            }
            other => panic!("{other:?}"),
        }
    }
}
