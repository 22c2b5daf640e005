//! How one TCP segment is printed by `tcpopt dump`: a tcpdump-like text line,
//! a JSON object (one per line) or a CSV row.

use std::fmt::Write as _;
use std::net::IpAddr;

use tcpopt_parse::capture::PacketRecord;
use tcpopt_parse::present::tcpdump_endpoint;
use tcpopt_parse::tcp::{OptionError, TcpFlags, TcpHeader, TcpOption};

/// What `dump` needs of one TCP segment.
pub struct SegmentView<'a> {
    pub rec: &'a PacketRecord<'a>,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub tcp: &'a TcpHeader<'a>,
    /// TCP payload length according to the IP length fields.
    pub payload_len: u32,
    /// Why decoding stopped short of the end of the packet, if it did.
    pub stop: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The JSON object for one option, as the `options` array of `dump --format jsonl` lists it.
pub fn option_json(item: &Result<TcpOption<'_>, OptionError>) -> serde_json::Value {
    use serde_json::json;
    match item {
        Ok(o) => match *o {
            TcpOption::Eol => json!({"kind": "eol"}),
            TcpOption::Nop => json!({"kind": "nop"}),
            TcpOption::Mss(v) => json!({"kind": "mss", "value": v}),
            TcpOption::WindowScale(s) => json!({"kind": "wscale", "shift": s}),
            TcpOption::SackPermitted => json!({"kind": "sack_perm"}),
            TcpOption::Sack(blocks) => {
                let b: Vec<[u32; 2]> = blocks.iter().map(|(l, r)| [l, r]).collect();
                json!({"kind": "sack", "blocks": b})
            }
            TcpOption::Timestamps { tsval, tsecr } => {
                json!({"kind": "ts", "tsval": tsval, "tsecr": tsecr})
            }
            TcpOption::Md5 { digest } => json!({"kind": "md5", "digest": hex(digest)}),
            TcpOption::UserTimeout {
                granularity_minutes,
                timeout,
            } => json!({
                "kind": "uto", "timeout": timeout,
                "unit": if granularity_minutes { "min" } else { "s" }
            }),
            TcpOption::TcpAo {
                key_id,
                rnext_key_id,
                mac,
            } => json!({
                "kind": "ao", "key_id": key_id, "rnext_key_id": rnext_key_id, "mac": hex(mac)
            }),
            TcpOption::Mptcp { subtype, data } => {
                json!({"kind": "mptcp", "subtype": subtype, "data": hex(data)})
            }
            TcpOption::FastOpen {
                cookie,
                experimental,
            } => json!({
                "kind": "tfo", "cookie": hex(cookie), "experimental": experimental
            }),
            TcpOption::AccEcn { order, counters } => {
                json!({"kind": "accecn", "order": order, "counters": hex(counters)})
            }
            TcpOption::Experimental { kind, exid, data } => json!({
                "kind": "exp", "code": kind, "exid": format!("0x{exid:04x}"), "data": hex(data)
            }),
            TcpOption::Unknown { kind, data } => {
                json!({"kind": "unknown", "code": kind, "data": hex(data)})
            }
        },
        Err(e) => {
            json!({"kind": "malformed", "code": e.kind, "len": e.len, "reason": e.to_string()})
        }
    }
}

/// One `dump --format jsonl` line (without the newline).
pub fn jsonl(v: &SegmentView<'_>) -> String {
    let options: Vec<serde_json::Value> = v.tcp.options().map(|o| option_json(&o)).collect();
    let mut obj = serde_json::json!({
        "frame": v.rec.frame,
        "ts": v.rec.ts.to_string(),
        "src": v.src.to_string(),
        "dst": v.dst.to_string(),
        "sport": v.tcp.src_port(),
        "dport": v.tcp.dst_port(),
        "seq": v.tcp.seq(),
        "ack": v.tcp.ack(),
        "flags": v.tcp.flags().to_string(),
        "win": v.tcp.window(),
        "len": v.payload_len,
        "options": options,
    });
    if let Some(stop) = &v.stop {
        obj["truncated"] = serde_json::Value::String(stop.clone());
    }
    obj.to_string()
}

/// tcpdump's flag notation: `S`, `F`, `P`, `R`, `U`, `E`, `W`, `e`, and `.` for ACK.
fn tcpdump_flags(f: TcpFlags) -> String {
    let mut s = String::new();
    for (bit, c) in [
        (TcpFlags::SYN, 'S'),
        (TcpFlags::FIN, 'F'),
        (TcpFlags::PSH, 'P'),
        (TcpFlags::RST, 'R'),
        (TcpFlags::URG, 'U'),
        (TcpFlags::ECE, 'E'),
        (TcpFlags::CWR, 'W'),
        (TcpFlags::AE, 'e'),
    ] {
        if f.contains(bit) {
            s.push(c);
        }
    }
    if f.ack() {
        s.push('.');
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

fn option_text(item: &Result<TcpOption<'_>, OptionError>) -> String {
    match item {
        Ok(o) => match *o {
            TcpOption::Eol => "eol".into(),
            TcpOption::Nop => "nop".into(),
            TcpOption::Mss(v) => format!("mss {v}"),
            TcpOption::WindowScale(s) => format!("wscale {s}"),
            TcpOption::SackPermitted => "sackOK".into(),
            TcpOption::Sack(blocks) => {
                let b: Vec<String> = blocks.iter().map(|(l, r)| format!("{{{l}:{r}}}")).collect();
                format!("sack {} {}", b.len(), b.join(""))
            }
            TcpOption::Timestamps { tsval, tsecr } => format!("TS val {tsval} ecr {tsecr}"),
            TcpOption::Md5 { .. } => "md5".into(),
            TcpOption::UserTimeout {
                granularity_minutes,
                timeout,
            } => {
                format!(
                    "uto {timeout}{}",
                    if granularity_minutes { "min" } else { "s" }
                )
            }
            TcpOption::TcpAo {
                key_id,
                rnext_key_id,
                ..
            } => format!("tcp-ao keyid {key_id} rnextkeyid {rnext_key_id}"),
            TcpOption::Mptcp { subtype, .. } => format!("mptcp subtype {subtype}"),
            TcpOption::FastOpen { cookie: [], .. } => "tfo cookiereq".into(),
            TcpOption::FastOpen { cookie, .. } => format!("tfo cookie {}", hex(cookie)),
            TcpOption::AccEcn { order, .. } => format!("accecn{order}"),
            TcpOption::Experimental { kind, exid, .. } => format!("exp-{kind} 0x{exid:04x}"),
            TcpOption::Unknown { kind, data } => format!("unknown-{kind} 0x{}", hex(data)),
        },
        Err(e) => format!("malformed kind {} len {}", e.kind, e.len),
    }
}

/// One text line, like tcpdump's TCP line, prefixed with the frame number.
pub fn text(v: &SegmentView<'_>) -> String {
    let t = v.tcp;
    let mut s = format!(
        "{} {} {} {} > {}: Flags [{}]",
        v.rec.frame,
        v.rec.ts,
        if v.src.is_ipv4() { "IP" } else { "IP6" },
        tcpdump_endpoint(v.src, t.src_port()),
        tcpdump_endpoint(v.dst, t.dst_port()),
        tcpdump_flags(t.flags()),
    );
    let _ = write!(s, ", seq {}", t.seq());
    if t.flags().ack() {
        let _ = write!(s, ", ack {}", t.ack());
    }
    let _ = write!(s, ", win {}", t.window());
    let opts: Vec<String> = t.options().map(|o| option_text(&o)).collect();
    if !opts.is_empty() {
        let _ = write!(s, ", options [{}]", opts.join(","));
    }
    let _ = write!(s, ", length {}", v.payload_len);
    if let Some(stop) = &v.stop {
        let _ = write!(s, " [|{stop}]");
    }
    s
}

/// The CSV header row of `dump --format csv`.
pub const CSV_HEADER: &str =
    "frame,ts,src,sport,dst,dport,flags,seq,ack,win,len,mss,wscale,sack_perm,tsval,tsecr,options";

/// One CSV row: the fields that scripts filter on, plus all options in text form.
pub fn csv(v: &SegmentView<'_>) -> String {
    let t = v.tcp;
    let sum = t.summary();
    let opt = |o: Option<String>| o.unwrap_or_default();
    let opts: Vec<String> = t.options().map(|o| option_text(&o)).collect();
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"",
        v.rec.frame,
        v.rec.ts,
        v.src,
        t.src_port(),
        v.dst,
        t.dst_port(),
        t.flags(),
        t.seq(),
        t.ack(),
        t.window(),
        v.payload_len,
        opt(sum.mss.map(|m| m.to_string())),
        opt(sum.wscale.map(|m| m.to_string())),
        if sum.sack_permitted { "1" } else { "" },
        opt(sum.timestamps.map(|(v, _)| v.to_string())),
        opt(sum.timestamps.map(|(_, e)| e.to_string())),
        opts.join(";").replace('"', "'"),
    )
}

/// A `dump --format jsonl` line for a TCP header cut before its 20 fixed bytes.
pub fn jsonl_cut(
    rec: &PacketRecord<'_>,
    src: IpAddr,
    dst: IpAddr,
    ports: (u16, u16),
    reason: &str,
) -> String {
    serde_json::json!({
        "frame": rec.frame,
        "ts": rec.ts.to_string(),
        "src": src.to_string(),
        "dst": dst.to_string(),
        "sport": ports.0,
        "dport": ports.1,
        "truncated": reason,
    })
    .to_string()
}

/// A text line for a TCP header cut before its 20 fixed bytes.
pub fn text_cut(
    rec: &PacketRecord<'_>,
    src: IpAddr,
    dst: IpAddr,
    ports: (u16, u16),
    reason: &str,
) -> String {
    format!(
        "{} {} {} {} > {}: [|tcp: {reason}]",
        rec.frame,
        rec.ts,
        if src.is_ipv4() { "IP" } else { "IP6" },
        tcpdump_endpoint(src, ports.0),
        tcpdump_endpoint(dst, ports.1),
    )
}

/// A CSV row for a TCP header cut before its 20 fixed bytes (empty fields).
pub fn csv_cut(rec: &PacketRecord<'_>, src: IpAddr, dst: IpAddr, ports: (u16, u16)) -> String {
    format!(
        "{},{},{src},{},{dst},{},,,,,,,,,,,",
        rec.frame, rec.ts, ports.0, ports.1
    )
}

fn ip_word(a: IpAddr) -> &'static str {
    if a.is_ipv4() {
        "IP"
    } else {
        "IP6"
    }
}

/// A text line for a frame without TCP (`dump --all`).
pub fn text_other(rec: &PacketRecord<'_>, ip: Option<(IpAddr, IpAddr)>, what: &str) -> String {
    match ip {
        Some((s, d)) => format!("{} {} {} {s} > {d}: {what}", rec.frame, rec.ts, ip_word(s)),
        None => format!("{} {} {what}", rec.frame, rec.ts),
    }
}

/// A `dump --format jsonl` line for a frame without TCP (`dump --all`):
/// `"tcp": false` tells it apart from segments.
pub fn jsonl_other(rec: &PacketRecord<'_>, ip: Option<(IpAddr, IpAddr, u8)>, what: &str) -> String {
    let mut obj = serde_json::json!({
        "frame": rec.frame,
        "ts": rec.ts.to_string(),
        "tcp": false,
        "what": what,
    });
    if let Some((s, d, p)) = ip {
        obj["src"] = serde_json::Value::String(s.to_string());
        obj["dst"] = serde_json::Value::String(d.to_string());
        obj["proto"] = serde_json::Value::from(p);
    }
    obj.to_string()
}

/// A CSV row for a frame without TCP (`dump --all`): the description in the options column.
pub fn csv_other(rec: &PacketRecord<'_>, ip: Option<(IpAddr, IpAddr)>, what: &str) -> String {
    let (s, d) = ip
        .map(|(s, d)| (s.to_string(), d.to_string()))
        .unwrap_or_default();
    format!(
        "{},{},{s},,{d},,,,,,,,,,,,\"{}\"",
        rec.frame,
        rec.ts,
        what.replace('"', "'")
    )
}
