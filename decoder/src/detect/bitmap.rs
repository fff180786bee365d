//! The detector's working image: a binarized frame as a `u16` label plane, with quirc's
//! region labelling (scan-line flood fills, per-region pixel counts).
//!
//! In: `w` x `h` dark/light pixels (at most [`MAX_SIDE`] per side). Out: pixel and region
//! queries for the finder, alignment and sampling stages; labels change, the dark/light
//! content never does.

use super::geometry::Point;

/// Largest bitmap side the detector accepts (the pipeline never builds bigger ones).
pub const MAX_SIDE: usize = 4096;

pub(super) const WHITE: u16 = 0;
const BLACK: u16 = 1;
pub(super) const CAPSTONE: u16 = 2;
pub(super) const ALIGNMENT: u16 = 3;
pub(super) const TMP1: u16 = 4;
const FIRST_REGION: u16 = 5;
/// Pixel count recorded for a region whose fill was cut short.
const OVERSIZED: usize = usize::MAX;

#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    pub(super) left: usize,
    pub(super) right: usize,
    pub(super) y: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Region {
    Unclaimed {
        color: u16,
        count: usize,
    },
    /// Larger than the cap of the query that labelled it (see
    /// [`Bitmap::get_region_capped`]).
    Oversized,
    CapStone,
    Alignment,
    Tmp1,
}

/// Binary image being searched. Pixels: 0 white, 1 black, >1 labels.
pub struct Bitmap {
    pub(super) w: usize,
    pub(super) h: usize,
    pub(super) px: Vec<u16>,
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

    pub(super) fn get(&self, x: usize, y: usize) -> u16 {
        self.px.get(y * self.w + x).copied().unwrap_or(WHITE)
    }

    pub(super) fn get_at_point(&self, p: Point) -> u16 {
        let x = p.x.clamp(0, self.w as i32 - 1) as usize;
        let y = p.y.clamp(0, self.h as i32 - 1) as usize;
        self.get(x, y)
    }

    pub(super) fn inside(&self, p: Point) -> bool {
        p.x >= 0 && p.y >= 0 && (p.x as usize) < self.w && (p.y as usize) < self.h
    }

    /// Loose sanity box: points far outside the bitmap mean a broken geometry.
    pub(super) fn near(&self, p: Point) -> bool {
        let (w, h) = (self.w as i32, self.h as i32);
        p.x >= -w && p.y >= -h && p.x < 2 * w && p.y < 2 * h
    }

    pub(super) fn get_region(&mut self, x: usize, y: usize) -> Option<Region> {
        self.get_region_capped(x, y, usize::MAX)
    }

    /// The region of (`x`, `y`), labelling it on first use. A region whose flood fill
    /// passes `cap` pixels is left partly labelled and reported as
    /// [`Region::Oversized`] from then on (also when a later fill reaches its labelled
    /// part): the finder test only needs to know that a region is far too large for a
    /// capstone, and flood-filling whole backgrounds was most of the scan's cost on
    /// frames without a code.
    pub(super) fn get_region_capped(&mut self, x: usize, y: usize, cap: usize) -> Option<Region> {
        match self.get(x, y) {
            WHITE => None,
            BLACK => {
                let color = usize::from(FIRST_REGION) + self.regions.len();
                let color = u16::try_from(color).ok().filter(|&c| c < u16::MAX)?;
                let mut count = 0usize;
                let complete = self.flood_fill(x, y, BLACK, color, cap, &mut |r: Row| {
                    count += r.right - r.left + 1
                });
                if complete {
                    self.regions.push(count);
                    Some(Region::Unclaimed { color, count })
                } else {
                    self.regions.push(OVERSIZED);
                    Some(Region::Oversized)
                }
            }
            CAPSTONE => Some(Region::CapStone),
            ALIGNMENT => Some(Region::Alignment),
            TMP1 => Some(Region::Tmp1),
            c => self
                .regions
                .get(usize::from(c - FIRST_REGION))
                .map(|&count| match count {
                    OVERSIZED => Region::Oversized,
                    count => Region::Unclaimed { color: c, count },
                }),
        }
    }

    pub(super) fn repaint(
        &mut self,
        x: usize,
        y: usize,
        to: u16,
        mut fill: impl FnMut(Row),
    ) -> Option<()> {
        let src = self.get(x, y);
        if src == WHITE || src == to || x >= self.w || y >= self.h {
            return None;
        }
        self.flood_fill(x, y, src, to, usize::MAX, &mut fill);
        Some(())
    }

    /// Scan-line flood fill; every pixel changes from `from` to `to` at most once, so the
    /// work is bounded by the bitmap size. Works on row slices (one bounds check per run,
    /// not per pixel): this runs over every dark region a finder candidate touches.
    ///
    /// Returns `false` when the fill stopped after more than `cap` pixels, or when it
    /// touched a pixel of another label in the same connected region (the labelled part
    /// of an earlier fill that was cut short: a complete region has no dark neighbours
    /// outside it).
    fn flood_fill(
        &mut self,
        x: usize,
        y: usize,
        from: u16,
        to: u16,
        cap: usize,
        fill: &mut impl FnMut(Row),
    ) -> bool {
        if from == to || x >= self.w || y >= self.h {
            return true;
        }
        let (w, h) = (self.w, self.h);
        let mut queue = vec![(x, y)];
        let mut filled = 0usize;
        let mut foreign = false;
        while let Some((x, y)) = queue.pop() {
            if filled > cap {
                return false;
            }
            let Some(row) = self.px.get_mut(y * w..(y + 1) * w) else {
                continue;
            };
            if row.get(x) != Some(&from) {
                continue;
            }
            let left = match row[..x].iter().rposition(|&p| p != from) {
                Some(i) => {
                    foreign |= row.get(i).is_some_and(|&p| p != WHITE && p != to);
                    i + 1
                }
                None => 0,
            };
            let right = match row[x..].iter().position(|&p| p != from) {
                Some(i) => {
                    foreign |= row.get(x + i).is_some_and(|&p| p != WHITE && p != to);
                    x + i - 1
                }
                None => w - 1,
            };
            row[left..=right].fill(to);
            filled += right - left + 1;
            fill(Row { left, right, y });
            for ny in [y.checked_sub(1), Some(y + 1).filter(|&v| v < h)]
                .into_iter()
                .flatten()
            {
                let Some(span) = self.px.get(ny * w + left..=ny * w + right) else {
                    continue;
                };
                // One seed per run of `from` pixels; any other label is foreign.
                let mut prev = WHITE;
                for (i, &p) in span.iter().enumerate() {
                    if p == from {
                        if prev != from {
                            queue.push((left + i, ny));
                        }
                    } else if p != WHITE && p != to {
                        foreign = true;
                    }
                    prev = p;
                }
            }
        }
        !foreign
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn capped_fill_marks_the_whole_region_oversized() {
        // A U-shaped region of 2 + 3 + 2 = 7 pixels: a fill from the left arm capped at
        // 3 pixels stops part-way; the right arm, filled later without a cap, touches
        // the labelled part and is oversized too (its own count would be wrong).
        let dark = [
            true, false, true, //
            true, false, true, //
            true, true, true,
        ];
        let mut b = Bitmap::new(3, 3, dark.into_iter()).unwrap();
        assert_eq!(b.get_region_capped(0, 0, 2), Some(Region::Oversized));
        assert_eq!(
            b.get_region_capped(0, 0, usize::MAX),
            Some(Region::Oversized)
        );
        assert_eq!(b.get_region(2, 0), Some(Region::Oversized));
        // Uncapped, the count is exact.
        let mut b = Bitmap::new(3, 3, dark.into_iter()).unwrap();
        assert!(matches!(
            b.get_region_capped(2, 0, 7),
            Some(Region::Unclaimed { count: 7, .. })
        ));
    }
}
