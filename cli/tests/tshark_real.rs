//! Issue 10's check 1: `../shared/tools/tshark-compare` over the captures
//! of other projects' test suites (`../shared/captures/real`, 1,883 files
//! from Zeek, Suricata, nDPI, Arkime, ...), with tshark as the oracle.
//! Every capture must end `0 differ, 0 missing, 0 extra`, except the frames
//! listed with their reason in `tests/data/tshark-real-differences.tsv`.
//!
//! tshark costs about 0.2 s of CPU per file, most of it starting up, so it
//! runs only on the captures in which it sees TCP, listed in
//! `tests/data/tshark-real-tcp.txt` (written by this test with
//! `TCPOPT_TSHARK_REAL_ALL=1`, which runs tshark on every file). On the
//! others `tcpopt dump` must find no TCP segment, which needs no tshark.
//! Two workers; each comparison is bounded by `timeout`.
//!
//! Runs whenever tshark is installed (`.ci/run` installs it); prints a note
//! and passes vacuously only where it is not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

mod common;

fn real() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/captures/real")
}

/// Seconds one capture's comparison may take before it counts as a hang.
const TIMEOUT_SECS: &str = "300";

/// path → (frames that legitimately differ, reason)
fn exceptions() -> BTreeMap<String, (BTreeSet<u64>, String)> {
    common::exceptions(include_str!("data/tshark-real-differences.tsv"))
}

/// The captures in which tshark sees TCP (paths relative to real/).
fn tcp_captures() -> BTreeSet<String> {
    include_str!("data/tshark-real-tcp.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every file under real/ but the notes, as paths relative to it.
fn captures() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("shared captures") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_none_or(|x| x != "md") {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    walk(&real(), &mut all);
    let mut rel: Vec<String> = all
        .iter()
        .map(|p| {
            p.strip_prefix(real())
                .expect("under real/")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    rel.sort();
    rel
}

struct Outcome {
    name: String,
    summary: String,
    /// tshark saw at least one TCP frame (or the dump had an extra one).
    tcp: bool,
    /// Frames named in "frame N: ..." mismatch lines.
    frames: BTreeSet<u64>,
    bad: u64,
}

fn compare(name: &str) -> Outcome {
    compare_file(name, &real().join(name))
}

fn compare_file(name: &str, path: &Path) -> Outcome {
    let c = common::tshark_compare(path, TIMEOUT_SECS);
    Outcome {
        name: name.to_string(),
        tcp: c.counts.is_none_or(|n| n[0] + n[4] > 0),
        bad: c.bad(),
        summary: c.summary,
        frames: c.frames,
    }
}

/// Without tshark: the dump of a capture in which tshark sees no TCP must
/// hold no TCP record either.
fn no_tcp(name: &str) -> Outcome {
    let out = Command::new("timeout")
        .arg(TIMEOUT_SECS)
        .arg(env!("CARGO_BIN_EXE_tcpopt"))
        .args(["dump", "--format", "jsonl"])
        .arg(real().join(name))
        .output()
        .expect("run tcpopt dump");
    let records: BTreeSet<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            v.get("frame")?.as_u64()
        })
        .collect();
    let signal = out.status.code().is_none();
    Outcome {
        name: name.to_string(),
        summary: format!(
            "tshark sees no TCP, the dump has {} records{}",
            records.len(),
            if signal { " (killed)" } else { "" }
        ),
        tcp: !records.is_empty(),
        bad: records.len() as u64 + u64::from(signal),
        frames: records,
    }
}

/// The encapsulations no shared capture shows TCP in, one SYN each
/// (`tests/data/encapsulations.py` writes the file): all must agree.
#[test]
fn hand_made_encapsulations_agree_with_tshark() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("tshark is not installed: the comparison did not run (apt-get install tshark)");
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/encapsulations.pcapng");
    let o = compare_file("encapsulations.pcapng", &path);
    assert_eq!(
        o.summary,
        "tshark-agreement: 11 frames, 11 agree, 0 differ, 0 missing, 0 extra"
    );
}

#[test]
fn every_real_capture_agrees_with_tshark() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!(
            "tshark is not installed: the comparison over real/ did not run (apt-get install tshark)"
        );
        return;
    }
    let all_with_tshark = std::env::var_os("TCPOPT_TSHARK_REAL_ALL").is_some();
    let exceptions = exceptions();
    let listed = tcp_captures();
    let files = captures();
    assert!(
        files.len() > 1800,
        "all real captures found: {}",
        files.len()
    );
    for name in listed.iter().chain(exceptions.keys()) {
        assert!(
            files.binary_search(name).is_ok(),
            "{name}: listed in tests/data but not a capture under real/"
        );
    }
    let queue = Mutex::new(files.clone());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(name) = queue.lock().unwrap().pop() else {
                    return;
                };
                let o = if all_with_tshark || listed.contains(&name) {
                    compare(&name)
                } else {
                    no_tcp(&name)
                };
                results.lock().unwrap().push(o);
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.name.cmp(&b.name));
    if all_with_tshark {
        let list: Vec<&str> = results
            .iter()
            .filter(|o| o.tcp)
            .map(|o| o.name.as_str())
            .collect();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tshark-real-tcp.txt");
        let head = "# Captures under ../shared/captures/real in which tshark sees TCP (or tcpopt dump a\n\
                    # TCP record), one path a line; written by TCPOPT_TSHARK_REAL_ALL=1 cargo test --test tshark_real.\n";
        std::fs::write(&path, format!("{head}{}\n", list.join("\n"))).expect("write the list");
        eprintln!("wrote {} ({} captures)", path.display(), list.len());
    }
    let mut failures = Vec::new();
    for o in &results {
        match exceptions.get(&o.name) {
            None if o.bad != 0 => failures.push(format!("{}: {}", o.name, o.summary)),
            Some((frames, _)) if o.bad != frames.len() as u64 || !o.frames.is_subset(frames) => {
                failures.push(format!(
                    "{}: expected exactly the listed frames {frames:?} to differ, got {} ({:?})",
                    o.name, o.summary, o.frames
                ));
            }
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "tshark disagreements on real/ captures:\n{}",
        failures.join("\n")
    );
    eprintln!(
        "tshark over real/: {} captures, {} compared with tshark, {} with listed differences",
        results.len(),
        if all_with_tshark {
            results.len()
        } else {
            listed.len()
        },
        exceptions.len()
    );
}
