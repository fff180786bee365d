//! QR Code Model 1, the original symbol (ISO/IEC 18004:2000 annex M; versions 1-14,
//! 21..73 modules). Old encoders and printed material still carry it; ZXing reads it.
//!
//! Against Model 2: the format information is masked with 0x2825 instead of 0x5412 (so
//! [`super::format`] tells the two apart), there are no alignment patterns, the
//! codewords are placed in fixed 2x4 and 4x2 module blocks instead of the zigzag, the
//! Reed-Solomon blocks follow each other instead of being interleaved, and the bit stream
//! starts with 4 zero bits.
//!
//! In: a sampled grid, its mask and level. Out: payload pieces, or [`DataError`].

use rqrr::BitGrid;

use super::codewords::mask_bit;
use super::payload::parse_from;
use super::reed_solomon::rs_correct;
use super::{DataError, Piece};

/// Largest Model 1 symbol (version 14).
pub(super) const MAX_SIZE: usize = 73;

/// Reed-Solomon blocks by version (1..=14) and level (L, M, Q, H): (error-correction
/// codewords per block, blocks, data codewords per block); ISO/IEC 18004:2000 table M.2.
const BLOCKS: [[(u8, u8, u8); 4]; 14] = [
    [(7, 1, 19), (10, 1, 16), (13, 1, 13), (17, 1, 9)],
    [(10, 1, 36), (16, 1, 30), (22, 1, 24), (30, 1, 16)],
    [(15, 1, 57), (28, 1, 44), (36, 1, 36), (48, 1, 24)],
    [(20, 1, 80), (40, 1, 60), (50, 1, 50), (66, 1, 34)],
    [(26, 1, 108), (52, 1, 82), (66, 1, 68), (44, 2, 23)],
    [(34, 1, 136), (32, 2, 53), (42, 2, 43), (56, 2, 29)],
    [(42, 1, 170), (40, 2, 66), (52, 2, 54), (46, 3, 24)],
    [(24, 2, 104), (48, 2, 80), (64, 2, 64), (56, 3, 29)],
    [(30, 2, 123), (60, 2, 93), (50, 3, 52), (68, 3, 34)],
    [(34, 2, 145), (68, 2, 111), (58, 3, 61), (58, 4, 31)],
    [(40, 2, 168), (40, 4, 64), (52, 4, 52), (54, 5, 29)],
    [(46, 2, 192), (46, 4, 73), (58, 4, 61), (62, 5, 33)],
    [(36, 3, 144), (52, 4, 83), (66, 4, 69), (58, 6, 32)],
    [(40, 3, 163), (60, 4, 92), (60, 5, 62), (66, 6, 35)],
];

/// The modules (row, column) of every codeword, most significant bit first, in codeword
/// order. Codewords are blocks of modules read from the bottom-right corner: two columns
/// of 2-wide, 4-tall blocks along the right edge (the extension patterns between them
/// skipped), then 4-wide, 2-tall blocks in 4-module columns from right to left (the
/// timing row skipped, the finder-pattern areas and the top extension patterns left
/// out), then 2-wide, 4-tall blocks in the columns left of the top-left and below-left
/// finder patterns (the timing column skipped). `None` for sizes that are not Model 1.
pub(super) fn codeword_modules(size: usize) -> Option<Vec<[(usize, usize); 8]>> {
    if !(21..=MAX_SIZE).contains(&size) || !(size - 17).is_multiple_of(4) {
        return None;
    }
    let d = size as isize;
    let strips = d / 4 + 3;
    let mut out = Vec::new();
    let mut push = |x: isize, y: isize, wide: isize| -> Option<()> {
        let mut cw = [(0usize, 0usize); 8];
        for (b, slot) in (0isize..).zip(cw.iter_mut()) {
            let (cx, cy) = (x - b % wide, y - b / wide);
            if cx < 0 || cy < 0 || cx >= d || cy >= d {
                return None;
            }
            *slot = (cy as usize, cx as usize);
        }
        out.push(cw);
        Some(())
    };
    for j in 0..strips {
        if j <= 1 {
            // Right edge: 2x4 blocks, upwards; the first strip skips the extension
            // patterns at every other block position (but not at the ends).
            let rows = (d - 8) / 4;
            for i in 0..rows {
                if j == 0 && i % 2 == 0 && i > 0 && i < rows - 1 {
                    continue;
                }
                push(d - 1 - 2 * j, d - 1 - 4 * i, 2)?;
            }
        } else if strips - j <= 4 {
            // Left of the finder patterns: 2x4 blocks between them, the timing column
            // (6) skipped by shifting the rightmost of these strips one column.
            let rows = (d - 16) / 4;
            let k = strips - j;
            let x = (k - 1) * 2 + 1 + isize::from(k == 4);
            for i in 0..rows {
                push(x, d - 9 - 4 * i, 2)?;
            }
        } else {
            // Middle: 4x2 blocks, upwards; the timing row (6) skipped near the top.
            let rows = d / 2;
            for i in 0..rows {
                if j == 2 && i >= rows - 4 {
                    continue; // the top-right finder pattern
                }
                if i == 0 && j % 2 == 1 && j + 1 != strips - 4 {
                    continue; // an extension pattern on the bottom edge
                }
                let y = d - 1 - 2 * i - isize::from(i >= rows - 3);
                push(d - 5 - (j - 2) * 4, y, 4)?;
            }
        }
    }
    Some(out)
}

/// Decode a Model 1 grid of `version` (1..=14), `level` (0..4 = L, M, Q, H).
pub(super) fn decode(
    grid: &dyn BitGrid,
    version: usize,
    mask: u16,
    level: usize,
) -> Result<Vec<Piece>, DataError> {
    let &(ecc, nblocks, ndata) = BLOCKS
        .get(version.wrapping_sub(1))
        .and_then(|l| l.get(level))
        .ok_or(DataError::Format)?;
    let (ecc, nblocks, ndata) = (usize::from(ecc), usize::from(nblocks), usize::from(ndata));
    let modules = codeword_modules(grid.size()).ok_or(DataError::Format)?;
    // The placement holds level L's codewords; a few levels of the table use up to 6
    // fewer (the rest is remainder) and version 14-Q claims one more than there is.
    if modules.len() < nblocks * (ecc + ndata) {
        return Err(DataError::Format);
    }
    let mut raw: Vec<u8> = modules
        .iter()
        .map(|cw| {
            cw.iter().fold(0u8, |byte, &(y, x)| {
                (byte << 1) | u8::from(grid.bit(y, x) != mask_bit(mask, y, x))
            })
        })
        .collect();
    // The first 4 bits (the bottom-right corner) are the stream's leading zeros.
    if let Some(first) = raw.first_mut() {
        *first &= 0x0f;
    }
    // Blocks back to back: all data codewords block by block, then all parity likewise.
    let mut data = Vec::with_capacity(nblocks * ndata);
    for b in 0..nblocks {
        let mut block: Vec<u8> = raw
            .get(b * ndata..(b + 1) * ndata)
            .ok_or(DataError::Format)?
            .to_vec();
        let p0 = nblocks * ndata + b * ecc;
        block.extend_from_slice(raw.get(p0..p0 + ecc).ok_or(DataError::Format)?);
        rs_correct(&mut block, ecc)?;
        data.extend_from_slice(block.get(..ndata).ok_or(DataError::Format)?);
    }
    raw.clear();
    parse_from(&data, version, 4)
}

#[cfg(test)]
mod tests {
    use super::super::reed_solomon::tests::rs_encode;
    use super::super::test_util::{flat, Code};
    use super::super::{decode_grid, Mirrored};
    use super::*;

    /// The placement covers every module outside the finder patterns with their
    /// separators and format areas, the timing patterns and the extension patterns,
    /// each once, and gives exactly the version's codeword count (level L's).
    #[test]
    fn placement_is_a_partition_of_the_data_area() {
        for v in 1..=14usize {
            let size = 17 + 4 * v;
            let m = codeword_modules(size).unwrap();
            let (ecc, n, data) = BLOCKS[v - 1][0];
            let want = usize::from(n) * (usize::from(ecc) + usize::from(data));
            // Versions 13 and 14 place 2 and 1 codewords more than the table's level L.
            assert_eq!(
                m.len(),
                want + [2, 1].get(v.wrapping_sub(13)).unwrap_or(&0),
                "v{v}"
            );
            let mut seen = vec![false; size * size];
            for &(y, x) in m.iter().flatten() {
                assert!(!seen[y * size + x], "v{v} ({y},{x}) twice");
                seen[y * size + x] = true;
                let in_finder = (y < 9 && (x < 9 || x >= size - 8)) || (y >= size - 8 && x < 9);
                assert!(!in_finder && y != 6 && x != 6, "v{v} ({y},{x})");
            }
        }
        assert!(codeword_modules(20).is_none());
        assert!(codeword_modules(77).is_none());
    }

    /// A Model 1 symbol built with the placement: format information masked with 0x2825,
    /// blocks back to back, the stream starting with 4 zero bits. It decodes (also
    /// mirrored, and with a damaged codeword), and a Model 2 reading of it does not.
    #[test]
    fn decodes_a_model1_symbol() {
        for (v, level) in [(1usize, 0usize), (5, 3), (7, 3), (9, 2), (14, 1)] {
            let size = 17 + 4 * v;
            let (ecc, n, ndata) = BLOCKS[v - 1][level];
            let (ecc, n, ndata) = (usize::from(ecc), usize::from(n), usize::from(ndata));
            let text = b"MODEL 1 ";
            // 0000, byte mode 0100, count (8 bits), the bytes, terminator, padding.
            let mut bits: Vec<bool> = vec![false; 4];
            let put = |v: usize, n: usize, bits: &mut Vec<bool>| {
                for i in (0..n).rev() {
                    bits.push(v >> i & 1 == 1);
                }
            };
            put(4, 4, &mut bits);
            put(text.len(), if v >= 10 { 16 } else { 8 }, &mut bits);
            for &c in text {
                put(usize::from(c), 8, &mut bits);
            }
            put(0, 4, &mut bits);
            let mut data: Vec<u8> = bits
                .chunks(8)
                .map(|c| {
                    c.iter()
                        .enumerate()
                        .fold(0u8, |b, (i, &v)| b | (u8::from(v) << (7 - i)))
                })
                .collect();
            let mut pad = [0xecu8, 0x11].into_iter().cycle();
            while data.len() < n * ndata {
                data.push(pad.next().unwrap());
            }
            let mut codewords = data.clone();
            for b in 0..n {
                let block = rs_encode(&data[b * ndata..(b + 1) * ndata], ecc);
                codewords.extend_from_slice(&block[ndata..]);
            }
            let mask = 3u16;
            let mut g = Code {
                size,
                dark: vec![false; size * size],
            };
            for (cw, mods) in codewords.iter().zip(codeword_modules(size).unwrap()) {
                for (i, (y, x)) in mods.into_iter().enumerate() {
                    g.dark[y * size + x] = (cw >> (7 - i) & 1 == 1) != mask_bit(mask, y, x);
                }
            }
            // Format: level bits (L=1, M=0, Q=3, H=2) and mask, BCH, Model 1 mask.
            let lbits = [1u16, 0, 3, 2][level];
            let fdata = lbits << 3 | mask;
            let mut rem = fdata << 10;
            for bit in (10..15).rev() {
                if rem & (1 << bit) != 0 {
                    rem ^= 0x537 << (bit - 10);
                }
            }
            let word = ((fdata << 10) | rem) ^ 0x2825;
            const XS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
            const YS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
            for i in 0..15 {
                g.dark[YS[i] * size + XS[i]] = word >> i & 1 == 1;
            }
            assert_eq!(
                flat(decode_grid(&g)),
                Ok(text.to_vec()),
                "v{v} level {level}"
            );
            let t = Code {
                size,
                dark: (0..size * size)
                    .map(|i| g.dark[(i % size) * size + i / size])
                    .collect(),
            };
            assert_eq!(flat(decode_grid(&t)).unwrap(), text);
            assert_eq!(flat(decode_grid(&Mirrored(&t))).unwrap(), text);
            // A damaged codeword (in the middle of the data) is corrected.
            for &(y, x) in &codeword_modules(size).unwrap()[3] {
                g.dark[y * size + x] ^= true;
            }
            assert_eq!(flat(decode_grid(&g)).unwrap(), text);
        }
    }
}
