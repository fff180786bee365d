//! Data decoding of a sampled QR grid: our own Reed-Solomon correction and bit-stream parser.
//!
//! rqrr reads the format information and the raw codewords (`Grid::get_raw_data`), the rest
//! is done here. rqrr's own payload decoder stops with `UnknownDataType` on the FNC1 (GS1,
//! AIM) and structured-append mode indicators, and it does not expose the corrected data, so
//! error correction had to come along. Not linking rqrr's corrector also drops the 64 KB
//! GF(256) multiplication table of its `g2p` dependency from the wasm bundle.
//!
//! Output: the payload bytes (byte segments as-is, Kanji segments as Shift_JIS pairs, ECI
//! designators dropped, like rqrr), for [`crate::text::bytes_to_text`]. With FNC1 the GS1
//! conventions of ZXing apply: `%` in alphanumeric segments is the group separator (0x1D),
//! `%%` a literal `%`; an AIM application indicator (FNC1 in second position) is prepended.

use rqrr::BitGrid;

/// Why a grid did not decode (only used for diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataError {
    /// Format information unreadable, or the grid size is not a QR version.
    Format,
    /// Too many errors in a Reed-Solomon block.
    Ecc,
    /// Mode indicator we do not know (Hanzi, reserved values).
    Mode,
    /// A segment is longer than the data left.
    Underflow,
}

/// Part of a payload: raw bytes (charset guessed later, as a whole run) or text already
/// decoded (Hanzi segments, GB2312).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Bytes(Vec<u8>),
    Text(String),
}

/// Decode a sampled grid, trying the mirrored reading too (like rqrr).
pub fn decode_grid(grid: &dyn BitGrid) -> Result<Vec<Piece>, DataError> {
    match decode_oriented(grid) {
        Ok(v) => Ok(v),
        Err(e) => decode_oriented(&Mirrored(grid)).map_err(|_| e),
    }
}

struct Mirrored<'a>(&'a dyn BitGrid);

impl BitGrid for Mirrored<'_> {
    fn size(&self) -> usize {
        self.0.size()
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        self.0.bit(x, y)
    }
}

/// The grid with the data mask removed from every cell except the format information, so
/// that rqrr's raw reader (which keeps the mask) hands back unmasked codewords.
struct Unmasked<'a> {
    grid: &'a dyn BitGrid,
    mask: u16,
}

impl BitGrid for Unmasked<'_> {
    fn size(&self) -> usize {
        self.grid.size()
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        let size = self.grid.size();
        let format = (y == 8 && (x <= 8 || x + 8 >= size)) || (x == 8 && (y <= 8 || y + 7 >= size));
        self.grid.bit(y, x) != (!format && mask_bit(self.mask, y, x))
    }
}

fn mask_bit(mask: u16, y: usize, x: usize) -> bool {
    match mask {
        0 => (y + x).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (y + x).is_multiple_of(3),
        4 => ((y / 2) + (x / 3)).is_multiple_of(2),
        5 => (y * x) % 2 + (y * x) % 3 == 0,
        6 => ((y * x) % 2 + (y * x) % 3).is_multiple_of(2),
        _ => ((y * x) % 3 + (y + x) % 2).is_multiple_of(2),
    }
}

/// The 32 valid format words (BCH(15,5) codewords XOR the 0x5412 mask), by 5-bit value.
const FORMAT_WORDS: [u16; 32] = {
    let mut out = [0u16; 32];
    let mut data = 0;
    while data < 32 {
        // Remainder of data * x^10 by the generator x^10+x^8+x^5+x^4+x^2+x+1 (0x537).
        let mut rem = (data as u16) << 10;
        let mut bit = 14;
        while bit >= 10 {
            if rem & (1 << bit) != 0 {
                rem ^= 0x537 << (bit - 10);
            }
            bit -= 1;
        }
        out[data] = (((data as u16) << 10) | rem) ^ 0x5412;
        data += 1;
    }
    out
};

/// The 5 format bits (level << 3 | mask) of a grid: the first copy (around the top-left
/// finder) if it is within 3 bit errors of a valid word, else the split copy, like ZXing
/// (the code's minimum distance is 7, so the answer is unique). rqrr's corrector also
/// "corrects" some 4-error words, to a wrong word; we don't. Cheap: it runs before rqrr's
/// raw reader, which walks every module, and skips it on grids without format
/// information (most false detections).
pub fn format_bits(grid: &dyn BitGrid) -> Option<u16> {
    const XS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
    const YS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
    let size = grid.size();
    let mut first = 0u16;
    for i in (0..15).rev() {
        first = (first << 1) | u16::from(grid.bit(YS[i], XS[i]));
    }
    let mut second = 0u16;
    for i in 0..7 {
        second = (second << 1) | u16::from(grid.bit(size - 1 - i, 8));
    }
    for i in 0..8 {
        second = (second << 1) | u16::from(grid.bit(8, size - 8 + i));
    }
    let nearest = |word: u16| {
        FORMAT_WORDS
            .iter()
            .zip(0u16..)
            .find(|(w, _)| (**w ^ word).count_ones() <= 3)
            .map(|(_, data)| data)
    };
    nearest(first).or_else(|| nearest(second))
}

fn decode_oriented(grid: &dyn BitGrid) -> Result<Vec<Piece>, DataError> {
    let size = grid.size();
    if !(21..=177).contains(&size) || !(size - 17).is_multiple_of(4) {
        return Err(DataError::Format);
    }
    let format = format_bits(grid).ok_or(DataError::Format)?;
    let (mask, ecc_level) = (format & 7, format >> 3);
    // rqrr reads the codewords of the unmasked grid as they are (its own format reading
    // must succeed, but the mask and level used are ours).
    let (meta, raw) = rqrr::Grid::new(Unmasked { grid, mask })
        .get_raw_data()
        .map_err(|_| DataError::Format)?;
    let version = meta.version.0;
    // The raw 2-bit level field: 0 = M, 1 = L, 2 = H, 3 = Q.
    let level = match ecc_level {
        1 => 0,
        0 => 1,
        3 => 2,
        _ => 3,
    };
    let codewords = raw.data.get(..raw.len / 8).ok_or(DataError::Format)?;
    let data = correct(codewords, version, level)?;
    parse(&data, version)
}

/// Error-correction codewords per block, by level (L, M, Q, H) and version (index 0 unused).
const ECC_PER_BLOCK: [[u8; 41]; 4] = [
    [
        0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28,
        30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28,
        28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ],
    [
        0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30,
        30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24,
        30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
];

/// Number of error-correction blocks, by level (L, M, Q, H) and version (index 0 unused).
const BLOCKS: [[u8; 41]; 4] = [
    [
        0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13,
        14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
    ],
    [
        0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21,
        23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ],
    [
        0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29,
        34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
    ],
    [
        0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32,
        35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
    ],
];

/// Codewords (data + error correction) of a version.
fn total_codewords(version: usize) -> usize {
    let v = version;
    let mut modules = (16 * v + 128) * v + 64;
    if v >= 2 {
        let align = v / 7 + 2;
        modules -= (25 * align - 10) * align - 55;
        if v >= 7 {
            modules -= 36;
        }
    }
    modules / 8
}

/// De-interleave the codewords into blocks, correct each, return the data codewords.
fn correct(codewords: &[u8], version: usize, level: usize) -> Result<Vec<u8>, DataError> {
    let ecc = ECC_PER_BLOCK
        .get(level)
        .and_then(|t| t.get(version))
        .copied()
        .ok_or(DataError::Format)? as usize;
    let nblocks = BLOCKS
        .get(level)
        .and_then(|t| t.get(version))
        .copied()
        .ok_or(DataError::Format)? as usize;
    let total = total_codewords(version);
    if nblocks == 0 || codewords.len() < total {
        return Err(DataError::Format);
    }
    let short_len = total / nblocks;
    let nshort = nblocks - total % nblocks;
    let short_data = short_len.checked_sub(ecc).ok_or(DataError::Format)?;
    let mut blocks: Vec<Vec<u8>> = (0..nblocks)
        .map(|b| Vec::with_capacity(short_len + usize::from(b >= nshort)))
        .collect();
    let mut it = codewords.iter().copied();
    for i in 0..=short_data {
        for (b, block) in blocks.iter_mut().enumerate() {
            if i < short_data || b >= nshort {
                block.push(it.next().ok_or(DataError::Format)?);
            }
        }
    }
    for _ in 0..ecc {
        for block in blocks.iter_mut() {
            block.push(it.next().ok_or(DataError::Format)?);
        }
    }
    let mut data = Vec::with_capacity(total - ecc * nblocks);
    for block in blocks.iter_mut() {
        rs_correct(block, ecc)?;
        let dlen = block.len() - ecc;
        data.extend_from_slice(block.get(..dlen).ok_or(DataError::Format)?);
    }
    Ok(data)
}

/// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1: exp (doubled) and log tables.
struct Gf {
    exp: [u8; 512],
    log: [u8; 256],
}

const GF: Gf = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        i += 1;
    }
    exp[510] = exp[0];
    exp[511] = exp[1];
    Gf { exp, log }
};

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    GF.exp[GF.log[a as usize] as usize + GF.log[b as usize] as usize]
}

fn inv(a: u8) -> u8 {
    // a != 0 is checked by the callers; 0 maps to 0.
    if a == 0 {
        return 0;
    }
    GF.exp[255 - GF.log[a as usize] as usize]
}

/// alpha^e for any e >= 0.
fn pow_alpha(e: usize) -> u8 {
    GF.exp[e % 255]
}

/// Evaluate a polynomial given lowest degree first.
fn eval_low(p: &[u8], x: u8) -> u8 {
    p.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// Reed-Solomon correction in place (`block[0]` is the highest-degree coefficient, the
/// generator's roots are alpha^0 .. alpha^(ecc-1)). Berlekamp-Massey, Chien search, Forney.
fn rs_correct(block: &mut [u8], ecc: usize) -> Result<(), DataError> {
    let n = block.len();
    if ecc == 0 || n > 255 || ecc >= n {
        return Err(DataError::Format);
    }
    let syndromes = |b: &[u8]| -> Vec<u8> {
        (0..ecc)
            .map(|i| {
                let x = pow_alpha(i);
                b.iter().fold(0, |acc, &c| mul(acc, x) ^ c)
            })
            .collect()
    };
    let s = syndromes(block);
    if s.iter().all(|&v| v == 0) {
        return Ok(());
    }
    // Berlekamp-Massey: error locator sigma (lowest degree first).
    let mut sigma = vec![0u8; ecc + 1];
    let mut prev = vec![0u8; ecc + 1];
    if let (Some(a), Some(b)) = (sigma.first_mut(), prev.first_mut()) {
        *a = 1;
        *b = 1;
    }
    let mut l = 0usize;
    let mut m = 1usize;
    let mut bb = 1u8;
    for k in 0..ecc {
        let mut d = s.get(k).copied().unwrap_or(0);
        for i in 1..=l {
            d ^= mul(
                sigma.get(i).copied().unwrap_or(0),
                s.get(k.wrapping_sub(i)).copied().unwrap_or(0),
            );
        }
        if d == 0 {
            m += 1;
            continue;
        }
        let coef = mul(d, inv(bb));
        let old = sigma.clone();
        for i in m..=ecc {
            let p = prev.get(i - m).copied().unwrap_or(0);
            if let Some(c) = sigma.get_mut(i) {
                *c ^= mul(coef, p);
            }
        }
        if 2 * l <= k {
            l = k + 1 - l;
            prev = old;
            bb = d;
            m = 1;
        } else {
            m += 1;
        }
    }
    if 2 * l > ecc {
        return Err(DataError::Ecc);
    }
    // Error evaluator omega = s * sigma mod x^ecc.
    let mut omega = vec![0u8; ecc];
    for (i, o) in omega.iter_mut().enumerate() {
        let mut acc = 0;
        for j in 0..=i.min(l) {
            acc ^= mul(
                sigma.get(j).copied().unwrap_or(0),
                s.get(i - j).copied().unwrap_or(0),
            );
        }
        *o = acc;
    }
    // Formal derivative of sigma (odd terms).
    let deriv: Vec<u8> = (1..sigma.len())
        .map(|i| {
            if i % 2 == 1 {
                sigma.get(i).copied().unwrap_or(0)
            } else {
                0
            }
        })
        .collect();
    let mut found = 0;
    for p in 0..n {
        // Error at power p (block[n-1-p]) iff sigma(alpha^-p) == 0.
        let xinv = pow_alpha(255 - p % 255);
        if eval_low(&sigma, xinv) != 0 {
            continue;
        }
        let den = eval_low(&deriv, xinv);
        if den == 0 {
            return Err(DataError::Ecc);
        }
        // Forney with first root alpha^0: e = X * omega(X^-1) / sigma'(X^-1).
        let e = mul(pow_alpha(p), mul(eval_low(&omega, xinv), inv(den)));
        if let Some(c) = block.get_mut(n - 1 - p) {
            *c ^= e;
        }
        found += 1;
    }
    if found != l || syndromes(block).iter().any(|&v| v != 0) {
        return Err(DataError::Ecc);
    }
    Ok(())
}

struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn remaining(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Result<usize, DataError> {
        if n > self.remaining() || n > 32 {
            return Err(DataError::Underflow);
        }
        let mut v = 0usize;
        for _ in 0..n {
            let byte = self.data.get(self.pos / 8).copied().unwrap_or(0);
            v = (v << 1) | usize::from(byte & (0x80 >> (self.pos % 8)) != 0);
            self.pos += 1;
        }
        Ok(v)
    }
}

/// Character-count bits of a mode: versions 1-9, 10-26, 27-40.
fn count_bits(version: usize, bits: [usize; 3]) -> usize {
    match version {
        0..=9 => bits[0],
        10..=26 => bits[1],
        _ => bits[2],
    }
}

const ALNUM: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Parse the corrected data codewords into payload pieces.
fn parse(data: &[u8], version: usize) -> Result<Vec<Piece>, DataError> {
    let mut ds = Bits { data, pos: 0 };
    let mut pieces = Vec::new();
    let mut out = Vec::new();
    let mut fnc1 = false;
    while ds.remaining() >= 4 {
        match ds.take(4)? {
            0 => break,
            // Numeric.
            1 => {
                let mut count = ds.take(count_bits(version, [10, 12, 14]))?;
                while count > 0 {
                    let digits = count.min(3);
                    let mut v = ds.take([0, 4, 7, 10][digits])?;
                    let mut buf = [0u8; 3];
                    for slot in buf.iter_mut().take(digits).rev() {
                        *slot = b'0' + (v % 10) as u8;
                        v /= 10;
                    }
                    out.extend_from_slice(buf.get(..digits).unwrap_or(&[]));
                    count -= digits;
                }
            }
            // Alphanumeric.
            2 => {
                let mut count = ds.take(count_bits(version, [9, 11, 13]))?;
                let mut seg = Vec::with_capacity(count);
                while count > 0 {
                    let chars = count.min(2);
                    let mut v = ds.take(if chars == 2 { 11 } else { 6 })?;
                    let mut buf = [0u8; 2];
                    for slot in buf.iter_mut().take(chars).rev() {
                        *slot = ALNUM.get(v % 45).copied().unwrap_or(b' ');
                        v /= 45;
                    }
                    seg.extend_from_slice(buf.get(..chars).unwrap_or(&[]));
                    count -= chars;
                }
                if fnc1 {
                    let mut i = 0;
                    while let Some(&c) = seg.get(i) {
                        if c == b'%' {
                            if seg.get(i + 1) == Some(&b'%') {
                                out.push(b'%');
                                i += 1;
                            } else {
                                out.push(0x1d);
                            }
                        } else {
                            out.push(c);
                        }
                        i += 1;
                    }
                } else {
                    out.extend_from_slice(&seg);
                }
            }
            // Structured append: symbol index, count, parity; this symbol's data follows.
            3 => {
                ds.take(16)?;
            }
            // Byte.
            4 => {
                let count = ds.take(count_bits(version, [8, 16, 16]))?;
                if ds.remaining() < count * 8 {
                    return Err(DataError::Underflow);
                }
                for _ in 0..count {
                    out.push(ds.take(8)? as u8);
                }
            }
            // FNC1 in first position (GS1).
            5 => fnc1 = true,
            // ECI: the designator is dropped (the text layer guesses the charset).
            7 => {
                let first = ds.take(8)?;
                if first & 0x80 == 0 {
                } else if first & 0xc0 == 0x80 {
                    ds.take(8)?;
                } else if first & 0xe0 == 0xc0 {
                    ds.take(16)?;
                } else {
                    return Err(DataError::Mode);
                }
            }
            // Kanji: 13-bit values back to Shift_JIS pairs.
            8 => {
                let count = ds.take(count_bits(version, [8, 10, 12]))?;
                if ds.remaining() < count * 13 {
                    return Err(DataError::Underflow);
                }
                for _ in 0..count {
                    let d = ds.take(13)?;
                    let v = ((d / 0xc0) << 8) | (d % 0xc0);
                    let sj = if v + 0x8140 <= 0x9ffc {
                        v + 0x8140
                    } else {
                        v + 0xc140
                    };
                    out.push((sj >> 8) as u8);
                    out.push(sj as u8);
                }
            }
            // Hanzi (GB2312 subset only): 13-bit values to GB2312 pairs, decoded here.
            13 => {
                if ds.take(4)? != 1 {
                    return Err(DataError::Mode);
                }
                let count = ds.take(count_bits(version, [8, 10, 12]))?;
                if ds.remaining() < count * 13 {
                    return Err(DataError::Underflow);
                }
                let mut text = String::with_capacity(count * 3);
                for _ in 0..count {
                    let d = ds.take(13)?;
                    let v = ((d / 0x60) << 8) | (d % 0x60);
                    let gb = if v < 0x0a00 { v + 0xa1a1 } else { v + 0xa6a1 };
                    text.push(
                        crate::gb2312::pair((gb >> 8) as u8, gb as u8).ok_or(DataError::Mode)?,
                    );
                }
                if !out.is_empty() {
                    pieces.push(Piece::Bytes(std::mem::take(&mut out)));
                }
                pieces.push(Piece::Text(text));
            }
            // FNC1 in second position: AIM application indicator, prepended like ZXing.
            9 => {
                fnc1 = true;
                let app = ds.take(8)?;
                if app < 100 {
                    out.push(b'0' + (app / 10) as u8);
                    out.push(b'0' + (app % 10) as u8);
                } else if (165..=190).contains(&app) || (197..=222).contains(&app) {
                    out.push((app - 100) as u8);
                } else {
                    return Err(DataError::Mode);
                }
            }
            _ => return Err(DataError::Mode),
        }
    }
    if !out.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Bytes(out));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::bits::Bits as QrBits;
    use qrcode::types::Color;
    use qrcode::{EcLevel, QrCode, Version};

    /// A borrowed grid, owned by value (rqrr's `Grid` takes its grid by value).
    struct Plain<'a>(&'a dyn BitGrid);

    impl BitGrid for Plain<'_> {
        fn size(&self) -> usize {
            self.0.size()
        }
        fn bit(&self, y: usize, x: usize) -> bool {
            self.0.bit(y, x)
        }
    }

    /// The payload as bytes (no Hanzi pieces expected).
    fn flat(pieces: Result<Vec<Piece>, DataError>) -> Result<Vec<u8>, DataError> {
        let mut out = Vec::new();
        for p in pieces? {
            match p {
                Piece::Bytes(b) => out.extend(b),
                Piece::Text(t) => panic!("unexpected text piece {t:?}"),
            }
        }
        Ok(out)
    }

    /// A module grid from the `qrcode` crate.
    struct Code {
        size: usize,
        dark: Vec<bool>,
    }

    impl BitGrid for Code {
        fn size(&self) -> usize {
            self.size
        }
        fn bit(&self, y: usize, x: usize) -> bool {
            self.dark[y * self.size + x]
        }
    }

    fn grid(code: &QrCode) -> Code {
        Code {
            size: code.width(),
            dark: code.to_colors().iter().map(|&c| c == Color::Dark).collect(),
        }
    }

    /// Hand-made bit stream: (value, bit count) pairs, zero-padded to whole bytes.
    fn stream(fields: &[(usize, usize)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut n = 0;
        for &(v, bits) in fields {
            for i in (0..bits).rev() {
                if n % 8 == 0 {
                    out.push(0);
                }
                if (v >> i) & 1 == 1 {
                    *out.last_mut().unwrap() |= 0x80 >> (n % 8);
                }
                n += 1;
            }
        }
        out
    }

    /// Reed-Solomon encoder (generator with roots alpha^0 .. alpha^(ecc-1)).
    fn rs_encode(data: &[u8], ecc: usize) -> Vec<u8> {
        let mut gen = vec![1u8]; // highest degree first
        for i in 0..ecc {
            let root = pow_alpha(i);
            let mut next = vec![0u8; gen.len() + 1];
            for (j, &g) in gen.iter().enumerate() {
                next[j] ^= g;
                next[j + 1] ^= mul(g, root);
            }
            gen = next;
        }
        let mut rem = vec![0u8; ecc];
        for &d in data {
            let f = d ^ rem[0];
            rem.remove(0);
            rem.push(0);
            for (r, &g) in rem.iter_mut().zip(gen.iter().skip(1)) {
                *r ^= mul(f, g);
            }
        }
        let mut out = data.to_vec();
        out.extend(rem);
        out
    }

    #[test]
    fn total_codewords_match_the_spec() {
        assert_eq!(total_codewords(1), 26);
        assert_eq!(total_codewords(7), 196);
        assert_eq!(total_codewords(40), 3706);
        // Data codewords of a few (version, level) pairs from ISO 18004 table 9.
        let data = |v: usize, l: usize| {
            total_codewords(v) - ECC_PER_BLOCK[l][v] as usize * BLOCKS[l][v] as usize
        };
        assert_eq!(data(1, 0), 19);
        assert_eq!(data(1, 3), 9);
        assert_eq!(data(5, 2), 62);
        assert_eq!(data(10, 1), 216);
        assert_eq!(data(40, 0), 2956);
        assert_eq!(data(40, 3), 1276);
    }

    #[test]
    fn reed_solomon_corrects_up_to_half_the_parity() {
        let mut seed = 12345u32;
        let mut rnd = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) as usize
        };
        for &(n_data, ecc) in &[(19usize, 7usize), (9, 17), (43, 26), (116, 30), (15, 22)] {
            for errors in 0..=ecc / 2 {
                let data: Vec<u8> = (0..n_data).map(|_| rnd() as u8).collect();
                let clean = rs_encode(&data, ecc);
                let mut block = clean.clone();
                let mut hit = Vec::new();
                while hit.len() < errors {
                    let p = rnd() % block.len();
                    if !hit.contains(&p) {
                        hit.push(p);
                        block[p] ^= (rnd() % 255 + 1) as u8;
                    }
                }
                assert_eq!(
                    rs_correct(&mut block, ecc),
                    Ok(()),
                    "{n_data}+{ecc}, {errors} errors"
                );
                assert_eq!(block, clean);
            }
            // Far too many errors: must fail (or, rarely, miscorrect), never panic.
            let mut block = rs_encode(&vec![7u8; n_data], ecc);
            for b in block.iter_mut().take(ecc) {
                *b ^= 0x5a;
            }
            let _ = rs_correct(&mut block, ecc);
        }
    }

    #[test]
    fn decodes_every_version_and_level_like_rqrr() {
        let levels = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
        for v in (1..=12).chain([14, 17, 21, 26, 27, 32, 36, 40]) {
            for (li, &level) in levels.iter().enumerate() {
                let text: String = (0..(v as usize * 3 + li))
                    .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
                    .collect();
                let Ok(code) = QrCode::with_version(text.as_bytes(), Version::Normal(v), level)
                else {
                    continue;
                };
                let mut g = grid(&code);
                assert_eq!(
                    flat(decode_grid(&g)).unwrap(),
                    text.as_bytes(),
                    "v{v} {level:?}"
                );
                // Damage a 3x3 patch of data modules: still decodes.
                let c = g.size / 2 + 2;
                for y in c..c + 3 {
                    for x in c + 1..c + 4 {
                        g.dark[y * g.size + x] ^= true;
                    }
                }
                let mut theirs = Vec::new();
                let rq = rqrr::Grid::new(Plain(&g)).decode_to(&mut theirs);
                let ours = flat(decode_grid(&g));
                assert_eq!(ours.is_ok(), rq.is_ok(), "v{v} {level:?}");
                if let Ok(o) = ours {
                    assert_eq!(o, theirs);
                }
            }
        }
    }

    #[test]
    fn mixed_segments_and_mirrored_grids() {
        let mut bits = QrBits::new(Version::Normal(3));
        bits.push_eci_designator(26).unwrap();
        bits.push_numeric_data(b"0123456789").unwrap();
        bits.push_alphanumeric_data(b"AB%C").unwrap();
        bits.push_byte_data("é".as_bytes()).unwrap();
        bits.push_kanji_data(&[0x88, 0xa2]).unwrap();
        bits.push_terminator(EcLevel::M).unwrap();
        let g = grid(&QrCode::with_bits(bits, EcLevel::M).unwrap());
        let mut want = b"0123456789AB%C".to_vec();
        want.extend_from_slice("é".as_bytes());
        want.extend_from_slice(&[0x88, 0xa2]);
        assert_eq!(flat(decode_grid(&g)).unwrap(), want);
        assert_eq!(flat(decode_grid(&Mirrored(&g))).unwrap(), want);
    }

    #[test]
    fn gs1_fnc1_first_position() {
        let mut bits = QrBits::new(Version::Normal(4));
        bits.push_fnc1_first_position().unwrap();
        bits.push_numeric_data(b"01095040000591").unwrap();
        bits.push_alphanumeric_data(b"21ABC%10X%%").unwrap();
        bits.push_terminator(EcLevel::M).unwrap();
        let g = grid(&QrCode::with_bits(bits, EcLevel::M).unwrap());
        // rqrr itself gives up on the FNC1 mode indicator.
        let mut sink = Vec::new();
        assert!(rqrr::Grid::new(Plain(&g)).decode_to(&mut sink).is_err());
        assert_eq!(
            flat(decode_grid(&g)).unwrap(),
            b"0109504000059121ABC\x1d10X%".to_vec()
        );
    }

    #[test]
    fn hand_built_streams() {
        // FNC1 first, alphanumeric "A%" (A=10, %=38: 10*45+38), byte "b", terminator.
        let s = stream(&[
            (5, 4),
            (2, 4),
            (2, 9),
            (10 * 45 + 38, 11),
            (4, 4),
            (1, 8),
            (98, 8),
        ]);
        assert_eq!(flat(parse(&s, 1)).unwrap(), b"A\x1db".to_vec());
        // Without FNC1 the % stays.
        let s = stream(&[(2, 4), (2, 9), (10 * 45 + 38, 11), (0, 4)]);
        assert_eq!(flat(parse(&s, 1)).unwrap(), b"A%".to_vec());
        // FNC1 second position, application indicator 37 then "AB" (+ 100 -> letter).
        let s = stream(&[(9, 4), (37, 8), (2, 4), (2, 9), (10 * 45 + 11, 11), (0, 4)]);
        assert_eq!(flat(parse(&s, 1)).unwrap(), b"37AB".to_vec());
        let s = stream(&[(9, 4), (165, 8), (4, 4), (1, 8), (b'z' as usize, 8)]);
        assert_eq!(flat(parse(&s, 1)).unwrap(), b"Az".to_vec());
        // Structured append header (index 0 of 2, parity 0x41), then byte "hi".
        let s = stream(&[
            (3, 4),
            (0, 4),
            (1, 4),
            (0x41, 8),
            (4, 4),
            (2, 8),
            (0x6869, 16),
        ]);
        assert_eq!(flat(parse(&s, 1)).unwrap(), b"hi".to_vec());
        // Version 10+: 16-bit byte count.
        let s = stream(&[(4, 4), (1, 16), (b'x' as usize, 8), (0, 4)]);
        assert_eq!(flat(parse(&s, 10)).unwrap(), b"x".to_vec());
        // Hanzi / reserved modes and truncated segments are errors, not panics.
        assert_eq!(parse(&stream(&[(14, 4), (0, 12)]), 1), Err(DataError::Mode));
        // Hanzi subset other than GB2312, and an unmapped GB2312 row.
        assert_eq!(
            parse(&stream(&[(13, 4), (2, 4), (0, 12)]), 1),
            Err(DataError::Mode)
        );
        assert_eq!(
            parse(&stream(&[(13, 4), (1, 4), (1, 8), (0x60 * 9, 13)]), 1),
            Err(DataError::Mode)
        );
        assert_eq!(
            parse(&stream(&[(4, 4), (9, 8), (1, 8)]), 1),
            Err(DataError::Underflow)
        );
        assert_eq!(
            parse(&stream(&[(1, 4), (200, 10)]), 1),
            Err(DataError::Underflow)
        );
        assert_eq!(parse(&[], 1), Ok(vec![Piece::Bytes(Vec::new())]));
    }

    #[test]
    fn hanzi_segments_are_decoded_as_gb2312() {
        // Byte "A:", Hanzi (GB2312) "阿中" (0xB0A2, 0xD6D0), byte ";;".
        let hz = |gb: usize| {
            let v = gb - if gb >= 0xb0a1 { 0xa6a1 } else { 0xa1a1 };
            (v >> 8) * 0x60 + (v & 0xff)
        };
        let s = stream(&[
            (4, 4),
            (2, 8),
            (0x413a, 16),
            (13, 4),
            (1, 4),
            (2, 8),
            (hz(0xb0a2), 13),
            (hz(0xd6d0), 13),
            (4, 4),
            (2, 8),
            (0x3b3b, 16),
            (0, 4),
        ]);
        assert_eq!(
            parse(&s, 1).unwrap(),
            vec![
                Piece::Bytes(b"A:".to_vec()),
                Piece::Text("阿中".into()),
                Piece::Bytes(b";;".to_vec())
            ]
        );
        // A symbol row (0xA1A1, ideographic space) takes the other offset.
        let s = stream(&[(13, 4), (1, 4), (1, 8), (hz(0xa1a1), 13)]);
        assert_eq!(parse(&s, 1).unwrap(), vec![Piece::Text("\u{3000}".into())]);
    }

    #[test]
    fn bad_grids_are_errors() {
        for size in [0usize, 1, 20, 22, 25, 178, 181, 400] {
            let g = Code {
                size,
                dark: vec![true; size * size],
            };
            assert!(decode_grid(&g).is_err());
        }
    }

    /// `format_bits` against rqrr's format reading, on every possible first copy (the
    /// second copy all light, then all dark, neither of which is a valid word): whatever
    /// we accept, rqrr accepts too (its raw reader must not fail behind our gate) and
    /// reads the same; we accept every word within 3 errors of a valid one.
    #[test]
    fn format_bits_agree_with_rqrr() {
        const XS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
        const YS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
        let mut accepted = 0;
        for second_dark in [false, true] {
            for received in 0u16..1 << 15 {
                let mut dark = vec![second_dark; 21 * 21];
                for i in 0..15 {
                    dark[YS[i] * 21 + XS[i]] = received & (1 << i) != 0;
                }
                let g = Code { size: 21, dark };
                let ours = format_bits(&g).map(|f| (f & 7, f >> 3));
                let theirs = rqrr::Grid::new(Code {
                    size: 21,
                    dark: g.dark.clone(),
                })
                .get_raw_data()
                .ok()
                .map(|(m, _)| (m.mask, m.ecc_level));
                let distance = FORMAT_WORDS
                    .iter()
                    .map(|w| (w ^ received).count_ones())
                    .min()
                    .unwrap();
                assert_eq!(ours.is_some(), distance <= 3, "{received:#x}");
                if ours.is_some() {
                    assert_eq!(ours, theirs, "{received:#x}");
                    accepted += 1;
                }
            }
        }
        // 32 words x (1 + 15 + 105 + 455) words within distance 3, for both second copies.
        assert_eq!(accepted, 2 * 32 * 576);
    }
}
