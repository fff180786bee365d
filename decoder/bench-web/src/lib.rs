//! Browser-benchmark wrapper: the decoder behind a wasm-bindgen export, fed the way the
//! scanner's decode worker feeds it (RGBA from a canvas -> integer BT.601 luma -> decode).

use statuspass_decoder::{decode_with, Effort, GreyFrame};
use wasm_bindgen::prelude::*;

/// RGBA -> 8-bit luma, identical to the scanner's `frontend/src/protocol.rs::rgba_to_luma`:
/// integer Rec.601 weights `(77 R + 150 G + 29 B) >> 8` (0.299/0.587/0.114 scaled by 256).
pub fn rgba_to_luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            let y = 77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]);
            u8::try_from(y >> 8).unwrap_or(u8::MAX)
        })
        .collect()
}

fn effort(thorough: bool) -> Effort {
    if thorough {
        Effort::Thorough
    } else {
        Effort::Fast
    }
}

/// Decode an RGBA frame (`width * height * 4` bytes): luma conversion + decode, as the
/// scanner's worker does per frame. Returns the decoded texts.
#[wasm_bindgen]
pub fn decode_rgba(width: usize, height: usize, rgba: &[u8], thorough: bool) -> Vec<String> {
    let luma = rgba_to_luma(rgba);
    decode_with(&GreyFrame::new(width, height, &luma), effort(thorough))
}

/// Decode an 8-bit greyscale frame (`width * height` bytes).
#[wasm_bindgen]
pub fn decode_luma(width: usize, height: usize, luma: &[u8], thorough: bool) -> Vec<String> {
    decode_with(&GreyFrame::new(width, height, luma), effort(thorough))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_matches_scanner() {
        let px = [0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 0, 9];
        assert_eq!(rgba_to_luma(&px), vec![0, 255, 128]);
    }
}
