//! Finder-pattern ("capstone") detector and grid sampler: binarized bitmap -> located
//! grids -> sampled module grids.
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
//! Decoding of the sampled bit grid is in `qrdata/` (own codeword reader, Reed-Solomon and
//! payload parser).
//!
//! One stage per file, in pipeline order:
//!
//! * `bitmap`: the label plane and region flood fills; `geometry`: points, perspective;
//! * `finder`: capstones (row scan, column cross-check, region test);
//! * `group`: capstone triples; `grid`: orientation, timing count, grid perspective;
//! * `alignment`: alignment-pattern search, and the local warp (Thorough);
//! * `jiggle`: fitness hill climbing of a grid's perspective;
//! * `hypotheses`: geometry retries (neighbouring version, corner variants, centre fits);
//! * `sample`: modules from the bitmap or grey levels from the grey plane.

mod alignment;
mod bitmap;
mod finder;
mod geometry;
mod grid;
mod group;
mod hypotheses;
mod jiggle;
mod sample;

pub use alignment::warped;
pub(crate) use alignment::APAT;
pub use bitmap::{Bitmap, MAX_SIDE};
pub use grid::GridLocation;
pub use hypotheses::{centre_hypotheses, corner_variants, neighbour_sizes, version_checked};
pub use jiggle::refined;
pub use sample::{sample, sample_grey, sample_majority, Modules};

use finder::find_capstones;
use group::group_capstones;

/// What the capstone scan of a bitmap saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanStats {
    /// Capstones (finder patterns) found.
    pub capstones: usize,
    /// Line candidates (1:1:3:1:1 runs) of the opposite polarity that pass the same
    /// cross-checks (column, diagonal) as this polarity's: the inverted bitmap can only
    /// have capstones where it has such candidates, so fewer than 3 rule it out.
    /// `None` when the scan stopped early.
    pub inverse_hits: Option<usize>,
    /// Row candidates that passed the column and diagonal cross-checks.
    pub cross_checked: usize,
    /// Grids located (capstone triples with a plausible geometry).
    pub grids: usize,
}

/// Find grids in a binary bitmap. Mutates the labels (not the black/white content).
pub fn detect_grids(img: &mut Bitmap) -> Vec<GridLocation> {
    detect(img, 1).1
}

/// Like [`detect_grids`], also returning what the scan saw; the row scan for finder
/// candidates looks at every `row_step`-th row.
pub fn detect(img: &mut Bitmap, row_step: usize) -> (ScanStats, Vec<GridLocation>) {
    let scan = find_capstones(img, row_step);
    let grids = group_capstones(img, &scan.caps);
    let stats = ScanStats {
        capstones: scan.caps.len(),
        inverse_hits: scan.inverse_hits,
        cross_checked: scan.cross_checked,
        grids: grids.len(),
    };
    (stats, grids)
}
