//! Delta-packed `u16` tables (the Shift_JIS and GB2312 maps to Unicode, `sjis.bin` and
//! `gb2312.bin`), unpacked when a text needs them.
//!
//! Stored as raw big-endian `u16`s the two tables were 34 KB of the wasm and gzip barely
//! shrank them (28.8 KB); runs of consecutive code points (kana, symbols, the radical-ordered
//! second levels of both sets) become small deltas, and the values that are not (the
//! reading-ordered first levels) go to two byte planes of their own, high bytes then low
//! bytes, which gzip models better than interleaved: 21.5 KB gzip. The unpacking (~10 000
//! entries) only runs for texts with Kanji/Shift_JIS or Hanzi, once per text or segment.
//!
//! Format: the number `n` of literal values (`u16`, big-endian), the operations, then the
//! `n` high bytes and the `n` low bytes of the literals. Operations, one entry each from a
//! previous value of 0: a byte `1..=0x7f` adds that delta, `0x82..=0xff` subtracts
//! `0x100 - byte`, `0x81` takes the next literal, `0x80` is one unmapped entry (0, the
//! previous value kept), `0x00 k` is `k` unmapped entries.

/// Unpack `len` entries (missing or malformed data gives unmapped entries).
pub fn unpack(packed: &[u8], len: usize) -> Vec<u16> {
    let mut out = Vec::with_capacity(len);
    let n = match packed {
        [a, b, ..] => usize::from(u16::from_be_bytes([*a, *b])),
        _ => 0,
    };
    let body = packed.get(2..).unwrap_or(&[]);
    let ops_len = body.len().saturating_sub(2 * n);
    let (ops, lits) = body.split_at(ops_len);
    let (his, los) = lits.split_at(lits.len().min(n));
    let mut lit = his
        .iter()
        .zip(los)
        .map(|(&h, &l)| u16::from_be_bytes([h, l]));
    let mut prev = 0u16;
    let mut it = ops.iter().copied();
    while out.len() < len {
        let Some(b) = it.next() else { break };
        match b {
            0x00 => {
                let k = usize::from(it.next().unwrap_or(0));
                out.extend(std::iter::repeat_n(0, k.min(len - out.len())));
            }
            0x80 => out.push(0),
            0x81 => {
                prev = lit.next().unwrap_or(0);
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
    let mut ops = Vec::new();
    let mut lits: Vec<u16> = Vec::new();
    let mut prev = 0u16;
    let mut i = 0;
    while i < table.len() {
        let u = table[i];
        if u == 0 {
            let run = table[i..].iter().take(255).take_while(|&&v| v == 0).count();
            if run == 1 {
                ops.push(0x80);
            } else {
                ops.extend([0x00, run as u8]);
            }
            i += run;
            continue;
        }
        let d = u.wrapping_sub(prev) as i16;
        match d {
            1..=0x7f => ops.push(d as u8),
            -126..=-1 => ops.push((256 + i32::from(d)) as u8),
            _ => {
                ops.push(0x81);
                lits.push(u);
            }
        }
        prev = u;
        i += 1;
    }
    let mut out = u16::try_from(lits.len()).unwrap().to_be_bytes().to_vec();
    out.extend(ops);
    out.extend(lits.iter().map(|v| (v >> 8) as u8));
    out.extend(lits.iter().map(|v| *v as u8));
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
        assert_eq!(unpack(&[0, 0, 0x81], 3), vec![0, 0, 0]);
        assert_eq!(unpack(&[0, 9, 0x81, 0x81, 1], 3), vec![0, 0, 0]);
        assert_eq!(unpack(&[0, 0, 0x00], 2), vec![0, 0]);
        assert_eq!(unpack(&[0], 2), vec![0, 0]);
        assert_eq!(
            unpack(&[0, 1, 0x81, 2, 0x12, 0x34], 2),
            vec![0x1234, 0x1236]
        );
    }
}
