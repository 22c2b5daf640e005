// Reading the report defensively: the JSON schema is `tcpopt analyze --format
// json`'s, but the page must not break on a field it does not know or that is
// missing. Shared by the worker (plot data) and the page (rendering).

/** First defined, non-null property among `names`. */
export function pick(o, ...names) {
  if (!o || typeof o !== 'object') return undefined;
  for (const n of names) {
    if (o[n] !== undefined && o[n] !== null) return o[n];
  }
  return undefined;
}

/** "addr:port" (or "[v6]:port") from a string, {addr, port} or {ip, port}. */
export function endpoint(e) {
  if (e == null) return '';
  if (typeof e === 'string') return e;
  const a = pick(e, 'addr', 'address', 'ip', 'host');
  const p = pick(e, 'port');
  if (a == null) return JSON.stringify(e);
  if (p == null) return String(a);
  return String(a).includes(':') ? `[${a}]:${p}` : `${a}:${p}`;
}

/** The address part of an endpoint string. */
export function hostOf(ep) {
  const s = endpoint(ep);
  const m = /^\[(.*)\]:\d+$/.exec(s);
  if (m) return m[1];
  const i = s.lastIndexOf(':');
  if (i > 0 && s.indexOf(':') === i) return s.slice(0, i);
  return s;
}

/** Seconds (float) from a capture time: "secs.frac" string, seconds, or {secs, nanos}. */
export function seconds(t) {
  if (t == null) return undefined;
  if (typeof t === 'number') return t > 1e14 ? t / 1e9 : t;
  if (typeof t === 'string') { const v = Number(t); return Number.isFinite(v) ? v : undefined; }
  if (typeof t === 'object') {
    const n = pick(t, 'nanos', 'ns');
    if (typeof n === 'number') return n / 1e9;
    const s = pick(t, 'secs', 'seconds');
    if (typeof s === 'number') return s;
  }
  return undefined;
}

export const SEVERITY_RANK = { critical: 3, crit: 3, warning: 2, warn: 2, info: 1 };
export function severityOf(f) {
  const s = String(pick(f, 'severity') || 'info').toLowerCase();
  if (s.startsWith('crit')) return 'critical';
  if (s.startsWith('warn')) return 'warning';
  return 'info';
}

export function framesOf(f) {
  const fr = pick(f, 'frames', 'frame_numbers');
  return Array.isArray(fr) ? fr.filter((x) => typeof x === 'number') : [];
}

export function findingsOf(report) {
  const fs = Array.isArray(report?.findings) ? report.findings.slice() : [];
  fs.sort((a, b) => (SEVERITY_RANK[severityOf(b)] || 0) - (SEVERITY_RANK[severityOf(a)] || 0));
  return fs;
}

/** Wireshark display filter for a set of frames, as short as the syntax allows. */
export function wiresharkFilter(frames) {
  const fr = [...new Set(frames)].sort((a, b) => a - b);
  if (fr.length === 0) return '';
  if (fr.length === 1) return `frame.number == ${fr[0]}`;
  const parts = [];
  for (let i = 0; i < fr.length;) {
    let j = i;
    while (j + 1 < fr.length && fr[j + 1] === fr[j] + 1) j++;
    if (j - i >= 2) parts.push(`${fr[i]}..${fr[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(fr[k]));
    i = j + 1;
  }
  return `frame.number in {${parts.join(' ')}}`;
}

export function flowsOf(report) {
  return Array.isArray(report?.flows) ? report.flows : [];
}

export function flowClient(f) {
  const a = pick(f, 'client', 'src'), p = pick(f, 'client_port');
  return typeof a === 'string' && p != null ? endpoint({ addr: a, port: p }) : endpoint(a);
}
export function flowServer(f) {
  const a = pick(f, 'server', 'dst'), p = pick(f, 'server_port');
  return typeof a === 'string' && p != null ? endpoint({ addr: a, port: p }) : endpoint(a);
}
export function lineName(i) { return typeof i === 'number' ? String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '') : ''; }

/** Handshake outcome as a short word. */
export function flowOutcome(f) {
  const h = pick(f, 'handshake', 'outcome', 'handshake_outcome');
  if (typeof h === 'string') return h.replaceAll('_', ' ');
  if (h && typeof h === 'object') {
    const o = pick(h, 'outcome', 'state', 'kind', 'result');
    if (typeof o === 'string') return o;
    const keys = Object.keys(h);
    if (keys.length === 1) return keys[0];
  }
  const c = pick(f, 'handshake_complete', 'established');
  if (c === true) return 'complete';
  if (c === false) return 'failed';
  return '';
}

export function flowTsNegotiated(f) {
  const v = pick(f, 'timestamps_negotiated', 'ts_negotiated', 'timestamps', 'ts');
  if (typeof v === 'boolean') return v;
  if (v && typeof v === 'object') {
    const n = pick(v, 'negotiated');
    if (typeof n === 'boolean') return n;
  }
  return undefined;
}

/**
 * Plot data for each (client address, server address) pair: the sampled
 * points (from the engine's `plotPoints()`, bounded in wasm) split by clock
 * line (through the report's flows: 4-tuple and frame range -> clock_line),
 * and the unanswered SYNs (SYN frames of flows whose handshake is
 * syn_unanswered, or listed by TS-01/TS-10). At most MAX_POINTS per pair.
 */
export const MAX_POINTS = 100000;
const UNANSWERED_CODES = new Set(['TW_RECYCLE_PER_HOST_PAWS_DROP', 'SYN_UNANSWERED']);

export function plotFrom(report, raw) {
  const flows = flowsOf(report);
  const clocks = Array.isArray(report?.clocks) ? report.clocks : [];
  const unansweredFrames = new Set();
  for (const f of Array.isArray(report?.findings) ? report.findings : []) {
    if (UNANSWERED_CODES.has(f.code)) for (const fr of framesOf(f)) unansweredFrames.add(fr);
  }
  const failedFlows = new Set();
  flows.forEach((f, i) => { if (/unanswered/.test(flowOutcome(f))) failedFlows.add(pick(f, 'index') ?? i); });
  const out = [];
  for (const rp of raw?.pairs || []) {
    const clock = clocks.find((c) => hostOf(c.client) === rp.client && hostOf(c.server) === rp.server);
    const lines = (clock?.lines || []).map((l, li) => ({ label: lineLabel(l, li), hz: pick(l, 'rate_hz', 'hz'), xs: [], ys: [], ux: [], uy: [] }));
    const other = { label: 'no clock line', hz: undefined, xs: [], ys: [], ux: [], uy: [] };
    // Flows of this pair by 4-tuple, in frame order.
    const byTuple = new Map();
    flows.forEach((f, i) => {
      if (hostOf(pick(f, 'client')) !== rp.client || hostOf(pick(f, 'server')) !== rp.server) return;
      const k = `${pick(f, 'client_port')}/${pick(f, 'server_port')}`;
      if (!byTuple.has(k)) byTuple.set(k, []);
      byTuple.get(k).push({ first: pick(f, 'first_frame') ?? 0, line: pick(f, 'clock_line'), idx: pick(f, 'index') ?? i });
    });
    for (const l of byTuple.values()) l.sort((a, b) => a.first - b.first);
    const ux = [], uy = [];
    const n = rp.frame.length;
    for (let i = 0; i < n; i++) {
      const cand = byTuple.get(`${rp.client_port[i]}/${rp.server_port[i]}`);
      let flow;
      if (cand) { for (const c of cand) { if (c.first <= rp.frame[i]) flow = c; else break; } }
      const series = flow && typeof flow.line === 'number' && lines[flow.line] ? lines[flow.line] : other;
      series.xs.push(rp.t[i]); series.ys.push(rp.tsval[i]);
      if (rp.syn[i] && (unansweredFrames.has(rp.frame[i]) || (flow && failedFlows.has(flow.idx)))) {
        ux.push(rp.t[i]); uy.push(rp.tsval[i]); series.ux.push(rp.t[i]); series.uy.push(rp.tsval[i]);
      }
    }
    const series = [...lines, other].filter((l) => l.xs.length > 0);
    let total = 0; for (const l of series) total += l.xs.length;
    const pair = {
      key: `${rp.client} → ${rp.server}`, client: rp.client, server: rp.server, seen: rp.seen, stride: rp.stride,
      lines: series.map((l) => ({ label: l.label, hz: l.hz, pts: interleave(l.xs, l.ys, Math.max(1000, Math.floor(MAX_POINTS * l.xs.length / Math.max(total, 1)))),
        unanswered: interleave(l.ux, l.uy, 20000) })),
      unanswered: interleave(ux, uy, 20000),
      classification: clock ? pick(clock, 'description', 'classification') : undefined,
    };
    out.push(pair);
  }
  // Pairs with several clock lines (the interesting ones) first, then unanswered SYNs, then size.
  out.sort((a, b) => b.lines.length - a.lines.length || b.unanswered.length - a.unanswered.length || b.seen - a.seen);
  return out;
}

function interleave(xs, ys, max) {
  const n = xs.length;
  const k = n > max ? Math.ceil(n / max) : 1;
  const out = new Float64Array(2 * Math.ceil(n / k));
  let j = 0;
  for (let i = 0; i < n; i += k) { out[j++] = xs[i]; out[j++] = ys[i]; }
  return out;
}

function lineLabel(l, i) {
  const hz = pick(l, 'rate_hz', 'hz', 'rate');
  const hzs = typeof hz === 'number' ? ` (${hz >= 1000 ? Math.round(hz) : hz.toPrecision(3)} Hz)` : '';
  const c = pick(l, 'connections') ?? (Array.isArray(l.flows) ? l.flows.length : undefined);
  const n = typeof c === 'number' ? `, ${c} connection${c === 1 ? '' : 's'}` : '';
  return `clock ${lineName(i)}${hzs}${n}`;
}

