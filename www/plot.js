// TSval against capture time on a canvas. Points are drawn at most once per
// pixel per series, so 100,000 points redraw in a few milliseconds and
// zooming never freezes the page.
//
// Two layouts: "lanes" (default) gives each clock line its own band with its
// own TSval scale, fitted to the visible time range: clocks behind one NAT
// address are typically ~10^9 ticks apart, and on one shared axis each would
// be a flat streak. "shared" is the plain TSval axis (both axes zoomable).

export const COLOURS = ['#0b62c4', '#c4420b', '#1b8a3a', '#8a2bb8', '#a07800', '#00838f', '#c2185b', '#5d4037'];
const UNANSWERED = '#d00000';

export class ClockPlot {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.pair = null;
    this.mode = 'lanes';
    this.view = null; // {x0, x1, y0, y1}
    this.full = null;
    this.drag = null;
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('mousedown', (e) => this.onDown(e));
    window.addEventListener('mousemove', (e) => this.onMove(e));
    window.addEventListener('mouseup', (e) => this.onUp(e));
    canvas.addEventListener('dblclick', () => this.reset());
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  setPair(pair) {
    this.pair = pair;
    this.full = pair ? extent(pair) : null;
    this.view = this.full && { ...this.full };
    this.draw();
  }

  setMode(mode) { this.mode = mode; this.reset(); }

  reset() { if (this.full) { this.view = { ...this.full }; this.draw(); } }

  area() {
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    return { l: 112, t: 12, r: w - 12, b: h - 40, w, h };
  }

  toData(px, py) {
    const a = this.area(), v = this.view;
    return {
      x: v.x0 + (px - a.l) / (a.r - a.l) * (v.x1 - v.x0),
      y: v.y1 - (py - a.t) / (a.b - a.t) * (v.y1 - v.y0),
    };
  }

  zoom(factor, cx, cy) {
    if (!this.view) return;
    const v = this.view, lanes = this.mode === 'lanes';
    const c = cx === undefined ? { x: (v.x0 + v.x1) / 2, y: (v.y0 + v.y1) / 2 } : this.toData(cx, cy);
    const nx0 = c.x - (c.x - v.x0) * factor, nx1 = c.x + (v.x1 - c.x) * factor;
    const ny0 = lanes ? v.y0 : c.y - (c.y - v.y0) * factor, ny1 = lanes ? v.y1 : c.y + (v.y1 - c.y) * factor;
    if (nx1 - nx0 < 1e-6 || ny1 - ny0 < 1e-3) return;
    this.view = { x0: nx0, x1: nx1, y0: ny0, y1: ny1 };
    this.draw();
  }

  pan(fx, fy) {
    const v = this.view; if (!v) return;
    const dx = (v.x1 - v.x0) * fx, dy = this.mode === 'lanes' ? 0 : (v.y1 - v.y0) * fy;
    this.view = { x0: v.x0 + dx, x1: v.x1 + dx, y0: v.y0 + dy, y1: v.y1 + dy };
    this.draw();
  }

  onWheel(e) {
    if (!this.view) return;
    e.preventDefault();
    const r = this.canvas.getBoundingClientRect();
    this.zoom(e.deltaY < 0 ? 0.8 : 1.25, e.clientX - r.left, e.clientY - r.top);
  }
  onDown(e) {
    if (!this.view || e.button !== 0) return;
    const r = this.canvas.getBoundingClientRect();
    this.drag = { x0: e.clientX - r.left, y0: e.clientY - r.top, x1: e.clientX - r.left, y1: e.clientY - r.top };
  }
  onMove(e) {
    if (!this.drag) return;
    const r = this.canvas.getBoundingClientRect();
    this.drag.x1 = e.clientX - r.left; this.drag.y1 = e.clientY - r.top;
    this.draw();
  }
  onUp() {
    const d = this.drag; this.drag = null;
    if (!d) return;
    const lanes = this.mode === 'lanes';
    if (Math.abs(d.x1 - d.x0) > 5 && (lanes || Math.abs(d.y1 - d.y0) > 5)) {
      const a = this.toData(Math.min(d.x0, d.x1), Math.min(d.y0, d.y1));
      const b = this.toData(Math.max(d.x0, d.x1), Math.max(d.y0, d.y1));
      this.view = lanes ? { ...this.view, x0: a.x, x1: b.x } : { x0: a.x, x1: b.x, y0: b.y, y1: a.y };
    }
    this.draw();
  }
  onKey(e) {
    const k = e.key;
    if (k === '+' || k === '=') this.zoom(0.8);
    else if (k === '-') this.zoom(1.25);
    else if (k === '0') this.reset();
    else if (k === 'ArrowLeft') this.pan(-0.1, 0);
    else if (k === 'ArrowRight') this.pan(0.1, 0);
    else if (k === 'ArrowUp') this.pan(0, 0.1);
    else if (k === 'ArrowDown') this.pan(0, -0.1);
    else return;
    e.preventDefault();
  }

  draw() {
    const cv = this.canvas, ctx = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    const a = this.area();
    if (a.w === 0 || a.h === 0) return;
    if (cv.width !== Math.round(a.w * dpr) || cv.height !== Math.round(a.h * dpr)) {
      cv.width = Math.round(a.w * dpr); cv.height = Math.round(a.h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const fg = getComputedStyle(cv).color || '#222';
    ctx.clearRect(0, 0, a.w, a.h);
    ctx.font = '12px system-ui, sans-serif';
    if (!this.pair || !this.view) {
      ctx.fillStyle = fg; ctx.fillText('No timestamp data to plot for this capture.', a.l, a.t + 24);
      return;
    }
    const v = this.view, tmin = this.full.tmin;
    const sx = (a.r - a.l) / (v.x1 - v.x0 || 1);
    const X = (x) => a.l + (x - v.x0) * sx;

    // Time axis.
    ctx.strokeStyle = fg; ctx.fillStyle = fg; ctx.lineWidth = 1;
    const xt = ticks(v.x0 - tmin, v.x1 - tmin, 8);
    ctx.globalAlpha = 0.25;
    for (const tx of xt) { const px = X(tx + tmin); ctx.beginPath(); ctx.moveTo(px, a.t); ctx.lineTo(px, a.b); ctx.stroke(); }
    ctx.globalAlpha = 1;
    ctx.strokeRect(a.l, a.t, a.r - a.l, a.b - a.t);
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    for (const tx of xt) ctx.fillText(fmtSecs(tx), X(tx + tmin), a.b + 4);
    ctx.fillText('seconds since the first point', (a.l + a.r) / 2, a.b + 22);

    const lines = this.pair.lines;
    const bands = this.mode === 'lanes' && lines.length
      ? lines.map((line, i) => {
        const h = (a.b - a.t) / lines.length;
        const top = a.t + i * h, bot = top + h;
        const [y0, y1] = yRange([line.pts, line.unanswered], v.x0, v.x1);
        return { line, i, top: top + 14, bot: bot - 6, y0, y1, sep: i > 0 ? top : null };
      })
      : [{ all: true, top: a.t, bot: a.b, y0: v.y0, y1: v.y1 }];

    for (const band of bands) {
      const sy = (band.bot - band.top) / (band.y1 - band.y0 || 1);
      const Y = (y) => band.bot - (y - band.y0) * sy;
      ctx.strokeStyle = fg; ctx.fillStyle = fg;
      if (band.sep != null) { ctx.beginPath(); ctx.moveTo(a.l, band.sep); ctx.lineTo(a.r, band.sep); ctx.stroke(); }
      const yt = ticks(band.y0, band.y1, band.all ? 6 : Math.max(2, Math.floor((band.bot - band.top) / 40)));
      ctx.globalAlpha = 0.25;
      for (const ty of yt) { ctx.beginPath(); ctx.moveTo(a.l, Y(ty)); ctx.lineTo(a.r, Y(ty)); ctx.stroke(); }
      ctx.globalAlpha = 1;
      ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
      for (const ty of yt) ctx.fillText(ty.toFixed(0), a.l - 6, Y(ty));
      ctx.save();
      ctx.beginPath(); ctx.rect(a.l, band.top - 8, a.r - a.l, band.bot - band.top + 14); ctx.clip();
      const todo = band.all ? lines.map((line, i) => ({ line, i })) : [{ line: band.line, i: band.i }];
      for (const { line, i } of todo) {
        ctx.fillStyle = COLOURS[i % COLOURS.length];
        drawPoints(ctx, line.pts, X, Y, a, line.pts.length > 20000 ? 2 : 5);
        drawCrosses(ctx, line.unanswered, X, Y, a);
      }
      ctx.restore();
      if (!band.all) {
        ctx.textAlign = 'left'; ctx.textBaseline = 'top';
        ctx.fillStyle = COLOURS[band.i % COLOURS.length];
        ctx.font = 'bold 12px system-ui, sans-serif';
        ctx.fillText(band.line.label, a.l + 6, band.top - 12);
        ctx.font = '12px system-ui, sans-serif';
      }
    }
    ctx.fillStyle = fg; ctx.textAlign = 'left'; ctx.textBaseline = 'top';
    ctx.save(); ctx.translate(10, (a.t + a.b) / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center';
    ctx.fillText(this.mode === 'lanes' && lines.length > 1 ? 'TSval (own scale per clock)' : 'TSval', 0, 0); ctx.restore();

    if (this.drag) {
      const d = this.drag;
      ctx.strokeStyle = fg; ctx.setLineDash([4, 3]);
      if (this.mode === 'lanes') ctx.strokeRect(Math.min(d.x0, d.x1), a.t, Math.abs(d.x1 - d.x0), a.b - a.t);
      else ctx.strokeRect(Math.min(d.x0, d.x1), Math.min(d.y0, d.y1), Math.abs(d.x1 - d.x0), Math.abs(d.y1 - d.y0));
      ctx.setLineDash([]);
    }
  }
}

// One mark per occupied pixel: bounded work and no overdraw.
function drawPoints(ctx, pts, X, Y, a, size) {
  const w = Math.ceil(a.r - a.l) + 1, h = Math.ceil(a.b - a.t) + 1;
  const occupied = new Uint8Array(w * h);
  const half = size / 2;
  for (let i = 0; i + 1 < pts.length; i += 2) {
    const px = X(pts[i]), py = Y(pts[i + 1]);
    const cx = Math.round(px - a.l), cy = Math.round(py - a.t);
    if (cx < 0 || cy < 0 || cx >= w || cy >= h) continue;
    const k = cy * w + cx;
    if (occupied[k]) continue;
    occupied[k] = 1;
    ctx.fillRect(px - half, py - half, size, size);
  }
}

function drawCrosses(ctx, u, X, Y, a) {
  if (!u || !u.length) return;
  ctx.save();
  ctx.strokeStyle = UNANSWERED; ctx.lineWidth = 2;
  const seen = new Set();
  for (let i = 0; i + 1 < u.length; i += 2) {
    const px = Math.round(X(u[i])), py = Math.round(Y(u[i + 1]));
    if (px < a.l - 6 || px > a.r + 6) continue;
    const key = (px >> 2) * 65536 + (py >> 2);
    if (seen.has(key)) continue; seen.add(key);
    ctx.beginPath(); ctx.moveTo(px - 5, py - 5); ctx.lineTo(px + 5, py + 5);
    ctx.moveTo(px + 5, py - 5); ctx.lineTo(px - 5, py + 5); ctx.stroke();
  }
  ctx.restore();
}

// TSval range of the points within [x0, x1], padded; the whole range when none is visible.
function yRange(arrays, x0, x1) {
  let lo = Infinity, hi = -Infinity, alo = Infinity, ahi = -Infinity;
  for (const p of arrays) {
    if (!p) continue;
    for (let i = 0; i + 1 < p.length; i += 2) {
      const y = p[i + 1];
      if (y < alo) alo = y; if (y > ahi) ahi = y;
      if (p[i] >= x0 && p[i] <= x1) { if (y < lo) lo = y; if (y > hi) hi = y; }
    }
  }
  if (!Number.isFinite(lo)) { lo = alo; hi = ahi; }
  if (!Number.isFinite(lo)) return [0, 1];
  const d = (hi - lo) || 10;
  return [lo - d * 0.08, hi + d * 0.08];
}

function extent(pair) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  const eat = (p) => { for (let i = 0; p && i + 1 < p.length; i += 2) {
    const x = p[i], y = p[i + 1];
    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y; } };
  for (const l of pair.lines) { eat(l.pts); eat(l.unanswered); }
  eat(pair.unanswered);
  if (!Number.isFinite(x0)) return null;
  const dx = (x1 - x0) || 1, dy = (y1 - y0) || 1000;
  return { x0: x0 - dx * 0.03, x1: x1 + dx * 0.03, y0: y0 - dy * 0.06, y1: y1 + dy * 0.06, tmin: x0 };
}

function ticks(lo, hi, n) {
  const span = hi - lo;
  if (!(span > 0)) return [];
  const raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || mag * 10;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi && out.length < 50; t += step) out.push(t);
  return out;
}

function fmtSecs(s) {
  const a = Math.abs(s);
  if (a < 1e-9) return '0';
  if (a < 0.01) return s.toFixed(4);
  if (a < 10) return s.toFixed(2);
  return s.toFixed(0);
}
