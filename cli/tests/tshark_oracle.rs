//! The reference check of the parser issue: `../shared/tools/tshark-compare`
//! over every shared capture, with tshark as the oracle. Every capture must
//! end `0 differ, 0 missing, 0 extra`, except the frames listed with their
//! reason in `tests/data/tshark-differences.tsv`.
//!
//! Runs whenever tshark is installed (`.ci/run` installs it); prints a note
//! and passes vacuously only where it is not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

mod common;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// file name → (frames that legitimately differ, reason)
fn exceptions() -> BTreeMap<String, (BTreeSet<u64>, String)> {
    common::exceptions(include_str!("data/tshark-differences.tsv"))
}

fn captures() -> Vec<PathBuf> {
    let mut all = Vec::new();
    for dir in ["captures/netns", "captures/tcpdump"] {
        for e in std::fs::read_dir(shared().join(dir)).expect("shared captures") {
            let p = e.expect("entry").path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".cap") {
                all.push(p);
            }
        }
    }
    all.sort();
    all
}

struct Outcome {
    name: String,
    summary: String,
    /// Frames named in "frame N: ..." mismatch lines.
    frames: BTreeSet<u64>,
    bad: u64,
}

/// Seconds one capture's comparison may take before it counts as a hang.
const TIMEOUT_SECS: &str = "300";

fn compare(capture: &Path) -> Outcome {
    let c = common::tshark_compare(capture, TIMEOUT_SECS);
    Outcome {
        name: capture.file_name().unwrap().to_string_lossy().to_string(),
        bad: c.bad(),
        summary: c.summary,
        frames: c.frames,
    }
}

#[test]
fn every_shared_capture_agrees_with_tshark() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!(
            "tshark is not installed: the oracle comparison did not run (apt-get install tshark)"
        );
        return;
    }
    let exceptions = exceptions();
    let queue = Mutex::new(captures());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(c) = queue.lock().unwrap().pop() else {
                    return;
                };
                let o = compare(&c);
                results.lock().unwrap().push(o);
            });
        }
    });
    let results = results.into_inner().unwrap();
    assert!(results.len() > 500, "all shared captures compared");
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for o in &results {
        match exceptions.get(&o.name) {
            None if o.bad != 0 => failures.push(format!("{}: {}", o.name, o.summary)),
            None => {}
            Some((frames, _)) => {
                seen.insert(o.name.clone());
                if o.bad != frames.len() as u64 || !o.frames.is_subset(frames) {
                    failures.push(format!(
                        "{}: expected exactly the listed frames {frames:?} to differ, got {} ({:?})",
                        o.name, o.summary, o.frames
                    ));
                }
            }
        }
    }
    for name in exceptions.keys().filter(|n| !seen.contains(*n)) {
        failures.push(format!(
            "{name}: listed in tshark-differences.tsv but not a shared capture"
        ));
    }
    assert!(
        failures.is_empty(),
        "tshark disagreements:\n{}",
        failures.join("\n")
    );
    eprintln!(
        "tshark oracle: {} captures, {} with listed differences",
        results.len(),
        exceptions.len()
    );
}
