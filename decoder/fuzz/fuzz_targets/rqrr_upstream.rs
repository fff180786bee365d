#![no_main]
//! Same inputs fed to stock rqrr 0.11 (prepare + detect_grids + decode of every grid), to
//! find inputs that panic upstream; they become regression tests for our detector.

use libfuzzer_sys::fuzz_target;

include!("input.rs");

fuzz_target!(|data: &[u8]| {
    let Some(input) = parse(data) else { return };
    if input.width == 0 || input.height == 0 || input.width * input.height != input.luma.len() {
        return;
    }
    let w = input.width;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(w, input.height, |x, y| input.luma[y * w + x]);
    for g in img.detect_grids() {
        let _ = g.decode();
    }
});
