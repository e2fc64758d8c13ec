// A GGUF file's header read in the page (no DOM here): the bytes -> the model object a gguf=
// link carries ({architecture, name, gguf: {file_type, tensor_types}}), which the core then
// validates and estimates like any model. The same reading as the CLI's importer
// (core/src/model/gguf_reader.cpp, gguf_model.cpp; `llmcalc --gguf`), in JS because the C++
// importer added 24 KB to the page's .wasm (+10.7 KiB gzip, over the page's budget);
// tests/node/gguf_header.test.mjs checks that both give the same answer, errors included.
// Layout: ggml-org/ggml docs/gguf.md (little-endian; version 2 and 3).

// ggml types as name:id:block elements:block bytes: core/data/gguf_types.json's `types` (from
// llama.cpp gguf-py constants.py @ 0024aa74), without its notes, which the page would carry
// for nothing; the Node test compares the two.
export const GGML_TYPES = new Map(('F32:0:1:4 F16:1:1:2 Q4_0:2:32:18 Q4_1:3:32:20 Q5_0:6:32:22 Q5_1:7:32:24 ' +
  'Q8_0:8:32:34 Q2_K:10:256:84 Q3_K:11:256:110 Q4_K:12:256:144 Q5_K:13:256:176 Q6_K:14:256:210 Q8_K:15:256:292 ' +
  'IQ2_XXS:16:256:66 IQ2_XS:17:256:74 IQ3_XXS:18:256:98 IQ1_S:19:256:50 IQ4_NL:20:32:18 IQ3_S:21:256:110 ' +
  'IQ2_S:22:256:82 IQ4_XS:23:256:136 I8:24:1:1 I16:25:1:2 I32:26:1:4 I64:27:1:8 F64:28:1:8 IQ1_M:29:256:56 ' +
  'BF16:30:1:2 TQ1_0:34:256:54 TQ2_0:35:256:66 MXFP4:39:32:17 NVFP4:40:64:36 Q1_0:41:128:18').split(' ').map((t) => {
  const [name, id, blockElements, blockBytes] = t.split(':');
  return [Number(id), { name, id: Number(id), block_elements: Number(blockElements), block_bytes: Number(blockBytes) }];
}));
// general.file_type (llama_ftype) -> the file type's name: the `ftype` of each mix in
// core/data/gguf_types.json (too large to bundle whole); the Node test compares the two.
const FTYPES = 'F32 F16 Q4_0 Q4_1 - - - Q8_0 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S ' +
  'Q5_K_M Q6_K IQ2_XXS IQ2_XS Q2_K_S IQ3_XS IQ3_XXS IQ1_S IQ4_NL IQ3_S IQ3_M IQ2_S IQ2_M IQ4_XS IQ1_M ' +
  'BF16 - - - TQ1_0 TQ2_0 MXFP4_MOE';
export const FILE_TYPES = FTYPES.split(' ');

// The reader's limits (core/src/model/gguf_reader.hpp): no header allocates much or loops long.
const MAX_TENSORS = 2 ** 20;
const MAX_KVS = 2 ** 20;
const MAX_KEY = 2 ** 16;
const MAX_STRING = 2 ** 28;
const MAX_ARRAY = 2 ** 30;
const MAX_NAME = 63; // GGML_MAX_NAME with its NUL
const KEPT_STRING = 4096;
const MAX_DIMS = 4; // GGML_MAX_DIMS
const KEPT_ARRAY = 1024;
const KEPT_ARRAY_VALUES = 2 ** 20;
const INT64_MAX = 2n ** 63n - 1n;
const VALUE_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64'];
const SIZES = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
const isInt = (t) => t <= 5 || t === 10 || t === 11;
const utf8 = new TextDecoder();
const keyPath = (k) => '/gguf/metadata/' + k.replace(/~/g, '~0').replace(/\//g, '~1');

class Stop extends Error {}

function firstDuplicate(names) {
  const sorted = [...names].sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return sorted[i];
  return undefined;
}

// Reads the header in `b` (the file's first bytes; fileSize 0: unknown) field by field,
// little-endian; the first problem ends it: {h} or {error, need}.
function parse(b, fileSize) {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  let need = 0; // > 0: the bytes ended inside the header; read at least this many
  let kept = 0;
  let error;

  // path: a JSON pointer, or a function making it (built only for an error: a tokenizer's
  // 150k strings would otherwise make 150k paths).
  function fail(path, code, message) {
    error = { path: typeof path === 'function' ? path() : path, code, message };
    throw new Stop();
  }

  function have(n, path) {
    if (n <= b.length - pos) return;
    const end = pos + n;
    if (fileSize > 0 && end > fileSize)
      fail(path, 'truncated_file', `the file ends at byte ${fileSize} but its header continues to byte ${end} (an incomplete download?)`);
    need = end;
    fail(path, 'truncated', `the header continues past the ${b.length} bytes given; read at least ${end} bytes`);
  }

  function u32(path) {
    have(4, path);
    const x = v.getUint32(pos, true);
    pos += 4;
    return x;
  }

  // A u64 as a BigInt (exact; counts and lengths are checked against limits before use).
  function u64(path) {
    have(8, path);
    const x = v.getBigUint64(pos, true);
    pos += 8;
    return x;
  }

  // A gguf_string: u64 length, then bytes; the text when it is at most `keep` bytes long.
  function string(max, keep, path) {
    const n = u64(path);
    if (n > BigInt(max)) fail(path, 'too_long', `string of ${n} bytes; the limit is ${max}`);
    const len = Number(n);
    have(len, path);
    const text = len <= keep ? utf8.decode(b.subarray(pos, pos + len)) : undefined;
    pos += len;
    return { text, len };
  }

  // A scalar of value type t: {integer?, number}.
  function scalar(t, path) {
    have(SIZES[t], path);
    const p = pos;
    pos += SIZES[t];
    switch (t) {
      case 0: case 7: return { integer: v.getUint8(p) };
      case 1: return { integer: v.getInt8(p) };
      case 2: return { integer: v.getUint16(p, true) };
      case 3: return { integer: v.getInt16(p, true) };
      case 4: return { integer: v.getUint32(p, true) };
      case 5: return { integer: v.getInt32(p, true) };
      case 6: return { number: v.getFloat32(p, true) };
      case 10: { const x = v.getBigUint64(p, true); return x < 2n ** 63n ? { integer: Number(x) } : { number: Number(x) }; }
      case 11: return { integer: Number(v.getBigInt64(p, true)) };
      default: return { number: v.getFloat64(p, true) };
    }
  }

  function value(kv, path) {
    const t = kv.type;
    if (t === 8) {
      kv.text = string(MAX_STRING, KEPT_STRING, path).text;
      return;
    }
    if (t !== 9) {
      Object.assign(kv, scalar(t, path));
      return;
    }
    const et = u32(path + '/element_type');
    if (et > 12) fail(path + '/element_type', 'unknown_value_type', `array element type must be 0..12, found ${et}`);
    if (et === 9) fail(path + '/element_type', 'nested_array', "arrays of arrays are not supported (ggml's gguf.cpp rejects them too)");
    const n64 = u64(path + '/length');
    if (n64 > BigInt(MAX_ARRAY)) fail(path + '/length', 'too_long', `array of ${n64} elements; the limit is ${MAX_ARRAY}`);
    const n = Number(n64);
    Object.assign(kv, { arrayType: et, arrayLength: n });
    // A tokenizer's strings each carry their length: walked, not kept.
    if (et === 8) {
      for (let i = 0; i < n; i++) string(MAX_STRING, -1, () => `${path}/${i}`);
      return;
    }
    const size = SIZES[et];
    // Short integer arrays are kept: per-layer hyperparameters (the largest entry is used).
    if (isInt(et) && n <= KEPT_ARRAY && kept + n <= KEPT_ARRAY_VALUES) {
      have(size * n, path);
      kept += n;
      kv.integers = [];
      for (let i = 0; i < n; i++) {
        const one = scalar(et, path);
        if (one.integer === undefined) {
          kv.integers = [];
          pos += size * (n - i - 1);
          return;
        }
        kv.integers.push(one.integer);
      }
      return;
    }
    have(size * n, path);
    pos += size * n;
  }

  function hyper(meta, key) {
    const kv = meta.get(key);
    if (!kv) return 0;
    let v;
    if (kv.type === 9 && isInt(kv.arrayType)) {
      if (!kv.integers?.length) return 0;
      v = Math.max(...kv.integers);
    } else if (isInt(kv.type) && kv.integer !== undefined) {
      v = kv.integer;
    } else {
      fail(keyPath(key), 'wrong_type', `must be an integer, found ${VALUE_TYPES[kv.type]}`);
    }
    if (v < 0) fail(keyPath(key), 'out_of_range', `must be >= 0, found ${v}`);
    return v;
  }

  function readHeader() {
    if (fileSize > 0 && fileSize < 4)
      fail('/gguf/magic', 'not_gguf', `a GGUF file starts with the 4 bytes 'GGUF'; this file has only ${fileSize} bytes`);
    have(4, '/gguf/magic');
    const magic = [...b.subarray(0, 4)];
    if (String.fromCharCode(...magic) !== 'GGUF') {
      const shown = magic.map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('');
      const hex = magic.map((c) => c.toString(16).toUpperCase().padStart(2, '0')).join(' ');
      fail('/gguf/magic', 'not_gguf', `a GGUF file starts with 'GGUF' (47 47 55 46); this one starts with '${shown}' (${hex})`);
    }
    pos = 4;
    const version = u32('/gguf/version');
    if (version !== 2 && version !== 3) {
      if ((version & 0xffff) === 0 && version >>> 16 !== 0)
        fail('/gguf/version', 'big_endian', `the version reads as ${version}: a big-endian GGUF, which this reader does not support`);
      fail('/gguf/version', 'unsupported_version', version === 1
        ? 'GGUF version 1 (32-bit counts, 2023) is no longer read; convert the file again'
        : `supported GGUF versions are 2 and 3, found ${version}`);
    }
    const nTensors = u64('/gguf/tensor_count');
    const nKv = u64('/gguf/metadata_count');
    if (nTensors > BigInt(MAX_TENSORS)) fail('/gguf/tensor_count', 'too_many', `${nTensors} tensors; the limit is ${MAX_TENSORS}`);
    if (nKv > BigInt(MAX_KVS)) fail('/gguf/metadata_count', 'too_many', `${nKv} metadata entries; the limit is ${MAX_KVS}`);

    const meta = new Map();
    const keys = [];
    for (let i = 0; i < Number(nKv); i++) {
      const at = `/gguf/metadata/${i}`;
      const key = string(MAX_KEY, MAX_KEY, at + '/key').text;
      if (!key) fail(at + '/key', 'empty_key', `metadata key ${i} is empty`);
      const path = keyPath(key);
      const type = u32(path + '/type');
      if (type > 12) fail(path + '/type', 'unknown_value_type', `value type must be 0..12, found ${type}`);
      const kv = { type };
      value(kv, path + '/value');
      keys.push(key);
      if (!meta.has(key)) meta.set(key, kv); // the first, as the core's find()
    }
    const dupKey = firstDuplicate(keys);
    if (dupKey !== undefined) fail(keyPath(dupKey), 'duplicate_key', `key "${dupKey}" appears twice`);

    const tensors = [];
    let weightBytes = 0n;
    let weightElements = 0n;
    for (let i = 0; i < Number(nTensors); i++) {
      const at = `/gguf/tensors/${i}`;
      const s = string(MAX_STRING, MAX_NAME, at + '/name');
      if (s.len > MAX_NAME) fail(at + '/name', 'too_long', `tensor name of ${s.len} bytes; ggml allows ${MAX_NAME}`);
      const name = s.text;
      const nDims = u32(at + '/n_dims');
      if (nDims > MAX_DIMS) fail(at + '/n_dims', 'too_many_dims', `tensor '${name}' has ${nDims} dimensions; ggml allows ${MAX_DIMS}`);
      const dims = [];
      for (let d = 0; d < nDims; d++) {
        const ne = u64(`${at}/dims/${d}`);
        if (ne > INT64_MAX) fail(`${at}/dims/${d}`, 'out_of_range', `tensor '${name}' dimension ${d} is ${ne}, past int64`);
        dims.push(ne);
      }
      const typeId = u32(at + '/type');
      const offset = u64(at + '/offset');
      const type = GGML_TYPES.get(typeId);
      if (!type)
        fail(at + '/type', 'unknown_tensor_type', `tensor '${name}' has ggml type ${typeId}, which is not in the type table (core/data/gguf_types.json)`);
      // Exact in BigInt, each within int64 as the core requires (gguf_types.cpp tensor_bytes).
      const per = BigInt(type.block_elements);
      let bytes = dims.length ? (dims[0] / per) * BigInt(type.block_bytes) : BigInt(type.block_bytes); // a scalar: one block
      let elements = 1n;
      for (let d = 1; d < dims.length; d++) bytes *= dims[d];
      for (const d of dims) elements *= d;
      if ((dims.length && dims[0] % per !== 0n) || bytes > INT64_MAX || elements > INT64_MAX)
        fail(at + '/dims', 'bad_shape', `tensor '${name}' of type ${type.name} has shape [${dims.join(' x ')}]: ` +
          `its row length must be a multiple of ${type.block_elements} and its size must fit in int64`);
      weightBytes += bytes;
      weightElements += elements;
      if (weightBytes > INT64_MAX || weightElements > INT64_MAX) fail(at, 'out_of_range', "the tensors' total size does not fit in int64");
      tensors.push({ name, dims, type, offset, bytes, elements });
    }
    const dupName = firstDuplicate(tensors.map((t) => t.name));
    if (dupName !== undefined) fail('/gguf/tensors', 'duplicate_tensor', `tensor '${dupName}' appears twice`);

    let alignment = 32; // GGUF_DEFAULT_ALIGNMENT
    const al = meta.get('general.alignment');
    if (al) {
      if (al.type !== 4 || !al.integer || (al.integer & (al.integer - 1)) !== 0)
        fail(keyPath('general.alignment'), 'bad_alignment', `must be a uint32 power of two, found ${VALUE_TYPES[al.type]}` +
          (al.integer !== undefined ? ` ${al.integer}` : ''));
      alignment = al.integer;
    }
    const headerBytes = pos;
    const dataOffset = Math.ceil(headerBytes / alignment) * alignment;
    tensors.forEach((t, i) => {
      const at = `/gguf/tensors/${i}/offset`;
      if (t.offset % BigInt(alignment) !== 0n)
        fail(at, 'misaligned', `tensor '${t.name}' starts at data offset ${t.offset}, not a multiple of the alignment ${alignment}`);
      const room = BigInt(Math.max(fileSize - dataOffset, 0));
      if (fileSize > 0 && (t.offset > room || t.bytes > room - t.offset))
        fail(at, 'out_of_file', `tensor '${t.name}' (${t.bytes} bytes at data offset ${t.offset}) ends past the end of the ${fileSize}-byte file`);
    });

    const arch = meta.get('general.architecture');
    if (!arch) fail(keyPath('general.architecture'), 'missing_key', 'a model file names its architecture; this one does not');
    if (arch.type !== 8 || !arch.text)
      fail(keyPath('general.architecture'), 'wrong_type', `must be a non-empty string, found ${VALUE_TYPES[arch.type]}`);
    const a = arch.text;
    const h = { meta, tensors, weightBytes, headerBytes, architecture: a, name: meta.get('general.name')?.text || '' };
    h.fileType = meta.get('general.file_type')?.integer ?? -1;
    // h[key]: context_length, ..., attention.head_count (in the core's order, for its errors).
    for (const key of ['context_length', 'block_count', 'embedding_length', 'feed_forward_length', 'attention.head_count',
      'attention.head_count_kv', 'expert_count', 'expert_used_count', 'vocab_size'])
      h[key] = hyper(meta, `${a}.${key}`);
    return h;
  }

  try {
    return { h: readHeader() };
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return { error, need };
  }
}

// The model object of a read header (gguf_model.cpp's model_from_header): the architecture
// from the tensor shapes and the head counts; the elements stored in each ggml type.
function modelFrom(h) {
  const fail = (path, code, message) => ({ errors: [{ path, code, message }] });
  const byName = new Map(h.tensors.map((t) => [t.name, t]));
  const T = (name) => byName.get(name);
  const blk = (i, s) => T(`blk.${i}.${s}`);
  const dim = (t, i) => (i < t.dims.length ? Number(t.dims[i]) : 1);
  const metaInt = (key) => h.meta.get(key)?.integer ?? 0;
  const embd = T('token_embd.weight');
  if (!embd || embd.dims.length < 2) return fail('/gguf/tensors', 'missing_key', 'no 2-D token_embd.weight: not a decoder LLM GGUF');
  const layers = h.block_count;
  if (layers <= 0) return fail(`/gguf/metadata/${h.architecture}.block_count`, 'missing_key', `is required (layers), got ${layers}`);
  if (h['attention.head_count'] <= 0)
    return fail(`/gguf/metadata/${h.architecture}.attention.head_count`, 'missing_key',
      'is required (a single number; per-layer head counts are not supported yet)');
  if (blk(0, 'attn_kv_a_mqa.weight'))
    return fail('/gguf/tensors', 'unsupported_architecture', 'multi-head latent attention (DeepSeek) GGUFs are not read yet; ' +
      'use the deepseek preset with precision.weights set to the file type');
  const hidden = dim(embd, 0);
  const heads = h['attention.head_count'];
  const q = blk(0, 'attn_q.weight');
  const norms = h.tensors.filter(({ name: n }) => n.startsWith('blk.0.') && n.endsWith('norm.weight') &&
    !n.includes('attn_q_norm') && !n.includes('attn_k_norm')).length;
  const pos = T('position_embd.weight');
  const a = {
    vocab_size: dim(embd, 1),
    hidden_size: hidden,
    num_layers: layers,
    num_heads: heads,
    num_kv_heads: h['attention.head_count_kv'] > 0 ? h['attention.head_count_kv'] : heads,
    // Head width: the key_length key where given (Gemma), else the q projection's width / heads.
    head_dim: metaInt(`${h.architecture}.attention.key_length`) || Math.trunc((q ? dim(q, 1) : hidden) / heads),
    intermediate_size: 0,
    mlp: 'gated',
    norm: blk(0, 'attn_norm.bias') ? 'layernorm' : 'rmsnorm',
    norms_per_layer: Math.max(1, norms),
    final_norm: Boolean(T('output_norm.weight')),
    qk_norm: Boolean(blk(0, 'attn_q_norm.weight')),
    attention_bias: Boolean(blk(0, 'attn_q.bias') || blk(0, 'attn_qkv.bias')),
    attention_out_bias: Boolean(blk(0, 'attn_output.bias')),
    mlp_bias: false,
    position: pos ? 'learned' : 'rope',
    max_position_embeddings: pos ? dim(pos, 1) : h.context_length,
    tie_word_embeddings: !T('output.weight'),
    sliding_window: 0,
    global_attention_every: 0,
  };
  let firstMoe = -1;
  for (let i = 0; i < layers && firstMoe < 0; i++) if (blk(i, 'ffn_up_exps.weight')) firstMoe = i;
  const up = firstMoe === 0 ? undefined : blk(0, 'ffn_up.weight'); // layer 0 is dense unless all are MoE
  if (up) {
    a.intermediate_size = dim(up, 1);
    a.mlp = blk(0, 'ffn_gate.weight') ? 'gated' : 'standard';
    a.mlp_bias = Boolean(blk(0, 'ffn_up.bias'));
  }
  if (firstMoe >= 0) {
    const exps = blk(firstMoe, 'ffn_up_exps.weight');
    const m = { num_experts: dim(exps, 2), top_k: h.expert_used_count, expert_intermediate_size: dim(exps, 1),
      num_shared_experts: 0, shared_expert_intermediate_size: 0, first_dense_layers: firstMoe,
      shared_expert_gate: false, router_bias: Boolean(blk(firstMoe, 'exp_probs_b.bias')) };
    a.mlp = blk(firstMoe, 'ffn_gate_exps.weight') ? 'gated' : 'standard';
    const sh = blk(firstMoe, 'ffn_up_shexp.weight');
    if (sh) {
      m.num_shared_experts = Math.max(1, metaInt(`${h.architecture}.expert_shared_count`));
      m.shared_expert_intermediate_size = Math.trunc(dim(sh, 1) / m.num_shared_experts);
      m.shared_expert_gate = Boolean(blk(firstMoe, 'ffn_gate_inp_shexp.weight'));
    }
    if (!a.intermediate_size) a.intermediate_size = m.expert_intermediate_size;
    a.moe = m;
  }
  // Elements per stored type: the estimate's weights are these, to the byte.
  const elements = {};
  for (const t of h.tensors) elements[t.type.name] = (elements[t.type.name] || 0n) + t.elements;
  const g = { tensor_types: {} };
  for (const name in elements) g.tensor_types[name] = Number(elements[name]);
  const fileType = FILE_TYPES[h.fileType];
  if (fileType && fileType !== '-') g.file_type = fileType;
  return { model: { architecture: a, name: (h.name || `GGUF ${h.architecture}`).slice(0, 120), gguf: g } };
}

// bytes: the file's first bytes (Uint8Array); fileSize: its length (0: unknown). The answer
// has the shape of the core's import_gguf_json: {ok, model, gguf} or {ok: false, errors,
// need_bytes?} (read at least that many bytes from the start and call again).
export function importGguf(bytes, fileSize) {
  const { h, error, need } = parse(bytes, fileSize);
  if (!h) return need ? { ok: false, errors: [error], need_bytes: need } : { ok: false, errors: [error] };
  const m = modelFrom(h);
  if (m.errors) return { ok: false, errors: m.errors };
  return { ok: true, model: m.model, gguf: { architecture: h.architecture, name: h.name, tensors: h.tensors.length,
    weight_bytes: Number(h.weightBytes), context_length: h.context_length, header_bytes: h.headerBytes } };
}
