// The two-vantage view end to end (issue 13, check 4): both captures of the
// tw-recycle-drop run given to the page, the joint verdict and the ladder
// checked against the truth, and the page's report against `tcpopt
// correlate --format json`. Run: node correlate.mjs (after the page is built).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const DIST = process.env.DIST || path.join(root, 'www/dist');
const CAPTURES = process.env.CAPTURES || path.resolve(root, '../shared/captures/netns');
const TCPOPT = process.env.TCPOPT_BIN || path.join(root, 'target/release/tcpopt');
const SERVER = path.join(CAPTURES, 'tw-recycle-drop.pcapng');
const CONTAINER = path.join(CAPTURES, 'tw-recycle-drop.ctrb.pcap');
const truth = JSON.parse(fs.readFileSync(path.join(CAPTURES, 'tw-recycle-drop.ctrb.truth.json'), 'utf8'));

const { server, origin } = await serve(DIST);
const { context, close } = await launch();
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
await page.goto(origin + '/');
await page.waitForFunction(() => document.getElementById('version').textContent !== '');
test.after(async () => { await close(); server.close(); });

async function correlate(files) {
  const before = await page.evaluate(() => document.body.dataset.correlateDone || '0');
  await page.setInputFiles('#correlate-files', files);
  // A new run first clears the mark, then sets it to its own job number:
  // wait for a number past the one before, not for any change.
  await page.waitForFunction((b) => Number(document.body.dataset.correlateDone || '0') > Number(b), before, { timeout: 120000 });
}

const ladderRows = () => page.$$eval('#ladder tbody tr', (trs) => trs.map((tr) => ({
  state: tr.dataset.state, a: tr.dataset.a === '' ? null : Number(tr.dataset.a), b: tr.dataset.b === '' ? null : Number(tr.dataset.b),
})));

test('the server and the container capture: joint verdict and ladder', async () => {
  await correlate([SERVER, CONTAINER]);
  const verdict = await page.textContent('#correlation-verdict');
  assert.match(verdict, /^The 4 SYNs of each of the 8 connection attempts from 192\.0\.2\.20:50020 \(B\) to 198\.51\.100\.10:80 all reached A as 198\.51\.100\.1:50020 and were dropped there: no SYN-ACK left the server$/);
  const codes = await page.$$eval('#correlation-findings li', (lis) => lis.map((li) => li.dataset.code));
  assert.deepEqual(codes, ['SYN_REACHED_SERVER_DROPPED', 'NAT_MAPPING']);
  // The ladder opens on the first dropped attempt: each container SYN on the
  // server frame the truth names, a line between them, nothing lost.
  const flows = truth.captures.find((c) => c.file === 'tw-recycle-drop.ctrb.pcap').flows;
  const rows = await ladderRows();
  assert.deepEqual(rows, flows[0].syn_frames.map((b, i) => ({ state: 'matched', a: flows[0].server_capture_syn_frames[i], b })));
  assert.equal(await page.$$eval('#ladder td.link.matched', (tds) => tds.length), 4);
  // Another container attempt, chosen in the selector: its own frames.
  const option = await page.$$eval('#correlation-attempt option', (os) => os.map((o) => [o.value, o.textContent]));
  const second = option.filter(([, t]) => t.includes('syns reached no answer'))[1][0];
  await page.selectOption('#correlation-attempt', second);
  assert.deepEqual(await ladderRows(), flows[1].syn_frames.map((b, i) => ({ state: 'matched', a: flows[1].server_capture_syn_frames[i], b })));
  // The page and the command line say the same.
  if (fs.existsSync(TCPOPT)) {
    let cli;
    try { cli = execFileSync(TCPOPT, ['correlate', '--format', 'json', SERVER, CONTAINER]); } catch (e) { cli = e.stdout; }
    const want = JSON.parse(String(cli));
    assert.equal(verdict, want.verdict);
    const shown = await page.$$eval('#correlation-attempt option', (os) => os.length);
    assert.equal(shown, want.attempts.length);
  }
  assert.deepEqual(pageErrors, []);
});

/** The server capture without the container's segments (pcapng EPBs from port 50020 dropped): as if the SYNs had died on the way. */
function withoutPort(file, port) {
  const buf = fs.readFileSync(file);
  const keep = [];
  for (let at = 0; at + 12 <= buf.length;) {
    const kind = buf.readUInt32LE(at), len = buf.readUInt32LE(at + 4);
    const block = buf.subarray(at, at + len);
    at += len;
    // EPB: 28 header bytes, then Ethernet (14) + IPv4 (20) + the TCP source port.
    if (kind === 6 && block.length >= 28 + 38 && block.readUInt16BE(28 + 34) === port) continue;
    keep.push(block);
  }
  return Buffer.concat(keep);
}

test('SYNs that never reached the server: a cross on the ladder, lost between', async () => {
  const tmp = path.join(fs.mkdtempSync(path.join(root, 'test-output-')), 'server-without-container.pcapng');
  fs.writeFileSync(tmp, withoutPort(SERVER, 50020));
  try {
    await correlate([tmp, CONTAINER]);
    const verdict = await page.textContent('#correlation-verdict');
    assert.match(verdict, /^The 4 SYNs of each of the 7 connection attempts from 192\.0\.2\.20:50020 \(B\) to 198\.51\.100\.10:80 never reached A/);
    const rows = await ladderRows();
    assert.deepEqual(rows, [1, 2, 3, 4].map((b) => ({ state: 'lost', a: null, b })));
    assert.deepEqual(await page.$$eval('#ladder td.link.lost', (tds) => tds.map((t) => t.textContent)), ['✕', '✕', '✕', '✕']);
  } finally {
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
  assert.deepEqual(pageErrors, []);
});
