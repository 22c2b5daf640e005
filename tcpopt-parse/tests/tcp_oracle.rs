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

use tcp_util::summary_from_iterator;
use tcpopt_parse::tcp::{TcpOption, TcpOptions};

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
