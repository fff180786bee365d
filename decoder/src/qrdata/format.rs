//! Format information: the 15 format bits of a grid (error-correction level and data
//! mask), corrected to the nearest valid BCH(15,5) word within 3 bit errors.
//!
//! In: a sampled grid. Out: the 5 format bits (`level << 3 | mask`), or `None` for grids
//! without readable format information (most false detections stop here).

use rqrr::BitGrid;

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

/// Model 1 symbols mask their format words with 0x2825 instead of 0x5412.
const MODEL1_TO_MODEL2: u16 = 0x2825 ^ 0x5412;

/// The 5 format bits (level << 3 | mask) of a grid, and whether it is a Model 1 symbol:
/// the first copy (around the top-left finder) if it is within 3 bit errors of a valid
/// word, else the split copy, like ZXing (the code's minimum distance is 7, so the answer
/// is unique); then, for grids of Model 1 sizes (up to 73 modules), both copies again as
/// Model 1 words (ZXing also reads Model 1). rqrr's corrector also "corrects" some
/// 4-error words, to a wrong word; we don't. Cheap: it runs before the codeword reader,
/// which walks every module, and skips it on grids without format information (most
/// false detections).
pub fn format_bits(grid: &dyn BitGrid) -> Option<(u16, bool)> {
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
    let model2 = nearest(first)
        .or_else(|| nearest(second))
        .map(|d| (d, false));
    model2.or_else(|| {
        if size > super::model1::MAX_SIZE {
            return None;
        }
        nearest(first ^ MODEL1_TO_MODEL2)
            .or_else(|| nearest(second ^ MODEL1_TO_MODEL2))
            .map(|d| (d, true))
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Code;
    use super::*;

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
                let read = format_bits(&g);
                let model1 = read.is_some_and(|(_, m1)| m1);
                let ours = read.filter(|_| !model1).map(|(f, _)| (f & 7, f >> 3));
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
                // Model 1: either copy (the second is all light or all dark).
                let second = if second_dark { 0x7fff } else { 0 };
                let distance1 = FORMAT_WORDS
                    .iter()
                    .flat_map(|w| [w ^ received, w ^ second])
                    .map(|w| (w ^ MODEL1_TO_MODEL2).count_ones())
                    .min()
                    .unwrap();
                assert_eq!(model1, distance > 3 && distance1 <= 3, "{received:#x}");
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
