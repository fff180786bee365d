// Shared input decoding for the fuzz targets (included with `include!`).
//
// Layout: [w_lo, w_hi, h_lo, h_hi, flags, luma...]
// flags & 1: take the claimed height as is (usually inconsistent with the buffer length);
//            otherwise height = luma.len() / width, so the frame is consistent.
// flags >> 4: nearest-neighbour upscale factor - 1 (blocky images full of 1:1:3:1:1 runs
//             and finder-like blobs, which reach the grid geometry much more often than noise).
// flags & 2: thorough effort.
pub struct Input {
    pub width: usize,
    pub height: usize,
    pub luma: Vec<u8>,
    pub thorough: bool,
}

pub fn parse(data: &[u8]) -> Option<Input> {
    if data.len() < 5 {
        return None;
    }
    let w = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let h = usize::from(u16::from_le_bytes([data[2], data[3]]));
    let flags = data[4];
    let body = &data[5..];
    let k = usize::from(flags >> 4) + 1;
    let thorough = flags & 2 != 0;
    if flags & 1 != 0 {
        return Some(Input { width: w, height: h, luma: body.to_vec(), thorough });
    }
    let sw = (w % 64).max(1);
    let sh = body.len() / sw;
    if sh == 0 {
        return Some(Input { width: sw * k, height: 0, luma: Vec::new(), thorough });
    }
    let (width, height) = (sw * k, sh * k);
    let mut luma = Vec::with_capacity(width * height);
    for y in 0..height {
        for x in 0..width {
            luma.push(body[(y / k) * sw + x / k]);
        }
    }
    Some(Input { width, height, luma, thorough })
}
