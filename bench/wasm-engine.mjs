// The page's wasm engine alone, in Node (V8, as Chromium's), without the page: a file pushed
// in 2 MiB chunks into CaptureAnalysis as the worker does (push, then flowsCsvTake), then what
// the worker does at the end (end, the CSV's rest, reportWithoutFlows, view, plotPoints).
// Wall and CPU time per run: less noisy than the page under load, for A/B of two builds.
//
//   scripts/serve.sh --build-only                       # builds www/dist
//   node bench/wasm-engine.mjs www/dist /tmp/bench-1g.pcap [RUNS]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [distArg, file, runs = '3'] = process.argv.slice(2);
if (!distArg || !file) { console.error('usage: node bench/wasm-engine.mjs DIST FILE [RUNS]'); process.exit(2); }
const dist = path.resolve(distArg);
const mod = await import(pathToFileURL(path.join(dist, 'tcpopt-web.js')).href);
await mod.default({ module_or_path: fs.readFileSync(path.join(dist, 'tcpopt-web_bg.wasm')) });
const fd = fs.openSync(file, 'r');
const buf = Buffer.alloc(2 << 20);
for (let r = 0; r < Number(runs); r++) {
  const a = new mod.CaptureAnalysis();
  let pushMs = 0, pos = 0, n;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while ((n = fs.readSync(fd, buf, 0, buf.length, pos)) > 0) {
    pos += n;
    const t = performance.now();
    a.push(buf.subarray(0, n));
    a.flowsCsvTake(false);
    pushMs += performance.now() - t;
  }
  const t1 = performance.now();
  a.end(); a.flowsCsvTake(true); a.reportWithoutFlows(); a.view(); a.plotPoints();
  const t2 = performance.now();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ dist, bytes: pos, pushMs: Math.round(pushMs), finishMs: Math.round(t2 - t1), wallMs: Math.round(t2 - t0),
    cpuMs: Math.round((c.user + c.system) / 1000), push_MBps: +(pos / 1e3 / pushMs).toFixed(1) }));
  a.free();
}
