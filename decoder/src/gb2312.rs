//! GB2312 -> Unicode for the QR Hanzi mode (mode indicator 1101, GB2312 subset), without the
//! `encoding_rs` dependency (same reasons as `sjis.rs`).
//!
//! The table (7 614 `u16`s, one per (lead, trail), 0 = no mapping; delta-packed in
//! `gb2312.bin`, 15 606 bytes, see `packed.rs`) covers the rows GB2312 defines: leads
//! 0xA1..=0xA9 (symbols) and 0xB0..=0xF7 (Hanzi), trails 0xA1..=0xFE. It was generated from
//! `encoding_rs`'s GBK decoder and is checked against it by the tests (`cargo test -p
//! statuspass-decoder gb2312`; regenerate with
//! `cargo test -p statuspass-decoder regenerate_gb2312_table -- --ignored`).

static PACKED: &[u8] = include_bytes!("gb2312.bin");

/// Table entries: 81 leads of 94 trails.
const ENTRIES: usize = 81 * 94;

/// The unpacked table (one per Hanzi segment).
pub struct Table(Vec<u16>);

impl Table {
    pub fn new() -> Self {
        Table(crate::packed::unpack(PACKED, ENTRIES))
    }

    /// The character of a GB2312 byte pair, `None` if unmapped.
    pub fn pair(&self, lead: u8, trail: u8) -> Option<char> {
        if !(0xA1..=0xFE).contains(&trail) {
            return None;
        }
        let u = *self
            .0
            .get(lead_index(lead)? * 94 + usize::from(trail - 0xA1))?;
        if u == 0 {
            return None;
        }
        char::from_u32(u32::from(u))
    }
}

fn lead_index(lead: u8) -> Option<usize> {
    match lead {
        0xA1..=0xA9 => Some(usize::from(lead - 0xA1)),
        0xB0..=0xF7 => Some(usize::from(lead - 0xB0) + 9),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(lead: u8, trail: u8) -> Option<char> {
        let bytes = [lead, trail];
        let s = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(&bytes)?;
        let mut c = s.chars();
        match (c.next(), c.next()) {
            (Some(ch), None)
                if u32::from(ch) <= 0xFFFF && !('\u{E000}'..='\u{F8FF}').contains(&ch) =>
            {
                Some(ch)
            }
            _ => None,
        }
    }

    fn generate() -> Vec<u16> {
        let mut out = Vec::new();
        for lead in (0xA1..=0xA9u8).chain(0xB0..=0xF7) {
            for trail in 0xA1..=0xFEu8 {
                out.push(reference(lead, trail).map_or(0, |c| u32::from(c) as u16));
            }
        }
        out
    }

    fn pair(lead: u8, trail: u8) -> Option<char> {
        static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
        TABLE.get_or_init(Table::new).pair(lead, trail)
    }

    #[test]
    fn gb2312_table_is_generated_from_encoding_rs() {
        assert_eq!(PACKED, crate::packed::pack(&generate()).as_slice());
    }

    #[test]
    fn gb2312_pairs() {
        assert_eq!(pair(0xB0, 0xA2), Some('阿'));
        assert_eq!(pair(0xD6, 0xD0), Some('中'));
        assert_eq!(pair(0xA1, 0xA1), Some('\u{3000}'));
        assert_eq!(pair(0xAA, 0xA1), None);
        assert_eq!(pair(0xB0, 0x41), None);
        assert_eq!(pair(0xF8, 0xA1), None);
        for lead in 0..=255u8 {
            for trail in 0..=255u8 {
                let _ = pair(lead, trail);
            }
        }
    }

    #[test]
    #[ignore = "writes src/gb2312.bin"]
    fn regenerate_gb2312_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/gb2312.bin");
        std::fs::write(path, crate::packed::pack(&generate())).unwrap();
    }
}
