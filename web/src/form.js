// The form: its pickers and controls, reading inputs into the state, and errors beside the
// fields they belong to.
import { $, el, setText, show } from './dom.js';
import { clearCompanions, companionsText } from './checkpoint_files.js';
import { PRESETS } from 'llmcalc:presets';
import { v } from './patch.js';
import { DEFAULTS, DTYPES, KV_DTYPES, ACT_DTYPES, OPTIMIZERS, defaultCheckpointing, followDefaultWeights, scenarioFrom } from './state.js';
import * as fmt from './format.js';
import { GIB, URL_ERRORS_SHOWN, app, fieldErrors, timings } from './app.js';
import { bumpCounter, cached, render, update } from './update.js';
import { BACKEND_OPTIONS, CPU_OPTIONS, LOCAL_PATHS, SECOND_GPU_OPTIONS, SYSTEM_RAM_OPTIONS, syncLocal, unifiedOptions } from './local.js';

// ---------------------------------------------------------------- link errors

export let urlErrorFields = new Set(); // element ids showing a link parameter's error

// ---------------------------------------------------------------- field setup

export const SELECT_OPTIONS = {
  'f-engine': PRESETS.engines.map((e) => [e.id, `${e.name}${e.modes.length === 1 ? ` (${e.modes[0]})` : ''}`]),
  'f-weights': DTYPES.map((d) => [d, d === 'checkpoint' ? 'as the checkpoint' : /^[A-Z]/.test(d) ? `${d} (GGUF)` : d]),
  'f-kv': KV_DTYPES.map((d) => [d, d]),
  'f-act': ACT_DTYPES.map((d) => [d, d]),
  'f-grads': [['auto', 'auto (as weights)'], ...ACT_DTYPES.map((d) => [d, d])],
  'f-master': [['auto', 'auto (fp32 unless fp32 weights)'], ['fp32', 'fp32'], ['none', 'none']],
  'f-ostates': [['auto', 'auto (fp32)'], ['fp32', 'fp32'], ['bf16', 'bf16']],
  'f-optimizer': OPTIMIZERS.map((o) => [o, { adamw: 'AdamW', 'adamw-8bit': 'AdamW 8-bit', adafactor: 'Adafactor', sgd: 'SGD', 'sgd-momentum': 'SGD + momentum', lion: 'Lion' }[o]]),
  'f-ckpt': [['none', 'none'], ['selective', 'selective (attention)'], ['full', 'full (per layer)']],
  'f-finetune': [['full', 'full fine-tune / pre-train'], ['lora', 'LoRA'], ['qlora', 'QLoRA (4-bit base)']],
  'f-ram': SYSTEM_RAM_OPTIONS,
  'f-gpu2': SECOND_GPU_OPTIONS,
  'f-gpu3': SECOND_GPU_OPTIONS,
  'f-cpu': CPU_OPTIONS,
  'f-be': BACKEND_OPTIONS,
  'f-zero': [['0', '0 (off)'], ['1', '1 (optimizer states)'], ['2', '2 (+ gradients)'], ['3', '3 (+ weights)']],
};

export function fillSelect(select, options) {
  select.replaceChildren(...options.map(([v, label]) => el('option', { value: v, text: label })));
}

// A preset's release month ("Jul 2024") from its compact date ("2024-07"); '' when unknown.
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
export function releaseMonth(m) {
  return m.rel ? `${MONTHS[Number(m.rel.slice(5, 7)) - 1]} ${m.rel.slice(0, 4)}` : '';
}

// "Llama 3.1 8B · llama · 8.03 B · Jul 2024": name, family, size and release (issue 17).
export function modelLabel(m) {
  const size = `${fmt.params(m.params.total)}${m.params.active < m.params.total ? ` (${fmt.params(m.params.active)} active)` : ''}`;
  return [m.name, m.family, size, releaseMonth(m)].filter(Boolean).join(' \u00b7 ');
}

// Search words: lower case, split at punctuation and between letters and digits ("llama3" ->
// llama 3; "Qwen2.5-7B" -> qwen 2 5 7b), without words that name a variant, not a model.
const VARIANT_WORDS = new Set(['instruct', 'chat', 'it', 'hf', 'base', 'preview']);
export function searchWords(text) {
  return String(text).toLowerCase()
    .replace(/([a-z])(\d)/g, '$1 $2').replace(/(\d)([a-z]{2,})/g, '$1 $2')
    .split(/[^a-z0-9]+/).filter((w) => w && !VARIANT_WORDS.has(w));
}

// How well a preset matches the query words: every word must match one of the preset's words
// (exactly: 2 points, as a prefix: 1); null when one does not. Ties go to the preset whose id
// has fewer other words ("llama3 8b": Llama 3 8B before Llama 3.1 8B).
function matchScore(words, m) {
  const own = searchWords(`${m.id} ${m.name} ${m.family} ${m.hf_repo} ${releaseMonth(m)}`);
  let score = 0;
  for (const w of words) {
    if (own.includes(w)) score += 2;
    else if (own.some((o) => o.startsWith(w))) score += 1;
    else return null;
  }
  return score * 100 - searchWords(m.id).length;
}

// Presets by family, then by size within a family: the order they come in (web/build.mjs
// sorts them; a localeCompare here cost a cold start 12-25 ms setting up its collator).
const RANK = new Map(PRESETS.models.map((m, i) => [m.id, i]));
const bySize = (a, b) => RANK.get(a.id) - RANK.get(b.id);

// The preset list, filtered and ranked by the search box: the best match first (Enter takes
// it); "no preset matches" when nothing does.
export function fillModels(filter = '') {
  const select = $('f-model');
  const words = searchWords(filter);
  let shown;
  if (words.length === 0) {
    shown = [...app.models].sort(bySize);
  } else {
    shown = app.models.map((m) => ({ m, s: matchScore(words, m) })).filter((x) => x.s !== null)
      .sort((a, b) => b.s - a.s || bySize(a.m, b.m)).map((x) => x.m);
  }
  setText($('model-search-status'), words.length && shown.length === 0
    ? 'No preset matches: paste or drop its config.json below.'
    : words.length ? `${shown.length} matching preset${shown.length === 1 ? '' : 's'}; Enter takes the first.` : '');
  const current = app.models.find((m) => m.id === app.state.model);
  if (shown.length === 0 && current) shown = [current];
  if (words.length) {
    // Ranked: one flat list, best first.
    select.replaceChildren(...shown.map((m) => el('option', { value: m.id, text: modelLabel(m) })));
  } else {
    const groups = new Map();
    for (const m of shown) {
      if (!groups.has(m.family)) groups.set(m.family, []);
      groups.get(m.family).push(el('option', { value: m.id, text: modelLabel(m) }));
    }
    select.replaceChildren(...[...groups].map(([family, opts]) => el('optgroup', { label: family }, ...opts)));
  }
  select.value = shown.some((m) => m.id === app.state.model) ? app.state.model : '';
  if (select.value === '' && shown.length) select.selectedIndex = -1;
}

export function fillGpus() {
  const opts = app.gpus.map((g) => el('option', { value: g.id, text: g.name }));
  opts.push(unifiedOptions(), el('option', { value: 'custom', text: 'Custom GPU\u2026' }));
  $('f-gpu').replaceChildren(...opts);
}

export function formElements() {
  return [...document.querySelectorAll('[data-field]')];
}

// Puts the state into the form controls.
export function writeForm() {
  for (const e of formElements()) {
    const f = e.dataset.field;
    const v = app.state[f];
    if (e.type === 'radio') e.checked = e.value === String(v);
    else if (e.type === 'checkbox') e.checked = Boolean(v);
    else if (f === 'model') {
      const q = $('model-search');
      if (q.value) fillModels(q.value);
      // A model from a link that the search leaves out: clear the search so the picker shows it.
      if (q.value && ![...e.options].some((o) => o.value === v)) { q.value = ''; fillModels(); }
      e.value = v;
    } else if (String(e.value) !== String(v)) e.value = String(v);
  }
  for (const id of fieldErrors.keys()) setFieldError(id, null);
  fieldErrors.clear();
  syncVisibility();
}

export function syncVisibility() {
  const b = document.body.classList;
  b.toggle('mode-inference', app.state.mode === 'inference');
  b.toggle('mode-training', app.state.mode === 'training');
  b.toggle('lora', app.state.finetune !== 'full');
  b.toggle('custom-gpu', app.state.gpu === 'custom');
  b.toggle('hf-model', Boolean(app.state.hf));
  show($('hf-active'), Boolean(app.state.hf));
  if (app.state.hf) setText($('hf-name'), app.hfInfo || 'the pasted config.json');
  const files = companionsText(app.state);
  show($('ckpt-active'), Boolean(files));
  if (files) setText($('ckpt-name'), files);
  $('f-model').disabled = Boolean(app.state.hf);
  $('model-search').disabled = Boolean(app.state.hf);
  const m = app.models.find((x) => x.id === app.state.model);
  // The MTP checkbox: a preset with MTP layers (web/build.mjs: mtp), or a pasted config naming
  // them (the keys hf_config.cpp reads); llama.cpp never loads them, so not for a GGUF file.
  const hf = app.state.hf, ht = hf?.text_config || hf;
  show($('mtp-row'), !app.state.gguf && Boolean(hf ? ht.num_nextn_predict_layers > 0 || ht.mtp_num_hidden_layers > 0 : m?.mtp));
  setText($('f-model-info'), app.state.hf ? 'A pasted config is in use; clear it to pick a preset.' :
    m ? `${m.hf_repo} \u00b7 ${fmt.params(m.params.total)} parameters` : '');
  const g = app.gpus.find((x) => x.id === app.state.gpu);
  setText($('f-gpu-info'), g ? `${fmt.bytes(g.memory_bytes, 'GiB')} (${fmt.bytes(g.memory_bytes, 'GB')}), ` +
    `${fmt.grouped(g.memory_bandwidth_bytes_per_s / 1e9)} GB/s, ${fmt.grouped((g.peak_flops.bf16 || g.peak_flops.fp16 || 0) / 1e12)} TFLOP/s 16-bit dense` :
    'Enter the GPU\u2019s figures below.');
  const n = app.state.tp * app.state.pp * app.state.dp;
  if (!fieldErrors.has('f-gpus') && document.activeElement !== $('f-gpus')) $('f-gpus').value = String(n);
  if (!fieldErrors.has('f-context') && document.activeElement !== $('f-context')) $('f-context').value = String(app.state.prompt + app.state.gen);
  setText($('split-summary'), `Prompt and generated tokens: ${fmt.tokens(app.state.prompt)} + ${fmt.tokens(app.state.gen)}`);
  setText($('gpu-count'), `${n} GPU${n > 1 ? 's' : ''} = TP ${app.state.tp} \u00d7 PP ${app.state.pp} \u00d7 DP ${app.state.dp}` +
    (n > 1 ? ` (${layoutWords(app.state)})` : '') + '. The GPUs field fills a layout; edit TP, PP and DP to change it.');
  setText($('context-hint'), app.state.mode === 'inference'
    ? `Context: ${fmt.tokens(app.state.prompt + app.state.gen)} tokens (${fmt.tokens(app.state.prompt)} prompt + ${fmt.tokens(app.state.gen)} generated). The KV cache holds the whole context; the generated tokens are the decode steps that latency and throughput are measured over.`
    : `Tokens per optimizer step: batch \u00d7 sequence \u00d7 accumulation \u00d7 DP = ${fmt.tokens(app.state.batch * app.state.seq * app.state.accum * app.state.dp)}.`);
  syncLocal();
}

// ---------------------------------------------------------------- errors

export const PATH_TO_FIELD = [
  ...LOCAL_PATHS,
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
  [/^\/workload\/tokens_budget/, 'f-budget'],
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

export function fieldForPath(path) {
  for (const [re, id] of PATH_TO_FIELD) if (re.test(path)) return id;
  return null;
}

export function setFieldError(id, message) {
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

export let coreErrorFields = new Set();
export function showCoreErrors(errors) {
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

export function readControl(e) {
  const f = e.dataset.field;
  const type = e.dataset.type;
  if (e.type === 'checkbox') return { value: e.checked };
  if (e.type === 'radio') return { value: e.value };
  const raw = e.value.trim();
  if (type === 'int') {
    if (!/^-?\d{1,12}$/.test(raw)) return { error: 'Enter a whole number.' };
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

// A control's value ({ value }), or null once its error is shown and the results marked stale.
function checkedControl(e) {
  const r = readControl(e);
  if (!('error' in r)) return r;
  fieldErrors.set(e.id, r.error);
  setFieldError(e.id, r.error);
  markStale();
  return null;
}

// Recompute when every field is valid; while one is not, the last good result stays, marked stale.
function updateIfValid() {
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

export function onControl(e) {
  const f = e.dataset.field;
  const r = checkedControl(e);
  if (!r) return;
  if (fieldErrors.has(e.id)) {
    fieldErrors.delete(e.id);
    setFieldError(e.id, null);
  }
  const before = { ...app.state };
  const prev = before[f];
  app.state[f] = r.value;
  if (f === 'model') clearCompanions(app.state);
  if (f === 'model' || f === 'mode') {
    followDefaultWeights(before, app.state);
    $('f-weights').value = app.state.weights;
  }
  // Convenience, not estimation: keep the precision consistent with the fine-tuning method.
  if (f === 'finetune') {
    if (r.value === 'qlora' && !['nf4', 'int4'].includes(app.state.weights)) app.state.weights = 'nf4';
    if (r.value !== 'qlora' && prev === 'qlora' && ['nf4', 'int4'].includes(app.state.weights)) app.state.weights = 'bf16';
    $('f-weights').value = app.state.weights;
    // LoRA/QLoRA start with checkpointing on, as the frameworks do (state.js); a choice made
    // by hand, and the way back to full training, leave it as it is.
    if (app.state.ckpt === 'none' && prev === 'full') app.state.ckpt = defaultCheckpointing(r.value);
    $('f-ckpt').value = app.state.ckpt;
  }
  if (f === 'gpu' && r.value === 'custom' && prev !== 'custom') prefillCustomGpu(prev);
  if (f === 'unit') {
    render();
    return;
  }
  updateIfValid();
}

export function markStale() {
  const n = fieldErrors.size;
  setText($('status'), n ? `Fix the highlighted field${n > 1 ? 's' : ''}; the last valid result is still shown.` : '');
  showStale(n > 0);
  bumpCounter();
}

// The answer on screen is not the one the inputs ask for (an input or a link was refused):
// say so beside the verdict, so that a green "Fits" is never taken for the new input's.
export function showStale(on) {
  document.body.classList.toggle('stale', on);
  show($('stale-note'), on);
}

// Errors of a link: beside their fields where the page has one, and in the banner, whose
// list stays short however many there are.
export function showUrlErrors(errors) {
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

export function clearUrlErrors() {
  for (const id of urlErrorFields) if (!fieldErrors.has(id) && !coreErrorFields.has(id)) setFieldError(id, null);
  urlErrorFields = new Set();
}

export function prefillCustomGpu(fromId) {
  const g = app.gpus.find((x) => x.id === fromId);
  if (!g) return;
  app.state.cname = `${g.name} (custom)`.slice(0, 60);
  app.state.cmem = Math.round((g.memory_bytes / GIB) * 1000) / 1000;
  app.state.cbw = Math.round(g.memory_bandwidth_bytes_per_s / 1e9);
  app.state.cflops = Math.round((g.peak_flops.bf16 || g.peak_flops.fp16 || 0) / 1e12) || DEFAULTS.cflops;
  app.state.cflops8 = Math.round((g.peak_flops.fp8 || g.peak_flops.int8 || 0) / 1e12);
  app.state.cic = Math.round(g.interconnect_bandwidth_bytes_per_s / 1e9) || DEFAULTS.cic;
  for (const f of ['cname', 'cmem', 'cbw', 'cflops', 'cflops8', 'cic']) $(`f-${f}`).value = String(app.state[f]);
}

// ---------------------------------------------------------------- GPUs and context length

// GPUs in one server: NVLink/NVSwitch connects 8 (NVIDIA DGX H100/B200 and HGX boards), so
// tensor parallelism, which all-reduces every layer, stays within them.
export const GPUS_PER_NODE = 8;

function layoutWords(s) {
  const parts = [];
  if (s.tp > 1) parts.push(`tensor parallel over ${s.tp}`);
  if (s.pp > 1) parts.push(`${s.pp} pipeline stages`);
  if (s.dp > 1) parts.push(`${s.dp} data-parallel replicas`);
  return parts.join(', ');
}

// A layout for n GPUs. Inference splits the model: tensor parallel within a node (the largest
// divisor of n up to 8 that the model accepts: the core refuses a tp that does not divide the
// heads), pipeline stages across nodes. Training replicates it (data parallel, the usual first
// choice; ZeRO shards its states). Every candidate is checked by the core, never guessed.
export function layoutFor(n) {
  if (app.state.mode === 'training') return { tp: 1, pp: 1, dp: n };
  for (let tp = Math.min(n, GPUS_PER_NODE); tp >= 1; tp--) {
    if (n % tp) continue;
    const trial = { ...app.state, tp, pp: n / tp, dp: 1 };
    if (cached('estimate', scenarioFrom(trial)).ok) return { tp, pp: n / tp, dp: 1 };
  }
  return { tp: 1, pp: n, dp: 1 };
}

// A field that sets others (GPUs -> TP/PP/DP, context -> prompt/generated): checked like any
// field, then `apply` writes the fields it sets, whose own errors it clears.
function onDerived(e, apply) {
  const r = checkedControl(e);
  if (!r) return;
  for (const f of [e.dataset.derived, ...apply(r.value)]) {
    const id = f === e.dataset.derived ? e.id : `f-${f}`;
    if (id !== e.id) $(id).value = String(app.state[f]);
    fieldErrors.delete(id);
    setFieldError(id, null);
  }
  updateIfValid();
}

export function setupDerivedFields() {
  $('f-gpus').addEventListener('input', (e) => onDerived(e.target, (n) => {
    Object.assign(app.state, layoutFor(n));
    return ['tp', 'pp', 'dp'];
  }));
  // A context length keeps the generated tokens (fewer when the context is shorter) and gives
  // the prompt the rest.
  $('f-context').addEventListener('input', (e) => onDerived(e.target, (c) => {
    app.state.gen = Math.min(app.state.gen, c - 1);
    app.state.prompt = c - app.state.gen;
    return ['gen', 'prompt'];
  }));
}
