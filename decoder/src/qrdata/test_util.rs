//! Test helpers shared by the decoding stages' unit tests: module grids from the `qrcode`
//! crate, and payloads flattened to bytes.

use qrcode::types::Color;
use qrcode::QrCode;
use rqrr::BitGrid;

use super::{DataError, Piece};

/// The payload as bytes (no Hanzi pieces expected).
pub(super) fn flat(pieces: Result<Vec<Piece>, DataError>) -> Result<Vec<u8>, DataError> {
    let mut out = Vec::new();
    for p in pieces? {
        match p {
            Piece::Bytes(b) => out.extend(b),
            Piece::Text(t) => panic!("unexpected text piece {t:?}"),
        }
    }
    Ok(out)
}

/// A module grid from the `qrcode` crate.
pub(super) struct Code {
    pub(super) size: usize,
    pub(super) dark: Vec<bool>,
}

impl BitGrid for Code {
    fn size(&self) -> usize {
        self.size
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        self.dark[y * self.size + x]
    }
}

pub(super) fn grid(code: &QrCode) -> Code {
    Code {
        size: code.width(),
        dark: code.to_colors().iter().map(|&c| c == Color::Dark).collect(),
    }
}
