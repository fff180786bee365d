//! Payload bytes -> text.
//!
//! `qrdata` hands back the raw payload bytes (byte segments as-is, Kanji segments as
//! Shift_JIS pairs, ECI designators dropped). QR byte mode has no reliable charset marker
//! in practice, so we guess like ZXing does, in this order: UTF-8 if the bytes are valid
//! UTF-8, else Shift_JIS if they decode cleanly (Japanese codes, Kanji mode), else
//! ISO-8859-1 (the QR default), which accepts any byte.

/// A decoded payload: each byte run is converted as a whole (see [`bytes_to_text`]), Hanzi
/// pieces are already text.
pub fn pieces_to_text(pieces: &[crate::qrdata::Piece]) -> String {
    use crate::qrdata::Piece;
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Bytes(b) => out.push_str(&bytes_to_text(b)),
            Piece::Text(t) => out.push_str(t),
        }
    }
    out
}

pub fn bytes_to_text(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_owned();
    }
    if let Some(s) = crate::sjis::decode(bytes) {
        return s;
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through() {
        assert_eq!(bytes_to_text("測試 ok".as_bytes()), "測試 ok");
    }

    #[test]
    fn shift_jis_is_recognised() {
        // "ﾃﾞｻﾞｲﾝQR" in Shift_JIS (half-width katakana are single bytes).
        let sjis = [0xC3, 0xDE, 0xBB, 0xDE, 0xB2, 0xDD, b'Q', b'R'];
        assert_eq!(bytes_to_text(&sjis), "ﾃﾞｻﾞｲﾝQR");
        // Kanji "阿" (0x88 0xA2).
        assert_eq!(bytes_to_text(&[0x88, 0xA2]), "阿");
    }

    #[test]
    fn latin1_fallback() {
        // 0xE9 0xFF is neither UTF-8 nor Shift_JIS (0xFF is never a trail byte).
        assert_eq!(bytes_to_text(&[b'a', 0xE9, 0xFF]), "a\u{e9}\u{ff}");
    }
}
