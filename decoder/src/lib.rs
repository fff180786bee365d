//! QR decode pipeline around rqrr (work in progress, see issue 6).
