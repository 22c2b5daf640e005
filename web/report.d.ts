// Generated from the Rust report types by tcpopt-parse's `schema` feature
// (tests/schema.rs; regenerate: TCPOPT_BLESS=1 cargo test -p tcpopt-parse --features schema --test schema).
// Do not edit.

/**
 * The analysis result. `schema_version` changes when a field changes
 * meaning or disappears; added fields keep it.
 */
export interface Report {
  /**
   * The schema's version: changes when a field changes meaning or disappears
   * (added fields keep it).
   */
  schema_version: number;
  /**
   * One line for a ticket: the most severe warning or critical finding's
   * summary; otherwise "no timestamp anomaly found in N connections from M
   * clients (timestamps on P % of S segments)", followed by "; note: " and
   * the first info finding's summary when there is one.
   */
  verdict: string;
  /**
   * What the capture reader saw (format, packets, read errors).
   */
  capture: CaptureSummary;
  /**
   * What the analyzer saw.
   */
  stats: Stats;
  /**
   * The findings, sorted by severity (critical first), then by first frame.
   */
  findings: Finding[];
  /**
   * Schema v2: only the flows that `findings[].flows` name, by `index`
   * (the complete list is a stream: `tcpopt flows`, the page's CSV).
   */
  flows: FlowReport[];
  /**
   * Counts over every flow, listed or not.
   */
  totals: Totals;
  /**
   * The TS clocks of every (client address, server address) pair, sorted by
   * client, then server.
   */
  clocks: ClockPair[];
  /**
   * The caps of the analysis and whether they were hit.
   */
  limits: Limits;
}

/**
 * One fault met while reading or decoding: where (frame, layer, byte),
 * what (`kind`, with its numbers beside it in the JSON), and how the input
 * was compressed. Built in `pipeline` from the decoder's typed
 * [`Error`](crate::error::Error); a reader words it from these fields.
 */
export type CaptureError = {
  /**
   * The frame (Wireshark numbering, from 1): for the fault that stopped
   * reading, one more than the packets read whole.
   */
  frame: number;
  /**
   * The byte of the fault. Its origin depends on `layer`: for capture
   * framing (`capture`, `pcap`, `pcapng`) the capture file, counted in
   * decompressed bytes when `compressed` is not `none`; for
   * `compression` the compressed file; for the packet layers
   * (`ethernet` ... `tcp_option`) the frame's own data, as in
   * Wireshark's bytes pane.
   */
  offset: number;
  /**
   * The layer that failed (`capture`, `pcapng`, `gzip`, `ethernet`, `ipv4`, `tcp`, ...).
   */
  layer: Layer;
  /**
   * How the input was compressed (`none`, `gzip`, `zstd`).
   */
  compressed: Compression;
  /**
   * The kind in words (`truncated: needs 108 bytes, 20 available`),
   * without the frame, layer and offset that stand beside it.
   */
  detail: string;
} & (
  | {
    kind: "truncated";
    needed: number;
    available: number;
  }
  | {
    kind: "bad_magic";
    found: number;
  }
  | {
    kind: "bad_length";
    what: string;
    value: number;
  }
  | {
    kind: "too_large";
    what: string;
    value: number;
    max: number;
  }
  | {
    kind: "bad_version";
    major: number;
    minor: number;
  }
  | {
    kind: "bad_value";
    what: string;
    value: number;
  }
  | {
    kind: "unsupported";
    what: string;
    value: number;
  }
  | {
    kind: "too_deep";
    what: string;
    limit: number;
  }
  | {
    kind: "unknown_interface";
    id: number;
  }
  | {
    kind: "bad_ip_version";
    first_byte: number;
  }
  | {
    kind: "corrupt";
    what: string;
  }
);

/**
 * What the capture driver knows about the file; the analyzer copies it
 * into the report untouched.
 */
export interface CaptureSummary {
  /**
   * `pcap`, `pcapng`, ...
   */
  format: string;
  /**
   * The link types of the capture's interfaces (`Ethernet`, `Linux SLL`,
   * ...); empty without packets.
   */
  link_types: string[];
  /**
   * Packets (frames) read.
   */
  packets: number;
  /**
   * Frames that decoded to a TCP segment.
   */
  tcp_segments: number;
  /**
   * TCP segments that carry a timestamps option.
   */
  segments_with_timestamps: number;
  /**
   * First and last capture time, as `Timestamp`'s Display (all the
   * capture's digits); null for an empty capture or one whose packets
   * carry no time.
   */
  first_ts: string | null;
  /**
   * Last capture time, like `first_ts`.
   */
  last_ts: string | null;
  /**
   * Faults met while reading or decoding, in order; the first is why reading
   * stopped when `complete` is false.
   */
  errors: CaptureError[];
  /**
   * How many packets' decoding stopped at damage, all of them (`errors`
   * lists at most 20).
   */
  packet_errors: number;
  /**
   * False when reading stopped early (truncated file, fatal error).
   */
  complete: boolean;
  /**
   * Packets that may hold TCP but could not be decoded (an unsupported
   * link type or EtherType, encrypted or fragmented payloads), by
   * reason; see [`crate::undecoded`]. Absent from the JSON when every
   * packet was decoded.
   */
  undecoded?: Undecoded;
  /**
   * Packets that carry no capture time (pcapng Simple Packet Blocks,
   * §4.4); they take no part in `first_ts` and `last_ts`. Absent from
   * the JSON when 0.
   */
  untimed_packets?: number;
}

/**
 * How the TS clocks behind one client address are explained.
 * - "no_timestamps": No TSvals from this client to this server.
 * - "one_clock": One clock line.
 * - "nat_same_host": Several lines, each reused by several connections: NAT. Same rate and |Δskew| < 2 ppm: one machine (host and containers/netns).
 * - "nat_different_machines": Several reused lines whose rate or skew differ: different machines.
 * - "nat": Several reused lines; skew not measurable (data spans < 10 min).
 * - "per_connection_offsets": (Nearly) one line per connection: per-connection TSval offsets (Linux 4.10, Linux with 165573e41f2f, FreeBSD, macOS), not NAT.
 * - "undetermined": Several lines, too few of them reused to tell NAT from per-connection offsets.
 * - "sequential_clocks": Several reused lines that follow one another in time and never overlap: one host whose clock restarted, slept or changed offset. NAT needs connections on different lines at the same time.
 */
export type ClockClass = "no_timestamps" | "one_clock" | "nat_same_host" | "nat_different_machines" | "nat" | "per_connection_offsets" | "undetermined" | "sequential_clocks";

/**
 * A TS clock line in the report.
 */
export interface ClockLine {
  /**
   * The line's number in its pair, in order of creation (from 0);
   * `flows[].clock_line` refers to it. Numbers of one-connection lines
   * that were forgotten (`limits.clock_lines_forgotten`) are skipped.
   */
  id: number;
  /**
   * Connections on this line.
   */
  connections: number;
  /**
   * The line's first frame.
   */
  first_frame: number;
  /**
   * The line's clock rate (Hz), when measurable.
   */
  rate_hz: number | null;
  /**
   * The line's TSval at the capture's time origin, when measurable.
   */
  offset: number | null;
  /**
   * The rate was within 2 % of 10/100/250/300/1000/10^6 Hz and snapped.
   */
  rate_snapped: boolean;
  /**
   * Capture time from the line's first to its last point (s).
   */
  span_s: number;
  /**
   * Lower-envelope skew in ppm, only with ≥ 10 min of data.
   */
  skew_ppm: number | null;
  /**
   * Ids of the line's earliest flows (by frame), at most 4;
   * `connections` counts them all.
   */
  flows: number[];
}

/**
 * The clocks of one (client address, server address) pair.
 */
export interface ClockPair {
  /**
   * The client address.
   */
  client: string;
  /**
   * The server address.
   */
  server: string;
  /**
   * How the clocks behind the client address are explained.
   */
  classification: ClockClass;
  /**
   * The classification in words.
   */
  description: string;
  /**
   * Connections from the client to the server with client TSvals.
   */
  connections_with_ts: number;
  /**
   * Connections without client TSvals.
   */
  connections_without_ts: number;
  /**
   * The pair's first lines (in order of first TSval), at most
   * [`crate::analysis::MAX_REPORT_LINES`]: a host with
   * per-connection offsets has one line per connection. The labels
   * A, B, … index into it; `FlowReport::clock_line` may point past it.
   */
  lines: ClockLine[];
  /**
   * Every clock line of the pair, listed or not.
   */
  lines_total: number;
}

/**
 * TS-06.
 */
export interface ClocksEvidence {
  /**
   * How the clocks are explained.
   */
  classification: ClockClass;
  /**
   * The clock lines behind the address.
   */
  lines: LineSummary[];
  /**
   * Connections with client TSvals.
   */
  connections_with_ts: number;
  /**
   * Connections without client TSvals.
   */
  connections_without_ts: number;
  /**
   * The largest skew difference between lines (ppm), with at least 10 min of
   * data.
   */
  skew_difference_ppm: number | null;
  /**
   * How sure the NAT verdict is: `high` when at least two pairs of
   * reused lines interleave at least twice each way, else `medium`.
   */
  confidence: Confidence;
  /**
   * Connections on one line that started while another line was in use
   * (the positive evidence of NAT).
   */
  interleaved_connections: number;
}

/**
 * The detector codes of `spec/timestamps.md` §4 (serialised verbatim).
 * - "TW_RECYCLE_PER_HOST_PAWS_DROP": TS-01.
 * - "TIMEWAIT_SYN_REJECTED_OLD_TSVAL": TS-02.
 * - "INFLOW_TSVAL_REGRESSION": TS-03.
 * - "TS_OPTION_STRIPPED_OR_INJECTED": TS-04.
 * - "TS_NOT_NEGOTIATED": TS-04's informational sibling: SYN with TS, SYN-ACK without.
 * - "TSECR_MISMATCH": TS-05.
 * - "MULTIPLE_TS_CLOCKS_BEHIND_IP": TS-06.
 * - "TSVAL_WRAP": TS-07.
 * - "TS_CLOCK_RATE_ANOMALY": TS-08.
 * - "SYNTHETIC_TSVAL_PROBE": TS-09.
 * - "SYN_UNANSWERED": TS-10.
 * - "FOURTUPLE_COLLISION": A SYN on a 4-tuple whose connection is still open, answered by a (challenge) ACK: two clients share one 4-tuple (lab `collision`).
 * - "TS_CLOCK_USEC": TS-08's known mode: a 1 MHz TSval clock, Linux `tcp_usec_ts` (Linux >= 6.7, per route): context, not an anomaly (lab `usec-ts`).
 * - "SYN_COOKIES": A Linux server answering with SYN cookies where it costs the client window scaling and SACK (it sent no timestamps): info (lab `syncookies`).
 */
export type Code = "TW_RECYCLE_PER_HOST_PAWS_DROP" | "TIMEWAIT_SYN_REJECTED_OLD_TSVAL" | "INFLOW_TSVAL_REGRESSION" | "TS_OPTION_STRIPPED_OR_INJECTED" | "TS_NOT_NEGOTIATED" | "TSECR_MISMATCH" | "MULTIPLE_TS_CLOCKS_BEHIND_IP" | "TSVAL_WRAP" | "TS_CLOCK_RATE_ANOMALY" | "SYNTHETIC_TSVAL_PROBE" | "SYN_UNANSWERED" | "FOURTUPLE_COLLISION" | "TS_CLOCK_USEC" | "SYN_COOKIES";

/**
 * `FOURTUPLE_COLLISION`.
 */
export interface CollisionEvidence {
  /**
   * New SYNs (not retransmissions) that met an open connection.
   */
  syns_on_open_connections: number;
  /**
   * Those SYNs with their retransmissions: the server's TCPSYNChallenge
   * counts each one it answered.
   */
  syn_segments: number;
  /**
   * Of those attempts, attempts that still got a SYN-ACK (the client reset the
   * old connection and retried).
   */
  recovered: number;
  /**
   * The client port of the 4-tuple.
   */
  client_port: number;
  /**
   * The server port of the 4-tuple.
   */
  server_port: number;
  /**
   * The first one's challenge ACK: its `ack` is the open connection's.
   */
  challenge_ack_frame: number;
  /**
   * Time since the open connection's last segment at the first one (s).
   */
  seconds_since_open_connection_seen: number;
}

/**
 * How the input was compressed, as detected from its first bytes (gzip,
 * RFC 1952 §2.3.1; zstd, RFC 8878 §3.1.1). Decided once, by the
 * decompressor, and carried with every fault.
 * - "none": Not compressed (or not read far enough to tell).
 */
export type Compression = "gzip" | "zstd" | "none";

/**
 * How sure TS-01 is (spec: high with ≥ 2 dropped SYNs plus TS-06).
 */
export type Confidence = "high" | "medium";

/**
 * Typed evidence, one shape per code (serialised as a plain object; the
 * finding's `code` says which shape it is).
 */
export type Evidence = TwRecycleEvidence | SynUnansweredEvidence | TimeWaitEvidence | RegressionEvidence | OptionsEvidence | NotNegotiatedEvidence | TsecrEvidence | ClocksEvidence | WrapEvidence | RateEvidence | ProbeEvidence | CollisionEvidence | SynCookiesEvidence;

/**
 * A finding, grouped per (client address, server address).
 */
export interface Finding {
  /**
   * Which detector found it (`spec/timestamps.md` §4).
   */
  code: Code;
  /**
   * How bad it is.
   */
  severity: Severity;
  /**
   * One line with the numbers that matter.
   */
  summary: string;
  /**
   * What happened and why, for a ticket.
   */
  explanation: string;
  /**
   * What to change, with the exact setting.
   */
  remedy: string;
  /**
   * Wireshark frame numbers proving it, sorted, deduplicated, capped at
   * `Config::max_evidence_frames`.
   */
  frames: number[];
  /**
   * How many frames the finding had before the cap (counting frames a
   * per-flow cap did not keep, e.g. SYNs past the 8th, and the SYNs of
   * the connection attempts a SYN finding counts but does not list).
   */
  frames_total: number;
  /**
   * Flow ids (`FlowReport::index`), sorted, at most
   * `limits.max_evidence_frames`; the report's `flows` lists them.
   */
  flows: number[];
  /**
   * How many flows the finding had before the cap.
   */
  flows_total: number;
  /**
   * The client address the finding is about, when it is about one.
   */
  client: string | null;
  /**
   * The server address the finding is about, when it is about one.
   */
  server: string | null;
  /**
   * The numbers behind the finding; the shape follows `code`.
   */
  evidence: Evidence;
}

/**
 * One flow (connection attempt). A new SYN with a new ISN on a 4-tuple
 * starts a new flow, so TIME_WAIT reuse gives several flows per 4-tuple.
 *
 * Built once, when the flow is retired (closed both ways, reset after
 * its handshake, superseded by a new SYN on its 4-tuple, idle past
 * `Config::idle_timeout_ns` / `closing_idle_timeout_ns`, or open at the
 * end). The report's `flows` holds the ones findings name; the complete
 * list is the stream of [`crate::analysis::Analyzer::drain_retired`].
 */
export interface FlowReport {
  /**
   * Stable flow id: the order flows were created (0-based).
   * `findings[].flows` and `previous_flow` refer to it.
   */
  index: number;
  /**
   * The client's address (the SYN's sender; guessed for a mid-stream flow).
   */
  client: string;
  /**
   * The client's port.
   */
  client_port: number;
  /**
   * The server's address.
   */
  server: string;
  /**
   * The server's port.
   */
  server_port: number;
  /**
   * The capture started after the SYN: the client is a guess (a port below
   * 1024 facing one above is the server, otherwise the higher port is the
   * client, on a tie the first sender).
   */
  mid_stream: boolean;
  /**
   * How the handshake went.
   */
  handshake: Handshake;
  /**
   * The flow's first frame.
   */
  first_frame: number;
  /**
   * The flow's last frame.
   */
  last_frame: number;
  /**
   * Frames of the client's SYNs, the first 8.
   */
  syn_frames: number[];
  /**
   * SYNs the client sent, retransmissions included.
   */
  syns: number;
  /**
   * Of those, retransmissions (the same ISN).
   */
  syn_retransmissions: number;
  /**
   * The server's SYN-ACK, when there was one.
   */
  synack_frame: number | null;
  /**
   * Both the SYN and the SYN-ACK carried timestamps (RFC 7323 §3.2).
   */
  ts_negotiated: boolean;
  /**
   * Who sent the first FIN (the side that closes first holds TIME_WAIT);
   * null without a FIN.
   */
  first_fin: Side | null;
  /**
   * The client sent a RST.
   */
  client_rst: boolean;
  /**
   * The server sent a RST.
   */
  server_rst: boolean;
  /**
   * The client's TSvals.
   */
  client_ts: TsRange;
  /**
   * The server's TSvals.
   */
  server_ts: TsRange;
  /**
   * The `id` of the client's clock line in its pair (`Report::clocks`;
   * the report lists a pair's first lines only). Null when the client
   * sent no TSval. Streamed flows carry it too: they are streamed once
   * their line is known.
   */
  clock_line: number | null;
  /**
   * The rate of that clock line (Hz), when known: as measured when the
   * flow was put on it for a streamed flow, at the end of the capture
   * for the report's `flows`.
   */
  client_rate_hz: number | null;
  /**
   * The flow looks like a scanner's probe (TS-09: nmap's or traceroute's
   * TSvals, TSval 0).
   */
  probe: boolean;
  /**
   * The previous flow on the same 4-tuple.
   */
  previous_flow: number | null;
}

/**
 * How the handshake of a flow went.
 * - "completed": SYN, SYN-ACK and the third ACK seen.
 * - "syn_acked": SYN-ACK seen, third ACK not (yet).
 * - "syn_unanswered": No answer to any SYN of the attempt.
 * - "syn_answered_by_rst": The server answered the SYN with a RST.
 * - "syn_answered_by_bare_ack": A non-SYN ACK answered the SYN (TIME_WAIT or challenge ACK).
 * - "mid_stream": The capture started after the SYN; the client is a guess.
 */
export type Handshake = "completed" | "syn_acked" | "syn_unanswered" | "syn_answered_by_rst" | "syn_answered_by_bare_ack" | "mid_stream";

/**
 * Flows by handshake outcome (each field is a [`Handshake`] variant).
 */
export interface HandshakeTotals {
  /**
   * Flows whose handshake completed.
   */
  completed: number;
  /**
   * Flows with a SYN-ACK but no third ACK.
   */
  syn_acked: number;
  /**
   * Flows whose SYNs got no answer.
   */
  syn_unanswered: number;
  /**
   * Flows whose SYN was answered by a RST.
   */
  syn_answered_by_rst: number;
  /**
   * Flows whose SYN was answered by a bare ACK.
   */
  syn_answered_by_bare_ack: number;
  /**
   * Flows first seen after their SYN.
   */
  mid_stream: number;
}

/**
 * The protocol layer (or capture structure) in which a fault was found.
 * - "capture": Input before the capture format is known (magic detection).
 * - "pcap": Legacy pcap file header or record header.
 * - "pcapng": pcapng block framing or block body.
 * - "ethernet": Ethernet II header.
 * - "vlan": 802.1Q / 802.1ad VLAN tag.
 * - "linux_sll": Linux cooked capture v1 (LINKTYPE_LINUX_SLL).
 * - "linux_sll2": Linux cooked capture v2 (LINKTYPE_LINUX_SLL2).
 * - "null": BSD null / loopback header.
 * - "ipv4": IPv4 header.
 * - "ipv6": IPv6 fixed header.
 * - "ipv6_ext": IPv6 extension header chain.
 * - "udp": UDP header (on the way to VXLAN or Geneve).
 * - "gre": GRE header.
 * - "vxlan": VXLAN header.
 * - "geneve": Geneve header.
 * - "tcp": TCP fixed header.
 * - "tcp_option": One TCP option.
 * - "compression": A compressed (gzip, zstd) input stream.
 * - "link": A link type this crate does not decode.
 * - "radiotap": Radiotap header in front of an 802.11 frame.
 * - "ieee80211": IEEE 802.11 MAC header.
 * - "llc": IEEE 802.2 LLC header and its SNAP extension.
 * - "fddi": FDDI MAC header.
 * - "juniper": Juniper's capture header (LINKTYPE_JUNIPER_ETHER).
 * - "ethernet_tag": A tag inside an Ethernet header other than a VLAN tag: 802.1ah I-TAG, 802.1BR E-Tag, VN-Tag, Cisco FabricPath.
 * - "gtp": GTP-U header (3GPP TS 29.281).
 * - "capwap": CAPWAP header (RFC 5415).
 * - "ayiya": AYIYA header.
 */
export type Layer = "capture" | "pcap" | "pcapng" | "ethernet" | "vlan" | "linux_sll" | "linux_sll2" | "null" | "ipv4" | "ipv6" | "ipv6_ext" | "udp" | "gre" | "vxlan" | "geneve" | "tcp" | "tcp_option" | "compression" | "link" | "radiotap" | "ieee80211" | "llc" | "fddi" | "juniper" | "ethernet_tag" | "gtp" | "capwap" | "ayiya";

/**
 * The caps and whether they were hit.
 */
export interface Limits {
  /**
   * The most flows tracked at once (`Config::max_flows`).
   */
  max_flows: number;
  /**
   * A flow was not tracked because of `max_flows`.
   */
  flows_cap_hit: boolean;
  /**
   * Segments of flows that were not tracked because of the cap.
   */
  segments_untracked: number;
  /**
   * The most frames a finding lists (`Config::max_evidence_frames`).
   */
  max_evidence_frames: number;
  /**
   * Findings whose frame list was cut (at `max_evidence_frames`, or
   * by a per-flow cap on the frames kept: `frames_total` then counts
   * the frames seen, more than were kept).
   */
  findings_with_frames_cut: number;
  /**
   * The most findings of one code (`Config::max_findings_per_code`).
   */
  max_findings_per_code: number;
  /**
   * Findings dropped by `max_findings_per_code`.
   */
  findings_dropped: number;
  /**
   * Findings whose flow list was cut at `max_evidence_frames`.
   */
  findings_with_flows_cut: number;
  /**
   * The most clock lines of one connection kept at once over the
   * capture (a busy capture's per-connection-offset hosts make one per
   * connection).
   */
  max_open_clock_lines: number;
  /**
   * One-connection clock lines forgotten past `max_open_clock_lines`:
   * a later connection of their clock starts a new line. They are still
   * counted in `clocks[].lines_total` and `totals.clock_lines`.
   */
  clock_lines_forgotten: number;
}

/**
 * One clock line, as summarised in TS-06's evidence and in the report.
 */
export interface LineSummary {
  /**
   * Connections on this line.
   */
  connections: number;
  /**
   * The line's first frame.
   */
  first_frame: number;
  /**
   * The line's clock rate (Hz), when measurable.
   */
  rate_hz: number | null;
  /**
   * The line's TSval at the capture's time origin, when measurable.
   */
  offset: number | null;
}

/**
 * TS_NOT_NEGOTIATED.
 */
export interface NotNegotiatedEvidence {
  /**
   * Connections whose SYN had timestamps and whose SYN-ACK had none.
   */
  connections: number;
  /**
   * The server port.
   */
  server_port: number;
}

/**
 * TS-04.
 */
export interface OptionsEvidence {
  /**
   * SYN-ACKs with timestamps answering a SYN without them (injected).
   */
  synack_ts_without_syn_ts: number;
  /**
   * Segments without timestamps after both sides negotiated them (stripped).
   */
  missing_after_negotiation: number;
  /**
   * Runs of 10 or more NOPs (an option overwritten by a middlebox).
   */
  nop_runs_of_10_or_more: number;
  /**
   * Timestamps options with a wrong length.
   */
  malformed_ts_options: number;
  /**
   * Flows with any of these.
   */
  flows_affected: number;
}

/**
 * TS-09.
 */
export interface ProbeEvidence {
  /**
   * Probe SYNs seen.
   */
  syns: number;
  /**
   * `nmap`, `traceroute` or `zero_tsval`.
   */
  kind: string;
}

/**
 * TS-08.
 */
export interface RateEvidence {
  /**
   * The measured rate (Hz).
   */
  rate_hz: number;
  /**
   * `outside_rfc7323`, `rate_change` or `capture_times_rewritten` (TS-08),
   * `usec_clock` (`TS_CLOCK_USEC`).
   */
  kind: string;
  /**
   * For `rate_change`: the other rate (Hz).
   */
  other_rate_hz: number | null;
}

/**
 * TS-03.
 */
export interface RegressionEvidence {
  /**
   * Segments whose TSval went backwards by more than the threshold.
   */
  regressions: number;
  /**
   * The largest step backwards (ticks).
   */
  max_regression_ticks: number;
  /**
   * Steps back up to this many ticks count as reordering (from the clock
   * rate).
   */
  threshold_ticks: number;
  /**
   * The clock rate the threshold was computed from (Hz).
   */
  rate_hz: number;
  /**
   * `client_to_server` or `server_to_client` of the worst one.
   */
  direction: string;
  /**
   * Duplicate ACKs seen after the regression (PAWS discarding the segments).
   */
  duplicate_acks_after: number;
  /**
   * Flows with a regression.
   */
  flows_affected: number;
  /**
   * Of those, flows whose peer acknowledged no new data after the last
   * regression (the connection stalled; with at least 3 duplicate ACKs
   * this makes the finding critical). 0: every connection progressed.
   */
  stalled_flows: number;
}

/**
 * crit = connections fail; warn = degraded or at risk; info = context.
 */
export type Severity = "info" | "warning" | "critical";

/**
 * Which side sent something first.
 * - "client": The SYN's sender.
 * - "server": The SYN's receiver.
 */
export type Side = "client" | "server";

/**
 * What the analyzer itself saw.
 */
export interface Stats {
  /**
   * TCP segments analysed.
   */
  segments: number;
  /**
   * Of those, segments with a timestamps option.
   */
  segments_with_ts: number;
  /**
   * Flows (connection attempts) seen.
   */
  flows: number;
  /**
   * Distinct client addresses.
   */
  clients: number;
  /**
   * Distinct server addresses.
   */
  servers: number;
  /**
   * Flows whose three-way handshake completed.
   */
  handshakes_completed: number;
  /**
   * Capture time went backwards this many times (tolerated).
   */
  time_went_backwards: number;
}

/**
 * `SYN_COOKIES`.
 */
export interface SynCookiesEvidence {
  /**
   * The server port.
   */
  server_port: number;
  /**
   * Connections whose SYN had no timestamps and offered window scale or
   * SACK-permitted, and whose SYN-ACK (never retransmitted) carried only
   * MSS.
   */
  connections: number;
  /**
   * Of those, connections whose SYN offered window scaling (lost).
   */
  window_scale_lost: number;
  /**
   * Of those, connections whose SYN offered SACK-permitted (lost).
   */
  sack_lost: number;
  /**
   * The MSS the first such SYN offered.
   */
  client_mss: number | null;
  /**
   * The MSS a Linux cookie keeps for it: the largest value of the cookie
   * table not above it (IPv4 536, 1300, 1440, 1460; IPv6 1220, 1420,
   * 1440, 8940).
   */
  cookie_mss: number | null;
  /**
   * SYN-ACKs from the same server port that did carry window scale or
   * SACK-permitted (the server supports them).
   */
  synacks_with_options: number;
}

/**
 * TS-10.
 */
export interface SynUnansweredEvidence {
  /**
   * The server port.
   */
  server_port: number;
  /**
   * Connection attempts that never got an answer.
   */
  failed_connections: number;
  /**
   * SYNs of those attempts, retransmissions included.
   */
  syns: number;
  /**
   * Of those, retransmissions.
   */
  retransmissions: number;
  /**
   * Of those, SYNs with a timestamps option.
   */
  syns_with_ts: number;
  /**
   * Longest time from a first SYN to its last retransmission or the end
   * of the capture (s).
   */
  waited_s: number;
  /**
   * Connections to this server port that did get a SYN-ACK.
   */
  served_connections: number;
  /**
   * Whether the capture shows the per-host state (a flow the server
   * closed first from this client within 60 s before a failed SYN).
   */
  per_host_state_visible: boolean;
}

/**
 * TS-02.
 */
export interface TimeWaitEvidence {
  /**
   * SYNs the server answered with a bare ACK instead of a SYN-ACK (TIME_WAIT
   * kept the old connection: PAWSTimewait).
   */
  rejections: number;
  /**
   * Rejected attempts that later got a SYN-ACK (client RST + retry).
   */
  recovered: number;
  /**
   * TSval of the first rejected SYN.
   */
  syn_tsval: number | null;
  /**
   * The previous connection's last client TSval on the 4-tuple.
   */
  previous_last_tsval: number | null;
  /**
   * `(s32)(previous_last_tsval - syn_tsval)`.
   */
  tsval_behind_by: number | null;
  /**
   * The server's ACK echoed the previous connection's last TSval.
   */
  tsecr_equals_previous: boolean;
  /**
   * The client answered the bare ACK with a RST.
   */
  client_rst: boolean;
  /**
   * Time since the previous connection's close (s).
   */
  seconds_since_previous_close: number;
  /**
   * First SYN to SYN-ACK of the first recovered attempt (ms).
   */
  retry_delay_ms: number | null;
  /**
   * The client port of the reused 4-tuple.
   */
  client_port: number;
  /**
   * The server port of the reused 4-tuple.
   */
  server_port: number;
}

/**
 * Counts over every flow (schema v2: the report no longer lists every
 * flow; these say what the stream of flows would add up to).
 */
export interface Totals {
  /**
   * Every flow, by handshake outcome.
   */
  handshakes: HandshakeTotals;
  /**
   * Flows that negotiated timestamps.
   */
  ts_negotiated: number;
  /**
   * (client, server) address pairs.
   */
  pairs: number;
  /**
   * Clock lines over all pairs.
   */
  clock_lines: number;
  /**
   * Flows retired before the end because they closed (FIN both ways,
   * or RST after the handshake).
   */
  flows_retired_closed: number;
  /**
   * Flows retired because a new SYN on their 4-tuple superseded them.
   */
  flows_retired_superseded: number;
  /**
   * Flows retired because they stayed idle past the timeout.
   */
  flows_retired_idle: number;
  /**
   * Flows still open at the end of the capture.
   */
  flows_open_at_end: number;
  /**
   * The most flows open at one time (what `Config::max_flows` caps).
   */
  peak_open_flows: number;
  /**
   * Segments on a 4-tuple after its flow was retired (a retransmitted
   * FIN or ACK, a RST after the close): counted, not analysed.
   */
  late_segments: number;
}

/**
 * One direction's TSval range.
 */
export interface TsRange {
  /**
   * The direction's first TSval; null without any.
   */
  first_tsval: number | null;
  /**
   * The direction's last TSval; null without any.
   */
  last_tsval: number | null;
  /**
   * Segments sent in this direction.
   */
  segments: number;
  /**
   * Of those, segments with a timestamps option.
   */
  segments_with_ts: number;
}

/**
 * TS-05.
 */
export interface TsecrEvidence {
  /**
   * Segments whose TSecr echoed no TSval the peer sent.
   */
  mismatches: number;
  /**
   * Segments with ACK set and TSecr 0.
   */
  zero_tsecr_with_ack: number;
  /**
   * One such TSecr.
   */
  example_tsecr: number;
  /**
   * The peer's lowest TSval at that point.
   */
  peer_tsval_min: number;
  /**
   * The peer's highest TSval at that point.
   */
  peer_tsval_max: number;
  /**
   * Every mismatch had the same `TSecr - peer's last TSval`: TS modulation.
   */
  constant_difference: number | null;
  /**
   * SYN-ACKs whose TSecr is outside the SYN's TSvals.
   */
  synack_outside_syn_range: number;
  /**
   * Flows with a mismatch.
   */
  flows_affected: number;
}

/**
 * TS-01.
 */
export interface TwRecycleEvidence {
  /**
   * TSval of the first dropped SYN (None: it carried no timestamp).
   */
  syn_tsval: number | null;
  /**
   * The per-host stamp it was compared with.
   */
  remembered_tsval: number;
  /**
   * Age of that stamp when the first dropped SYN arrived (s).
   */
  remembered_age_s: number;
  /**
   * The client segment whose TSval the server remembered.
   */
  remembered_frame: number;
  /**
   * `(s32)(remembered - syn_tsval)` for the first dropped SYN.
   */
  tsval_behind_by: number | null;
  /**
   * The server port of the dropped SYNs.
   */
  server_port: number;
  /**
   * SYNs (with retransmissions) that got no answer and that the per-host
   * rule predicts to be dropped.
   */
  dropped_syns: number;
  /**
   * Of those, SYNs without a timestamp (a26552afe894).
   */
  dropped_syns_without_ts: number;
  /**
   * Connection attempts that never got a SYN-ACK.
   */
  failed_connections: number;
  /**
   * Connections from any client to the same server port that got a SYN-ACK.
   */
  served_connections: number;
  /**
   * TS clock lines seen from this client address.
   */
  client_clock_lines: number;
  /**
   * `high` with at least 2 dropped SYNs and several clock lines behind the
   * address, else `medium`.
   */
  confidence: Confidence;
}

/**
 * Packets that may hold TCP but were not decoded, by reason.
 */
export interface Undecoded {
  /**
   * How many packets were not decoded; each counts once, under the
   * reason that stopped it.
   */
  packets: number;
  /**
   * One entry per reason, in the order the capture first shows them;
   * at most [`MAX_REASONS`].
   */
  reasons: UndecodedReason[];
  /**
   * Packets whose reason did not fit in `reasons`.
   */
  other_packets: number;
  /**
   * The whole count in one sentence, for the command line and the page
   * to show as it is; `None` when every packet was decoded.
   */
  summary: string | null;
}

/**
 * One reason why packets were not decoded.
 */
export interface UndecodedReason {
  /**
   * The capture's link type for these packets, as `LinkType`'s Display:
   * `IEEE802_11_RADIOTAP (127)`, `linktype 147`.
   */
  link_type: string;
  /**
   * The layer that could not be followed ([`Layer::name`]).
   */
  layer: string;
  /**
   * What it was, in words: `link type 147`, `ethertype 0x88e5`,
   * `encrypted 802.11 frame`.
   */
  what: string;
  /**
   * Packets stopped for this reason.
   */
  packets: number;
  /**
   * The first frame (Wireshark numbering) it stopped.
   */
  first_frame: number;
}

/**
 * TS-07.
 */
export interface WrapEvidence {
  /**
   * TSval wraps past 2^32 seen.
   */
  wraps: number;
  /**
   * The TSval before the first wrap.
   */
  before: number;
  /**
   * The TSval after the first wrap.
   */
  after: number;
  /**
   * Flows idle longer than the PAWS horizon of their clock (24 days at 1
   * kHz).
   */
  long_idle_flows: number;
  /**
   * The longest such idle time (s).
   */
  max_idle_s: number;
  /**
   * The clock rate (Hz), when measured.
   */
  rate_hz: number | null;
}

/**
 * The report as the faces show it: every line of the CLI's text report
 * that is computed, and what the page shows in the same places.
 */
export interface ReportView {
  /**
   * The most severe finding's severity; null when there is none
   * (the page's "OK" badge).
   */
  severity: Severity | null;
  /**
   * The report's verdict, verbatim.
   */
  verdict: string;
  /**
   * The capture in one line: `pcapng (Ethernet), 112 packets, 110 TCP
   * segments, 67 % with timestamps, <first> to <last>`.
   */
  capture_line: string;
  /**
   * Percentage of TCP segments that carry timestamps (see [`percent`]).
   */
  timestamps_percent: number;
  /**
   * One entry per finding, in the report's order.
   */
  findings: FindingView[];
  /**
   * Every flow in one line, by handshake outcome (`Report::totals`):
   * `3 (2 completed, 1 syn unanswered)`.
   */
  flows_line: string;
  /**
   * One entry per (client, server) pair of `Report::clocks`, same order.
   */
  clocks: PairView[];
  /**
   * Which caps were hit, in words; null when none was.
   */
  limits_line: string | null;
  /**
   * Each of `capture.errors` in words, same order: the first, when
   * reading stopped early, as [`read_fault_line`], the others as
   * [`packet_fault_line`].
   */
  errors: string[];
}

/**
 * One finding as shown.
 */
export interface FindingView {
  /**
   * The finding's code.
   */
  code: Code;
  /**
   * The finding's severity.
   */
  severity: Severity;
  /**
   * `client A  server B` when the finding names both addresses.
   */
  between: string | null;
  /**
   * The listed frames with runs compressed, `11-14, 25` (see
   * [`frame_ranges`]).
   */
  frames_text: string;
  /**
   * `first 256 of 300` when the frame list was cut at the report's cap.
   */
  frames_cut: string | null;
  /**
   * The Wireshark display filter of the listed frames (see
   * [`wireshark_filter`]); empty when there are none.
   */
  wireshark_filter: string;
}

/**
 * One row of the flows table (`tcpopt flows` and the page's table).
 */
export interface FlowRow {
  /**
   * The flow's `index`.
   */
  index: number;
  /**
   * The client endpoint (see [`endpoint`]).
   */
  client: string;
  /**
   * The server endpoint.
   */
  server: string;
  /**
   * The handshake outcome's name (see [`handshake_name`]).
   */
  handshake: string;
  /**
   * SYNs sent, with retransmissions.
   */
  syns: number;
  /**
   * Client and server segments.
   */
  segments: number;
  /**
   * `yes` when timestamps were negotiated, else `no`.
   */
  ts: string;
  /**
   * `first-last` frame numbers.
   */
  frames: string;
  /**
   * The client's first TSval; empty without one.
   */
  first_tsval: string;
  /**
   * The client's last TSval; empty without one.
   */
  last_tsval: string;
  /**
   * The rate of the client's clock line (see [`hz_cell`]); empty when unknown.
   */
  rate_hz: string;
  /**
   * The client's clock line label (see [`line_label`]); empty without one.
   */
  clock: string;
  /**
   * Who sent the first FIN (see [`side_name`]); empty without one.
   */
  fin: string;
  /**
   * Who reset: `client`, `server`, `both` or empty.
   */
  rst: string;
}

/**
 * One clock line as shown.
 */
export interface LineView {
  /**
   * The line's label, `A`, `B`, … (see [`line_label`]).
   */
  label: string;
  /**
   * `A: 3 conn @ 1000 Hz` (`rate unknown` without a rate).
   */
  text: string;
}

/**
 * The clock lines of one (client, server) pair as shown.
 */
export interface PairView {
  /**
   * The client address.
   */
  client: string;
  /**
   * The server address.
   */
  server: string;
  /**
   * `client -> server: description [A: 3 conn @ 1000 Hz; B: …]`.
   */
  text: string;
  /**
   * One entry per clock line, same order as `ClockPair::lines`.
   */
  lines: LineView[];
}

/**
 * Everything the two captures say together.
 */
export interface CorrelationReport {
  /**
   * The correlation report's schema version (see
   * [`CORRELATION_SCHEMA_VERSION`]): changes when a field changes
   * meaning or disappears.
   */
  schema_version: number;
  /**
   * The joint verdict, one line: the most severe warning or critical
   * finding's summary; otherwise "All N connection attempts seen in both
   * captures matched, nothing lost between them" (followed by "; note: "
   * and the first info finding's summary when there is one), or "No
   * connection is in both captures".
   */
  verdict: string;
  /**
   * The two captures, A then B.
   */
  vantages: VantageSummary[];
  /**
   * The offset between the two capture clocks.
   */
  clock: ClockOffset;
  /**
   * Per direction of travel with matched segments: `a_to_b`, then
   * `b_to_a`, then `unknown` (direction of travel not known).
   */
  paths: PathStats[];
  /**
   * The address and port translation between the points.
   */
  nat: NatSummary;
  /**
   * What the path changed in the segments, per kind and direction.
   */
  rewrites: Rewrite[];
  /**
   * The findings, most severe first.
   */
  findings: CorrelationFinding[];
  /**
   * The first connection attempts (capped; see `totals.attempts_not_listed`).
   */
  attempts: AttemptReport[];
  /**
   * Counts over the whole pair, also of what is not listed.
   */
  totals: CorrelationTotals;
}

/**
 * One connection attempt (one client ISN), in both captures.
 */
export interface AttemptReport {
  /**
   * Stable id, in the order attempts were created (not contiguous: a
   * paired attempt takes the first of its two flows' numbers).
   */
  index: number;
  /**
   * What happened to the attempt between the two points.
   */
  outcome: Outcome;
  /**
   * The client (SYN sender) as A saw it, `addr:port` (`None`: not seen there).
   */
  client_a: string | null;
  /**
   * The server as A saw it, `addr:port` (`None`: not seen there).
   */
  server_a: string | null;
  /**
   * The client as B saw it, `addr:port` (`None`: not seen there).
   */
  client_b: string | null;
  /**
   * The server as B saw it, `addr:port` (`None`: not seen there).
   */
  server_b: string | null;
  /**
   * The capture nearer the client (`None`: not known).
   */
  client_side: Vantage | null;
  /**
   * The client's initial sequence number, which identifies the attempt
   * (`None`: its SYN was not seen).
   */
  isn: number | null;
  /**
   * SYNs of the attempt in A (retransmissions included).
   */
  syns_a: number;
  /**
   * SYNs of the attempt in B.
   */
  syns_b: number;
  /**
   * SYN-ACKs of the attempt in A.
   */
  synacks_a: number;
  /**
   * SYN-ACKs of the attempt in B.
   */
  synacks_b: number;
  /**
   * Segments of the attempt (both directions) in A.
   */
  segments_a: number;
  /**
   * Segments of the attempt (both directions) in B.
   */
  segments_b: number;
  /**
   * Segments seen at both points.
   */
  matched: number;
  /**
   * Segments lost between the points (unmatched, the other capture on their path).
   */
  lost: number;
  /**
   * One sentence, e.g. "The 4 SYNs of 192.0.2.20:50020 (B) all reached A as 198.51.100.1:50020 …".
   */
  description: string;
  /**
   * The first segments of the attempt, both captures side by side.
   */
  ladder: LadderRow[];
  /**
   * Segments beyond the ladder's cap.
   */
  ladder_cut: number;
}

/**
 * The offset between the two capture clocks, from matched pairs.
 *
 * `offset_ns` is B's clock minus A's. A segment travelling A→B gives
 * `tB − tA = offset + delay`, one travelling B→A gives `offset − delay`,
 * so with both directions the offset lies in
 * `[max(B→A samples), min(A→B samples)]`; with one direction only one
 * bound exists and the delay cannot be told from the offset.
 */
export interface ClockOffset {
  /**
   * Best estimate, B − A, nanoseconds (`None`: nothing matched).
   */
  offset_ns: number | null;
  /**
   * ± around the estimate within which the true offset lies (`None`: unbounded on one side).
   */
  uncertainty_ns: number | null;
  /**
   * Lower bound of the offset, nanoseconds: the largest `tB − tA` of the
   * pairs travelling B→A (`None`: none did).
   */
  lower_ns: number | null;
  /**
   * Upper bound of the offset, nanoseconds: the smallest `tB − tA` of the
   * pairs travelling A→B (`None`: none did).
   */
  upper_ns: number | null;
  /**
   * Matched pairs the estimate rests on.
   */
  pairs: number;
  /**
   * One line: the offset, its uncertainty and what it rests on.
   */
  description: string;
}

/**
 * Finding codes of the correlation.
 * - "SYN_REACHED_SERVER_DROPPED": SYNs crossed both points, no SYN-ACK came back past the far one.
 * - "SYN_LOST_BETWEEN_CAPTURES": SYNs never reached the other point.
 * - "ANSWER_LOST_BETWEEN_CAPTURES": The SYN-ACK (or a later answer) left one point and never reached the other.
 * - "SEGMENTS_LOST_BETWEEN_CAPTURES": Segments of established connections lost between the points.
 * - "SEGMENTS_MADE_BETWEEN_CAPTURES": Segments that appear between the points (a middlebox's own).
 * - "TS_OPTION_STRIPPED_OR_INJECTED": The timestamps option was removed or added on the way (two-vantage TS-04).
 * - "TCP_HEADER_REWRITTEN": Another TCP option or header field was changed on the way.
 * - "NAT_MAPPING": Addresses or ports translated between the points.
 * - "NO_COMMON_TRAFFIC": Nothing matched: the captures do not share traffic.
 */
export type CorrelationCode = "SYN_REACHED_SERVER_DROPPED" | "SYN_LOST_BETWEEN_CAPTURES" | "ANSWER_LOST_BETWEEN_CAPTURES" | "SEGMENTS_LOST_BETWEEN_CAPTURES" | "SEGMENTS_MADE_BETWEEN_CAPTURES" | "TS_OPTION_STRIPPED_OR_INJECTED" | "TCP_HEADER_REWRITTEN" | "NAT_MAPPING" | "NO_COMMON_TRAFFIC";

/**
 * A finding of the correlation, with its frames in each capture.
 */
export interface CorrelationFinding {
  /**
   * What was found.
   */
  code: CorrelationCode;
  /**
   * How bad it is.
   */
  severity: Severity;
  /**
   * The capture whose segments the finding is about (`A`, `B`), or
   * `None` when it is about the path between both.
   */
  vantage: Vantage | null;
  /**
   * One line: what happened, with the connections and counts.
   */
  summary: string;
  /**
   * Why it happens and how the two captures show it.
   */
  explanation: string;
  /**
   * What to do about it.
   */
  remedy: string;
  /**
   * Frames as each capture numbers them: one entry per capture involved.
   */
  frames: VantageFrames[];
  /**
   * Attempts (`attempts[].index`) the finding is about.
   */
  attempts: number[];
}

/**
 * Counts over the whole pair.
 */
export interface CorrelationTotals {
  /**
   * Segments matched to their copy in the other capture (pairs).
   */
  matched_pairs: number;
  /**
   * Connection attempts seen in both captures.
   */
  attempts_in_both: number;
  /**
   * Connection attempts seen in A only.
   */
  attempts_only_a: number;
  /**
   * Connection attempts seen in B only.
   */
  attempts_only_b: number;
  /**
   * Attempts whose outcome is `all_matched`, over all attempts (also
   * those not listed); the next five fields likewise per outcome.
   */
  all_matched: number;
  /**
   * Attempts whose outcome is `syns_reached_no_answer`.
   */
  syns_reached_no_answer: number;
  /**
   * Attempts whose outcome is `syns_never_reached`.
   */
  syns_never_reached: number;
  /**
   * Attempts whose outcome is `answer_lost`.
   */
  answer_lost: number;
  /**
   * Attempts whose outcome is `some_lost`.
   */
  some_lost: number;
  /**
   * Attempts whose outcome is `not_on_path`.
   */
  not_on_path: number;
  /**
   * Segments unmatched, on the other capture's path (lost between).
   */
  lost_segments: number;
  /**
   * Segments seen only where their direction arrives: made between the
   * points (a SYN proxy's or firewall's own segments).
   */
  injected_segments: number;
  /**
   * Most segments held at once waiting for their copy (the time window's memory).
   */
  peak_pending: number;
  /**
   * Attempts not listed in `attempts` (the cap) but counted here.
   */
  attempts_not_listed: number;
}

/**
 * One segment of an attempt's ladder: its frame in each capture where it
 * was seen (`None`: not seen there).
 */
export interface LadderRow {
  /**
   * The segment's frame number in A (`None`: not seen there).
   */
  frame_a: number | null;
  /**
   * The segment's frame number in B (`None`: not seen there).
   */
  frame_b: number | null;
  /**
   * Capture time in A's own clock (`seconds.nanoseconds`).
   */
  time_a: string | null;
  /**
   * Capture time in B's own clock (`seconds.nanoseconds`).
   */
  time_b: string | null;
  /**
   * Nanoseconds since the attempt's first segment in A.
   */
  t_a: number | null;
  /**
   * Nanoseconds since the attempt's first segment in B.
   */
  t_b: number | null;
  /**
   * True when the client (SYN sender) sent it.
   */
  from_client: boolean;
  /**
   * tcpdump-style flags, `S`, `S.`, `.`, `P.`, `F.`, `R`.
   */
  flags: string;
  /**
   * Sequence number (raw, not relative), as A saw it when seen there,
   * else as B saw it.
   */
  seq: number;
  /**
   * Acknowledgement number (raw), from the same capture as `seq`.
   */
  ack: number;
  /**
   * TCP payload length, bytes.
   */
  len: number;
  /**
   * Unmatched, and the other capture was on its path: lost between.
   */
  lost: boolean;
  /**
   * Unmatched, seen where its direction arrives: made between the
   * points (a middlebox's own segment) or missed by the other capture.
   */
  injected: boolean;
}

/**
 * One NAT mapping: a connection's endpoints as each capture saw them.
 */
export interface NatMapping {
  /**
   * The connection's client (SYN sender) as A saw it (`addr:port`).
   */
  client_a: string;
  /**
   * The client as B saw it (`addr:port`).
   */
  client_b: string;
  /**
   * The server (SYN receiver) as A saw it (`addr:port`).
   */
  server_a: string;
  /**
   * The server as B saw it (`addr:port`).
   */
  server_b: string;
  /**
   * Which of the four the path changed: `client address`, `client port`, ...
   */
  rewritten: string[];
  /**
   * Connection attempts with this mapping.
   */
  connections: number;
  /**
   * First frame of the first such connection in A.
   */
  first_frame_a: number;
  /**
   * First frame of the first such connection in B.
   */
  first_frame_b: number;
}

/**
 * Every mapping seen (capped), and what they say together.
 */
export interface NatSummary {
  /**
   * The mappings seen, in order of first appearance (capped; see
   * `connections_not_listed`).
   */
  mappings: NatMapping[];
  /**
   * Connections whose mapping is not listed (the list's cap).
   */
  connections_not_listed: number;
  /**
   * Connections whose addresses or ports differ between the captures.
   */
  translated_connections: number;
  /**
   * Of those, how many kept the client's source port.
   */
  ports_kept: number;
  /**
   * `Some(true)` when every translated connection kept its source port.
   */
  keeps_ports: boolean | null;
  /**
   * One line: what the mappings say together (no translation, NAT, PAT).
   */
  description: string;
}

/**
 * What happened to one connection attempt between the two points.
 * - "all_matched": Every segment of both directions seen at both points.
 * - "syns_reached_no_answer": The handshake's SYNs crossed, no SYN-ACK came back past the far point.
 * - "syns_never_reached": The SYNs never reached the other point (the server side saw other traffic to the same server at the time).
 * - "answer_lost": The far side answered, the answer never came back to the near point.
 * - "some_lost": Some segments of an otherwise crossing connection were lost between.
 * - "not_on_path": The connection is in one capture only and does not pass the other's point.
 */
export type Outcome = "all_matched" | "syns_reached_no_answer" | "syns_never_reached" | "answer_lost" | "some_lost" | "not_on_path";

/**
 * What the path between the capture points does, per direction.
 */
export interface PathStats {
  /**
   * `a_to_b`, `b_to_a` or `unknown`.
   */
  way: Way | null;
  /**
   * Segment pairs (seen at both points) travelling this way.
   */
  matched: number;
  /**
   * TTL (hop limit) at the sending side minus at the receiving side: the
   * routers between the points (smallest over the pairs; `None`: no pair).
   */
  ttl_decrement_min: number | null;
  /**
   * The largest TTL decrement over the pairs (differs from the smallest
   * when the path changed or a middlebox rewrote the TTL).
   */
  ttl_decrement_max: number | null;
  /**
   * Smallest one-way delay, nanoseconds; only when both directions fix
   * the clock offset (`None` otherwise).
   */
  delay_min_ns: number | null;
  /**
   * Median one-way delay, nanoseconds; `None` as `delay_min_ns`.
   */
  delay_median_ns: number | null;
  /**
   * Pairs with an IPv4 ID on both sides.
   */
  ip_id_pairs: number;
  /**
   * Of those, how many arrived with the IPv4 ID unchanged (a NAT or
   * scrubber that rewrites IDs lowers it).
   */
  ip_id_kept: number;
}

/**
 * One kind of rewrite in one direction, over all connections.
 */
export interface Rewrite {
  /**
   * What was changed.
   */
  kind: RewriteKind;
  /**
   * The direction of travel it was changed in.
   */
  way: Way;
  /**
   * Value before the rewrite, where it is one value (MSS 1460 → 1200:
   * `1460`; `None`: several values or none).
   */
  before: string | null;
  /**
   * Value after the rewrite, as `before`.
   */
  after: string | null;
  /**
   * Segments rewritten this way.
   */
  segments: number;
  /**
   * Connection attempts with at least one segment rewritten this way.
   */
  connections: number;
  /**
   * For the shifts: after minus before, signed (serial arithmetic), the
   * first 16 distinct values (a SYN proxy's constant per connection, and
   * for TSecr A→B also what its own handshake ACK carries).
   */
  shifts: number[];
  /**
   * One line, e.g. "MSS clamped 1460 → 1200 on the way A→B (2 SYNs)".
   */
  description: string;
  /**
   * The rewritten segments' frames, one entry per capture.
   */
  frames: VantageFrames[];
}

/**
 * What the path changed in a segment.
 * - "timestamps_removed": The timestamps option was removed on the way.
 * - "timestamps_added": A timestamps option was added on the way.
 * - "tsval_shifted": TSval changed by a constant per connection (pf `modulate`, SYNPROXY).
 * - "tsecr_shifted": TSecr changed by a constant per connection (the other half of it).
 * - "mss_changed": The MSS option's value changed (MSS clamping).
 * - "mss_removed": The MSS option was removed.
 * - "mss_added": An MSS option was added.
 * - "window_scale_changed": The window scale option's shift count changed.
 * - "window_scale_removed": The window scale option was removed.
 * - "window_scale_added": A window scale option was added.
 * - "sack_permitted_removed": The SACK-permitted option was removed.
 * - "sack_permitted_added": A SACK-permitted option was added.
 * - "seq_shifted": Sequence (and the other side's acknowledgement) numbers moved by a constant per connection (SYNPROXY, pf `modulate state`).
 * - "window_changed": The window field differs (a change of window scale, or a middlebox).
 */
export type RewriteKind = "timestamps_removed" | "timestamps_added" | "tsval_shifted" | "tsecr_shifted" | "mss_changed" | "mss_removed" | "mss_added" | "window_scale_changed" | "window_scale_removed" | "window_scale_added" | "sack_permitted_removed" | "sack_permitted_added" | "seq_shifted" | "window_changed";

/**
 * Which capture: the first (`A`) or the second (`B`) given.
 * - "A": The first capture given.
 * - "B": The second capture given.
 */
export type Vantage = "A" | "B";

/**
 * Frames of one capture, as that capture numbers them.
 */
export interface VantageFrames {
  /**
   * `A` or `B`.
   */
  vantage: string;
  /**
   * The capture's name (file name).
   */
  capture: string;
  /**
   * Sorted, unique, at most [`super::Config::max_frames`].
   */
  frames: number[];
  /**
   * Frames before the cap.
   */
  frames_total: number;
}

/**
 * One capture of the pair.
 */
export interface VantageSummary {
  /**
   * `A` or `B`.
   */
  vantage: string;
  /**
   * The capture's name (file name, as given).
   */
  capture: string;
  /**
   * The capture's file format: `pcap`, `pcap (nanosecond)`, `pcapng`,
   * or `unknown` when not even the header was read.
   */
  format: string;
  /**
   * Packet records read.
   */
  packets: number;
  /**
   * Of those, TCP segments (the ones matched against the other capture).
   */
  tcp_segments: number;
  /**
   * Capture time of the first packet, in this capture's own clock
   * (`seconds.fraction` since the Unix epoch; `None`: no packet).
   */
  first_ts: string | null;
  /**
   * Capture time of the last packet, as `first_ts`.
   */
  last_ts: string | null;
  /**
   * Segments matched to a segment of the other capture.
   */
  matched: number;
  /**
   * Unmatched while the other capture was running and on the same path:
   * lost between the two points (or made between them).
   */
  unmatched_on_path: number;
  /**
   * Unmatched, seen where their direction arrives: made between the points.
   */
  made_between: number;
  /**
   * Unmatched, in connections the other capture never saw or outside
   * its time span: other traffic, not loss.
   */
  unmatched_elsewhere: number;
  /**
   * Where reading stopped early: `frame N: reason`.
   */
  fault: string | null;
  /**
   * True when the capture was read to its end (no `fault`).
   */
  complete: boolean;
}

/**
 * Which way a segment travelled between the two capture points.
 * - "a_to_b": Seen at A first, then at B.
 * - "b_to_a": Seen at B first, then at A.
 * - "unknown": Same TTL on both sides and no measurable delay: the order is not known.
 */
export type Way = "a_to_b" | "b_to_a" | "unknown";
