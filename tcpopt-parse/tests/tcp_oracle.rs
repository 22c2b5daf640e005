//! The options iterator and the summary against tshark, the oracle.
//!
//! `tcp_oracle.tsv` holds, for every TCP frame with options in the shared
//! captures (and for crafted edge cases), the options area as tshark shows it
//! (`tcp.options`) and tshark's per-option fields. Regenerate it with
//! `tcp_oracle_gen.sh`. We feed the same bytes to [`TcpOptions`] and compare
//! every value tshark lists, in order.
//!
//! Where tshark differs from a plain RFC reading, we follow it:
//! - a wrong-length MSS, WS or TS gives no `mss_val`/`shift`/`tsval` (we
//!   yield an `Err` item), and the walk goes on;
//! - `tcp.options.sack_perm` is present for a kind-4 option of any length,
//!   so [`OptionsSummary::sack_permitted`] is too;
//! - nothing after EOL is decoded.

mod tcp_util;

mod common;

use tcp_util::summary_from_iterator;
use tcpopt_parse::tcp::{TcpHeader, TcpOption, TcpOptions};

const ORACLE: &str = include_str!("tcp_oracle.tsv");

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn list<T: std::str::FromStr>(s: &str) -> Vec<T>
where
    T::Err: std::fmt::Debug,
{
    if s.is_empty() {
        vec![]
    } else {
        s.split(',').map(|v| v.parse().unwrap()).collect()
    }
}

#[test]
fn options_agree_with_tshark() {
    let (mut rows, mut with_ts, mut with_mss, mut crafted) = (0, 0, 0, 0);
    for line in ORACLE.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), 8, "{line}");
        let area = hex(c[2]);
        let what = format!("{} frame {}", c[0], c[1]);
        let mut mss = vec![];
        let mut ws = vec![];
        let mut sack_perm = 0usize;
        let (mut tsval, mut tsecr) = (vec![], vec![]);
        for item in TcpOptions::new(&area) {
            match item {
                Ok(TcpOption::Mss(v)) => mss.push(v),
                Ok(TcpOption::WindowScale(v)) => ws.push(v),
                Ok(TcpOption::SackPermitted) => sack_perm += 1,
                Err(e) if e.kind == 4 && !e.reason.stops_walk() => sack_perm += 1,
                Ok(TcpOption::Timestamps { tsval: v, tsecr: e }) => {
                    tsval.push(v);
                    tsecr.push(e);
                }
                _ => {}
            }
        }
        assert_eq!(mss, list::<u16>(c[3]), "mss_val, {what}");
        assert_eq!(ws, list::<u8>(c[4]), "wscale.shift, {what}");
        assert_eq!(
            sack_perm,
            c[5].parse::<usize>().unwrap(),
            "sack_perm, {what}"
        );
        assert_eq!(tsval, list::<u32>(c[6]), "tsval, {what}");
        assert_eq!(tsecr, list::<u32>(c[7]), "tsecr, {what}");

        let fast = TcpOptions::new(&area).summary();
        assert_eq!(
            fast,
            summary_from_iterator(TcpOptions::new(&area)),
            "summary, {what}"
        );
        assert_eq!(fast.mss, mss.first().copied());
        assert_eq!(
            fast.timestamps,
            tsval.first().copied().zip(tsecr.first().copied())
        );

        rows += 1;
        with_ts += usize::from(!tsval.is_empty());
        with_mss += usize::from(!mss.is_empty());
        crafted += usize::from(c[0].starts_with("crafted/"));
    }
    // Not vacuous: the fixture covers many real frames and every crafted case.
    assert!(rows > 1700, "{rows}");
    assert!(with_ts > 1000 && with_mss > 100, "{with_ts} {with_mss}");
    assert_eq!(crafted, 23);
}

#[test]
fn mptcp_and_accecn_from_tcpdump_captures() {
    let find = |file: &str, frame: &str| {
        let line = ORACLE
            .lines()
            .find(|l| l.starts_with(&format!("{file}\t{frame}\t")))
            .unwrap();
        hex(line.split('\t').nth(2).unwrap())
    };
    // mptcp-v0.pcap frame 1: MP_CAPABLE (subtype 0) after MSS, SACK-perm, TS, NOP, WS.
    let a = find("tcpdump/mptcp-v0.pcap", "1");
    let last = TcpOptions::new(&a).last().unwrap().unwrap();
    assert!(matches!(last, TcpOption::Mptcp { subtype: 0, data } if data.len() == 10));
    // mptcp-dss-oobr.pcap frame 1: an MPTCP option of length 3 (subtype 2, DSS; tshark
    // throws "Malformed Packet" decoding it), then EOL.
    let a = find("tcpdump/mptcp-dss-oobr.pcap", "1");
    let items: Vec<_> = TcpOptions::new(&a).collect::<Result<_, _>>().unwrap();
    assert_eq!(
        items[3..],
        [
            TcpOption::Mptcp {
                subtype: 2,
                data: &[0x20]
            },
            TcpOption::Eol
        ]
    );
    // accecn_handshake.pcap frame 3: the pre-RFC AccECN option (ExID 0xACC0), then EOL padding.
    let a = find("tcpdump/accecn_handshake.pcap", "3");
    let items: Vec<_> = TcpOptions::new(&a).collect::<Result<_, _>>().unwrap();
    assert!(
        matches!(items[3], TcpOption::Experimental { kind: 254, exid: 0xacc0, data } if data.len() == 9)
    );
    assert_eq!(items[4], TcpOption::Eol);
    assert_eq!(items.len(), 5);
}

/// A throwaway legacy-pcap splitter (little-endian, Ethernet, IPv4 or IPv6): the
/// crate's own capture reader and decoder are tested elsewhere.
fn tcp_segments(file: &[u8]) -> Vec<Vec<u8>> {
    assert_eq!(file[..4], [0xd4, 0xc3, 0xb2, 0xa1]);
    assert_eq!(file[20..24], [1, 0, 0, 0], "Ethernet");
    let mut out = vec![];
    let mut at = 24;
    while at + 16 <= file.len() {
        let incl = u32::from_le_bytes(file[at + 8..at + 12].try_into().unwrap()) as usize;
        let frame = &file[at + 16..at + 16 + incl];
        at += 16 + incl;
        let ip = &frame[14..];
        let (hlen, total) = match frame[12..14] {
            [0x08, 0x00] => {
                assert_eq!(ip[9], 6, "TCP");
                (
                    usize::from(ip[0] & 0x0f) * 4,
                    usize::from(u16::from_be_bytes([ip[2], ip[3]])),
                )
            }
            [0x86, 0xdd] => {
                assert_eq!(ip[6], 6, "TCP right after the IPv6 header");
                (40, 40 + usize::from(u16::from_be_bytes([ip[4], ip[5]])))
            }
            ref t => panic!("ethertype {t:?}"),
        };
        out.push(ip[hlen..total.min(ip.len())].to_vec());
    }
    out
}

#[test]
fn header_fields_agree_with_tshark() {
    let captures = common::captures_dir();
    let oracle = include_str!("tcp_header_oracle.tsv");
    let mut checked = 0;
    let mut current: Option<(String, Vec<Vec<u8>>)> = None;
    for line in oracle.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        if current.as_ref().is_none_or(|(f, _)| f != c[0]) {
            let bytes = std::fs::read(captures.join(c[0])).expect("shared capture");
            current = Some((c[0].to_string(), tcp_segments(&bytes)));
        }
        let segs = &current.as_ref().unwrap().1;
        let frame: usize = c[1].parse().unwrap();
        let h = TcpHeader::parse(&segs[frame - 1]).unwrap();
        let num = |i: usize| -> u64 {
            let s = c[i];
            match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
                None => s.parse().unwrap(),
            }
        };
        let what = format!("{} frame {frame}", c[0]);
        assert_eq!(u64::from(h.src_port()), num(2), "{what}");
        assert_eq!(u64::from(h.dst_port()), num(3), "{what}");
        assert_eq!(u64::from(h.seq()), num(4), "{what}");
        assert_eq!(u64::from(h.ack()), num(5), "{what}");
        assert_eq!(u64::from(h.flags().bits()), num(6), "{what}");
        assert_eq!(u64::from(h.window()), num(7), "{what}");
        assert_eq!(u64::from(h.checksum()), num(8), "{what}");
        assert_eq!(u64::from(h.urgent_ptr()), num(9), "{what}");
        assert_eq!(h.header_len() as u64, num(10), "{what}");
        assert_eq!(h.payload().len() as u64, num(11), "{what}");
        assert!(!h.options_truncated() && h.summary().complete, "{what}");
        checked += 1;
    }
    assert!(checked > 600, "{checked}");
}
