#![cfg(feature = "std")]
//! Every warning or critical finding on the real-world captures under
//! `../shared/captures/real/` (1,883 files from the test suites of Zeek,
//! Suricata, nDPI, Arkime, PcapPlusPlus, scapy, ...) is defended: it is in
//! the reviewed list `tests/data/real_findings_reviewed.tsv` with a
//! justification from its frames. A new warning fails this test until it has
//! been reviewed and added; a listed one that is no longer raised fails it
//! too (remove the line). And no capture of these gets a NAT call
//! (`MULTIPLE_TS_CLOCKS_BEHIND_IP`): each of their clients is one host.
//!
//! Format of the list, tab-separated, one finding a line (`#` comments):
//! `file  code  severity  first_frame  frames_total  justification`, the
//! file relative to `captures/real/`.
//!
//! `TCPOPT_REVIEW=1 cargo test ... --test real_findings -- --nocapture`
//! prints the findings in that format (justification `TODO`) for review.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tcpopt_parse::analysis::{Code, Config, Severity};
use tcpopt_parse::pipeline::analyze_bytes;

/// One reviewed or found finding: (file, code, severity, first frame).
type Key = (String, String, String, u64);

#[test]
fn every_warning_on_real_captures_is_reviewed_and_no_host_is_called_nat() {
    let root = common::captures_dir().join("real");
    let mut files = Vec::new();
    common::walk(
        &root,
        &|p| !p.to_string_lossy().ends_with(".md"),
        &mut files,
    );
    files.sort();
    assert!(files.len() >= 1883, "{} captures", files.len());

    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<(Key, u64, String)>> = Mutex::new(Vec::new());
    let nat: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(4);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let bytes = std::fs::read(path).expect("read capture");
                let report = analyze_bytes(&bytes, Config::default());
                let rel = path
                    .strip_prefix(&root)
                    .expect("under real/")
                    .to_string_lossy()
                    .into_owned();
                for f in &report.findings {
                    if f.code == Code::MultipleTsClocksBehindIp {
                        nat.lock().unwrap().push(format!("{rel}: {}", f.summary));
                    }
                    if f.severity >= Severity::Warning {
                        let key = (
                            rel.clone(),
                            f.code.as_str().to_string(),
                            f.severity.as_str().to_string(),
                            f.frames.first().copied().unwrap_or(0),
                        );
                        found
                            .lock()
                            .unwrap()
                            .push((key, f.frames_total, f.summary.clone()));
                    }
                }
            });
        }
    });
    let mut found = found.into_inner().unwrap();
    found.sort();

    if std::env::var_os("TCPOPT_REVIEW").is_some() {
        for ((file, code, sev, first), total, summary) in &found {
            println!("{file}\t{code}\t{sev}\t{first}\t{total}\tTODO {summary}");
        }
    }

    let list = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real_findings_reviewed.tsv"),
    )
    .expect("reviewed list");
    let mut reviewed: BTreeSet<Key> = BTreeSet::new();
    for (n, line) in list.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        assert!(
            c.len() == 6 && c[5].len() >= 20 && !c[5].starts_with("TODO"),
            "line {}: file, code, severity, first frame, frames, and a justification from the frames: {line}",
            n + 1
        );
        let first: u64 = c[3].parse().expect("first frame");
        assert!(
            reviewed.insert((c[0].into(), c[1].into(), c[2].into(), first)),
            "line {}: listed twice",
            n + 1
        );
    }

    let got: BTreeSet<Key> = found.iter().map(|f| f.0.clone()).collect();
    let new: Vec<_> = found
        .iter()
        .filter(|f| !reviewed.contains(&f.0))
        .map(|((file, code, sev, first), _, summary)| {
            format!("{file}\t{code}\t{sev}\t{first}: {summary}")
        })
        .collect();
    let gone: Vec<_> = reviewed.difference(&got).collect();
    assert!(
        new.is_empty(),
        "{} warning/critical finding(s) not reviewed (justify them from their frames in tests/data/real_findings_reviewed.tsv, or fix the detector):\n{}",
        new.len(),
        new.join("\n")
    );
    assert!(
        gone.is_empty(),
        "reviewed findings no longer raised (remove them from the list): {gone:#?}"
    );
    let nat = nat.into_inner().unwrap();
    assert!(
        nat.is_empty(),
        "NAT called on captures of single hosts:\n{}",
        nat.join("\n")
    );
}
