// The large-capture check (not part of the default run; scripts/test-web.sh --big):
// generates a pcap of >= 500 MB (the records of nat-two-clocks.pcap repeated, each
// copy shifted in time and in client port so that flows stay plausible), analyses
// it through the page's file input, and asserts that the page's memory (the page's
// JS heap + the worker's JS heap + the wasm linear memory) stays under 128 MB.
// Prints the throughput; compare with the native figure from
// `cargo test -p tcpopt-web --release --test native_throughput -- --ignored --nocapture`.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const OUT = process.env.OUT || path.join(root, 'test-output');
const CAPTURES = process.env.CAPTURES || path.resolve(root, '../shared/captures/netns');
const TARGET = Number(process.env.BIG_MB || 520) * 1e6;
const LIMIT = 128 * 1024 * 1024;
fs.mkdirSync(OUT, { recursive: true });
const big = path.join(OUT, 'big.pcap');

export function generate(file, target) {
  const src = fs.readFileSync(path.join(CAPTURES, 'nat-two-clocks.pcap'));
  const le = src.readUInt32LE(0) === 0xa1b2c3d4;
  assert.ok(le, 'little-endian microsecond pcap');
  const linktype = src.readUInt32LE(20);
  assert.equal(linktype, 1, 'Ethernet');
  // Record offsets and the span of the capture.
  const recs = [];
  for (let o = 24; o + 16 <= src.length;) {
    const incl = src.readUInt32LE(o + 8);
    recs.push([o, 16 + incl]);
    o += 16 + incl;
  }
  const t0 = src.readUInt32LE(24), tl = src.readUInt32LE(recs[recs.length - 1][0]);
  const span = tl - t0 + 2;
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, src.subarray(0, 24));
  let written = 24, copy = 0;
  const buf = Buffer.alloc(src.length * 2);
  while (written < target) {
    let n = 0;
    for (const [o, len] of recs) {
      src.copy(buf, n, o, o + len);
      buf.writeUInt32LE(src.readUInt32LE(o) + copy * span, n); // seconds
      // Ethernet + IPv4 (IHL from the header) + TCP: shift the client-side port per copy,
      // so every copy's connections are new flows on fresh 4-tuples.
      const ip = n + 16 + 14;
      if (buf[ip] >> 4 === 4) {
        const tcp = ip + (buf[ip] & 15) * 4;
        const sp = buf.readUInt16BE(tcp), dp = buf.readUInt16BE(tcp + 2);
        const shift = (copy * 7) % 10000;
        if (sp !== 80) buf.writeUInt16BE(((sp - 40000 + shift) % 20000) + 40000, tcp);
        if (dp !== 80) buf.writeUInt16BE(((dp - 40000 + shift) % 20000) + 40000, tcp + 2);
        // TCP checksum is not verified by the analysis; left as is.
      }
      n += len;
    }
    fs.writeSync(fd, buf, 0, n);
    written += n; copy += 1;
  }
  fs.closeSync(fd);
  return { bytes: written, copies: copy, packets: copy * recs.length };
}

if (!fs.existsSync(big) || fs.statSync(big).size < TARGET) {
  const t = performance.now();
  const g = generate(big, TARGET);
  console.log(`generated ${big}: ${(g.bytes / 1e6).toFixed(0)} MB, ${g.packets} packets in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const size = fs.statSync(big).size;

const { server, origin } = await serve(path.join(root, 'www/dist'));
const { context, close } = await launch();
const page = await context.newPage();
await page.goto(origin + '/');
await page.waitForFunction(() => document.getElementById('version').textContent !== '');
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const mainHeap = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize').value;

await page.evaluate(() => {
  window.__peak = { wasm: 0, js: 0, samples: 0 };
  // Peek at the worker's progress messages (they carry its memory).
  const orig = Worker.prototype.addEventListener;
});
const started = Date.now();
await page.setInputFiles('#file', big);
let peak = { wasm: 0, workerJs: 0, main: 0 };
let responsive = [];
for (;;) {
  const t = Date.now();
  const st = await page.evaluate(() => ({ done: document.body.dataset.doneJob === String(window.tcpopt.job), mem: window.tcpopt.progressMemory }));
  responsive.push(Date.now() - t);
  if (st.mem) { peak.wasm = Math.max(peak.wasm, st.mem.wasm || 0); peak.workerJs = Math.max(peak.workerJs, st.mem.js || 0); }
  peak.main = Math.max(peak.main, await mainHeap());
  if (st.done) break;
  await new Promise((r) => setTimeout(r, 250));
}
const secs = (Date.now() - started) / 1000;
const fin = await page.evaluate(() => ({ mem: window.tcpopt.memory, packets: window.tcpopt.report.capture.packets,
  complete: window.tcpopt.report.capture.complete, findings: window.tcpopt.report.findings.map((f) => f.code) }));
peak.wasm = Math.max(peak.wasm, fin.mem?.wasm || 0); peak.workerJs = Math.max(peak.workerJs, fin.mem?.js || 0);
const total = peak.wasm + peak.workerJs + peak.main;
console.log(JSON.stringify({ bytes: size, seconds: secs, MBps: +(size / 1e6 / secs).toFixed(1), packets: fin.packets, complete: fin.complete,
  peak_wasm_MB: +(peak.wasm / 1048576).toFixed(1), peak_worker_js_MB: +(peak.workerJs / 1048576).toFixed(1),
  peak_main_js_MB: +(peak.main / 1048576).toFixed(1), total_MB: +(total / 1048576).toFixed(1),
  max_page_eval_ms: Math.max(...responsive), findings: [...new Set(fin.findings)] }));
await page.screenshot({ path: path.join(OUT, 'big.png') });
await close(); server.close();
assert.ok(fin.complete, 'read to the end');
assert.ok(total < LIMIT, `memory ${total} < 128 MiB`);
assert.ok(Math.max(...responsive) < 1000, 'the page stayed responsive');
console.log('1 passed, 0 failed');
