//! Payload parsing: the corrected data codewords as a bit stream of segments (numeric,
//! alphanumeric, byte, Kanji, Hanzi/GB2312, ECI, FNC1 in first and second position,
//! structured append).
//!
//! In: data codewords and the version. Out: payload [`Piece`]s (bytes, or text already
//! decoded for Hanzi), or [`DataError`] for unknown modes and truncated segments.

use super::{DataError, Piece};

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
pub(super) fn parse(data: &[u8], version: usize) -> Result<Vec<Piece>, DataError> {
    parse_from(data, version, 0)
}

/// [`parse`] from bit `start` on (Model 1 streams start with 4 zero bits).
pub(super) fn parse_from(
    data: &[u8],
    version: usize,
    start: usize,
) -> Result<Vec<Piece>, DataError> {
    let mut ds = Bits { data, pos: start };
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
                let table = crate::gb2312::Table::new();
                for _ in 0..count {
                    let d = ds.take(13)?;
                    let v = ((d / 0x60) << 8) | (d % 0x60);
                    let gb = if v < 0x0a00 { v + 0xa1a1 } else { v + 0xa6a1 };
                    text.push(
                        table
                            .pair((gb >> 8) as u8, gb as u8)
                            .ok_or(DataError::Mode)?,
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
    use super::super::test_util::flat;
    use super::*;

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
}
