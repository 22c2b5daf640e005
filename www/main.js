// The page: file picking, the worker's life cycle, progress, rendering, exports.
import { renderVerdict, renderFindings, FlowsTable, findingsMarkdown, fmtBytes, el } from './render.js';
import { ClockPlot, COLOURS } from './plot.js';

const $ = (id) => document.getElementById(id);
const SAMPLE = 'samples/tw-recycle-drop.pcapng';

const state = { worker: null, ready: null, job: 0, running: null, report: null, view: null, plot: [], fileName: '', req: 0, pending: new Map() };
const flows = new FlowsTable(document);
const plot = new ClockPlot($('plot'));

function startWorker() {
  const w = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
  state.worker = w;
  state.ready = new Promise((resolve) => {
    w.addEventListener('message', function first(ev) {
      if (ev.data?.type === 'ready') { $('version').textContent = ev.data.version; resolve(true); w.removeEventListener('message', first); }
    });
  });
  w.onmessage = onWorkerMessage;
  w.onerror = (e) => {
    e.preventDefault?.();
    fail(`The analysis engine stopped: ${e.message || 'unknown error'}. You can open another file.`);
    restartWorker();
  };
}
function restartWorker() {
  state.worker?.terminate();
  startWorker();
}

function onWorkerMessage(ev) {
  const m = ev.data;
  if (!m || (m.id !== undefined && m.id !== null && m.id !== state.job)) return; // a cancelled job's late message
  switch (m.type) {
    case 'progress': showProgress(m); break;
    case 'finishing': $('progress-text').textContent += ' · all read; finishing the analysis (clock lines, detectors)…'; break;
    case 'done': done(m); break;
    case 'rows': case 'export': {
      const p = state.pending.get(m.req);
      if (p) { state.pending.delete(m.req); if (m.stale) p.reject(new Error('stale')); else p.resolve(m); }
      break;
    }
    case 'error': fail(m.message); if (m.id === state.job) restartWorker(); break;
  }
}

/** Asks the worker about the finished job (a page of flow rows, an export). */
function ask(msg) {
  const req = ++state.req;
  const job = state.job;
  return new Promise((resolve, reject) => {
    state.pending.set(req, { resolve, reject });
    state.worker.postMessage({ ...msg, id: job, req });
  });
}

function setBusy(busy) {
  $('progress').hidden = !busy;
  $('file').disabled = busy;
  $('sample').disabled = busy;
  document.body.classList.toggle('busy', busy);
}

async function analyze(file) {
  hideError();
  state.job += 1;
  state.fileName = file.name;
  state.running = { started: performance.now(), size: file.size };
  $('progress-name').textContent = `Analysing ${file.name} (${fmtBytes(file.size)})`;
  $('progress-bar').value = 0;
  $('progress-text').textContent = 'Starting…';
  setBusy(true);
  $('results').setAttribute('aria-busy', 'true');
  await state.ready;
  // ?gunzip=browser: gzip through the browser's DecompressionStream instead of the engine's decoder
  // (slower in Chromium, kept to measure; see worker.js).
  const gunzip = new URLSearchParams(location.search).get('gunzip') || undefined;
  state.worker.postMessage({ type: 'analyze', id: state.job, file, gunzip });
}

function showProgress(m) {
  state.progressMemory = m.memory;
  $('progress-bar').max = Math.max(m.total, 1);
  $('progress-bar').value = m.bytes;
  const pct = m.total ? ` (${Math.floor(100 * m.bytes / m.total)} %)` : '';
  $('progress-text').textContent = `${fmtBytes(m.bytes)} of ${fmtBytes(m.total)}${pct} · ${fmtBytes(m.rate)}/s · ${m.packets.toLocaleString('en-US')} packets`;
}

function done(m) {
  setBusy(false);
  $('results').removeAttribute('aria-busy');
  const { report, view } = m;
  state.report = report;
  state.view = view;
  state.plot = m.plot || [];
  document.body.dataset.state = 'done';
  const secs = m.elapsedMs / 1000;
  $('progress-text').textContent = `Done: ${fmtBytes(m.bytes)} in ${secs.toFixed(2)} s`;
  const c = report.capture;
  if (!(c.packets > 0) && c.errors.length > 0) {
    // Not a capture at all (or nothing readable): say so plainly, keep the previous results hidden.
    fail(`${state.fileName} could not be read as a capture: ${state.view.errors[0]}. tcpopt reads pcap and pcapng files (optionally gzip or zstd compressed).`);
    $('results').hidden = true;
    return;
  }
  state.lastMemory = m.memory;
  state.timing = m.timing;
  if (m.readError) fail(`Reading ${state.fileName} failed part way (${m.readError}); the results below cover what was read.`);
  render(report, view).then(() => { document.body.dataset.doneJob = String(state.job); });
}

async function render(report, view) {
  $('results').hidden = false;
  renderVerdict(report, view, document);
  renderFindings(report, view, document, { onCopy: copyFilter });
  const sel = $('pair');
  sel.replaceChildren(...state.plot.map((p, i) => el('option', { value: String(i), text: `${p.key} (${p.lines.length} clock line${p.lines.length === 1 ? '' : 's'}${p.unanswered.length ? `, ${p.unanswered.length / 2} unanswered SYNs` : ''})` })));
  sel.disabled = state.plot.length === 0;
  showPair(0);
  $('clock-lines-h').hidden = view.clocks.length === 0;
  // The clock lines as the CLI's text lists them (labels A, B, … are the plot's too).
  const MAX_PAIRS_LISTED = 50;
  $('clock-lines').replaceChildren(...view.clocks.slice(0, MAX_PAIRS_LISTED).map((p) => el('li', { text: p.text })),
    ...(report.totals.pairs > MAX_PAIRS_LISTED ? [el('li', { text: `… and ${(report.totals.pairs - MAX_PAIRS_LISTED).toLocaleString('en-US')} more pairs (Export report has them all)` })] : []));
  $('results').focus({ preventScroll: true });
  $('verdict').scrollIntoView({ block: 'start' });
  try { await flows.set((q) => ask({ type: 'rows', ...q }).then((r) => r.page), report.stats.flows); } catch { /* a newer job replaced this one */ }
}

function showPair(i) {
  const p = state.plot[i] || null;
  plot.setPair(p);
  const legend = $('plot-legend');
  legend.replaceChildren();
  if (!p) {
    $('plot-note').textContent = 'This capture has no TCP timestamps to plot.';
    $('plot').setAttribute('aria-label', 'No TCP timestamps to plot');
    return;
  }
  $('plot-note').textContent = p.classification ? `Clocks of this pair: ${p.classification}.` + (p.stride > 1 ? ` Showing one in ${p.stride} segments (${p.seen.toLocaleString('en-US')} in all).` : '') : '';
  $('plot').setAttribute('aria-label', `TSval over capture time, ${p.key}: ${p.lines.map((l) => l.label).join('; ')}` +
    (p.unanswered.length ? `; ${p.unanswered.length / 2} unanswered SYNs` : ''));
  p.lines.forEach((l, j) => {
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = COLOURS[j % COLOURS.length];
    legend.append(el('li', {}, sw, `${l.label}: ${(l.pts.length / 2).toLocaleString('en-US')} points`));
  });
  if (p.unanswered.length) legend.append(el('li', {}, el('span', { class: 'x-mark', 'aria-hidden': 'true', text: '✕' }), ` unanswered SYN (${p.unanswered.length / 2})`));
}

function fail(msg) {
  document.body.dataset.failJob = String(state.job);
  const box = $('error');
  box.replaceChildren(el('p', { text: msg }));
  box.hidden = false;
  setBusy(false);
}
function hideError() { $('error').hidden = true; $('error').replaceChildren(); }

async function copyText(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch {
    // Clipboard API refused (no focus, permissions): a hidden textarea and execCommand.
    const ta = el('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
    ta.value = text; document.body.append(ta); ta.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch { /* ignore */ }
    ta.remove(); return ok;
  }
}
async function copyFilter(filter, btn) {
  const ok = await copyText(filter);
  btn.textContent = ok ? 'Copied' : 'Copy failed: select the filter text';
  setTimeout(() => { btn.textContent = 'Copy Wireshark filter'; }, 2000);
}

function download(name, type, data) {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
const baseName = () => (state.fileName || 'capture').replace(/\.(pcapng|pcap|cap)(\.gz|\.zst)?$/i, '');

// ---- wiring ----
$('file').addEventListener('change', (e) => {
  const f = e.target.files?.[0];
  if (f) analyze(f);
  e.target.value = ''; // choosing the same file again re-runs it
});
$('sample').addEventListener('click', async () => {
  hideError();
  try {
    const r = await fetch(SAMPLE);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const blob = await r.blob();
    analyze(new File([blob], SAMPLE.split('/').pop(), { type: 'application/octet-stream' }));
  } catch (e) { fail(`Could not load the sample: ${e.message}`); }
});
$('cancel').addEventListener('click', () => {
  state.job += 1; // late messages of the cancelled job are ignored
  restartWorker();
  setBusy(false);
  $('results').removeAttribute('aria-busy');
  fail('Analysis cancelled.');
});
const drop = $('drop');
for (const ev of ['dragenter', 'dragover']) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add('over'); });
for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  const f = e.dataTransfer?.files?.[0];
  if (f && !document.body.classList.contains('busy')) analyze(f);
});
// A file dropped outside the zone must not make the browser navigate away.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

$('pair').addEventListener('change', (e) => showPair(Number(e.target.value)));
$('plot-reset').addEventListener('click', () => plot.reset());
$('plot-mode').addEventListener('change', (e) => plot.setMode(e.target.value));
// The exports are Blobs the worker builds from parts (never one string).
const exportBlob = (what) => ask({ type: 'export', what }).then((r) => r.blob);
$('export-json').addEventListener('click', async () => {
  if (state.report) download(`${baseName()}.tcpopt.json`, 'application/json', await exportBlob('json'));
});
$('export-csv').addEventListener('click', async () => {
  if (state.report) download(`${baseName()}.flows.csv`, 'text/csv', await exportBlob('csv'));
});
$('export-md').addEventListener('click', async () => {
  if (!state.report) return;
  const ok = await copyText(findingsMarkdown(state.report, state.view, state.fileName));
  $('export-status').textContent = ok ? 'Markdown copied to the clipboard.' : 'Copy failed; use Download.';
});
$('download-md').addEventListener('click', () => {
  if (state.report) download(`${baseName()}.tcpopt.md`, 'text/markdown', findingsMarkdown(state.report, state.view, state.fileName));
});

startWorker();
// Works offline once loaded: a service worker keeps the page's own files (network first).
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('sw.js').catch(() => { /* offline reloads just won't work */ });
}
if (location.hash === '#sample') $('sample').click();
// For tests and the console: the last report and a way to render one.
window.tcpopt = { plot, get report() { return state.report; }, get view() { return state.view; }, json: () => exportBlob('json').then((b) => b.text()), csv: () => exportBlob('csv').then((b) => b.text()), get job() { return state.job; }, get timing() { return state.timing; }, get memory() { return state.lastMemory; }, get progressMemory() { return state.progressMemory; }, analyze };
