// The analysis runs here, off the main thread, so the page stays responsive.
// The file is read with File.stream(), chunk by chunk, and each chunk goes
// straight into the wasm engine: a capture of several gigabytes is never
// whole in memory. After the analysis the engine keeps the report; the page
// gets the report without its flows, the view (what to show, computed in
// Rust as for the CLI), one page of flow rows at a time, and the exports as
// Blobs built from parts: nothing proportional to the number of connections
// is ever one string or object here or on the page.
//
// The CSV of every flow is gathered while the capture streams, from the flows the engine
// retires (the report itself lists only the flows that findings name).
//
// Protocol (main -> worker): {type: 'analyze', id, file, gunzip?: 'browser'}
//                            {type: 'rows', id, req, filter, sort, descending, offset, count}
//                            {type: 'export', id, req, what: 'json' | 'csv'}
// (worker -> main): {type: 'ready', version}
//                   {type: 'progress', id, bytes, packets, total, rate}
//                   {type: 'finishing', id}
//                   {type: 'done', id, report (flows: []), view, plot, ...}
//                   {type: 'rows', id, req, page}      (FlowPage)
//                   {type: 'export', id, req, blob}
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
// The finished analysis of the last job: it serves the flow pages and the exports.
let current = null, currentId = null;
// The CSV of every flow, built from the flows as the engine retires them: a Blob of ~1 MiB parts.
let csvBlob = null;
let timing = null;
const takeCsv = (analyzer, all) => {
  const part = analyzer.flowsCsvTake(all);
  if (part) csvBlob = new Blob([csvBlob, part], { type: 'text/csv' });
};

// gzip in the browser: with {gunzip: 'browser'} (the page's ?gunzip=browser), a gzip capture
// (magic 1f 8b) is decompressed by the browser's own DecompressionStream and the engine gets the
// decompressed bytes (pushGunzipped). Off by default: in Chromium it measured slower than the
// engine's own decoder (zlib-rs compiled to wasm; BENCHMARKS.md, "The page (issue 11)"), so by
// default every file goes to the engine as read (push), which detects gzip and zstd itself.
async function isGzip(file) {
  if (typeof DecompressionStream !== 'function' || file.size < 2) return false;
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

async function analyze(id, file, gunzipInBrowser) {
  await ready;
  if (current) { current.free(); current = null; currentId = null; }
  const started = performance.now();
  let r = await run(id, file, started, gunzipInBrowser && await isGzip(file).catch(() => false));
  if (r.gunzipFailed) {
    // DecompressionStream stopped (a corrupt, cut or oddly framed gzip stream) and says only
    // "invalid data". Start over with the engine's own decoder, which reads the same file as the
    // command line does: the same report, with the fault's kind and offset, or the whole capture
    // if the stream was one that the browser's decoder does not take.
    r.analyzer.free();
    r = await run(id, file, started, false);
    timing.gunzipRetried = true;
  }
  finish(id, r.analyzer, started, r.bytes, r.readError);
}

/** One pass over the file; gunzip: through DecompressionStream('gzip') into pushGunzipped. */
async function run(id, file, started, gunzip) {
  const total = file.size;
  const analyzer = new CaptureAnalysis();
  csvBlob = new Blob([], { type: 'text/csv' });
  let bytes = 0, packets = 0, last = 0;
  // Where the time goes (bench/browser.mjs prints it): waiting for the file, in the engine, in the CSV.
  timing = { gunzip, readMs: 0, pushMs: 0, csvMs: 0, finishMs: 0, chunks: 0, maxChunk: 0 };
  // gzip: the compressed bytes read so far, and those already reported to the engine (progress).
  let read = 0, told = 0;
  let stream = file.stream();
  if (gunzip) {
    stream = stream.pipeThrough(new TransformStream({ transform(chunk, out) { read += chunk.length; out.enqueue(chunk); } }))
      .pipeThrough(new DecompressionStream('gzip'));
  }
  const reader = stream.getReader();
  // (Asking for the next chunk before pushing this one, reading 2-32 MiB slices with
  // file.slice().arrayBuffer(), or reading in a second worker that transfers the chunks here,
  // measured no faster on the 2-core test machine: BENCHMARKS.md, "The page (issue 11)".)
  for (;;) {
    const t0 = performance.now();
    let done, value;
    try {
      ({ done, value } = await reader.read());
    } catch (e) {
      // The decompressor's own complaint is a TypeError; anything else is the file's (removed,
      // permission revoked): then the partial report, with the read error.
      if (gunzip && e instanceof TypeError) return { analyzer, gunzipFailed: true };
      return { analyzer, bytes, readError: String(e && e.message || e) };
    }
    const t1 = performance.now();
    timing.readMs += t1 - t0;
    if (done) break;
    timing.chunks++; if (value.length > timing.maxChunk) timing.maxChunk = value.length;
    let p;
    if (gunzip) { p = analyzer.pushGunzipped(value, read - told); told = read; } else p = analyzer.push(value);
    bytes = p.bytes; packets = p.packets;
    const t2 = performance.now();
    timing.pushMs += t2 - t1;
    takeCsv(analyzer, false);
    const now = performance.now();
    timing.csvMs += now - t2;
    if (now - last >= PROGRESS_EVERY_MS) {
      last = now;
      const secs = Math.max((now - started) / 1000, 1e-6);
      postMessage({ type: 'progress', id, bytes, packets, total, rate: bytes / secs, memory: memory() });
    }
  }
  if (gunzip && read > told) ({ bytes, packets } = analyzer.pushGunzipped(new Uint8Array(0), read - told));
  postMessage({ type: 'progress', id, bytes, packets, total, rate: bytes / Math.max((performance.now() - started) / 1000, 1e-6), memory: memory() });
  return { analyzer, bytes };
}

function finish(id, analyzer, started, bytes, readError) {
  postMessage({ type: 'finishing', id });
  const t0 = performance.now();
  analyzer.end();
  takeCsv(analyzer, true);
  const report = analyzer.reportWithoutFlows();
  const view = analyzer.view();
  const plot = plotFrom(report, view, analyzer.plotPoints());
  timing.finishMs = performance.now() - t0;
  current = analyzer; currentId = id;
  const transfer = [];
  for (const p of plot) { for (const l of p.lines) transfer.push(l.pts.buffer, l.unanswered.buffer); transfer.push(p.unanswered.buffer); }
  postMessage({ type: 'done', id, report, view, plot, elapsedMs: performance.now() - started, timing, bytes, readError, memory: memory() }, transfer);
}

// Memory in use: the wasm linear memory and (Chromium) this worker's JS heap.
function memory() {
  return { wasm: wasm ? wasm.memory.buffer.byteLength : 0, js: performance.memory ? performance.memory.usedJSHeapSize : null };
}

onmessage = (ev) => {
  const m = ev.data;
  if (!m) return;
  if (m.type === 'analyze') {
    analyze(m.id, m.file, m.gunzip === 'browser').catch((e) => postMessage({ type: 'error', id: m.id, message: String(e && e.message || e) }));
  } else if ((m.type === 'rows' || m.type === 'export') && (!current || m.id !== currentId)) {
    postMessage({ type: m.type, id: m.id, req: m.req, stale: true });
  } else if (m.type === 'rows') {
    postMessage({ type: 'rows', id: m.id, req: m.req, page: current.flowRows(m.filter, m.sort, m.descending, m.offset, m.count) });
  } else if (m.type === 'export') {
    let blob = csvBlob;
    if (m.what !== 'csv') {
      // One part (~1 MiB) at a time from the engine, each appended to the Blob (which holds its
      // parts by reference): neither the engine nor this worker ever holds the whole export.
      blob = new Blob([], { type: 'application/json' });
      for (let p; (p = current.reportJsonNext());) blob = new Blob([blob, p], { type: 'application/json' });
    }
    postMessage({ type: 'export', id: m.id, req: m.req, blob });
  }
};
