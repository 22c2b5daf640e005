// Two captures of the same traffic, correlated off the main thread. Both
// files are read with File.stream(), always the one the engine asks for
// (Correlator.wants()), so that they advance together in time and neither
// is ever whole in memory.
//
// Protocol (main -> worker): {type: 'correlate', id, a: File, b: File}
// (worker -> main): {type: 'done', id, report} | {type: 'error', id, message}
import init, { Correlator } from './tcpopt-web.js';

const ready = init({ module_or_path: new URL('tcpopt-web_bg.wasm', import.meta.url) });

async function correlate(id, a, b) {
  await ready;
  const c = new Correlator(a.name, b.name);
  const readers = { A: a.stream().getReader(), B: b.stream().getReader() };
  try {
    for (let side; (side = c.wants()) !== undefined;) {
      const { done, value } = await readers[side].read();
      if (done) c.finishSide(side); else c.push(side, value);
    }
  } catch (e) {
    // A read error ends that input; the report covers what was read.
    for (const s of ['A', 'B']) c.finishSide(s);
  }
  const report = c.finish();
  c.free();
  postMessage({ type: 'done', id, report });
}

onmessage = (ev) => {
  const m = ev.data;
  if (m && m.type === 'correlate') {
    correlate(m.id, m.a, m.b).catch((e) => postMessage({ type: 'error', id: m.id, message: String(e && e.message || e) }));
  }
};
