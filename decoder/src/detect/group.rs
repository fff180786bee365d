//! Grouping capstones into triples: quirc's neighbour test along each capstone's own axes,
//! then (for what is left) loosely right-angled triples of capstones, best first.
//!
//! In: the capstones of a bitmap. Out: up to [`MAX_GRIDS`] located grids (each triple is
//! handed to [`locate_grid`]; at most [`MAX_GROUP_TESTS`] triples are tried).

use super::bitmap::Bitmap;
use super::finder::CapStone;
use super::geometry::sorted_by_key;
use super::grid::{locate_grid, GridLocation};

/// At most this many capstone triples are tested per bitmap.
const MAX_GROUP_TESTS: usize = 64;
/// At most this many grids are returned per bitmap.
const MAX_GRIDS: usize = 8;

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
    sorted_by_key(&res, |a| a.0)
        .into_iter()
        .map(|(_, h, v)| (h, v))
        .collect()
}

pub(super) fn group_capstones(img: &mut Bitmap, caps: &[CapStone]) -> Vec<GridLocation> {
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
    sorted_by_key(&out, |x| x.0)
}
