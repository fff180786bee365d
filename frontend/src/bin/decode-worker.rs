//! The QR decode Web Worker: frames in, decoded texts out (see `statuspass_frontend::worker`).
fn main() {
    statuspass_frontend::worker::run();
}
