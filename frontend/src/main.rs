//! The statuspass PWA (work in progress, see issue 3).
fn main() {}
