//! Codewords: the grid with its data mask removed (so that rqrr's raw reader hands back
//! unmasked codewords), then de-interleaving of those codewords into the Reed-Solomon
//! blocks of the version and level, each block corrected.
//!
//! In: a grid and its mask / the raw codewords, version and level. Out: the corrected data
//! codewords in order, or [`DataError`].

use rqrr::BitGrid;

use super::reed_solomon::rs_correct;
use super::DataError;

/// The grid with the data mask removed from every cell except the format information, so
/// that rqrr's raw reader (which keeps the mask) hands back unmasked codewords.
pub(super) struct Unmasked<'a> {
    pub(super) grid: &'a dyn BitGrid,
    pub(super) mask: u16,
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
    use super::*;

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
