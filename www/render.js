// Rendering a report into the page. Pure DOM, textContent only (never
// innerHTML with report data: a crafted capture must not inject markup).
import { pick, endpoint, severityOf, framesOf, findingsOf, wiresharkFilter, flowsOf, flowClient, flowServer,
  flowOutcome, flowTsNegotiated, lineName, SEVERITY_RANK } from './model.js';

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0; while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return `${i ? n.toFixed(1) : n} ${u[i]}`;
}

const SEV_LABEL = { critical: 'Critical', warning: 'Warning', info: 'Info' };

export function renderVerdict(report, root) {
  const findings = findingsOf(report);
  const worst = findings.length ? severityOf(findings[0]) : 'ok';
  const card = root.querySelector('#verdict');
  card.dataset.severity = worst;
  let verdict = pick(report, 'verdict');
  if (verdict && typeof verdict === 'object') verdict = pick(verdict, 'summary', 'text', 'line') ?? JSON.stringify(verdict);
  if (!verdict) verdict = findings.length ? pick(findings[0], 'summary') : 'No timestamp problem found.';
  const vt = root.querySelector('#verdict-text');
  vt.replaceChildren(el('span', { class: `badge ${worst}`, text: worst === 'ok' ? 'OK' : SEV_LABEL[worst] }), ' ', String(verdict));

  const c = report.capture || {};
  const parts = [];
  const fmt = pick(c, 'format');
  if (fmt) parts.push(String(fmt));
  const lt = pick(c, 'link_types');
  if (Array.isArray(lt) && lt.length) parts.push(lt.map((x) => (typeof x === 'object' ? pick(x, 'name', 'link_type') ?? JSON.stringify(x) : x)).join(', '));
  const num = (k, label) => { const v = pick(c, ...k); if (typeof v === 'number') parts.push(`${v.toLocaleString('en-US')} ${label}`); };
  num(['packets', 'frames'], 'packets');
  num(['tcp_segments'], 'TCP segments');
  num(['segments_with_timestamps', 'ts_segments'], 'with timestamps');
  num(['flows'], 'flows');
  if (!parts.some((p) => p.endsWith('flows'))) parts.push(`${flowsOf(report).length.toLocaleString('en-US')} flows`);
  root.querySelector('#capture-summary').textContent = parts.join(' · ');

  const errBox = root.querySelector('#capture-errors');
  errBox.replaceChildren();
  const errors = Array.isArray(c.errors) ? c.errors : [];
  const complete = pick(c, 'complete');
  if (errors.length || complete === false) {
    const list = el('ul');
    for (const e of errors.slice(0, 20)) {
      // The engine's message already says where (frame, byte); add the frame only when it does not.
      const msg = String(pick(e, 'message', 'kind', 'error') ?? JSON.stringify(e));
      const fr = pick(e, 'frame');
      list.append(el('li', { text: fr && !/\bframe\b/.test(msg) ? `frame ${fr}: ${msg}` : msg }));
    }
    if (errors.length > 20) list.append(el('li', { text: `… and ${errors.length - 20} more` }));
    const head = complete === false
      ? 'Reading stopped early: the capture is truncated or damaged. Everything below is the partial analysis of what could be read.'
      : 'Some packets could not be decoded; they are left out of the analysis.';
    errBox.append(el('div', { class: complete === false ? 'warn-box' : 'note-box', role: 'status' }, el('p', { class: 'capture-error-head', text: head }), list));
  }
  // Packets that may hold TCP but were not decoded: the report's own sentence.
  const undecoded = c.undecoded && c.undecoded.summary;
  if (undecoded) {
    errBox.append(el('div', { class: 'warn-box', role: 'status' }, el('p', { class: 'capture-error-head', text: `Not decoded: ${undecoded}.` })));
  }
}

export function renderFindings(report, root, { onCopy }) {
  const list = root.querySelector('#findings');
  list.replaceChildren();
  const fs = findingsOf(report);
  root.querySelector('#findings-count').textContent = `(${fs.length})`;
  if (fs.length === 0) {
    list.append(el('li', { class: 'finding none', text: 'No findings: the timestamps in this capture look healthy.' }));
    return;
  }
  fs.forEach((f, i) => {
    const sev = severityOf(f);
    const code = String(pick(f, 'code', 'id') ?? '');
    const frames = framesOf(f);
    const filter = wiresharkFilter(frames);
    const det = el('details', { class: 'finding-details' });
    det.append(el('summary', {}, el('span', { class: `badge ${sev}`, text: SEV_LABEL[sev] }), ' ',
      el('code', { class: 'code', text: code }), ' ', el('span', { class: 'summary', text: String(pick(f, 'summary', 'title') ?? '') })));
    const body = el('div', { class: 'finding-body' });
    const who = [];
    const cl = pick(f, 'client'); if (cl != null) who.push(`client ${endpoint(cl)}`);
    const sv = pick(f, 'server'); if (sv != null) who.push(`server ${endpoint(sv)}`);
    if (who.length) body.append(el('p', { class: 'who', text: who.join(' → ') }));
    const ex = pick(f, 'explanation', 'explain');
    if (ex) body.append(el('h4', { text: 'What happened' }), paragraphs(ex));
    const rem = pick(f, 'remedy', 'remedies');
    if (rem) body.append(el('h4', { text: 'What to do' }), paragraphs(rem));
    if (frames.length) {
      body.append(el('h4', { text: `Frames (${frames.length})` }));
      body.append(el('p', { class: 'frames', text: frames.join(' ') }));
      const btn = el('button', { type: 'button', class: 'button small', text: 'Copy Wireshark filter',
        onclick: () => onCopy(filter, btn) });
      body.append(el('p', {}, el('code', { class: 'filter', text: filter }), ' ', btn));
    }
    const ev = pick(f, 'evidence');
    if (ev && typeof ev === 'object' && Object.keys(ev).length) {
      const dl = el('dl', { class: 'evidence' });
      for (const [k, v] of Object.entries(ev)) {
        dl.append(el('dt', { text: k.replaceAll('_', ' ') }), el('dd', { text: typeof v === 'object' ? JSON.stringify(v) : String(v) }));
      }
      body.append(el('h4', { text: 'Evidence' }), dl);
    }
    det.append(body);
    if (i === 0 && sev !== 'info') det.open = true;
    list.append(el('li', { class: `finding ${sev}`, 'data-code': code }, det));
  });
}

function paragraphs(v) {
  if (Array.isArray(v)) return el('ul', {}, ...v.map((x) => el('li', {}, ...inline(typeof x === 'string' ? x : JSON.stringify(x)))));
  const d = el('div');
  for (const p of String(v).split(/\n{2,}/)) {
    const lines = p.split('\n');
    if (lines.every((l) => /^\s*[-*] /.test(l))) d.append(el('ul', {}, ...lines.map((l) => el('li', {}, ...inline(l.replace(/^\s*[-*] /, ''))))));
    else d.append(el('p', {}, ...inline(p)));
  }
  return d;
}

// `code` spans (the engine's remedies quote commands that way) as <code>, the rest as text.
function inline(s) {
  return s.split('`').map((part, i) => (i % 2 ? el('code', { text: part }) : part));
}

// ---- flows table ----
const COLUMNS = [
  { key: 'index', label: '#', get: (f, i) => i + 1, num: true },
  { key: 'client', label: 'Client', get: (f) => flowClient(f) },
  { key: 'server', label: 'Server', get: (f) => flowServer(f) },
  { key: 'outcome', label: 'Handshake', get: (f) => flowOutcome(f) },
  { key: 'ts', label: 'Timestamps', get: (f) => { const t = flowTsNegotiated(f); return t === undefined ? '' : t ? 'negotiated' : 'not negotiated'; } },
  { key: 'line', label: 'Clock', get: (f) => lineName(pick(f, 'clock_line')) },
  { key: 'syns', label: 'SYNs', get: (f) => { const s = pick(f, 'syns', 'syn_count', 'syn_frames'); return Array.isArray(s) ? s.length : s ?? ''; }, num: true },
  { key: 'packets', label: 'Segments', get: (f) => { const a = pick(f.client_ts, 'segments'), b = pick(f.server_ts, 'segments');
    return typeof a === 'number' || typeof b === 'number' ? (a || 0) + (b || 0) : pick(f, 'packets', 'segments') ?? ''; }, num: true },
  { key: 'first_frame', label: 'Frames', get: (f) => { const a = pick(f, 'first_frame'), b = pick(f, 'last_frame'); return a == null ? '' : b == null || b === a ? String(a) : `${a}–${b}`; } },
  { key: 'first_tsval', label: 'Client first TSval', get: (f) => pick(f.client_ts, 'first_tsval') ?? pick(f, 'first_tsval') ?? '', num: true },
  { key: 'last_tsval', label: 'Client last TSval', get: (f) => pick(f.client_ts, 'last_tsval') ?? pick(f, 'last_tsval') ?? '', num: true },
];

export class FlowsTable {
  constructor(root) {
    this.table = root.querySelector('#flows');
    this.count = root.querySelector('#flows-count');
    this.filterInput = root.querySelector('#flow-filter');
    this.sort = { key: 'index', dir: 1 };
    this.rows = [];
    this.limit = 2000;
    this.filterInput.addEventListener('input', () => this.draw());
    const tr = this.table.querySelector('thead tr');
    for (const c of COLUMNS) {
      const b = el('button', { type: 'button', class: 'sort', text: c.label, onclick: () => {
        this.sort = { key: c.key, dir: this.sort.key === c.key ? -this.sort.dir : 1 }; this.draw(); } });
      tr.append(el('th', { scope: 'col', 'data-key': c.key, 'aria-sort': 'none' }, b));
    }
  }
  set(report, total) {
    this.rows = flowsOf(report).map((f, i) => COLUMNS.map((c) => c.get(f, i)));
    this.total = Math.max(total || 0, this.rows.length);
    this.draw();
  }
  draw() {
    const q = this.filterInput.value.trim().toLowerCase();
    let rows = this.rows;
    if (q) rows = rows.filter((r) => r.some((v) => String(v).toLowerCase().includes(q)));
    const ci = COLUMNS.findIndex((c) => c.key === this.sort.key);
    const num = COLUMNS[ci].num;
    rows = rows.slice().sort((a, b) => {
      const x = a[ci], y = b[ci];
      const r = num && typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true });
      return r * this.sort.dir;
    });
    for (const th of this.table.querySelectorAll('th')) {
      th.setAttribute('aria-sort', th.dataset.key === this.sort.key ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    const body = this.table.querySelector('tbody');
    const frag = document.createDocumentFragment();
    for (const r of rows.slice(0, this.limit)) {
      const tr = el('tr');
      r.forEach((v, i) => {
        const td = el('td', { text: String(v) });
        if (COLUMNS[i].key === 'outcome') td.className = /fail|unanswer|rst|bare/i.test(String(v)) ? 'bad' : /complete/i.test(String(v)) ? 'good' : '';
        if (COLUMNS[i].num) td.classList.add('num');
        tr.append(td);
      });
      frag.append(tr);
    }
    body.replaceChildren(frag);
    const shown = Math.min(rows.length, this.limit);
    const more = this.total > this.rows.length
      ? ` · the first ${this.rows.length.toLocaleString('en-US')} of ${this.total.toLocaleString('en-US')} flows are listed here; the JSON export has them all` : '';
    this.count.textContent = (rows.length === this.rows.length
      ? `(${this.rows.length.toLocaleString('en-US')}${shown < rows.length ? `, first ${shown} shown` : ''})`
      : `(${rows.length.toLocaleString('en-US')} of ${this.rows.length.toLocaleString('en-US')}${shown < rows.length ? `, first ${shown} shown` : ''})`) + more;
  }
}

// ---- Markdown for a ticket ----
export function findingsMarkdown(report, fileName) {
  const fs = findingsOf(report);
  const out = [];
  out.push(`## tcpopt: ${fileName || 'capture'}`, '');
  out.push(`**Verdict:** ${pick(report, 'verdict') ?? ''}`, '');
  const c = report.capture || {};
  if (c.complete === false) out.push('> The capture was read only partly (truncated or damaged); findings cover what was read.', '');
  if (!fs.length) { out.push('No findings.'); return out.join('\n') + '\n'; }
  out.push('| Severity | Code | Summary |', '| --- | --- | --- |');
  for (const f of fs) out.push(`| ${severityOf(f)} | \`${pick(f, 'code') ?? ''}\` | ${mdCell(pick(f, 'summary') ?? '')} |`);
  out.push('');
  for (const f of fs) {
    out.push(`### ${severityOf(f)}: \`${pick(f, 'code') ?? ''}\``, '', String(pick(f, 'summary') ?? ''), '');
    const who = [pick(f, 'client'), pick(f, 'server')].filter((x) => x != null).map(endpoint);
    if (who.length) out.push(`Between ${who.join(' and ')}.`, '');
    const ex = pick(f, 'explanation'); if (ex) out.push(`**What happened.** ${asText(ex)}`, '');
    const rem = pick(f, 'remedy'); if (rem) out.push('**What to do.**', '', Array.isArray(rem) ? rem.map((r) => `- ${r}`).join('\n') : String(rem), '');
    const fr = framesOf(f);
    if (fr.length) out.push(`**Frames (${fr.length}):** ${fr.slice(0, 200).join(' ')}${fr.length > 200 ? ' …' : ''}`, '', `Wireshark: \`${wiresharkFilter(fr)}\``, '');
  }
  return out.join('\n');
}
function mdCell(s) { return String(s).replaceAll('|', '\\|').replaceAll('\n', ' '); }
function asText(v) { return Array.isArray(v) ? v.join(' ') : String(v); }

export { SEVERITY_RANK };
