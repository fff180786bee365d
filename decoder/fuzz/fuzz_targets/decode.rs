#![no_main]
//! Arbitrary bytes -> (width, height, luma) -> every public entry point. Must never panic.

use libfuzzer_sys::fuzz_target;
use statuspass_decoder::{decode, decode_plain, decode_with, Effort, GreyFrame};

include!("input.rs");

fuzz_target!(|data: &[u8]| {
    let Some(input) = parse(data) else { return };
    let frame = GreyFrame::new(input.width, input.height, &input.luma);
    let _ = decode(&frame);
    let _ = decode_plain(&frame);
    if input.thorough {
        let _ = decode_with(&frame, Effort::Thorough);
    }
});
