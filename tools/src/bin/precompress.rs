//! Writes `NAME.br` (brotli, quality 11) and `NAME.gz` (gzip by zopfli, smaller than
//! `gzip -9`) beside every compressible file of a built PWA directory, for the server to send
//! as they are (`server/src/web_assets/precompressed.rs`). Run by the Trunk post-build hook
//! (`frontend/build/post-build.sh`) on the staging directory of a release build.
//!
//! A variant is written only when it saves at least a tenth of the file; stale variants (of a
//! file that is gone or was rewritten after them) are removed first, so the directory never
//! holds a `.br` that decodes to something other than its file.
//!
//! Usage: precompress DIR

use std::fs;
use std::io;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Extensions worth compressing (text and WebAssembly; images are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "mjs",
    "wasm",
    "css",
    "json",
    "webmanifest",
    "svg",
    "txt",
    "map",
];

/// The suffixes of the variants, the server's names for them.
const VARIANTS: &[&str] = &["br", "gz"];

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: precompress DIR");
        return ExitCode::from(2);
    };
    match run(Path::new(&dir)) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("precompress: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &Path) -> io::Result<String> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    remove_stale_variants(&files)?;
    let sources: Vec<PathBuf> = files.into_iter().filter(|f| is_compressible(f)).collect();
    // Two workers: the files are a handful of very different sizes (the app's wasm dominates).
    let results: Vec<io::Result<Sizes>> = std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .iter()
            .map(|path| scope.spawn(move || compress_file(path)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a compression thread panicked")))
            })
            .collect()
    });
    let mut total = Sizes::default();
    for r in results {
        let s = r?;
        total.plain += s.plain;
        total.br += s.br;
        total.gz += s.gz;
    }
    Ok(format!(
        "precompress: {} files, {} bytes -> brotli {} / gzip {}",
        sources.len(),
        total.plain,
        total.br,
        total.gz
    ))
}

/// Every regular file under `dir`, recursively.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(&entry.path(), out)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}

fn extension(path: &Path) -> &str {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
}

fn is_compressible(path: &Path) -> bool {
    COMPRESSIBLE.contains(&extension(path))
}

/// Removes `x.br` / `x.gz` whose `x` is missing or newer than the variant.
fn remove_stale_variants(files: &[PathBuf]) -> io::Result<()> {
    for variant in files.iter().filter(|f| VARIANTS.contains(&extension(f))) {
        let source = variant.with_extension("");
        let stale = match (fs::metadata(&source), fs::metadata(variant)) {
            (Ok(s), Ok(v)) => !is_compressible(&source) || s.modified()? > v.modified()?,
            _ => true,
        };
        if stale {
            fs::remove_file(variant)?;
        }
    }
    Ok(())
}

#[derive(Default)]
struct Sizes {
    plain: usize,
    br: usize,
    gz: usize,
}

fn compress_file(path: &Path) -> io::Result<Sizes> {
    let data = fs::read(path)?;
    let br = brotli_max(&data)?;
    let gz = gzip_zopfli(&data)?;
    let mut sizes = Sizes {
        plain: data.len(),
        br: data.len(),
        gz: data.len(),
    };
    if worth_it(data.len(), br.len()) {
        fs::write(variant_path(path, "br"), &br)?;
        sizes.br = br.len();
    }
    if worth_it(data.len(), gz.len()) {
        fs::write(variant_path(path, "gz"), &gz)?;
        sizes.gz = gz.len();
    }
    Ok(sizes)
}

/// Saves at least a tenth (and is not a tiny file, where headers dominate anyway).
fn worth_it(plain: usize, compressed: usize) -> bool {
    plain >= 256 && compressed * 10 <= plain * 9
}

fn variant_path(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Brotli at its best setting (quality 11, 16 MiB window), as `brotli -q 11 --large_window`
/// is not: the standard 24-bit window every browser decodes.
fn brotli_max(data: &[u8]) -> io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(data.len() / 3);
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

/// Gzip by zopfli (a few percent smaller than `gzip -9`, decoded by every browser).
fn gzip_zopfli(data: &[u8]) -> io::Result<Vec<u8>> {
    let options = zopfli::Options {
        // Fewer than the default 15: nearly the same size, a third of the time on the big wasm.
        iteration_count: NonZeroU64::new(5).unwrap_or(NonZeroU64::MIN),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(data.len() / 3);
    zopfli::compress(options, zopfli::Format::Gzip, data, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "precompress-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        dir
    }

    #[test]
    fn writes_variants_that_decode_to_the_file_and_skips_images_and_tiny_files() {
        let dir = scratch();
        let js: String = (0..2000).map(|i| format!("let v{i} = {i};\n")).collect();
        fs::write(dir.join("app.js"), &js).unwrap();
        fs::write(dir.join("sub/tiny.css"), "a{}").unwrap();
        fs::write(dir.join("icon.png"), vec![7u8; 4096]).unwrap();
        run(&dir).unwrap();

        let mut decoded = Vec::new();
        brotli::Decompressor::new(&fs::read(dir.join("app.js.br")).unwrap()[..], 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, js.as_bytes());
        let gz = fs::read(dir.join("app.js.gz")).unwrap();
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, js);
        assert!(gz.len() < js.len() / 3);
        assert!(!dir.join("sub/tiny.css.br").exists(), "too small to bother");
        assert!(!dir.join("icon.png.br").exists(), "not a compressible type");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_variant_whose_file_is_gone_is_removed() {
        let dir = scratch();
        fs::write(dir.join("old.js.br"), b"stale").unwrap();
        fs::write(dir.join("old.js.gz"), b"stale").unwrap();
        run(&dir).unwrap();
        assert!(!dir.join("old.js.br").exists());
        assert!(!dir.join("old.js.gz").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
