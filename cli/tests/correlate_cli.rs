//! `tcpopt correlate A B` and `tcpopt analyze A B --correlate` end to end
//! over the shared tw-recycle-drop pair (server side A, container side B).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const SERVER: &str = "../shared/captures/netns/tw-recycle-drop.pcapng";
const CONTAINER: &str = "../shared/captures/netns/tw-recycle-drop.ctrb.pcap";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("tcpopt")
        .expect("binary")
        .current_dir(root())
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("run tcpopt");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

const VERDICT: &str = "The 4 SYNs of each of the 8 connection attempts from 192.0.2.20:50020 (B) to 198.51.100.10:80 all reached A as 198.51.100.1:50020 and were dropped there: no SYN-ACK left the server";

#[test]
fn correlate_text() {
    let (code, out, err) = run(&["correlate", SERVER, CONTAINER]);
    assert_eq!(code, 1, "a critical finding: {err}");
    assert!(out.starts_with(&format!("Verdict: {VERDICT}\n")), "{out}");
    assert!(out.contains("NAT: NAT between the captures: 198.51.100.1:50020 (A) ↔ 192.0.2.20:50020 (B) for 8 connections; the NAT keeps source ports"), "{out}");
    assert!(out.contains("frames B (../shared/captures/netns/tw-recycle-drop.ctrb.pcap): 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32"), "{out}");
    assert!(out.contains("Rewrites: none"), "{out}");
    assert!(err.is_empty(), "{err}");
    // --fail-on never: status 0.
    assert_eq!(
        run(&["correlate", "--fail-on", "never", SERVER, CONTAINER]).0,
        0
    );
}

#[test]
fn correlate_ladder() {
    // The first container attempt, from the JSON.
    let (_, json, _) = run(&["correlate", "--format", "json", SERVER, CONTAINER]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let first = v["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["outcome"] == "syns_reached_no_answer")
        .unwrap()["index"]
        .to_string();
    let (_, out, _) = run(&["correlate", "--ladder", &first, SERVER, CONTAINER]);
    let ladder = out
        .split(&format!("Ladder of attempt #{first}"))
        .nth(1)
        .expect("ladder");
    // The first container attempt: server frames 11-14 against container frames 1-4.
    let rows: Vec<&str> = ladder.lines().filter(|l| l.contains("======")).collect();
    assert_eq!(rows.len(), 4, "{ladder}");
    for (row, (a, b)) in rows.iter().zip([(11, 1), (12, 2), (13, 3), (14, 4)]) {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[0], a.to_string(), "{row}");
        assert_eq!(
            cols[cols.iter().position(|c| *c == "======").unwrap() + 1],
            b.to_string(),
            "{row}"
        );
    }
}

#[test]
fn correlate_json() {
    let (code, out, _) = run(&["correlate", "--format", "json", SERVER, CONTAINER]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["verdict"], VERDICT);
    assert_eq!(v["findings"][0]["code"], "SYN_REACHED_SERVER_DROPPED");
    assert_eq!(v["findings"][0]["vantage"], "B");
    assert_eq!(v["findings"][0]["frames"][0]["vantage"], "A");
    assert_eq!(v["findings"][0]["frames"][1]["vantage"], "B");
    assert_eq!(v["nat"]["mappings"][0]["client_b"], "192.0.2.20:50020");
    assert_eq!(v["nat"]["keeps_ports"], true);
    assert_eq!(v["vantages"][1]["matched"], 32);
}

#[test]
fn analyze_correlate_text_and_json() {
    let (code, out, _) = run(&["analyze", "--correlate", SERVER, CONTAINER]);
    assert_eq!(code, 1);
    let a = out.find("== A: ").expect("A's report");
    let b = out.find("== B: ").expect("B's report");
    let c = out
        .find("== correlation of A and B\nVerdict: ")
        .expect("correlation");
    assert!(a < b && b < c, "{out}");
    assert!(out[c..].contains(VERDICT));
    let (_, out, _) = run(&[
        "analyze",
        "--correlate",
        "--format",
        "json",
        SERVER,
        CONTAINER,
    ]);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["reports"][0]["file"], SERVER);
    assert_eq!(v["reports"][1]["file"], CONTAINER);
    assert_eq!(v["reports"][1]["capture"]["tcp_segments"], 32);
    assert_eq!(v["correlation"]["verdict"], VERDICT);
}

#[test]
fn bad_inputs() {
    let (code, _, err) = run(&["analyze", "--correlate", SERVER]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--correlate needs exactly two captures"),
        "{err}"
    );
    let (code, _, err) = run(&["correlate", SERVER, "no-such.pcap"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no-such.pcap: cannot open: no such file"),
        "{err}"
    );
    let (code, _, _) = run(&["correlate", "-", "-"]);
    assert_eq!(code, 2);
}
