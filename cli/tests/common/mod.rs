//! Where the tests find the shared captures (read-only test data beside
//! the repository).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shared captures relative to the workspace root: the tests run the
/// binary from there, so that snapshots and messages hold no absolute path.
pub const CAPTURES: &str = "../shared/captures";

/// The shared captures as a path that works from any directory.
pub fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(CAPTURES)
}

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// A list of frames that legitimately differ from tshark
/// (`file<TAB>frame,frame,...<TAB>reason`, `#` comments): file → (frames,
/// reason). Every entry needs a reason and appears once.
pub fn exceptions(text: &str) -> BTreeMap<String, (BTreeSet<u64>, String)> {
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

/// What `shared/tools/tshark-compare` said of one capture.
pub struct Comparison {
    /// Its summary line, or why there is none.
    pub summary: String,
    /// Frames named in "frame N: ..." mismatch lines.
    pub frames: BTreeSet<u64>,
    /// frames, agree, differ, missing, extra; `None` without a summary.
    pub counts: Option<[u64; 5]>,
}

impl Comparison {
    /// Frames that differ, are missing or extra (all of them when the
    /// comparison gave no summary).
    pub fn bad(&self) -> u64 {
        self.counts.map_or(u64::MAX, |n| n[2] + n[3] + n[4])
    }
}

/// Runs `shared/tools/tshark-compare` on `capture` against this build's
/// `tcpopt`, bounded by `timeout_secs` (a hang counts as a failure).
pub fn tshark_compare(capture: &Path, timeout_secs: &str) -> Comparison {
    let out = Command::new("timeout")
        .arg(timeout_secs)
        .arg("python3")
        .arg(captures_dir().join("../tools/tshark-compare"))
        .arg(capture)
        .args(["--tcpopt", env!("CARGO_BIN_EXE_tcpopt"), "--show", "100000"])
        .output()
        .expect("run tshark-compare");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout
        .lines()
        .rfind(|l| l.starts_with("tshark-agreement:"))
        .unwrap_or("no summary (timed out or failed)")
        .to_string();
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
    Comparison {
        summary,
        frames,
        counts: <[u64; 5]>::try_from(nums).ok(),
    }
}
