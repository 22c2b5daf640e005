//! Deterministic benchmark captures for tcpopt.
//!
//! [`generate`] writes a legacy pcap (microsecond, Ethernet) of a mix that
//! makes the analysis do its full work:
//! - many short HTTP-like flows (handshake, request, a few response
//!   segments, ACKs, FIN exchange: server-first or client-first) and a few
//!   long bulk downloads that carry most of the packets;
//! - IPv4 and IPv6 (about a quarter), a VLAN-tagged subnet (802.1Q);
//! - every segment with the timestamps option (Linux layout: `NOP NOP TS`,
//!   SYNs with `MSS SACK_PERM TS NOP WS`), SACK blocks on some ACKs;
//! - clients of three kinds: one TS clock per host (old kernels),
//!   per-connection offsets (Linux ≥ 4.10), and NAT gateways hiding 2–4
//!   hosts with their own clocks (rates 1000, 250, 100 Hz), talking to a
//!   `tcp_tw_recycle` server that drops SYNs whose TSval is behind the
//!   per-host remembered one (they retransmit and give up: TS-01 material).
//!
//! Everything comes from one seeded SplitMix64, so a (size, seed, snaplen,
//! flows) tuple always gives the same bytes. `snaplen` cuts records as
//! `tcpdump -s` does (the original length stays in the record header).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// Stop once this many bytes have been written.
    pub target_bytes: u64,
    pub seed: u64,
    /// Bytes captured per packet (`tcpdump -s`); 0 = whole packets.
    pub snaplen: u32,
    /// Short flows spread over the whole capture (the flow count, and so
    /// the analyzer's memory, does not grow with `target_bytes`).
    pub short_flows: u64,
    /// Long bulk flows, open for the whole capture.
    pub bulk_flows: usize,
    /// Short flows open at once.
    pub concurrency: usize,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            target_bytes: 64 << 20,
            seed: 1,
            snaplen: 128,
            short_flows: 20_000,
            bulk_flows: 16,
            concurrency: 48,
        }
    }
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    pub packets: u64,
    pub bytes: u64,
    pub flows: u64,
    /// SYNs the tw_recycle server dropped (a connection whose
    /// retransmission got through counts its dropped SYNs too).
    pub dropped_syns: u64,
    /// Connections whose three SYNs were all dropped: the client gave up.
    pub gave_up: u64,
    /// Connections whose two SYNs so far were dropped when the capture
    /// ends (the third still to come): retried and unanswered, as the
    /// capture shows them.
    pub cut_retrying: u64,
}

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
    /// True with probability `p` per mille.
    pub fn permille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Addr {
    V4([u8; 4]),
    V6([u8; 16]),
}

/// A TS clock: TSval = offset + rate × t.
#[derive(Clone, Copy, Debug)]
struct Clock {
    offset: u32,
    hz: u64,
}

impl Clock {
    fn at(&self, t_ns: u64) -> u32 {
        self.offset
            .wrapping_add((t_ns / 1_000 * self.hz / 1_000_000) as u32)
    }
}

#[derive(Clone, Debug)]
enum ClientKind {
    OneClock(Clock),
    PerConnection,
    Nat(Vec<Clock>),
}

#[derive(Clone, Debug)]
struct Client {
    addr: Addr,
    mac: [u8; 6],
    vlan: Option<u16>,
    kind: ClientKind,
}

#[derive(Clone, Copy, Debug)]
struct Server {
    addr: Addr,
    port: u16,
    mac: [u8; 6],
    /// Drops SYNs behind the per-host remembered TSval (tcp_tw_recycle).
    recycle: bool,
}

const C2S: usize = 0;
const S2C: usize = 1;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

/// One scripted segment of a flow.
#[derive(Clone, Copy, Debug)]
struct Ev {
    dir: usize,
    flags: u8,
    payload: u32,
    /// Add one SACK block (a pretend loss just before `snd_nxt`).
    sack: bool,
    /// Capture-time gap before this segment (an RTT, a retransmission timer).
    wait_ns: u64,
    /// Count as a retransmission: same sequence number as the last one.
    retrans: bool,
}

const fn ev(dir: usize, flags: u8, payload: u32) -> Ev {
    Ev {
        dir,
        flags,
        payload,
        sack: false,
        wait_ns: 0,
        retrans: false,
    }
}

#[derive(Debug)]
struct Flow {
    client: usize,
    server: usize,
    cport: u16,
    clocks: [Clock; 2],
    /// Next sequence number per direction.
    seq: [u32; 2],
    /// Last TSval sent per direction (echoed by the peer).
    last_ts: [u32; 2],
    script: Vec<Ev>,
    step: usize,
    ready_at: u64,
    /// The flow ends with the server's FIN first: the client's FIN
    /// updates the tw_recycle server's remembered TSval.
    server_closes: bool,
    /// SYNs the tw_recycle server dropped so far (the client gives up
    /// after the third).
    syn_tries: u8,
}

/// Writes the capture to `out`.
pub fn generate<W: Write>(cfg: &GenConfig, out: W) -> io::Result<GenStats> {
    Generator::new(cfg).run(out)
}

/// The client addresses that are NAT gateways (2–4 hosts with their own
/// clocks behind one address) in the capture `cfg` makes: what tcpopt
/// should report as `MULTIPLE_TS_CLOCKS_BEHIND_IP` (each one that made
/// enough connections), and nothing else as that.
pub fn planted_nats(cfg: &GenConfig) -> Vec<std::net::IpAddr> {
    Generator::new(cfg)
        .clients
        .iter()
        .filter(|c| matches!(c.kind, ClientKind::Nat(_)))
        .map(|c| match c.addr {
            Addr::V4(a) => std::net::IpAddr::from(a),
            Addr::V6(a) => std::net::IpAddr::from(a),
        })
        .collect()
}

struct Generator<'c> {
    cfg: &'c GenConfig,
    rng: Rng,
    clients: Vec<Client>,
    servers: Vec<Server>,
    /// Per-client remembered TSval at the recycle server: (tsval, time).
    remembered: Vec<Option<(u32, u64)>>,
    now: u64,
    pkt: Vec<u8>,
    stats: GenStats,
    /// (client, server, client port) of every open flow (the bulk flows
    /// stay open for the whole capture): a new flow never takes one, as a
    /// real stack cannot open a second connection on an open 4-tuple.
    open_tuples: std::collections::HashSet<(usize, usize, u16)>,
}

/// Start of the capture: 2024-05-01T00:00:00Z.
const EPOCH_S: u64 = 1_714_521_600;
static ZEROS: [u8; 65536] = [0; 65536];

impl<'c> Generator<'c> {
    fn new(cfg: &'c GenConfig) -> Self {
        let mut rng = Rng::new(cfg.seed);
        let mut servers = Vec::new();
        for i in 0..8u8 {
            let port = if i % 2 == 0 { 80 } else { 443 };
            servers.push(Server {
                addr: Addr::V4([10, 1, 0, 1 + i]),
                port,
                mac: [0x02, 0, 0, 0, 1, i],
                recycle: i == 0,
            });
        }
        for i in 0..4u8 {
            let mut a = [0u8; 16];
            a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
            a[5] = 1;
            a[15] = 1 + i;
            servers.push(Server {
                addr: Addr::V6(a),
                port: 443,
                mac: [0x02, 0, 0, 0, 2, i],
                recycle: false,
            });
        }
        let mut clients = Vec::new();
        for i in 0..384u32 {
            let v6 = i >= 288;
            let addr = if v6 {
                let mut a = [0u8; 16];
                a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
                a[5] = 2;
                a[14] = (i >> 8) as u8;
                a[15] = i as u8;
                Addr::V6(a)
            } else {
                Addr::V4([198, 18, (i >> 8) as u8, i as u8])
            };
            let r = rng.below(100);
            let kind = if r < 40 {
                ClientKind::OneClock(Clock {
                    offset: rng.next_u64() as u32,
                    hz: 1000,
                })
            } else if r < 85 {
                ClientKind::PerConnection
            } else {
                let n = 2 + rng.below(3) as usize;
                let rates = [1000, 250, 100, 1000];
                ClientKind::Nat(
                    (0..n)
                        .map(|h| Clock {
                            offset: rng.next_u64() as u32,
                            hz: rates[h],
                        })
                        .collect(),
                )
            };
            clients.push(Client {
                addr,
                mac: [0x02, 0x10, 0, 0, (i >> 8) as u8, i as u8],
                vlan: (i % 8 == 0).then_some(100),
                kind,
            });
        }
        let n = clients.len();
        Generator {
            cfg,
            rng,
            clients,
            servers,
            remembered: vec![None; n],
            now: 0,
            pkt: Vec::with_capacity(2048),
            stats: GenStats::default(),
            open_tuples: std::collections::HashSet::new(),
        }
    }

    fn pick_server(&mut self, client: usize) -> usize {
        let v6 = matches!(self.clients[client].addr, Addr::V6(_));
        if v6 {
            8 + self.rng.below(4) as usize
        } else if matches!(self.clients[client].kind, ClientKind::Nat(_)) && self.rng.permille(500)
        {
            0
        } else {
            self.rng.below(8) as usize
        }
    }

    fn client_clock(&mut self, client: usize) -> Clock {
        let off = self.rng.next_u64() as u32;
        match &self.clients[client].kind {
            ClientKind::OneClock(c) => *c,
            ClientKind::PerConnection => Clock {
                offset: off,
                hz: 1000,
            },
            ClientKind::Nat(hosts) => {
                let h = (off as usize) % hosts.len();
                hosts[h]
            }
        }
    }

    fn new_flow(&mut self, bulk: bool) -> Flow {
        let client = self.rng.below(self.clients.len() as u64) as usize;
        let server = self.pick_server(client);
        let mut cport = 32768 + self.rng.below(28232) as u16;
        while !self.open_tuples.insert((client, server, cport)) {
            cport = 32768 + self.rng.below(28232) as u16;
        }
        let cclock = self.client_clock(client);
        let sclock = Clock {
            offset: self.rng.next_u64() as u32,
            hz: 1000,
        };
        let seq = [self.rng.next_u64() as u32, self.rng.next_u64() as u32];
        let server_closes = self.rng.permille(500);
        let mut f = Flow {
            client,
            server,
            cport,
            clocks: [cclock, sclock],
            seq,
            last_ts: [0, 0],
            script: Vec::new(),
            step: 0,
            ready_at: self.now,
            server_closes,
            syn_tries: 0,
        };
        let rtt = 200_000 + self.rng.below(20_000_000);
        let s = &mut f.script;
        s.push(ev(C2S, SYN, 0));
        s.push(Ev {
            wait_ns: rtt,
            ..ev(S2C, SYN | ACK, 0)
        });
        s.push(Ev {
            wait_ns: rtt,
            ..ev(C2S, ACK, 0)
        });
        if bulk {
            return f;
        }
        s.push(ev(C2S, PSH | ACK, 200 + self.rng.below(500) as u32));
        s.push(Ev {
            wait_ns: rtt,
            ..ev(S2C, ACK, 0)
        });
        let segs = 1 + self.rng.below(6);
        let sack = self.rng.permille(150);
        for i in 0..segs {
            let last = i + 1 == segs;
            let len = if last {
                1 + self.rng.below(1448) as u32
            } else {
                1448
            };
            s.push(ev(S2C, if last { PSH | ACK } else { ACK }, len));
            if i % 2 == 1 || last {
                s.push(Ev {
                    wait_ns: rtt,
                    sack: sack && i > 0,
                    ..ev(C2S, ACK, 0)
                });
            }
        }
        if server_closes {
            s.push(Ev {
                wait_ns: 5_000_000,
                ..ev(S2C, FIN | ACK, 0)
            });
            s.push(Ev {
                wait_ns: rtt,
                ..ev(C2S, FIN | ACK, 0)
            });
            s.push(Ev {
                wait_ns: rtt,
                ..ev(S2C, ACK, 0)
            });
        } else {
            s.push(Ev {
                wait_ns: 5_000_000,
                ..ev(C2S, FIN | ACK, 0)
            });
            s.push(Ev {
                wait_ns: rtt,
                ..ev(S2C, FIN | ACK, 0)
            });
            s.push(Ev {
                wait_ns: rtt,
                ..ev(C2S, ACK, 0)
            });
        }
        if self.rng.permille(20) {
            s.push(ev(C2S, RST, 0));
        }
        f
    }

    /// The next segment of a bulk flow after its handshake: two data
    /// segments down, one ACK up (sometimes with SACK).
    fn bulk_event(&mut self, f: &Flow) -> Ev {
        let k = (f.step - 3) % 3;
        if k < 2 {
            ev(S2C, ACK, 1448)
        } else {
            Ev {
                sack: self.rng.permille(20),
                ..ev(C2S, ACK, 0)
            }
        }
    }

    fn run<W: Write>(mut self, out: W) -> io::Result<GenStats> {
        let mut out = io::BufWriter::with_capacity(1 << 20, out);
        // pcap header: LE, microseconds, v2.4, snaplen, Ethernet.
        let snap = if self.cfg.snaplen == 0 {
            262_144
        } else {
            self.cfg.snaplen
        };
        let mut hdr = Vec::new();
        hdr.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        hdr.extend_from_slice(&2u16.to_le_bytes());
        hdr.extend_from_slice(&4u16.to_le_bytes());
        hdr.extend_from_slice(&[0; 8]);
        hdr.extend_from_slice(&snap.to_le_bytes());
        hdr.extend_from_slice(&1u32.to_le_bytes());
        out.write_all(&hdr)?;
        self.stats.bytes = hdr.len() as u64;

        let mut bulk: Vec<Flow> = (0..self.cfg.bulk_flows)
            .map(|_| self.new_flow(true))
            .collect();
        self.stats.flows += bulk.len() as u64;
        // Short flows waiting for their next segment, soonest first.
        let mut active: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
        let mut flows: Vec<Option<Flow>> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        let mut started: u64 = 0;
        let mut short_pkts_left: u64 = 0;
        const SHORT_PKTS: u64 = 14;
        while self.stats.bytes < self.cfg.target_bytes {
            // Keep the short flows spread over the whole capture.
            let left_bytes = self.cfg.target_bytes - self.stats.bytes;
            let avg = (self.stats.bytes / self.stats.packets.max(1)).max(60);
            let left_pkts = (left_bytes / avg).max(1);
            let short_left = (self.cfg.short_flows - started) * SHORT_PKTS + short_pkts_left;
            let p_short = (short_left * 1000 / left_pkts).min(1000);
            self.now += 1_000 + self.rng.below(38_000);
            let mut emitted = false;
            if self.rng.permille(p_short) {
                let ready = active.peek().is_some_and(|Reverse((t, _))| *t <= self.now);
                if !ready && started < self.cfg.short_flows {
                    let f = self.new_flow(false);
                    short_pkts_left += f.script.len() as u64;
                    let slot = free.pop().unwrap_or_else(|| {
                        flows.push(None);
                        flows.len() - 1
                    });
                    flows[slot] = Some(f);
                    active.push(Reverse((self.now, slot as u64)));
                    started += 1;
                    self.stats.flows += 1;
                }
                if let Some(&Reverse((t, slot))) = active.peek() {
                    if t <= self.now {
                        active.pop();
                        let slot = slot as usize;
                        if let Some(mut f) = flows[slot].take() {
                            let e = f.script[f.step];
                            let dropped = self.paws_drops(&f, &e);
                            self.emit(&mut f, e, &mut out)?;
                            short_pkts_left -= 1;
                            if dropped {
                                self.stats.dropped_syns += 1;
                                if f.syn_tries < 2 {
                                    // Unanswered: the client retransmits
                                    // after its RTO (1 s, then 2 s).
                                    f.syn_tries += 1;
                                    f.script.insert(
                                        f.step + 1,
                                        Ev {
                                            wait_ns: 1_000_000_000 << (f.syn_tries - 1),
                                            retrans: true,
                                            ..ev(C2S, SYN, 0)
                                        },
                                    );
                                    short_pkts_left += 1;
                                } else {
                                    // It gives up.
                                    self.stats.gave_up += 1;
                                    let rest = f.script.len() - f.step - 1;
                                    short_pkts_left -= rest as u64;
                                    f.script.truncate(f.step + 1);
                                }
                            }
                            f.step += 1;
                            if let Some(next) = f.script.get(f.step) {
                                active.push(Reverse((self.now + next.wait_ns, slot as u64)));
                                flows[slot] = Some(f);
                            } else {
                                self.open_tuples.remove(&(f.client, f.server, f.cport));
                                free.push(slot);
                            }
                            emitted = true;
                        }
                    }
                }
            }
            if !emitted && !bulk.is_empty() {
                let i = self.rng.below(bulk.len() as u64) as usize;
                let mut f = core::mem::replace(&mut bulk[i], Flow::placeholder());
                let e = if f.step < f.script.len() {
                    f.script[f.step]
                } else {
                    self.bulk_event(&f)
                };
                self.emit(&mut f, e, &mut out)?;
                f.step += 1;
                bulk[i] = f;
            }
        }
        for f in flows.iter().flatten() {
            if f.syn_tries >= 2 {
                self.stats.cut_retrying += 1;
            }
        }
        out.flush()?;
        Ok(self.stats)
    }

    /// Whether the `tcp_tw_recycle` server drops this segment, decided
    /// when it is sent, as `tcp_peer_is_proven()` does: a SYN whose TSval
    /// is more than TCP_PAWS_WINDOW (1) behind the client address's
    /// remembered one, remembered less than TCP_PAWS_MSL (60 s) ago.
    fn paws_drops(&self, f: &Flow, e: &Ev) -> bool {
        self.servers[f.server].recycle
            && e.dir == C2S
            && e.flags & SYN != 0
            && e.flags & ACK == 0
            && self.remembered[f.client].is_some_and(|(ts, at)| {
                self.now.saturating_sub(at) < 60_000_000_000
                    && (ts.wrapping_sub(f.clocks[C2S].at(self.now)) as i32) > 1
            })
    }

    fn emit<W: Write>(&mut self, f: &mut Flow, e: Ev, out: &mut W) -> io::Result<()> {
        f.ready_at = self.now;
        let client = &self.clients[f.client];
        let server = self.servers[f.server];
        let d = e.dir;
        let (src, dst, sport, dport, smac, dmac) = if d == C2S {
            (
                client.addr,
                server.addr,
                f.cport,
                server.port,
                client.mac,
                server.mac,
            )
        } else {
            (
                server.addr,
                client.addr,
                server.port,
                f.cport,
                server.mac,
                client.mac,
            )
        };
        let tsval = f.clocks[d].at(self.now);
        let tsecr = if e.flags & SYN != 0 && e.flags & ACK == 0 {
            0
        } else {
            f.last_ts[1 - d]
        };
        if e.flags & RST == 0 {
            f.last_ts[d] = tsval;
        }
        if e.retrans {
            f.seq[d] = f.seq[d].wrapping_sub(1);
        }
        let seq = f.seq[d];
        let ack = if e.flags & ACK != 0 { f.seq[1 - d] } else { 0 };
        let consumes = e.payload + u32::from(e.flags & (SYN | FIN) != 0);
        f.seq[d] = f.seq[d].wrapping_add(consumes);

        // TCP options, Linux layout.
        let mut opts = [0u8; 40];
        let olen = if e.flags & RST != 0 {
            0
        } else if e.flags & SYN != 0 {
            opts[..20].copy_from_slice(&[
                2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7,
            ]);
            opts[8..12].copy_from_slice(&tsval.to_be_bytes());
            opts[12..16].copy_from_slice(&tsecr.to_be_bytes());
            20
        } else {
            opts[..12].copy_from_slice(&[1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0]);
            opts[4..8].copy_from_slice(&tsval.to_be_bytes());
            opts[8..12].copy_from_slice(&tsecr.to_be_bytes());
            if e.sack {
                let right = ack.wrapping_add(2896);
                opts[12..16].copy_from_slice(&[1, 1, 5, 10]);
                opts[16..20].copy_from_slice(&ack.wrapping_add(1448).to_be_bytes());
                opts[20..24].copy_from_slice(&right.to_be_bytes());
                24
            } else {
                12
            }
        };
        let tcp_len = 20 + olen;
        let p = &mut self.pkt;
        p.clear();
        p.extend_from_slice(&dmac);
        p.extend_from_slice(&smac);
        if let Some(v) = client.vlan {
            p.extend_from_slice(&[0x81, 0x00]);
            p.extend_from_slice(&v.to_be_bytes());
        }
        let mut sum: u32 = 0;
        match (src, dst) {
            (Addr::V4(s), Addr::V4(dd)) => {
                p.extend_from_slice(&[0x08, 0x00]);
                let ip_start = p.len();
                let total = (20 + tcp_len as u32 + e.payload) as u16;
                let id = (self.stats.packets as u16).wrapping_mul(31);
                p.extend_from_slice(&[0x45, 0]);
                p.extend_from_slice(&total.to_be_bytes());
                p.extend_from_slice(&id.to_be_bytes());
                p.extend_from_slice(&[0x40, 0, if d == C2S { 64 } else { 57 }, 6, 0, 0]);
                p.extend_from_slice(&s);
                p.extend_from_slice(&dd);
                let c = !fold(sum16(&p[ip_start..ip_start + 20]));
                p[ip_start + 10..ip_start + 12].copy_from_slice(&c.to_be_bytes());
                sum += sum16(&s) + sum16(&dd) + 6 + tcp_len as u32 + e.payload;
            }
            (Addr::V6(s), Addr::V6(dd)) => {
                p.extend_from_slice(&[0x86, 0xdd]);
                let plen = (tcp_len as u32 + e.payload) as u16;
                p.extend_from_slice(&[0x60, 0, 0, 0]);
                p.extend_from_slice(&plen.to_be_bytes());
                p.extend_from_slice(&[6, if d == C2S { 64 } else { 57 }]);
                p.extend_from_slice(&s);
                p.extend_from_slice(&dd);
                sum += sum16(&s) + sum16(&dd) + 6 + tcp_len as u32 + e.payload;
            }
            _ => unreachable!("clients and servers of one family are paired"),
        }
        let tcp_start = p.len();
        p.extend_from_slice(&sport.to_be_bytes());
        p.extend_from_slice(&dport.to_be_bytes());
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&ack.to_be_bytes());
        p.push(((tcp_len / 4) as u8) << 4);
        p.push(e.flags);
        let win: u16 = if e.flags & SYN != 0 { 64240 } else { 501 };
        p.extend_from_slice(&win.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 0]);
        p.extend_from_slice(&opts[..olen]);
        // The payload is zeros: it adds nothing to the checksum.
        sum += sum16(&p[tcp_start..]);
        let c = !fold(sum);
        p[tcp_start + 16..tcp_start + 18].copy_from_slice(&c.to_be_bytes());

        let wire = p.len() as u32 + e.payload;
        let cap = if self.cfg.snaplen == 0 {
            wire
        } else {
            wire.min(self.cfg.snaplen)
        };
        let t = self.now;
        let us = t / 1000;
        let mut rec = [0u8; 16];
        rec[0..4].copy_from_slice(&((EPOCH_S + us / 1_000_000) as u32).to_le_bytes());
        rec[4..8].copy_from_slice(&((us % 1_000_000) as u32).to_le_bytes());
        rec[8..12].copy_from_slice(&cap.to_le_bytes());
        rec[12..16].copy_from_slice(&wire.to_le_bytes());
        out.write_all(&rec)?;
        let head = (cap as usize).min(p.len());
        out.write_all(&p[..head])?;
        let mut rest = cap as usize - head;
        while rest > 0 {
            let n = rest.min(ZEROS.len());
            out.write_all(&ZEROS[..n])?;
            rest -= n;
        }
        self.stats.packets += 1;
        self.stats.bytes += 16 + u64::from(cap);

        // tcp_tw_recycle bookkeeping: the server closed first, so the
        // client's FIN is the segment that moves the server's socket to
        // TIME_WAIT, and its TSval is the `ts_recent` that
        // `tcp_remember_stamp()` stores for the client address: only when
        // it is not older than the stamp it has, or that stamp is older than
        // TCP_PAWS_MSL. (This used to look for the client's last bare ACK,
        // which a server-first close does not have: almost nothing was
        // remembered, and the few drops matched no kernel rule.)
        if server.recycle && f.server_closes && d == C2S && e.flags & FIN != 0 {
            let keep = self.remembered[f.client].is_none_or(|(old, at)| {
                (tsval.wrapping_sub(old) as i32) >= 0
                    || self.now.saturating_sub(at) > 60_000_000_000
            });
            if keep {
                self.remembered[f.client] = Some((tsval, self.now));
            }
        }
        Ok(())
    }
}

impl Flow {
    fn placeholder() -> Self {
        Flow {
            client: 0,
            server: 0,
            cport: 0,
            clocks: [Clock { offset: 0, hz: 0 }; 2],
            seq: [0; 2],
            last_ts: [0; 2],
            script: Vec::new(),
            step: 0,
            ready_at: 0,
            server_closes: false,
            syn_tries: 0,
        }
    }
}

fn sum16(b: &[u8]) -> u32 {
    let mut s = 0u32;
    let mut it = b.chunks_exact(2);
    for c in &mut it {
        s += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [x] = it.remainder() {
        s += u32::from(*x) << 8;
    }
    s
}

fn fold(mut s: u32) -> u16 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u16
}

/// Generates a capture in memory (for the criterion benchmarks).
pub fn generate_vec(cfg: &GenConfig) -> (Vec<u8>, GenStats) {
    let mut v = Vec::with_capacity(cfg.target_bytes as usize + 4096);
    let s = generate(cfg, &mut v).expect("writing to a Vec cannot fail");
    (v, s)
}

/// Command line of the extraction binaries (`baseline`, `extract`):
/// `NAME [--print] FILE`. Returns whether to print and the opened file, or
/// the exit status after saying what was wrong.
pub fn extraction_args(
    name: &str,
) -> Result<(bool, String, std::fs::File), std::process::ExitCode> {
    let a = baseline_args(name, false)?;
    Ok((a.print, a.path, a.file))
}

/// The baseline's arguments: `extraction_args` plus `--flows`.
pub struct BaselineArgs {
    pub print: bool,
    /// Keep one hash entry per direction (packets and the latest
    /// timestamps): the flow-tracking baseline of the busy-server issue.
    pub flows: bool,
    pub path: String,
    pub file: std::fs::File,
}

pub fn baseline_args(
    name: &str,
    flows_allowed: bool,
) -> Result<BaselineArgs, std::process::ExitCode> {
    let (mut print, mut flows) = (false, false);
    let mut path = None;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--print" => print = true,
            "--flows" if flows_allowed => flows = true,
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        let extra = if flows_allowed { " [--flows]" } else { "" };
        eprintln!("usage: {name} [--print]{extra} FILE");
        return Err(std::process::ExitCode::from(2));
    };
    match std::fs::File::open(&path) {
        Ok(file) => Ok(BaselineArgs {
            print,
            flows,
            path,
            file,
        }),
        Err(e) => {
            eprintln!("{name}: {path}: {e}");
            Err(std::process::ExitCode::from(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcpopt_parse::capture::packets;
    use tcpopt_parse::dissect::Dissected;

    #[test]
    fn deterministic_and_every_segment_decodes_with_timestamps() {
        let cfg = GenConfig {
            target_bytes: 2 << 20,
            short_flows: 500,
            ..GenConfig::default()
        };
        let (a, sa) = generate_vec(&cfg);
        let (b, _) = generate_vec(&cfg);
        assert!(a == b, "same config, same bytes");
        assert_eq!(sa.bytes, a.len() as u64);
        let (mut n, mut tcp, mut ts, mut rst, mut v6, mut vlan) = (0, 0, 0, 0, 0, 0);
        for r in packets(&a) {
            let r = r.expect("well-formed record");
            n += 1;
            let d = Dissected::of(&r);
            assert_eq!(d.stop, None, "frame {} decodes to its end", r.frame);
            let s = d.segment().expect("every packet is a TCP segment");
            tcp += 1;
            if s.timestamps.is_some() {
                ts += 1;
            } else {
                assert!(s.flags.rst(), "only RSTs go without timestamps");
                rst += 1;
            }
            v6 += usize::from(s.src.is_ipv6());
            vlan += usize::from(d.decoded.link.is_some_and(|l| l.vlan_count == 1));
            assert!(r.caplen <= 128 && r.origlen >= r.caplen);
        }
        assert_eq!(n, sa.packets);
        assert_eq!(tcp, n);
        assert_eq!(ts + rst, n);
        assert!(
            v6 > 0 && vlan > 0,
            "the mix has IPv6 and VLAN-tagged packets"
        );
    }

    /// Exactly what was planted, nothing else: NAT findings only on the
    /// planted NAT addresses, and the tw_recycle server's drops (of NAT
    /// addresses and of hosts with per-connection offsets, Linux 4.10's
    /// famous clash with tw_recycle) reported as TS-01, SYN for SYN: every
    /// SYN the generator's server dropped by `tcp_peer_is_proven()`'s rule
    /// is one tcpopt's own rule predicts from the capture.
    #[test]
    fn the_analysis_finds_the_planted_anomalies() {
        let cfg = GenConfig {
            target_bytes: 64 << 20,
            ..GenConfig::default()
        };
        let (cap, s) = generate_vec(&cfg);
        assert!(s.dropped_syns > 0);
        let acfg = tcpopt_parse::analysis::Config {
            max_findings_per_code: 100_000,
            ..tcpopt_parse::analysis::Config::default()
        };
        let report = tcpopt_parse::pipeline::analyze_bytes(&cap, acfg);
        use tcpopt_parse::analysis::{Code, Evidence};
        let planted: Vec<String> = planted_nats(&cfg).iter().map(|a| a.to_string()).collect();
        let (mut nat, mut dropped, mut failed) = (0, 0u64, 0u64);
        for f in &report.findings {
            let client = f.client.clone().unwrap_or_default();
            match f.code {
                Code::MultipleTsClocksBehindIp => {
                    nat += 1;
                    assert!(
                        planted.contains(&client),
                        "{client} is not a planted NAT: {}",
                        f.summary
                    );
                }
                Code::TwRecyclePerHostPawsDrop => match &f.evidence {
                    Evidence::TwRecycle(e) => {
                        dropped += u64::from(e.dropped_syns);
                        failed += u64::from(e.failed_connections);
                    }
                    e => panic!("TS-01 with {e:?}"),
                },
                c => panic!("{c:?} was not planted: {}", f.summary),
            }
        }
        assert!(nat > 0);
        // TS-01 counts the connections that failed (their 3 SYNs); those
        // whose retransmission got through were served.
        // (And the attempts the capture's end cut after two SYNs.)
        assert!(s.gave_up > 0 && s.dropped_syns > 3 * s.gave_up);
        assert_eq!(
            failed,
            s.gave_up + s.cut_retrying,
            "TS-01 counts every connection that gave up"
        );
        assert_eq!(
            dropped,
            3 * s.gave_up + 2 * s.cut_retrying,
            "and their dropped SYNs"
        );
        assert_eq!(report.stats.flows, s.flows);
    }

    /// The CLI's two-thread mode (`Config::worker_thread`) gives the
    /// one-thread report byte for byte, and the same streamed flows in the
    /// same order, on a busy server: more one-connection clock lines than
    /// the clustering keeps (`cluster::MAX_OPEN_SINGLES`, so lines are
    /// forgotten), bulk flows holding their pairs' order back past
    /// `cluster::MAX_PENDING`, and the planted NAT clocks and drops.
    #[test]
    fn the_worker_thread_gives_the_one_thread_report_on_a_busy_server() {
        let cfg = GenConfig {
            target_bytes: 120 << 20,
            short_flows: 100_000,
            bulk_flows: 4,
            ..GenConfig::default()
        };
        let (cap, _) = generate_vec(&cfg);
        let run = |worker_thread: bool| {
            let mut a =
                tcpopt_parse::pipeline::CaptureAnalysis::new(tcpopt_parse::analysis::Config {
                    worker_thread,
                    stream_flows: true,
                    ..tcpopt_parse::analysis::Config::default()
                });
            let mut flows = Vec::new();
            let line = |f: &tcpopt_parse::analysis::FlowReport| {
                serde_json::to_string(f).expect("flow serialises")
            };
            for c in cap.chunks(1 << 16) {
                a.push(c);
                flows.extend(a.drain_retired().map(|f| line(&f)));
            }
            let r = a.finish_streaming(&mut |_| {}, &mut |f| flows.push(line(f)));
            (
                serde_json::to_string(&r).expect("report serialises"),
                flows,
                r,
            )
        };
        let (one, one_flows, r) = run(false);
        let (two, two_flows, _) = run(true);
        assert!(
            r.limits.clock_lines_forgotten > 0,
            "the test must pass the clustering's cap"
        );
        assert!(r.findings.len() > 1, "{:?}", r.verdict);
        assert_eq!(one_flows.len() as u64, r.stats.flows);
        assert!(one == two, "the reports differ");
        assert!(one_flows == two_flows, "the streamed flows differ");
    }
}
