//! Decode benchmark over a folder of labelled images.
//!
//! ```text
//! cargo run --release --bin decode-bench -- DIR \
//!     [--thorough | --fast | --plain] [--width N] [--verbose] [--explore] [--dump-misses OUT]
//!     [--repeat N]
//!
//! `--thorough` (default: photos, everything the pipeline knows) and `--fast` (what the
//! scanner does with most camera frames) are the pipeline's two efforts; `--plain` measures
//! stock rqrr 0.11 (one prepare of the whole frame, first grid) for comparison. `--width N`
//! resizes every image to N px wide first (the browser scanner's 640 px frames).
//! ```
//!
//! Every sub-folder of DIR (and DIR itself, if it holds images) is one group. An image
//! (`.png`, `.jpg`, `.jpeg`, `.webp`) counts when a sibling `.txt` with the same stem holds
//! the expected text; a hit is an exact match (trailing newlines aside). `.txt` files
//! without an image are not counted (like ZXing's own test runner), only reported.
//! Times are per image, decoding only (file decoding and `--width` resizing excluded);
//! `--repeat N` decodes each image N times and reports the mean (steadier timings).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use statuspass_decoder::{diagnose, explore, trace, Effort, GreyFrame};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Plain,
    Pipeline(Effort),
}

struct Args {
    dir: PathBuf,
    mode: Mode,
    width: Option<u32>,
    verbose: bool,
    explore: bool,
    dump: Option<PathBuf>,
    repeat: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut dir = None;
    let mut mode = Mode::Pipeline(Effort::Thorough);
    let mut width = None;
    let mut verbose = false;
    let mut explore = false;
    let mut dump = None;
    let mut repeat = 1;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--plain" => mode = Mode::Plain,
            "--thorough" => mode = Mode::Pipeline(Effort::Thorough),
            "--fast" => mode = Mode::Pipeline(Effort::Fast),
            "--verbose" | "-v" => verbose = true,
            "--explore" => explore = true,
            "--dump-misses" => {
                dump = Some(PathBuf::from(
                    it.next().ok_or("--dump-misses needs a folder")?,
                ))
            }
            "--repeat" => {
                let n = it.next().ok_or("--repeat needs a value")?;
                repeat = n
                    .parse::<usize>()
                    .map_err(|_| format!("bad --repeat {n}"))?
                    .max(1);
            }
            "--width" => {
                let n = it.next().ok_or("--width needs a value")?;
                let n: u32 = n.parse().map_err(|_| format!("bad --width {n}"))?;
                if n < 21 {
                    return Err("--width must be >= 21".into());
                }
                width = Some(n);
            }
            "--help" | "-h" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => dir = Some(PathBuf::from(s)),
        }
    }
    Ok(Args {
        dir: dir.ok_or("missing DIR")?,
        mode,
        width,
        verbose,
        explore,
        dump,
        repeat,
    })
}

const IMAGE_EXTS: [&str; 4] = ["png", "jpg", "jpeg", "webp"];

fn is_image(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTS.contains(&e.to_ascii_lowercase().as_str()))
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn strip_newlines(s: &str) -> &str {
    s.trim_end_matches(['\n', '\r'])
}

#[derive(Default)]
struct Stats {
    hits: usize,
    times_ms: Vec<f64>,
    orphans: usize,
    unreadable: usize,
}

impl Stats {
    fn line(&self) -> String {
        let n = self.times_ms.len();
        let mean = if n == 0 {
            0.0
        } else {
            self.times_ms.iter().sum::<f64>() / n as f64
        };
        let mut t = self.times_ms.clone();
        t.sort_by(f64::total_cmp);
        let p95 = if n == 0 {
            0.0
        } else {
            t[((n as f64 * 0.95).ceil() as usize).clamp(1, n) - 1]
        };
        format!("{}/{} {:.2} {:.2}", self.hits, n, mean, p95)
    }

    fn add(&mut self, o: &Stats) {
        self.hits += o.hits;
        self.times_ms.extend_from_slice(&o.times_ms);
        self.orphans += o.orphans;
        self.unreadable += o.unreadable;
    }
}

fn load(path: &Path, width: Option<u32>) -> Result<(usize, usize, Vec<u8>), String> {
    let img = image::open(path).map_err(|e| e.to_string())?;
    let img = match width {
        Some(w) if w != img.width() => {
            let h =
                ((u64::from(img.height()) * u64::from(w)) / u64::from(img.width().max(1))).max(1);
            img.resize_exact(w, h as u32, image::imageops::FilterType::Triangle)
        }
        _ => img,
    };
    let g = img.to_luma8();
    Ok((g.width() as usize, g.height() as usize, g.into_raw()))
}

/// Plain stock rqrr 0.11: one `PreparedImage::prepare` of the whole frame, first grid
/// decoded (UTF-8 only, as rqrr does). Panics (rqrr asserts) count as misses.
fn stock_rqrr(w: usize, h: usize, luma: &[u8]) -> Vec<String> {
    let run = || {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
        let grids = img.detect_grids();
        match grids.first().map(|g| g.decode()) {
            Some(Ok((_, text))) => vec![text],
            _ => Vec::new(),
        }
    };
    std::panic::catch_unwind(run).unwrap_or_else(|_| {
        eprintln!("stock rqrr panicked");
        Vec::new()
    })
}

/// Write a missed image as PNG (enlarged to >= 400 px) for inspection.
fn dump_png(out: &Path, src: &Path, w: usize, h: usize, luma: &[u8]) {
    let Some(img) = image::GrayImage::from_raw(w as u32, h as u32, luma.to_vec()) else {
        return;
    };
    let k = (400 / w.max(h).max(1)).max(1) as u32;
    let img = image::imageops::resize(
        &img,
        w as u32 * k,
        h as u32 * k,
        image::imageops::FilterType::Nearest,
    );
    let name = src
        .file_stem()
        .map(|s| s.to_string_lossy().replace('#', ""))
        .unwrap_or_default();
    let parent = src
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = std::fs::create_dir_all(out);
    if let Err(e) = img.save(out.join(format!("{parent}-{name}.png"))) {
        eprintln!("dump {}: {e}", src.display());
    }
}

fn run_group(dir: &Path, args: &Args) -> Stats {
    let mut st = Stats::default();
    let files = sorted_entries(dir);
    for f in files.iter().filter(|p| p.is_file()) {
        if f.extension().and_then(|e| e.to_str()) == Some("txt") {
            let has_image = IMAGE_EXTS.iter().any(|e| f.with_extension(e).is_file());
            let is_side_file = f
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| s.contains('.'));
            if !has_image && !is_side_file {
                st.orphans += 1;
            }
            continue;
        }
        if !is_image(f) {
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(f.with_extension("txt")) else {
            continue;
        };
        let (w, h, luma) = match load(f, args.width) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{}: cannot read image: {e}", f.display());
                st.unreadable += 1;
                continue;
            }
        };
        let frame = GreyFrame::new(w, h, &luma);
        let t0 = Instant::now();
        let mut out = (Vec::new(), None);
        for _ in 0..args.repeat {
            out = match args.mode {
                Mode::Plain => (stock_rqrr(w, h, &luma), None),
                Mode::Pipeline(effort) => {
                    let t = trace(&frame, effort);
                    (t.texts, t.view)
                }
            };
        }
        let (texts, view) = out;
        let ms = t0.elapsed().as_secs_f64() * 1000.0 / args.repeat as f64;
        let hit = texts
            .iter()
            .any(|t| strip_newlines(t) == strip_newlines(&expected));
        st.hits += usize::from(hit);
        if let (false, Some(out)) = (hit, &args.dump) {
            dump_png(out, f, w, h, &luma);
        }
        st.times_ms.push(ms);
        if args.verbose {
            let got = texts
                .first()
                .map(|t| t.chars().take(40).collect::<String>());
            println!(
                "  {} {}x{} {} {:.1}ms view={} got={:?}",
                f.display(),
                w,
                h,
                if hit { "OK  " } else { "MISS" },
                ms,
                view.unwrap_or("-"),
                got
            );
        }
        if args.verbose && !hit && std::env::var_os("DIAGNOSE").is_some() {
            if let Mode::Pipeline(effort) = args.mode {
                for l in diagnose(&frame, effort) {
                    println!("      {l}");
                }
            }
        }
        if args.explore {
            if let Mode::Pipeline(effort) = args.mode {
                let views: Vec<&str> = explore(&frame, effort)
                    .iter()
                    .filter(|t| {
                        t.texts
                            .iter()
                            .any(|x| strip_newlines(x) == strip_newlines(&expected))
                    })
                    .filter_map(|t| t.view)
                    .collect();
                println!("  explore {}: {}", f.display(), views.join(" "));
            }
        }
    }
    st
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!(
                "usage: decode-bench DIR [--thorough (default) | --fast | --plain] [--width N] [--verbose] [--explore] [--dump-misses OUT]"
            );
            return ExitCode::from(2);
        }
    };
    if !args.dir.is_dir() {
        eprintln!("error: {} is not a directory", args.dir.display());
        return ExitCode::from(2);
    }
    let mut groups: Vec<(String, PathBuf)> = Vec::new();
    let root_name = args
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.dir.display().to_string());
    let entries = sorted_entries(&args.dir);
    if entries.iter().any(|p| p.is_file() && is_image(p)) {
        groups.push((root_name, args.dir.clone()));
    }
    for p in entries.iter().filter(|p| p.is_dir()) {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        groups.push((name, p.clone()));
    }
    let mut total = Stats::default();
    for (name, dir) in &groups {
        let st = run_group(dir, &args);
        if st.times_ms.is_empty() && st.orphans == 0 {
            continue;
        }
        println!("{name}: {}", st.line());
        total.add(&st);
    }
    println!("total: {}", total.line());
    if total.orphans > 0 || total.unreadable > 0 {
        println!(
            "(not counted: {} expected-text files without an image, {} unreadable images)",
            total.orphans, total.unreadable
        );
    }
    ExitCode::SUCCESS
}
