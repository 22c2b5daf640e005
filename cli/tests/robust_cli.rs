//! The command line over hostile input: every file under the shared
//! captures (captures or not), truncations and single-byte corruptions of
//! the netns captures. No panic, no run over 2 seconds, and the exit status
//! and message say when the capture was partial (exit 3 with
//! `--fail-on never`), naming the frame and byte offset where reading
//! stopped.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tcpopt_parse::capture::CaptureParser;

const EXIT_OK: i32 = 0;
const EXIT_UNUSABLE: i32 = 2;
const EXIT_PARTIAL: i32 = 3;

fn shared_captures() -> PathBuf {
    common::captures_dir()
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("shared captures") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn netns() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(shared_captures().join("netns"))
        .expect("netns captures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    v.sort();
    v
}

/// `tcpopt analyze --format json --fail-on never -`, the capture on stdin.
fn analyze_stdin(bytes: &[u8]) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcpopt"))
        .args(["analyze", "--format", "json", "--fail-on", "never", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcpopt runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // The child may stop reading early (it never should, but a broken pipe
    // must not fail the test for the wrong reason).
    let _ = stdin.write_all(bytes);
    drop(stdin);
    let out = child.wait_with_output().expect("tcpopt ends");
    (out, start.elapsed())
}

fn analyze_file(path: &Path) -> (Output, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_tcpopt"))
        .args(["analyze", "--format", "json", "--fail-on", "never"])
        .arg(path)
        .output()
        .expect("tcpopt runs");
    (out, start.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Checks the common contract and returns the JSON report (exit 0 or 3).
fn checked(what: &str, out: &Output, took: Duration) -> Option<serde_json::Value> {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(took < Duration::from_secs(2), "{what} took {took:?}");
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{what}: killed by a signal: {err}"));
    assert!(
        [EXIT_OK, EXIT_UNUSABLE, EXIT_PARTIAL].contains(&code),
        "{what}: exit {code}: {err}"
    );
    if code == EXIT_UNUSABLE {
        assert!(
            err.starts_with("tcpopt: "),
            "{what}: exit 2 says why: {err:?}"
        );
        return None;
    }
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what}: {e}"));
    let complete = report["capture"]["complete"].as_bool().expect("complete");
    assert_eq!(
        code == EXIT_PARTIAL,
        !complete,
        "{what}: exit {code}, complete {complete}"
    );
    if !complete {
        let e = &report["capture"]["errors"][0];
        let (frame, offset) = (
            e["frame"].as_u64().expect("frame"),
            e["offset"].as_u64().expect("offset"),
        );
        assert_eq!(
            frame,
            report["capture"]["packets"].as_u64().expect("packets") + 1,
            "{what}"
        );
        // The message on stderr names the frame and the byte offset.
        assert!(
            err.contains(&format!("frame {frame}")) && err.contains(&format!("byte {offset}")),
            "{what}: stderr does not name frame {frame} / byte {offset}: {err}"
        );
    }
    Some(report)
}

#[test]
fn every_file_under_the_shared_captures() {
    let mut files = Vec::new();
    all_files(&shared_captures(), &mut files);
    files.sort();
    assert!(files.len() > 500, "{} files", files.len());
    let (mut ok, mut partial, mut unusable) = (0, 0, 0);
    let mut slowest = Duration::ZERO;
    for f in &files {
        let (out, took) = analyze_file(f);
        slowest = slowest.max(took);
        match checked(&f.display().to_string(), &out, took) {
            None => unusable += 1,
            Some(r) if r["capture"]["complete"] == true => ok += 1,
            Some(_) => partial += 1,
        }
    }
    eprintln!(
        "{} files: {ok} complete, {partial} partial, {unusable} unusable; slowest {slowest:?}",
        files.len()
    );
    // The README, truth files and manifest are not captures: exit 2.
    assert!(ok > 400 && unusable >= 19, "{ok} {unusable}");
}

/// Record ends of a clean capture (a cut there leaves a complete capture).
fn item_ends(bytes: &[u8]) -> Vec<usize> {
    let mut p = CaptureParser::new();
    let mut off = 0;
    let mut ends = Vec::new();
    while let Ok((n, _)) = p.next(&bytes[off..]) {
        off += n;
        ends.push(off);
    }
    assert_eq!(off, bytes.len());
    ends
}

/// A sample of the cuts of every netns capture (every cut runs through the
/// library in tcpopt-parse/tests/pipeline_corpus.rs; a process per cut
/// would take too long): evenly spread cuts, plus each side of record ends.
#[test]
fn truncated_netns_captures_exit_partial_naming_the_cut() {
    for f in netns() {
        let bytes = std::fs::read(&f).expect("read");
        let ends = item_ends(&bytes);
        let packet_ends = packet_ends(&bytes);
        let mut cuts: Vec<usize> = (1..40).map(|i| i * bytes.len() / 40).collect();
        for &e in ends.iter().step_by(ends.len() / 8 + 1) {
            cuts.extend([e.saturating_sub(1), e, e + 1]);
        }
        cuts.sort_unstable();
        cuts.dedup();
        for cut in cuts.into_iter().filter(|&c| c > 0 && c < bytes.len()) {
            let what = format!("{} cut at {cut}", f.display());
            let (out, took) = analyze_stdin(&bytes[..cut]);
            let code = out.status.code();
            let Some(r) = checked(&what, &out, took) else {
                // Unusable only when not even one packet was whole.
                assert!(cut < packet_ends[0], "{what}: exit {code:?}");
                continue;
            };
            let at_end = ends.contains(&cut);
            assert_eq!(
                code,
                Some(if at_end { EXIT_OK } else { EXIT_PARTIAL }),
                "{what}"
            );
            if !at_end {
                let offset = r["capture"]["errors"][0]["offset"]
                    .as_u64()
                    .expect("offset");
                let start = ends.iter().rev().find(|&&e| e <= cut).copied().unwrap_or(0);
                assert_eq!(
                    offset, start as u64,
                    "{what}: reading stopped at the cut record"
                );
            }
        }
    }
}

/// Single-byte corruptions: a sample of positions, XOR 0xFF, 0x00, 0xFF.
#[test]
fn corrupted_netns_captures_never_crash_and_say_where_they_stopped() {
    let mut runs = 0;
    for f in netns() {
        let bytes = std::fs::read(&f).expect("read");
        let ends = item_ends(&bytes);
        let packet_ends = packet_ends(&bytes);
        // Every record header region is hit: the first bytes of the file,
        // and the first bytes of a sample of records.
        let mut positions: Vec<usize> = (0..28).collect();
        for &e in ends.iter().step_by(ends.len() / 6 + 1) {
            positions.extend((e..e + 28).step_by(3));
        }
        positions.retain(|&p| p < bytes.len());
        for (i, &pos) in positions.iter().enumerate() {
            let mut damaged = bytes.clone();
            damaged[pos] = match i % 3 {
                0 => damaged[pos] ^ 0xff,
                1 => 0x00,
                _ => 0xff,
            };
            let what = format!("{} byte {pos} set to {:#04x}", f.display(), damaged[pos]);
            let (out, took) = analyze_stdin(&damaged);
            runs += 1;
            let Some(r) = checked(&what, &out, took) else {
                continue;
            };
            // Every record that ends before the damage is in the report.
            let before = packet_ends.iter().filter(|&&e| e <= pos).count() as u64;
            let packets = r["capture"]["packets"].as_u64().expect("packets");
            assert!(
                packets >= before,
                "{what}: {packets} packets reported, {before} before the damage"
            );
        }
    }
    assert!(runs > 300, "{runs}");
}

/// End offsets of the packet records (not headers or other blocks).
fn packet_ends(bytes: &[u8]) -> Vec<usize> {
    let mut p = CaptureParser::new();
    let mut off = 0;
    let mut ends = Vec::new();
    while let Ok((used, ev)) = p.next(&bytes[off..]) {
        off += used;
        if matches!(ev, tcpopt_parse::capture::Event::Packet(_)) {
            ends.push(off);
        }
    }
    ends
}
