//! Delta-packed `u16` tables (the Shift_JIS and GB2312 maps to Unicode, `sjis.bin` and
//! `gb2312.bin`), unpacked when a text needs them.
//!
//! Stored as raw big-endian `u16`s the two tables were 34 KB of the wasm and gzip barely
//! shrank them (28.8 KB); runs of consecutive code points (kana, symbols, the radical-ordered
//! second levels of both sets) become small deltas: 23.2 KB gzip. The unpacking (~10 000
//! entries) only runs for texts with Kanji/Shift_JIS or Hanzi, once per text or segment.
//!
//! Format, one entry after the other from a previous value of 0: a byte `1..=0x7f` adds that
//! delta, `0x82..=0xff` subtracts `0x100 - byte`, `0x81 hi lo` sets the value (big-endian),
//! `0x80` is one unmapped entry (0, the previous value kept), `0x00 n` is `n` unmapped entries.

/// Unpack `len` entries (missing or malformed data gives unmapped entries).
pub fn unpack(packed: &[u8], len: usize) -> Vec<u16> {
    let mut out = Vec::with_capacity(len);
    let mut prev = 0u16;
    let mut it = packed.iter().copied();
    while out.len() < len {
        let Some(b) = it.next() else { break };
        match b {
            0x00 => {
                let n = usize::from(it.next().unwrap_or(0));
                out.extend(std::iter::repeat_n(0, n.min(len - out.len())));
            }
            0x80 => out.push(0),
            0x81 => {
                let hi = it.next().unwrap_or(0);
                let lo = it.next().unwrap_or(0);
                prev = u16::from_be_bytes([hi, lo]);
                out.push(prev);
            }
            1..=0x7f => {
                prev = prev.wrapping_add(u16::from(b));
                out.push(prev);
            }
            _ => {
                prev = prev.wrapping_sub(0x100 - u16::from(b));
                out.push(prev);
            }
        }
    }
    out.resize(len, 0);
    out
}

/// Pack a table (the inverse of [`unpack`]; for regenerating the `.bin` files).
#[cfg(test)]
pub fn pack(table: &[u16]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev = 0u16;
    let mut i = 0;
    while i < table.len() {
        let u = table[i];
        if u == 0 {
            let run = table[i..].iter().take(255).take_while(|&&v| v == 0).count();
            if run == 1 {
                out.push(0x80);
            } else {
                out.extend([0x00, run as u8]);
            }
            i += run;
            continue;
        }
        let d = u.wrapping_sub(prev) as i16;
        match d {
            1..=0x7f => out.push(d as u8),
            -126..=-1 => out.push((256 + i32::from(d)) as u8),
            _ => {
                out.push(0x81);
                out.extend(u.to_be_bytes());
            }
        }
        prev = u;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_round_trips() {
        let mut seed = 99u32;
        let mut t: Vec<u16> = Vec::new();
        for i in 0..5000u32 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            t.push(match seed >> 29 {
                0 | 1 => 0,
                2 => (seed >> 8) as u16,
                _ => 0x4e00 + (i as u16) * 3 % 700,
            });
        }
        t.extend([0u16; 600]);
        t.extend([1, 0xffff, 0, 0x8000, 0x7f, 0x80, 0x81, 0xfe]);
        assert_eq!(unpack(&pack(&t), t.len()), t);
        // Truncated or garbage input: still exactly `len` entries, no panic.
        let p = pack(&t);
        assert_eq!(unpack(&p[..p.len() / 2], t.len()).len(), t.len());
        assert_eq!(unpack(&[0x81], 3), vec![0, 0, 0]);
        assert_eq!(unpack(&[0x00], 2), vec![0, 0]);
    }
}
