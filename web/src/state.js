// Page state <-> scenario JSON <-> URL. No estimation happens here: the state is only the
// user's inputs; the WASM core validates the scenario and computes every number. Ranges and
// choices come from the core's schema (llmcalc schema --json, embedded by web/build.mjs).
import { PRESETS } from 'llmcalc:presets';

const SCHEMA_FIELDS = new Map(PRESETS.schema.fields.map((f) => [f.pointer, f]));
// Unified-memory machines (Macs, Strix Halo, DGX Spark): picked like a GPU (hardware.gpu).
export const UNIFIED = new Map(PRESETS.unified.map((u) => [u.id, u]));
// The weights choice "as stored in the GGUF file" (its tensors' own types).
// The weight format that keeps a model file's own formats (a GGUF's tensor types, a checkpoint's
// quantization_config): the core's weights "checkpoint".
export const FILE_WEIGHTS = 'checkpoint';
// Engines that run GGUF files and offload with -ngl / --n-cpu-moe.
export const LLAMA_ENGINES = new Set(['llama.cpp', 'ollama']);
const ENUMS = PRESETS.schema.enums;
const names = (id) => ENUMS[id].names;

// Every weight format the core reads: the dtypes, then llama.cpp's GGUF types and mixes (upper case).
export const DTYPES = names(SCHEMA_FIELDS.get('/precision/weights').choices);
export const KV_DTYPES = names('KvDtype');
export const ACT_DTYPES = names('WideDtype');
export const OPTIMIZERS = names('Optimizer');

// The default example (LLaMA-2-7B, batch 4, context 4096). Inference splits the 4096-token
// context into a 3840-token prompt and 256 generated tokens, so decode latency and the
// throughput knee have decode steps to measure; the KV cache still holds 4096 tokens.
export const DEFAULTS = Object.freeze({
  model: 'llama-2-7b',
  hf: null, // a Hugging Face config.json (object) used instead of a preset
  // The checkpoint's companion files (checkpoint_files.js), for a preset or a pasted config:
  stIndex: null, // model.safetensors.index.json without its weight_map ({metadata: {total_size}})
  hfQuant: null, // hf_quant_config.json (ModelOpt checkpoints: their quantization lives here)
  mode: 'inference',
  method: 'detailed',
  engine: 'generic',
  weights: 'bf16',
  kv: 'bf16',
  act: 'bf16',
  grads: 'auto',
  master: 'auto',
  ostates: 'auto',
  group: 0, // 0 = the core's default for int4/int8
  batch: 4,
  prompt: 3840,
  gen: 256,
  seq: 4096,
  accum: 1,
  budget: 0, // training: tokens to train on (0 = none)
  optimizer: 'adamw',
  ckpt: 'none',
  finetune: 'full',
  rank: 16,
  zero: 0,
  tp: 1,
  pp: 1,
  dp: 1,
  sp: false,
  gpu: 'h100-sxm',
  cname: 'My GPU',
  cmem: 80, // GiB
  cbw: 3350, // GB/s
  cflops: 989, // dense 16-bit (fp16/bf16) TFLOP/s
  cflops8: 1979, // dense 8-bit (fp8/int8) TFLOP/s; 0 = not supported
  cic: 450, // GB/s interconnect
  flash: true,
  graphs: false,
  mtp: false, // load the model's MTP layers as a speculative draft (inference)
  price: 0,
  unit: 'GiB',
  gguf: null, // the model object of a GGUF file's header (core importGguf) used instead of a preset
  // Local hardware (issue 15). umem: a unified machine's memory size in GiB (0 = its smallest);
  // wired: the GPU's memory limit in MiB (macOS iogpu.wired_limit_mb; 0 = the default share);
  // ram / ramgb: the system RAM preset and size (GiB) that offloaded layers use; ngl / ncmoe:
  // llama.cpp's -ngl (-1 = all) and --n-cpu-moe (-1 = --cpu-moe).
  umem: 0,
  wired: 0,
  ram: 'ddr5-5600-2ch',
  ramgb: 64,
  ngl: -1,
  ncmoe: 0,
  // gpu2 / gpu3 / ts: a second and third GPU preset beside the first and llama.cpp's --tensor-split ('' = by
  // memory); cpu / cpuf: a CPU preset and its FLOP/s in TFLOP/s (0 = the preset's) (issue 15).
  gpu2: '', gpu3: '', ts: '', cpu: '', cpuf: 0,
  rre: 0,  // the RAM's read efficiency, the user's own (0 = the RAM preset's)
  // be: the backend llama.cpp was built with ('' = the core's default for the GPU).
  be: '',
});

// Activation checkpointing a fine-tuning method starts with: PEFT turns gradient checkpointing
// on for adapters over a quantized base (huggingface/peft src/peft/utils/other.py @012c0d5a,
// prepare_model_for_kbit_training(use_gradient_checkpointing=True)), and torchtune's LoRA
// recipes ship with it on (pytorch/torchtune recipes/configs/llama3_1/8B_lora_single_device.yaml
// @14857d88, enable_activation_checkpointing: True). Full training keeps the core's default.
export function defaultCheckpointing(finetune) {
  return finetune === 'lora' || finetune === 'qlora' ? 'full' : DEFAULTS.ckpt;
}

// Defaults that follow the fine-tuning method: QLoRA trains over a 4-bit NormalFloat base
// (the core's own default, resolve_defaults.cpp) and, like LoRA, with checkpointing on. A link
// leaves them out and reads them back. A preset released quantized (gpt-oss in MXFP4,
// DeepSeek-V3 in FP8, ...) is served as its checkpoint stores it, so in inference its weights
// default to the checkpoint's own formats.
export function defaultOf(field, state) {
  if (field === 'ckpt') return defaultCheckpointing(state.finetune);
  if (field === 'weights' && state.finetune === 'qlora') return 'nf4';
  if (field === 'weights' && state.mode === 'inference' && !state.hf && !state.gguf &&
      QUANTIZED.has(state.model)) return FILE_WEIGHTS;
  return DEFAULTS[field];
}

// The quantization method of each preset released quantized (web/build.mjs: ckpt).
export const QUANTIZED = new Map(PRESETS.models.filter((m) => m.ckpt).map((m) => [m.id, m.ckpt]));

// A weights choice still at its default follows a change of model or mode; one made by hand stays.
export function followDefaultWeights(before, state) {
  if (before.weights === defaultOf('weights', before)) state.weights = defaultOf('weights', state);
}

const int = (lo, hi) => ({ kind: 'int', lo, hi });
const num = (lo, hi) => ({ kind: 'num', lo, hi });
const choice = (...values) => ({ kind: 'choice', values });
// A schema field's range or choices (aliases accepted, read as the name they stand for).
function field(pointer) {
  const f = SCHEMA_FIELDS.get(pointer);
  if (!f) throw new Error(`state.js: the schema has no field ${pointer}`);
  if (f.type === 'integer') return int(f.min, f.max);
  if (f.type === 'number') return num(f.min, f.max);
  if (f.type === 'boolean') return bool();
  if (f.type === 'choice') return { kind: 'choice', values: names(f.choices), aliases: ENUMS[f.choices].aliases };
  throw new Error(`state.js: ${pointer} is not a simple field`);
}
const bool = () => ({ kind: 'bool' });
const text = (max) => ({ kind: 'text', max });

// URL key -> [state field, validator]. Anything else in the URL is rejected with a message.
export const URL_FIELDS = {
  model: ['model', { kind: 'model' }],
  hf: ['hf', { kind: 'json', what: 'config.json', omittable: true }],
  sti: ['stIndex', { kind: 'json', what: 'model.safetensors.index.json' }],
  hq: ['hfQuant', { kind: 'json', what: 'hf_quant_config.json' }],
  mode: ['mode', field('/mode')],
  method: ['method', field('/method')],
  engine: ['engine', choice(...PRESETS.engines.map((e) => e.id))],
  w: ['weights', field('/precision/weights')],
  kv: ['kv', field('/precision/kv_cache')],
  act: ['act', field('/precision/activations')],
  grad: ['grads', choice('auto', ...names('WideDtype'))],
  master: ['master', choice('auto', ...names('MasterWeights'))],
  ost: ['ostates', choice('auto', ...names('StateDtype'))],
  gs: ['group', field('/precision/group_size')],
  b: ['batch', field('/workload/batch')],
  p: ['prompt', field('/workload/prompt')],
  g: ['gen', field('/workload/generate')],
  seq: ['seq', field('/workload/seq')],
  ga: ['accum', field('/workload/grad_accum')],
  tb: ['budget', field('/workload/tokens_budget')],
  opt: ['optimizer', field('/training/optimizer')],
  ckpt: ['ckpt', field('/training/checkpointing')],
  ft: ['finetune', field('/training/finetune')],
  r: ['rank', field('/training/lora/rank')],
  zero: ['zero', field('/training/zero_stage')],
  tp: ['tp', field('/parallelism/tp')],
  pp: ['pp', field('/parallelism/pp')],
  dp: ['dp', field('/parallelism/dp')],
  sp: ['sp', field('/parallelism/sequence_parallel')],
  gpu: ['gpu', { kind: 'gpu' }],
  // The custom GPU's fields are in the page's units (GiB, GB/s, TFLOP/s), not the schema's.
  cname: ['cname', text(60)],
  cmem: ['cmem', num(0.001, 1e6)],
  cbw: ['cbw', num(1, 1e7)],
  cflops: ['cflops', num(0.001, 1e6)],
  cf8: ['cflops8', num(0, 1e6)],
  cic: ['cic', num(1, 1e6)],
  flash: ['flash', field('/options/flash_attention')],
  graphs: ['graphs', field('/options/cuda_graphs')],
  mtp: ['mtp', field('/options/load_mtp')],
  price: ['price', field('/options/price_per_gpu_hour')],
  unit: ['unit', choice('GiB', 'GB')],
  gguf: ['gguf', { kind: 'json', what: 'GGUF model' }],
  umem: ['umem', num(0, 1e6)],
  wired: ['wired', int(0, 1e9)],
  ram: ['ram', choice(...PRESETS.hostMemory.map((h) => h.id))],
  ramgb: ['ramgb', num(0.001, 1e6)],
  ngl: ['ngl', field('/offload/gpu_layers')],
  ncmoe: ['ncmoe', field('/offload/cpu_moe_layers')],
  gpu2: ['gpu2', choice(...PRESETS.gpus.map((g) => g.id))], gpu3: ['gpu3', choice(...PRESETS.gpus.map((g) => g.id))], ts: ['ts', text(60)], cpu: ['cpu', text(40)], cpuf: ['cpuf', num(0, 1e3)],
  rre: ['rre', field('/hardware/ram_read_efficiency')],
  be: ['be', field('/offload/backend')],
};
// Fields that apply only to some hardware or engines; a link leaves them out otherwise.
const UNIFIED_FIELDS = new Set(['umem', 'wired']);
const OFFLOAD_FIELDS = new Set(['ngl', 'ncmoe', 'ram', 'ramgb', 'gpu2', 'gpu3', 'ts', 'cpu', 'cpuf', 'rre', 'be']);
const CUSTOM_GPU_FIELDS = new Set(['cname', 'cmem', 'cbw', 'cflops', 'cflops8', 'cic']);
const FIELD_TO_KEY = Object.fromEntries(Object.entries(URL_FIELDS).map(([k, [f]]) => [f, k]));
// Keys that may appear in the URL but are not scenario fields.
const PAGE_KEYS = new Set(['embed', 'theme']);
export const MAX_URL_CHARS = 16384;
const MAX_VALUE_CHARS = 12288;
// Written instead of a pasted config.json that would make the link too long to open again.
export const HF_OMITTED = 'omitted';
const UNKNOWN_SHOWN = 5; // unknown parameters named in their one message; the rest counted

// A hash that is an element id (the "Skip to results" link's #results), not a scenario:
// scenario hashes are key=value pairs.
export function isAnchorHash(hash) {
  return /^[A-Za-z][\w-]*$/.test(hash.replace(/^#/, ''));
}

// Shows a value from the URL safely (as text, shortened).
export function shown(v) {
  const s = String(v);
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '...' : s);
}

function b64urlEncode(str) {
  const bytes = new TextEncoder().encode(str);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlDecode(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('not base64url');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function parseValue(raw, spec, ctx) {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d{1,12}$/.test(raw)) return { error: 'must be a whole number' };
      const n = Number(raw);
      if (n < spec.lo || n > spec.hi) return { error: `must be between ${spec.lo} and ${spec.hi}` };
      return { value: n };
    }
    case 'num': {
      if (!/^\d{1,17}(\.\d{1,9})?$/.test(raw)) return { error: 'must be a plain decimal number' };
      const n = Number(raw);
      if (!Number.isFinite(n) || n < spec.lo || n > spec.hi)
        return { error: `must be between ${spec.lo} and ${spec.hi}` };
      return { value: n };
    }
    case 'choice':
      if (spec.values.includes(raw)) return { value: raw };
      if (spec.aliases && Object.prototype.hasOwnProperty.call(spec.aliases, raw)) return { value: spec.aliases[raw] };
      return { error: 'must be one of ' + spec.values.join(', ') };
    case 'bool':
      return raw === '1' || raw === '0' ? { value: raw === '1' } : { error: 'must be 0 or 1' };
    case 'text':
      // Plain printable text only; it is only ever shown with textContent anyway.
      if (raw.length > spec.max || /[\u0000-\u001f\u007f<>]/.test(raw)) return { error: 'is not a plain short name' };
      return { value: raw };
    case 'model':
      return ctx.modelIds.has(raw) ? { value: raw } : { error: 'is not a model preset' };
    case 'gpu':
      return raw === 'custom' || ctx.gpuIds.has(raw) || UNIFIED.has(raw) ? { value: raw } : { error: 'is not a GPU preset' };
    case 'json': {
      // A JSON object in base64url: a pasted config.json, a GGUF header's model, a checkpoint file.
      if (spec.omittable && raw === HF_OMITTED)
        return { error: 'stood for a pasted config.json too large to carry in a link: paste it again' };
      let obj;
      try {
        obj = JSON.parse(b64urlDecode(raw));
      } catch {
        return { error: `is not a valid encoded ${spec.what}` };
      }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { error: `is not a ${spec.what} object` };
      return { value: obj }; // the core validates it when the scenario is estimated
    }
    default:
      return { error: 'is not supported' };
  }
}

// Reads the state from a URL's hash (and query). Returns {state, errors, embed}, each error
// {text, field} with field the state field it concerns (null: the link as a whole). Unknown
// keys and invalid values are rejected and fall back to defaults; unknown keys make one
// error however many there are. A hash that is an element id (isAnchorHash) is no scenario.
export function stateFromUrl(href, ctx) {
  const state = { ...DEFAULTS };
  const errors = [];
  const fail = (text, field = null) => errors.push({ text, field });
  let embed = false;
  let theme = 'auto'; // the page's colours: the reader's OS setting, or the host page's choice
  let url;
  try {
    url = new URL(href);
  } catch {
    fail('the address could not be read');
    return { state, errors, embed, theme };
  }
  if (url.search.length + url.hash.length > MAX_URL_CHARS) {
    fail(`the link's parameters are too long (over ${MAX_URL_CHARS} characters); defaults shown`);
    return { state, errors, embed, theme };
  }
  const hash = isAnchorHash(url.hash) ? '' : url.hash.replace(/^#/, '');
  const lists = [new URLSearchParams(url.search), new URLSearchParams(hash)];
  const seen = new Set();
  const unknown = [];
  for (const params of lists) {
    for (const [key, raw] of params) {
      if (key === 'embed') {
        // embed=1: the compact card; embed=answer: the verdict and key figures only.
        embed = raw === 'answer' ? 'answer' : raw === '1' || raw === 'true';
        continue;
      }
      if (key === 'theme') {
        if (['light', 'dark', 'auto'].includes(raw)) theme = raw;
        else fail(`parameter theme=${shown(raw)} must be light, dark or auto; auto used`);
        continue;
      }
      if (PAGE_KEYS.has(key)) continue;
      const entry = Object.prototype.hasOwnProperty.call(URL_FIELDS, key) ? URL_FIELDS[key] : null;
      if (!entry) {
        unknown.push(key);
        continue;
      }
      if (seen.has(key)) {
        fail(`parameter ${shown(key)} given twice; the first is used`, entry[0]);
        continue;
      }
      seen.add(key);
      if (raw.length > MAX_VALUE_CHARS) {
        fail(`parameter ${shown(key)} is too long; default used`, entry[0]);
        continue;
      }
      const r = parseValue(raw, entry[1], ctx);
      if ('error' in r) fail(`parameter ${key}=${shown(raw)} ${r.error}; default used`, entry[0]);
      else state[entry[0]] = r.value;
    }
  }
  if (unknown.length) {
    const names = unknown.slice(0, UNKNOWN_SHOWN).map(shown).join(', ');
    fail(unknown.length === 1 ? `unknown parameter ${names} ignored`
      : `${unknown.length} unknown parameters ignored: ${names}${unknown.length > UNKNOWN_SHOWN ? ', ...' : ''}`);
  }
  if (!seen.has('ckpt')) state.ckpt = defaultOf('ckpt', state);
  if (!seen.has('w')) state.weights = defaultOf('weights', state);
  const models = ['model', 'hf', 'gguf'].filter((k) => seen.has(k));
  if (models.length > 1) {
    // Two models: a conflict, not a silent choice of one.
    state.model = DEFAULTS.model;
    state.hf = null;
    state.gguf = null;
    fail(`parameters ${models.map((k) => `${k}=`).join(' and ')} ${models.length > 2 ? 'all' : 'both'} name the model; a link names one (${models.length > 2 ? 'all' : 'both'} ignored)`, 'model');
  }
  const u = UNIFIED.get(state.gpu);
  if (u && state.umem > 0 && !u.memory_gib.includes(state.umem)) {
    fail(`parameter umem=${shown(state.umem)} is not a memory size of the ${u.name} (${u.memory_gib.join(', ')} GiB); its smallest used`, 'umem');
    state.umem = 0;
  }
  return { state, errors, embed, theme };
}

function encodeValue(field, v) {
  if (typeof v === 'object') return b64urlEncode(JSON.stringify(v)); // hf=, sti=, hq=
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

// The hash for a state: only values that differ from the defaults, in a stable order.
// `omitHf` writes the HF_OMITTED marker instead of a pasted config (see linkFor).
export function stateToHash(state, omitHf = false) {
  const params = new URLSearchParams();
  for (const [key, [field]] of Object.entries(URL_FIELDS)) {
    const v = state[field];
    if (v === null || v === undefined) continue;
    if (field === 'hf') {
      params.set(key, omitHf ? HF_OMITTED : encodeValue(field, v));
      continue;
    }
    if (field === 'gguf') {
      params.set(key, encodeValue(field, v));
      continue;
    }
    if (v === defaultOf(field, state)) continue;
    if (CUSTOM_GPU_FIELDS.has(field) && state.gpu !== 'custom') continue;
    if (UNIFIED_FIELDS.has(field) && !UNIFIED.has(state.gpu)) continue;
    if (OFFLOAD_FIELDS.has(field) && !LLAMA_ENGINES.has(state.engine)) continue;
    if ((field === 'ram' || field === 'ramgb') && UNIFIED.has(state.gpu)) continue;
    if (field === 'model' && (state.hf || state.gguf)) continue;
    params.set(key, encodeValue(field, v));
  }
  return params.toString();
}

// The hash to write for a state, and whether a pasted config had to be left out: a link
// longer than a reader accepts (MAX_URL_CHARS) could not be opened again.
export function linkFor(state) {
  const hash = stateToHash(state);
  if (hash.length <= MAX_URL_CHARS || !state.hf) return { hash, omitted: false, full: hash.length };
  return { hash: stateToHash(state, true), omitted: true, full: hash.length };
}

export function keyForField(field) {
  return FIELD_TO_KEY[field];
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

// Keys of a config.json that only label classifier outputs; dropped so links stay short.
const HF_NOISE = ['id2label', 'label2id', 'task_specific_params'];
export function trimHfConfig(config) {
  const out = { ...config };
  for (const k of HF_NOISE) delete out[k];
  return out;
}

function hfModel(config) {
  const m = { hf_config: config };
  const n = config._name_or_path;
  if (typeof n === 'string' && n.trim()) m.name = n.trim().slice(0, 100);
  return m;
}

// The model: a preset id, or an object when a config.json or checkpoint files come with it.
function modelFrom(state) {
  if (state.gguf) return state.gguf;
  if (!state.hf && !state.stIndex && !state.hfQuant) return state.model;
  const m = state.hf ? hfModel(state.hf) : { preset: state.model };
  if (state.stIndex) m.safetensors_index = state.stIndex;
  if (state.hfQuant) m.hf_quant_config = state.hfQuant;
  return m;
}

// The scenario JSON the core reads (core/src/scenario/parse_scenario.cpp's schema).
export function scenarioFrom(state) {
  const s = {
    model: modelFrom(state),
    mode: state.mode,
    method: state.method,
    precision: { weights: state.weights, kv_cache: state.kv, activations: state.act },
    workload: { batch: state.batch },
    parallelism: { tp: state.tp, pp: state.pp, dp: state.dp, sequence_parallel: state.sp },
    options: { flash_attention: state.flash, cuda_graphs: state.graphs },
  };
  if (state.price > 0) s.options.price_per_gpu_hour = state.price;
  if (state.engine && state.engine !== 'generic') s.engine = state.engine;
  if (state.group > 0) s.precision.group_size = state.group;
  if (state.mode === 'inference') {
    s.workload.prompt = state.prompt;
    s.workload.generate = state.gen;
    if (state.mtp) s.options.load_mtp = true;
  } else {
    s.workload.seq = state.seq;
    s.workload.grad_accum = state.accum;
    if (state.budget > 0) s.workload.tokens_budget = state.budget;
    if (state.grads !== 'auto') s.precision.gradients = state.grads;
    if (state.master !== 'auto') s.precision.master_weights = state.master;
    if (state.ostates !== 'auto') s.precision.optimizer_states = state.ostates;
    s.training = {
      optimizer: state.optimizer,
      checkpointing: state.ckpt,
      finetune: state.finetune,
      zero_stage: state.zero,
    };
    if (state.finetune !== 'full') s.training.lora = { rank: state.rank };
  }
  if (state.gpu === 'custom') {
    const f16 = state.cflops * 1e12;
    const f8 = state.cflops8 * 1e12;
    s.hardware = {
      name: state.cname || 'Custom GPU',
      memory_bytes: Math.round(state.cmem * GIB),
      memory_bandwidth_bytes_per_s: state.cbw * 1e9,
      interconnect_bandwidth_bytes_per_s: state.cic * 1e9,
      peak_flops: f8 > 0 ? { fp16: f16, bf16: f16, fp8: f8, int8: f8 } : { fp16: f16, bf16: f16 },
    };
  } else {
    s.hardware = { gpu: state.gpu };
  }
  addLocalHardware(state, s);
  return s;
}


// Local hardware: a unified machine's memory size and GPU limit; llama.cpp's offload, with the
// system RAM it offloads to, when -ngl or --n-cpu-moe is set on a llama.cpp engine.
export function offloadOn(state) {
  return state.mode === 'inference' && LLAMA_ENGINES.has(state.engine) && (state.ngl !== -1 || state.ncmoe !== 0 || Boolean(state.gpu2 || state.gpu3));
}
function addLocalHardware(state, s) {
  const unified = UNIFIED.has(state.gpu);
  if (unified && state.umem > 0) s.hardware.host_memory_bytes = Math.round(state.umem * GIB);
  if (unified && state.wired > 0) s.hardware.gpu_memory_limit_bytes = state.wired * MIB;
  if (!offloadOn(state)) return;
  s.offload = { gpu_layers: state.ngl, cpu_moe_layers: state.ncmoe };
  const extra = [state.gpu2, state.gpu3].filter(Boolean);
  if (extra.length && !unified) s.hardware.extra_gpus = extra;
  if (state.ts) s.offload.tensor_split = state.ts.split(/[\s,]+/).map(Number); // NaN -> null: the core names it
  if (state.cpu) s.hardware.cpu = state.cpu;
  if (state.cpuf > 0) s.hardware.cpu_flops = state.cpuf * 1e12;
  if (state.rre > 0) s.hardware.ram_read_efficiency = state.rre;
  if (state.be) s.offload.backend = state.be;
  if (!unified) {
    s.hardware.host_memory = state.ram;
    s.hardware.host_memory_bytes = Math.round(state.ramgb * GIB);
  }
}

// The context length a state describes (prompt + generated tokens, or the training sequence).
export function contextOf(state) {
  return state.mode === 'inference' ? state.prompt + state.gen : state.seq;
}

// Sets each numeric input's min and max from the URL table's ranges (the schema's), so the form
// never restates them: <input data-field="batch"> gets the /workload/batch range.
export function applyInputRanges(root) {
  for (const input of root.querySelectorAll('input[type=number][data-field]')) {
    const spec = URL_FIELDS[FIELD_TO_KEY[input.dataset.field]]?.[1];
    if (!spec || (spec.kind !== 'int' && spec.kind !== 'num')) continue;
    input.min = String(spec.lo);
    input.max = String(spec.hi);
  }
}
