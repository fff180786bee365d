//! Removes the `name` and `producers` custom sections from wasm files, in place, leaving every
//! other byte as it is. Used by the Trunk post-build hook instead of wasm-opt: the system
//! binaryen (Debian 12: version 108) mis-numbers the externref table export that
//! wasm-bindgen >= 0.2.9x emits, which breaks the app at start. Built by the hook with plain
//! `rustc` (no dependencies).
//!
//! Usage: wasm-strip FILE.wasm...

use std::process::ExitCode;

const DROP: &[&str] = &["name", "producers"];

fn leb_u32(bytes: &[u8], mut at: usize) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(at)?;
        at += 1;
        value |= u32::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some((value, at));
        }
    }
    None
}

fn strip(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(..4)? != b"\0asm" {
        return None;
    }
    let mut out = bytes.get(..8)?.to_vec();
    let mut at = 8;
    while at < bytes.len() {
        let start = at;
        let id = bytes[at];
        let (size, payload) = leb_u32(bytes, at + 1)?;
        let end = payload.checked_add(usize::try_from(size).ok()?)?;
        let section = bytes.get(payload..end)?;
        let dropped = id == 0 && {
            let (len, name_at) = leb_u32(section, 0)?;
            let name = section.get(name_at..name_at + usize::try_from(len).ok()?)?;
            DROP.iter().any(|d| d.as_bytes() == name)
        };
        if !dropped {
            out.extend_from_slice(&bytes[start..end]);
        }
        at = end;
    }
    Some(out)
}

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args().skip(1) {
        let result = std::fs::read(&path)
            .ok()
            .and_then(|bytes| strip(&bytes).map(|s| (bytes.len(), s)));
        match result {
            Some((before, stripped)) if std::fs::write(&path, &stripped).is_ok() => {
                println!("wasm-strip: {path}: {before} -> {} bytes", stripped.len());
            }
            _ => {
                eprintln!("wasm-strip: {path}: not a wasm file I can read; left as it is");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
