// The charts panel: which sweeps feed which chart, and the GPU comparison table.
import { $, setText } from './dom.js';
import { v, patch } from './patch.js';
import { contextOf } from './state.js';
import { readTheme, memoryChart, kneeChart, gpuChart, setPngCaption } from './charts.js';
import * as fmt from './format.js';
import { BATCH_GRID, CONTEXT_GRID, app, chartState, charts } from './app.js';
import { fixed } from './solvers.js';
import { cached, later } from './update.js';

// ---------------------------------------------------------------- charts

// The swept values: the grid from `lo` on, plus the current value where it lies outside the
// grid's range (inside it, the chart's "now" marker shows it and the data stays the same, so
// the chart needs no redraw when only that input moves).
export function gridAround(grid, v, lo) {
  const g = grid.filter((x) => x >= lo);
  if (g.length === 0 || v < g[0]) g.unshift(v);
  else if (v > g[g.length - 1]) g.push(v);
  return g;
}

export function setupCharts() {
  readTheme();
  const ctxView = {
    unit: () => app.state.unit,
    xLabel: (narrow) => (app.state.mode === 'inference' ? (narrow ? 'Context (tokens)' : 'Context length (tokens, prompt + generated)') : (narrow ? 'Sequence (tokens)' : 'Sequence length (tokens)')),
    fits: () => chartState.contextFits,
    current: () => contextOf(app.state),
    currentLabel: () => 'now',
  };
  charts.context = memoryChart($('chart-context'), ctxView);
  charts.batch = memoryChart($('chart-batch'), {
    unit: () => app.state.unit,
    xLabel: () => (app.state.mode === 'inference' ? 'Batch (sequences)' : 'Micro-batch (sequences)'),
    fits: () => chartState.batchFits,
    current: () => app.state.batch,
    currentLabel: () => 'now',
  });
  charts.knee = kneeChart($('chart-knee'), {
    xLabel: (narrow) => (app.state.mode === 'inference' ? (narrow ? 'Batch (sequences)' : 'Batch (sequences decoded together)') : 'Micro-batch (sequences)'),
    yLabel: (narrow) => (narrow ? 'Tokens/s' : app.state.mode === 'inference' ? 'Decode throughput (tokens/s)' : 'Training throughput (tokens/s)'),
    y2Label: (narrow) => (app.state.mode === 'inference' ? (narrow ? 'ms/token' : 'Decode step latency (ms/token)') : 'Step time (s)'),
    fits: () => chartState.kneeFits,
    knee: () => chartState.knee,
    kneeLabel: () => (chartState.knee ? `knee ${chartState.knee}` : ''),
    current: () => app.state.batch,
    currentLabel: () => 'now',
  });
  $('gpu-table-details').addEventListener('toggle', () => renderGpus());
  charts.gpus = gpuChart($('chart-gpus'), {
    yLabel: (narrow) => {
      if (gpuView === 'fewest') return narrow ? 'GPUs' : 'Fewest GPUs that fit';
      if (gpuView === 'cost') return narrow ? '$/M tokens' : '$ per million tokens';
      return narrow ? 'Tokens/s' : app.state.mode === 'inference' ? 'Decode throughput (tokens/s)' : 'Training throughput (tokens/s)';
    },
    tipText: (r) => `${r.name}: ${r.fits ? 'fits' : 'does not fit'} (${fmt.percent(r.pct / 100, 0)} of memory), ${fmt.rate(r.tps)}` +
      `${r.cost > 0 ? `, ${fmt.money(r.cost)} per million tokens` : ''}${r.fewest > 0 ? `, fewest GPUs ${fmt.tokens(r.fewest)}` : ''}`,
  });
  for (const input of document.querySelectorAll('input[name=gpu-view]')) {
    input.addEventListener('change', () => {
      gpuView = input.value;
      renderGpus();
    });
  }
  $('gpu-table').querySelector('thead').addEventListener('click', (e) => {
    const b = e.target.closest('button.sort');
    if (!b) return;
    const k = b.dataset.sort;
    gpuSort = { key: k, dir: gpuSort.key === k ? -gpuSort.dir : k === 'name' || k === 'cost' || k === 'fewest' ? 1 : -1 };
    renderGpuTable();
  });
  setPngCaption(scenarioCaption);
}

// The scenario in one line for exported charts: model, precision, GPU, batch and context.
export function scenarioCaption() {
  const r = app.last?.report;
  if (!r) return '';
  const st = app.state;
  const prec = `weights ${st.weights}${st.mode === 'inference' ? `, KV ${st.kv}` : ''}`;
  const ctx = st.mode === 'inference' ? `context ${fmt.tokens(st.prompt + st.gen)} (${fmt.tokens(st.prompt)} + ${fmt.tokens(st.gen)})` : `sequence ${fmt.tokens(st.seq)}`;
  return `${r.model.name} \u00b7 ${r.mode} \u00b7 ${prec} \u00b7 ${r.gpu.count}\u00d7 ${r.gpu.name} \u00b7 ${st.mode === 'training' ? 'micro-batch' : 'batch'} ${fmt.tokens(st.batch)} \u00b7 ${ctx} \u00b7 llmcalc ${app.core?.version ?? ''}`.trim();
}

export function renderCharts(scenario) {
  const div = fmt.unitDivisor(app.state.unit);
  const inf = app.state.mode === 'inference';
  // Memory versus context length.
  const ctxNow = contextOf(app.state);
  const ctxs = gridAround(CONTEXT_GRID, ctxNow, inf ? app.state.gen + 1 : 1);
  const cs = cached('sweep', fixed(scenario, 'workload', inf ? { prompt: 1 } : { seq: 1 }), inf
    ? { vary: 'prompt', values: ctxs.map((c) => c - app.state.gen), compact: true }
    : { vary: 'seq', values: ctxs, compact: true });
  charts.context.setTitle(`Memory per GPU vs ${inf ? 'context length' : 'sequence length'} (${app.state.unit})`);
  if (cs.ok) {
    chartState.contextFits = cs.series.fits;
    charts.context.update(ctxs, cs, div);
  }
  // Memory versus batch.
  const bs = gridAround(BATCH_GRID, app.state.batch, 1);
  const bsw = cached('sweep', fixed(scenario, 'workload', { batch: 1 }), { vary: 'batch', values: bs, compact: true });
  charts.batch.setTitle(`Memory per GPU vs ${inf ? 'batch' : 'micro-batch'} (${app.state.unit})`);
  if (bsw.ok) {
    chartState.batchFits = bsw.series.fits;
    charts.batch.update(bs, bsw, div);
  }
  // Throughput and latency versus batch.
  const kneeNote = $('chart-knee').querySelector('.chart-note');
  if (inf) {
    charts.knee.setTitle('Decode throughput and latency vs batch (the roofline knee)');
    const k = cached('solve', fixed(scenario, 'workload', { batch: 1 }), 'knee');
    if (k.ok && k.max_batch < 1) {
      // Not even one sequence fits: no throughput to plot, and no "bigger batches" to advise.
      chartState.knee = null;
      chartState.kneeFits = null;
      charts.knee.update([], [], []);
      setText(kneeNote, 'Batch 1 does not fit in this GPU\u2019s memory, so there is no throughput to show. "What fits" gives the fewest GPUs that hold it.');
    } else if (k.ok) {
      chartState.knee = k.knee_batch;
      chartState.kneeFits = k.series.fits;
      charts.knee.update(k.series.batch, k.series.tokens_per_s_total, k.series.decode_step_s.map((s) => s * 1e3));
      setText(kneeNote, k.knee_batch > 0
        ? `Below the knee (batch ${fmt.tokens(k.knee_batch)}) decoding is memory-bound: bigger batches add throughput almost for free. From it on, compute-bound: latency grows with batch. Largest batch that fits: ${fmt.tokens(k.max_batch)}.`
        : `Decoding stays memory-bound up to the largest batch that fits (${fmt.tokens(k.max_batch)}): no knee within the GPU memory, so bigger batches add throughput almost for free.`);
    } else {
      chartState.knee = null;
      chartState.kneeFits = null;
      charts.knee.update([], [], []);
      setText(kneeNote, k.errors.map((e) => e.message).join('; '));
    }
  } else {
    charts.knee.setTitle('Training throughput and step time vs micro-batch');
    chartState.knee = null;
    if (bsw.ok) {
      chartState.kneeFits = bsw.series.fits;
      charts.knee.update(bs, bsw.series.tokens_per_s, bsw.series.step_s);
      setText(kneeNote, 'Tokens/s and time per optimizer step as the micro-batch grows (gradient accumulation and DP as set).');
    }
  }
  // Across GPUs.
  const n = app.state.tp * app.state.pp * app.state.dp;
  const sc = app.state.price > 0 ? scenario : { ...scenario, options: { ...scenario.options, price_per_gpu_hour: 1 } };
  // The sweep sets the GPU itself: the chosen one (or the custom GPU's figures) is left out of
  // its key, so that changing the GPU redraws from the memo.
  const gsw = cached('sweep', { ...sc, hardware: { gpu: app.gpus[0]?.id } }, { vary: 'gpu', values: app.gpus.map((g) => g.id), compact: true });
  chartState.sweeps = { context: cs, batch: bsw, gpus: gsw };
  chartState.gpuScenario = scenario;
  chartState.gpuCount = n;
  renderGpus();
  renderSummaries();
}

// ---------------------------------------------------------------- GPU comparison

let gpuView = 'throughput';
let gpuSort = { key: null, dir: 1 };
// Fewest GPUs of each type: one solver per GPU (~10 ms each), so computed only while that view
// or the table is shown, one GPU per task after the numbers are on screen, for the scenario
// shown (a newer one restarts it).
const fewest = { key: null, values: new Map(), running: false };

const shortName = (name) => String(name).replace(/^(NVIDIA|AMD|Intel) /, '').replace(/^(GeForce|Instinct|Radeon|Tesla) /, '')
  .replace(/ \(.*\)/, '').slice(0, 24);

// One row per GPU preset, plus the custom GPU when it is the one chosen.
function gpuRows() {
  const gsw = chartState.sweeps?.gpus;
  if (!gsw?.ok) return [];
  const s = gsw.series;
  const priced = app.state.price > 0;
  const rows = gsw.labels.map((id, i) => {
    const g = app.gpus.find((x) => x.id === id);
    return {
      id, name: g?.name || String(id), short: shortName(g?.name || id), fits: s.fits[i],
      pct: s.capacity_bytes[i] > 0 ? (s.total_bytes[i] / s.capacity_bytes[i]) * 100 : null,
      total: s.total_bytes[i], capacity: s.capacity_bytes[i], tps: s.tokens_per_s[i],
      // The sweep ran at $1/GPU-hour when no price is set; scaled by the user's price.
      cost: priced ? s.cost_per_million_tokens[i] : 0, fewest: fewest.values.get(id) ?? 0,
    };
  });
  if (app.state.gpu === 'custom' && app.last) {
    const r = app.last.report;
    const L = r.latency;
    rows.push({
      id: 'custom', name: `${r.gpu.name} (custom)`, short: shortName(r.gpu.name), fits: r.memory.fits,
      pct: r.memory.capacity_bytes > 0 ? (r.memory.total_bytes / r.memory.capacity_bytes) * 100 : null,
      total: r.memory.total_bytes, capacity: r.memory.capacity_bytes,
      tps: L ? L.tokens_per_s_total : r.training?.tokens_per_s ?? 0,
      cost: priced ? (L ? L.cost_per_million_tokens : r.training?.cost_per_million_tokens ?? 0) : 0,
      fewest: fewest.values.get('custom') ?? 0,
    });
  }
  return rows;
}

function fewestKey(scenario) {
  // The GPU is each solver's own, except the custom GPU's figures.
  return JSON.stringify(fixed({ ...scenario, hardware: app.state.gpu === 'custom' ? scenario.hardware : null }, 'parallelism', { tp: 1, pp: 1, dp: 1 }));
}

// Starts (or goes on with) the fewest-GPUs solvers for the scenario shown.
function runFewest() {
  const scenario = chartState.gpuScenario;
  if (!scenario) return;
  const key = fewestKey(scenario);
  if (fewest.key !== key) {
    fewest.key = key;
    fewest.values = new Map();
  }
  if (fewest.running) return;
  const ids = app.gpus.map((g) => g.id);
  if (app.state.gpu === 'custom') ids.push('custom');
  fewest.running = true;
  const step = () => {
    if (fewest.key !== fewestKey(chartState.gpuScenario) || !wantsFewest()) {
      fewest.running = false;
      if (wantsFewest()) runFewest();
      return;
    }
    const id = ids.find((x) => !fewest.values.has(x));
    if (id === undefined) {
      fewest.running = false;
      return;
    }
    const base = fixed(chartState.gpuScenario, 'parallelism', { tp: 1, pp: 1, dp: 1 });
    const sc = id === 'custom' ? base : { ...base, hardware: { gpu: id } };
    const r = app.core.solve(sc, { question: 'min-gpus', max_gpus: 4096 });
    fewest.values.set(id, r.ok && r.found ? r.value : -1);
    if (fewest.values.size % 6 === 0 || fewest.values.size === ids.length) drawGpus();
    later(step);
  };
  later(step);
}

const wantsFewest = () => gpuView === 'fewest' || $('gpu-table-details').open;

export function renderGpus() {
  if (wantsFewest()) runFewest();
  drawGpus();
}

function drawGpus() {
  const rows = gpuRows();
  const n = chartState.gpuCount || 1;
  const value = (r) => (gpuView === 'fewest' ? (r.fewest > 0 ? r.fewest : null) : gpuView === 'cost' ? (r.cost > 0 ? r.cost : null) : r.tps);
  charts.gpus.setTitle(gpuView === 'fewest' ? 'Fewest GPUs of each type that hold this scenario'
    : `This scenario on every GPU (${n} GPU${n > 1 ? 's' : ''} each)${gpuView === 'cost' ? ': $ per million tokens' : ''}`);
  charts.gpus.update(rows.map((r) => ({ ...r, value: value(r) })), `${gpuView}|${rows.map((r) => r.fewest).join()}`);
  const done = rows.filter((r) => r.fewest !== 0).length;
  setText($('gpu-note'), gpuView === 'cost' && !(app.state.price > 0) ? 'Enter a price per GPU-hour (Options) to compare cost per million tokens.'
    : gpuView === 'fewest' && done < rows.length ? `Solving for each GPU\u2026 ${done} of ${rows.length}` : '');
  setText($('chart-gpus-summary'), gpuSummary(rows));
  renderGpuTable(rows);
}

function gpuSummary(rows) {
  if (!rows.length) return '';
  const fit = rows.filter((r) => r.fits);
  const best = [...fit].sort((a, b) => b.tps - a.tps)[0];
  return `${fit.length} of ${rows.length} GPUs hold this scenario${best ? `; the fastest is ${best.name} at ${fmt.rate(best.tps)}` : ''}. The table below lists every GPU.`;
}

// The GPU chart as a table, filled while its <details> is open (closed, nobody can see or
// read it, and its rows would be patched on every keystroke for nothing). Sorted by the
// column chosen (click its header again to reverse).
export function renderGpuTable(rows = gpuRows()) {
  if (!$('gpu-table-details').open) return;
  setText($('gpu-mem-col'), `Memory / capacity (${app.state.unit})`);
  if (gpuSort.key) {
    const k = gpuSort.key;
    const val = (r) => (k === 'name' ? r.name : k === 'fits' ? Number(r.fits) : k === 'pct' ? r.pct : k === 'tps' ? r.tps
      : k === 'cost' ? (r.cost > 0 ? r.cost : Infinity) : r.fewest > 0 ? r.fewest : Infinity);
    rows = [...rows].sort((a, b) => {
      const x = val(a);
      const y = val(b);
      return (typeof x === 'string' ? x.localeCompare(y) : x - y || 0) * gpuSort.dir;
    });
  }
  for (const th of $('gpu-table').querySelectorAll('th')) {
    const key = th.querySelector('button')?.dataset.sort;
    const sort = key === gpuSort.key ? (gpuSort.dir > 0 ? 'ascending' : 'descending') : 'none';
    if (th.getAttribute('aria-sort') !== sort) th.setAttribute('aria-sort', sort);
  }
  patch($('gpu-rows'), rows.map((r) => v('tr', { 'data-gpu': r.id },
    v('td', { text: r.name }),
    v('td', { text: r.fits ? 'yes' : 'no' }),
    v('td', { class: 'num', text: `${fmt.bytes(r.total, app.state.unit)} / ${fmt.bytes(r.capacity, app.state.unit)}` }),
    v('td', { class: 'num', text: fmt.rate(r.tps) }),
    v('td', { class: 'num', text: r.cost > 0 ? fmt.money(r.cost) : fmt.NA }),
    v('td', { class: 'num', text: r.fewest > 0 ? fmt.tokens(r.fewest) : r.fewest < 0 ? 'over 4,096' : '\u2026' }))));
}

// Text alternatives of the three line charts: what they show, in a sentence each.
function renderSummaries() {
  const u = app.state.unit;
  const { context: cs, batch: bs } = chartState.sweeps;
  const range = (sw, what, xs) => {
    if (!sw?.ok || !sw.series.total_bytes.length) return '';
    const t = sw.series.total_bytes;
    const fitsUpTo = xs.filter((_, i) => sw.series.fits[i]).pop();
    return `Memory per GPU for ${what} from ${fmt.tokens(xs[0])} to ${fmt.tokens(xs[xs.length - 1])}: ${fmt.bytes(t[0], u)} to ${fmt.bytes(t[t.length - 1], u)}, against ${fmt.bytes(sw.series.capacity_bytes[0], u)} of capacity; ` +
      (fitsUpTo === undefined ? 'none of them fits.' : `fits up to ${fmt.tokens(fitsUpTo)}.`);
  };
  setText($('chart-context-summary'), range(cs, app.state.mode === 'inference' ? 'a context' : 'a sequence length', cs?.ok ? cs.values.map((x) => (app.state.mode === 'inference' ? x + app.state.gen : x)) : []));
  setText($('chart-batch-summary'), range(bs, 'a batch', bs?.ok ? bs.values : []));
  setText($('chart-knee-summary'), $('chart-knee').querySelector('.chart-note').textContent);
}

