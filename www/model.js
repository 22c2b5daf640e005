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

export function flowClient(f) { return endpoint(pick(f, 'client', 'src', 'initiator')); }
export function flowServer(f) { return endpoint(pick(f, 'server', 'dst', 'responder')); }

/** Handshake outcome as a short word. */
export function flowOutcome(f) {
  const h = pick(f, 'handshake', 'outcome', 'handshake_outcome');
  if (typeof h === 'string') return h;
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
 * Plot data: for each (client address, server) pair, the points of each clock
 * line and the unanswered SYNs, downsampled to at most MAX_POINTS per pair.
 * Uses per-line points when the report has them, otherwise each flow's first
 * and last (time, TSval).
 */
export const MAX_POINTS = 100000;

export function plotFrom(report) {
  const pairs = new Map();
  const flows = flowsOf(report);
  const clocks = Array.isArray(report?.clocks) ? report.clocks : [];
  const pairKey = (c, s) => `${c} → ${s}`;
  const getPair = (c, s) => {
    const k = pairKey(c, s);
    let p = pairs.get(k);
    if (!p) { p = { key: k, client: c, server: s, lines: [], unanswered: [], t0: Infinity }; pairs.set(k, p); }
    return p;
  };
  const flowLine = new Map(); // flow index -> [pairKey, line index]
  for (const c of clocks) {
    const client = hostOf(pick(c, 'client', 'src') ?? '');
    const server = endpoint(pick(c, 'server', 'dst') ?? '');
    const p = getPair(client, server);
    const lines = Array.isArray(c.lines) ? c.lines : [];
    lines.forEach((l, li) => {
      const line = { label: lineLabel(l, li), hz: pick(l, 'hz', 'rate_hz', 'rate'), pts: [] };
      const pts = pick(l, 'points', 'samples');
      if (Array.isArray(pts)) {
        for (const q of pts) {
          const t = seconds(Array.isArray(q) ? q[0] : pick(q, 't', 'time'));
          const v = Array.isArray(q) ? q[1] : pick(q, 'tsval', 'ts');
          if (t !== undefined && typeof v === 'number') line.pts.push(t, v);
        }
      }
      line.fromPoints = line.pts.length > 0;
      const fl = pick(l, 'flows', 'flow_indices');
      if (Array.isArray(fl)) for (const fi of fl) if (typeof fi === 'number') flowLine.set(fi, [p.key, li]);
      p.lines.push(line);
    });
  }
  flows.forEach((f, fi) => {
    const client = hostOf(flowClient(f));
    const server = flowServer(f);
    let p, line;
    const fl = flowLine.get(fi) ?? flowLine.get(pick(f, 'index', 'id'));
    if (fl) { p = pairs.get(fl[0]); line = p.lines[fl[1]]; }
    else {
      p = getPair(client, server);
      if (!p.noLine) { p.noLine = { label: 'not on a clock line', hz: undefined, pts: [] }; p.lines.push(p.noLine); }
      line = p.noLine;
    }
    const synTs = pick(f, 'syn_tsvals');
    const synTimes = pick(f, 'syn_times');
    const failed = /fail|unanswer|no.?syn.?ack|timeout|lost/i.test(flowOutcome(f));
    const add = (tm, v, unanswered) => {
      const t = seconds(tm);
      if (t === undefined || typeof v !== 'number') return;
      if (!line.fromPoints) line.pts.push(t, v);
      if (unanswered) p.unanswered.push(t, v);
    };
    if (Array.isArray(synTs) && Array.isArray(synTimes)) {
      synTs.forEach((v, i) => add(synTimes[i], v, failed));
    }
    const ft = pick(f, 'first_tsval', 'tsval_first');
    const lt = pick(f, 'last_tsval', 'tsval_last');
    add(pick(f, 'first_time', 'start', 'first_seen', 'start_time'), ft, failed && !Array.isArray(synTs));
    add(pick(f, 'last_time', 'end', 'last_seen', 'end_time'), lt, false);
  });
  const out = [];
  for (const p of pairs.values()) {
    p.lines = p.lines.filter((l) => l.pts.length > 0);
    if (p.lines.length === 0 && p.unanswered.length === 0) continue;
    let total = 0; for (const l of p.lines) total += l.pts.length / 2;
    for (const l of p.lines) {
      const share = Math.max(1000, Math.floor(MAX_POINTS * (l.pts.length / 2) / Math.max(total, 1)));
      l.pts = Float64Array.from(stride(l.pts, share));
    }
    p.unanswered = Float64Array.from(stride(p.unanswered, 20000));
    out.push({ key: p.key, client: p.client, server: p.server, lines: p.lines, unanswered: p.unanswered });
  }
  // Pairs with several clock lines (the interesting ones) first.
  out.sort((a, b) => b.lines.length - a.lines.length || b.unanswered.length - a.unanswered.length);
  return out;
}

function lineLabel(l, i) {
  const hz = pick(l, 'hz', 'rate_hz', 'rate');
  const hzs = typeof hz === 'number' ? ` (${hz >= 1000 ? Math.round(hz) : hz.toPrecision(3)} Hz)` : '';
  const n = Array.isArray(l.flows) ? `, ${l.flows.length} flow${l.flows.length === 1 ? '' : 's'}` : '';
  return `clock ${String.fromCharCode(65 + (i % 26))}${hzs}${n}`;
}

/** Keeps every k-th (t, v) pair so that at most `max` remain (order kept). */
function stride(arr, max) {
  const n = arr.length / 2;
  if (n <= max) return arr;
  const k = Math.ceil(n / max);
  const out = [];
  for (let i = 0; i < n; i += k) out.push(arr[2 * i], arr[2 * i + 1]);
  return out;
}
