//! `SYN_COOKIES` (info): a Linux server answering with SYN cookies, seen
//! where it costs something (lab `syncookies`).
//!
//! A Linux SYN cookie keeps no request state: the client's MSS is encoded
//! in the ISN (rounded down to the cookie table: 536, 1300, 1440, 1460 for
//! IPv4, 1220, 1420, 1440, 8940 for IPv6; net/ipv4/syncookies.c and
//! net/ipv6/syncookies.c `msstab`), and window scaling, SACK-permitted and
//! ECN are folded into the low 6 bits of the SYN-ACK's TSval
//! (`cookie_init_timestamp()`). Without timestamps there is nowhere to
//! keep them, so the SYN-ACK carries only MSS, though the SYN offered
//! window scale or SACK-permitted (checked on Linux 6.18, spec §2.8).
//!
//! Recognised, per client and server port, when all of these hold:
//! - the client's SYN had no timestamps and offered window scale or
//!   SACK-permitted, and the SYN-ACK (options walked to the end) had MSS
//!   and none of timestamps, window scale, SACK-permitted;
//! - the SYN-ACK was never retransmitted (no more SYN-ACKs than SYNs: a
//!   cookie has no request socket to retransmit from);
//! - the same server port sent window scale or SACK-permitted in another
//!   SYN-ACK of the capture (it does support them: not a server with
//!   `tcp_window_scaling=0` and `tcp_sack=0`).
//!
//! A cookie for a client with timestamps keeps its options and shows
//! nothing a capture can tell apart (the TSval bits are hidden under the
//! per-connection offset), so those are not reported. The SYN-ACK's own
//! MSS is the server's (its route's advmss), not the cookie's; the
//! finding reports the MSS the cookie keeps for the client instead.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;
use core::net::IpAddr;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::finding::{Code, Evidence, Finding, Severity, SynCookiesEvidence};
use crate::analysis::flow::Flow;

/// Linux's IPv4 cookie MSS table (net/ipv4/syncookies.c `msstab`).
pub(crate) const COOKIE_MSS_V4: [u16; 4] = [536, 1300, 1440, 1460];
/// Linux's IPv6 cookie MSS table (net/ipv6/syncookies.c `msstab`:
/// 1280, 1480, 1500 and 9000 minus 60).
pub(crate) const COOKIE_MSS_V6: [u16; 4] = [1220, 1420, 1440, 8940];

/// The MSS a Linux cookie keeps for a client that offered `offered`: the
/// largest table value not above it (the smallest for anything below).
pub(crate) fn cookie_mss(offered: u16, v6: bool) -> u16 {
    let t = if v6 { &COOKIE_MSS_V6 } else { &COOKIE_MSS_V4 };
    t.iter()
        .rev()
        .copied()
        .find(|&m| offered >= m)
        .unwrap_or(t[0])
}

const REMEDY: &str = "If cookies are forced (`net.ipv4.tcp_syncookies=2`), set it back to 1 \
    (cookies only when the SYN queue overflows). If the queue overflows (`nstat -az \
    TcpExtSyncookiesSent TcpExtListenOverflows TcpExtListenDrops` on the server), raise the \
    listen backlog (the application's listen(), `net.core.somaxconn`, \
    `net.ipv4.tcp_max_syn_backlog`) or find the SYN flood. On clients, keep \
    `net.ipv4.tcp_timestamps=1`: with timestamps a cookie connection keeps window scaling \
    and SACK.";

/// One connection whose SYN-ACK shows the cookie signature.
#[derive(Clone, Copy, Debug)]
struct Stripped {
    id: u32,
    syn: u64,
    synack: u64,
    offered_ws: bool,
    offered_sack: bool,
    syn_mss: Option<u16>,
    v6: bool,
}

/// SYN_COOKIES: per (pair, server port), the connections with the
/// signature; per server endpoint, SYN-ACKs that kept the options.
#[derive(Default)]
pub(crate) struct Cookies {
    stripped: BTreeMap<(u32, u16), Vec<Stripped>>,
    keeps: BTreeMap<(IpAddr, u16), u32>,
}

impl Detector for Cookies {
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        let (Some(syn), Some(synack)) = (f.syns.first(), f.synack) else {
            return false;
        };
        if f.mid_stream || f.client_isn.is_none() || f.probe.is_some() {
            return false;
        }
        let (so, ao) = (f.syn_opts, f.synack_opts);
        if ao.ws || ao.sack {
            *self.keeps.entry((f.server, f.sport)).or_default() += 1;
            return false;
        }
        let signature = f.syns_with_ts == 0
            && !f.synack_has_ts
            && (so.ws || so.sack)
            && ao.complete
            && ao.mss.is_some()
            && f.synacks <= f.syns.total;
        if signature {
            self.stripped
                .entry((f.pair, f.sport))
                .or_default()
                .push(Stripped {
                    id,
                    syn,
                    synack,
                    offered_ws: so.ws,
                    offered_sack: so.sack,
                    syn_mss: so.mss,
                    v6: f.client.is_ipv6(),
                });
        }
        signature
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&(pi, port), list) in &mut self.stripped {
            let Some(pair) = cx.pair(pi) else { continue };
            let Some(&kept) = self.keeps.get(&(pair.server, port)) else {
                continue;
            };
            list.sort_unstable_by_key(|s| s.id);
            let n = list.len() as u32;
            let ws = list.iter().filter(|s| s.offered_ws).count() as u32;
            let sack = list.iter().filter(|s| s.offered_sack).count() as u32;
            let first = list[0];
            let offered_mss = first.syn_mss;
            let kept_mss = offered_mss.map(|m| cookie_mss(m, first.v6));
            let table = if first.v6 {
                COOKIE_MSS_V6
            } else {
                COOKIE_MSS_V4
            };
            let mut frames = Vec::new();
            let mut flows = Vec::new();
            for s in list.iter() {
                frames.push(s.syn);
                frames.push(s.synack);
                flows.push(s.id as usize);
            }
            let synack_frames: Vec<_> = list
                .iter()
                .take(8)
                .map(|s| format!("{}", s.synack))
                .collect();
            let more = if list.len() > 8 { ", ..." } else { "" };
            let lost = match (ws > 0, sack > 0) {
                (true, true) => "window scaling and SACK",
                (true, false) => "window scaling",
                _ => "SACK",
            };
            let mss_text = match (offered_mss, kept_mss) {
                (Some(o), Some(k)) if k < o => format!(
                    " The cookie also rounded the client's MSS {o} down to {k} (the cookie \
                        table is {table:?})."
                ),
                (Some(o), Some(_)) => format!(
                    " The client's MSS {o} is one of the cookie table's values {table:?}, so \
                        it was kept."
                ),
                _ => format!(" The cookie table of MSS values is {table:?}."),
            };
            let summary = format!(
                "SYN cookies at {}:{port}: {n} SYN-ACK(s) to {} (no timestamps) carried no \
                    window scale or SACK-permitted although its SYNs offered them; the \
                    connections lost {lost}",
                pair.server, pair.client
            );
            let explanation = format!(
                "The server answered {n} connection(s) from {} with SYN cookies (its SYN \
                    queue overflowed, or net.ipv4.tcp_syncookies=2 forces them): SYN-ACK frames \
                    {}{more} carried only MSS, although the client's SYNs offered window scale \
                    ({ws} of them) or SACK-permitted ({sack}), and none was retransmitted (a \
                    cookie keeps no request state). The same server port did send these \
                    options in {kept} other SYN-ACK(s): a Linux cookie keeps window scaling \
                    and SACK only in the low bits of the SYN-ACK's TSval, so a client with \
                    timestamps off (net.ipv4.tcp_timestamps=0, Windows' default) loses them. \
                    Why it matters: without window scaling the receive window stays at most \
                    64 KiB (throughput at most 64 KiB per round trip), and without SACK every \
                    loss costs more retransmissions and time.{mss_text} The connections \
                    themselves succeed: this is context, not a failure.",
                pair.client,
                synack_frames.join(", ")
            );
            out.push(
                Draft {
                    code: Code::SynCookies,
                    severity: Severity::Info,
                    summary,
                    explanation,
                    remedy: REMEDY,
                    frames,
                    flows,
                    evidence: Evidence::SynCookies(SynCookiesEvidence {
                        server_port: port,
                        connections: n,
                        window_scale_lost: ws,
                        sack_lost: sack,
                        client_mss: offered_mss,
                        cookie_mss: kept_mss,
                        synacks_with_options: kept,
                    }),
                }
                .about(pair),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;

    /// A handshake; the SYN offers MSS 1460, WS and SACK (and TS when
    /// `ts`); the SYN-ACK echoes WS and SACK when `echo`.
    fn conn(frame: u64, cport: u16, ts: bool, echo: bool) -> Flow {
        let t = |v| ts.then_some((v, 0));
        let mut syn = seg(frame, frame as i64, true, cport, SYN, t(100));
        syn.mss = Some(1460);
        syn.wscale = Some(7);
        syn.sack_permitted = true;
        let mut sa = seg(
            frame + 1,
            frame as i64 + 1,
            false,
            cport,
            SYNACK,
            t(200).map(|_| (200, 100)),
        );
        sa.mss = Some(1460);
        if echo {
            sa.wscale = Some(7);
            sa.sack_permitted = true;
        }
        let ack = seg(
            frame + 2,
            frame as i64 + 2,
            true,
            cport,
            ACK,
            t(101).map(|_| (101, 200)),
        );
        flow(&[syn, sa, ack])
    }

    #[test]
    fn ts_less_client_losing_ws_and_sack_is_a_cookie() {
        let flows = [conn(1, 4000, true, true), conn(10, 4001, false, false)];
        let out = run(&mut Cookies::default(), &flows, PairClocks::default());
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].code, Code::SynCookies);
        assert_eq!(out[0].severity, Severity::Info);
        assert!(out[0].frames.contains(&11));
        assert!(out[0].explanation.contains("timestamps off"));
        let Evidence::SynCookies(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.connections, e.window_scale_lost, e.sack_lost), (1, 1, 1));
        assert_eq!((e.client_mss, e.cookie_mss), (Some(1460), Some(1460)));
    }

    #[test]
    fn a_server_without_ws_and_sack_is_not_cookies() {
        // Nothing in the capture shows the server ever sends WS or SACK.
        let flows = [conn(1, 4000, true, false), conn(10, 4001, false, false)];
        assert!(run(&mut Cookies::default(), &flows, PairClocks::default()).is_empty());
    }

    #[test]
    fn the_cookie_table_rounds_down() {
        assert_eq!(cookie_mss(1460, false), 1460);
        assert_eq!(cookie_mss(1400, false), 1300);
        assert_eq!(cookie_mss(100, false), 536);
        assert_eq!(cookie_mss(1440, true), 1440);
        assert_eq!(cookie_mss(9000, true), 8940);
    }
}
