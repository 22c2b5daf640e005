// The analysis runs here, off the main thread, so the page stays responsive.
// The file is read with File.stream(), chunk by chunk, and each chunk goes
// straight into the wasm engine: a capture of several gigabytes is never
// whole in memory.
//
// Protocol (main -> worker): {type: 'analyze', id, file}
// (worker -> main): {type: 'ready', version}
//                   {type: 'progress', id, bytes, packets, total, rate}
//                   {type: 'finishing', id}
//                   {type: 'done', id, report (flows capped for display), json (Blob: the
//                    whole report, as `tcpopt analyze --format json`), flowsTotal, plot, ...}
//                   {type: 'error', id, message}
// Cancel is worker.terminate(): instant, whatever the engine is doing.
import init, { CaptureAnalysis, version } from './tcpopt-web.js';
// The plot's data is computed here so the main thread only draws.
import { plotFrom } from './model.js';

let wasm = null;
const ready = init({ module_or_path: new URL('tcpopt-web_bg.wasm', import.meta.url) })
  .then((exports) => { wasm = exports; postMessage({ type: 'ready', version: version() }); })
  .catch((e) => { postMessage({ type: 'error', id: null, message: 'Could not start the WebAssembly engine: ' + e }); throw e; });

const PROGRESS_EVERY_MS = 100;

async function analyze(id, file) {
  await ready;
  const started = performance.now();
  const total = file.size;
  const analyzer = new CaptureAnalysis();
  let bytes = 0, packets = 0, last = 0;
  try {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const p = analyzer.push(value);
      bytes = p.bytes; packets = p.packets;
      const now = performance.now();
      if (now - last >= PROGRESS_EVERY_MS) {
        last = now;
        const secs = Math.max((now - started) / 1000, 1e-6);
        postMessage({ type: 'progress', id, bytes, packets, total, rate: bytes / secs, memory: memory() });
      }
    }
  } catch (e) {
    // A read error (file removed, permission revoked) still gives the partial report.
    finish(id, analyzer, started, bytes, String(e && e.message || e));
    return;
  }
  postMessage({ type: 'progress', id, bytes, packets, total, rate: bytes / Math.max((performance.now() - started) / 1000, 1e-6), memory: memory() });
  finish(id, analyzer, started, bytes, undefined);
}

// The flows table shows at most this many flows; the JSON export has them all.
const MAX_FLOWS_SHOWN = 5000;

function finish(id, analyzer, started, bytes, readError) {
  postMessage({ type: 'finishing', id });
  const report = analyzer.finish();
  const raw = analyzer.plotPoints();
  const mem = memory();
  analyzer.free();
  const plot = plotFrom(report, raw);
  // The export, built here: a Blob crosses to the page by reference, so a report
  // with hundreds of thousands of flows costs the page's main thread nothing.
  const json = new Blob([JSON.stringify(report, null, 2), '\n'], { type: 'application/json' });
  const flowsTotal = Array.isArray(report.flows) ? report.flows.length : 0;
  const view = flowsTotal > MAX_FLOWS_SHOWN ? { ...report, flows: report.flows.slice(0, MAX_FLOWS_SHOWN) } : report;
  const transfer = [];
  for (const p of plot) { for (const l of p.lines) transfer.push(l.pts.buffer, l.unanswered.buffer); transfer.push(p.unanswered.buffer); }
  postMessage({ type: 'done', id, report: view, json, flowsTotal, plot, elapsedMs: performance.now() - started, bytes, readError, memory: mem }, transfer);
}

// Memory in use: the wasm linear memory and (Chromium) this worker's JS heap.
function memory() {
  return { wasm: wasm ? wasm.memory.buffer.byteLength : 0, js: performance.memory ? performance.memory.usedJSHeapSize : null };
}

onmessage = (ev) => {
  const m = ev.data;
  if (m && m.type === 'analyze') {
    analyze(m.id, m.file).catch((e) => postMessage({ type: 'error', id: m.id, message: String(e && e.message || e) }));
  }
};
