// The answer: verdict, key figures, the memory table, speed and notes, each formula row
// rendered from the report's expression tree.
import { $, setText, setAttr, show, copyCode } from './dom.js';
import { v, patch } from './patch.js';
import { expressionNodes } from './expression.js';
import { itemColorVar } from './palette.js';
import * as fmt from './format.js';
import { PRESETS } from 'llmcalc:presets';
import { app } from './app.js';
import { groups as ACCURACY_GROUPS } from '../../docs/fidelity.json';

// ---------------------------------------------------------------- rendering

export function boundText(b) {
  if (!b) return '';
  return `${b}-bound`;
}

export function boundSpan(b) {
  return v('span', { class: `b bound-${b}`, text: boundText(b) });
}

export function figure(label, value, extra) {
  return v('div', {}, v('dt', { text: label }), v('dd', {}, value, extra ? v('span', { class: 'bound', text: ` ${extra}` }) : null));
}

export function renderAnswer(report) {
  const u = app.state.unit;
  const m = report.memory;
  const fits = m.fits;
  const warnings = report.warnings || [];
  const tight = fits && warnings.some((w) => w.code === 'near_capacity');
  const badge = $('fit-badge');
  const badgeClass = `badge ${tight ? 'tight' : fits ? 'fits' : 'nofit'}`;
  if (badge.className !== badgeClass) badge.className = badgeClass;
  setText(badge, tight ? '! Fits, barely' : fits ? '\u2713 Fits' : '\u2717 Does not fit');
  patch($('fit-warnings'), warnings.map((w) => v('li', { class: `warn-${w.code}`, 'data-code': w.code, text: w.message })));
  show($('fit-warnings'), warnings.length > 0);
  const share = m.capacity_bytes > 0 ? m.total_bytes / m.capacity_bytes : NaN;
  setText($('fit-headline'), fits
    ? `${fmt.bytes(m.total_bytes, u)} of ${fmt.bytes(m.capacity_bytes, u)} per GPU (${fmt.percent(share, 0)}), ${fmt.bytes(m.headroom_bytes, u)} to spare`
    : `Needs ${fmt.bytes(m.total_bytes, u)} per GPU: ${fmt.bytes(-m.headroom_bytes, u)} over the ${fmt.bytes(m.capacity_bytes, u)} capacity (${fmt.percent(share, 0)})`);
  const ctx = app.state.mode === 'inference'
    ? `${fmt.tokens(app.state.prompt + app.state.gen)}-token context (${fmt.tokens(app.state.prompt)} prompt + ${fmt.tokens(app.state.gen)} generated)`
    : `${fmt.tokens(app.state.seq)}-token sequences`;
  setText($('fit-detail'), `${report.model.name} \u00b7 ${report.mode} \u00b7 ${report.method} method \u00b7 batch ${fmt.tokens(app.state.batch)} \u00b7 ${ctx} \u00b7 ${report.gpu.count}\u00d7 ${report.gpu.name}`);

  // The phone's compact verdict (shown while the answer card is scrolled away).
  const mini = $('mini-badge');
  if (mini.className !== badgeClass) mini.className = badgeClass;
  setText(mini, badge.textContent);
  setText($('mini-text'), `${fmt.bytes(m.total_bytes, u)} of ${fmt.bytes(m.capacity_bytes, u)} (${fmt.percent(share, 0)})`);

  // Stacked bar against capacity.
  const scale = Math.max(m.total_bytes, m.capacity_bytes) || 1;
  const bar = $('membar');
  const spans = m.items.filter((i) => i.bytes > 0).map((i) => {
    return v('span', { title: `${i.label}: ${fmt.bytes(i.bytes, u)}`, style: { width: `${(i.bytes / scale) * 100}%`, background: itemColorVar(i.id) } });
  });
  patch(bar, spans);
  setAttr(bar, 'aria-label', `Memory per GPU: ${m.items.map((i) => `${i.label} ${fmt.bytes(i.bytes, u)}`).join(', ')}; total ${fmt.bytes(m.total_bytes, u)} against ${fmt.bytes(m.capacity_bytes, u)} capacity`);
  const cap = $('membar-cap');
  const capPct = (m.capacity_bytes / scale) * 100;
  const capLeft = `${capPct}%`;
  if (cap.style.left !== capLeft) cap.style.left = capLeft;
  cap.classList.toggle('left', capPct < 50);
  setText($('membar-cap-label'), `capacity ${fmt.bytes(m.capacity_bytes, u)}`);
  patch($('membar-legend'), m.items.filter((i) => i.bytes > 0).map((i) => {
    return v('li', {}, v('span', { class: 'swatch', style: { background: itemColorVar(i.id) } }), `${i.label}: ${fmt.bytes(i.bytes, u)}`);
  }));

  // Key figures.
  const figs = [figure('Memory per GPU', fmt.bytes(m.total_bytes, u)), figure('GPU capacity', fmt.bytes(m.capacity_bytes, u)),
    figure(fits ? 'Headroom' : 'Over by', fmt.bytes(Math.abs(m.headroom_bytes), u)),
    figure('Parameters', fmt.params(report.params.total), report.params.active < report.params.total ? `(${fmt.params(report.params.active)} active)` : '')];
  const L = report.latency;
  const Tr = report.training;
  if (L) {
    const pre = L.phases.find((p) => p.id === 'prefill');
    const dec = L.phases.find((p) => p.id === 'decode_first');
    figs.push(figure('Time to first token', fmt.seconds(L.ttft_s), pre ? boundText(pre.bound) : ''));
    figs.push(app.state.gen > 0 ? figure('Per output token', fmt.ms(L.decode_first_s), dec ? boundText(dec.bound) : '')
      : figure('Per output token', fmt.NA, 'nothing generated'));
    figs.push(figure('Throughput (all sequences)', fmt.rate(L.tokens_per_s_total)));
  } else if (Tr) {
    figs.push(figure('Step time', fmt.seconds(Tr.step_s), boundText(Tr.step.bound)));
    figs.push(figure('Training throughput', fmt.rate(Tr.tokens_per_s)));
    figs.push(figure('MFU', fmt.percent(Tr.mfu)));
    if (Tr.run_time_s > 0) figs.push(figure('Run time', fmt.seconds(Tr.run_time_s), `${fmt.amount(Tr.gpu_hours)} GPU-hours`));
  }
  patch($('key-figures'), figs);
}

// Rows whose formula shows: all when expandAll, except those the person closed ("-id"); else
// those opened ("id").
export const expanded = new Set();
export let expandAll = false;
// "Show all formulas": every row open (or closed again), forgetting rows opened by hand.
export function toggleExpandAll(button) {
  expandAll = !expandAll;
  expanded.clear();
  button.setAttribute('aria-pressed', String(expandAll));
  setText(button, expandAll ? 'Hide all formulas' : 'Show all formulas');
}
export const isOpen = (id) => (expandAll ? !expanded.has(`-${id}`) : expanded.has(id));

// A row whose label expands to a second row with its formula. One delegated handler per table
// (setupFormulaToggles) records which rows are open; the table is then rendered again.
// `formula` is the item's expression tree (rendered with a label on hover for each term) and
// `result` the text that follows it ("= 8,589,934,592 B").
export function formulaRows(id, label, valueCells, expression, result = '') {
  const fid = `formula-${id}`;
  const open = isOpen(id);
  const btn = v('button', { type: 'button', class: 'rowtoggle', 'data-row': id, 'aria-expanded': String(open), 'aria-controls': fid, text: label });
  const row = v('tr', {}, v('th', { scope: 'row' }, btn), ...valueCells);
  const frow = v('tr', { class: 'formula', id: fid, hidden: !open }, v('td', { colspan: String(valueCells.length + 1) },
    '= ', ...(expression ? expressionNodes(expression) : ['no formula given']), result));
  return [row, frow];
}

export function setupFormulaToggles() {
  for (const id of ['mem-rows', 'speed-phases']) {
    $(id).addEventListener('click', (e) => {
      const btn = e.target.closest('button.rowtoggle');
      if (!btn || !app.last) return;
      const row = btn.dataset.row;
      const open = !isOpen(row);
      expanded.delete(row);
      expanded.delete(`-${row}`);
      if (open !== expandAll) expanded.add(open ? row : `-${row}`);
      renderMemoryTable(app.last.report);
      renderSpeed(app.last.report);
    });
  }
}

// A hybrid model's KV cache by layer kind (full, sliding, global, windowed): the first sum in
// the item's formula tree whose terms each name their layers; each kind's bytes are its share
// of that sum (the core's own values), so the rows add up to the item.
export function kvByLayerKind(item) {
  const named = (e) => (e.op ? e.args.map(named).find(Boolean) : /\blayers\b/.test(e.label || '') ? `${fmt.grouped(e.value)} ${e.label}` : null);
  const queue = item.expression ? [item.expression] : [];
  while (queue.length) {
    const e = queue.shift();
    if (!e.op) continue;
    if (e.op === '+' && e.value > 0 && e.args.length > 1) {
      const names = e.args.map(named);
      if (names.every(Boolean)) return e.args.map((a, k) => ({ label: names[k], bytes: (item.bytes * a.value) / e.value }));
    }
    queue.push(...e.args);
  }
  return [];
}

export function renderMemoryTable(report) {
  const u = app.state.unit;
  const m = report.memory;
  setText($('mem-sub'), `${report.gpu.count > 1 ? `Per GPU, with ${report.gpu.count} GPUs (TP ${app.state.tp} \u00d7 PP ${app.state.pp} \u00d7 DP ${app.state.dp}). ` : ''}Expand a row to see its formula with the numbers substituted. ${u === 'GiB' ? '1 GiB = 2^30 bytes.' : '1 GB = 10^9 bytes.'}`);
  const rows = [];
  // Items of 0 bytes (no logits kept, no LoRA adapters) add nothing: not listed.
  for (const i of m.items) {
    if (!(i.bytes > 0)) continue;
    rows.push(...formulaRows(`mem-${i.id}`, i.label, [
      v('td', { class: 'num', text: fmt.bytes(i.bytes, u) }),
      v('td', { class: 'num', text: fmt.percent(m.total_bytes > 0 ? i.bytes / m.total_bytes : NaN) }),
    ], i.expression, ` = ${fmt.grouped(i.bytes)} B`));
    if (i.id === 'kv_cache') {
      for (const k of kvByLayerKind(i)) {
        rows.push(v('tr', { class: 'sub' }, v('th', { scope: 'row', text: `\u2003${k.label}` }),
          v('td', { class: 'num', text: fmt.bytes(k.bytes, u) }), v('td', { class: 'num', text: fmt.percent(k.bytes / m.total_bytes) })));
      }
    }
  }
  patch($('mem-rows'), rows);
  setText($('mem-total'), fmt.bytes(m.total_bytes, u));
  setText($('mem-total-share'), fmt.percent(m.capacity_bytes > 0 ? m.total_bytes / m.capacity_bytes : NaN, 0) + ' of capacity');
  setText($('mem-cap'), fmt.bytes(m.capacity_bytes, u));
}

export function speedCard(k, value, bound, sub) {
  return v('div', {}, v('div', { class: 'k', text: k }), v('div', { class: 'v', text: value }),
    bound ? boundSpan(bound) : null, sub ? v('div', { class: 'b', text: sub }) : null);
}

export function renderSpeed(report) {
  const L = report.latency;
  const Tr = report.training;
  const cards = [];
  let phases = [];
  if (L) {
    const ph = Object.fromEntries(L.phases.map((p) => [p.id, p]));
    setText($('speed-sub'), `Inference on ${report.gpu.count}\u00d7 ${report.gpu.name}: roofline time per phase (the larger of compute and memory time) plus fixed per-step overhead.`);
    cards.push(speedCard('Time to first token (prefill)', fmt.seconds(L.ttft_s), ph.prefill?.bound));
    const gen = app.state.gen > 0;
    cards.push(gen ? speedCard('Per output token', `${fmt.ms(L.decode_first_s)} \u2192 ${fmt.ms(L.decode_last_s)}`, ph.decode_first?.bound, 'first \u2192 last decode step')
      : speedCard('Per output token', fmt.NA, null, 'no tokens generated'));
    cards.push(speedCard('Tokens/s per sequence', gen ? fmt.rate(L.tokens_per_s_per_sequence) : fmt.NA));
    cards.push(speedCard(`Tokens/s, batch of ${fmt.tokens(app.state.batch)}`, fmt.rate(L.tokens_per_s_total)));
    cards.push(speedCard('End-to-end', fmt.seconds(L.end_to_end_s), null, `prefill + ${fmt.tokens(app.state.gen)} decode steps (${fmt.seconds(L.decode_total_s)})`));
    if (app.state.price > 0) cards.push(speedCard('Cost per million tokens', fmt.money(L.cost_per_million_tokens)));
    phases = L.phases;
  } else if (Tr) {
    setText($('speed-sub'), `Training on ${report.gpu.count}\u00d7 ${report.gpu.name}: one optimizer step of ${fmt.tokens(Tr.tokens_per_step)} tokens.`);
    cards.push(speedCard('Step time', fmt.seconds(Tr.step_s), Tr.step.bound));
    cards.push(speedCard('Tokens/s', fmt.rate(Tr.tokens_per_s)));
    cards.push(speedCard('MFU (model FLOPs utilization)', fmt.percent(Tr.mfu)));
    cards.push(speedCard('Tokens per step', fmt.tokens(Tr.tokens_per_step)));
    if (Tr.recompute_overhead > 0) cards.push(speedCard('Recompute overhead', fmt.percent(Tr.recompute_overhead)));
    if (Tr.pipeline_bubble > 0) cards.push(speedCard('Pipeline bubble', fmt.percent(Tr.pipeline_bubble)));
    if (Tr.run_time_s > 0) {
      cards.push(speedCard(`Run time for ${fmt.tokens(app.state.budget)} tokens`, fmt.seconds(Tr.run_time_s)));
      cards.push(speedCard('GPU-hours', fmt.amount(Tr.gpu_hours), null, `${report.gpu.count} GPU${report.gpu.count > 1 ? 's' : ''} \u00d7 run time`));
      cards.push(speedCard('Cost', app.state.price > 0 ? fmt.money(Tr.run_cost) : fmt.NA, null, app.state.price > 0 ? `at $${fmt.grouped(app.state.price, 2)} per GPU-hour` : 'set a price per GPU-hour'));
    } else {
      cards.push(speedCard('Run time, GPU-hours, cost', fmt.NA, null, 'set the tokens to train on'));
    }
    phases = [Tr.step];
  } else {
    setText($('speed-sub'), 'Speed needs the GPU\u2019s memory bandwidth and peak FLOP/s for this precision (see the notes).');
  }
  patch($('speed-cards'), cards);
  if (phases.length) {
    const rows = [];
    for (const p of phases) {
      rows.push(...formulaRows(`phase-${p.id}`, p.label, [
        v('td', { class: 'num', text: fmt.seconds(p.time_s) }),
        v('td', {}, boundSpan(p.bound)),
        v('td', { class: 'num', text: Number.isFinite(p.arithmetic_intensity) ? fmt.grouped(p.arithmetic_intensity, 1) : fmt.DASH }),
      ], p.expression, ` = ${fmt.seconds(p.time_s)}`));
    }
    const table = v('table', { class: 'data' },
      v('caption', { class: 'visually-hidden', text: 'Time per phase; expand a row for its formula' }),
      v('thead', {}, v('tr', {}, v('th', { scope: 'col', text: 'Phase' }), v('th', { scope: 'col', class: 'num', text: 'Time' }),
        v('th', { scope: 'col', text: 'Bound' }), v('th', { scope: 'col', class: 'num', text: 'FLOP/byte' }))),
      v('tbody', {}, ...rows));
    patch($('speed-phases'), [v('div', { class: 'table-wrap' }, table)]);
  } else {
    patch($('speed-phases'), []);
  }
}

// The engine's own answers: its KV pool, how many sequences fit, whether it starts at this
// context, and the command that runs it (vLLM, SGLang, TensorRT-LLM).
export function renderEngine(report) {
  const e = report.engine;
  show($('engine-card'), Boolean(e));
  if (!e) {
    patch($('engine-body'), []);
    return;
  }
  const rows = [];
  if (!e.active) {
    rows.push(v('p', { class: 'hint', text: `${e.name} cannot run this scenario; the generic model is shown (see the notes).` }));
  } else if (e.kv_pool) {
    const u = app.state.unit;
    rows.push(v('div', { class: 'speed-cards' },
      speedCard('KV cache pool per GPU', fmt.bytes(e.kv_pool.bytes, u), null,
        `${fmt.tokens(e.kv_pool.tokens)} tokens in ${fmt.tokens(e.kv_pool.blocks)} blocks of ${e.kv_pool.block_tokens}`),
      // What the pool holds (vLLM logs the same); its scheduler still runs at most max_num_seqs.
      speedCard('Concurrent sequences at this context', fmt.grouped(Math.floor(e.max_concurrent_sequences)), null,
        e.max_num_seqs && e.max_concurrent_sequences > e.max_num_seqs
          ? `in the KV cache; the scheduler runs at most ${fmt.grouped(e.max_num_seqs)} at once (max_num_seqs)` : ''),
      speedCard(`Starts at ${fmt.tokens(e.max_model_len)} tokens`, e.starts ? 'yes' : 'no', null,
        e.starts ? '' : e.longest_context >= e.max_model_len ? 'see the notes' : `longest that fits: ${fmt.tokens(e.longest_context)} tokens`)));
    if (e.kv_pool.expression)
      rows.push(v('p', { class: 'formula-line' }, 'KV pool = ', ...expressionNodes(e.kv_pool.expression)));
    // vLLM: the profiling run its peak comes from and, for V1, what lies before its budget.
    if (e.profile_run)
      rows.push(v('p', { class: 'hint', id: 'engine-profile', text: `Profiling run: ${fmt.tokens(e.profile_run.tokens)} tokens ` +
        `over ${fmt.tokens(e.profile_run.seqs)} sequences, peak ${fmt.bytes(e.profile_peak_bytes, u)}` +
        (e.budget_bytes ? `; before the ${fmt.bytes(e.budget_bytes, u)} budget: ${fmt.bytes(e.before_budget_bytes, u)} (CUDA context, communicators).` : '.') }));
    rows.push(v('div', { class: 'command' },
      v('code', { id: 'engine-command', text: e.command }),
      v('button', { type: 'button', id: 'engine-copy', class: 'secondary', text: 'Copy command' })));
  } else {
    rows.push(v('p', { class: 'hint', text: `${e.name}: runtime memory and speed constants of this engine are in the numbers above.` }));
  }
  if (e.basis) rows.push(v('p', { class: 'hint', id: 'engine-basis', text: `Profile basis: ${e.basis}.` }));
  patch($('engine-body'), rows);
}

// One delegated handler: the command line goes to the clipboard (or is selected to copy).
export function setupEngineCopy() {
  $('engine-body').addEventListener('click', (e) => {
    if (!e.target.closest('#engine-copy')) return;
    copyCode($('engine-command'), e.target);
  });
}

export function renderNotes(report) {
  const notes = [...(report.notes || [])];
  // A dropped model.safetensors.index.json (or .safetensors header): its bytes beside ours.
  const given = report.params?.checkpoint_bytes;
  if (given > 0) {
    const computed = report.params.checkpoint_computed_bytes;
    notes.unshift(`Checkpoint: ${fmt.bytes(given, 'GB', 2)} (safetensors files), ${fmt.bytes(computed, 'GB', 2)} computed ` +
      `(${computed >= given ? '+' : '-'}${fmt.percent(Math.abs(computed / given - 1), 2)}).`);
  }
  patch($('notes'), notes.map((n) => v('li', { text: n })));
  show($('notes-card'), notes.length > 0);
}

// Marks the page while the answer card is out of view, for the phone's compact verdict.
export function setupMiniVerdict() {
  new IntersectionObserver(([e]) => document.body.classList.toggle('answer-away', !e.isIntersecting)).observe($('fit-badge'));
}

// ---------------------------------------------------------------- accuracy

const CATEGORY_NAMES = { inference_memory: 'Memory', training_memory: 'Memory', latency: 'Latency', throughput: 'Throughput' };
const CATEGORIES = { inference: ['inference_memory', 'latency', 'throughput'], training: ['training_memory', 'throughput'] };
// "checkpoint" is quantized when the model's file says so (a GGUF, hf_quant_config.json, a
// config's quantization_config).
const weightClass = (state) => {
  const w = state.weights;
  if (w === 'checkpoint') return state.gguf || state.hfQuant || state.hf?.quantization_config ? 'quantized' : '16-bit';
  return ['bf16', 'fp16', 'fp32', 'tf32'].includes(w) ? '16-bit' : 'quantized';
};

// The measured error for this kind of scenario: the reference group of its mode, engine and
// weight class (docs/fidelity.json, written by scripts/fidelity/reference_errors.mjs from the
// reference cases); where none was measured, it says so.
export function accuracyFor(state) {
  const engine = state.engine || 'generic';
  const weights = weightClass(state);
  return CATEGORIES[state.mode].map((category) => ({ category,
    exact: ACCURACY_GROUPS.find((g) => g.category === category && g.mode === state.mode && g.weights === weights && g.engine === engine) }));
}

export function renderAccuracy() {
  const st = app.state;
  const rows = accuracyFor(st);
  const pct = (x) => fmt.percent(x, x < 0.1 ? 1 : 0);
  const measured = rows.filter((r) => r.exact);
  setText($('accuracy-brief'), measured.length
    ? `${measured.map((r) => `${CATEGORY_NAMES[r.category]} \u00b1${pct(r.exact.median_abs_error)}`).join(', ')} (median error, measured)`
    : 'Outside anything measured: no reference case matches this scenario.');
  setText($('accuracy-kind'), `${PRESET_ENGINES.get(st.engine) || st.engine}, ${st.mode}, ${weightClass(st)} weights:`);
  patch($('accuracy-body'), rows.map((r) => v('li', { 'data-category': r.category }, `${CATEGORY_NAMES[r.category]}: `,
    r.exact ? `median error ${pct(r.exact.median_abs_error)}, worst ${pct(r.exact.max_abs_error)} over ${r.exact.cases} measured case${r.exact.cases > 1 ? 's' : ''}` : 'outside anything measured')));
}

const PRESET_ENGINES = new Map(PRESETS.engines.map((e) => [e.id, e.name]));

export function setupAccuracyLink() {
  $('accuracy-link').addEventListener('click', () => {
    const card = $('accuracy-card');
    card.scrollIntoView();
    card.focus({ preventScroll: true });
  });
}
