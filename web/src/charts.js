// The four charts, built once with uPlot and updated in place with setData (never rebuilt
// per input). Colours, axis titles and legends follow the page state and theme.
import uPlot from 'uplot';
import { compactCount, grouped } from './format.js';

import { PRESETS } from 'llmcalc:presets';
import { ITEM_COLOR_VAR } from './palette.js';

// When this module (and uPlot before it) was evaluated: after the first answer is on screen,
// since it lives in the page's deferred block (tests/browser/deferred.test.mjs checks it).
performance.mark('llmcalc:charts-evaluated');

// Memory items in stacking order (bottom first) with their labels: the core's kind table
// (kinds_json, read at build time); unknown ids fall into "other".
export const ITEM_ORDER = PRESETS.kinds.memory.map((k) => k.id);
export const ITEM_LABELS = Object.fromEntries([...PRESETS.kinds.memory.map((k) => [k.id, k.label]), ['other', 'Other']]);
// Colours are presentation, chosen in palette.js; a kind without its own colour takes the last one.
const STACK_IDS = [...ITEM_ORDER, 'other'];

let theme = {};
export function readTheme() {
  // The palette is light-dark(light, dark) (styles.css), and a custom property's computed value
  // is its text: each colour is resolved through a hidden probe's `color`.
  const probe = document.body.appendChild(document.createElement('i'));
  probe.hidden = true;
  const cs = getComputedStyle(probe);
  const v = (n) => {
    probe.style.color = `var(${n}, #888)`;
    return cs.color;
  };
  theme = {
    text: v('--text'), muted: v('--muted'), grid: v('--grid'), card: v('--card'), cap: v('--cap'),
    accent: v('--accent'), ok: v('--ok'), bad: v('--bad'), items: {},
    c1: v('--c1'), c2: v('--c2'), c3: v('--c3'), c6: v('--c6'), c9: v('--c9'),
  };
  for (const id of STACK_IDS) theme.items[id] = v(ITEM_COLOR_VAR[id] ?? '--c12');
  probe.remove();
  return theme;
}
export function itemColor(id) {
  return theme.items[id] || theme.items.other;
}

// The page's small text (--fs-s in styles.css) and its family: every face and size the browser
// resolves costs a query to the system's fonts at start-up, so the canvases add none.
const font = '13px system-ui, sans-serif';
const labelFont = '600 13px system-ui, sans-serif';

// Axis titles: label(narrow) -> text; narrow charts (phones) get the short form.
function axis(label, extra = {}) {
  return {
    label: (u) => (typeof label === 'function' ? label(u.width < 520) : label),
    stroke: () => theme.text,
    grid: { stroke: () => theme.grid, width: 1 },
    ticks: { stroke: () => theme.grid, width: 1 },
    font, labelFont, labelSize: 20, gap: 4,
    ...extra,
  };
}

function valuesOrDash(fmt) {
  return (u, splits) => splits.map((v) => (v == null || !Number.isFinite(v) ? '' : fmt(v)));
}

function yFmt(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}K`;
  if (a >= 100) return grouped(v);
  if (a >= 1) return String(Math.round(v * 10) / 10);
  return String(Math.round(v * 1000) / 1000);
}

// Vertical markers (the current input, the knee) are DOM elements over the plot, not canvas
// drawings: moving one does not redraw the chart, so a chart whose data did not change is
// left alone. markers: [{x: () => value, label: () => text, cls: 'now' | 'knee'}].
// A marker's x, or null where it has none or it lies outside the chart's x range.
function markerX(u, m) {
  const x = m.x();
  const sx = u.scales.x;
  return x != null && Number.isFinite(x) && u.data[0].length > 0 && sx.min != null && x >= sx.min && x <= sx.max ? x : null;
}

function markerLayer(u, markers) {
  const els = markers.map((m) => {
    const d = document.createElement('div');
    d.className = `chart-marker ${m.cls}`;
    d.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    d.append(label);
    u.over.append(d);
    return { m, d, label };
  });
  return () => {
    for (const { m, d, label } of els) {
      const x = markerX(u, m);
      const ok = x !== null;
      if (d.hidden === ok) d.hidden = !ok;
      if (!ok) continue;
      const px = u.valToPos(x, 'x');
      const left = `${Math.round(px)}px`;
      if (d.style.left !== left) d.style.left = left;
      d.classList.toggle('flip', px > u.bbox.width / uPlot.pxRatio - 70);
      const text = m.label();
      if (label.textContent !== text) label.textContent = text;
    }
  };
}

// The same markers drawn onto an exported image (ctx is offset to the chart's canvas).
function drawMarkers(u, markers, ctx, colorOf) {
  const r = uPlot.pxRatio;
  for (const m of markers) {
    const x = markerX(u, m);
    if (x === null) continue;
    const px = Math.round(u.valToPos(x, 'x', true));
    ctx.save();
    ctx.strokeStyle = colorOf(m.cls);
    ctx.lineWidth = 1.5 * r;
    ctx.setLineDash([4 * r, 3 * r]);
    ctx.beginPath();
    ctx.moveTo(px, u.bbox.top);
    ctx.lineTo(px, u.bbox.top + u.bbox.height);
    ctx.stroke();
    const text = m.label();
    if (text) {
      ctx.setLineDash([]);
      ctx.fillStyle = colorOf(m.cls);
      ctx.font = `${13 * r}px system-ui, sans-serif`;
      ctx.textBaseline = 'alphabetic';
      const w = ctx.measureText(text).width;
      const right = px + 4 * r + w < u.bbox.left + u.bbox.width;
      ctx.textAlign = right ? 'left' : 'right';
      ctx.fillText(text, px + (right ? 4 : -4) * r, u.bbox.top + 12 * r);
    }
    ctx.restore();
  }
}

// Equal data needs no redraw (numbers compared exactly; null and NaN as themselves).
function sameData(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  }
  return true;
}

// Shades the x range where the scenario does not fit (fits[] false).
function noFitHook(getFits) {
  return (u) => {
    const fits = getFits();
    const xs = u.data[0];
    if (!fits || xs.length === 0) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = theme.bad;
    ctx.globalAlpha = 0.09;
    for (let i = 0; i < xs.length; i++) {
      if (fits[i]) continue;
      const lo = i > 0 ? Math.sqrt(xs[i - 1] * xs[i]) : xs[i];
      const hi = i + 1 < xs.length ? Math.sqrt(xs[i] * xs[i + 1]) : xs[i];
      const a = u.valToPos(Math.max(lo, u.scales.x.min), 'x', true);
      const b = u.valToPos(Math.min(hi, u.scales.x.max), 'x', true);
      if (b > a) ctx.fillRect(a, u.bbox.top, b - a, u.bbox.height);
    }
    ctx.restore();
  };
}

class Chart {
  constructor(figure, opts, markers = []) {
    this.figure = figure;
    this.el = figure.querySelector('.plot');
    this.el.replaceChildren(); // a page saved from the browser carries the old DOM
    this.legendEl = figure.querySelector('.chart-legend');
    this.titleEl = figure.querySelector('.chart-title');
    this.markers = markers;
    const width = Math.max(280, this.el.clientWidth || 600);
    this.height = () => (window.innerWidth < 500 ? 230 : 280);
    let place = () => {};
    const hooks = { ...opts.hooks, draw: [...(opts.hooks?.draw || []), () => place()] };
    this.u = new uPlot({ width, height: this.height(), legend: { show: false }, ...opts, hooks }, opts.data0, this.el);
    place = markerLayer(this.u, markers);
    this.placeMarkers = place;
    this.ro = new ResizeObserver(() => {
      const w = Math.max(240, Math.floor(this.el.clientWidth));
      if (w !== this.u.width || this.height() !== this.u.height) this.u.setSize({ width: w, height: this.height() });
    });
    this.ro.observe(this.el);
  }
  // New data, or only the markers moved: redraws the canvas only when the data (or `key`,
  // anything else the drawing depends on) changed.
  setData(data, key = '') {
    if (key === this.key && sameData(data, this.data)) {
      this.placeMarkers();
      return false;
    }
    this.key = key;
    this.data = data;
    this.u.setData(data);
    return true;
  }
  setTitle(text) {
    if (this.titleEl.textContent !== text) this.titleEl.textContent = text;
  }
  // entries: [{label, color, kind:'fill'|'line'|'dash'}]
  setLegend(entries) {
    const key = JSON.stringify(entries);
    if (key === this.legendKey) return;
    this.legendKey = key;
    const items = entries.map((e) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch' + (e.kind === 'line' ? ' line' : e.kind === 'dash' ? ' dash' : '');
      if (e.kind !== 'dash') sw.style.background = e.color;
      li.append(sw, document.createTextNode(e.label));
      return li;
    });
    this.legendEl.replaceChildren(...items);
    this.legendEntries = entries;
  }
  redraw() {
    this.key = null; // colours or labels changed: the next setData draws
    this.u.redraw(false, true);
  }
  // A PNG of the chart with its title, legend, a caption naming the scenario (so that a saved
  // image can be told apart later) and a background (the canvas alone is transparent). Title,
  // legend entries and caption wrap at the image's width: nothing overlaps or runs off.
  toPngBlob() {
    const src = this.u.ctx.canvas;
    const r = uPlot.pxRatio;
    const pad = 12 * r;
    const c = document.createElement('canvas');
    c.width = src.width + 2 * pad;
    const inner = c.width - 2 * pad;
    const ctx = c.getContext('2d');
    const titleFont = `600 ${14 * r}px system-ui, sans-serif`;
    const smallFont = `${12 * r}px system-ui, sans-serif`;
    ctx.font = titleFont;
    const title = wrapText(ctx, this.titleEl.textContent, inner);
    ctx.font = smallFont;
    const caption = wrapText(ctx, pngCaption(), inner);
    // Legend entries flow left to right, each as wide as its text, onto as many rows as needed.
    const entries = this.legendEntries || [];
    const line = 18 * r;
    const placed = [];
    let x = 0;
    let row = 0;
    for (const e of entries) {
      const w = Math.min(inner, 18 * r + ctx.measureText(e.label).width + 16 * r);
      if (x > 0 && x + w > inner) {
        x = 0;
        row += 1;
      }
      placed.push({ e, x, row });
      x += w;
    }
    const titleH = title.length * 18 * r + 8 * r;
    const legendH = entries.length ? (row + 1) * line + 8 * r : 0;
    const captionH = caption.length * 16 * r + 6 * r;
    c.height = pad + titleH + src.height + legendH + captionH + pad;
    ctx.fillStyle = theme.card;
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.textBaseline = 'top';
    ctx.fillStyle = theme.text;
    ctx.font = titleFont;
    title.forEach((t, i) => ctx.fillText(t, pad, pad + i * 18 * r));
    const top = pad + titleH;
    ctx.drawImage(src, pad, top);
    ctx.save();
    ctx.translate(pad, top);
    drawMarkers(this.u, this.markers, ctx, (cls) => (cls === 'knee' ? theme.c3 : theme.text));
    ctx.restore();
    ctx.font = smallFont;
    const legendTop = top + src.height + 8 * r;
    for (const { e, x: ex, row: er } of placed) {
      const lx = pad + ex;
      const ly = legendTop + er * line;
      ctx.fillStyle = e.kind === 'dash' ? theme.cap : e.color;
      ctx.fillRect(lx, ly + 3 * r, 12 * r, e.kind === 'fill' ? 12 * r : 3 * r);
      ctx.fillStyle = theme.text;
      ctx.fillText(e.label, lx + 18 * r, ly, inner - ex - 18 * r);
    }
    ctx.fillStyle = theme.muted;
    const capTop = legendTop + legendH;
    caption.forEach((t, i) => ctx.fillText(t, pad, capTop + i * 16 * r));
    // For the tests: what was drawn where (legend boxes in image pixels).
    this.lastPng = { width: c.width, height: c.height, caption: caption.join(' '),
      legend: placed.map(({ e, x: ex, row: er }) => ({ x: pad + ex, row: er, width: 18 * r + ctx.measureText(e.label).width })) };
    return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
  }
}

// Words of `text` in lines no wider than `width` (in the context's current font).
function wrapText(ctx, text, width) {
  const lines = [];
  let cur = '';
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    const next = cur ? `${cur} ${word}` : word;
    if (cur && ctx.measureText(next).width > width) {
      lines.push(cur);
      cur = word;
    } else {
      cur = next;
    }
  }
  if (cur) lines.push(cur);
  return lines;
}

// The scenario in words for exported images; chart_panel.js sets it (model, precision, GPU,
// batch, context).
let pngCaption = () => '';
export function setPngCaption(fn) {
  pngCaption = fn;
}

// Memory versus a swept input (context length or batch): stacked items + capacity line.
export function memoryChart(figure, view) {
  const series = [{}];
  // Drawn top of the stack first, each filled to zero, so later (lower) areas paint over.
  for (const id of [...STACK_IDS].reverse()) {
    series.push({
      label: ITEM_LABELS[id],
      stroke: () => itemColor(id),
      fill: () => itemColor(id),
      width: 1,
      points: { show: false },
    });
  }
  series.push({ label: 'GPU capacity', stroke: () => theme.cap, width: 2, dash: [6, 4], points: { show: false } });
  const empty = series.map(() => []);
  const chart = new Chart(figure, {
    data0: empty,
    series,
    scales: { x: { time: false, distr: 3, log: 2 }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    axes: [
      axis((narrow) => view.xLabel(narrow), { values: valuesOrDash(compactCount), space: 40 }),
      axis((narrow) => `${narrow ? 'Memory' : 'Memory per GPU'} (${view.unit()})`, { values: valuesOrDash(yFmt), size: 56 }),
    ],
    hooks: { draw: [noFitHook(() => view.fits())] },
    cursor: { points: { show: false } },
  }, [{ x: () => view.current(), label: () => view.currentLabel(), cls: 'now' }]);
  chart.update = (xs, sw, unitDiv) => {
    // sw: compact sweep {series:{items, capacity_bytes, fits}}; stacking is presentation only.
    const items = sw.series.items;
    const rows = STACK_IDS.map(() => new Array(xs.length).fill(0));
    for (const [id, arr] of Object.entries(items)) {
      let k = STACK_IDS.indexOf(id);
      if (k < 0) k = STACK_IDS.length - 1;
      for (let i = 0; i < xs.length; i++) rows[k][i] += arr[i] / unitDiv;
    }
    const present = rows.map((r) => r.some((v) => v > 0));
    const cum = [];
    let acc = new Array(xs.length).fill(0);
    for (const r of rows) {
      acc = acc.map((v, i) => v + r[i]);
      cum.push(acc);
    }
    const data = [xs];
    for (let k = STACK_IDS.length - 1; k >= 0; k--) data.push(cum[k]);
    data.push(sw.series.capacity_bytes.map((b) => b / unitDiv));
    // Which items are present follows from the data: they change only along with it.
    if (chart.setData(data, `${sw.series.fits.join()}|${view.xLabel(false)}|${view.unit()}`)) {
      STACK_IDS.forEach((id, k) => {
        const idx = STACK_IDS.length - k; // series index
        if (chart.u.series[idx].show !== present[k]) chart.u.setSeries(idx, { show: present[k] }, false);
      });
    }
    const legend = [];
    STACK_IDS.forEach((id, k) => present[k] && legend.push({ label: ITEM_LABELS[id], color: itemColor(id), kind: 'fill' }));
    legend.push({ label: 'GPU capacity', color: theme.cap, kind: 'dash' });
    if (sw.series.fits.some((f) => !f)) legend.push({ label: 'does not fit (shaded)', color: theme.bad, kind: 'fill' });
    chart.setLegend(legend);
  };
  return chart;
}

// Throughput and per-step latency versus batch: the roofline knee (training: step time).
export function kneeChart(figure, view) {
  const chart = new Chart(figure, {
    data0: [[], [], []],
    series: [
      {},
      { label: 'throughput', stroke: () => theme.c1, width: 2, scale: 'y', points: { show: true, size: 5, fill: () => theme.c1 } },
      { label: 'latency', stroke: () => theme.c6, width: 2, dash: [5, 3], scale: 'ms', points: { show: true, size: 5, fill: () => theme.c6 } },
    ],
    scales: {
      x: { time: false, distr: 3, log: 2 },
      y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] },
      ms: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [
      axis((narrow) => view.xLabel(narrow), { values: valuesOrDash(compactCount), space: 40 }),
      axis((narrow) => view.yLabel(narrow), { values: valuesOrDash(yFmt), size: 56, stroke: () => theme.c1 }),
      axis((narrow) => view.y2Label(narrow), { scale: 'ms', side: 1, values: valuesOrDash(yFmt), size: 56, grid: { show: false }, stroke: () => theme.c6 }),
    ],
    hooks: { draw: [noFitHook(() => view.fits())] },
    cursor: { points: { show: false } },
  }, [
    { x: () => view.knee(), label: () => view.kneeLabel(), cls: 'knee' },
    { x: () => view.current(), label: () => view.currentLabel(), cls: 'now' },
  ]);
  chart.update = (xs, tps, lat) => {
    chart.setData([xs, tps, lat], `${(view.fits() || []).join()}|${view.xLabel(false)}|${view.yLabel(false)}|${view.y2Label(false)}`);
    chart.setLegend([
      { label: view.yLabel(false), color: theme.c1, kind: 'line' },
      { label: view.y2Label(false), color: theme.c6, kind: 'line' },
      ...(view.knee() ? [{ label: 'knee (end of memory-bound regime)', color: theme.c3, kind: 'line' }] : []),
      ...(view.fits() && view.fits().some((f) => !f) ? [{ label: 'does not fit (shaded)', color: theme.bad, kind: 'fill' }] : []),
    ]);
  };
  return chart;
}

// The same scenario on every GPU preset (and the custom GPU): bars of the chosen view's metric
// (throughput, fewest GPUs, $ per million tokens) coloured by fit, memory use as % of capacity.
// Each bar's values show on hover and, with the plot focused, on the arrow keys.
export function gpuChart(figure, view) {
  let names = [];
  let rows = [];
  const bars = uPlot.paths.bars({ size: [0.7, 40], align: 0 });
  const tip = figure.querySelector('.chart-tip');
  let sel = -1;
  const showTip = (i) => {
    sel = i;
    const t = i >= 0 && i < rows.length ? view.tipText(rows[i]) : '';
    if (tip.textContent !== t) tip.textContent = t;
  };
  const chart = new Chart(figure, {
    data0: [[], [], [], []],
    series: [
      {},
      { label: 'fits', stroke: () => theme.c3, fill: () => theme.c3, paths: bars, points: { show: false }, scale: 'y' },
      { label: 'does not fit', stroke: () => theme.c9, fill: () => theme.c9, paths: bars, points: { show: false }, scale: 'y' },
      { label: 'memory', stroke: () => theme.c6, width: 0, paths: () => null, scale: 'pct', points: { show: true, size: 7, width: 1.5, stroke: () => theme.c6, fill: () => theme.card } },
    ],
    scales: {
      x: { time: false, range: (u, min, max) => [min - 0.6, max + 0.6] },
      y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] },
      pct: { range: (u, min, max) => [0, Math.max(110, max * 1.08)] },
    },
    axes: [
      axis(() => 'GPU', {
        splits: (u) => u.data[0].slice(),
        // Every GPU's short name where they fit side by side (15 px each, rotated); on a
        // narrow screen every k-th, so that none overlap.
        values: (u, splits) => {
          const k = Math.max(1, Math.ceil((15 * splits.length) / Math.max(1, u.bbox.width / uPlot.pxRatio)));
          return splits.map((i, j) => (j % k === 0 ? names[i] ?? '' : ''));
        },
        rotate: -90, size: 120, gap: 2, grid: { show: false },
      }),
      axis(() => view.yLabel(true), { values: valuesOrDash(yFmt), size: 56 }),
      // "% of memory": short enough not to be cut at the right edge on a phone.
      axis((narrow) => (narrow ? '% memory' : 'Memory (% of capacity)'), { scale: 'pct', side: 1, values: valuesOrDash((v) => `${Math.round(v)}%`), size: 56, grid: { show: false }, stroke: () => theme.c6 }),
    ],
    hooks: {
      draw: [(u) => {
        if (u.data[0].length === 0) return;
        const y = Math.round(u.valToPos(100, 'pct', true));
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = theme.c6;
        ctx.setLineDash([5 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
        ctx.lineWidth = uPlot.pxRatio;
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.restore();
      }],
      setCursor: [(u) => { if (u.cursor.idx != null) showTip(u.cursor.idx); }],
    },
    cursor: { points: { show: false }, drag: { x: false, y: false } },
  });
  const plot = figure.querySelector('.plot');
  plot.tabIndex = 0;
  plot.setAttribute('role', 'group');
  plot.setAttribute('aria-label', 'GPU comparison chart: the arrow keys read each GPU\u2019s values');
  plot.addEventListener('focus', () => showTip(sel >= 0 ? sel : 0));
  plot.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (step === undefined && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const n = rows.length;
    if (!n) return;
    showTip(e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : (Math.max(0, sel) + step + n) % n);
  });
  // rows: [{name, value, fits, pct, ...}] in display order; value null = no bar.
  chart.update = (rowsIn, key) => {
    rows = rowsIn;
    names = rows.map((r) => r.short);
    const xs = rows.map((_, i) => i);
    chart.setData([xs, rows.map((r) => (r.fits ? r.value : null)), rows.map((r) => (r.fits ? null : r.value)), rows.map((r) => r.pct)], `${key}|${view.yLabel(false)}`);
    if (sel >= rows.length) sel = -1;
    showTip(sel);
    chart.setLegend([
      { label: `${view.yLabel(false)}, fits`, color: theme.c3, kind: 'fill' },
      { label: 'does not fit', color: theme.c9, kind: 'fill' },
      { label: 'memory needed, % of capacity (100% dashed)', color: theme.c6, kind: 'line' },
    ]);
  };
  return chart;
}
