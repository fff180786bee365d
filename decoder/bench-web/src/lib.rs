//! Browser-benchmark wrapper: the decoder behind a wasm-bindgen export, fed the way the
//! scanner's decode worker feeds it (RGBA from a canvas -> integer BT.601 luma -> decode).

use statuspass_decoder::{decode_with, rgba_to_luma, Effort, GreyFrame};
use wasm_bindgen::prelude::*;

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
