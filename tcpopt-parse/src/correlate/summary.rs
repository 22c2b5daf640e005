//! From retired attempts to the report: each attempt's outcome, the NAT
//! mappings, the findings with their words, the clock offset and the
//! joint verdict. Memory: a capped list of attempts and mappings, one
//! group per (outcome, endpoints) for the findings, counters.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use hashbrown::HashMap;

use super::flow::{ladder, Flow};
use super::observe::Endpoint;
use super::report::*;
use super::rewrite::RewriteTally;
use super::stats::{ms, Samples};
use super::Config;

/// Finding groups kept (one per outcome and endpoints); beyond it
/// attempts are still counted in the totals.
const MAX_GROUPS: usize = 256;

/// One retired attempt: its flow in each capture, and what each capture
/// knows about its server.
#[derive(Debug)]
pub(crate) struct AttemptFacts {
    pub index: u64,
    pub a: Option<Flow>,
    pub b: Option<Flow>,
    pub boot_offset: i64,
    pub a_local_server: bool,
    pub b_local_server: bool,
    pub a_sees_server: bool,
    pub b_sees_server: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GroupKey {
    outcome: Outcome,
    near: Vantage,
    client_near: String,
    client_far: Option<String>,
    server_near: String,
}

#[derive(Debug, Default)]
struct Group {
    attempts: u64,
    attempt_ids: Vec<u64>,
    syns: u64,
    syns_reached: u64,
    syns_per_attempt: (u64, u64),
    lost: u64,
    frames: [Vec<u64>; 2],
    frames_total: [u64; 2],
    far_is_server: bool,
    first_frame: u64,
}

/// What the correlation learnt, before it becomes a report.
#[derive(Debug)]
pub struct Summary {
    max_attempts: usize,
    max_frames: usize,
    max_mappings: usize,
    pub(crate) boot_offset: i64,
    pub(crate) boot_pairs: u64,
    pub(crate) peak_pending: u64,
    pub(crate) samples: [Samples; 3],
    pub(crate) ttl: [(Option<i32>, Option<i32>); 3],
    pub(crate) ip_id: [(u64, u64); 3],
    pub(crate) rewrites: RewriteTally,
    pub(crate) matched: [u64; 2],
    unmatched_on_path: [u64; 2],
    unmatched_elsewhere: [u64; 2],
    /// Made between the points, per capture: segments, connections, frames.
    injected: [(u64, u64, Vec<u64>); 2],
    attempts: Vec<AttemptReport>,
    groups: HashMap<GroupKey, Group>,
    mappings: Vec<NatMapping>,
    totals: CorrelationTotals,
    translated: u64,
    ports_kept: u64,
    mappings_not_listed: u64,
}

pub(crate) fn endpoint(e: Endpoint) -> String {
    match e.0 {
        core::net::IpAddr::V4(a) => format!("{a}:{}", e.1),
        core::net::IpAddr::V6(a) => format!("[{a}]:{}", e.1),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The flow's client and server as seen in direction numbering `flip`.
fn ends(f: &Flow, flip: usize) -> (Endpoint, Endpoint) {
    if flip == 0 {
        (f.client, f.server)
    } else {
        (f.server, f.client)
    }
}

/// The client's SYN frames of a flow whose direction numbering is `flip`
/// relative to the attempt's client.
fn syn_frames(f: &Flow, flip: usize) -> Vec<u64> {
    if flip == 0 {
        f.syn_frames.clone()
    } else {
        f.synack_frames.clone()
    }
}

fn synack_frames(f: &Flow, flip: usize) -> Vec<u64> {
    if flip == 0 {
        f.synack_frames.clone()
    } else {
        f.syn_frames.clone()
    }
}

impl Summary {
    pub(crate) fn new(config: &Config) -> Summary {
        Summary {
            max_attempts: config.max_attempts_listed,
            max_frames: config.max_frames,
            max_mappings: config.max_mappings,
            boot_offset: 0,
            boot_pairs: 0,
            peak_pending: 0,
            samples: Default::default(),
            ttl: [(None, None); 3],
            ip_id: [(0, 0); 3],
            rewrites: RewriteTally::new(config.max_frames),
            matched: [0; 2],
            unmatched_on_path: [0; 2],
            unmatched_elsewhere: [0; 2],
            injected: Default::default(),
            attempts: Vec::new(),
            groups: HashMap::new(),
            mappings: Vec::new(),
            totals: CorrelationTotals::default(),
            translated: 0,
            ports_kept: 0,
            mappings_not_listed: 0,
        }
    }

    /// One attempt is over.
    pub(crate) fn attempt(&mut self, facts: AttemptFacts) {
        let AttemptFacts {
            index,
            ref a,
            ref b,
            boot_offset,
            a_local_server,
            b_local_server,
            a_sees_server,
            b_sees_server,
        } = facts;
        let flows = [a.as_ref(), b.as_ref()];
        let (outcome, near) = match (a, b) {
            (Some(fa), Some(fb)) => {
                self.totals.attempts_in_both += 1;
                self.nat(fa, fb);
                // The capture nearer the client: where the client's
                // segments are seen first (TTL), else where the server's are
                // seen last.
                let near = match (fa.way[0], fa.way[1]) {
                    (Some(Way::AToB), _) => Some(Vantage::A),
                    (Some(Way::BToA), _) => Some(Vantage::B),
                    (_, Some(Way::AToB)) => Some(Vantage::B),
                    (_, Some(Way::BToA)) => Some(Vantage::A),
                    _ => None,
                };
                let c = near.unwrap_or(Vantage::A);
                let (fc, fs) = if c == Vantage::A { (fa, fb) } else { (fb, fa) };
                let lost: u64 = fa
                    .unmatched_covered
                    .iter()
                    .chain(&fb.unmatched_covered)
                    .sum();
                for (i, f) in [fa, fb].into_iter().enumerate() {
                    self.unmatched_on_path[i] += f.unmatched_covered.iter().sum::<u64>();
                    self.unmatched_elsewhere[i] += f.unmatched_outside.iter().sum::<u64>();
                    let n: u64 = f.injected.iter().sum();
                    if n > 0 {
                        let inj = &mut self.injected[i];
                        inj.0 += n;
                        inj.1 += 1;
                        for r in f.ladder.iter().filter(|r| r.injected) {
                            if inj.2.len() < self.max_frames {
                                inj.2.push(r.frame);
                            }
                        }
                        self.totals.injected_segments += n;
                    }
                }
                // Without a direction of travel (same TTL at both points)
                // nothing "reached" anything: the two captures may be one.
                let known = near.is_some();
                let outcome = if known
                    && fc.syns > 0
                    && fs.syns_matched > 0
                    && fs.synacks == 0
                    && fc.synacks == 0
                {
                    Outcome::SynsReachedNoAnswer
                } else if known && fs.synacks > 0 && fc.synacks == 0 {
                    Outcome::AnswerLost
                } else if lost > 0 {
                    Outcome::SomeLost
                } else {
                    Outcome::AllMatched
                };
                (outcome, near)
            }
            (Some(f), None) | (None, Some(f)) => {
                let x = f.side;
                if x == Vantage::A {
                    self.totals.attempts_only_a += 1;
                } else {
                    self.totals.attempts_only_b += 1;
                }
                let (local_here, seen_there) = match x {
                    Vantage::A => (a_local_server, b_sees_server),
                    Vantage::B => (b_local_server, a_sees_server),
                };
                let unmatched: u64 = f.unmatched_covered.iter().chain(&f.unmatched_outside).sum();
                let outcome = if !local_here
                    && seen_there
                    && f.syns > 0
                    && f.synacks == 0
                    && f.segs[1] == 0
                {
                    self.unmatched_on_path[x.index()] += unmatched;
                    Outcome::SynsNeverReached
                } else {
                    self.unmatched_elsewhere[x.index()] += unmatched;
                    Outcome::NotOnPath
                };
                (outcome, Some(x))
            }
            (None, None) => return,
        };
        match outcome {
            Outcome::AllMatched => self.totals.all_matched += 1,
            Outcome::SynsReachedNoAnswer => self.totals.syns_reached_no_answer += 1,
            Outcome::SynsNeverReached => self.totals.syns_never_reached += 1,
            Outcome::AnswerLost => self.totals.answer_lost += 1,
            Outcome::SomeLost => self.totals.some_lost += 1,
            Outcome::NotOnPath => self.totals.not_on_path += 1,
        }
        let c = near.unwrap_or(Vantage::A);
        let s = c.other();
        let fc = flows[c.index()];
        let fs = flows[s.index()];
        // Unmatched segments of a connection the other capture saw are
        // lost; of one it never saw, only the SYNs that never reached it.
        let lost: u64 = match outcome {
            Outcome::NotOnPath => 0,
            Outcome::SynsNeverReached => flows
                .iter()
                .flatten()
                .map(|f| f.segs.iter().sum::<u64>())
                .sum(),
            _ => flows
                .iter()
                .flatten()
                .map(|f| f.unmatched_covered.iter().sum::<u64>())
                .sum(),
        };
        self.totals.lost_segments += lost;
        let name = |v: Vantage| v.as_str();
        let description = {
            let fc = fc.expect("the near side has a flow");
            let client_c = endpoint(fc.client);
            let server_c = endpoint(fc.server);
            let as_far = fs.map(|g| endpoint(ends(g, g.flip).0));
            let far_is_server = match s {
                Vantage::A => a_local_server,
                Vantage::B => b_local_server,
            };
            match outcome {
                Outcome::SynsReachedNoAnswer => {
                    let g = fs.expect("paired");
                    let reached = g.syns_matched.min(fc.syns);
                    let all = if reached == fc.syns {
                        format!(
                            "The {} of {client_c} ({}) all reached {}",
                            plural(fc.syns, "SYN", "SYNs"),
                            name(c),
                            name(s)
                        )
                    } else {
                        format!(
                            "{reached} of the {} of {client_c} ({}) reached {}",
                            plural(fc.syns, "SYN", "SYNs"),
                            name(c),
                            name(s)
                        )
                    };
                    let there = if far_is_server {
                        "the server".to_string()
                    } else {
                        format!("{}'s capture point", name(s))
                    };
                    format!(
                        "{all} as {} and were dropped there: no SYN-ACK left {there}",
                        as_far.unwrap_or_default()
                    )
                }
                Outcome::SynsNeverReached => format!(
                    "The {} of {client_c} ({}) to {server_c} never reached {}, which saw other traffic to {server_c} at the time: lost between the captures (firewall or routing), not dropped by the server",
                    plural(fc.syns, "SYN", "SYNs"),
                    name(c),
                    name(s)
                ),
                Outcome::AnswerLost => format!(
                    "{server_c} answered {client_c} ({}) at {} but the SYN-ACK never reached {}: lost on the way back",
                    name(c),
                    name(s),
                    name(c)
                ),
                Outcome::SomeLost => format!(
                    "{} of {client_c} → {server_c} ({}) lost between the captures",
                    plural(lost, "segment", "segments"),
                    name(c)
                ),
                Outcome::AllMatched => {
                    let total: u64 = fc.segs.iter().sum();
                    match as_far {
                        Some(f) if f != client_c => format!(
                            "All {} of {client_c} → {server_c} ({}) seen at both points (as {f} at {})",
                            plural(total, "segment", "segments"),
                            name(c),
                            name(s)
                        ),
                        _ => format!(
                            "All {} of {client_c} → {server_c} seen at both points",
                            plural(total, "segment", "segments")
                        ),
                    }
                }
                Outcome::NotOnPath => format!(
                    "Only in {}: {client_c} → {server_c} ({}); it does not pass {}'s capture point",
                    name(c),
                    plural(fc.segs.iter().sum(), "segment", "segments"),
                    name(s)
                ),
            }
        };
        if !matches!(outcome, Outcome::AllMatched | Outcome::NotOnPath) {
            self.group(
                outcome,
                c,
                fc,
                fs,
                lost,
                index,
                match s {
                    Vantage::A => a_local_server,
                    Vantage::B => b_local_server,
                },
            );
        }
        if self.attempts.len() >= self.max_attempts {
            self.totals.attempts_not_listed += 1;
            return;
        }
        let side_ends = |f: Option<&Flow>| f.map(|f| (endpoint(f.client), endpoint(f.server)));
        let (ca, sa) = side_ends(a.as_ref()).unzip();
        let (cb, sb) = side_ends(b.as_ref()).unzip();
        let mut ladder = ladder(a.as_ref(), b.as_ref(), boot_offset);
        if outcome == Outcome::SynsNeverReached {
            // No copy anywhere in the other capture: every segment was lost.
            for r in &mut ladder {
                r.lost = true;
            }
        }
        let cut = flows.iter().flatten().map(|f| f.ladder_cut).sum();
        self.attempts.push(AttemptReport {
            index,
            outcome,
            client_a: ca,
            server_a: sa,
            client_b: cb,
            server_b: sb,
            client_side: near,
            isn: flows.iter().flatten().find_map(|f| f.isn),
            syns_a: a.as_ref().map_or(0, |f| f.syns),
            syns_b: b.as_ref().map_or(0, |f| f.syns),
            synacks_a: a.as_ref().map_or(0, |f| f.synacks),
            synacks_b: b.as_ref().map_or(0, |f| f.synacks),
            segments_a: a.as_ref().map_or(0, |f| f.segs.iter().sum()),
            segments_b: b.as_ref().map_or(0, |f| f.segs.iter().sum()),
            matched: a.as_ref().map_or(0, |f| f.matched.iter().sum()),
            lost,
            description,
            ladder,
            ladder_cut: cut,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn group(
        &mut self,
        outcome: Outcome,
        near: Vantage,
        fc: Option<&Flow>,
        fs: Option<&Flow>,
        lost: u64,
        index: u64,
        far_is_server: bool,
    ) {
        let Some(fc) = fc else {
            return;
        };
        let key = GroupKey {
            outcome,
            near,
            client_near: endpoint(fc.client),
            client_far: fs.map(|g| endpoint(ends(g, g.flip).0)),
            server_near: endpoint(fc.server),
        };
        if !self.groups.contains_key(&key) && self.groups.len() >= MAX_GROUPS {
            return;
        }
        let max_frames = self.max_frames;
        let g = self.groups.entry(key).or_default();
        if g.attempts == 0 {
            g.first_frame = fc.first_frame;
            g.syns_per_attempt = (fc.syns, fc.syns);
        }
        g.attempts += 1;
        if g.attempt_ids.len() < max_frames {
            g.attempt_ids.push(index);
        }
        g.syns += fc.syns;
        g.syns_reached += fs.map_or(0, |f| f.syns_matched.min(fc.syns));
        g.syns_per_attempt.0 = g.syns_per_attempt.0.min(fc.syns);
        g.syns_per_attempt.1 = g.syns_per_attempt.1.max(fc.syns);
        g.lost += lost;
        g.far_is_server = far_is_server;
        let mut add = |i: usize, frames: Vec<u64>| {
            g.frames_total[i] += frames.len() as u64;
            for f in frames {
                if g.frames[i].len() < max_frames {
                    g.frames[i].push(f);
                }
            }
        };
        let (ic, is) = (near.index(), near.other().index());
        match outcome {
            Outcome::SynsReachedNoAnswer | Outcome::SynsNeverReached => {
                add(ic, syn_frames(fc, 0));
                if let Some(f) = fs {
                    add(is, syn_frames(f, f.flip));
                }
            }
            Outcome::AnswerLost => {
                if let Some(f) = fs {
                    add(is, synack_frames(f, f.flip));
                }
                add(ic, syn_frames(fc, 0));
            }
            _ => {
                add(ic, fc.lost_frames.iter().map(|x| x.0).collect());
                if let Some(f) = fs {
                    add(is, f.lost_frames.iter().map(|x| x.0).collect());
                }
            }
        }
    }

    fn nat(&mut self, fa: &Flow, fb: &Flow) {
        let (cb, sb) = ends(fb, fb.flip);
        let m = (
            endpoint(fa.client),
            endpoint(cb),
            endpoint(fa.server),
            endpoint(sb),
        );
        let mut rewritten = Vec::new();
        if fa.client.0 != cb.0 {
            rewritten.push("client address".to_string());
        }
        if fa.client.1 != cb.1 {
            rewritten.push("client port".to_string());
        }
        if fa.server.0 != sb.0 {
            rewritten.push("server address".to_string());
        }
        if fa.server.1 != sb.1 {
            rewritten.push("server port".to_string());
        }
        if !rewritten.is_empty() {
            self.translated += 1;
            self.ports_kept += u64::from(fa.client.1 == cb.1);
        }
        if let Some(e) = self.mappings.iter_mut().find(|e| {
            (&e.client_a, &e.client_b, &e.server_a, &e.server_b) == (&m.0, &m.1, &m.2, &m.3)
        }) {
            e.connections += 1;
            return;
        }
        if self.mappings.len() >= self.max_mappings {
            self.mappings_not_listed += 1;
            return;
        }
        self.mappings.push(NatMapping {
            client_a: m.0,
            client_b: m.1,
            server_a: m.2,
            server_b: m.3,
            rewritten,
            connections: 1,
            first_frame_a: fa.first_frame,
            first_frame_b: fb.first_frame,
        });
    }

    /// The report. `vantages` are the drivers' capture summaries (their
    /// match counts are filled in here).
    pub fn into_report(mut self, mut vantages: [VantageSummary; 2]) -> CorrelationReport {
        let names = [vantages[0].capture.clone(), vantages[1].capture.clone()];
        for (i, v) in vantages.iter_mut().enumerate() {
            v.matched = self.matched[i];
            v.unmatched_on_path = self.unmatched_on_path[i];
            v.unmatched_elsewhere = self.unmatched_elsewhere[i];
            v.made_between = self.injected[i].0;
        }
        self.totals.matched_pairs = self.samples.iter().map(Samples::count).sum();
        self.totals.peak_pending = self.peak_pending;
        let (clock, offset) = self.clock();
        let paths = self.paths(offset);
        let nat = self.nat_summary();
        let rewrites = core::mem::take(&mut self.rewrites).into_report(&names);
        let mut findings = self.group_findings(&names);
        findings.extend(rewrite_findings(&rewrites));
        for (i, (n, conns, frames)) in core::mem::take(&mut self.injected).into_iter().enumerate() {
            if n == 0 {
                continue;
            }
            let (x, y) = if i == 0 { ("A", "B") } else { ("B", "A") };
            let total = frames.len() as u64;
            findings.push(CorrelationFinding {
                code: CorrelationCode::SegmentsMadeBetweenCaptures,
                severity: Severity::Info,
                vantage: Some(if i == 0 { Vantage::A } else { Vantage::B }),
                summary: format!(
                    "{} seen at {x} ({}) never passed {y}, although {y} lies before {x} on their way: made between the captures",
                    plural(n, "segment", "segments"),
                    plural(conns, "connection", "connections")
                ),
                explanation: format!(
                    "These segments travel from {y}'s side to {x}'s and were seen only at {x}, while {y} saw the rest of their connection: a middlebox between the points sent them itself — a SYN proxy's own handshake and window-update segments, a firewall's or IPS's RST, a load balancer's keepalive — or {y}'s capture dropped them."
                ),
                remedy: format!(
                    "If the segments are RSTs, find the device between the points that resets connections (firewall session timeouts, IPS); otherwise nothing to change. Check {y}'s capture drop count to rule out the capture."
                ),
                frames: vec![vframes(i, &names, frames, total.max(n))],
                attempts: Vec::new(),
            });
        }
        if nat.translated_connections > 0 {
            let frames = (0..2)
                .map(|i| {
                    let mut fr: Vec<u64> = nat
                        .mappings
                        .iter()
                        .map(|m| {
                            if i == 0 {
                                m.first_frame_a
                            } else {
                                m.first_frame_b
                            }
                        })
                        .collect();
                    fr.sort_unstable();
                    fr.dedup();
                    let total = fr.len() as u64;
                    fr.truncate(self.max_frames);
                    vframes(i, &names, fr, total)
                })
                .collect();
            findings.push(CorrelationFinding {
                code: CorrelationCode::NatMapping,
                severity: Severity::Info,
                vantage: None,
                summary: nat.description.clone(),
                explanation: "Addresses or ports differ between the two captures for the same segments: a NAT (or load balancer) between the capture points translates them. The segments were matched by what NAT does not change: sequence and acknowledgement numbers, flags, payload length, timestamps.".to_string(),
                remedy: "Nothing to change: this is how the two captures relate. To follow a connection in both, filter each capture on its own address and port from the mapping.".to_string(),
                frames,
                attempts: Vec::new(),
            });
        }
        let segs = [vantages[0].tcp_segments, vantages[1].tcp_segments];
        if self.totals.matched_pairs == 0 && segs[0] > 0 && segs[1] > 0 {
            findings.push(CorrelationFinding {
                code: CorrelationCode::NoCommonTraffic,
                severity: Severity::Warning,
                vantage: None,
                summary: format!(
                    "No segment of A ({}) matched one of B ({}): the captures do not share traffic",
                    plural(segs[0], "segment", "segments"),
                    plural(segs[1], "segment", "segments")
                ),
                explanation: "Either the two captures were taken at different times or on paths that carry different connections, or a middlebox rewrites the sequence numbers of every segment (TCP splicing proxies terminate the connection and open a new one: nothing matches across them).".to_string(),
                remedy: "Check that both captures cover the same moment and the same connection (client address and port, server address and port), and that no proxy terminates TCP between the two points.".to_string(),
                frames: Vec::new(),
                attempts: Vec::new(),
            });
        }
        findings.sort_by(|x, y| {
            y.severity
                .cmp(&x.severity)
                .then_with(|| first(x).cmp(&first(y)))
        });
        let verdict = match findings.iter().find(|f| f.severity >= Severity::Warning) {
            Some(f) => f.summary.clone(),
            None if self.totals.attempts_in_both > 0 => {
                let mut v = format!(
                    "All {} seen in both captures matched, nothing lost between them",
                    plural(
                        self.totals.attempts_in_both,
                        "connection attempt",
                        "connection attempts"
                    )
                );
                if let Some(f) = findings.iter().find(|f| f.severity == Severity::Info) {
                    v.push_str("; note: ");
                    v.push_str(&f.summary);
                }
                v
            }
            None => "No connection is in both captures".to_string(),
        };
        self.attempts.sort_by_key(|a| a.index);
        CorrelationReport {
            schema_version: CORRELATION_SCHEMA_VERSION,
            verdict,
            vantages: vantages.into(),
            clock,
            paths,
            nat,
            rewrites,
            findings,
            attempts: self.attempts,
            totals: self.totals,
        }
    }

    /// The offset interval (see [`ClockOffset`]) and the estimate used for delays.
    fn clock(&self) -> (ClockOffset, Option<(i64, bool)>) {
        let [ab, ba, unk] = &self.samples;
        let pairs = ab.count() + ba.count() + unk.count();
        let upper = ab.min();
        let lower = ba.max();
        let mut c = ClockOffset {
            pairs,
            upper_ns: upper,
            lower_ns: lower,
            ..ClockOffset::default()
        };
        let basis =
            |n: u64, what: &str| format!("{} {what}", plural(n, "matched pair", "matched pairs"));
        let mut exact = None;
        match (upper, lower) {
            (Some(u), Some(l)) => {
                let (est, unc) = if l <= u {
                    ((l + u) / 2, (u - l) / 2)
                } else {
                    // Capture-time jitter larger than the delay: the
                    // bounds cross; fall back to the medians.
                    let (ma, mb) = (ab.median().unwrap_or(u), ba.median().unwrap_or(l));
                    ((ma + mb) / 2, ((ma - mb) / 2).abs().max(l - u))
                };
                c.offset_ns = Some(est);
                c.uncertainty_ns = Some(unc);
                c.description = format!(
                    "B's clock minus A's is {} ± {} (from {} in both directions: the true offset lies within that range whatever the one-way delays)",
                    ms(est),
                    ms(unc),
                    basis(ab.count() + ba.count(), "")
                        .trim_end()
                );
                exact = Some((est, true));
            }
            (Some(u), None) => {
                c.offset_ns = Some(u);
                c.description = format!(
                    "B's clock minus A's is at most {}: the smallest tB − tA of {}; only A→B traffic matched, so the one-way delay cannot be told from the offset",
                    ms(u),
                    basis(ab.count(), "travelling A→B")
                );
                exact = Some((u, false));
            }
            (None, Some(l)) => {
                c.offset_ns = Some(l);
                c.description = format!(
                    "B's clock minus A's is at least {}: the largest tB − tA of {}; only B→A traffic matched, so the one-way delay cannot be told from the offset",
                    ms(l),
                    basis(ba.count(), "travelling B→A")
                );
                exact = Some((l, false));
            }
            (None, None) => {
                if let Some(m) = unk.median() {
                    let spread = unk
                        .max()
                        .unwrap_or(m)
                        .saturating_sub(m)
                        .max(m.saturating_sub(unk.min().unwrap_or(m)));
                    c.offset_ns = Some(m);
                    c.uncertainty_ns = Some(spread);
                    c.description = format!(
                        "B's clock minus A's is {} ± {} (median tB − tA of {}; same TTL at both points, so the direction of travel is unknown and any delay is included)",
                        ms(m),
                        ms(spread),
                        basis(unk.count(), "")
                            .trim_end()
                    );
                } else {
                    c.description = format!(
                        "unknown: no segment matched (the merge assumed {} from the captures' starts)",
                        ms(self.boot_offset)
                    );
                }
            }
        }
        (c, exact)
    }

    fn paths(&self, offset: Option<(i64, bool)>) -> Vec<PathStats> {
        let mut out = Vec::new();
        for (i, way) in [Way::AToB, Way::BToA, Way::Unknown].into_iter().enumerate() {
            let s = &self.samples[i];
            if s.count() == 0 {
                continue;
            }
            let mut p = PathStats {
                way: Some(way),
                matched: s.count(),
                ttl_decrement_min: self.ttl[i].0,
                ttl_decrement_max: self.ttl[i].1,
                ip_id_pairs: self.ip_id[i].0,
                ip_id_kept: self.ip_id[i].1,
                ..PathStats::default()
            };
            if let Some((off, true)) = offset {
                match way {
                    Way::AToB => {
                        p.delay_min_ns = s.min().map(|m| m - off);
                        p.delay_median_ns = s.median().map(|m| m - off);
                    }
                    Way::BToA => {
                        p.delay_min_ns = s.max().map(|m| off - m);
                        p.delay_median_ns = s.median().map(|m| off - m);
                    }
                    Way::Unknown => {}
                }
            }
            out.push(p);
        }
        out
    }

    fn nat_summary(&mut self) -> NatSummary {
        let mappings = core::mem::take(&mut self.mappings);
        let translated: Vec<&NatMapping> = mappings
            .iter()
            .filter(|m| !m.rewritten.is_empty())
            .collect();
        let keeps_ports = (self.translated > 0).then_some(self.ports_kept == self.translated);
        let ports = match keeps_ports {
            Some(true) => "the NAT keeps source ports",
            _ if self.ports_kept == 0 => "the NAT changes source ports",
            _ => "the NAT keeps some source ports and changes others",
        };
        let description = match translated.as_slice() {
            [] => "no address or port translated between the captures".to_string(),
            // One mapping: its endpoints.
            [m] => format!(
                "NAT between the captures: {} (A) ↔ {} (B) for {}; {ports}",
                m.client_a,
                m.client_b,
                plural(m.connections, "connection", "connections")
            ),
            // Several: by address (the ports vary per connection).
            ms => {
                let addr = |e: &str| {
                    e.rsplit_once(':')
                        .map_or(e.to_string(), |(a, _)| a.to_string())
                };
                let mut by_addr: Vec<(String, String, u64)> = Vec::new();
                for m in ms {
                    let k = (addr(&m.client_a), addr(&m.client_b));
                    match by_addr.iter_mut().find(|e| (&e.0, &e.1) == (&k.0, &k.1)) {
                        Some(e) => e.2 += m.connections,
                        None => by_addr.push((k.0, k.1, m.connections)),
                    }
                }
                let list: Vec<String> = by_addr
                    .iter()
                    .map(|(a, b, n)| {
                        format!(
                            "{a} (A) ↔ {b} (B) for {}",
                            plural(*n, "connection", "connections")
                        )
                    })
                    .collect();
                format!(
                    "NAT between the captures: {} ({} in all); {ports}",
                    list.join(", "),
                    plural(ms.len() as u64, "port mapping", "port mappings")
                )
            }
        };
        NatSummary {
            mappings,
            connections_not_listed: self.mappings_not_listed,
            translated_connections: self.translated,
            ports_kept: self.ports_kept,
            keeps_ports,
            description,
        }
    }

    fn group_findings(&mut self, names: &[String; 2]) -> Vec<CorrelationFinding> {
        let mut out = Vec::new();
        let mut groups: Vec<(GroupKey, Group)> = self.groups.drain().collect();
        groups.sort_by_key(|(_, g)| g.first_frame);
        for (k, mut g) in groups {
            let (c, s) = (k.near.as_str(), k.near.other().as_str());
            let frames: Vec<VantageFrames> = (0..2)
                .filter(|&i| g.frames_total[i] > 0)
                .map(|i| {
                    let mut fr = core::mem::take(&mut g.frames[i]);
                    fr.sort_unstable();
                    fr.dedup();
                    vframes(i, names, fr, g.frames_total[i])
                })
                .collect();
            let each = if g.syns_per_attempt.0 == g.syns_per_attempt.1 && g.attempts > 1 {
                format!(
                    "The {} of each of the {} connection attempts",
                    plural(g.syns_per_attempt.0, "SYN", "SYNs"),
                    g.attempts
                )
            } else if g.attempts > 1 {
                format!(
                    "The {} of {} connection attempts",
                    plural(g.syns, "SYN", "SYNs"),
                    g.attempts
                )
            } else {
                format!(
                    "The {} of the connection attempt",
                    plural(g.syns, "SYN", "SYNs")
                )
            };
            let far = k.client_far.clone().unwrap_or_default();
            let (code, severity, summary, explanation, remedy) = match k.outcome {
                Outcome::SynsReachedNoAnswer => {
                    let all = if g.syns_reached == g.syns { "all reached" } else { "reached" };
                    let partly = if g.syns_reached == g.syns {
                        String::new()
                    } else {
                        format!(" ({} of {} SYNs reached it)", g.syns_reached, g.syns)
                    };
                    let there = if g.far_is_server { "the server".to_string() } else { format!("{s}'s capture point") };
                    (
                        CorrelationCode::SynReachedServerDropped,
                        Severity::Critical,
                        format!(
                            "{each} from {} ({c}) to {} {all} {s} as {far} and were dropped there: no SYN-ACK left {there}{partly}",
                            k.client_near, k.server_near
                        ),
                        format!(
                            "Every SYN seen at {c} arrived at {s}, so the path between the two capture points delivered them: this is not a firewall or routing problem on the way. No SYN-ACK was sent back, so the SYNs were dropped at {s} or beyond it. On a Linux server the usual causes are the per-host PAWS check of net.ipv4.tcp_tw_recycle (kernels before 4.12, with several hosts behind one NAT address), a TIME_WAIT socket rejecting a SYN with an older timestamp, a full SYN or accept queue, or a local firewall rule."
                        ),
                        format!(
                            "On the server behind {s}: `nstat -az TcpExtPAWSPassiveRejected TcpExtPAWSEstabRejected TcpExtListenDrops TcpExtListenOverflows` and `iptables -S INPUT`; set `net.ipv4.tcp_tw_recycle=0` where it exists (removed in Linux 4.12); run `tcpopt analyze` on {s}'s capture for the timestamp evidence."
                        ),
                    )
                }
                Outcome::SynsNeverReached => (
                    CorrelationCode::SynLostBetweenCaptures,
                    Severity::Critical,
                    format!(
                        "{each} from {} ({c}) to {} never reached {s}, which saw other traffic to {} at the time: lost between the captures",
                        k.client_near, k.server_near, k.server_near
                    ),
                    format!(
                        "The SYNs left {c} and no copy of them (under any address or port) arrived at {s}, while {s} saw the same server's traffic: something between the two points dropped them — a firewall, a security group, a route, or the NAT itself (a conntrack table full or an insert failure). The server never saw these SYNs, so it is not a server-side or timestamp (PAWS) problem. If {s} is not on this connection's path at all (a different route), the captures cannot tell."
                    ),
                    format!(
                        "Check the devices between {c} and {s}: firewall drop counters and logs for {} → {}, the routes, and on a Linux NAT `conntrack -S` (drop, insert_failed) and `nstat -az TcpExtListenDrops`; capture at the next hop to narrow it down.",
                        k.client_near, k.server_near
                    ),
                ),
                Outcome::AnswerLost => (
                    CorrelationCode::AnswerLostBetweenCaptures,
                    Severity::Critical,
                    format!(
                        "The server {} answered {} ({c}) at {s}, but the SYN-ACK never reached {c}: lost on the way back ({})",
                        k.server_near,
                        k.client_near,
                        plural(g.attempts, "connection attempt", "connection attempts")
                    ),
                    format!(
                        "The SYN crossed from {c} to {s} and the server answered, but its SYN-ACK was not seen at {c}: the return path drops it — asymmetric routing past a stateful firewall, a NAT that lost the connection's entry, or reverse-path filtering."
                    ),
                    "Follow the SYN-ACK back: the routes from the server to the client, `conntrack -L` on the NAT for the mapping, `sysctl net.ipv4.conf.all.rp_filter`, and the return-path firewall rules.".to_string(),
                ),
                _ => (
                    CorrelationCode::SegmentsLostBetweenCaptures,
                    Severity::Warning,
                    format!(
                        "{} of {} ({c}) → {} lost between the captures ({})",
                        plural(g.lost, "segment", "segments"),
                        k.client_near,
                        k.server_near,
                        plural(g.attempts, "connection", "connections")
                    ),
                    "These segments were seen at one capture point and not at the other while the other capture was running and saw the rest of the connection: they were lost between the points (congestion, a policer, a firewall dropping out-of-window segments) or the other capture dropped packets itself.".to_string(),
                    "Compare with the interface counters between the points (`ip -s link`, `ethtool -S`), check the capture's own drop count (tcpdump prints it on exit), and look for policers or stateful firewalls between the points.".to_string(),
                ),
            };
            out.push(CorrelationFinding {
                code,
                severity,
                vantage: Some(k.near),
                summary,
                explanation,
                remedy,
                frames,
                attempts: g.attempt_ids,
            });
        }
        out
    }
}

fn vframes(i: usize, names: &[String; 2], frames: Vec<u64>, total: u64) -> VantageFrames {
    VantageFrames {
        vantage: if i == 0 { "A" } else { "B" }.to_string(),
        capture: names[i].clone(),
        frames,
        frames_total: total,
    }
}

fn first(f: &CorrelationFinding) -> u64 {
    f.frames
        .iter()
        .filter_map(|v| v.frames.first())
        .min()
        .copied()
        .unwrap_or(u64::MAX)
}

/// One finding per rewrite, with why it matters and where to look.
fn rewrite_findings(rewrites: &[Rewrite]) -> Vec<CorrelationFinding> {
    rewrites
        .iter()
        .map(|r| {
            use RewriteKind as K;
            let (code, severity, explanation, remedy) = match r.kind {
                K::TimestampsRemoved | K::TimestampsAdded => (
                    CorrelationCode::TsOptionStrippedOrInjected,
                    Severity::Warning,
                    "A middlebox between the capture points removes or inserts the TCP timestamps option (RFC 7323): iptables TCPOPTSTRIP, a load balancer's TCP profile, a 'TCP normalisation' feature. One end then believes timestamps are off (no PAWS protection, no RTT measurement per segment), and a server that sees the same client address with and without timestamps can reject its SYNs.",
                    "Find the rule between the points: `iptables-save | grep -i TCPOPTSTRIP` on Linux routers and NATs, the load balancer's TCP profile or 'strip TCP options' setting; remove it unless intended.",
                ),
                K::MssChanged | K::MssRemoved | K::MssAdded => (
                    CorrelationCode::TcpHeaderRewritten,
                    Severity::Info,
                    "The MSS option of the SYNs is rewritten on the way (MSS clamping: iptables TCPMSS --set-mss or --clamp-mss-to-pmtu, PPPoE and VPN gateways). Usually intended, to avoid fragmentation on a smaller-MTU link; the two ends then use a smaller segment size than they announced.",
                    "Nothing to change if the link's MTU needs it; otherwise find the rule (`iptables-save | grep TCPMSS`) and check the MTU of the links between the points.",
                ),
                K::WindowScaleChanged | K::WindowScaleRemoved | K::WindowScaleAdded => (
                    CorrelationCode::TcpHeaderRewritten,
                    Severity::Warning,
                    "The window scale option of the SYNs is changed on the way. Unless the middlebox also rewrites every window field consistently, the two ends disagree on the receive window: throughput collapses or segments are dropped as out of window.",
                    "Find the middlebox that rewrites TCP options between the points (firewall 'TCP normalisation', WAN optimiser) and disable the window scale rewrite.",
                ),
                K::SackPermittedRemoved | K::SackPermittedAdded => (
                    CorrelationCode::TcpHeaderRewritten,
                    Severity::Warning,
                    "The SACK-permitted option is removed or added on the way: without SACK, loss recovery needs one round trip per lost segment, and an end that was told SACK is on may send SACK blocks the other does not expect.",
                    "Find the rule between the points (`iptables-save | grep -i TCPOPTSTRIP`, a firewall's TCP options policy) and stop stripping SACK-permitted.",
                ),
                K::TsvalShifted | K::TsecrShifted | K::SeqShifted => (
                    CorrelationCode::TcpHeaderRewritten,
                    Severity::Info,
                    "A middlebox between the points moves TCP timestamps or sequence numbers by a constant per connection: a SYN proxy (netfilter SYNPROXY, DDoS scrubbing) that answered the handshake itself, or pf's `modulate state` / `scrub reassemble tcp`. Harmless while consistent, but the timestamps seen on one side are not the other end's clock: a timestamp analysis of that side sees the middlebox.",
                    "Nothing to change if the proxy is intended; analyse timestamps on the side of the end whose clock you want to see.",
                ),
                K::WindowChanged => (
                    CorrelationCode::TcpHeaderRewritten,
                    Severity::Info,
                    "The window field differs between the captures for the same segments: a middlebox rewrites it (window clamping, a changed window scale, a proxy's handshake).",
                    "Check the middleboxes between the points for window or TCP normalisation features if throughput is low.",
                ),
            };
            CorrelationFinding {
                code,
                severity,
                vantage: None,
                summary: {
                    let mut s = r.description.clone();
                    if let Some(c) = s.get_mut(0..1) {
                        c.make_ascii_uppercase();
                    }
                    s
                },
                explanation: explanation.to_string(),
                remedy: remedy.to_string(),
                frames: r.frames.clone(),
                attempts: Vec::new(),
            }
        })
        .collect()
}
