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
export interface CaptureError {
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
}

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
   * capture's digits); null for an empty capture.
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
 */
export type ClockClass = "no_timestamps" | "one_clock" | "nat_same_host" | "nat_different_machines" | "nat" | "per_connection_offsets" | "undetermined";

/**
 * A TS clock line in the report.
 */
export interface ClockLine {
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
   * Ids of the line's first flows (by first TSval time), at most
   * `limits.max_evidence_frames`; `connections` counts them all.
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
   * The clock lines, most connections first; `FlowReport::clock_line` and
   * the labels A, B, … index into it.
   */
  lines: ClockLine[];
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
 */
export type Code = "TW_RECYCLE_PER_HOST_PAWS_DROP" | "TIMEWAIT_SYN_REJECTED_OLD_TSVAL" | "INFLOW_TSVAL_REGRESSION" | "TS_OPTION_STRIPPED_OR_INJECTED" | "TS_NOT_NEGOTIATED" | "TSECR_MISMATCH" | "MULTIPLE_TS_CLOCKS_BEHIND_IP" | "TSVAL_WRAP" | "TS_CLOCK_RATE_ANOMALY" | "SYNTHETIC_TSVAL_PROBE" | "SYN_UNANSWERED";

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
export type Evidence = TwRecycleEvidence | SynUnansweredEvidence | TimeWaitEvidence | RegressionEvidence | OptionsEvidence | NotNegotiatedEvidence | TsecrEvidence | ClocksEvidence | WrapEvidence | RateEvidence | ProbeEvidence;

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
   * How many frames the finding had before the cap.
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
   * Index into the pair's `lines` in `Report::clocks`. Lines are built
   * at the end, so only flows in the report's `flows` carry it; streamed
   * flows have null.
   */
  clock_line: number | null;
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
 */
export type Layer = "capture" | "pcap" | "pcapng" | "ethernet" | "vlan" | "linux_sll" | "linux_sll2" | "null" | "ipv4" | "ipv6" | "ipv6_ext" | "udp" | "gre" | "vxlan" | "geneve" | "tcp" | "tcp_option" | "compression" | "link";

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
   * `outside_rfc7323`, `usec_clock` or `rate_change`.
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
