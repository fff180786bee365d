//! Data decoding of a sampled QR grid: our own Reed-Solomon correction and bit-stream parser.
//!
//! Everything after sampling is done here (rqrr only provides the `BitGrid` trait; its raw
//! codeword reader was used until its per-module cost showed). rqrr's own payload decoder stops with `UnknownDataType` on the FNC1 (GS1,
//! AIM) and structured-append mode indicators, and it does not expose the corrected data, so
//! error correction had to come along. Not linking rqrr's corrector also drops the 64 KB
//! GF(256) multiplication table of its `g2p` dependency from the wasm bundle.
//!
//! Output: the payload bytes (byte segments as-is, Kanji segments as Shift_JIS pairs, ECI
//! designators dropped, like rqrr), for [`crate::text::bytes_to_text`]. With FNC1 the GS1
//! conventions of ZXing apply: `%` in alphanumeric segments is the group separator (0x1D),
//! `%%` a literal `%`; an AIM application indicator (FNC1 in second position) is prepended.
//!
//! One stage per file, in decoding order:
//!
//! * `format`: the 15 format bits (error-correction level and mask), BCH-corrected;
//! * `codewords`: the raw codewords read in zigzag order and unmasked, then de-interleaved
//!   into Reed-Solomon blocks (per version and level) and corrected;
//! * `reed_solomon`: GF(256) and the block decoder (Berlekamp-Massey, Chien, Forney);
//! * `payload`: the bit-stream parser (numeric, alphanumeric, byte, Kanji, Hanzi, ECI,
//!   FNC1, structured append).

use rqrr::BitGrid;

mod codewords;
mod format;
mod model1;
mod payload;
mod reed_solomon;
#[cfg(test)]
mod test_util;

use codewords::{correct, read_codewords};
use format::format_bits;
use payload::parse;

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

fn decode_oriented(grid: &dyn BitGrid) -> Result<Vec<Piece>, DataError> {
    let size = grid.size();
    if !(21..=177).contains(&size) || !(size - 17).is_multiple_of(4) {
        return Err(DataError::Format);
    }
    let (format, model1) = format_bits(grid).ok_or(DataError::Format)?;
    let (mask, ecc_level) = (format & 7, format >> 3);
    let version = (size - 17) / 4;
    // The raw 2-bit level field: 0 = M, 1 = L, 2 = H, 3 = Q.
    let level = match ecc_level {
        1 => 0,
        0 => 1,
        3 => 2,
        _ => 3,
    };
    if model1 {
        return model1::decode(grid, version, mask, level);
    }
    let codewords = read_codewords(grid, version, mask).ok_or(DataError::Format)?;
    let codewords = codewords.as_slice();
    let data = correct(codewords, version, level)?;
    parse(&data, version)
}

#[cfg(test)]
mod tests {
    use super::test_util::{flat, grid, Code};
    use super::*;
    use qrcode::bits::Bits as QrBits;
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
    fn bad_grids_are_errors() {
        for size in [0usize, 1, 20, 22, 25, 178, 181, 400] {
            let g = Code {
                size,
                dark: vec![true; size * size],
            };
            assert!(decode_grid(&g).is_err());
        }
    }
}
