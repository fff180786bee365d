//! QR decode pipeline: greyscale frame -> decoded texts, for native and wasm32 targets.
//!
//! The pipeline (see `README.md`) prepares several binarized views of the frame and runs a
//! hardened port of rqrr's finder-pattern detector on each (module [`detect`]); sampled
//! grids are decoded by module `qrdata` (own codeword reader, Reed-Solomon and payload
//! parser). Stages are ordered cheap-first and the first successful view
//! ends the search.
//!
//! The library is pure: no threads, files, clocks or global state, and it never panics
//! (any byte buffer of any claimed size returns in bounded time).

mod detect;
mod gb2312;
mod imgproc;
mod packed;
mod qrdata;
mod sjis;
mod text;

use imgproc::Plane;

/// A borrowed 8-bit greyscale frame, row-major, `luma.len() == width * height`
/// (0 = black, 255 = white).
#[derive(Debug, Clone, Copy)]
pub struct GreyFrame<'a> {
    pub width: usize,
    pub height: usize,
    pub luma: &'a [u8],
}

impl<'a> GreyFrame<'a> {
    pub fn new(width: usize, height: usize, luma: &'a [u8]) -> Self {
        GreyFrame {
            width,
            height,
            luma,
        }
    }

    /// `true` when the size is consistent and within [`MAX_FRAME_PIXELS`].
    pub fn is_valid(&self) -> bool {
        self.width >= MIN_SIDE
            && self.height >= MIN_SIDE
            && self.width.checked_mul(self.height) == Some(self.luma.len())
            && self.luma.len() <= MAX_FRAME_PIXELS
    }
}

/// Frames larger than this are refused (empty result). 64 Mpx covers any phone photo.
pub const MAX_FRAME_PIXELS: usize = 64 * 1024 * 1024;
/// Frames with a side below this are refused (a version 1 code needs 21 modules).
pub const MIN_SIDE: usize = 21;

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Effort {
    /// Live camera frames (~10 per second): a handful of cheap views.
    #[default]
    Fast,
    /// Uploaded photos: every view the pipeline knows, still bounded.
    Thorough,
}

/// Decode with [`Effort::Fast`]. Returns the distinct texts found (usually zero or one).
pub fn decode(frame: &GreyFrame) -> Vec<String> {
    decode_with(frame, Effort::Fast)
}

/// Decode with [`Effort::Thorough`] (photo uploads).
pub fn decode_thorough(frame: &GreyFrame) -> Vec<String> {
    decode_with(frame, Effort::Thorough)
}

/// Decode with the given effort.
pub fn decode_with(frame: &GreyFrame, effort: Effort) -> Vec<String> {
    trace(frame, effort).texts
}

/// RGBA pixels (as a canvas gives them) → 8-bit luma with integer Rec.601 weights
/// `(77 R + 150 G + 29 B) >> 8` (0.299 / 0.587 / 0.114 scaled by 256). A trailing partial pixel
/// is ignored. The scanner's worker and the browser benchmark both convert with this.
pub fn rgba_to_luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            let y = 77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]);
            // 77 + 150 + 29 = 256, so y >> 8 <= 255.
            u8::try_from(y >> 8).unwrap_or(u8::MAX)
        })
        .collect()
}

/// Cheapest single view: rqrr's own threshold on the whole frame, first grid only, centre
/// sampling, through the hardened detector (so, unlike stock rqrr, it cannot panic).
pub fn decode_plain(frame: &GreyFrame) -> Vec<String> {
    if !frame.is_valid() || frame.width > detect::MAX_SIDE || frame.height > detect::MAX_SIDE {
        return Vec::new();
    }
    let plane = Plane {
        w: frame.width,
        h: frame.height,
        px: frame.luma.to_vec(),
    };
    let bits = plane.threshold_rows();
    let Some(mut bm) = detect::Bitmap::new(plane.w, plane.h, bits.into_iter()) else {
        return Vec::new();
    };
    let grids = detect::detect_grids(&mut bm);
    grids
        .first()
        .and_then(|g| detect::refined(&bm, g, 0))
        .and_then(|g| decode_modules(detect::sample(&bm, &g)))
        .into_iter()
        .collect()
}

/// Result of a traced decode (for the benchmark binary).
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub texts: Vec<String>,
    /// Label of the view that produced the texts.
    pub view: Option<&'static str>,
    /// Number of views tried.
    pub views_tried: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    /// The working image (frame shrunk to the effort's size limit).
    Base,
    /// Base enlarged so its longer side is about this many pixels (only if it is smaller).
    UpTo(usize),
    /// Base shrunk by this factor (only if it stays >= 21 px).
    Down(usize),
    /// Centre crop (middle 60%), enlarged so its longer side is about this many pixels.
    Centre(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bin {
    /// rqrr's running row average.
    Rows,
    /// Local mean over a window of side/`n`.
    Local(usize),
    /// Global Otsu.
    Otsu,
}

#[derive(Debug, Clone, Copy)]
struct View {
    label: &'static str,
    scale: Scale,
    bin: Bin,
    invert: bool,
    /// Skipped unless an earlier view found at least one capstone (see [`FAST`]).
    needs_capstone: bool,
    /// Skipped unless an earlier view located a grid (that did not decode).
    needs_grid: bool,
    /// Fast: this view's failing grids also get Thorough's geometry retries.
    retries: bool,
}

const fn v(label: &'static str, scale: Scale, bin: Bin, invert: bool) -> View {
    View {
        label,
        scale,
        bin,
        invert,
        needs_capstone: false,
        needs_grid: false,
        retries: false,
    }
}

/// A view that only runs when an earlier one found a capstone.
const fn gated(view: View) -> View {
    View {
        needs_capstone: true,
        ..view
    }
}

/// A view that only runs when an earlier one located a grid it could not read.
const fn rescue(view: View) -> View {
    View {
        needs_grid: true,
        ..view
    }
}

/// A view whose failing grids get Thorough's geometry retries in Fast too.
const fn with_retries(view: View) -> View {
    View {
        retries: true,
        ..view
    }
}

/// Fast's second binarization (local means over square windows) rescues codes whose
/// finder patterns the row threshold distorts (2-D shading, glare, blur), but it only
/// runs when the row threshold found at least one capstone: both are local-mean
/// thresholds of similar reach, and on the corpus (full size and 320..1024 px wide) every
/// image where the local view found capstones had some in the row view too, while frames
/// without a code (the camera's most common frame) have none: one binarization and scan
/// fewer per empty frame. Inverted codes have no capstones in either normal view; their
/// views are gated by the normal scan's count of inverse candidates, and the full-scale
/// inverted view by capstones found in a half-scale probe of the same binarization
/// (`down2/local8/inv`, a quarter of the pixels; it also reads the inverted codes of
/// qr-dev that the full-scale view read, at 640 px): textured scenes (text, print) show
/// many inverse 1:1:3:1:1 candidates but no inverted capstones, and the full-scale
/// inverted view was 40% of the no-code frame (25.7M -> 17.8M instructions). Small
/// frames (those `up800` enlarges) skip the probe's gate: modules at half scale are too
/// small there (qr-dev's `qr-inv-1` at its own 419 px).
///
/// The last two views only run when an earlier one located a grid it could not read
/// (never on frames without a code): a smaller window (side/20: blurred or low-contrast
/// codes whose side/8 window averages neighbouring modules into the threshold) and half
/// scale (noise and blur on large modules average out). On qr-dev at 640 px they read
/// 2 more codes at about the same 95th percentile of instructions per image (135.6M vs
/// 137.3M before; the mean grows 46 -> 52M, the misses pay for them).
///
/// The first of them also tries Thorough's geometry retries on its failing grids (the
/// bottom-right corner moved, grids from the finder-pattern centres for round finder
/// patterns), once per frame rather than on every view: a grid that three binarizations
/// located but none read is where the geometry, not the threshold, is likely wrong.
/// Rescue views run for their own polarity only: the last one, inverted with the same
/// retries, when the inverted view located a grid it could not read (light codes on
/// dark screens; qr-dev +1).
const FAST: &[View] = &[
    v("base/rows", Scale::Base, Bin::Rows, false),
    gated(v("base/local8", Scale::Base, Bin::Local(8), false)),
    v("up800/local8", Scale::UpTo(UP_TARGET), Bin::Local(8), false),
    v("down2/local8/inv", Scale::Down(2), Bin::Local(8), true),
    gated(v("base/local8/inv", Scale::Base, Bin::Local(8), true)),
    rescue(v("down2/local8", Scale::Down(2), Bin::Local(8), false)),
    with_retries(rescue(v(
        "base/local20",
        Scale::Base,
        Bin::Local(20),
        false,
    ))),
    with_retries(rescue(v(
        "base/local20/inv",
        Scale::Base,
        Bin::Local(20),
        true,
    ))),
];

const THOROUGH: &[View] = &[
    v("base/rows", Scale::Base, Bin::Rows, false),
    v("base/local8", Scale::Base, Bin::Local(8), false),
    v("up800/local8", Scale::UpTo(UP_TARGET), Bin::Local(8), false),
    v("base/local8/inv", Scale::Base, Bin::Local(8), true),
    v("base/local20", Scale::Base, Bin::Local(20), false),
    v("base/otsu", Scale::Base, Bin::Otsu, false),
    v("up800/rows", Scale::UpTo(UP_TARGET), Bin::Rows, false),
    v(
        "up800/local20",
        Scale::UpTo(UP_TARGET),
        Bin::Local(20),
        false,
    ),
    v("up800/otsu", Scale::UpTo(UP_TARGET), Bin::Otsu, false),
    v("down2/local8", Scale::Down(2), Bin::Local(8), false),
    v("down2/rows", Scale::Down(2), Bin::Rows, false),
    v("centre800/local8", Scale::Centre(800), Bin::Local(8), false),
    v("centre800/rows", Scale::Centre(800), Bin::Rows, false),
    v(
        "up800/local8/inv",
        Scale::UpTo(UP_TARGET),
        Bin::Local(8),
        true,
    ),
    v("base/otsu/inv", Scale::Base, Bin::Otsu, true),
];

fn views(effort: Effort) -> &'static [View] {
    match effort {
        Effort::Fast => FAST,
        Effort::Thorough => THOROUGH,
    }
}

/// Longest side of the working image.
fn base_limit(effort: Effort) -> usize {
    match effort {
        Effort::Fast => 1024,
        Effort::Thorough => 1600,
    }
}

/// Shrink the frame so its longer side is at most `limit`, stretching contrast.
fn base_plane(frame: &GreyFrame, limit: usize) -> Plane {
    let long = frame.width.max(frame.height);
    let mut p = Plane {
        w: frame.width,
        h: frame.height,
        px: frame.luma.to_vec(),
    };
    if long > limit {
        let nw = (frame.width * limit / long).max(1);
        let nh = (frame.height * limit / long).max(1);
        p = p.resize(nw, nh);
    }
    p.stretch_in_place();
    p
}

/// Whether `Scale::UpTo(target)` enlarges `base` (its longer side is at most 2/3 of it).
fn upscaled(base: &Plane, target: usize) -> bool {
    base.w.max(base.h) * 3 / 2 <= target
}

/// The `up800` views' target size.
const UP_TARGET: usize = 800;

fn scaled(base: &Plane, scale: Scale) -> Option<Plane> {
    let long = base.w.max(base.h);
    let p = match scale {
        Scale::Base => return Some(base.clone()),
        Scale::UpTo(target) => {
            if !upscaled(base, target) {
                return None;
            }
            base.resize(base.w * target / long, base.h * target / long)
        }
        Scale::Down(f) => base.resize(base.w / f.max(1), base.h / f.max(1)),
        Scale::Centre(target) => {
            let (cw, ch) = (base.w * 3 / 5, base.h * 3 / 5);
            let c = base.crop((base.w - cw) / 2, (base.h - ch) / 2, cw, ch);
            let clong = c.w.max(c.h).max(1);
            let k = (target / clong).max(1);
            c.resize(c.w * k, c.h * k)
        }
    };
    (p.w.min(p.h) >= MIN_SIDE && p.w <= detect::MAX_SIDE && p.h <= detect::MAX_SIDE).then_some(p)
}

fn binarize(p: &Plane, bin: Bin) -> Vec<bool> {
    match bin {
        Bin::Rows => p.threshold_rows(),
        Bin::Local(n) => p.threshold_local((p.w.max(p.h) / n.max(1) / 2).max(2), 4),
        Bin::Otsu => p.threshold_otsu(),
    }
}

fn decode_modules(modules: detect::Modules) -> Option<String> {
    let pieces = qrdata::decode_grid(&modules).ok()?;
    Some(text::pieces_to_text(&pieces))
}

/// Module grids read from the grey plane instead of the view's bitmap, thresholded per
/// module: against the mean of the surrounding 7x7 modules, and with Otsu over all modules.
/// Blurred codes whose binarization merges neighbouring modules often still show them as
/// local grey-level differences.
fn grey_modules(p: &Plane, g: &detect::GridLocation, invert: bool) -> [detect::Modules; 2] {
    let size = g.size;
    let mut vals = detect::sample_grey(p.w, p.h, &p.px, g);
    if invert {
        vals.iter_mut().for_each(|v| *v = 255 - *v);
    }
    const R: usize = 3;
    // Sums over the 7x7 neighbourhoods from a summed-area table of the module values.
    let n1 = size + 1;
    let mut sat = vec![0u32; n1 * n1];
    for y in 0..size {
        let mut row = 0u32;
        for x in 0..size {
            row += u32::from(vals.get(y * size + x).copied().unwrap_or(0));
            let above = sat.get(y * n1 + x + 1).copied().unwrap_or(0);
            if let Some(c) = sat.get_mut((y + 1) * n1 + x + 1) {
                *c = above + row;
            }
        }
    }
    let at = |y: usize, x: usize| sat.get(y * n1 + x).copied().unwrap_or(0);
    let mut local = Vec::with_capacity(vals.len());
    for y in 0..size {
        for x in 0..size {
            let (y0, y1) = (y.saturating_sub(R), (y + R + 1).min(size));
            let (x0, x1) = (x.saturating_sub(R), (x + R + 1).min(size));
            let sum = at(y1, x1) + at(y0, x0) - at(y0, x1) - at(y1, x0);
            let n = ((y1 - y0) * (x1 - x0)).max(1) as u32;
            let v = u32::from(vals.get(y * size + x).copied().unwrap_or(0));
            local.push(v * n < sum);
        }
    }
    let otsu = Plane {
        w: size,
        h: size,
        px: vals,
    }
    .threshold_otsu();
    [
        detect::Modules::from_bits(size, local),
        detect::Modules::from_bits(size, otsu),
    ]
}

/// The grid as fitted first (centre sampling: enough for most clean codes, and the
/// jiggle costs more than a decode); then, re-sized to the version information if that
/// says otherwise (version 7+) and refined by the jiggle: centre sampling, majority
/// sampling, the grey plane (per-module thresholds), the neighbouring versions (unless
/// the version information confirmed the size), the grid locally warped to the alignment
/// patterns (version >= 2); Thorough (and Fast on views with `retries`): then, versions
/// <= 7 only, the bottom-right corner moved around, then grids fitted from the finder
/// centres alone.
fn decode_grid(
    p: &Plane,
    invert: bool,
    effort: Effort,
    retries: bool,
    bm: &detect::Bitmap,
    fitted: &detect::GridLocation,
) -> Option<String> {
    if let Some(t) = decode_modules(detect::sample(bm, fitted)) {
        return Some(t);
    }
    // Grids fitted from the three finder-pattern centres (the counted size and its
    // neighbours, square and round finder estimates), sampled as fitted: ZXing's
    // geometry, which reads codes whose finder-pattern corners are off (blur, round or
    // wavy finder patterns, tilt) without a jiggle. A few samples cost less than one
    // jiggle; before the jiggle chain, qr-dev's retry reads (found by the costly rescue
    // views) happen on the first view (Fast 640 px: mean 5.3 -> 3.3 ms, full size 76 -> 78).
    if let Some(t) = detect::centre_hypotheses(bm, fitted)
        .iter()
        .find_map(|c| decode_modules(detect::sample(bm, c)))
    {
        return Some(t);
    }
    // Dense codes (version 7+) carry their size, BCH-protected: blur often makes the
    // timing count one version off, and a jiggle of the wrong size cannot decode.
    let checked = detect::version_checked(bm, fitted);
    let size_known = checked.is_some();
    let fitted = checked.as_ref().unwrap_or(fitted);
    // Large versions (see [`EARLY_WARP_SIZE`]): the grid warped to its alignment patterns
    // before the jiggle, and instead of the warp of the jiggled grid below.
    if fitted.size >= EARLY_WARP_SIZE {
        if let Some(t) =
            detect::warped(bm, fitted).and_then(|w| decode_modules(detect::sample(bm, &w)))
        {
            return Some(t);
        }
    }
    let coarse = coarse_passes(effort);
    let g = &detect::refined(bm, fitted, coarse)?;
    let plain = |n: &detect::GridLocation| {
        decode_modules(detect::sample(bm, n))
            .or_else(|| decode_modules(detect::sample_majority(bm, n)))
    };
    if let Some(t) = plain(g)
        .or_else(|| {
            grey_modules(p, g, invert)
                .into_iter()
                .find_map(decode_modules)
        })
        .or_else(|| {
            if size_known {
                return None;
            }
            detect::neighbour_sizes(bm, g)
                .iter()
                .find_map(|n| detect::refined(bm, n, coarse).and_then(|n| plain(&n)))
        })
    {
        return Some(t);
    }
    let with_grey = |v: &detect::GridLocation| {
        decode_modules(detect::sample(bm, v)).or_else(|| {
            grey_modules(p, v, invert)
                .into_iter()
                .find_map(decode_modules)
        })
    };
    // Local warp from the alignment patterns (blurred or tilted codes whose single
    // perspective drifts by a module or more away from the finder patterns; like ZXing,
    // which anchors its grid on the alignment pattern it locates near the prediction).
    // One grid per failed grid: cheap enough for Fast (+2 codes at 640 px, p95 unchanged).
    let early_warp = g.size >= EARLY_WARP_SIZE;
    if let Some(t) = (!early_warp)
        .then(|| detect::warped(bm, g))
        .flatten()
        .and_then(|w| with_grey(&w))
    {
        return Some(t);
    }
    if effort != Effort::Thorough && !retries {
        return None;
    }
    // Small versions only: the cost grows with the module count, and larger codes have
    // more alignment patterns to pin the corner down.
    if g.size > MAX_CORNER_SEARCH_SIZE {
        return None;
    }
    // Fast reads the centre-fitted grids from the bitmap only (the grey levels of 6
    // jiggled grids cost more than the rest of the retries).
    let centre_read = |c: &detect::GridLocation| match effort {
        Effort::Thorough => with_grey(c),
        Effort::Fast => decode_modules(detect::sample(bm, c)),
    };
    detect::centre_hypotheses(bm, g)
        .iter()
        .find_map(|c| detect::refined(bm, c, coarse).and_then(|c| centre_read(&c)))
        .or_else(|| detect::corner_variants(g).iter().find_map(with_grey))
}

/// Jiggle passes scored coarsely (one point per module): none. Fast used one coarse
/// pass (8% quicker at the 95th percentile when the jiggle was a larger share of a
/// frame), but on blurred codes the coarse score lands the grid a module off: with every
/// pass at 3x3 points per module Fast reads `qrcode-3/03` (blurred print, version 6) at
/// 640 px as Thorough does, at 1.7% more instructions on the browser's qr-dev frames, and
/// the slowest frame it was drops from 191M to 88M instructions (it decodes now instead of
/// trying every view). `refined` keeps the parameter.
fn coarse_passes(effort: Effort) -> usize {
    match effort {
        Effort::Fast | Effort::Thorough => 0,
    }
}

/// Rows of the finder-pattern scan: Fast scans every third row (ZXing's default skip at
/// camera resolutions is 3 rows too). A stone is 3 modules tall, so codes Fast can read
/// (from ~2 px per module) still give each stone 2 or more candidate rows; the scan and
/// the region tests of its false candidates were half the cost of a frame without a code.
/// Same decoded counts on the corpus (full size, 640 px) and the small-code table as
/// every row.
fn row_step(effort: Effort) -> usize {
    match effort {
        Effort::Fast => 3,
        Effort::Thorough => 1,
    }
}

/// Smallest grid (modules per side, version 15) warped to its alignment patterns right
/// after the fitted and centre-fitted grids fail, before the jiggle (read from the bitmap
/// only), and not warped again after it. From version 15 on a code has at least 13
/// alignment patterns spread over it (a 4x4 lattice without the finder corners), which
/// pin its local geometry down better than the jiggle's global fit of 8 coefficients; it
/// is also the size from which the jiggle scores one point per module
/// (`detect::refined`'s 600 pattern modules). Browser frames (Fast, 640 px): qr-dev's
/// `2` (version 26) 74.8M -> 44.6M instructions, `#1132` (version 40) 89.0M -> 75.4M,
/// the miss `high-res-1` 236M -> 242M; the same counts (qr-dev, hold-out). Warping
/// versions 7+ this way cost more than it saved (`24`, `25`, `#142`: +6..+20M each).
const EARLY_WARP_SIZE: usize = 77;

/// Largest grid (modules per side) given the corner and centre searches (Thorough).
const MAX_CORNER_SEARCH_SIZE: usize = 45;

/// Decode one view (a binarized plane, with the view's polarity): all grids found in it,
/// and what the scan saw.
fn decode_view(
    p: &Plane,
    bits: &[bool],
    invert: bool,
    effort: Effort,
    retries: bool,
) -> (Vec<String>, detect::ScanStats) {
    let Some(mut bm) = detect::Bitmap::new(p.w, p.h, bits.iter().map(|&b| b != invert)) else {
        return (Vec::new(), detect::ScanStats::default());
    };
    let (stats, grids) = detect::detect(&mut bm, row_step(effort));
    let mut texts: Vec<String> = Vec::new();
    for g in &grids {
        if let Some(t) = decode_grid(p, invert, effort, retries, &bm, g) {
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
    }
    (texts, stats)
}

/// A binarization shared by the views that use it, with the scan results of each polarity
/// once it has been scanned (`[normal, inverted]`).
struct Binarized {
    scale: Scale,
    bin: Bin,
    bits: Vec<bool>,
    scans: [Option<detect::ScanStats>; 2],
}

#[doc(hidden)]
pub fn trace(frame: &GreyFrame, effort: Effort) -> Trace {
    run(frame, effort, views(effort), false)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Try every view of `effort` without early exit; one trace per view that decoded.
#[doc(hidden)]
pub fn explore(frame: &GreyFrame, effort: Effort) -> Vec<Trace> {
    run(frame, effort, views(effort), true)
}

fn run(frame: &GreyFrame, effort: Effort, views: &[View], all: bool) -> Vec<Trace> {
    let mut out = Vec::new();
    if !frame.is_valid() {
        return out;
    }
    let base = base_plane(frame, base_limit(effort));
    // Scaled planes and binarizations are computed once and shared by the views that use
    // them (e.g. a view and its inverted twin).
    let mut planes: Vec<(Scale, Option<Plane>)> = Vec::new();
    let mut binarized: Vec<Binarized> = Vec::new();
    // Capstones found per polarity ([normal, inverted]): a gated view needs its own.
    let mut capstones_seen = [0usize; 2];
    // Grids located per polarity ([normal, inverted]): a rescue view retries its own.
    let mut grids_seen = [0usize; 2];
    for (i, view) in views.iter().enumerate() {
        let seen = grids_seen
            .get(usize::from(view.invert))
            .copied()
            .unwrap_or(0);
        let caps = capstones_seen
            .get(usize::from(view.invert))
            .copied()
            .unwrap_or(0);
        // The inverted views' capstone probe runs at half scale: on small frames (those
        // the `up800` view enlarges) modules are too small there for the probe to stand
        // for the full-scale view, which then runs ungated.
        let probe_blind = view.invert && upscaled(&base, UP_TARGET);
        if (view.needs_capstone && caps == 0 && !probe_blind) || (view.needs_grid && seen == 0) {
            continue;
        }
        let idx = match planes.iter().position(|(s, _)| *s == view.scale) {
            Some(idx) => idx,
            None => {
                let p = match view.scale {
                    Scale::Base => None,
                    s => scaled(&base, s),
                };
                planes.push((view.scale, p));
                planes.len() - 1
            }
        };
        let plane = match (view.scale, planes.get(idx)) {
            (Scale::Base, _) if base.w.min(base.h) >= MIN_SIDE => &base,
            (_, Some((_, Some(p)))) => p,
            _ => continue,
        };
        // The other polarity's scan already counted this polarity's line candidates: a
        // grid needs 3 capstones, each starting from one. Without a scan of this
        // binarization (its normal view was gated off), the first scan at this scale
        // stands in (before binarizing): the inverse of a finder pattern is a
        // light-centred 1:1:3:1:1 run in any local threshold; at a scale not scanned yet
        // (Fast's half-scale inverted probe), the first scan of any scale (an inverted
        // finder pattern large enough for the half scale is also one at full scale).
        let polarity = usize::from(view.invert);
        let same = |b: &Binarized| b.scale == view.scale && b.bin == view.bin;
        let other_scan = binarized
            .iter()
            .find(|b| same(b))
            .and_then(|b| b.scans[1 - polarity])
            .or_else(|| {
                binarized
                    .iter()
                    .filter(|b| b.scale == view.scale)
                    .find_map(|b| b.scans[1 - polarity])
            })
            .or_else(|| binarized.iter().find_map(|b| b.scans[1 - polarity]));
        if other_scan
            .and_then(|s| s.inverse_hits)
            .is_some_and(|hits| hits < 3)
        {
            continue;
        }
        let bidx = match binarized.iter().position(same) {
            Some(b) => b,
            None => {
                binarized.push(Binarized {
                    scale: view.scale,
                    bin: view.bin,
                    bits: binarize(plane, view.bin),
                    scans: [None, None],
                });
                binarized.len() - 1
            }
        };
        let Some(b) = binarized.get_mut(bidx) else {
            continue;
        };
        let (texts, stats) = decode_view(plane, &b.bits, view.invert, effort, view.retries);
        b.scans[polarity] = Some(stats);
        if let Some(c) = capstones_seen.get_mut(polarity) {
            *c += stats.capstones;
        }
        if let Some(g) = grids_seen.get_mut(polarity) {
            *g += stats.grids;
        }
        if !texts.is_empty() {
            out.push(Trace {
                texts,
                view: Some(view.label),
                views_tried: i + 1,
            });
            if !all {
                return out;
            }
        }
    }
    if out.is_empty() {
        out.push(Trace {
            texts: Vec::new(),
            view: None,
            views_tried: views.len(),
        });
    }
    out
}

/// Per-view diagnostics (capstones, grids, decode errors) for the benchmark's `--diagnose`.
#[doc(hidden)]
pub fn diagnose(frame: &GreyFrame, effort: Effort) -> Vec<String> {
    let mut out = Vec::new();
    if !frame.is_valid() {
        return out;
    }
    let base = base_plane(frame, base_limit(effort));
    for view in views(effort) {
        let Some(p) = scaled(&base, view.scale) else {
            continue;
        };
        let bits = binarize(&p, view.bin);
        let Some(mut bm) =
            detect::Bitmap::new(p.w, p.h, bits.into_iter().map(|b| b != view.invert))
        else {
            continue;
        };
        let (stats, grids) = detect::detect(&mut bm, row_step(effort));
        let caps = stats.capstones;
        let res: Vec<String> = grids
            .iter()
            .filter_map(|g| detect::refined(&bm, g, coarse_passes(effort)))
            .map(|g| {
                let modules = detect::sample(&bm, &g);
                match qrdata::decode_grid(&modules) {
                    Ok(_) => format!("v{}:ok", (g.size - 17) / 4),
                    Err(e) => format!("v{}:{e:?}", (g.size - 17) / 4),
                }
            })
            .collect();
        out.push(format!(
            "{} {}x{} crossed={} inv={:?} caps={} grids=[{}]",
            view.label,
            p.w,
            p.h,
            stats.cross_checked,
            stats.inverse_hits,
            caps,
            res.join(",")
        ));
    }
    out
}

#[cfg(test)]
mod luma_tests {
    use super::rgba_to_luma;

    #[test]
    fn luma_of_black_white_and_grey() {
        let px = [0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 0, 9];
        assert_eq!(rgba_to_luma(&px), vec![0, 255, 128]);
    }

    #[test]
    fn green_is_brighter_than_blue() {
        let l = rgba_to_luma(&[0, 255, 0, 255, 0, 0, 255, 255]);
        assert!(l[0] > l[1]);
    }
}
