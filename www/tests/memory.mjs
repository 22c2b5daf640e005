// The page on a busy server's capture, with the browser's memory measured as the
// operating system sees it: PSS summed over every Chromium process (browser, renderer,
// GPU, utility), sampled every 250 ms through the analysis, the flows table, the JSON
// export and the CSV download of every flow.
//
//   node memory.mjs          a small capture (default run of scripts/test-web.sh)
//   node memory.mjs --big    1 GB, about a million short connections (scripts/test-web.sh --big)
//
// The capture comes from the project's generator (bench/src/bin/gen-capture.rs; env
// GEN_CAPTURE, default target/release/gen-capture). Env: OUT, MEMORY_LIMIT_MB.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const OUT = process.env.OUT || path.join(root, 'test-output');
const big = process.argv.includes('--big');
// The capture: `gen-capture --size 1G --short-flows 1000000 --bulk-flows 4`.
const GEN = big ? ['--size', '1G', '--short-flows', '1000000', '--bulk-flows', '4'] : ['--size', '24M', '--short-flows', '25000', '--bulk-flows', '2'];
const LIMIT_MB = Number(process.env.MEMORY_LIMIT_MB || 768);
const GEN_CAPTURE = process.env.GEN_CAPTURE || path.join(root, 'target/release/gen-capture');
fs.mkdirSync(OUT, { recursive: true });

const file = path.join(OUT, `busy-${GEN.slice(1).join('-').replace(/[^0-9A-Za-z]+/g, '-')}.pcap`);
if (!fs.existsSync(file)) {
  assert.ok(fs.existsSync(GEN_CAPTURE), `the generator at ${GEN_CAPTURE} (cargo build --release -p tcpopt-bench --bin gen-capture)`);
  const t = performance.now();
  execFileSync(GEN_CAPTURE, [...GEN, '-o', file + '.part'], { stdio: ['ignore', 'ignore', 'inherit'] });
  fs.renameSync(file + '.part', file);
  console.log(`# generated ${path.basename(file)} (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const size = fs.statSync(file).size;

/** PSS (bytes) summed over the processes whose command line names `marker` (the profile dir). */
function pss(marker) {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch { /* the process ended */ }
  }
  return total;
}

const { server, origin } = await serve(path.join(root, 'www/dist'));
const { context, close, userDataDir } = await launch();
let peak = 0, samples = 0;
const sample = () => { const p = pss(userDataDir); samples++; if (p > peak) peak = p; return p; };
const timer = setInterval(sample, 250);
const phases = {};
try {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(origin + '/');
  await page.waitForFunction(() => document.getElementById('version').textContent !== '');
  const idle = sample();

  const started = Date.now();
  const job = (await page.evaluate(() => window.tcpopt.job)) + 1;
  await page.setInputFiles('#file', file);
  await page.waitForFunction((j) => document.body.dataset.doneJob === String(j) || document.body.dataset.failJob === String(j),
    job, { timeout: 30 * 60 * 1000, polling: 500 });
  const secs = (Date.now() - started) / 1000;
  phases.analysis = peak;
  const shown = await page.evaluate(() => ({
    error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    verdict: document.getElementById('verdict-text').textContent,
    rows: document.querySelectorAll('#flows tbody tr').length,
    count: document.getElementById('flows-count').textContent,
    flows: window.tcpopt.report.stats.flows,
    complete: window.tcpopt.report.capture.complete,
    codes: [...new Set(window.tcpopt.report.findings.map((f) => f.code))],
  }));
  assert.equal(shown.error, '', 'no error shown');
  assert.ok(shown.complete, 'read to the end');
  assert.ok(shown.verdict.length > 10, `a verdict: ${shown.verdict}`);
  assert.ok(shown.rows > 0, 'the flows table has rows');

  // The next page of the flows table comes from the worker.
  if (!(await page.locator('#flows-next').isDisabled())) {
    const first = await page.locator('#flows tbody tr td').first().textContent();
    await page.click('#flows-next');
    await page.waitForFunction((f) => document.querySelector('#flows tbody tr td')?.textContent !== f, first);
  }

  // The exports, downloaded as a user would (they are Blobs of parts).
  const download = async (button, name) => {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10 * 60 * 1000 }), page.click(button)]);
    const to = path.join(OUT, name);
    await dl.saveAs(to);
    return to;
  };
  const jsonFile = await download('#export-json', 'busy.tcpopt.json');
  phases.json = peak;
  const jsonSize = fs.statSync(jsonFile).size;
  const head = fs.readFileSync(jsonFile, { encoding: 'utf8', flag: 'r' }).slice(0, 40);
  assert.match(head, /^\{\s*"schema_version"/, 'the JSON export is the report');
  if (jsonSize < 64e6) {
    const exported = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    assert.equal(exported.stats.flows, shown.flows, 'the export is the report the page shows');
  }
  const csvFile = await download('#export-csv', 'busy.flows.csv');
  phases.csv = peak;
  let lines = 0;
  const fd = fs.openSync(csvFile, 'r');
  const buf = Buffer.alloc(1 << 20);
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length)) > 0;) for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
  fs.closeSync(fd);
  assert.equal(lines - 1, shown.flows, 'the CSV has one row per flow, and a header');
  assert.deepEqual(errors, [], 'no uncaught page error');
  sample();
  console.log(JSON.stringify({
    capture: path.basename(file), bytes: size, seconds: secs, MBps: +(size / 1e6 / secs).toFixed(1), flows: shown.flows,
    findings: shown.codes, json_MB: +(jsonSize / 1e6).toFixed(1), csv_rows: lines - 1,
    pss_idle_MB: +(idle / 1048576).toFixed(0), pss_peak_analysis_MB: +(phases.analysis / 1048576).toFixed(0),
    pss_peak_after_json_MB: +(phases.json / 1048576).toFixed(0), pss_peak_after_csv_MB: +(phases.csv / 1048576).toFixed(0),
    pss_peak_MB: +(peak / 1048576).toFixed(0), samples,
  }));
  fs.rmSync(jsonFile); fs.rmSync(csvFile);
} finally {
  clearInterval(timer);
  await close(); server.close();
}
assert.ok(samples > 3, 'memory was sampled');
assert.ok(peak < LIMIT_MB * 1048576, `browser PSS peak ${(peak / 1048576).toFixed(0)} MB < ${LIMIT_MB} MB`);
console.log('1 passed, 0 failed');
