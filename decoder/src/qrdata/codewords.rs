//! Codewords: read from the grid in the standard zigzag order with the data mask removed,
//! then de-interleaved into the Reed-Solomon blocks of the version and level, each block
//! corrected.
//!
//! In: a grid and its mask / the raw codewords, version and level. Out: the corrected data
//! codewords in order, or [`DataError`].

use rqrr::BitGrid;

use super::reed_solomon::rs_correct;
use super::DataError;
use crate::detect::APAT;

/// The codewords of a grid in reading order, unmasked: the standard zigzag (two-column
/// strips from the right, alternately upwards and downwards, the vertical timing column
/// skipped) over the modules that are not function patterns (finder patterns with their
/// separators and the format information, timing patterns, alignment patterns, version
/// information); remainder bits are dropped. `None` unless the grid has the version's size.
///
/// rqrr's raw reader did this (through a view of the grid with our mask removed), testing
/// every module against its alignment table (`reserved_cell`) and reading the format
/// again: most of the cost of a decoding attempt, and decoding attempts were a quarter of
/// the time of a failing frame.
pub(super) fn read_codewords(grid: &dyn BitGrid, version: usize, mask: u16) -> Option<Vec<u8>> {
    let size = grid.size();
    if !(1..=40).contains(&version) || size != 4 * version + 17 {
        return None;
    }
    let mut function = vec![false; size * size];
    let mut mark = |x0: usize, y0: usize, w: usize, h: usize| {
        for y in y0..(y0 + h).min(size) {
            for x in x0..(x0 + w).min(size) {
                if let Some(f) = function.get_mut(y * size + x) {
                    *f = true;
                }
            }
        }
    };
    // Finder patterns, separators and format information; the dark module is inside
    // the bottom-left area.
    mark(0, 0, 9, 9);
    mark(size - 8, 0, 8, 9);
    mark(0, size - 8, 9, 8);
    mark(6, 0, 1, size);
    mark(0, 6, size, 1);
    let apat = APAT.get(version)?;
    let centres = apat.get(..apat.iter().take_while(|&&a| a != 0).count())?;
    let (first, last) = (centres.first().copied(), centres.last().copied());
    for &a in centres {
        for &b in centres {
            let corner = |v: u8| Some(v) == first || Some(v) == last;
            // The three positions on finder patterns have no alignment pattern.
            if corner(a) && corner(b) && !(Some(a) == last && Some(b) == last) {
                continue;
            }
            mark(usize::from(a) - 2, usize::from(b) - 2, 5, 5);
        }
    }
    if version >= 7 {
        mark(size - 11, 0, 3, 6);
        mark(0, size - 11, 6, 3);
    }
    let mut out = Vec::with_capacity(total_codewords(version));
    let (mut byte, mut bits) = (0u8, 0);
    let mut right = size - 1;
    let mut upward = true;
    loop {
        if right == 6 {
            right = 5;
        }
        for i in 0..size {
            let y = if upward { size - 1 - i } else { i };
            for x in [right, right - 1] {
                if function.get(y * size + x).copied().unwrap_or(true) {
                    continue;
                }
                byte = (byte << 1) | u8::from(grid.bit(y, x) != mask_bit(mask, y, x));
                bits += 1;
                if bits == 8 {
                    out.push(byte);
                    (byte, bits) = (0, 0);
                }
            }
        }
        upward = !upward;
        if right < 3 {
            break;
        }
        right -= 2;
    }
    Some(out)
}

pub(super) fn mask_bit(mask: u16, y: usize, x: usize) -> bool {
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
pub(super) fn correct(
    codewords: &[u8],
    version: usize,
    level: usize,
) -> Result<Vec<u8>, DataError> {
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

#[cfg(test)]
mod tests {
    use super::super::test_util::{grid, Code};
    use super::*;

    /// rqrr's raw reader keeps the data mask: a grid that has it removed, for comparison.
    struct Unmasked<'a>(&'a Code, u16);

    impl BitGrid for Unmasked<'_> {
        fn size(&self) -> usize {
            self.0.size
        }
        fn bit(&self, y: usize, x: usize) -> bool {
            let size = self.0.size;
            let format =
                (y == 8 && (x <= 8 || x + 8 >= size)) || (x == 8 && (y <= 8 || y + 7 >= size));
            self.0.bit(y, x) != (!format && mask_bit(self.1, y, x))
        }
    }

    #[test]
    fn codewords_are_read_like_rqrr_reads_them() {
        use qrcode::{EcLevel, QrCode, Version};
        for v in [1, 2, 6, 7, 8, 13, 14, 20, 21, 27, 28, 34, 35, 40] {
            let text = vec![b'a'; v * 4];
            let code = QrCode::with_version(&text, Version::Normal(v as i16), EcLevel::L).unwrap();
            let g = grid(&code);
            let (meta, _) = rqrr::Grid::new(Code {
                size: g.size,
                dark: g.dark.clone(),
            })
            .get_raw_data()
            .unwrap();
            let mask = meta.mask;
            let theirs = rqrr::Grid::new(Unmasked(&g, mask))
                .get_raw_data()
                .unwrap()
                .1;
            let ours = read_codewords(&g, v, mask).unwrap();
            assert_eq!(ours.len(), total_codewords(v), "v{v}");
            assert_eq!(&ours[..], &theirs.data[..theirs.len / 8], "v{v}");
        }
        // Wrong sizes are refused.
        let g = grid(&QrCode::new(b"x").unwrap());
        assert!(read_codewords(&g, 2, 0).is_none());
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
}
