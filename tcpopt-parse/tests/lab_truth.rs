#![cfg(all(feature = "std", feature = "serde"))]
//! The real-kernel lab's captures (`lab/captures`, made by `scripts/lab.sh`)
//! against their truths: what the kernel counted (nstat), what the client
//! programs saw, and from those what tcpopt must report.
//!
//! One test per scenario, so that a scenario tcpopt still gets wrong is
//! marked `#[ignore = "..."]` with the reason, and the rest keep checking.
//! A truth's `expected_findings` has the shape of
//! `shared/captures/netns/*.truth.json` plus, per `must` entry, optional
//! `evidence`: `{field: {"equals": N, "tolerance_pct": p}}`, the sum of that
//! evidence field over the findings of the code (e.g. TS-02's `rejections`
//! must be the server's PAWSTimewait within 1 %).

mod common;

use std::path::{Path, PathBuf};

use tcpopt_parse::analysis::{Config, Report};
use tcpopt_parse::pipeline::CaptureAnalysis;

fn lab_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../lab/captures")).to_path_buf()
}

use common::sev;

/// Streams the file through the real pipeline (decompressing .zst/.gz) in
/// chunks, as the CLI does, so the large busy capture is never held whole.
fn analyze(path: &Path) -> Report {
    use std::io::Read;
    let mut f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut a = CaptureAnalysis::new(Config::default());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        a.push(&buf[..n]);
    }
    let report = a.finish();
    assert!(
        report.capture.complete,
        "{} read to its end",
        path.display()
    );
    assert!(
        report.capture.tcp_segments > 0,
        "{} has TCP",
        path.display()
    );
    // tshark's reading of the frames (the suite's oracle) for the small,
    // uncompressed captures: the same TCP segments as the parser's.
    if common::tshark_available() && path.extension().is_some_and(|e| e == "pcap") {
        assert_eq!(
            report.capture.tcp_segments,
            common::segments_of(path).len() as u64,
            "{}: tshark's segments",
            path.display()
        );
    }
    report
}

/// A finding's summary, cut for a test message (today's summaries can list
/// thousands of numbers).
fn short(s: &str) -> String {
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

fn evidence_sum(report: &Report, code: &str, field: &str) -> f64 {
    report
        .findings
        .iter()
        .filter(|f| f.code.as_str() == code)
        .map(|f| {
            let v = serde_json::to_value(&f.evidence).expect("evidence serialises");
            v.get(field)
                .and_then(|x| x.as_f64())
                .unwrap_or_else(|| panic!("{code}: evidence has no numeric `{field}`: {v}"))
        })
        .sum()
}

/// Checks one capture of a truth; returns the problems (empty: it matches).
fn check_file(file: &str, exp: &serde_json::Value) -> Vec<String> {
    let path = lab_dir().join(file);
    let report = analyze(&path);
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    eprintln!("{file}: {codes:?}\n  verdict: {}", report.verdict);
    let mut bad = Vec::new();
    for m in exp["must"].as_array().expect("must") {
        let code = m["code"].as_str().unwrap();
        let fs: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.code.as_str() == code)
            .collect();
        if fs.is_empty() {
            bad.push(format!("{file}: {code} missing; got {codes:?}"));
            continue;
        }
        for fr in m["frames_include"].as_array().unwrap() {
            let fr = fr.as_u64().unwrap();
            if !fs.iter().any(|f| f.frames.contains(&fr)) {
                bad.push(format!("{file}: {code} lacks frame {fr}"));
            }
        }
        if let Some(ev) = m.get("evidence").and_then(|e| e.as_object()) {
            for (field, want) in ev {
                let equals = want["equals"].as_f64().unwrap();
                let tol = want["tolerance_pct"].as_f64().unwrap_or(0.0);
                let got = evidence_sum(&report, code, field);
                if (got - equals).abs() > equals.abs() * tol / 100.0 {
                    bad.push(format!(
                        "{file}: {code} {field} = {got}, the kernel's truth is {equals} (± {tol} %)"
                    ));
                }
            }
        }
    }
    for m in exp["must_not"].as_array().expect("must_not") {
        let code = m.as_str().unwrap();
        if let Some(f) = report.findings.iter().find(|f| f.code.as_str() == code) {
            bad.push(format!(
                "{file}: {code} must not be raised: {}",
                short(&f.summary)
            ));
        }
    }
    // `clock_lines`: [{client, server, lines}]: how many TS clock lines
    // tcpopt must find for that pair (e.g. 1 when tcp_timestamps=2).
    if let Some(want) = exp.get("clock_lines").and_then(|c| c.as_array()) {
        let clocks = serde_json::to_value(&report.clocks).expect("clocks serialise");
        for w in want {
            let pair = clocks
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["client"] == w["client"] && c["server"] == w["server"]);
            let got = pair.and_then(|p| p["lines"].as_array()).map(|l| l.len());
            if got != w["lines"].as_u64().map(|n| n as usize) {
                bad.push(format!(
                    "{file}: clock lines of {} -> {}: {got:?}, want {}",
                    w["client"], w["server"], w["lines"]
                ));
            }
        }
    }
    let max = sev(exp["max_severity"].as_str().unwrap());
    for f in &report.findings {
        if f.severity > max {
            bad.push(format!(
                "{file}: {} is {} > {}: {}",
                f.code.as_str(),
                f.severity.as_str(),
                max.as_str(),
                short(&f.summary)
            ));
        }
        assert!(
            !f.frames.is_empty(),
            "{file}: {} has no frames",
            f.code.as_str()
        );
        assert!(
            !f.explanation.is_empty() && !f.remedy.is_empty(),
            "{file}: {} explains and remedies",
            f.code.as_str()
        );
    }
    bad
}

fn truth(scenario: &str) -> serde_json::Value {
    let p = lab_dir().join(format!("{scenario}.truth.json"));
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .expect("truth parses")
}

fn check(scenario: &str) {
    let t = truth(scenario);
    let ef = t["expected_findings"]
        .as_object()
        .expect("expected_findings");
    assert!(!ef.is_empty(), "{scenario}: no expected findings");
    let bad: Vec<String> = ef.iter().flat_map(|(f, e)| check_file(f, e)).collect();
    assert!(bad.is_empty(), "{scenario}:\n  {}", bad.join("\n  "));
}

/// Every scenario tested here has a committed truth, and every committed
/// truth is tested here (a new scenario cannot go unchecked).
const SCENARIOS: &[&str] = &[
    "busy-nat",
    "syncookies",
    "ts-no-offset",
    "usec-ts",
    "paws-estab",
    "paws-old-ack",
    "tsecr-rejected",
    "strip-ts-syn",
    "strip-ts-all",
    "tcpmss",
    "synproxy",
    "collision",
];

#[test]
fn every_truth_is_tested_and_made_by_the_kernel() {
    let mut found: Vec<String> = std::fs::read_dir(lab_dir())
        .expect("lab/captures")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".truth.json"))
                .map(str::to_owned)
        })
        .collect();
    found.sort();
    let mut listed: Vec<String> = SCENARIOS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
    for s in SCENARIOS {
        let t = truth(s);
        assert!(t["nstat"]["srv"].is_object(), "{s}: the server's counters");
        assert!(
            !t["kernel_checks"].as_array().unwrap().is_empty(),
            "{s}: invariants"
        );
        for cap in t["captures"].as_array().unwrap() {
            let f = cap["file"].as_str().unwrap();
            let committed = cap
                .get("committed")
                .and_then(|c| c.as_bool())
                .unwrap_or(true);
            assert_eq!(lab_dir().join(f).exists(), committed, "{s}: {f} committed");
        }
    }
}

#[test]
fn busy_nat() {
    check("busy-nat");
}

/// The first clause of busy-nat on its own (issue 15 check 2): the TIME_WAIT
/// rejections tcpopt counts are the server's PAWSTimewait within 1 %.
#[test]
fn busy_nat_rejections_are_the_kernels_paws_timewait() {
    let t = truth("busy-nat");
    let (file, exp) = t["expected_findings"]
        .as_object()
        .and_then(|m| m.iter().next())
        .expect("one capture");
    let want = &exp["must"][0]["evidence"]["rejections"];
    assert_eq!(exp["must"][0]["code"], "TIMEWAIT_SYN_REJECTED_OLD_TSVAL");
    let equals = want["equals"].as_f64().unwrap();
    let tol = want["tolerance_pct"].as_f64().unwrap();
    assert!(equals >= 1000.0, "a busy truth: {equals} rejections");
    let report = analyze(&lab_dir().join(file));
    let got = evidence_sum(&report, "TIMEWAIT_SYN_REJECTED_OLD_TSVAL", "rejections");
    assert!(
        (got - equals).abs() <= equals * tol / 100.0,
        "tcpopt counted {got} TIME_WAIT rejections, the server's PAWSTimewait is {equals}"
    );
}

#[test]
fn syncookies() {
    check("syncookies");
}

#[test]
fn ts_no_offset() {
    check("ts-no-offset");
}

#[test]
fn usec_ts() {
    check("usec-ts");
}

#[test]
fn paws_estab() {
    check("paws-estab");
}

#[test]
fn paws_old_ack() {
    check("paws-old-ack");
}

#[test]
fn tsecr_rejected() {
    check("tsecr-rejected");
}

#[test]
fn strip_ts_syn() {
    check("strip-ts-syn");
}

#[test]
fn strip_ts_all() {
    check("strip-ts-all");
}

#[test]
fn tcpmss() {
    check("tcpmss");
}

#[test]
fn synproxy() {
    check("synproxy");
}

#[test]
fn collision() {
    check("collision");
}
