//! The command line end to end: every command and format over the shared
//! captures (insta snapshots under `tests/snapshots`), exit codes, standard
//! input, compressed inputs made here from the shared captures, and every
//! kind of broken input.
//!
//! Commands run from the workspace root with relative paths
//! (`../shared/captures/...`), so that snapshots hold no absolute path.
//! CI (CI=true) fails on any snapshot mismatch; update them locally with
//! `INSTA_UPDATE=always cargo test -p tcpopt --test cli` and review the diff.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;

const NETNS: [&str; 7] = [
    "ipv6-clean.pcapng",
    "nat-two-clocks.pcap",
    "no-timestamps.pcap",
    "per-connection-offsets.pcap",
    "timewait-reuse.pcapng",
    "tw-recycle-drop.pcapng",
    "tw-recycle-fixed.pcap",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The capture's path relative to the workspace root.
fn netns(name: &str) -> String {
    format!("{}/netns/{name}", common::CAPTURES)
}

fn netns_bytes(name: &str) -> Vec<u8> {
    std::fs::read(root().join(netns(name))).expect("shared capture")
}

fn tcpopt() -> Command {
    let mut c = Command::cargo_bin("tcpopt").expect("binary");
    c.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = tcpopt().args(args).output().expect("run tcpopt");
    Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// A scratch directory for files made by the tests.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&d).expect("scratch dir");
    d.join(name)
}

fn snap_name(capture: &str, what: &str) -> String {
    format!("{what}@{}", capture.replace('.', "_"))
}

// ---- every command and format over every netns capture ----

fn snapshot_all(what: &str, args: &[&str]) {
    for c in NETNS {
        let path = netns(c);
        let mut a: Vec<&str> = args.to_vec();
        a.push(&path);
        let r = run(&a);
        // Only analyze has findings to exit 1 for (--fail-on critical).
        let ok = if what.starts_with("analyze") {
            r.code == 0 || r.code == 1
        } else {
            r.code == 0
        };
        assert!(ok, "{a:?}: exit {} {}", r.code, r.stderr);
        assert_eq!(r.stderr, "", "{a:?} printed on stderr");
        assert!(!r.stdout.is_empty(), "{a:?} printed nothing");
        insta::assert_snapshot!(snap_name(c, what), r.stdout);
    }
}

#[test]
fn analyze_text() {
    snapshot_all("analyze-text", &["analyze", "--color", "never"]);
}

#[test]
fn analyze_json() {
    snapshot_all("analyze-json", &["analyze", "--format", "json"]);
}

#[test]
fn analyze_jsonl() {
    for c in NETNS {
        let r = run(&["analyze", "--format", "jsonl", &netns(c)]);
        for line in r.stdout.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
            assert!(v["code"].is_string() && v["severity"].is_string(), "{line}");
        }
        insta::assert_snapshot!(snap_name(c, "analyze-jsonl"), r.stdout);
    }
}

#[test]
fn dump_text() {
    snapshot_all("dump-text", &["dump"]);
}

#[test]
fn dump_jsonl() {
    snapshot_all("dump-jsonl", &["dump", "--format", "jsonl"]);
}

#[test]
fn dump_csv() {
    snapshot_all("dump-csv", &["dump", "--format", "csv"]);
}

#[test]
fn flows_text() {
    snapshot_all("flows-text", &["flows"]);
}

#[test]
fn flows_json() {
    snapshot_all("flows-json", &["flows", "--format", "json"]);
}

#[test]
fn flows_csv() {
    snapshot_all("flows-csv", &["flows", "--format", "csv"]);
}

#[test]
fn clocks_text() {
    snapshot_all("clocks-text", &["clocks"]);
}

#[test]
fn clocks_json() {
    snapshot_all("clocks-json", &["clocks", "--format", "json"]);
}

#[test]
fn clocks_csv() {
    snapshot_all("clocks-csv", &["clocks", "--format", "csv"]);
}

// ---- the same report as the web build ----

/// The browser calls `analyze_bytes`; the command line must print exactly
/// its report (the web issue compares its half against the same function).
#[test]
fn analyze_json_is_the_shared_report() {
    for c in NETNS {
        let r = run(&["analyze", "--format", "json", &netns(c)]);
        let cli: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        let report = tcpopt_parse::pipeline::analyze_bytes(&netns_bytes(c), Default::default());
        let lib = serde_json::to_value(&report).expect("serialise");
        assert_eq!(
            cli, lib,
            "{c}: tcpopt analyze --format json differs from analyze_bytes"
        );
        assert!(cli["findings"].is_array() && cli["schema_version"].is_u64());
    }
}

/// Several files: a JSON array, each report with its `file`.
#[test]
fn analyze_json_several_files() {
    let (a, b) = (netns("tw-recycle-drop.pcapng"), netns("ipv6-clean.pcapng"));
    let r = run(&["analyze", "--format", "json", "--fail-on", "never", &a, &b]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["file"], a.as_str());
    assert_eq!(arr[1]["file"], b.as_str());
    assert_eq!(
        arr[0]["findings"][0]["code"],
        "TW_RECYCLE_PER_HOST_PAWS_DROP"
    );
}

// ---- exit codes ----

#[test]
fn fail_on_exit_codes() {
    let drop = netns("tw-recycle-drop.pcapng");
    let clean = netns("ipv6-clean.pcapng");
    for (level, on_drop) in [("critical", 1), ("warning", 1), ("info", 1), ("never", 0)] {
        let r = run(&["analyze", "--fail-on", level, &drop]);
        assert_eq!(r.code, on_drop, "--fail-on {level} on tw-recycle-drop");
        let r = run(&["analyze", "--fail-on", level, &clean]);
        assert_eq!(r.code, 0, "--fail-on {level} on ipv6-clean: {}", r.stdout);
    }
    // The default is critical.
    assert_eq!(run(&["analyze", &drop]).code, 1);
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(run(&["analyze", "--fail-on", "sometimes", "x"]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
    assert_eq!(run(&["dump", "--port", "99999", "x"]).code, 2);
}

// ---- inputs: stdin, gzip, zstd ----

#[test]
fn stdin_is_the_same_as_the_file() {
    for c in ["tw-recycle-drop.pcapng", "nat-two-clocks.pcap"] {
        for args in [
            &["analyze", "--format", "json"][..],
            &["flows"][..],
            &["dump", "--format", "jsonl"][..],
        ] {
            let from_file = tcpopt().args(args).arg(netns(c)).output().expect("run");
            let from_stdin = tcpopt()
                .args(args)
                .arg("-")
                .write_stdin(netns_bytes(c))
                .output()
                .expect("run");
            assert_eq!(
                from_file.status.code(),
                from_stdin.status.code(),
                "{c} {args:?}"
            );
            assert_eq!(from_file.stdout, from_stdin.stdout, "{c} {args:?}");
            assert!(from_stdin.stderr.is_empty());
        }
    }
    // No FILE means standard input too.
    let out = tcpopt()
        .args(["flows"])
        .write_stdin(netns_bytes("ipv6-clean.pcapng"))
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("2001:db8:"));
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The report of a compressed capture is the plain one's, except that the
/// format says how it was compressed.
#[test]
fn gzip_and_zstd_inputs() {
    for c in NETNS {
        let plain = run(&["analyze", "--format", "json", &netns(c)]);
        let mut want: serde_json::Value = serde_json::from_str(&plain.stdout).expect("JSON");
        let format = want["capture"]["format"]
            .as_str()
            .expect("format")
            .to_string();
        for (ext, bytes) in [
            ("gz", gzip(&netns_bytes(c))),
            ("zst", zstd(&netns_bytes(c))),
        ] {
            let name = format!("{c}.{ext}");
            let path = scratch(&name);
            std::fs::write(&path, &bytes).expect("write");
            let p = path.to_str().expect("utf-8 path");
            let r = run(&["analyze", "--format", "json", p]);
            assert_eq!(r.code, plain.code, "{name}: {}", r.stderr);
            assert_eq!(r.stderr, "", "{name}");
            let got: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
            let comp = if ext == "gz" { "gzip" } else { "zstd" };
            want["capture"]["format"] = format!("{format}, {comp}-compressed").into();
            assert_eq!(got, want, "{name}");
            // And through a pipe, detected by content.
            let piped = tcpopt()
                .args(["flows", "-"])
                .write_stdin(bytes.clone())
                .output()
                .expect("run");
            assert_eq!(
                piped.stdout,
                run(&["flows", &netns(c)]).stdout.into_bytes(),
                "{name} on stdin"
            );
        }
    }
}

// ---- broken inputs: one line on stderr naming file, frame and byte ----

fn one_line(stderr: &str) -> &str {
    assert_eq!(
        stderr.lines().count(),
        1,
        "expected one stderr line, got {stderr:?}"
    );
    assert!(stderr.starts_with("tcpopt: "), "{stderr:?}");
    assert!(
        !stderr.contains("panicked")
            && !stderr.contains("Error {")
            && !stderr.contains("backtrace")
    );
    stderr.trim_end()
}

#[test]
fn missing_file() {
    for cmd in ["analyze", "dump", "flows", "clocks"] {
        let r = run(&[cmd, "no/such/capture.pcap"]);
        assert_eq!(r.code, 2, "{cmd}");
        assert_eq!(
            one_line(&r.stderr),
            "tcpopt: no/such/capture.pcap: cannot open: no such file"
        );
        assert_eq!(r.stdout, "", "{cmd}");
    }
    // A directory is no capture either.
    let r = run(&["analyze", "cli"]);
    assert_eq!(
        (r.code, one_line(&r.stderr)),
        (2, "tcpopt: cli: cannot open: is a directory")
    );
}

#[test]
fn not_a_capture() {
    for cmd in ["analyze", "dump", "flows", "clocks"] {
        let r = run(&[cmd, "Cargo.toml"]);
        assert_eq!(r.code, 2, "{cmd}");
        assert_eq!(
            one_line(&r.stderr),
            "tcpopt: Cargo.toml: not a capture: neither pcap, pcapng, gzip nor zstd (first bytes 0x5b776f72)"
        );
        assert_eq!(r.stdout, "", "{cmd}");
    }
    let empty = scratch("empty.pcap");
    std::fs::write(&empty, b"").expect("write");
    let r = run(&["analyze", empty.to_str().expect("path")]);
    assert_eq!(r.code, 2);
    assert!(one_line(&r.stderr).ends_with(
        "empty.pcap: empty, or too short to be a capture (truncated: needs 4 bytes, 0 available)"
    ));
}

/// A capture cut in the middle of a block: the report of everything before
/// the cut, which says where it stopped; exit 3 (over the findings' 1).
#[test]
fn truncated_capture() {
    let bytes = netns_bytes("tw-recycle-drop.pcapng");
    let path = scratch("cut-at-5000.pcapng");
    std::fs::write(&path, &bytes[..5000]).expect("write");
    let p = path.to_str().expect("path");
    let r = run(&["analyze", "--color", "never", p]);
    assert_eq!(r.code, 3);
    assert_eq!(
        one_line(&r.stderr),
        format!(
            "tcpopt: {p}: capture cut in frame 40 at byte 4980 (pcapng needs 108 bytes, 20 available); frames 1 to 39 were read"
        )
    );
    assert!(r.stdout.starts_with("Verdict: "), "{}", r.stdout);
    assert!(r.stdout.contains("TW_RECYCLE_PER_HOST_PAWS_DROP"));
    assert!(r.stdout.contains(
        "Reading stopped early: capture cut in frame 40 at byte 4980 (pcapng needs 108 bytes, 20 available);\nthe report covers only frames 1 to 39."
    ));
    assert!(r.stdout.contains(", 39 packets,"));
    // JSON says it too.
    let r = run(&["analyze", "--format", "json", p]);
    assert_eq!(r.code, 3);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["capture"]["complete"], false);
    assert_eq!(v["capture"]["errors"][0]["frame"], 40);
    assert_eq!(v["capture"]["errors"][0]["offset"], 4980);
    // The other commands print what came before, and exit 3.
    for cmd in ["dump", "flows", "clocks"] {
        let r = run(&[cmd, p]);
        assert_eq!(r.code, 3, "{cmd}");
        assert!(
            one_line(&r.stderr).contains("frame 40 at byte 4980"),
            "{cmd}"
        );
        assert!(!r.stdout.is_empty(), "{cmd}");
    }
    assert_eq!(run(&["dump", p]).stdout.lines().count(), 39);
}

#[test]
fn cut_gzip_stream() {
    let gz = gzip(&netns_bytes("tw-recycle-drop.pcapng"));
    let path = scratch("cut.pcapng.gz");
    std::fs::write(&path, &gz[..gz.len() / 2]).expect("write");
    let p = path.to_str().expect("path");
    let r = run(&["analyze", "--format", "json", p]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let line = one_line(&r.stderr);
    assert!(
        line.starts_with(&format!(
            "tcpopt: {p}: the gzip stream is cut at byte {} of the compressed file, in frame ",
            gz.len() / 2
        )),
        "{line}"
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let read = v["capture"]["packets"].as_u64().expect("packets");
    assert!(read > 0 && read < 112, "{read}");
    assert!(
        line.ends_with(&format!(
            "in frame {}; frames 1 to {read} were read",
            read + 1
        )),
        "{line}"
    );
    let r = run(&["dump", p]);
    assert_eq!((r.code, r.stdout.lines().count() as u64), (3, read));
    assert_eq!(one_line(&r.stderr), line);
}

/// A compressed file is decompressed on a second thread: whole, cut or
/// corrupt, its report and message are the library's own single-threaded
/// ones for the same bytes (`analyze_bytes`, the decompressor in the feeder).
#[test]
fn threaded_decompression_is_the_single_threaded_report() {
    let plain = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/captures/real/pcapplusplus/Tests/Pcap++Test/PcapExamples/example.pcap"
    ))
    .expect("shared capture");
    for (ext, whole) in [("gz", gzip(&plain)), ("zst", zstd(&plain))] {
        let mut corrupt = whole.clone();
        let mid = corrupt.len() / 2;
        for b in &mut corrupt[mid..mid + 64] {
            *b ^= 0x5a;
        }
        let cases = [
            ("whole", whole.clone()),
            ("cut", whole[..whole.len() * 2 / 3].to_vec()),
            ("corrupt", corrupt),
        ];
        for (what, bytes) in cases {
            let name = format!("threaded-{what}.pcap.{ext}");
            let path = scratch(&name);
            std::fs::write(&path, &bytes).expect("write");
            let r = run(&["analyze", "--format", "json", path.to_str().expect("path")]);
            let got: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
            let report = tcpopt_parse::pipeline::analyze_bytes(&bytes, Default::default());
            let want = serde_json::to_value(&report).expect("report JSON");
            assert_eq!(got, want, "{name}: {}", r.stderr);
            assert!(report.capture.packets > 0, "{name}");
            // (Flipped bytes inside a zstd literal block may still decode.)
            if what != "corrupt" || ext == "gz" {
                assert_eq!(report.capture.complete, what == "whole", "{name}");
            }
        }
    }
}

/// One missing file among several: the others are reported, exit 2.
#[test]
fn several_files_one_missing() {
    let r = run(&[
        "analyze",
        "--fail-on",
        "never",
        "nope.pcap",
        &netns("ipv6-clean.pcapng"),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        one_line(&r.stderr),
        "tcpopt: nope.pcap: cannot open: no such file"
    );
    assert!(r
        .stdout
        .contains(&format!("== {}", netns("ipv6-clean.pcapng"))));
}

// ---- dump options ----

#[test]
fn dump_filters_and_all() {
    let c = netns("tw-recycle-drop.pcapng");
    let all = run(&["dump", &c]).stdout.lines().count();
    assert_eq!(all, 112);
    let r = run(&["dump", "--port", "50020", &c]);
    assert_eq!(r.stdout.lines().count(), 32); // 8 attempts of 4 SYNs, unanswered
    assert!(r.stdout.lines().all(|l| l.contains(".50020 ")));
    let r = run(&["dump", "--host", "198.51.100.99", &c]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    // Every frame of the netns captures is TCP: --all adds nothing there...
    assert_eq!(
        run(&["dump", "--all", &c]).stdout,
        run(&["dump", "--tcp-only", &c]).stdout
    );
    // ...but on a capture of other protocols it prints a line per frame.
    let igmp = &format!("{}/tcpdump/IGMP_V2.pcap", common::CAPTURES);
    assert_eq!(run(&["dump", igmp]).stdout, "");
    let r = run(&["dump", "--all", igmp]);
    assert!(r.stdout.lines().count() > 1);
    assert!(
        r.stdout.lines().next().expect("a line").ends_with(": igmp"),
        "{}",
        r.stdout
    );
    let r = run(&["dump", "--all", "--format", "jsonl", igmp]);
    let first: serde_json::Value =
        serde_json::from_str(r.stdout.lines().next().expect("line")).expect("JSON");
    assert_eq!(
        (first["tcp"].clone(), first["proto"].clone()),
        (false.into(), 2.into())
    );
    // --tcp-only after --all wins (the last one given).
    assert_eq!(run(&["dump", "--all", "--tcp-only", igmp]).stdout, "");
}

// ---- the process: broken pipe, panics, progress, help ----

/// `tcpopt dump big | head -1`: exit 0, nothing on stderr.
#[test]
fn broken_pipe_is_quiet() {
    // pcapng sections concatenate: 300 copies make a valid 4 MB capture
    // whose dump is larger than any pipe and output buffer.
    let one = netns_bytes("tw-recycle-drop.pcapng");
    let path = scratch("big.pcapng");
    std::fs::write(&path, one.repeat(300)).expect("write");
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_tcpopt"))
        .args(["dump", path.to_str().expect("path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let status = child.wait().expect("wait");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert_eq!((status.code(), err.as_str()), (Some(0), ""));
}

#[test]
fn panic_prints_one_line() {
    if !cfg!(debug_assertions) {
        return; // the test hook exists in debug builds only
    }
    let out = tcpopt()
        .env("TCPOPT_TEST_PANIC", "1")
        .env("RUST_BACKTRACE", "1")
        .arg("man")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("tcpopt: internal error at "), "{err}");
    assert!(err.contains("please report"), "{err}");
    assert_eq!(one_line(&err), err.trim_end());
}

#[test]
fn progress_only_when_asked_off_a_terminal() {
    let c = netns("tw-recycle-drop.pcapng");
    // Not a terminal, no --progress: nothing on stderr.
    assert_eq!(run(&["analyze", &c]).stderr, "");
    // --progress off a terminal: plain lines, the last at 100 %.
    let r = run(&["--progress", "analyze", &c]);
    let last = r.stderr.lines().last().expect("a progress line");
    assert!(
        last.starts_with(&format!("tcpopt: {c}: 13.19 KiB of 13.19 KiB (100 %), ")),
        "{last}"
    );
    assert!(last.ends_with("/s"), "{last}");
    // The option may also follow the command.
    let r = run(&["flows", "--progress", &c]);
    assert!(r.stderr.contains("(100 %)"), "{}", r.stderr);
    assert_eq!(r.code, 0);
}

#[test]
fn help_has_examples() {
    for cmd in ["analyze", "dump", "flows", "clocks", "completions", "man"] {
        let r = run(&[cmd, "--help"]);
        assert_eq!(r.code, 0, "{cmd}");
        assert!(
            r.stdout.contains("Examples:"),
            "{cmd} --help has no examples"
        );
    }
    let r = run(&["--help"]);
    for cmd in ["analyze", "dump", "flows", "clocks", "completions", "man"] {
        assert!(
            r.stdout.contains(&format!("  {cmd}")),
            "{cmd} missing from --help"
        );
    }
}

#[test]
fn completions_and_man_page() {
    for (shell, marker) in [
        ("bash", "_tcpopt()"),
        ("zsh", "#compdef tcpopt"),
        ("fish", "complete -c tcpopt"),
        ("elvish", "tcpopt"),
        ("powershell", "tcpopt"),
    ] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}");
        assert!(r.stdout.contains(marker), "{shell}");
        for sub in ["analyze", "dump", "flows", "clocks"] {
            assert!(r.stdout.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let r = run(&["man"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(".TH tcpopt 1"));
    for sub in ["analyze", "dump", "flows", "clocks"] {
        assert!(r.stdout.contains(sub));
    }
}
