// Test helper: GGUF bytes written little-endian field by field (ggml-org/ggml docs/gguf.md), as
// tests/core/gguf_builder.hpp does; shared by the Node and browser tests of the page's reader.
export class Gguf {
  constructor() { this.parts = []; }
  raw(bytes) { this.parts.push(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)); return this; }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v); return this.raw(b); }
  u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return this.raw(b); }
  str(s) { return this.u64(Buffer.byteLength(s)).raw(s); }
  header(tensors, kvs, version = 3) { return this.raw('GGUF').u32(version).u64(tensors).u64(kvs); }
  kvStr(k, v) { return this.str(k).u32(8).str(v); }
  kvU32(k, v) { return this.str(k).u32(4).u32(v); }
  kvU64(k, v) { return this.str(k).u32(10).u64(v); }
  kvF32(k, v) { const b = Buffer.alloc(4); b.writeFloatLE(v); return this.str(k).u32(6).raw(b); }
  kvStrings(k, list) { this.str(k).u32(9).u32(8).u64(list.length); for (const s of list) this.str(s); return this; }
  kvI32s(k, list) { this.str(k).u32(9).u32(5).u64(list.length); for (const x of list) this.u32(x >>> 0); return this; }
  tensor(name, dims, type, offset) { this.str(name).u32(dims.length); for (const d of dims) this.u64(d); return this.u32(type).u64(offset); }
  bytes() { return Buffer.concat(this.parts); }
}

// ggml types (core/data/gguf_types.json): id, elements per block, bytes per block.
export const TYPES = { F32: [0, 1, 4], F16: [1, 1, 2], Q4_K: [12, 256, 144], Q6_K: [14, 256, 210], Q8_0: [8, 32, 34] };

// A file from its tensors ([name, dims, type]) and metadata (a function adding `kvs` entries
// to the builder): the header, then zeros for the tensor data (aligned to 32 bytes, the
// default), so the file is as long as its header says.
export function ggufFile(tensors, kvs, addKvs, { version = 3 } = {}) {
  const g = new Gguf().header(tensors.length, kvs, version);
  addKvs(g);
  let offset = 0;
  let weightBytes = 0;
  for (const [name, dims, type] of tensors) {
    const [id, per, size] = TYPES[type];
    const bytes = dims.length ? (dims[0] / per) * size * dims.slice(1).reduce((a, b) => a * b, 1) : size;
    g.tensor(name, dims, id, offset);
    weightBytes += bytes;
    offset += Math.ceil(bytes / 32) * 32; // GGUF_DEFAULT_ALIGNMENT
  }
  const header = g.bytes();
  const dataStart = Math.ceil(header.length / 32) * 32;
  return { file: Buffer.concat([header, Buffer.alloc(dataStart - header.length + offset)]), header, weightBytes };
}

// The 2-layer Llama-style Q4_K_M file of tests/core/model/gguf_import_test.cpp (hidden 256,
// 4 heads, 2 KV heads, FFN 512, vocab 32, untied output). `merges` adds that many tokenizer
// strings (a header longer than a first slice).
export function tinyLlama(merges = 0) {
  const ts = [['token_embd.weight', [256, 32], 'Q4_K'], ['output_norm.weight', [256], 'F32'],
    ['output.weight', [256, 32], 'Q6_K']];
  for (let i = 0; i < 2; i++) {
    const b = `blk.${i}.`;
    ts.push([`${b}attn_norm.weight`, [256], 'F32'], [`${b}attn_q.weight`, [256, 256], 'Q4_K'],
      [`${b}attn_k.weight`, [256, 128], 'Q4_K'], [`${b}attn_v.weight`, [256, 128], 'Q6_K'],
      [`${b}attn_output.weight`, [256, 256], 'Q4_K'], [`${b}ffn_norm.weight`, [256], 'F32'],
      [`${b}ffn_gate.weight`, [256, 512], 'Q4_K'], [`${b}ffn_up.weight`, [256, 512], 'Q4_K'],
      [`${b}ffn_down.weight`, [512, 256], 'Q6_K']);
  }
  return ggufFile(ts, 9 + (merges ? 1 : 0), (g) => {
    g.kvStr('general.architecture', 'llama').kvStr('general.name', 'tiny llama')
      .kvU32('general.file_type', 15) // LLAMA_FTYPE_MOSTLY_Q4_K_M
      .kvU32('llama.context_length', 4096).kvU32('llama.block_count', 2)
      .kvU32('llama.embedding_length', 256).kvU32('llama.feed_forward_length', 512)
      .kvU32('llama.attention.head_count', 4).kvU32('llama.attention.head_count_kv', 2);
    if (merges) g.kvStrings('tokenizer.ggml.merges', Array.from({ length: merges }, (_, i) => `merge-${String(i).padStart(8, '0')} token`));
  });
}

// A 3-layer MoE (Qwen-MoE style: a dense first layer, 8 experts of width 128 with top-2, a
// gated shared expert, q/k norms, biases on q, tied output) in Q8_0 with F16 norms.
export function tinyMoe() {
  const ts = [['token_embd.weight', [256, 64], 'Q8_0'], ['output_norm.weight', [256], 'F32']];
  for (let i = 0; i < 3; i++) {
    const b = `blk.${i}.`;
    ts.push([`${b}attn_norm.weight`, [256], 'F32'], [`${b}attn_q.weight`, [256, 512], 'Q8_0'],
      [`${b}attn_q.bias`, [512], 'F32'], [`${b}attn_q_norm.weight`, [64], 'F32'], [`${b}attn_k_norm.weight`, [64], 'F32'],
      [`${b}attn_k.weight`, [256, 128], 'Q8_0'], [`${b}attn_v.weight`, [256, 128], 'Q8_0'],
      [`${b}attn_output.weight`, [512, 256], 'Q8_0'], [`${b}ffn_norm.weight`, [256], 'F16']);
    if (i === 0) {
      ts.push([`${b}ffn_up.weight`, [256, 640], 'Q8_0'], [`${b}ffn_gate.weight`, [256, 640], 'Q8_0'], [`${b}ffn_down.weight`, [640, 256], 'Q8_0']);
    } else {
      ts.push([`${b}ffn_up_exps.weight`, [256, 128, 8], 'Q8_0'], [`${b}ffn_gate_exps.weight`, [256, 128, 8], 'Q8_0'],
        [`${b}ffn_down_exps.weight`, [128, 256, 8], 'Q8_0'], [`${b}ffn_gate_inp.weight`, [256, 8], 'F32'],
        [`${b}ffn_up_shexp.weight`, [256, 256], 'Q8_0'], [`${b}ffn_down_shexp.weight`, [256, 256], 'Q8_0'],
        [`${b}ffn_gate_inp_shexp.weight`, [256], 'F32']);
    }
  }
  return ggufFile(ts, 10, (g) => g.kvStr('general.architecture', 'qwen2moe').kvU32('general.file_type', 7)
    .kvU64('qwen2moe.context_length', 32768).kvU32('qwen2moe.block_count', 3)
    .kvU32('qwen2moe.attention.head_count', 8).kvI32s('qwen2moe.attention.head_count_kv', [2, 2, 2])
    .kvU32('qwen2moe.expert_used_count', 2).kvU32('qwen2moe.attention.key_length', 64)
    .kvStrings('tokenizer.ggml.tokens', ['a', 'b', 'c']).kvF32('qwen2moe.rope.freq_base', 1e6));
}
