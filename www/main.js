// The page: file picking, the worker's life cycle, progress, rendering, exports.
import { renderVerdict, renderFindings, FlowsTable, findingsMarkdown, fmtBytes, el } from './render.js';
import { ClockPlot, COLOURS } from './plot.js';

const $ = (id) => document.getElementById(id);
const SAMPLE = 'samples/tw-recycle-drop.pcapng';

const state = { worker: null, ready: null, job: 0, running: null, report: null, plot: [], fileName: '' };
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
    case 'error': fail(m.message); if (m.id === state.job) restartWorker(); break;
  }
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
  state.worker.postMessage({ type: 'analyze', id: state.job, file });
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
  const report = m.report;
  state.report = report;
  state.json = m.json;
  state.flowsTotal = m.flowsTotal;
  state.plot = m.plot || [];
  document.body.dataset.state = 'done';
  document.body.dataset.doneJob = String(state.job);
  const secs = m.elapsedMs / 1000;
  $('progress-text').textContent = `Done: ${fmtBytes(m.bytes)} in ${secs.toFixed(2)} s`;
  const c = report?.capture || {};
  const nothing = !(c.packets > 0) && Array.isArray(c.errors) && c.errors.length > 0;
  if (nothing) {
    // Not a capture at all (or nothing readable): say so plainly, keep the previous results hidden.
    const e = c.errors[0];
    fail(`${state.fileName} could not be read as a capture: ${e.message ?? JSON.stringify(e)}. tcpopt reads pcap and pcapng files (optionally gzip or zstd compressed).`);
    $('results').hidden = true;
    return;
  }
  state.lastMemory = m.memory;
  if (m.readError) fail(`Reading ${state.fileName} failed part way (${m.readError}); the results below cover what was read.`);
  render(report);
}

function render(report) {
  $('results').hidden = false;
  renderVerdict(report, document);
  renderFindings(report, document, { onCopy: copyFilter });
  flows.set(report, state.flowsTotal);
  const sel = $('pair');
  sel.replaceChildren(...state.plot.map((p, i) => el('option', { value: String(i), text: `${p.key} (${p.lines.length} clock line${p.lines.length === 1 ? '' : 's'}${p.unanswered.length ? `, ${p.unanswered.length / 2} unanswered SYNs` : ''})` })));
  sel.disabled = state.plot.length === 0;
  showPair(0);
  $('results').focus({ preventScroll: true });
  $('verdict').scrollIntoView({ block: 'start' });
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
$('export-json').addEventListener('click', () => {
  if (state.json) download(`${baseName()}.tcpopt.json`, 'application/json', state.json);
});
$('export-md').addEventListener('click', async () => {
  if (!state.report) return;
  const ok = await copyText(findingsMarkdown(state.report, state.fileName));
  $('export-status').textContent = ok ? 'Markdown copied to the clipboard.' : 'Copy failed; use Download.';
});
$('download-md').addEventListener('click', () => {
  if (state.report) download(`${baseName()}.tcpopt.md`, 'text/markdown', findingsMarkdown(state.report, state.fileName));
});

startWorker();
// Works offline once loaded: a service worker keeps the page's own files (network first).
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('sw.js').catch(() => { /* offline reloads just won't work */ });
}
if (location.hash === '#sample') $('sample').click();
// For tests and the console: the last report and a way to render one.
window.tcpopt = { plot, get report() { return state.report; }, json: () => state.json?.text(), get job() { return state.job; }, get memory() { return state.lastMemory; }, get progressMemory() { return state.progressMemory; }, render: (r, p = []) => { state.report = r; state.plot = p; render(r); }, analyze };
