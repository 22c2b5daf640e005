//! Frame numbers, timestamps (exact nanosecond strings) and captured
//! lengths against tshark's `frame.number`, `frame.time_epoch` and
//! `frame.cap_len`, for every shared capture. Skipped, with a note, when
//! tshark is not installed or `TCPOPT_NO_TSHARK` is set (it runs tshark
//! 521 times: about a minute on two cores).
//!
//! Files where tshark and this crate legitimately differ are listed, with
//! the reason, in `tests/data/capture-differences.txt`; for those the test
//! checks that they still differ (so the list cannot go stale).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tcpopt_parse::capture::packets;

fn root() -> PathBuf {
    common::captures_dir()
}

fn captures() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["netns", "tcpdump"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            ) {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// `dir/file` → reason.
fn known_differences() -> BTreeMap<String, String> {
    let text = include_str!("data/capture-differences.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (f, why) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("bad line {l:?}"));
            (f.trim().to_string(), why.trim().to_string())
        })
        .collect()
}

struct Outcome {
    rows: Vec<String>,
    failed: bool,
}

fn tshark(path: &Path) -> Outcome {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.cap_len",
        ])
        .output()
        .expect("run tshark");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // tshark warns on stderr when run as root; only other lines are errors.
    let failed = !out.status.success()
        || stderr
            .lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with("Running as user"));
    let rows = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    Outcome { rows, failed }
}

fn ours(path: &Path) -> Outcome {
    let buf = std::fs::read(path).unwrap();
    let mut rows = Vec::new();
    let mut failed = false;
    for r in packets(&buf) {
        match r {
            Ok(p) => {
                let (secs, frac) = p.ts.split();
                rows.push(format!("{}\t{secs}.{frac:09}\t{}", p.frame, p.caplen));
            }
            Err(_) => failed = true,
        }
    }
    Outcome { rows, failed }
}

#[test]
fn frames_timestamps_and_caplen_match_tshark() {
    if std::env::var_os("TCPOPT_NO_TSHARK").is_some() {
        println!("NOTE: TCPOPT_NO_TSHARK is set; skipping the tshark comparison");
        return;
    }
    if Command::new("tshark")
        .arg("-v")
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        println!("NOTE: tshark is not installed; skipping the tshark comparison");
        return;
    }
    let known = known_differences();
    let files = captures();
    let mut results = Vec::new();
    // tshark takes ~0.25 s per file, mostly start-up: two at a time.
    std::thread::scope(|s| {
        let halves: Vec<_> = files
            .chunks(files.len().div_ceil(2))
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|f| (f.clone(), tshark(f), ours(f)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in halves {
            results.extend(h.join().unwrap());
        }
    });
    let (mut same, mut frames, mut mismatches) = (0, 0, Vec::new());
    let mut seen_known = 0;
    for (path, theirs, mine) in &results {
        let rel = path
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let agree = theirs.rows == mine.rows && theirs.failed == mine.failed;
        if let Some(why) = known.get(&rel) {
            seen_known += 1;
            assert!(
                !agree,
                "{rel} is listed as differing ({why}) but now agrees: remove it from the list"
            );
            continue;
        }
        if agree {
            same += 1;
            frames += mine.rows.len();
        } else {
            let first = theirs.rows.iter().zip(&mine.rows).find(|(a, b)| a != b);
            mismatches.push(format!(
                "{rel}: tshark {} rows (error: {}), ours {} rows (error: {}); first difference {first:?}",
                theirs.rows.len(),
                theirs.failed,
                mine.rows.len(),
                mine.failed
            ));
        }
    }
    assert_eq!(
        seen_known,
        known.len(),
        "capture-differences.txt names files that do not exist"
    );
    println!(
        "{same} captures ({frames} frames) identical to tshark; {} listed differences",
        known.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} captures differ from tshark:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(frames > 5_000);
}
