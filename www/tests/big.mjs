// The large-capture check (not part of the default run; scripts/test-web.sh --big):
// generates a pcap of >= 500 MB (long bulk connections, see generateBulk), analyses
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
const TARGET = Number(process.env.BIG_MB || 520) * 1e6;
const LIMIT = 128 * 1024 * 1024;
fs.mkdirSync(OUT, { recursive: true });
const big = path.join(OUT, `big-${process.env.BIG_KIND || 'bulk'}-${Math.round(TARGET / 1e6)}MB.pcap`);

/**
 * Bulk traffic (BIG_KIND=bulk, the default): 20 long connections from one NAT address
 * with two timestamp clocks (even ports clock A, odd ports clock B) to one server, each
 * a handshake, then data segments and ACKs with timestamps, then FINs; snaplen 128
 * (as `tcpdump -s 128`), so 500 MB hold about 3.6 million packets. Memory must be
 * bounded by flows, not packets.
 */
export function generateBulk(file, target) {
  const CAP = 128, HDR = 14 + 20 + 32, PAY = 1448, CONNS = 20;
  const per = Math.ceil(target / ((16 + CAP + 16 + HDR) / 2) / CONNS);
  const fd = fs.openSync(file, 'w');
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0); gh.writeUInt16LE(2, 4); gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(CAP, 16); gh.writeUInt32LE(1, 20);
  fs.writeSync(fd, gh);
  const BATCH = 4096;
  const buf = Buffer.alloc(BATCH * (16 + CAP));
  let n = 0, written = 24, packets = 0, usec = 0;
  const t0 = 1795532754;
  const flush = () => { fs.writeSync(fd, buf, 0, n); written += n; n = 0; };
  const C = [192, 0, 2, 1], S = [198, 51, 100, 10];
  function pkt(fromClient, port, flags, seq, ack, tsval, tsecr, payload) {
    if (n + 16 + CAP > buf.length) flush();
    const frameLen = HDR + payload, incl = Math.min(frameLen, CAP);
    usec += 100;
    buf.writeUInt32LE(t0 + Math.floor(usec / 1e6), n); buf.writeUInt32LE(usec % 1e6, n + 4);
    buf.writeUInt32LE(incl, n + 8); buf.writeUInt32LE(frameLen, n + 12);
    const e = n + 16;
    buf.fill(0, e, e + incl);
    buf.writeUInt16BE(0x0800, e + 12);
    const ip = e + 14;
    buf[ip] = 0x45; buf.writeUInt16BE(20 + 32 + payload, ip + 2); buf[ip + 8] = 64; buf[ip + 9] = 6;
    (fromClient ? C : S).forEach((b, i) => { buf[ip + 12 + i] = b; });
    (fromClient ? S : C).forEach((b, i) => { buf[ip + 16 + i] = b; });
    const t = ip + 20;
    buf.writeUInt16BE(fromClient ? port : 80, t); buf.writeUInt16BE(fromClient ? 80 : port, t + 2);
    buf.writeUInt32BE(seq >>> 0, t + 4); buf.writeUInt32BE(ack >>> 0, t + 8);
    buf[t + 12] = 8 << 4; buf[t + 13] = flags; buf.writeUInt16BE(502, t + 14);
    // NOP NOP TS(10): the usual Linux layout after the handshake; MSS etc. omitted.
    buf[t + 20] = 1; buf[t + 21] = 1; buf[t + 22] = 8; buf[t + 23] = 10;
    buf.writeUInt32BE(tsval >>> 0, t + 24); buf.writeUInt32BE(tsecr >>> 0, t + 28);
    n += 16 + incl; packets++;
  }
  const SYN = 2, ACK = 16, FIN = 1, PSH = 8;
  for (let c = 0; c < CONNS; c++) {
    const port = 40000 + c, off = c % 2 ? 3000000000 : 1000000000, soff = 2000000000;
    const ts = () => (off + Math.floor(usec / 1000)) >>> 0, sts = () => (soff + Math.floor(usec / 1000)) >>> 0;
    let cseq = 1000 + c * 7919, sseq = 5000;
    pkt(true, port, SYN, cseq, 0, ts(), 0, 0);
    pkt(false, port, SYN | ACK, sseq, cseq + 1, sts(), ts(), 0);
    cseq++; sseq++;
    pkt(true, port, ACK, cseq, sseq, ts(), sts(), 0);
    for (let i = 0; i < per / 2; i++) {
      pkt(true, port, ACK | PSH, cseq, sseq, ts(), sts(), PAY); cseq = (cseq + PAY) >>> 0;
      pkt(false, port, ACK, sseq, cseq, sts(), ts(), 0);
    }
    pkt(true, port, FIN | ACK, cseq, sseq, ts(), sts(), 0);
    pkt(false, port, FIN | ACK, sseq, cseq + 1, sts(), ts(), 0);
    pkt(true, port, ACK, cseq + 1, sseq + 1, ts(), sts(), 0);
  }
  flush();
  fs.closeSync(fd);
  return { bytes: written, packets };
}

/**
 * Many short connections (BIG_KIND=flows): the records of nat-two-clocks.pcap repeated,
 * each copy later in time and on shifted client ports, so every copy adds ~20 flows
 * (520 MB: ~500,000 flows). Memory then grows with flows (the report lists each one).
 */
export function generateFlows(file, target) {
  const src = fs.readFileSync(path.join(path.resolve(root, '../shared/captures/netns'), 'nat-two-clocks.pcap'));
  const recs = [];
  for (let o = 24; o + 16 <= src.length;) { const incl = src.readUInt32LE(o + 8); recs.push([o, 16 + incl]); o += 16 + incl; }
  const span = src.readUInt32LE(recs[recs.length - 1][0]) - src.readUInt32LE(24) + 2;
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, src.subarray(0, 24));
  let written = 24, copy = 0, packets = 0;
  const buf = Buffer.alloc(src.length * 2);
  while (written < target) {
    let n = 0;
    for (const [o, len] of recs) {
      src.copy(buf, n, o, o + len);
      buf.writeUInt32LE(src.readUInt32LE(o) + copy * span, n);
      const ip = n + 16 + 14;
      if (buf[ip] >> 4 === 4) {
        const tcp = ip + (buf[ip] & 15) * 4, shift = (copy * 7) % 10000;
        const sp = buf.readUInt16BE(tcp), dp = buf.readUInt16BE(tcp + 2);
        if (sp !== 80) buf.writeUInt16BE(((sp - 40000 + shift) % 20000) + 40000, tcp);
        if (dp !== 80) buf.writeUInt16BE(((dp - 40000 + shift) % 20000) + 40000, tcp + 2);
      }
      n += len; packets++;
    }
    fs.writeSync(fd, buf, 0, n); written += n; copy++;
  }
  fs.closeSync(fd);
  return { bytes: written, packets };
}

const KIND = process.env.BIG_KIND || 'bulk';
if (!fs.existsSync(big) || fs.statSync(big).size < TARGET) {
  const t = performance.now();
  const g = (KIND === 'flows' ? generateFlows : generateBulk)(big, TARGET);
  console.log(`generated ${big}: ${(g.bytes / 1e6).toFixed(0)} MB, ${g.packets} packets in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const size = fs.statSync(big).size;

// Cross-origin isolation lets the test call performance.measureUserAgentSpecificMemory(),
// which counts the page and its worker (JS heaps and the wasm memory).
const { server, origin } = await serve(path.join(root, 'www/dist'), 0,
  { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
const { context, close } = await launch(['--enable-blink-features=ForceEagerMeasureMemory']);
const page = await context.newPage();
await page.goto(origin + '/');
await page.waitForFunction(() => document.getElementById('version').textContent !== '');
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const mainHeap = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize').value;

const started = Date.now();
await page.setInputFiles('#file', big);
await page.waitForFunction((j) => document.body.dataset.doneJob !== String(j), await page.evaluate(() => window.tcpopt.job));
let peak = { wasm: 0, workerJs: 0, main: 0, uasm: 0 };
assert.ok(await page.evaluate(() => self.crossOriginIsolated), 'cross-origin isolated');
let measuring = null;
const measure = () => page.evaluate(() => performance.measureUserAgentSpecificMemory().then((m) => m.bytes)).then((b) => { peak.uasm = Math.max(peak.uasm, b); measuring = null; }, () => { measuring = null; });
let responsive = [];
for (;;) {
  const t = Date.now();
  const st = await page.evaluate(() => ({ done: document.body.dataset.doneJob === String(window.tcpopt.job), mem: window.tcpopt.progressMemory }));
  responsive.push(Date.now() - t);
  if (st.mem) { peak.wasm = Math.max(peak.wasm, st.mem.wasm || 0); peak.workerJs = Math.max(peak.workerJs, st.mem.js || 0); }
  peak.main = Math.max(peak.main, await mainHeap());
  if (!measuring) measuring = measure();
  if (st.done) break;
  await new Promise((r) => setTimeout(r, 250));
}
const secs = (Date.now() - started) / 1000;
if (measuring) await measuring;
await measure();
const fin = await page.evaluate(() => ({ mem: window.tcpopt.memory, packets: window.tcpopt.report.capture.packets,
  complete: window.tcpopt.report.capture.complete, findings: window.tcpopt.report.findings.map((f) => f.code) }));
peak.wasm = Math.max(peak.wasm, fin.mem?.wasm || 0); peak.workerJs = Math.max(peak.workerJs, fin.mem?.js || 0);
const total = Math.max(peak.wasm + peak.workerJs + peak.main, peak.uasm);
console.log(JSON.stringify({ bytes: size, seconds: secs, MBps: +(size / 1e6 / secs).toFixed(1), packets: fin.packets, complete: fin.complete,
  peak_wasm_MB: +(peak.wasm / 1048576).toFixed(1), peak_worker_js_MB: +(peak.workerJs / 1048576).toFixed(1),
  peak_main_js_MB: +(peak.main / 1048576).toFixed(1), peak_measureUserAgentSpecificMemory_MB: +(peak.uasm / 1048576).toFixed(1), total_MB: +(total / 1048576).toFixed(1),
  max_page_eval_ms: Math.max(...responsive), findings: [...new Set(fin.findings)] }));
await page.screenshot({ path: path.join(OUT, 'big.png') });
await close(); server.close();
assert.ok(fin.complete, 'read to the end');
assert.ok(total < LIMIT, `memory ${total} < 128 MiB`);
assert.ok(Math.max(...responsive) < 1000, 'the page stayed responsive');
console.log('1 passed, 0 failed');
