//! Replays, on stable, every committed fuzz corpus input (`fuzz/corpus/<target>/`)
//! and every regression input (`tests/fuzz_regressions/<target>/`) through
//! the very checks the cargo-fuzz targets run (`fuzz/checks/mod.rs`), each
//! within a time bound. See FUZZING.md.
#![cfg(all(feature = "std", feature = "serde"))]

#[path = "../../fuzz/checks/mod.rs"]
mod checks;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A fuzz target's body.
type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 4] = [
    ("capture", checks::capture),
    ("packet", checks::packet),
    ("tcp_options", checks::tcp_options),
    ("analyzer", checks::analyzer),
];

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    v.sort();
    v
}

fn replay(root: &Path, what: &str) -> usize {
    let mut total = 0;
    for (target, check) in TARGETS {
        for f in inputs(&root.join(target)) {
            let data = std::fs::read(&f).expect("read input");
            let start = Instant::now();
            let r = std::panic::catch_unwind(|| check(&data));
            assert!(
                r.is_ok(),
                "{what} input {} panicked in target {target}",
                f.display()
            );
            let took = start.elapsed();
            // Generous for debug builds on a busy machine; the fuzzer's own
            // timeout is 10 s per input, release builds take milliseconds.
            assert!(
                took < Duration::from_secs(2),
                "{} took {took:?}",
                f.display()
            );
            total += 1;
        }
    }
    total
}

#[test]
fn committed_corpora_replay_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let n = replay(&root, "corpus");
    eprintln!("{n} corpus inputs replayed");
    assert!(
        n >= 4,
        "the committed corpora are missing ({n} inputs under {})",
        root.display()
    );
}

#[test]
fn fuzz_regressions_replay_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let n = replay(&root, "regression");
    assert!(
        n >= 2,
        "regression inputs are missing under {}",
        root.display()
    );
}

/// The first fuzzer finds: a damaged gzip or zstd stream reported its
/// fault at a byte offset that depended on how the input was chunked.
#[test]
fn compressed_fault_offset_does_not_depend_on_chunking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/capture");
    for (name, magic) in [
        ("gzip-error-offset-depends-on-chunking", &[0x1f, 0x8b][..]),
        (
            "zstd-error-offset-depends-on-chunking",
            &[0x28, 0xb5, 0x2f, 0xfd][..],
        ),
    ] {
        let data = std::fs::read(root.join(name)).expect("regression input");
        let (_, cap) = checks::split_capture_input(&data);
        assert!(cap.starts_with(magic), "{name}");
        let whole = tcpopt_parse::pipeline::analyze_bytes(cap, Default::default());
        for chunk in (1..cap.len()).step_by(cap.len() / 200 + 1) {
            let mut a = tcpopt_parse::pipeline::CaptureAnalysis::new(Default::default());
            for c in cap.chunks(chunk) {
                a.push(c);
            }
            let r = a.finish();
            assert_eq!(
                r.capture.errors, whole.capture.errors,
                "{name} in chunks of {chunk}"
            );
        }
        assert!(!whole.capture.complete, "{name}");
        let e = &whole.capture.errors[0];
        assert_eq!(e.layer, tcpopt_parse::Layer::Compression, "{name}");
        assert!(e.compressed.is_compressed(), "{name}");
    }
}
