//! Geometry shared by every detector stage: integer points, the plane-to-plane
//! [`Perspective`] (regularity-checked, saturating), line intersection and Bresenham walks.
//!
//! In: corner quads and module coordinates. Out: image points that never overflow, and
//! `None` instead of a singular or degenerate transform (rqrr's `geometry.rs` asserts).

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
pub struct Perspective(pub(super) [f64; 8]);

/// Nearest integer (halves round up), clamped; NaN lands far outside any bitmap.
/// `floor(v + 0.5)` by a truncating cast and a correction for negatives: `round` and
/// `floor` are library calls on baseline x86-64, and this runs for every sample point.
pub(super) fn saturate(v: f64) -> i32 {
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

pub(super) fn line_intersect(p0: &Point, p1: &Point, q0: &Point, q1: &Point) -> Option<Point> {
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
pub(super) fn bresenham(from: Point, to: Point, mut visit: impl FnMut(Point)) {
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

/// Stable ascending order of `keys` (`total_cmp`): the indices, ties in input order.
/// One non-generic merge sort for the detector's few sorts (candidate lists of tens to a
/// few thousand entries): each `sort_by` instantiation linked ~6 KB of std's sort into
/// the wasm, three of them ~18 KB.
pub(super) fn stable_order(keys: &[f64]) -> Vec<usize> {
    let n = keys.len();
    let mut idx: Vec<usize> = (0..n).collect();
    let mut tmp = idx.clone();
    let key = |i: usize| keys.get(i).copied().unwrap_or(f64::INFINITY);
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut a, mut b) = (start, mid);
            for slot in tmp.iter_mut().take(end).skip(start) {
                let (ia, ib) = (idx.get(a).copied(), idx.get(b).copied());
                let take_b = match (ia, ib) {
                    (Some(x), Some(y)) if a < mid && b < end => key(y).total_cmp(&key(x)).is_lt(),
                    _ => a >= mid,
                };
                if take_b {
                    *slot = ib.unwrap_or(0);
                    b += 1;
                } else {
                    *slot = ia.unwrap_or(0);
                    a += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut idx, &mut tmp);
        width *= 2;
    }
    idx
}

/// `items` in the stable ascending order of their keys.
pub(super) fn sorted_by_key<T: Clone>(items: &[T], key: impl Fn(&T) -> f64) -> Vec<T> {
    let keys: Vec<f64> = items.iter().map(key).collect();
    stable_order(&keys)
        .into_iter()
        .filter_map(|i| items.get(i).cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_order_sorts_and_keeps_ties_in_order() {
        let mut seed = 7u32;
        for n in [0usize, 1, 2, 3, 5, 8, 13, 64, 100, 1000] {
            let keys: Vec<f64> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    f64::from(seed >> 28)
                })
                .collect();
            let mut want: Vec<usize> = (0..n).collect();
            want.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
            assert_eq!(stable_order(&keys), want, "n={n}");
        }
    }

    use super::*;

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
}
