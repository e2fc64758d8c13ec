// The charts panel: which sweeps feed which chart, and the GPU comparison table.
import { $, setText } from './dom.js';
import { v, patch } from './patch.js';
import { contextOf } from './state.js';
import { readTheme, memoryChart, kneeChart, gpuChart } from './charts.js';
import * as fmt from './format.js';
import { BATCH_GRID, CONTEXT_GRID, app, chartState, charts } from './app.js';
import { fixed } from './solvers.js';
import { cached } from './update.js';

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
  $('gpu-table-details').addEventListener('toggle', renderGpuTable);
  charts.gpus = gpuChart($('chart-gpus'), {
    yLabel: (narrow) => (narrow ? 'Tokens/s' : app.state.mode === 'inference' ? 'Decode throughput (tokens/s)' : 'Training throughput (tokens/s)'),
  });
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
    if (k.ok) {
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
  charts.gpus.setTitle(`This scenario on every GPU preset (${app.state.tp * app.state.pp * app.state.dp} GPU${app.state.tp * app.state.pp * app.state.dp > 1 ? 's' : ''} each)`);
  const gsw = cached('sweep', scenario, { vary: 'gpu', values: app.gpus.map((g) => g.id), compact: true });
  if (gsw.ok) {
    const s = gsw.series;
    const pct = s.total_bytes.map((t, i) => (s.capacity_bytes[i] > 0 ? (t / s.capacity_bytes[i]) * 100 : null));
    charts.gpus.update(gsw.labels, s.tokens_per_s, s.fits, pct);
  }
  chartState.sweeps = { context: cs, batch: bsw, gpus: gsw };
  renderGpuTable();
}

// The GPU chart as a table, filled while its <details> is open (closed, nobody can see or
// read it, and its 22 rows would be patched on every keystroke for nothing).
export function renderGpuTable() {
  const gsw = chartState.sweeps?.gpus;
  if (!$('gpu-table-details').open || !gsw?.ok) return;
  const s = gsw.series;
  setText($('gpu-mem-col'), `Memory / capacity (${app.state.unit})`);
  patch($('gpu-rows'), gsw.labels.map((id, i) => v('tr', {},
    v('td', { text: app.gpus.find((g) => g.id === id)?.name || String(id) }),
    v('td', { text: s.fits[i] ? 'yes' : 'no' }),
    v('td', { class: 'num', text: `${fmt.bytes(s.total_bytes[i], app.state.unit)} / ${fmt.bytes(s.capacity_bytes[i], app.state.unit)}` }),
    v('td', { class: 'num', text: fmt.rate(s.tokens_per_s[i]) }))));
}
