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

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// file name → (frames that legitimately differ, reason)
fn exceptions() -> BTreeMap<String, (BTreeSet<u64>, String)> {
    let text = include_str!("data/tshark-differences.tsv");
    let mut map = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut cols = line.splitn(3, '\t');
        let (file, frames, reason) = (
            cols.next().unwrap(),
            cols.next().unwrap_or(""),
            cols.next().unwrap_or(""),
        );
        assert!(
            !reason.trim().is_empty(),
            "every exception needs a reason: {line}"
        );
        let frames: BTreeSet<u64> = frames
            .split(',')
            .map(|f| f.trim().parse().expect("frame number"))
            .collect();
        assert!(
            map.insert(file.to_string(), (frames, reason.to_string()))
                .is_none(),
            "{file} listed twice"
        );
    }
    map
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

fn compare(capture: &Path) -> Outcome {
    let out = Command::new("python3")
        .arg(shared().join("tools/tshark-compare"))
        .arg(capture)
        .args(["--tcpopt", env!("CARGO_BIN_EXE_tcpopt"), "--show", "100000"])
        .output()
        .expect("run tshark-compare");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let summary = stdout.lines().last().unwrap_or("").to_string();
    let frames = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("frame ")?.split(':').next()?.parse().ok())
        .collect();
    // "tshark-agreement: N frames, A agree, D differ, M missing, X extra"
    let nums: Vec<u64> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let bad = if nums.len() == 5 {
        nums[2] + nums[3] + nums[4]
    } else {
        u64::MAX
    };
    Outcome {
        name: capture.file_name().unwrap().to_string_lossy().to_string(),
        summary,
        frames,
        bad,
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
