//! Shift_JIS -> Unicode, as the WHATWG Encoding Standard (and `encoding_rs`) decodes it,
//! without the `encoding_rs` dependency: its generic decoder dispatch links every legacy
//! encoding's tables (~190 KB of wasm data) although we only need Shift_JIS.
//!
//! The double-byte table (9 400 `u16`s, one per (lead, trail), 0 = no mapping; delta-packed
//! in `sjis.bin`, 14 027 bytes, see `packed.rs`) covers leads 0x81..=0x9F, 0xE0..=0xEF,
//! 0xFA..=0xFC and trails 0x40..=0x7E, 0x80..=0xFC; leads 0xF0..=0xF9 are the user-defined
//! area (arithmetic, Private Use Area). The table was generated from `encoding_rs` and is
//! checked against it exhaustively by the tests (`cargo test -p statuspass-decoder sjis`;
//! regenerate with `cargo test -p statuspass-decoder regenerate_sjis_table -- --ignored`).

static PACKED: &[u8] = include_bytes!("sjis.bin");

/// Table entries: 50 leads of 188 trails.
const ENTRIES: usize = 50 * TRAILS;

/// Number of trail bytes per lead (0x40..=0x7E, 0x80..=0xFC).
const TRAILS: usize = 188;

/// Index of a table lead byte, `None` for leads outside the table.
fn lead_index(lead: u8) -> Option<usize> {
    match lead {
        0x81..=0x9F => Some(usize::from(lead - 0x81)),
        0xE0..=0xEF => Some(usize::from(lead - 0xE0) + 31),
        0xFA..=0xFC => Some(usize::from(lead - 0xFA) + 47),
        _ => None,
    }
}

fn is_lead(b: u8) -> bool {
    matches!(b, 0x81..=0x9F | 0xE0..=0xFC)
}

fn trail_index(trail: u8) -> Option<usize> {
    match trail {
        0x40..=0x7E => Some(usize::from(trail - 0x40)),
        0x80..=0xFC => Some(usize::from(trail - 0x41)),
        _ => None,
    }
}

fn pair(table: &mut Vec<u16>, lead: u8, trail: u8) -> Option<char> {
    let t = trail_index(trail)?;
    if (0xF0..=0xF9).contains(&lead) {
        // WHATWG: pointers 8836..=10715 map to U+E000.. (user-defined area).
        let pointer = usize::from(lead - 0xC1) * TRAILS + t;
        return char::from_u32(0xE000 + u32::try_from(pointer.checked_sub(8836)?).ok()?);
    }
    let i = lead_index(lead)? * TRAILS + t;
    if table.is_empty() {
        *table = crate::packed::unpack(PACKED, ENTRIES);
    }
    let u = u32::from(*table.get(i)?);
    if u == 0 {
        return None;
    }
    char::from_u32(u)
}

/// Decode `bytes` as Shift_JIS; `None` if any byte sequence is malformed or unmapped.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    // Unpacked at the first double-byte character.
    let mut table = Vec::new();
    let mut it = bytes.iter().copied();
    while let Some(b) = it.next() {
        let c = match b {
            0x00..=0x80 => char::from(b),
            0xA1..=0xDF => char::from_u32(0xFF61 + u32::from(b - 0xA1))?,
            _ if is_lead(b) => pair(&mut table, b, it.next()?)?,
            _ => return None,
        };
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(bytes: &[u8]) -> Option<String> {
        encoding_rs::SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| s.into_owned())
    }

    #[test]
    fn sjis_matches_encoding_rs_on_all_one_and_two_byte_inputs() {
        for a in 0..=255u8 {
            assert_eq!(decode(&[a]), reference(&[a]), "{a:02x}");
            for b in 0..=255u8 {
                assert_eq!(decode(&[a, b]), reference(&[a, b]), "{a:02x} {b:02x}");
            }
        }
    }

    #[test]
    fn sjis_matches_encoding_rs_on_mixed_sequences() {
        let mut s = 0x1234_5678u32;
        for _ in 0..20_000 {
            let mut v = Vec::new();
            for _ in 0..(s % 9) {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let b = (s >> 24) as u8;
                // Bias toward valid leads/trails so that long valid runs occur.
                v.push(if s & 1 == 0 { 0x81 + b % 0x1F } else { b });
            }
            assert_eq!(decode(&v), reference(&v), "{v:02x?}");
        }
    }

    fn generate() -> Vec<u16> {
        let mut out = Vec::new();
        for lead in (0x81..=0x9Fu8).chain(0xE0..=0xEF).chain(0xFA..=0xFC) {
            for trail in (0x40..=0x7Eu8).chain(0x80..=0xFC) {
                let u = reference(&[lead, trail])
                    .and_then(|s| {
                        let mut c = s.chars();
                        match (c.next(), c.next()) {
                            (Some(ch), None) => u16::try_from(u32::from(ch)).ok(),
                            _ => None,
                        }
                    })
                    .unwrap_or(0);
                out.push(u);
            }
        }
        out
    }

    #[test]
    fn sjis_table_is_generated_from_encoding_rs() {
        assert_eq!(PACKED, crate::packed::pack(&generate()).as_slice());
    }

    #[test]
    #[ignore = "writes src/sjis.bin"]
    fn regenerate_sjis_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/sjis.bin");
        std::fs::write(path, crate::packed::pack(&generate())).unwrap();
    }
}
