//! Sampling: a located grid read back as modules, from the bitmap (module centres, or
//! the majority of 5 points per module) or as grey levels from the grey plane.
//!
//! In: a [`GridLocation`] and a [`Bitmap`] (or grey plane). Out: [`Modules`] (an
//! `rqrr::BitGrid`) for the decoder (`qrdata/`), or one grey level per module.

use super::bitmap::{Bitmap, WHITE};
use super::grid::GridLocation;

/// Sampled module grid, handed to the decoder (`qrdata/`).
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
        // Non-negative here, so truncation is the floor (`floor` is a library call on
        // baseline x86-64); huge values saturate and fail the bounds test below.
        let (x0, y0) = (x as usize, y as usize);
        let (fx, fy) = (x - x0 as f64, y - y0 as f64);
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
