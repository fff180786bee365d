//! Grid fitting: a capstone triple oriented (clockwise, corners rotated), the version from
//! the timing patterns, the fourth corner from the alignment pattern (or its estimate), and
//! the grid->image perspective over the whole grid.
//!
//! In: three capstones (or a source quad and a size). Out: a [`GridLocation`], not yet
//! refined by the jiggle (`None` for a singular perspective or a grid far off the bitmap).

use super::alignment::{find_alignment_pattern, Warp};
use super::bitmap::{Bitmap, Row, ALIGNMENT, WHITE};
use super::finder::CapStone;
use super::geometry::{bresenham, line_intersect, saturate, Perspective, Point};

/// A located grid: size in modules and the grid->image perspective.
#[derive(Debug, Clone)]
pub struct GridLocation {
    pub size: usize,
    pub(super) c: Perspective,
    /// Source points of the initial perspective (for re-fitting with another size).
    pub(super) quad: [Point; 4],
    /// Finder-pattern centres (top-left, top-right, bottom-left) and mean capstone
    /// diagonal, for [`centre_hypotheses`](super::centre_hypotheses).
    pub(super) centres: Option<([(f64, f64); 3], f64)>,
    /// Local corrections measured at the alignment patterns (see
    /// [`warped`](super::warped)).
    pub(super) warp: Option<Warp>,
    /// Whether the perspective went through the fitness jiggle (see
    /// [`refined`](super::refined)).
    pub(super) refined: bool,
}

impl GridLocation {
    /// Image position of grid point (`u`, `v`) (module units), with the local warp if any.
    pub(super) fn map_f(&self, u: f64, v: f64) -> (f64, f64) {
        match &self.warp {
            Some(w) => {
                let (du, dv) = w.displacement(u, v);
                self.c.map_f(u + du, v + dv)
            }
            None => self.c.map_f(u, v),
        }
    }

    pub(super) fn map(&self, u: f64, v: f64) -> Point {
        let (x, y) = self.map_f(u, v);
        Point {
            x: saturate(x),
            y: saturate(y),
        }
    }

    /// All four outer corners near the bitmap (a sane geometry).
    pub(super) fn lands_near(&self, img: &Bitmap) -> bool {
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

pub(super) fn locate_grid(img: &mut Bitmap, group: [&CapStone; 3]) -> Option<GridLocation> {
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
/// [`refined`](super::refined)); `None` unless it is regular on the whole grid and lands
/// near the bitmap.
pub(super) fn fit_grid(img: &Bitmap, quad: [Point; 4], size: usize) -> Option<GridLocation> {
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

/// A 25-module grid drawn at 4 px per module from (10, 10) (for the unit tests of the
/// later stages).
#[cfg(test)]
pub(super) fn square_grid() -> GridLocation {
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
