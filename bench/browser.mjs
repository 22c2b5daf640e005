// The browser half of the comparison: the generated capture analysed by the
// built page (www/dist) in headless system Chromium, through the file input
// and the page's Web Worker (File.stream() chunks into the wasm engine), timed
// from setInputFiles until the page shows the report. Compared with the
// native `tcpopt analyze` on the same file.
//
//   scripts/serve.sh --build-only                       # builds www/dist
//   (cd www/tests && npm ci)                            # playwright-core, no browser download
//   cargo run --release -p tcpopt-bench --bin gen-capture -- --size 256M -o /tmp/bench-256m.pcap
//   node bench/browser.mjs /tmp/bench-256m.pcap [RUNS]
//
// DIST=dir serves another build of the page (an A/B of two builds: one run of each, alternated);
// QUERY='?gunzip=browser' opens the page with that query (gzip through DecompressionStream).
//
// Prints one JSON line per run and a summary with medians and the ratio
// browser/native (the target: at least 0.6).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch } from '../www/tests/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const file = process.argv[2] || '/tmp/bench-256m.pcap';
const runs = Number(process.argv[3] || 3);
const dist = path.resolve(process.env.DIST || path.join(root, 'www/dist'));
if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error(`bench/browser.mjs: ${dist} is missing: run scripts/serve.sh --build-only first`);
  process.exit(2);
}
if (!fs.existsSync(file)) {
  console.error(`bench/browser.mjs: ${file} is missing: make it with gen-capture`);
  process.exit(2);
}
const bytes = fs.statSync(file).size;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// Native: the release CLI on the same file, wall time, same number of runs.
const tcpopt = path.join(root, 'target/release/tcpopt');
const native = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const r = spawnSync(tcpopt, ['analyze', '--fail-on', 'never', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) { console.error(`native tcpopt failed: ${r.status}`); process.exit(1); }
  native.push((performance.now() - t) / 1000);
}

const { server, origin } = await serve(dist, 0);
const { context, close } = await launch();
const browser = [];
let packets = 0;
try {
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    await page.goto(origin + '/' + (process.env.QUERY || ''));
    await page.waitForFunction(() => document.getElementById('version').textContent !== '');
    const job = await page.evaluate(() => window.tcpopt.job);
    const t = performance.now();
    await page.setInputFiles('#file', file);
    await page.waitForFunction((j) => document.body.dataset.doneJob !== undefined && document.body.dataset.doneJob !== String(j)
      && document.body.dataset.doneJob === String(window.tcpopt.job), job, { timeout: 0, polling: 50 });
    const secs = (performance.now() - t) / 1000;
    const r = await page.evaluate(() => ({ packets: window.tcpopt.report.capture.packets, complete: window.tcpopt.report.capture.complete, timing: window.tcpopt.timing }));
    packets = r.packets;
    browser.push(secs);
    const timing = Object.fromEntries(Object.entries(r.timing || {}).map(([k, v]) => [k, Math.round(v)]));
    console.log(JSON.stringify({ run: i + 1, seconds: +secs.toFixed(3), MBps: +(bytes / 1e6 / secs).toFixed(1), Mpps: +(r.packets / 1e6 / secs).toFixed(2), complete: r.complete, timing }));
    await page.close();
  }
} finally {
  await close();
  server.close();
}
const b = median(browser), n = median(native);
console.log(JSON.stringify({
  file, bytes, packets, runs,
  browser_median_s: +b.toFixed(3), browser_MBps: +(bytes / 1e6 / b).toFixed(1), browser_Mpps: +(packets / 1e6 / b).toFixed(2),
  native_median_s: +n.toFixed(3), native_MBps: +(bytes / 1e6 / n).toFixed(1), native_Mpps: +(packets / 1e6 / n).toFixed(2),
  browser_over_native: +(n / b).toFixed(2),
}));
