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
    // Bilinear interpolation in 8-bit fixed point (float-to-unsigned casts and float
    // arithmetic per point made this the costliest step of a failing grid); the result
    // is scaled by 2^16.
    let (wl, hl) = (w.saturating_sub(1) as f64, h.saturating_sub(1) as f64);
    let at = |x: f64, y: f64| -> u32 {
        // In range (NaN fails), so the casts below are exact truncations of small values.
        if !(x >= 0.0 && y >= 0.0 && x < wl && y < hl) {
            return 255 << 16;
        }
        let (xi, yi) = ((x * 256.0) as i32, (y * 256.0) as i32);
        let (x0, y0) = ((xi >> 8) as usize, (yi >> 8) as usize);
        let (fx, fy) = ((xi & 255) as u32, (yi & 255) as u32);
        let i = y0 * w + x0;
        let g = |k: usize| u32::from(px.get(k).copied().unwrap_or(255));
        let top = g(i) * (256 - fx) + g(i + 1) * fx;
        let bottom = g(i + w) * (256 - fx) + g(i + w + 1) * fx;
        top * (256 - fy) + bottom * fy
    };
    // The grid lines' crossings mapped once ((size + 1)^2 maps instead of 5 per module);
    // inside a module the points are bilinear in its 4 corners (the perspective and the
    // warp are smooth at that scale: the difference is a tiny fraction of a module).
    // Grey sampling runs on every failing grid and was a third of a miss's time.
    let size = loc.size;
    let n1 = size + 1;
    let mut lines = Vec::with_capacity(n1 * n1);
    for y in 0..n1 {
        for x in 0..n1 {
            lines.push(loc.map_f(x as f64, y as f64));
        }
    }
    let corner = |x: usize, y: usize| lines.get(y * n1 + x).copied().unwrap_or((-1.0, -1.0));
    let mut out = Vec::with_capacity(size * size);
    for y in 0..size {
        for x in 0..size {
            let (a, b) = (corner(x, y), corner(x + 1, y));
            let (c, d) = (corner(x, y + 1), corner(x + 1, y + 1));
            let sum: u32 = OFF
                .iter()
                .map(|&(u, v)| {
                    let top = (a.0 + (b.0 - a.0) * u, a.1 + (b.1 - a.1) * u);
                    let bottom = (c.0 + (d.0 - c.0) * u, c.1 + (d.1 - c.1) * u);
                    at(
                        top.0 + (bottom.0 - top.0) * v,
                        top.1 + (bottom.1 - top.1) * v,
                    )
                })
                .sum();
            let n = OFF.len() as u32;
            out.push(((sum + (n << 15)) / (n << 16)).min(255) as u8);
        }
    }
    out
}
