// The page's GGUF header reader (web/src/gguf_header.js) against the core's importer, which
// the CLI uses (import_gguf_json in the Node module): the same model object, the same errors,
// on good files, cut files, hostile fields and random byte flips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createLlmCalc } from './helpers.mjs';
import { FILE_TYPES, GGML_TYPES, importGguf } from '../../web/src/gguf_header.js';
import { CPUS } from '../../web/src/local_cpus.js';
import { Gguf, ggufFile, tinyLlama, tinyMoe } from './gguf_bytes.mjs';

const TABLE = JSON.parse(readFileSync(new URL('../../core/data/gguf_types.json', import.meta.url), 'utf8'));
const page = (bytes, size) => importGguf(new Uint8Array(bytes), size);

// The core's answer, and the page's for the same bytes and size, compared.
async function same(bytes, size, label) {
  const core = (await createLlmCalc()).importGguf(new Uint8Array(bytes), size);
  const js = page(bytes, size);
  if (!core.ok && core.errors[0].path.startsWith('/gguf/architecture')) {
    // The core checks the architecture as it imports; the page leaves that to the estimate,
    // which checks the same model object (and says so under /model/architecture).
    assert.ok(js.ok, `${label}: ${JSON.stringify(js)}`);
    return { core, js };
  }
  assert.deepEqual(js, core, label);
  return { core, js };
}

test('the page\'s ggml types and CPU presets are the core\'s data files\' (without their notes)', () => {
  assert.deepEqual([...GGML_TYPES.values()], TABLE.types.map(({ name, id, block_elements, block_bytes }) => ({ name, id, block_elements, block_bytes })));
  const cpus = JSON.parse(readFileSync(new URL('../../core/data/host_memory.json', import.meta.url), 'utf8')).cpus;
  assert.deepEqual(CPUS, cpus.map(({ id, name, flops }) => [id, name, flops]));
});

test('the file-type names are gguf_types.json\'s mixes, by general.file_type', () => {
  const fromJson = [];
  for (const m of TABLE.mixes) fromJson[m.ftype] = m.name;
  assert.equal(FILE_TYPES.length, fromJson.length);
  FILE_TYPES.forEach((name, i) => assert.equal(name, fromJson[i] ?? '-', `ftype ${i}`));
});

test('a Llama-style Q4_K_M file: the model object and the exact weights, as the core reads them', async () => {
  const { file, weightBytes } = tinyLlama();
  const { js } = await same(file, file.length, 'tiny llama');
  assert.ok(js.ok);
  // Hand sum (gguf_import_test.cpp): Q4_K 860,160 elements x 144/256 = 483,840 B; Q6_K
  // 335,872 x 210/256 = 275,520 B; F32 1,280 x 4 = 5,120 B. Total 764,480 B.
  assert.equal(weightBytes, 764480);
  assert.equal(js.gguf.weight_bytes, 764480);
  assert.deepEqual(js.model.gguf, { file_type: 'Q4_K_M', tensor_types: { F32: 1280, Q4_K: 860160, Q6_K: 335872 } });
  const a = js.model.architecture;
  assert.equal(a.num_layers, 2);
  assert.equal(a.head_dim, 64); // attn_q 256 wide / 4 heads
  assert.equal(a.num_kv_heads, 2);
  assert.equal(a.max_position_embeddings, 4096);
  assert.equal(a.tie_word_embeddings, false);
  // The estimate of that model object prices the file's tensors exactly.
  const r = (await createLlmCalc()).estimate({ model: js.model, precision: { weights: 'checkpoint' }, workload: { batch: 1, prompt: 512, generate: 128 } });
  assert.ok(r.ok, JSON.stringify(r.errors));
  assert.equal(r.report.memory.items.find((i) => i.id === 'weights').bytes, 764480);
});

test('a MoE file (shared expert, q/k norms, per-layer KV heads, tied output) reads the same', async () => {
  const { file } = tinyMoe();
  const { js } = await same(file, file.length, 'tiny moe');
  assert.ok(js.ok, JSON.stringify(js));
  assert.equal(js.model.architecture.moe.num_experts, 8);
  assert.equal(js.model.architecture.moe.first_dense_layers, 1);
  assert.equal(js.model.gguf.file_type, 'Q8_0');
});

test('every cut of a header: the same need_bytes (slice) or truncated_file (whole file) error', async () => {
  for (const { header } of [tinyLlama(), tinyMoe(), tinyLlama(40)]) {
    for (let n = 0; n < header.length; n += n < 64 ? 1 : 7) {
      const cut = header.subarray(0, n);
      const slice = await same(cut, 0, `slice ${n}`);
      assert.equal(slice.js.errors[0].code, 'truncated');
      assert.ok(slice.js.need_bytes > n);
      const file = await same(cut, n, `file ${n}`);
      assert.ok(!file.js.ok);
    }
  }
});

test('hostile and broken headers: the same error, naming the field', async () => {
  const t = tinyLlama().file;
  const cases = {
    zip: [Buffer.from('PK\u0003\u0004 zip'), '/gguf/magic', 'not_gguf'],
    tiny: [Buffer.from('GG'), '/gguf/magic', 'not_gguf'],
    v1: [new Gguf().header(0, 0, 1).bytes(), '/gguf/version', 'unsupported_version'],
    v4: [new Gguf().header(0, 0, 4).bytes(), '/gguf/version', 'unsupported_version'],
    bigEndian: [new Gguf().header(0, 0, 3 << 24).bytes(), '/gguf/version', 'big_endian'],
    tensors: [new Gguf().header(2 ** 20 + 1, 0).bytes(), '/gguf/tensor_count', 'too_many'],
    kvs: [new Gguf().raw('GGUF').u32(3).u64(0).u64(2n ** 63n).bytes(), '/gguf/metadata_count', 'too_many'],
    emptyKey: [new Gguf().header(0, 1).kvU32('', 1).bytes(), '/gguf/metadata/0/key', 'empty_key'],
    longKey: [new Gguf().header(0, 1).u64(2 ** 16 + 1).bytes(), '/gguf/metadata/0/key', 'too_long'],
    valueType: [new Gguf().header(0, 1).str('a/b~').u32(13).bytes(), '/gguf/metadata/a~1b~0/type', 'unknown_value_type'],
    nested: [new Gguf().header(0, 1).str('x').u32(9).u32(9).bytes(), '/gguf/metadata/x/value/element_type', 'nested_array'],
    longArray: [new Gguf().header(0, 1).str('x').u32(9).u32(0).u64(2 ** 30 + 1).bytes(), '/gguf/metadata/x/value/length', 'too_long'],
    longString: [new Gguf().header(0, 1).str('x').u32(8).u64(2 ** 28 + 1).bytes(), '/gguf/metadata/x/value', 'too_long'],
    dupKey: [new Gguf().header(0, 2).kvU32('k', 1).kvU32('k', 2).bytes(), '/gguf/metadata/k', 'duplicate_key'],
    noArch: [new Gguf().header(0, 1).kvU32('k', 1).bytes(), '/gguf/metadata/general.architecture', 'missing_key'],
    archType: [new Gguf().header(0, 1).kvU32('general.architecture', 1).bytes(), '/gguf/metadata/general.architecture', 'wrong_type'],
    floatHyper: [new Gguf().header(0, 2).kvStr('general.architecture', 'llama').kvF32('llama.block_count', 2).bytes(), '/gguf/metadata/llama.block_count', 'wrong_type'],
    negHyper: [new Gguf().header(0, 2).kvStr('general.architecture', 'llama').str('llama.block_count').u32(5).u32(-3 >>> 0).bytes(), '/gguf/metadata/llama.block_count', 'out_of_range'],
    align: [new Gguf().header(0, 2).kvStr('general.architecture', 'llama').kvU32('general.alignment', 24).bytes(), '/gguf/metadata/general.alignment', 'bad_alignment'],
    longName: [new Gguf().header(1, 0).tensor('n'.repeat(64), [32], 0, 0).bytes(), '/gguf/tensors/0/name', 'too_long'],
    dims: [new Gguf().header(1, 0).str('t').u32(5).bytes(), '/gguf/tensors/0/n_dims', 'too_many_dims'],
    tensorType: [new Gguf().header(1, 0).tensor('t', [32], 9, 0).bytes(), '/gguf/tensors/0/type', 'unknown_tensor_type'],
    shape: [new Gguf().header(1, 0).tensor('t', [100], 12, 0).bytes(), '/gguf/tensors/0/dims', 'bad_shape'],
    dupTensor: [new Gguf().header(2, 0).tensor('t', [32], 0, 0).tensor('t', [32], 0, 128).bytes(), '/gguf/tensors', 'duplicate_tensor'],
    misaligned: [new Gguf().header(1, 1).kvStr('general.architecture', 'llama').tensor('t', [32], 0, 8).bytes(), '/gguf/tensors/0/offset', 'misaligned'],
    noEmbd: [new Gguf().header(1, 1).kvStr('general.architecture', 'llama').tensor('t', [32], 0, 0).bytes(), '/gguf/tensors', 'missing_key'],
    outOfFile: [t.subarray(0, t.length - 1), '/gguf/tensors/20/offset', 'out_of_file'],
  };
  for (const [name, [bytes, path, code]] of Object.entries(cases)) {
    const size = name === 'kvs' || name === 'tensors' || name === 'longKey' || name === 'longArray' || name === 'longString' || name === 'noEmbd' ? 0 : bytes.length;
    const { js } = await same(bytes, size, name);
    assert.equal(js.ok, false, name);
    assert.equal(js.errors[0].path, path, name);
    assert.equal(js.errors[0].code, code, name);
    assert.ok(js.errors[0].message.length > 10, name);
  }
  // Model-level refusals: no layers, no heads, DeepSeek's latent attention.
  const model = (kvs, extra = []) => ggufFile([['token_embd.weight', [32, 8], 'F32'], ...extra], kvs.length + 1, (g) => {
    g.kvStr('general.architecture', 'llama');
    for (const [k, v] of kvs) g.kvU32(k, v);
  }).file;
  for (const [bytes, path] of [[model([]), '/gguf/metadata/llama.block_count'],
    [model([['llama.block_count', 1]]), '/gguf/metadata/llama.attention.head_count'],
    [model([['llama.block_count', 1], ['llama.attention.head_count', 4]], [['blk.0.attn_kv_a_mqa.weight', [32, 32], 'F32']]), '/gguf/tensors']]) {
    const { js } = await same(bytes, bytes.length, path);
    assert.equal(js.errors[0].path, path);
  }
});

test('random byte flips in a header: the page and the core agree on every one', async () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const { file, header } of [tinyLlama(), tinyMoe()]) {
    for (let i = 0; i < 400; i++) {
      const f = Buffer.from(file);
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) f[Math.floor(rand() * header.length)] = Math.floor(rand() * 256);
      // The header's bytes, as the page's first slice, with the file's size.
      const slice = new Uint8Array(f.subarray(0, header.length));
      const core = (await createLlmCalc()).importGguf(slice, f.length);
      const js = page(slice, f.length);
      if (!core.ok && core.errors[0].path.startsWith('/gguf/architecture')) {
        assert.ok(js.ok, `flip ${i}`);
        continue;
      }
      assert.deepEqual(js, core, `flip ${i}`);
    }
  }
});
