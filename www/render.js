// Rendering a report into the page. Pure DOM, textContent only (never
// innerHTML with report data: a crafted capture must not inject markup).
// `report` is the engine's report (its flows are read a page at a time, see FlowsTable),
// `view` its presentation (web/report.d.ts: ReportView), the same the CLI prints.

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

export function renderVerdict(report, view, root) {
  const worst = view.severity ?? 'ok';
  const card = root.querySelector('#verdict');
  card.dataset.severity = worst;
  const vt = root.querySelector('#verdict-text');
  vt.replaceChildren(el('span', { class: `badge ${worst}`, text: worst === 'ok' ? 'OK' : SEV_LABEL[worst] }), ' ', view.verdict);
  root.querySelector('#capture-summary').textContent = view.capture_line;

  const c = report.capture;
  const errBox = root.querySelector('#capture-errors');
  errBox.replaceChildren();
  if (c.errors.length || !c.complete) {
    const list = el('ul');
    for (const line of view.errors.slice(0, 20)) list.append(el('li', { text: line }));
    if (c.errors.length > 20) list.append(el('li', { text: `… and ${c.errors.length - 20} more` }));
    const head = !c.complete
      ? 'Reading stopped early: the capture is truncated or damaged. Everything below is the partial analysis of what could be read.'
      : 'Some packets could not be decoded; they are left out of the analysis.';
    errBox.append(el('div', { class: !c.complete ? 'warn-box' : 'note-box', role: 'status' }, el('p', { class: 'capture-error-head', text: head }), list));
  }
  // Packets that may hold TCP but were not decoded: the report's own sentence.
  const undecoded = c.undecoded && c.undecoded.summary;
  if (undecoded) {
    errBox.append(el('div', { class: 'warn-box', role: 'status' }, el('p', { class: 'capture-error-head', text: `Not decoded: ${undecoded}.` })));
  }
}

export function renderFindings(report, view, root, { onCopy }) {
  const list = root.querySelector('#findings');
  list.replaceChildren();
  const fs = report.findings;
  root.querySelector('#findings-count').textContent = `(${fs.length})`;
  if (fs.length === 0) {
    list.append(el('li', { class: 'finding none', text: 'No findings: the timestamps in this capture look healthy.' }));
    return;
  }
  fs.forEach((f, i) => {
    const v = view.findings[i];
    const sev = f.severity;
    const det = el('details', { class: 'finding-details' });
    det.append(el('summary', {}, el('span', { class: `badge ${sev}`, text: SEV_LABEL[sev] }), ' ',
      el('code', { class: 'code', text: f.code }), ' ', el('span', { class: 'summary', text: f.summary })));
    const body = el('div', { class: 'finding-body' });
    if (v.between) body.append(el('p', { class: 'who', text: v.between }));
    body.append(el('h4', { text: 'What happened' }), paragraphs(f.explanation));
    body.append(el('h4', { text: 'What to do' }), paragraphs(f.remedy));
    if (f.frames.length) {
      body.append(el('h4', { text: `Frames (${v.frames_cut ?? f.frames.length})` }));
      body.append(el('p', { class: 'frames', text: v.frames_text }));
      const btn = el('button', { type: 'button', class: 'button small', text: 'Copy Wireshark filter',
        onclick: () => onCopy(v.wireshark_filter, btn) });
      body.append(el('p', {}, el('code', { class: 'filter', text: v.wireshark_filter }), ' ', btn));
    }
    const ev = f.evidence;
    if (Object.keys(ev).length) {
      const dl = el('dl', { class: 'evidence' });
      for (const [k, x] of Object.entries(ev)) {
        dl.append(el('dt', { text: k.replaceAll('_', ' ') }), el('dd', { text: typeof x === 'object' ? JSON.stringify(x) : String(x) }));
      }
      body.append(el('h4', { text: 'Evidence' }), dl);
    }
    det.append(body);
    if (i === 0 && sev !== 'info') det.open = true;
    list.append(el('li', { class: `finding ${sev}`, 'data-code': f.code }, det));
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
// The rows are FlowRow (web/report.d.ts), the same `tcpopt flows` prints; the worker keeps the
// flows and serves one page at a time (sorted and filtered there), so the page never holds them.
const COLUMNS = [
  { key: 'index', label: '#', num: true },
  { key: 'client', label: 'Client' },
  { key: 'server', label: 'Server' },
  { key: 'handshake', label: 'Handshake' },
  { key: 'ts', label: 'Timestamps' },
  { key: 'clock', label: 'Clock' },
  { key: 'syns', label: 'SYNs', num: true },
  { key: 'segments', label: 'Segments', num: true },
  { key: 'frames', label: 'Frames' },
  { key: 'first_tsval', label: 'Client first TSval', num: true },
  { key: 'last_tsval', label: 'Client last TSval', num: true },
  { key: 'rate_hz', label: 'Rate (Hz)', num: true },
  { key: 'fin', label: 'First FIN' },
  { key: 'rst', label: 'RST' },
];
const PAGE = 200;

export class FlowsTable {
  constructor(root) {
    this.table = root.querySelector('#flows');
    this.count = root.querySelector('#flows-count');
    this.filterInput = root.querySelector('#flow-filter');
    this.prev = root.querySelector('#flows-prev');
    this.next = root.querySelector('#flows-next');
    this.sort = { key: 'index', dir: 1 };
    this.offset = 0;
    this.fetch = null;
    this.seq = 0;
    let t = 0;
    this.filterInput.addEventListener('input', () => { clearTimeout(t); t = setTimeout(() => { this.offset = 0; this.draw(); }, 150); });
    this.prev.addEventListener('click', () => { this.offset = Math.max(0, this.offset - PAGE); this.draw(); });
    this.next.addEventListener('click', () => { this.offset += PAGE; this.draw(); });
    const tr = this.table.querySelector('thead tr');
    for (const c of COLUMNS) {
      const b = el('button', { type: 'button', class: 'sort', text: c.label, onclick: () => {
        this.sort = { key: c.key, dir: this.sort.key === c.key ? -this.sort.dir : 1 }; this.offset = 0; this.draw(); } });
      tr.append(el('th', { scope: 'col', 'data-key': c.key, 'aria-sort': 'none' }, b));
    }
  }
  /** `fetch(query)` resolves to a FlowPage ({ total, matched, rows }) for { filter, sort, descending, offset, count }. */
  set(fetch, allFlows) {
    this.fetch = fetch;
    this.allFlows = allFlows;
    this.offset = 0;
    return this.draw();
  }
  async draw() {
    if (!this.fetch) return;
    const seq = ++this.seq;
    const page = await this.fetch({ filter: this.filterInput.value, sort: this.sort.key, descending: this.sort.dir < 0, offset: this.offset, count: PAGE });
    if (seq !== this.seq) return; // a later request superseded this one
    for (const th of this.table.querySelectorAll('th')) {
      th.setAttribute('aria-sort', th.dataset.key === this.sort.key ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    const frag = document.createDocumentFragment();
    for (const r of page.rows) {
      const tr = el('tr');
      for (const c of COLUMNS) {
        const v = String(r[c.key]);
        const td = el('td', { text: v });
        if (c.key === 'handshake') td.className = v === 'completed' ? 'good' : /unanswered|rst|bare/.test(v) ? 'bad' : '';
        if (c.num) td.classList.add('num');
        tr.append(td);
      }
      frag.append(tr);
    }
    this.table.querySelector('tbody').replaceChildren(frag);
    const n = (x) => x.toLocaleString('en-US');
    const first = page.rows.length ? this.offset + 1 : 0, last = this.offset + page.rows.length;
    // Schema v2: the report lists the flows that findings name; the CSV download has every flow.
    const of = this.allFlows > page.total ? ` · the ${n(page.total)} flows that findings name, of ${n(this.allFlows)}; "Download all flows (CSV)" has every one` : '';
    this.count.textContent = (page.matched === page.total
      ? `(${n(page.total)}${page.total > page.rows.length ? `, ${n(first)}–${n(last)} shown` : ''})`
      : `(${n(page.matched)} of ${n(page.total)} match${page.matched > page.rows.length ? `, ${n(first)}–${n(last)} shown` : ''})`) + of;
    this.prev.disabled = this.offset === 0;
    this.next.disabled = last >= page.matched;
  }
}

// ---- Markdown for a ticket ----
export function findingsMarkdown(report, view, fileName) {
  const fs = report.findings;
  const out = [];
  out.push(`## tcpopt: ${fileName || 'capture'}`, '');
  out.push(`**Verdict:** ${view.verdict}`, '');
  out.push(`Capture: ${view.capture_line}`, '');
  if (!report.capture.complete) out.push('> The capture was read only partly (truncated or damaged); findings cover what was read.', '');
  if (!fs.length) { out.push('No findings.'); return out.join('\n') + '\n'; }
  out.push('| Severity | Code | Summary |', '| --- | --- | --- |');
  for (const f of fs) out.push(`| ${f.severity} | \`${f.code}\` | ${mdCell(f.summary)} |`);
  out.push('');
  fs.forEach((f, i) => {
    const v = view.findings[i];
    out.push(`### ${f.severity}: \`${f.code}\``, '', f.summary, '');
    if (v.between) out.push(`${v.between}`, '');
    out.push(`**What happened.** ${f.explanation}`, '');
    out.push('**What to do.**', '', f.remedy, '');
    if (f.frames.length) out.push(`**Frames (${v.frames_cut ?? f.frames.length}):** ${v.frames_text}`, '', `Wireshark: \`${v.wireshark_filter}\``, '');
  });
  return out.join('\n');
}
function mdCell(s) { return String(s).replaceAll('|', '\\|').replaceAll('\n', ' '); }

