// The page's view of the engine's results. The report's shape is web/report.d.ts, generated
// from the Rust types (every field documented there); everything computed that the page shows
// (the verdict, the capture line and its percentage, frame lists, Wireshark filters, clock-line
// labels, flow rows) comes from the engine's view() and flowRows(), which tcpopt_parse::present
// computes exactly as for the command line's text. Nothing here guesses a field: a field the
// schema does not declare is a test failure (tcpopt-parse/tests/schema.rs).
// Shared by the worker (plot data) and the page (rendering).

/** Points per pair the plot draws at most (the engine keeps at most 100,000 per pair). */
export const MAX_POINTS = 100000;

/**
 * Plot data for each (client address, server address) pair: the engine's sampled points
 * (`plotPoints()`: each point already knows its clock line and whether it is an unanswered
 * SYN) split into one series per clock line, labelled as the CLI labels them.
 * @param {import('../web/report.d.ts').Report} report
 * @param {import('../web/report.d.ts').ReportView} view
 */
export function plotFrom(report, view, raw) {
  const out = [];
  for (const rp of raw?.pairs || []) {
    const ci = report.clocks.findIndex((c) => c.client === rp.client && c.server === rp.server);
    const clock = ci >= 0 ? report.clocks[ci] : null;
    const lines = (ci >= 0 ? view.clocks[ci].lines : []).map((l, li) => ({ label: l.text, hz: clock.lines[li].rate_hz, xs: [], ys: [], ux: [], uy: [] }));
    const other = { label: 'no clock line', hz: null, xs: [], ys: [], ux: [], uy: [] };
    const ux = [], uy = [];
    const n = rp.frame.length;
    for (let i = 0; i < n; i++) {
      const series = rp.line[i] >= 0 && lines[rp.line[i]] ? lines[rp.line[i]] : other;
      series.xs.push(rp.t[i]); series.ys.push(rp.tsval[i]);
      if (rp.unanswered[i]) { ux.push(rp.t[i]); uy.push(rp.tsval[i]); series.ux.push(rp.t[i]); series.uy.push(rp.tsval[i]); }
    }
    const series = [...lines, other].filter((l) => l.xs.length > 0);
    let total = 0; for (const l of series) total += l.xs.length;
    out.push({
      key: `${rp.client} → ${rp.server}`, client: rp.client, server: rp.server, seen: rp.seen, stride: rp.stride,
      lines: series.map((l) => ({ label: l.label, hz: l.hz, pts: interleave(l.xs, l.ys, Math.max(1000, Math.floor(MAX_POINTS * l.xs.length / Math.max(total, 1)))),
        unanswered: interleave(l.ux, l.uy, 20000) })),
      unanswered: interleave(ux, uy, 20000),
      classification: clock ? clock.description : undefined,
    });
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
