// The two-vantage view: choose (or drop) two captures of the same traffic
// and get the joint verdict, the findings with each capture's frames, and a
// two-column ladder of a chosen connection attempt (A's frames left, B's
// right; a line for a segment seen at both, a cross where it was lost
// between, a dot where it exists at one point only). Every sentence comes
// from the Rust report (tcpopt correlate --format json); this file only shows it.

const $ = (id) => document.getElementById(id);
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}

const open = document.querySelector('section.open');
const panel = el('div', { id: 'correlate-open', class: 'drop' },
  el('p', { text: 'Two vantage points: choose two captures of the same traffic (for example inside the container and at the server) to see which segments crossed, which died where, the NAT mapping and what the path rewrote.' }),
  el('p', { class: 'actions' },
    el('input', { type: 'file', id: 'correlate-files', multiple: '', class: 'visually-hidden-input', 'aria-label': 'Two captures to correlate' }),
    el('label', { class: 'button', for: 'correlate-files' }, 'Choose two captures…')));
open.append(panel);

const out = el('section', { id: 'correlation', 'aria-labelledby': 'correlation-h', hidden: '' },
  el('h2', { id: 'correlation-h', text: 'Two vantage points' }),
  el('p', { id: 'correlation-verdict', class: 'verdict-text' }),
  el('p', { id: 'correlation-captures' }),
  el('ul', { id: 'correlation-facts' }),
  el('ul', { id: 'correlation-findings', class: 'findings' }),
  el('h3', { text: 'Ladder of one connection attempt' }),
  el('p', {}, el('label', { for: 'correlation-attempt', text: 'Attempt: ' }), el('select', { id: 'correlation-attempt' })),
  el('p', { id: 'correlation-attempt-text' }),
  el('table', { id: 'ladder', class: 'ladder' }));
open.after(out);

let worker = null;
let job = 0;
let report = null;

function start(a, b) {
  if (!worker) {
    worker = new Worker(new URL('correlate-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (m.id !== job) return;
      if (m.type === 'done') show(m.report);
      else { $('correlation-verdict').textContent = `Could not correlate: ${m.message}`; out.hidden = false; document.body.dataset.correlateFail = String(job); }
    };
  }
  job += 1;
  delete document.body.dataset.correlateDone;
  worker.postMessage({ type: 'correlate', id: job, a, b });
}

function show(r) {
  report = r;
  out.hidden = false;
  $('correlation-verdict').textContent = r.verdict;
  $('correlation-captures').textContent = r.vantages.map((v) => `${v.vantage}: ${v.capture} (${v.tcp_segments} TCP segments, ${v.matched} matched)`).join(' · ');
  const facts = $('correlation-facts');
  facts.replaceChildren(
    el('li', { text: `Clock: ${r.clock.description}` }),
    el('li', { text: r.nat.description }),
    ...(r.rewrites.length ? r.rewrites.map((w) => el('li', { class: 'rewrite', 'data-kind': w.kind, text: w.description }))
      : [el('li', { text: 'No rewrite: options, timestamps, sequence numbers and windows arrive as sent.' })]));
  $('correlation-findings').replaceChildren(...r.findings.map((f) => el('li', { 'data-code': f.code, 'data-severity': f.severity },
    el('strong', { text: `${f.severity}: ` }), f.summary,
    el('p', { text: f.explanation }), el('p', { text: `What to do: ${f.remedy}` }),
    ...f.frames.map((v) => el('p', { class: 'frames', 'data-vantage': v.vantage, text: `${v.vantage} (${v.capture}) frames: ${v.frames.join(' ')}` })))));
  const sel = $('correlation-attempt');
  sel.replaceChildren(...r.attempts.map((a) => el('option', { value: String(a.index), text: `#${a.index} ${a.outcome.replaceAll('_', ' ')}: ${a.client_a ?? a.client_b} → ${a.server_a ?? a.server_b}` })));
  // The first attempt worth a look: lost or unanswered before all-matched, before not-on-path.
  const rank = { syns_never_reached: 0, syns_reached_no_answer: 0, answer_lost: 0, some_lost: 1, all_matched: 2, not_on_path: 3 };
  const first = [...r.attempts].sort((x, y) => rank[x.outcome] - rank[y.outcome] || x.index - y.index)[0];
  if (first) { sel.value = String(first.index); ladder(first); }
  document.body.dataset.correlateDone = String(job);
}

function ladder(a) {
  $('correlation-attempt-text').textContent = a.description;
  const names = report.vantages.map((v) => `${v.vantage}: ${v.capture}`);
  const time = (t) => (t == null ? '' : (t / 1e9).toFixed(6));
  const rows = a.ladder.map((r) => {
    const state = r.frame_a != null && r.frame_b != null ? 'matched' : r.lost ? 'lost' : r.injected ? 'made-between' : 'only';
    const what = `${r.flags} seq ${r.seq} ack ${r.ack} len ${r.len}`;
    const line = state === 'matched' ? (r.from_client ? '────────▶' : '◀────────') : state === 'lost' ? '✕' : '·';
    return el('tr', { 'data-state': state, 'data-a': r.frame_a ?? '', 'data-b': r.frame_b ?? '' },
      el('td', { class: 'frame', text: r.frame_a ?? '' }), el('td', { class: 'time', text: time(r.t_a), title: r.time_a ?? '' }),
      el('td', { class: 'what', text: r.frame_a != null ? what : '' }),
      el('td', { class: `link ${state}`, text: line, title: state.replace('-', ' ') }),
      el('td', { class: 'frame', text: r.frame_b ?? '' }), el('td', { class: 'time', text: time(r.t_b), title: r.time_b ?? '' }),
      el('td', { class: 'what', text: r.frame_a == null ? what : '' }));
  });
  $('ladder').replaceChildren(
    el('thead', {}, el('tr', {}, el('th', { colspan: '3', text: names[0] }), el('th', { text: '' }), el('th', { colspan: '3', text: names[1] }))),
    el('tbody', {}, ...rows));
}

$('correlation-attempt').addEventListener('change', (e) => {
  const a = report?.attempts.find((x) => x.index === Number(e.target.value));
  if (a) ladder(a);
});
$('correlate-files').addEventListener('change', (e) => {
  const fs = [...(e.target.files || [])];
  if (fs.length === 2) start(fs[0], fs[1]);
  else { out.hidden = false; $('correlation-verdict').textContent = 'Choose exactly two captures: A, then B.'; }
  e.target.value = '';
});
// Two files dropped on either zone: correlate them (one file stays the single analysis).
for (const zone of [$('drop'), panel]) {
  zone.addEventListener('drop', (e) => {
    const fs = [...(e.dataTransfer?.files || [])];
    if (fs.length !== 2) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    start(fs[0], fs[1]);
  }, { capture: true });
}
window.tcpopt = Object.assign(window.tcpopt || {}, { correlate: start });
