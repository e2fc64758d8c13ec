// The calculator page. Every number shown comes from the WASM core (estimate / sweep /
// solve); this file only reads inputs, calls the core and renders its answers.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { createLlmCalc } from './core.js';
import { PRESETS } from 'llmcalc:presets';
import { $, el, setText, setAttr, show, download } from './dom.js';
import { v, patch } from './patch.js';
import { expressionNodes } from './expression.js';
import * as fmt from './format.js';
import {
  DEFAULTS, DTYPES, KV_DTYPES, ACT_DTYPES, OPTIMIZERS, MAX_URL_CHARS, stateFromUrl, stateToHash, linkFor,
  isAnchorHash, applyInputRanges, scenarioFrom, contextOf, trimHfConfig,
} from './state.js';
import { ITEM_LABELS, itemColor, readTheme, memoryChart, kneeChart, gpuChart } from './charts.js';

const T0 = performance.now();
const GIB = 1024 ** 3;
const CONTEXT_GRID = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];
const BATCH_GRID = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const MAX_HF_CHARS = 1_000_000;

let core;
let models = [];
let gpus = [];
let state = { ...DEFAULTS };
let last = null; // {scenario, report}: the last valid result, kept while inputs are invalid
let updates = 0;
let pending = false; // deferred work (solvers) not yet rendered
const timings = { sync: 0, deferred: 0, phases: {}, startup: {} };
// Milliseconds since navigation start at each step of start(), for the timing report.
const mark = (name) => { timings.startup[name] = +performance.now().toFixed(1); };
const fieldErrors = new Map(); // element id -> message from the page's own input checks
let urlErrorFields = new Set(); // element ids showing a link parameter's error
const URL_ERRORS_SHOWN = 8; // link errors listed in the banner; the rest counted
const charts = {};
let chartsReady = false; // created in the task after the first numbers (see start())
const chartState = {};
let embed = false;
let hfInfo = '';

// ---------------------------------------------------------------- field setup

const SELECT_OPTIONS = {
  'f-weights': DTYPES.map((d) => [d, d]),
  'f-kv': KV_DTYPES.map((d) => [d, d]),
  'f-act': ACT_DTYPES.map((d) => [d, d]),
  'f-grads': [['auto', 'auto (as weights)'], ...ACT_DTYPES.map((d) => [d, d])],
  'f-master': [['auto', 'auto (fp32 unless fp32 weights)'], ['fp32', 'fp32'], ['none', 'none']],
  'f-ostates': [['auto', 'auto (fp32)'], ['fp32', 'fp32'], ['bf16', 'bf16']],
  'f-optimizer': OPTIMIZERS.map((o) => [o, { adamw: 'AdamW', 'adamw-8bit': 'AdamW 8-bit', adafactor: 'Adafactor', sgd: 'SGD', 'sgd-momentum': 'SGD + momentum', lion: 'Lion' }[o]]),
  'f-ckpt': [['none', 'none'], ['selective', 'selective (attention)'], ['full', 'full (per layer)']],
  'f-finetune': [['full', 'full fine-tune / pre-train'], ['lora', 'LoRA'], ['qlora', 'QLoRA (4-bit base)']],
  'f-zero': [['0', '0 (off)'], ['1', '1 (optimizer states)'], ['2', '2 (+ gradients)'], ['3', '3 (+ weights)']],
};

function fillSelect(select, options) {
  select.replaceChildren(...options.map(([v, label]) => el('option', { value: v, text: label })));
}

function modelLabel(m) {
  return `${m.name} (${fmt.params(m.params.total)} params${m.params.active < m.params.total ? `, ${fmt.params(m.params.active)} active` : ''})`;
}

function fillModels(filter = '') {
  const select = $('f-model');
  const q = filter.trim().toLowerCase();
  const groups = new Map();
  for (const m of models) {
    const hay = `${m.id} ${m.name} ${m.family} ${m.hf_repo}`.toLowerCase();
    if (q && !hay.includes(q) && m.id !== state.model) continue;
    if (!groups.has(m.family)) groups.set(m.family, []);
    groups.get(m.family).push(el('option', { value: m.id, text: modelLabel(m) }));
  }
  const children = [];
  for (const [family, opts] of groups) children.push(el('optgroup', { label: family }, ...opts));
  select.replaceChildren(...children);
  select.value = state.model;
}

function fillGpus() {
  const opts = gpus.map((g) => el('option', { value: g.id, text: g.name }));
  opts.push(el('option', { value: 'custom', text: 'Custom GPU\u2026' }));
  $('f-gpu').replaceChildren(...opts);
}

function formElements() {
  return [...document.querySelectorAll('[data-field]')];
}

// Puts the state into the form controls.
function writeForm() {
  for (const e of formElements()) {
    const f = e.dataset.field;
    const v = state[f];
    if (e.type === 'radio') e.checked = e.value === String(v);
    else if (e.type === 'checkbox') e.checked = Boolean(v);
    else if (f === 'model') {
      if ($('model-search').value) fillModels($('model-search').value);
      e.value = v;
    } else if (String(e.value) !== String(v)) e.value = String(v);
  }
  for (const id of fieldErrors.keys()) setFieldError(id, null);
  fieldErrors.clear();
  syncVisibility();
}

function syncVisibility() {
  const b = document.body.classList;
  b.toggle('mode-inference', state.mode === 'inference');
  b.toggle('mode-training', state.mode === 'training');
  b.toggle('lora', state.finetune !== 'full');
  b.toggle('custom-gpu', state.gpu === 'custom');
  b.toggle('hf-model', Boolean(state.hf));
  show($('hf-active'), Boolean(state.hf));
  if (state.hf) setText($('hf-name'), hfInfo || 'the pasted config.json');
  $('f-model').disabled = Boolean(state.hf);
  $('model-search').disabled = Boolean(state.hf);
  const m = models.find((x) => x.id === state.model);
  setText($('f-model-info'), state.hf ? 'A pasted config is in use; clear it to pick a preset.' :
    m ? `${m.hf_repo} \u00b7 ${fmt.params(m.params.total)} parameters` : '');
  const g = gpus.find((x) => x.id === state.gpu);
  setText($('f-gpu-info'), g ? `${fmt.bytes(g.memory_bytes, 'GiB')} (${fmt.bytes(g.memory_bytes, 'GB')}), ` +
    `${fmt.grouped(g.memory_bandwidth_bytes_per_s / 1e9)} GB/s, ${fmt.grouped((g.peak_flops.bf16 || g.peak_flops.fp16 || 0) / 1e12)} TFLOP/s 16-bit dense` :
    'Enter the GPU\u2019s figures below.');
  const n = state.tp * state.pp * state.dp;
  setText($('gpu-count'), `GPUs: ${n} = TP ${state.tp} \u00d7 PP ${state.pp} \u00d7 DP ${state.dp}`);
  setText($('context-hint'), state.mode === 'inference'
    ? `Context: ${fmt.tokens(state.prompt + state.gen)} tokens (prompt + generated). The seed example's 4096-token context is 3840 prompt + 256 generated here, so decode speed has steps to measure; the KV cache is the same as for a 4096-token prompt.`
    : `Tokens per optimizer step: batch \u00d7 sequence \u00d7 accumulation \u00d7 DP = ${fmt.tokens(state.batch * state.seq * state.accum * state.dp)}.`);
}

// ---------------------------------------------------------------- errors

const PATH_TO_FIELD = [
  [/^\/model\/(architecture|hf_config)/, 'f-hf'],
  [/^\/model/, 'f-model'],
  [/^\/precision\/weights/, 'f-weights'],
  [/^\/precision\/group_size/, 'f-group'],
  [/^\/precision\/kv_cache/, 'f-kv'],
  [/^\/precision\/activations/, 'f-act'],
  [/^\/precision\/gradients/, 'f-grads'],
  [/^\/precision\/master_weights/, 'f-master'],
  [/^\/precision\/optimizer_states/, 'f-ostates'],
  [/^\/workload\/batch/, 'f-batch'],
  [/^\/workload\/prompt/, 'f-prompt'],
  [/^\/workload\/generate/, 'f-gen'],
  [/^\/workload\/seq/, 'f-seq'],
  [/^\/workload\/grad_accum/, 'f-accum'],
  [/^\/training\/optimizer/, 'f-optimizer'],
  [/^\/training\/checkpointing/, 'f-ckpt'],
  [/^\/training\/finetune/, 'f-finetune'],
  [/^\/training\/lora/, 'f-rank'],
  [/^\/training\/zero_stage/, 'f-zero'],
  [/^\/parallelism\/tp/, 'f-tp'],
  [/^\/parallelism\/pp/, 'f-pp'],
  [/^\/parallelism\/dp/, 'f-dp'],
  [/^\/hardware\/count/, 'f-tp'],
  [/^\/hardware\/memory_bytes/, 'f-cmem'],
  [/^\/hardware\/memory_bandwidth/, 'f-cbw'],
  [/^\/hardware\/interconnect/, 'f-cic'],
  [/^\/hardware\/peak_flops\/(fp8|int8)/, 'f-cflops8'],
  [/^\/hardware\/peak_flops/, 'f-cflops'],
  [/^\/hardware\/name/, 'f-cname'],
  [/^\/hardware/, 'f-gpu'],
  [/^\/options\/price/, 'f-price'],
];

function fieldForPath(path) {
  for (const [re, id] of PATH_TO_FIELD) if (re.test(path)) return id;
  return null;
}

function setFieldError(id, message) {
  const input = $(id);
  const err = $(`${id}-err`);
  if (!input || !err) return;
  if (message) {
    setText(err, message);
    show(err, true);
    input.setAttribute('aria-invalid', 'true');
  } else {
    show(err, false);
    input.removeAttribute('aria-invalid');
  }
}

let coreErrorFields = new Set();
function showCoreErrors(errors) {
  const next = new Set();
  const byField = new Map();
  const general = [];
  for (const e of errors) {
    const id = fieldForPath(e.path || '');
    const text = `${e.message}`;
    if (id && $(id) && $(id).offsetParent !== null) {
      byField.set(id, byField.has(id) ? `${byField.get(id)}; ${text}` : text);
      next.add(id);
    }
    general.push(`${e.path || '(scenario)'}: ${text}`);
  }
  for (const id of coreErrorFields) if (!next.has(id) && !fieldErrors.has(id)) setFieldError(id, null);
  for (const [id, text] of byField) setFieldError(id, text);
  coreErrorFields = next;
  const list = $('scenario-errors-list');
  list.replaceChildren(...general.map((t) => el('li', { text: t })));
  show($('scenario-errors'), general.length > 0);
}

// ---------------------------------------------------------------- inputs

function readControl(e) {
  const f = e.dataset.field;
  const type = e.dataset.type;
  if (e.type === 'checkbox') return { value: e.checked };
  if (e.type === 'radio') return { value: e.value };
  const raw = e.value.trim();
  if (type === 'int') {
    if (!/^\d{1,12}$/.test(raw)) return { error: 'Enter a whole number.' };
    const n = Number(raw);
    const lo = Number(e.min || 0);
    const hi = Number(e.max || 1e15);
    if (n < lo || n > hi) return { error: `Enter a whole number from ${lo} to ${fmt.grouped(hi)}.` };
    return { value: n };
  }
  if (type === 'num') {
    const n = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(n)) return { error: 'Enter a number.' };
    if (e.min !== '' && n < Number(e.min)) return { error: `Enter a number of at least ${e.min}.` };
    return { value: n };
  }
  if (type === 'text') {
    if (raw.length > 60 || /[\u0000-\u001f\u007f]/.test(raw)) return { error: 'Enter a short plain name.' };
    return { value: raw };
  }
  return { value: f === 'zero' ? Number(raw) : raw };
}

function onControl(e) {
  const f = e.dataset.field;
  const r = readControl(e);
  if ('error' in r) {
    fieldErrors.set(e.id, r.error);
    setFieldError(e.id, r.error);
    markStale();
    return;
  }
  if (fieldErrors.has(e.id)) {
    fieldErrors.delete(e.id);
    setFieldError(e.id, null);
  }
  const prev = state[f];
  state[f] = r.value;
  // Convenience, not estimation: keep the precision consistent with the fine-tuning method.
  if (f === 'finetune') {
    if (r.value === 'qlora' && !['nf4', 'int4'].includes(state.weights)) state.weights = 'nf4';
    if (r.value !== 'qlora' && prev === 'qlora' && ['nf4', 'int4'].includes(state.weights)) state.weights = 'bf16';
    $('f-weights').value = state.weights;
  }
  if (f === 'gpu' && r.value === 'custom' && prev !== 'custom') prefillCustomGpu(prev);
  if (f === 'unit') {
    render();
    return;
  }
  if (fieldErrors.size > 0) {
    markStale();
    return;
  }
  clearUrlErrors();
  const tv = performance.now();
  syncVisibility();
  timings.phases.visibility = performance.now() - tv;
  update();
}

function markStale() {
  const n = fieldErrors.size;
  setText($('status'), n ? `Fix the highlighted field${n > 1 ? 's' : ''}; the last valid result is still shown.` : '');
  showStale(n > 0);
  bumpCounter();
}

// The answer on screen is not the one the inputs ask for (an input or a link was refused):
// say so beside the verdict, so that a green "Fits" is never taken for the new input's.
function showStale(on) {
  document.body.classList.toggle('stale', on);
  show($('stale-note'), on);
}

// Errors of a link: beside their fields where the page has one, and in the banner, whose
// list stays short however many there are.
function showUrlErrors(errors) {
  clearUrlErrors();
  for (const e of errors) {
    const id = e.field ? `f-${e.field}` : null;
    if (id && $(id) && $(`${id}-err`)) {
      setFieldError(id, e.text);
      urlErrorFields.add(id);
    }
  }
  const items = errors.slice(0, URL_ERRORS_SHOWN).map((e) => el('li', { text: e.text }));
  if (errors.length > URL_ERRORS_SHOWN)
    items.push(el('li', { text: `... and ${fmt.grouped(errors.length - URL_ERRORS_SHOWN)} more` }));
  $('url-errors-list').replaceChildren(...items);
  show($('url-errors'), errors.length > 0);
}

function clearUrlErrors() {
  for (const id of urlErrorFields) if (!fieldErrors.has(id) && !coreErrorFields.has(id)) setFieldError(id, null);
  urlErrorFields = new Set();
}

function prefillCustomGpu(fromId) {
  const g = gpus.find((x) => x.id === fromId);
  if (!g) return;
  state.cname = `${g.name} (custom)`.slice(0, 60);
  state.cmem = Math.round((g.memory_bytes / GIB) * 1000) / 1000;
  state.cbw = Math.round(g.memory_bandwidth_bytes_per_s / 1e9);
  state.cflops = Math.round((g.peak_flops.bf16 || g.peak_flops.fp16 || 0) / 1e12) || DEFAULTS.cflops;
  state.cflops8 = Math.round((g.peak_flops.fp8 || g.peak_flops.int8 || 0) / 1e12);
  state.cic = Math.round(g.interconnect_bandwidth_bytes_per_s / 1e9) || DEFAULTS.cic;
  for (const f of ['cname', 'cmem', 'cbw', 'cflops', 'cflops8', 'cic']) $(`f-${f}`).value = String(state[f]);
}

// ---------------------------------------------------------------- HF config

function setHfError(lines) {
  const err = $('f-hf-err');
  if (lines && lines.length) {
    setText(err, lines.join('; '));
    show(err, true);
    $('f-hf').setAttribute('aria-invalid', 'true');
  } else {
    show(err, false);
    $('f-hf').removeAttribute('aria-invalid');
  }
}

// A paste that cannot be used is an input error like any other field's: the error beside
// the box, and the answer marked as not updated (it still shows the model used before).
function hfRejected(lines) {
  setHfError(lines);
  fieldErrors.set('f-hf', lines.join('; '));
  markStale();
}

function hfAccepted() {
  setHfError(null);
  if (fieldErrors.delete('f-hf')) markStale();
}

function onHfText(text) {
  if (text.trim() === '') {
    hfAccepted();
    // Emptying the box does not drop a config in use (a link's config is not in the box):
    // say which model the answer is for.
    if (state.hf) {
      setText($('f-hf-err'), `The box is empty; the answer is still for ${hfInfo || 'the config pasted before'}. "Back to presets" leaves it.`);
      show($('f-hf-err'), true);
    }
    return;
  }
  if (text.length > MAX_HF_CHARS) {
    hfRejected([`The config is too large (${fmt.grouped(text.length)} characters; at most ${fmt.grouped(MAX_HF_CHARS)}).`]);
    return;
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    hfRejected([`Not valid JSON: ${String(e.message).slice(0, 160)}`]);
    return;
  }
  // Checked before the import: the API would take a JSON string as JSON text to parse.
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    hfRejected(['A config.json is a JSON object ({...}).']);
    return;
  }
  const r = core.importHfConfig(obj);
  if (!r.ok) {
    hfRejected(r.errors.slice(0, 6).map((e) => `${e.path || 'config'}: ${e.message}`));
    return;
  }
  clearUrlErrors();
  // Accepted: other fields' own errors would hold the update back; this one no longer does.
  fieldErrors.delete('f-hf');
  const prev = { hf: state.hf, info: hfInfo };
  state.hf = trimHfConfig(obj);
  hfInfo = describeHf(r);
  syncVisibility();
  update();
  if (document.body.dataset.valid !== '1') {
    // The config imports but the scenario with it does not compute: keep the previous model.
    const msgs = [...$('scenario-errors-list').children].map((li) => li.textContent);
    state.hf = prev.hf;
    hfInfo = prev.info;
    syncVisibility();
    update();
    hfRejected(msgs.length ? msgs : ['This config cannot be used with the current scenario.']);
    return;
  }
  hfAccepted();
}

function describeHf(r) {
  const p = r.model.params;
  return `${r.model.name}: ${fmt.params(p.total)} parameters${p.active < p.total ? ` (${fmt.params(p.active)} active)` : ''}`;
}

function setupHf() {
  const ta = $('f-hf');
  ta.addEventListener('input', () => onHfText(ta.value));
  const readFile = (file) => {
    if (!file) return;
    if (file.size > MAX_HF_CHARS) {
      setHfError([`The file is too large (${fmt.grouped(file.size)} bytes).`]);
      return;
    }
    file.text().then((t) => {
      ta.value = t;
      onHfText(t);
    });
  };
  $('f-hf-file').addEventListener('change', (e) => readFile(e.target.files[0]));
  for (const target of [ta, $('form')]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      ta.classList.add('dragover');
    });
    target.addEventListener('dragleave', () => ta.classList.remove('dragover'));
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      ta.classList.remove('dragover');
      readFile(e.dataTransfer.files[0]);
    });
  }
  $('hf-clear').addEventListener('click', () => {
    state.hf = null;
    ta.value = '';
    hfAccepted();
    syncVisibility();
    update();
    $('f-model').focus();
  });
}

// ---------------------------------------------------------------- rendering

function boundText(b) {
  if (!b) return '';
  return `${b}-bound`;
}

function boundSpan(b) {
  return v('span', { class: `b bound-${b}`, text: boundText(b) });
}

function figure(label, value, extra) {
  return v('div', {}, v('dt', { text: label }), v('dd', {}, value, extra ? v('span', { class: 'bound', text: ` ${extra}` }) : null));
}

function renderAnswer(report) {
  const u = state.unit;
  const m = report.memory;
  const fits = m.fits;
  const badge = $('fit-badge');
  const badgeClass = `badge ${fits ? 'fits' : 'nofit'}`;
  if (badge.className !== badgeClass) badge.className = badgeClass;
  setText(badge, fits ? '\u2713 Fits' : '\u2717 Does not fit');
  const share = m.capacity_bytes > 0 ? m.total_bytes / m.capacity_bytes : NaN;
  setText($('fit-headline'), fits
    ? `${fmt.bytes(m.total_bytes, u)} of ${fmt.bytes(m.capacity_bytes, u)} per GPU (${fmt.percent(share, 0)}), ${fmt.bytes(m.headroom_bytes, u)} to spare`
    : `Needs ${fmt.bytes(m.total_bytes, u)} per GPU: ${fmt.bytes(-m.headroom_bytes, u)} over the ${fmt.bytes(m.capacity_bytes, u)} capacity (${fmt.percent(share, 0)})`);
  const ctx = state.mode === 'inference'
    ? `${fmt.tokens(state.prompt + state.gen)}-token context (${fmt.tokens(state.prompt)} prompt + ${fmt.tokens(state.gen)} generated)`
    : `${fmt.tokens(state.seq)}-token sequences`;
  setText($('fit-detail'), `${report.model.name} \u00b7 ${report.mode} \u00b7 ${report.method} method \u00b7 batch ${fmt.tokens(state.batch)} \u00b7 ${ctx} \u00b7 ${report.gpu.count}\u00d7 ${report.gpu.name}`);

  // Stacked bar against capacity.
  const scale = Math.max(m.total_bytes, m.capacity_bytes) || 1;
  const bar = $('membar');
  const spans = m.items.filter((i) => i.bytes > 0).map((i) => {
    return v('span', { title: `${i.label}: ${fmt.bytes(i.bytes, u)}`, style: { width: `${(i.bytes / scale) * 100}%`, background: itemColor(i.id) } });
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
    return v('li', {}, v('span', { class: 'swatch', style: { background: itemColor(i.id) } }), `${i.label}: ${fmt.bytes(i.bytes, u)}`);
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
    figs.push(figure('Per output token', fmt.ms(L.decode_first_s), dec ? boundText(dec.bound) : ''));
    figs.push(figure('Throughput (all sequences)', fmt.rate(L.tokens_per_s_total)));
  } else if (Tr) {
    figs.push(figure('Step time', fmt.seconds(Tr.step_s), boundText(Tr.step.bound)));
    figs.push(figure('Training throughput', fmt.rate(Tr.tokens_per_s)));
    figs.push(figure('MFU', fmt.percent(Tr.mfu)));
  }
  patch($('key-figures'), figs);
}

// Rows whose formula shows: all when expandAll, except those the person closed ("-id"); else
// those opened ("id").
const expanded = new Set();
let expandAll = false;
const isOpen = (id) => (expandAll ? !expanded.has(`-${id}`) : expanded.has(id));

// A row whose label expands to a second row with its formula. One delegated handler per table
// (setupFormulaToggles) records which rows are open; the table is then rendered again.
// `formula` is the item's expression tree (rendered with a label on hover for each term) and
// `result` the text that follows it ("= 8,589,934,592 B").
function formulaRows(id, label, valueCells, expression, result = '') {
  const fid = `formula-${id}`;
  const open = isOpen(id);
  const btn = v('button', { type: 'button', class: 'rowtoggle', 'data-row': id, 'aria-expanded': String(open), 'aria-controls': fid, text: label });
  const row = v('tr', {}, v('th', { scope: 'row' }, btn), ...valueCells);
  const frow = v('tr', { class: 'formula', id: fid, hidden: !open }, v('td', { colspan: String(valueCells.length + 1) },
    '= ', ...(expression ? expressionNodes(expression) : ['no formula given']), result));
  return [row, frow];
}

function setupFormulaToggles() {
  for (const id of ['mem-rows', 'speed-phases']) {
    $(id).addEventListener('click', (e) => {
      const btn = e.target.closest('button.rowtoggle');
      if (!btn || !last) return;
      const row = btn.dataset.row;
      const open = !isOpen(row);
      expanded.delete(row);
      expanded.delete(`-${row}`);
      if (open !== expandAll) expanded.add(open ? row : `-${row}`);
      renderMemoryTable(last.report);
      renderSpeed(last.report);
    });
  }
}

function renderMemoryTable(report) {
  const u = state.unit;
  const m = report.memory;
  setText($('mem-unit-col'), `Size (${u})`);
  setText($('mem-sub'), `${report.gpu.count > 1 ? `Per GPU, with ${report.gpu.count} GPUs (TP ${state.tp} \u00d7 PP ${state.pp} \u00d7 DP ${state.dp}). ` : ''}Expand a row to see its formula with the numbers substituted. ${u === 'GiB' ? '1 GiB = 2^30 bytes.' : '1 GB = 10^9 bytes.'}`);
  const rows = [];
  for (const i of m.items) {
    rows.push(...formulaRows(`mem-${i.id}`, i.label, [
      v('td', { class: 'num', text: fmt.bytes(i.bytes, u) }),
      v('td', { class: 'num', text: fmt.percent(m.total_bytes > 0 ? i.bytes / m.total_bytes : NaN) }),
    ], i.expression, ` = ${fmt.grouped(i.bytes)} B`));
  }
  patch($('mem-rows'), rows);
  setText($('mem-total'), fmt.bytes(m.total_bytes, u));
  setText($('mem-total-share'), fmt.percent(m.capacity_bytes > 0 ? m.total_bytes / m.capacity_bytes : NaN, 0) + ' of capacity');
  setText($('mem-cap'), fmt.bytes(m.capacity_bytes, u));
}

function speedCard(k, value, bound, sub) {
  return v('div', {}, v('div', { class: 'k', text: k }), v('div', { class: 'v', text: value }),
    bound ? boundSpan(bound) : null, sub ? v('div', { class: 'b', text: sub }) : null);
}

function renderSpeed(report) {
  const L = report.latency;
  const Tr = report.training;
  const cards = [];
  let phases = [];
  if (L) {
    const ph = Object.fromEntries(L.phases.map((p) => [p.id, p]));
    setText($('speed-sub'), `Inference on ${report.gpu.count}\u00d7 ${report.gpu.name}: roofline time per phase (the larger of compute and memory time) plus fixed per-step overhead.`);
    cards.push(speedCard('Time to first token (prefill)', fmt.seconds(L.ttft_s), ph.prefill?.bound));
    cards.push(speedCard('Per output token', `${fmt.ms(L.decode_first_s)} \u2192 ${fmt.ms(L.decode_last_s)}`, ph.decode_first?.bound, 'first \u2192 last decode step'));
    cards.push(speedCard('Tokens/s per sequence', fmt.rate(L.tokens_per_s_per_sequence)));
    cards.push(speedCard(`Tokens/s, batch of ${fmt.tokens(state.batch)}`, fmt.rate(L.tokens_per_s_total)));
    cards.push(speedCard('End-to-end', fmt.seconds(L.end_to_end_s), null, `prefill + ${fmt.tokens(state.gen)} decode steps (${fmt.seconds(L.decode_total_s)})`));
    if (state.price > 0) cards.push(speedCard('Cost per million tokens', fmt.money(L.cost_per_million_tokens)));
    phases = L.phases;
  } else if (Tr) {
    setText($('speed-sub'), `Training on ${report.gpu.count}\u00d7 ${report.gpu.name}: one optimizer step of ${fmt.tokens(Tr.tokens_per_step)} tokens.`);
    cards.push(speedCard('Step time', fmt.seconds(Tr.step_s), Tr.step.bound));
    cards.push(speedCard('Tokens/s', fmt.rate(Tr.tokens_per_s)));
    cards.push(speedCard('MFU (model FLOPs utilization)', fmt.percent(Tr.mfu)));
    cards.push(speedCard('Tokens per step', fmt.tokens(Tr.tokens_per_step)));
    if (Tr.recompute_overhead > 0) cards.push(speedCard('Recompute overhead', fmt.percent(Tr.recompute_overhead)));
    if (Tr.pipeline_bubble > 0) cards.push(speedCard('Pipeline bubble', fmt.percent(Tr.pipeline_bubble)));
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

function renderNotes(report) {
  const notes = report.notes || [];
  patch($('notes'), notes.map((n) => v('li', { text: n })));
  show($('notes-card'), notes.length > 0);
}

// ---------------------------------------------------------------- solvers

let solveAnswers = {};

function applyButton(label, fn) {
  return v('button', { type: 'button', class: 'small', text: label, onclick: () => { fn(); writeForm(); update(); } });
}

function renderSolvers(scenario) {
  const items = [];
  const mb = cached('solve', fixed(scenario, 'workload', { batch: 1 }), 'max-batch');
  const mc = cached('solve', fixed(scenario, 'workload', state.mode === 'inference' ? { prompt: 1 } : { seq: 1 }), 'max-context');
  const mg = cached('solve', fixed(scenario, 'parallelism', { tp: 1, pp: 1, dp: 1 }), { question: 'min-gpus', max_gpus: 4096 });
  solveAnswers = { 'max-batch': mb, 'max-context': mc, 'min-gpus': mg };
  const line = (title, r, valueText, apply) => {
    const parts = [v('div', { class: 'q', text: title })];
    if (!r.ok) {
      parts.push(v('div', { class: 'a', text: fmt.DASH }), v('p', { class: 'x', text: r.errors.map((e) => e.message).join('; ') }));
    } else {
      parts.push(v('div', { class: 'a', text: r.found ? valueText(r) : 'None fits' }));
      if (r.explanation) parts.push(v('p', { class: 'x', text: r.explanation }));
      if (r.found && apply) parts.push(apply(r));
    }
    items.push(v('li', { 'data-question': title }, ...parts));
  };
  line('Largest batch that fits', mb, (r) => `batch ${fmt.tokens(r.value)}`,
    (r) => (r.value !== state.batch ? applyButton(`Use batch ${fmt.tokens(r.value)}`, () => { state.batch = r.value; }) : null));
  const ctxWord = state.mode === 'inference' ? `prompt (with ${fmt.tokens(state.gen)} generated tokens)` : 'sequence length';
  line(`Longest ${ctxWord} that fits`, mc, (r) => `${fmt.tokens(r.value)} tokens`,
    (r) => {
      if (state.mode === 'inference') {
        return r.value !== state.prompt ? applyButton(`Use a ${fmt.tokens(r.value)}-token prompt`, () => { state.prompt = r.value; }) : null;
      }
      return r.value !== state.seq ? applyButton(`Use ${fmt.tokens(r.value)} tokens`, () => { state.seq = r.value; }) : null;
    });
  line('Fewest GPUs that fit', mg, (r) => `${fmt.tokens(r.value)} \u00d7 ${last.report.gpu.name} (TP ${r.layout.tp} \u00d7 PP ${r.layout.pp} \u00d7 DP ${r.layout.dp})`,
    (r) => (r.layout.tp !== state.tp || r.layout.pp !== state.pp || r.layout.dp !== state.dp
      ? applyButton('Use this layout', () => { state.tp = r.layout.tp; state.pp = r.layout.pp; state.dp = r.layout.dp; }) : null));
  patch($('solve-list'), items);
}

// A sweep or solver sets one input itself (the swept value, or the one it searches for), so
// the scenario's own value of that input cannot change its answer. Sending a copy with that
// input fixed lets the memo answer again when only that input moved (and the chart skip its
// redraw) instead of recomputing an identical answer.
function fixed(scenario, section, values) {
  return { ...scenario, [section]: { ...scenario[section], ...values } };
}

// ---------------------------------------------------------------- charts

// The swept values: the grid from `lo` on, plus the current value where it lies outside the
// grid's range (inside it, the chart's "now" marker shows it and the data stays the same, so
// the chart needs no redraw when only that input moves).
function gridAround(grid, v, lo) {
  const g = grid.filter((x) => x >= lo);
  if (g.length === 0 || v < g[0]) g.unshift(v);
  else if (v > g[g.length - 1]) g.push(v);
  return g;
}

function setupCharts() {
  readTheme();
  const ctxView = {
    unit: () => state.unit,
    xLabel: (narrow) => (state.mode === 'inference' ? (narrow ? 'Context (tokens)' : 'Context length (tokens, prompt + generated)') : (narrow ? 'Sequence (tokens)' : 'Sequence length (tokens)')),
    fits: () => chartState.contextFits,
    current: () => contextOf(state),
    currentLabel: () => 'now',
  };
  charts.context = memoryChart($('chart-context'), ctxView);
  charts.batch = memoryChart($('chart-batch'), {
    unit: () => state.unit,
    xLabel: () => (state.mode === 'inference' ? 'Batch (sequences)' : 'Micro-batch (sequences)'),
    fits: () => chartState.batchFits,
    current: () => state.batch,
    currentLabel: () => 'now',
  });
  charts.knee = kneeChart($('chart-knee'), {
    xLabel: (narrow) => (state.mode === 'inference' ? (narrow ? 'Batch (sequences)' : 'Batch (sequences decoded together)') : 'Micro-batch (sequences)'),
    yLabel: (narrow) => (narrow ? 'Tokens/s' : state.mode === 'inference' ? 'Decode throughput (tokens/s)' : 'Training throughput (tokens/s)'),
    y2Label: (narrow) => (state.mode === 'inference' ? (narrow ? 'ms/token' : 'Decode step latency (ms/token)') : 'Step time (s)'),
    fits: () => chartState.kneeFits,
    knee: () => chartState.knee,
    kneeLabel: () => (chartState.knee ? `knee ${chartState.knee}` : ''),
    current: () => state.batch,
    currentLabel: () => 'now',
  });
  $('gpu-table-details').addEventListener('toggle', renderGpuTable);
  charts.gpus = gpuChart($('chart-gpus'), {
    yLabel: (narrow) => (narrow ? 'Tokens/s' : state.mode === 'inference' ? 'Decode throughput (tokens/s)' : 'Training throughput (tokens/s)'),
  });
}

function renderCharts(scenario) {
  const div = fmt.unitDivisor(state.unit);
  const inf = state.mode === 'inference';
  // Memory versus context length.
  const ctxNow = contextOf(state);
  const ctxs = gridAround(CONTEXT_GRID, ctxNow, inf ? state.gen + 1 : 1);
  const cs = cached('sweep', fixed(scenario, 'workload', inf ? { prompt: 1 } : { seq: 1 }), inf
    ? { vary: 'prompt', values: ctxs.map((c) => c - state.gen), compact: true }
    : { vary: 'seq', values: ctxs, compact: true });
  charts.context.setTitle(`Memory per GPU vs ${inf ? 'context length' : 'sequence length'} (${state.unit})`);
  if (cs.ok) {
    chartState.contextFits = cs.series.fits;
    charts.context.update(ctxs, cs, div);
  }
  // Memory versus batch.
  const bs = gridAround(BATCH_GRID, state.batch, 1);
  const bsw = cached('sweep', fixed(scenario, 'workload', { batch: 1 }), { vary: 'batch', values: bs, compact: true });
  charts.batch.setTitle(`Memory per GPU vs ${inf ? 'batch' : 'micro-batch'} (${state.unit})`);
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
  charts.gpus.setTitle(`This scenario on every GPU preset (${state.tp * state.pp * state.dp} GPU${state.tp * state.pp * state.dp > 1 ? 's' : ''} each)`);
  const gsw = cached('sweep', scenario, { vary: 'gpu', values: gpus.map((g) => g.id), compact: true });
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
function renderGpuTable() {
  const gsw = chartState.sweeps?.gpus;
  if (!$('gpu-table-details').open || !gsw?.ok) return;
  const s = gsw.series;
  setText($('gpu-mem-col'), `Memory / capacity (${state.unit})`);
  patch($('gpu-rows'), gsw.labels.map((id, i) => v('tr', {},
    v('td', { text: gpus.find((g) => g.id === id)?.name || String(id) }),
    v('td', { text: s.fits[i] ? 'yes' : 'no' }),
    v('td', { class: 'num', text: `${fmt.bytes(s.total_bytes[i], state.unit)} / ${fmt.bytes(s.capacity_bytes[i], state.unit)}` }),
    v('td', { class: 'num', text: fmt.rate(s.tokens_per_s[i]) }))));
}

// ---------------------------------------------------------------- update loop

function bumpCounter() {
  updates += 1;
  document.body.dataset.updates = String(updates);
}

// Numbers and charts render at once; the solvers (binary searches over many estimates)
// follow after the next paint so that typing stays smooth. Bursts of input coalesce.
let deferredToken = 0;
function render() {
  if (!last) return;
  const t = performance.now();
  const phase = (name, fn) => {
    const t0 = performance.now();
    fn();
    timings.phases[name] = performance.now() - t0;
  };
  phase('answer', () => renderAnswer(last.report));
  phase('table', () => renderMemoryTable(last.report));
  phase('speed', () => renderSpeed(last.report));
  phase('notes', () => renderNotes(last.report));
  if (chartsReady) phase('charts', () => renderCharts(last.scenario));
  timings.sync = performance.now() - t;
  pending = true;
  document.body.dataset.pending = '1';
  const token = ++deferredToken;
  const snapshot = last;
  afterPaint(() => {
    if (token !== deferredToken) return; // a newer update superseded this one
    const t1 = performance.now();
    renderSolvers(snapshot.scenario);
    writeUrl();
    writeShare();
    timings.deferred = performance.now() - t1;
    pending = false;
    document.body.dataset.pending = '0';
    document.body.dataset.lastUpdateMs = (timings.sync + timings.deferred).toFixed(2);
    bumpCounter();
  });
}

// A macrotask without setTimeout's clamping.
const channel = new MessageChannel();
const queue = [];
channel.port1.onmessage = () => queue.shift()?.();
function later(fn) {
  queue.push(fn);
  channel.port2.postMessage(0);
}
// After the browser has painted what is on screen now: the solvers' answers follow in a
// frame of their own, so they never hold back the numbers and charts. A hidden page gets no
// frames; a timer stands in.
function afterPaint(fn) {
  let queued = false;
  const run = () => {
    if (queued) return;
    queued = true;
    later(fn);
  };
  requestAnimationFrame(run);
  setTimeout(run, 100);
}

function update() {
  const te = performance.now();
  const scenario = scenarioFrom(state);
  const r = cached('estimate', scenario);
  timings.phases.estimate = performance.now() - te;
  if (!r.ok) {
    showCoreErrors(r.errors);
    setText($('status'), 'The scenario has errors (highlighted); the last valid result is still shown.');
    showStale(last !== null);
    document.body.dataset.valid = '0';
    bumpCounter();
    return;
  }
  showCoreErrors([]);
  document.body.dataset.valid = '1';
  setText($('status'), fieldErrors.size ? $('status').textContent : '');
  showStale(fieldErrors.size > 0);
  last = { scenario, report: r.report };
  render();
}

// Core answers memoized by their exact inputs (toggling units or going back to an earlier
// value redraws without recomputing). Only a cache: every value still comes from the core.
const memo = new Map();
const MEMO_MAX = 200;
function cached(fn, ...args) {
  const key = fn + '\u0000' + JSON.stringify(args);
  const hit = memo.get(key);
  if (hit) {
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const value = core[fn](...args);
  memo.set(key, value);
  if (memo.size > MEMO_MAX) memo.delete(memo.keys().next().value);
  return value;
}

// ---------------------------------------------------------------- URL, share, export

function baseUrl() {
  return location.href.replace(/#.*$/, '');
}

function writeUrl() {
  const { hash } = linkFor(state);
  const target = hash ? `#${hash}` : location.pathname + location.search;
  if (location.hash.replace(/^#/, '') !== hash) history.replaceState(null, '', target);
}

function writeShare() {
  const { hash, omitted, full } = linkFor(state);
  // A link over MAX_URL_CHARS could not be opened again: it leaves the config out, and says so.
  setText($('share-note'), omitted
    ? `The pasted config.json is too large for a link (${fmt.grouped(full)} characters; a link may carry ${fmt.grouped(MAX_URL_CHARS)}): this link leaves it out, and opening it asks for the config again. Share the config.json file with it.`
    : '');
  show($('share-note'), omitted);
  const noEmbed = baseUrl().replace(/([?&])embed=[^&#]*&?/, '$1').replace(/[?&]$/, '');
  const share = noEmbed + (hash ? `#${hash}` : '');
  $('share-link').value = share;
  const embedSrc = `${noEmbed}${noEmbed.includes('?') ? '&' : '?'}embed=1${hash ? `#${hash}` : ''}`;
  $('embed-code').value = `<iframe src="${embedSrc.replace(/"/g, '%22')}" title="llmcalc: GPU memory and speed of an LLM" width="100%" height="720" style="border:0" loading="lazy"></iframe>`;
  $('open-full').href = share;
}

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function reportCsv(report) {
  const u = state.unit;
  const div = fmt.unitDivisor(u);
  const rows = [['section', 'id', 'label', 'value', 'unit', 'formula']];
  const mem = report.memory;
  for (const i of mem.items) rows.push(['memory', i.id, i.label, i.bytes, 'bytes', i.formula]);
  for (const i of mem.items) rows.push([`memory_${u}`, i.id, i.label, (i.bytes / div).toFixed(4), u, '']);
  rows.push(['memory', 'total', 'Total per GPU', mem.total_bytes, 'bytes', '']);
  rows.push(['memory', 'capacity', 'GPU capacity', mem.capacity_bytes, 'bytes', '']);
  rows.push(['memory', 'headroom', 'Headroom', mem.headroom_bytes, 'bytes', '']);
  rows.push(['memory', 'fits', 'Fits', mem.fits ? 'yes' : 'no', '', '']);
  rows.push(['params', 'total', 'Parameters', report.params.total, 'params', '']);
  rows.push(['params', 'active', 'Active parameters', report.params.active, 'params', '']);
  if (report.latency) {
    const L = report.latency;
    for (const [id, label, unit] of [['ttft_s', 'Time to first token', 's'], ['decode_first_s', 'Decode step (start)', 's'],
      ['decode_last_s', 'Decode step (end)', 's'], ['end_to_end_s', 'End-to-end', 's'],
      ['tokens_per_s_per_sequence', 'Tokens/s per sequence', 'tokens/s'], ['tokens_per_s_total', 'Tokens/s total', 'tokens/s']])
      rows.push(['latency', id, label, L[id], unit, '']);
    for (const p of L.phases) rows.push(['phase', p.id, `${p.label} (${p.bound}-bound)`, p.time_s, 's', p.formula]);
  }
  if (report.training) {
    const Tr = report.training;
    for (const [id, label, unit] of [['step_s', 'Step time', 's'], ['tokens_per_step', 'Tokens per step', 'tokens'],
      ['tokens_per_s', 'Tokens/s', 'tokens/s'], ['mfu', 'MFU', 'fraction']])
      rows.push(['training', id, label, Tr[id], unit, '']);
    rows.push(['phase', Tr.step.id, `${Tr.step.label} (${Tr.step.bound}-bound)`, Tr.step.time_s, 's', Tr.step.formula]);
  }
  for (const n of report.notes || []) rows.push(['note', '', n, '', '', '']);
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function fileStem() {
  const id = last ? String(last.report.model.id).replace(/[^A-Za-z0-9._-]+/g, '_') : 'scenario';
  return `llmcalc-${id}-${state.mode}`;
}

function setupShare() {
  for (const b of document.querySelectorAll('[data-copy]')) {
    b.addEventListener('click', async () => {
      const src = $(b.dataset.copy);
      src.select();
      let ok = false;
      try {
        await navigator.clipboard.writeText(src.value);
        ok = true;
      } catch {
        ok = document.execCommand && document.execCommand('copy');
      }
      setText($('copy-status'), ok ? 'Copied.' : 'Selected: press Ctrl+C (or \u2318C) to copy.');
    });
  }
  $('export-json').addEventListener('click', () => {
    if (!last) return;
    const body = { generator: `llmcalc web ${core.version}`, url: $('share-link').value, scenario: last.scenario, report: last.report };
    download(`${fileStem()}.json`, new Blob([JSON.stringify(body, null, 2) + '\n'], { type: 'application/json' }));
  });
  $('export-csv').addEventListener('click', () => {
    if (!last) return;
    download(`${fileStem()}.csv`, new Blob([reportCsv(last.report)], { type: 'text/csv' }));
  });
  for (const b of document.querySelectorAll('button.png')) {
    b.addEventListener('click', async () => {
      const blob = await charts[b.dataset.chart].toPngBlob();
      if (blob) download(`${fileStem()}-${b.dataset.chart}.png`, blob);
    });
  }
}

// ---------------------------------------------------------------- start

function readUrl() {
  const ctx = { modelIds: new Set(models.map((m) => m.id)), gpuIds: new Set(gpus.map((g) => g.id)) };
  return stateFromUrl(location.href, ctx);
}

// Takes the scenario a link describes (r from readUrl), invalid parameters at their defaults.
function loadFromUrl(r = readUrl()) {
  applyInputRanges(document);
  state = r.state;
  embed = r.embed;
  document.body.classList.toggle('embed', embed);
  if (embed) $('form-details').open = false;
  $('f-hf').value = '';
  setHfError(null);
  hfInfo = '';
  if (state.hf) {
    const imported = core.importHfConfig(state.hf);
    if (imported.ok) hfInfo = describeHf(imported);
  }
  writeForm();
  fillModels($('model-search').value);
  showUrlErrors(r.errors); // after writeForm, which clears the fields' errors
}

// "Skip to results" moves the focus itself: following its #results would replace the
// scenario's hash, and the page would read that as a new (empty) scenario.
function setupSkipLink() {
  const link = document.querySelector('a.skip');
  link.addEventListener('click', (e) => {
    e.preventDefault();
    const target = $(link.getAttribute('href').slice(1));
    target.scrollIntoView();
    target.focus({ preventScroll: true });
  });
}

// An edited hash: a valid scenario replaces the shown one; one with invalid parameters
// leaves the last good result (and the form) as they are and shows the errors beside their
// fields. An element id (#results) is an in-page link, not a scenario.
function onHashChange() {
  const hash = location.hash.replace(/^#/, '');
  if (hash === stateToHash(state) || hash === linkFor(state).hash) return;
  if (isAnchorHash(hash)) {
    writeUrl();
    return;
  }
  const r = readUrl();
  if (r.errors.length > 0 && last) {
    showUrlErrors(r.errors);
    setText($('status'), 'The link has errors (shown beside the fields); the last valid result is still shown.');
    showStale(true);
    bumpCounter();
    return;
  }
  loadFromUrl(r);
  update();
}

async function start() {
  mark('script');
  setupSkipLink();
  // A page saved from the browser carries the rendered DOM: start from a clean slate.
  for (const id of ['membar', 'membar-legend', 'key-figures', 'mem-rows', 'speed-cards', 'speed-phases', 'solve-list', 'notes', 'gpu-rows', 'url-errors-list', 'scenario-errors-list'])
    $(id).replaceChildren();
  delete document.body.dataset.ready;
  try {
    // Emscripten 3.1's loader tries fetch() on the inlined data: URL of the .wasm before
    // decoding the base64 itself; the CSP (connect-src 'none') would refuse that fetch and
    // log a violation. Hide fetch while the module starts so it decodes directly: the page
    // never fetches anything.
    const savedFetch = window.fetch;
    let pending;
    window.fetch = undefined;
    try {
      pending = createLlmCalc();
    } finally {
      window.fetch = savedFetch;
    }
    core = await pending;
    mark('core_ready');
  } catch (e) {
    setText($('status'), `The calculator could not start: ${String(e && e.message ? e.message : e).slice(0, 200)}`);
    document.body.dataset.ready = 'error';
    return;
  }
  // The preset lists come with the page (web/build.mjs asks the same core at build time):
  // listing them here would parse every preset before the first result.
  ({ models, gpus } = PRESETS);
  if (PRESETS.version !== core.version) {
    // A module from another build (never in dist/): ask it instead.
    models = core.models();
    gpus = core.gpus();
  }
  setText($('version'), `core ${core.version}`);
  for (const [id, opts] of Object.entries(SELECT_OPTIONS)) fillSelect($(id), opts);
  fillGpus();
  fillModels();
  mark('pickers');
  loadFromUrl();
  mark('url_read');
  readTheme(); // the memory bar's colours; the charts read it again when they are set up
  setText($('status'), '');
  // Asked for before the first update, so that it is queued after the frame ahead of the
  // update's own (its solvers) and marks the frame alone.
  const painted = new Promise((resolve) => afterPaint(resolve));
  update();
  mark('first_result');
  document.body.dataset.firstResultMs = performance.now().toFixed(1); // since navigation start
  if (!last) {
    // The link's scenario is invalid as a whole (say, an inconsistent layout): say so, show the defaults.
    const bad = $('scenario-errors-list').textContent;
    state = { ...DEFAULTS, unit: state.unit };
    writeForm();
    update();
    const shown = [...$('url-errors-list').children].filter((li) => !li.textContent.startsWith('... and'));
    const errors = shown.map((li) => ({ text: li.textContent, field: null }));
    errors.push({ text: `the linked scenario could not be computed (${bad.slice(0, 200)}); the default scenario is shown`, field: null });
    showUrlErrors(errors);
  }

  // The answer is in the page: let the browser paint it, then draw the charts (uPlot setup
  // and their sweeps take longer than the numbers themselves).
  await painted;
  mark('first_paint'); // the frame with the first numbers is done
  setupCharts();
  chartsReady = true;
  if (last) renderCharts(last.scenario);
  mark('charts');

  for (const e of formElements()) {
    const ev = e.tagName === 'SELECT' || e.type === 'radio' || e.type === 'checkbox' ? 'change' : 'input';
    e.addEventListener(ev, () => onControl(e));
  }
  $('model-search').addEventListener('input', (e) => fillModels(e.target.value));
  $('model-search').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const first = $('f-model').querySelector('option');
    if (first && first.value !== state.model) {
      state.model = first.value;
      $('f-model').value = first.value;
      syncVisibility();
      update();
    }
  });
  $('expand-all').addEventListener('click', (e) => {
    expandAll = !expandAll;
    expanded.clear();
    e.target.setAttribute('aria-pressed', String(expandAll));
    setText(e.target, expandAll ? 'Hide all formulas' : 'Show all formulas');
    render();
  });
  $('reset').addEventListener('click', () => {
    state = { ...DEFAULTS, unit: state.unit };
    $('f-hf').value = '';
    fieldErrors.clear();
    clearUrlErrors();
    setHfError(null);
    writeForm();
    update();
  });
  $('form').addEventListener('submit', (e) => e.preventDefault());
  setupHf();
  setupFormulaToggles();
  setupShare();
  window.addEventListener('hashchange', onHashChange);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    readTheme();
    for (const c of Object.values(charts)) {
      c.legendKey = null;
      c.redraw();
    }
    render();
  });
  mark('ready');
  document.body.dataset.ready = '1';
  // For tests: not serialized when the page is saved, so a saved copy cannot look ready early.
  window.__llmcalc = {
    ready: true,
    firstResultMs: timings.startup.first_result, // numbers shown; charts follow (timings.startup)
    scriptStartMs: T0,
    core,
    charts,
    get updates() { return updates; },
    get pending() { return pending; },
    timings,
    get last() { return last; },
    get state() { return { ...state }; },
  };
}

start();
