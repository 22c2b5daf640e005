//! Test helper: the segments of a capture as tshark sees them, an oracle
//! for the crate's own dissection (see analysis_truth.rs).
#![allow(dead_code)]

use std::net::IpAddr;
use std::path::Path;
use std::process::Command;

use tcpopt_parse::tcp::TcpFlags;
use tcpopt_parse::{Segment, Timestamp};

/// Every file under `dir`, subdirectories too (`real/` is grouped by
/// project), that `keep` accepts, pushed to `out`.
pub fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, keep, out);
        } else if keep(&p) {
            out.push(p);
        }
    }
}

pub fn captures_dir() -> std::path::PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/captures"
    ))
    .to_path_buf()
}

/// "1700000000.123456000" → integer nanoseconds, and the digits given.
fn epoch_ns(s: &str) -> (i64, u8) {
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    let secs: i64 = secs.parse().expect("seconds");
    let digits = frac.len().min(9);
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac[..digits].parse().expect("fraction")
    };
    for _ in digits..9 {
        f *= 10;
    }
    (secs * 1_000_000_000 + f, digits as u8)
}

pub fn segments_of(path: &Path) -> Vec<Segment> {
    let fields = [
        "frame.number",
        "frame.time_epoch",
        "ip.src",
        "ipv6.src",
        "ip.dst",
        "ipv6.dst",
        "tcp.srcport",
        "tcp.dstport",
        "tcp.seq_raw",
        "tcp.ack_raw",
        "tcp.flags",
        "tcp.window_size_value",
        "tcp.len",
        "ip.ttl",
        "ipv6.hlim",
        "tcp.options.timestamp.tsval",
        "tcp.options.timestamp.tsecr",
        "tcp.options.mss_val",
        "tcp.options.wscale.shift",
        "tcp.options.sack_perm",
    ];
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(path).args([
        "-o",
        "ip.defragment:FALSE",
        "-Y",
        "tcp && !icmp",
        "-T",
        "fields",
    ]);
    cmd.args(["-E", "separator=\t", "-E", "occurrence=f"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf8");
    let mut segs = Vec::new();
    for line in text.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        let g = |i: usize| c.get(i).copied().unwrap_or("");
        let addr = |a: &str, b: &str| -> IpAddr {
            if !a.is_empty() {
                a.parse().unwrap()
            } else {
                b.parse().unwrap()
            }
        };
        let num = |s: &str| -> u64 {
            if let Some(h) = s.strip_prefix("0x") {
                u64::from_str_radix(h, 16).unwrap()
            } else if s.is_empty() {
                0
            } else {
                s.parse().unwrap()
            }
        };
        let (nanos, digits) = epoch_ns(g(1));
        let ttl = if !g(13).is_empty() {
            num(g(13))
        } else {
            num(g(14))
        };
        let ts = if g(15).is_empty() {
            None
        } else {
            Some((num(g(15)) as u32, num(g(16)) as u32))
        };
        segs.push(Segment {
            frame: num(g(0)),
            ts: Timestamp::new(nanos, digits.min(9)),
            src: addr(g(2), g(3)),
            dst: addr(g(4), g(5)),
            sport: num(g(6)) as u16,
            dport: num(g(7)) as u16,
            seq: num(g(8)) as u32,
            ack: num(g(9)) as u32,
            flags: TcpFlags::from_bits(num(g(10)) as u16),
            window: num(g(11)) as u16,
            payload_len: num(g(12)) as u32,
            ttl: ttl as u8,
            timestamps: ts,
            ts_malformed: false,
            max_nop_run: 0,
            options_complete: true,
            mss: (!g(17).is_empty()).then(|| num(g(17)) as u16),
            wscale: (!g(18).is_empty()).then(|| num(g(18)) as u8),
            sack_permitted: !g(19).is_empty(),
        });
    }
    segs
}

/// Whether the tshark oracle can run here.
pub fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// A truth file's severity name.
#[cfg(feature = "alloc")]
pub fn sev(s: &str) -> tcpopt_parse::analysis::Severity {
    use tcpopt_parse::analysis::Severity;
    match s {
        "critical" => Severity::Critical,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        other => panic!("unknown severity {other}"),
    }
}
