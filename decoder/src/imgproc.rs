//! Greyscale plane operations: resampling, contrast stretch, binarization.
//!
//! Everything here is plain integer/float arithmetic on `Vec<u8>`, total for any size
//! (callers keep sizes bounded).

/// An owned greyscale image (row-major, one byte per pixel, 0 = black).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plane {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

impl Plane {
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.px.get(y * self.w + x).copied().unwrap_or(255)
    }

    /// Copy of the rectangle (clamped to the plane).
    pub fn crop(&self, x0: usize, y0: usize, w: usize, h: usize) -> Plane {
        let x0 = x0.min(self.w);
        let y0 = y0.min(self.h);
        let w = w.min(self.w - x0);
        let h = h.min(self.h - y0);
        let mut px = Vec::with_capacity(w * h);
        for y in y0..y0 + h {
            let row = y * self.w;
            px.extend_from_slice(self.px.get(row + x0..row + x0 + w).unwrap_or(&[]));
        }
        Plane { w, h, px }
    }

    /// Resize to `nw` x `nh`: box filter when shrinking (every source pixel contributes,
    /// which averages sensor noise and JPEG blocks away), bilinear when enlarging.
    pub fn resize(&self, nw: usize, nh: usize) -> Plane {
        if nw == 0 || nh == 0 || self.w == 0 || self.h == 0 {
            return Plane {
                w: 0,
                h: 0,
                px: Vec::new(),
            };
        }
        if nw == self.w && nh == self.h {
            return self.clone();
        }
        if nw <= self.w && nh <= self.h {
            self.shrink(nw, nh)
        } else {
            self.bilinear(nw, nh)
        }
    }

    /// Exact halving (2x2 box filter, rounded): the shape of `shrink`'s general loop
    /// costs ~25 instructions per source pixel at this factor.
    fn halve(&self) -> Plane {
        let nw = self.w / 2;
        let mut px = Vec::with_capacity(nw * (self.h / 2));
        for pair in self.px.chunks_exact(2 * self.w) {
            let (top, bottom) = pair.split_at(self.w);
            for (t, b) in top.chunks_exact(2).zip(bottom.chunks_exact(2)) {
                let sum = u16::from(t[0]) + u16::from(t[1]) + u16::from(b[0]) + u16::from(b[1]);
                px.push(((sum + 2) / 4) as u8);
            }
        }
        Plane {
            w: nw,
            h: self.h / 2,
            px,
        }
    }

    fn shrink(&self, nw: usize, nh: usize) -> Plane {
        // Odd sides halve too (the last, odd row or column is dropped: less than a pixel
        // of the half-scale image): camera crops and resized photos are often odd, and
        // the general loop cost ~9M instructions on a 640x595 frame.
        if self.w / 2 == nw && self.h / 2 == nh {
            self.halve()
        } else {
            self.shrink_spans(nw, nh)
        }
    }

    fn shrink_spans(&self, nw: usize, nh: usize) -> Plane {
        // Separable box filter with exact fractional coverage would be nicer; integer
        // source spans are enough here.
        let mut px = Vec::with_capacity(nw * nh);
        let mut cols = Vec::with_capacity(nw);
        for x in 0..nw {
            let a = x * self.w / nw;
            let b = ((x + 1) * self.w / nw).max(a + 1);
            cols.push((a, b));
        }
        let mut acc = vec![0u32; nw];
        for y in 0..nh {
            let a = y * self.h / nh;
            let b = ((y + 1) * self.h / nh).max(a + 1);
            acc.fill(0);
            for sy in a..b {
                let row = &self.px[sy * self.w..(sy + 1) * self.w];
                for (o, &(ca, cb)) in acc.iter_mut().zip(&cols) {
                    *o += row[ca..cb].iter().map(|&v| u32::from(v)).sum::<u32>();
                }
            }
            let rows = (b - a) as u32;
            for (o, &(ca, cb)) in acc.iter().zip(&cols) {
                let n = rows * (cb - ca) as u32;
                px.push(((o + n / 2) / n) as u8);
            }
        }
        Plane { w: nw, h: nh, px }
    }

    fn bilinear(&self, nw: usize, nh: usize) -> Plane {
        let mut px = Vec::with_capacity(nw * nh);
        let sx = self.w as f32 / nw as f32;
        let sy = self.h as f32 / nh as f32;
        for y in 0..nh {
            let fy = ((y as f32 + 0.5) * sy - 0.5).max(0.0);
            let y0 = (fy as usize).min(self.h - 1);
            let y1 = (y0 + 1).min(self.h - 1);
            let ty = fy - y0 as f32;
            for x in 0..nw {
                let fx = ((x as f32 + 0.5) * sx - 0.5).max(0.0);
                let x0 = (fx as usize).min(self.w - 1);
                let x1 = (x0 + 1).min(self.w - 1);
                let tx = fx - x0 as f32;
                let top =
                    f32::from(self.get(x0, y0)) * (1.0 - tx) + f32::from(self.get(x1, y0)) * tx;
                let bot =
                    f32::from(self.get(x0, y1)) * (1.0 - tx) + f32::from(self.get(x1, y1)) * tx;
                px.push((top * (1.0 - ty) + bot * ty + 0.5) as u8);
            }
        }
        Plane { w: nw, h: nh, px }
    }

    /// Linear stretch so that the 1st..99th percentiles span 0..255. Low-contrast frames
    /// (dim screens, glare) then behave like clean ones for the thresholds below.
    #[cfg(test)]
    pub fn stretch(&self) -> Plane {
        let mut p = self.clone();
        p.stretch_in_place();
        p
    }

    /// [`Plane::stretch`] without a copy.
    pub fn stretch_in_place(&mut self) {
        let mut hist = [0usize; 256];
        for &v in &self.px {
            hist[usize::from(v)] += 1;
        }
        let n = self.px.len();
        let cut = n / 100;
        let (mut lo, mut acc) = (0usize, 0usize);
        for (i, &c) in hist.iter().enumerate() {
            acc += c;
            if acc > cut {
                lo = i;
                break;
            }
        }
        let (mut hi, mut acc) = (255usize, 0usize);
        for (i, &c) in hist.iter().enumerate().rev() {
            acc += c;
            if acc > cut {
                hi = i;
                break;
            }
        }
        if hi <= lo + 8 {
            return;
        }
        let span = (hi - lo) as u32;
        let mut lut = [0u8; 256];
        for (v, l) in lut.iter_mut().enumerate() {
            *l = ((v as u32).saturating_sub(lo as u32) * 255 / span).min(255) as u8;
        }
        for v in self.px.iter_mut() {
            *v = lut[usize::from(*v)];
        }
    }

    /// rqrr's own threshold: serpentine running average over ~w/8 pixels per row (a power
    /// of two here), black below 95% of the local average. Cheap and good on clean screens.
    pub fn threshold_rows(&self) -> Vec<bool> {
        let (w, h) = (self.w, self.h);
        let mut out = vec![false; w * h];
        if w == 0 {
            return out;
        }
        // Window of 2^k pixels, the power of two at or below w/8, so that rqrr's decay
        // `a * (s - 1) / s` (= `a - ceil(a / s)`) is a shift: the two running averages are
        // serial dependency chains, and a multiply per pixel made this view cost as much as
        // the detector. Same decoded count on the corpus as w/8, 10% quicker overall.
        // In u32 (the comparison loop vectorizes; u64 multiplies do not): an average
        // stays at or below 255 * 2^k, so with k <= 16 (the cap only binds on planes 2^20 px
        // wide or more; working planes are at most 1600) `m * 95` and `(p * 200) << k` stay
        // below 2^32. The running values are locals, not references (kept in registers).
        let k = (w / 8).max(1).ilog2().min(16);
        let decay = |a: u32| a - ((a + (1 << k) - 1) >> k);
        let mut avg = vec![0u32; w];
        // Two running averages snake through the rows in opposite directions (rqrr's
        // serpentine order: `a` runs right-to-left on even rows, `b` left-to-right).
        let (mut a, mut b) = (0u32, 0u32);
        for (y, (row, orow)) in self
            .px
            .chunks_exact(w)
            .zip(out.chunks_exact_mut(w))
            .enumerate()
        {
            let (mut fwd, mut bwd) = if y % 2 == 0 { (b, a) } else { (a, b) };
            for (m, &p) in avg.iter_mut().zip(row) {
                fwd = decay(fwd) + u32::from(p);
                *m = fwd;
            }
            for (m, &p) in avg.iter_mut().zip(row).rev() {
                bwd = decay(bwd) + u32::from(p);
                *m += bwd;
            }
            (a, b) = if y % 2 == 0 { (bwd, fwd) } else { (fwd, bwd) };
            for ((o, &p), &m) in orow.iter_mut().zip(row).zip(&avg) {
                *o = (u32::from(p) * 200) << k < m * 95;
            }
        }
        out
    }

    /// Local mean threshold on a square window of radius `r`: black when the pixel is
    /// `offset` below the window mean. Windows with almost no contrast (std < 8) are decided
    /// by the global mean instead, so flat areas do not turn into salt-and-pepper noise.
    ///
    /// The statistics are computed per 8x8 tile (sum and sum of squares, then an integral
    /// image over tiles); each tile gets the threshold of the window centred on it, and
    /// pixels interpolate the thresholds of the four nearest tile centres: two cheap passes
    /// over the pixels instead of a per-pixel window.
    pub fn threshold_local(&self, r: usize, offset: i32) -> Vec<bool> {
        const T: usize = 8;
        let (w, h) = (self.w, self.h);
        if w == 0 || h == 0 {
            return Vec::new();
        }
        let (tw, th) = (w.div_ceil(T), h.div_ceil(T));
        // Per-tile sums (u32 is plenty: 64 px * 255^2).
        let mut tsum = vec![0u32; tw * th];
        let mut tsq = vec![0u32; tw * th];
        let mut total = 0u64;
        for (y, row) in self.px.chunks_exact(w).enumerate() {
            let trow = (y / T) * tw;
            // Whole tiles as fixed-size arrays (the inner loop unrolls and vectorizes), the
            // last partial tile of the row after them.
            let (whole, rest) = row.as_chunks::<T>();
            let sums = |c: &[u8]| {
                c.iter().fold((0u32, 0u32), |(s, q), &v| {
                    let v = u32::from(v);
                    (s + v, q + v * v)
                })
            };
            let (Some(ts), Some(tq)) =
                (tsum.get_mut(trow..trow + tw), tsq.get_mut(trow..trow + tw))
            else {
                continue;
            };
            let mut row_total = 0u64;
            for ((c, a), b) in whole.iter().zip(ts.iter_mut()).zip(tq.iter_mut()) {
                let (s, q) = sums(c);
                *a += s;
                *b += q;
                row_total += u64::from(s);
            }
            if let (false, Some(a), Some(b)) = (rest.is_empty(), ts.last_mut(), tq.last_mut()) {
                let (s, q) = sums(rest);
                *a += s;
                *b += q;
                row_total += u64::from(s);
            }
            total += row_total;
        }
        let gmean = (total / (w * h) as u64) as i32;
        // Integral images over tiles (u64: sums of squares of a 4096^2 plane overflow u32).
        let iw = tw + 1;
        let mut isum = vec![0u64; iw * (th + 1)];
        let mut isq = vec![0u64; iw * (th + 1)];
        for ty in 0..th {
            let (mut rs, mut rq) = (0u64, 0u64);
            for tx in 0..tw {
                rs += u64::from(tsum[ty * tw + tx]);
                rq += u64::from(tsq[ty * tw + tx]);
                isum[(ty + 1) * iw + tx + 1] = isum[ty * iw + tx + 1] + rs;
                isq[(ty + 1) * iw + tx + 1] = isq[ty * iw + tx + 1] + rq;
            }
        }
        // Threshold per tile; the window is (2R+1) tiles wide, R = r / T rounded.
        let rt = ((r + T / 2) / T).max(1);
        let mut thr = vec![0i32; tw * th];
        for ty in 0..th {
            let (y0, y1) = (ty.saturating_sub(rt), (ty + rt + 1).min(th));
            for tx in 0..tw {
                let (x0, x1) = (tx.saturating_sub(rt), (tx + rt + 1).min(tw));
                // Pixel count of the window (the last tile row/column may be partial).
                let pw = (x1 * T).min(w) - x0 * T;
                let ph = (y1 * T).min(h) - y0 * T;
                let n = (pw * ph).max(1) as u64;
                let s = isum[y1 * iw + x1] + isum[y0 * iw + x0]
                    - isum[y0 * iw + x1]
                    - isum[y1 * iw + x0];
                let q =
                    isq[y1 * iw + x1] + isq[y0 * iw + x0] - isq[y0 * iw + x1] - isq[y1 * iw + x0];
                let mean = s / n;
                let var = (q / n).saturating_sub(mean * mean);
                thr[ty * tw + tx] = if var < 64 {
                    gmean
                } else {
                    mean as i32 - offset
                };
            }
        }
        // Per pixel: the tile thresholds interpolated bilinearly between tile centres (no
        // seams at tile borders), in fixed point scaled by T * T. Vertically per tile row
        // (`rowthr`), then along the row piecewise linearly into `pix` (a ramp per pair
        // of tile centres), and the comparison as a separate loop: plain slices the
        // compiler vectorises, instead of a table lookup per pixel.
        let ti = |v: usize, n: usize| -> (usize, usize, i32) {
            // Tile centres sit at T/2 + k*T; clamp outside the first/last centre.
            let c = v.saturating_sub(T / 2);
            let k = (c / T).min(n - 1);
            let k1 = (k + 1).min(n - 1);
            let f = if k1 == k { 0 } else { (c - k * T) as i32 };
            (k, k1, f)
        };
        let mut rowthr = vec![0i32; tw];
        let mut pix = vec![0i32; w];
        let mut out = vec![false; w * h];
        for (y, (row, orow)) in self
            .px
            .chunks_exact(w)
            .zip(out.chunks_exact_mut(w))
            .enumerate()
        {
            let (k0, k1, fy) = ti(y, th);
            let (r0, r1) = (k0 * tw, k1 * tw);
            if let (Some(t0), Some(t1)) = (thr.get(r0..r0 + tw), thr.get(r1..r1 + tw)) {
                for ((r, &a), &b) in rowthr.iter_mut().zip(t0).zip(t1) {
                    *r = a * (T as i32 - fy) + b * fy;
                }
            }
            // Left of the first centre and right of the last: flat (scaled by T).
            let first = rowthr.first().copied().unwrap_or(0) * T as i32;
            let last = rowthr.last().copied().unwrap_or(0) * T as i32;
            let head = (T / 2 + 1).min(w);
            pix.get_mut(..head)
                .into_iter()
                .flatten()
                .for_each(|t| *t = first);
            let mut x = head;
            for pair in rowthr.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                // Pixels T/2 + k*T + f, f = 1..=T (the ramp's end is the next centre).
                let end = (x + T).min(w);
                if let Some(seg) = pix.get_mut(x..end) {
                    for (f, t) in seg.iter_mut().enumerate() {
                        let f = f as i32 + 1;
                        *t = a * (T as i32 - f) + b * f;
                    }
                }
                x = end;
            }
            pix.get_mut(x..)
                .into_iter()
                .flatten()
                .for_each(|t| *t = last);
            for ((o, &v), &t) in orow.iter_mut().zip(row).zip(&pix) {
                *o = i32::from(v) * ((T * T) as i32) < t;
            }
        }
        out
    }

    /// Global Otsu threshold.
    pub fn threshold_otsu(&self) -> Vec<bool> {
        let mut hist = [0u64; 256];
        for &v in &self.px {
            hist[usize::from(v)] += 1;
        }
        let total = self.px.len() as f64;
        let sum_all: f64 = hist
            .iter()
            .enumerate()
            .map(|(i, &c)| i as f64 * c as f64)
            .sum();
        let (mut wb, mut sb, mut best, mut t) = (0.0, 0.0, -1.0, 128usize);
        for (i, &c) in hist.iter().enumerate() {
            wb += c as f64;
            if wb == 0.0 {
                continue;
            }
            let wf = total - wb;
            if wf == 0.0 {
                break;
            }
            sb += i as f64 * c as f64;
            let mb = sb / wb;
            let mf = (sum_all - sb) / wf;
            let between = wb * wf * (mb - mf) * (mb - mf);
            if between > best {
                best = between;
                t = i;
            }
        }
        self.px.iter().map(|&v| usize::from(v) <= t).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Plane {
        let mut px = Vec::new();
        for y in 0..h {
            for x in 0..w {
                px.push(f(x, y));
            }
        }
        Plane { w, h, px }
    }

    /// rqrr's `prepare` threshold, written the way rqrr writes it (one serpentine walk,
    /// integer `avg * (s - 1) / s` decay), with the window rounded down to a power of two.
    fn rows_reference(p: &Plane) -> Vec<bool> {
        let (w, h) = (p.w, p.h);
        let s = 1u64 << (w / 8).max(1).ilog2();
        let mut out = vec![false; w * h];
        let mut avg = vec![0u64; w];
        let (mut av, mut au) = (0u64, 0u64);
        for y in 0..h {
            avg.fill(0);
            let row = &p.px[y * w..(y + 1) * w];
            for x in 0..w {
                let (v, u) = if y % 2 == 0 {
                    (w - 1 - x, x)
                } else {
                    (x, w - 1 - x)
                };
                av = av * (s - 1) / s + u64::from(row[v]);
                au = au * (s - 1) / s + u64::from(row[u]);
                avg[v] += av;
                avg[u] += au;
            }
            for x in 0..w {
                out[y * w + x] = u64::from(row[x]) * 200 * s < avg[x] * 95;
            }
        }
        out
    }

    #[test]
    fn row_threshold_is_rqrrs_serpentine_average() {
        let mut seed = 12345u32;
        let mut rnd = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) as u8
        };
        for (w, h) in [(1, 1), (7, 3), (64, 9), (333, 20), (4096, 3)] {
            let mut px = Vec::with_capacity(w * h);
            for y in 0..h {
                for x in 0..w {
                    let base: u8 = if (x / 5 + y / 3) % 2 == 0 { 40 } else { 200 };
                    px.push(base.saturating_add(rnd() % 40));
                }
            }
            let p = Plane { w, h, px };
            assert_eq!(p.threshold_rows(), rows_reference(&p), "{w}x{h}");
        }
    }

    #[test]
    fn halving_is_the_box_filter() {
        let p = plane(34, 18, |x, y| ((x * 37 + y * 91) % 256) as u8);
        assert_eq!(p.halve(), p.shrink_spans(17, 9));
        assert_eq!(p.resize(17, 9).px, p.shrink_spans(17, 9).px);
    }

    #[test]
    fn shrink_averages() {
        let p = plane(4, 2, |x, _| if x % 2 == 0 { 0 } else { 200 });
        let s = p.resize(2, 1);
        assert_eq!(s.px, vec![100, 100]);
    }

    #[test]
    fn enlarge_keeps_flat_value() {
        let p = plane(3, 3, |_, _| 77);
        let s = p.resize(9, 7);
        assert_eq!((s.w, s.h), (9, 7));
        assert!(s.px.iter().all(|&v| v == 77));
    }

    #[test]
    fn stretch_expands_low_contrast() {
        let p = plane(20, 20, |x, _| if x < 10 { 100 } else { 130 });
        let s = p.stretch();
        assert_eq!(s.get(0, 0), 0);
        assert_eq!(s.get(19, 0), 255);
    }

    #[test]
    fn thresholds_split_dark_and_light() {
        let p = plane(40, 40, |x, _| if x < 20 { 30 } else { 220 });
        for bits in [p.threshold_local(5, 5), p.threshold_otsu()] {
            assert!(bits[5]);
            assert!(!bits[35]);
        }
    }

    #[test]
    fn crop_is_clamped() {
        let p = plane(10, 10, |x, y| (x + 10 * y) as u8);
        let c = p.crop(8, 8, 5, 5);
        assert_eq!((c.w, c.h), (2, 2));
        assert_eq!(c.px, vec![88, 89, 98, 99]);
        let c = p.crop(20, 20, 5, 5);
        assert_eq!((c.w, c.h), (0, 0));
    }
}
