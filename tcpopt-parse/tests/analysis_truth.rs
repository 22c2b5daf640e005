//! Every netns capture against its `.truth.json` `expected_findings`.
// Needs the allocator and std (`cargo test --all-features` runs it; a plain
// `cargo test -p tcpopt-parse` compiles it to nothing).
#![cfg(feature = "std")]

mod common;

use std::path::Path;

use tcpopt_parse::analysis::{Analyzer, CaptureSummary, Config, Report};

use common::sev;

/// The real path: bytes → capture reader → decode → TCP → analyzer, as the
/// CLI and the browser run it.
fn analyze(path: &Path) -> Report {
    let bytes = std::fs::read(path).expect("capture");
    let report = tcpopt_parse::pipeline::analyze_bytes(&bytes, Config::default());
    assert!(
        report.capture.complete,
        "{} read to its end",
        path.display()
    );
    assert!(
        report.capture.tcp_segments > 0,
        "{} has TCP segments",
        path.display()
    );
    // The tshark-built segments (the oracle) must be exactly what the parser produced.
    if common::tshark_available() {
        let oracle = common::segments_of(path);
        assert_eq!(
            report.capture.tcp_segments,
            oracle.len() as u64,
            "{}",
            path.display()
        );
        let mut a = Analyzer::new(Config::default());
        for s in &oracle {
            a.push(s);
        }
        let from_oracle = a.finish(CaptureSummary {
            complete: true,
            ..CaptureSummary::default()
        });
        let codes = |r: &Report| {
            r.findings
                .iter()
                .map(|f| (f.code, f.frames.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(&report),
            codes(&from_oracle),
            "{}: same findings from tshark's segments",
            path.display()
        );
    }
    report
}

#[test]
fn netns_captures_match_truth() {
    let dir = common::captures_dir().join("netns");
    let mut checked = 0;
    let mut truths: Vec<_> = std::fs::read_dir(&dir)
        .expect("netns dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truths.sort();
    for t in truths {
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&t).unwrap()).unwrap();
        let ef = truth["expected_findings"]
            .as_object()
            .expect("expected_findings");
        for (file, exp) in ef {
            let path = dir.join(file);
            let report = analyze(&path);
            let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
            eprintln!("{file}: {codes:?}\n  verdict: {}", report.verdict);
            for m in exp["must"].as_array().unwrap() {
                let code = m["code"].as_str().unwrap();
                let fs: Vec<_> = report
                    .findings
                    .iter()
                    .filter(|f| f.code.as_str() == code)
                    .collect();
                assert!(!fs.is_empty(), "{file}: {code} missing; got {codes:?}");
                for fr in m["frames_include"].as_array().unwrap() {
                    let fr = fr.as_u64().unwrap();
                    assert!(
                        fs.iter().any(|f| f.frames.contains(&fr)),
                        "{file}: {code} lacks frame {fr}: {:?}",
                        fs.iter().map(|f| &f.frames).collect::<Vec<_>>()
                    );
                }
            }
            for m in exp["must_not"].as_array().unwrap() {
                let code = m.as_str().unwrap();
                assert!(
                    !codes.contains(&code),
                    "{file}: {code} must not be raised: {:#?}",
                    report.findings.iter().find(|f| f.code.as_str() == code)
                );
            }
            let max = sev(exp["max_severity"].as_str().unwrap());
            for f in &report.findings {
                assert!(
                    f.severity <= max,
                    "{file}: {} is {:?} > {max:?}: {}",
                    f.code.as_str(),
                    f.severity,
                    f.summary
                );
                assert!(
                    !f.frames.is_empty(),
                    "{file}: {} has no frames",
                    f.code.as_str()
                );
                assert!(!f.explanation.is_empty() && !f.remedy.is_empty() && !f.summary.is_empty());
                assert!(
                    f.frames.windows(2).all(|w| w[0] < w[1]),
                    "frames sorted and unique"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "all 8 netns captures checked, got {checked}");
}
