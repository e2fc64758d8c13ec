// Local inference on the page (issue 15), in Chromium: unified-memory machines and their
// memory sizes, llama.cpp's -ngl with the system RAM as a device with its own verdict, and a
// GGUF file's header read in the page (File.slice) as the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession, change, settled, updates, text } from './lib.mjs';

const session = pageSession();
const { open } = session;
const GIB = 2 ** 30;

const report = (page) => page.evaluate(() => window.__llmcalc.last.report);
const state = (page) => page.evaluate(() => window.__llmcalc.state);
const hash = (page) => page.evaluate(() => location.hash);

// ---------------------------------------------------------------- GGUF bytes

// Writes GGUF bytes little-endian, field by field (ggml-org/ggml docs/gguf.md), as
// tests/core/gguf_builder.hpp does.
class Gguf {
  constructor() { this.parts = []; }
  raw(bytes) { this.parts.push(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)); return this; }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v); return this.raw(b); }
  u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return this.raw(b); }
  str(s) { return this.u64(Buffer.byteLength(s)).raw(s); }
  header(tensors, kvs) { return this.raw('GGUF').u32(3).u64(tensors).u64(kvs); }
  kvStr(k, v) { return this.str(k).u32(8).str(v); }
  kvU32(k, v) { return this.str(k).u32(4).u32(v); }
  kvStrings(k, list) { this.str(k).u32(9).u32(8).u64(list.length); for (const s of list) this.str(s); return this; }
  tensor(name, dims, type, offset) { this.str(name).u32(dims.length); for (const d of dims) this.u64(d); return this.u32(type).u64(offset); }
  bytes() { return Buffer.concat(this.parts); }
}

// ggml types (gguf-py constants.py): id, elements per block, bytes per block.
const TYPES = { F32: [0, 1, 4], Q4_K: [12, 256, 144], Q6_K: [14, 256, 210] };

// The 2-layer Llama-style Q4_K_M file of tests/core/model/gguf_import_test.cpp (hidden 256,
// 4 heads, 2 KV heads, FFN 512, vocab 32, untied output), with its tensor data as zeros so the
// file is as long as its header says. `merges` adds that many tokenizer merge strings: a header
// over the page's first 1 MiB slice.
function tinyLlama(merges = 0) {
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
  const g = new Gguf().header(ts.length, 9 + (merges ? 1 : 0))
    .kvStr('general.architecture', 'llama').kvStr('general.name', 'tiny llama')
    .kvU32('general.file_type', 15) // LLAMA_FTYPE_MOSTLY_Q4_K_M
    .kvU32('llama.context_length', 4096).kvU32('llama.block_count', 2)
    .kvU32('llama.embedding_length', 256).kvU32('llama.feed_forward_length', 512)
    .kvU32('llama.attention.head_count', 4).kvU32('llama.attention.head_count_kv', 2);
  if (merges) g.kvStrings('tokenizer.ggml.merges', Array.from({ length: merges }, (_, i) => `merge-${String(i).padStart(8, '0')} token`));
  let offset = 0;
  let weightBytes = 0;
  for (const [name, dims, type] of ts) {
    const [id, per, size] = TYPES[type];
    const bytes = (dims.reduce((a, b) => a * b, 1) / per) * size;
    g.tensor(name, dims, id, offset);
    weightBytes += bytes;
    offset += Math.ceil(bytes / 32) * 32; // GGUF_DEFAULT_ALIGNMENT
  }
  const header = g.bytes();
  const dataStart = Math.ceil(header.length / 32) * 32;
  return { file: Buffer.concat([header, Buffer.alloc(dataStart - header.length + offset)]), header, weightBytes };
}

// A file as the drop zone receives it from a drag: a DataTransfer built in the page.
async function dropFile(page, selector, name, bytes) {
  const before = await updates(page);
  await page.evaluate(({ selector, name, data }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name));
    document.querySelector(selector).dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { selector, name, data: Buffer.from(bytes).toString('base64') });
  return before;
}

// ---------------------------------------------------------------- local hardware

test('an M4 Max: its memory sizes, -ngl puts layers in system RAM, a device row and verdict each, all in the link', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b&engine=llama.cpp&w=Q4_K_M&kv=fp16&b=1');
  assert.ok(await page.locator('#f-ngl').isVisible(), 'llama.cpp shows -ngl');
  assert.ok(!(await page.locator('#f-umem').isVisible()), 'no memory size for a discrete GPU');
  // The link's GGUF mix is in the weights picker (every format the core reads).
  assert.equal(await page.locator('#f-weights').inputValue(), 'Q4_K_M');
  await change(page, '#f-gpu', 'apple-m4-max-40c');
  assert.match(await text(page, '#f-gpu-info'), /546 GB\/s/);
  assert.ok(await page.locator('#f-umem').isVisible());
  assert.ok(!(await page.locator('#f-ram').isVisible()), 'a unified machine has no separate RAM preset');
  // The sizes sold (core/data/unified/apple-m4-max-40c.json): 48, 64, 128 GB.
  assert.deepEqual(await page.locator('#f-umem option').evaluateAll((os) => os.map((o) => o.value)), ['0', '64', '128']);
  await change(page, '#f-umem', '64');
  let r = await report(page);
  // Metal's default share above 32 GiB is 3/4: 64 GiB x 3/4 = 48 GiB for the GPU.
  assert.equal(r.memory.capacity_bytes, 48 * GIB);
  assert.equal(await page.locator('#device-rows').isVisible(), false, 'no devices without offload');

  await change(page, '#f-ngl', '20');
  r = await report(page);
  assert.equal(r.devices.length, 2);
  const ram = r.devices.find((d) => d.id === 'ram');
  // The RAM is what the GPU's 48 GiB leave of the 64 GiB pool: 16 GiB.
  assert.equal(ram.capacity_bytes, 16 * GIB);
  assert.ok(ram.total_bytes > 0 && ram.fits);
  const row = await text(page, '#device-rows [data-device=ram]');
  assert.match(row, /Fits System RAM: [\d.]+ GiB of 16(\.0+)? GiB/);
  assert.match(row, /Weights/);
  assert.match(await text(page, '#device-rows [data-device=gpu]'), /Fits GPU: .* of 48(\.0+)? GiB/);
  // 12 of the 33 layer slots in RAM: less on the GPU than with every layer there.
  assert.ok(r.memory.total_bytes < (await page.evaluate(() => {
    const s = { ...window.__llmcalc.last.scenario };
    delete s.offload;
    return window.__llmcalc.core.estimate(s).report.memory.total_bytes;
  })));

  // The GPU memory limit (iogpu.wired_limit_mb): 56 GiB = 57344 MiB.
  await change(page, '#f-wired', '57344');
  assert.equal((await report(page)).memory.capacity_bytes, 56 * GIB);
  const h = await hash(page);
  for (const p of ['gpu=apple-m4-max-40c', 'umem=64', 'wired=57344', 'ngl=20', 'engine=llama.cpp'])
    assert.ok(h.includes(p), `${p} in ${h}`);
  assert.ok(!h.includes('ram='), 'no RAM preset for a unified machine');

  // The link opens the same scenario.
  const again = await open(h);
  assert.deepEqual(await state(again.page), await state(page));
  assert.equal(await again.page.locator('#f-umem').inputValue(), '64');
  assert.equal(await again.page.locator('#f-ngl').inputValue(), '20');
  assert.deepEqual((await report(again.page)).devices, (await report(page)).devices);
  assert.deepEqual([...problems, ...again.problems], []);
});

test('the RAM over its size: the device says so, and so does the verdict', async () => {
  const { page, problems } = await open('#model=llama-3.1-70b&engine=llama.cpp&w=Q4_K_M&b=1&gpu=apple-m4-max-40c&umem=64&ngl=1');
  const r = await report(page);
  const ram = r.devices.find((d) => d.id === 'ram');
  assert.equal(ram.fits, false);
  assert.equal(r.memory.fits, true, 'the GPU part alone fits');
  assert.match(await text(page, '#device-rows [data-device=ram]'), /Over System RAM: .* over\)/);
  assert.match(await text(page, '#fit-badge'), /Does not fit/);
  assert.match(await text(page, '#fit-headline'), /system RAM is [\d.]+ GiB over its 16(\.0+)? GiB/);
  assert.deepEqual(problems, []);
});

test('a discrete GPU: RAM preset and size for the offloaded layers; another engine drops the offload', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b&engine=llama.cpp&w=Q4_K_M&gpu=rtx-4090&b=1');
  await change(page, '#f-ngl', '10');
  await change(page, '#f-ram', 'ddr5-4800-8ch');
  await change(page, '#f-ramgb', '128');
  const s = await page.evaluate(() => window.__llmcalc.last.scenario);
  assert.deepEqual(s.offload, { gpu_layers: 10, cpu_moe_layers: 0 });
  assert.equal(s.hardware.host_memory, 'ddr5-4800-8ch');
  assert.equal(s.hardware.host_memory_bytes, 128 * GIB);
  assert.equal((await report(page)).devices.find((d) => d.id === 'ram').capacity_bytes, 128 * GIB);
  assert.match(await hash(page), /ngl=10.*ram=ddr5-4800-8ch.*ramgb=128|ram=ddr5-4800-8ch.*ramgb=128.*ngl=10/);
  // A minus sign is an input: -1 is "all layers" (no offload).
  await change(page, '#f-ngl', '-1');
  assert.equal((await page.evaluate(() => window.__llmcalc.last.scenario)).offload, undefined);
  await change(page, '#f-ngl', '10');
  // More layers than the model has: the core's error beside the field.
  const before = await updates(page);
  await page.fill('#f-ngl', '500');
  await settled(page, before);
  assert.ok(await page.locator('#f-ngl-err').isVisible());
  assert.match(await text(page, '#f-ngl-err'), /\S/);
  await change(page, '#f-ngl', '10');
  await change(page, '#f-engine', 'vllm');
  assert.ok(!(await page.locator('#f-ngl').isVisible()));
  assert.equal((await page.evaluate(() => window.__llmcalc.last.scenario)).offload, undefined);
  assert.equal(await page.locator('#device-rows').isVisible(), false);
  assert.doesNotMatch(await hash(page), /ngl=|ram=/);
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------- GGUF

test('a picked GGUF file: its header is the model and its tensors the weights, to the byte; the link keeps it', async () => {
  const { page, problems } = await open('#engine=llama.cpp&b=1');
  const before = await report(page);
  const { file, weightBytes } = tinyLlama();
  // Hand sum (gguf_import_test.cpp): Q4_K 860,160 elements x 144/256 = 483,840 B; Q6_K
  // 335,872 x 210/256 = 275,520 B; F32 1,280 x 4 = 5,120 B. Total 764,480 B.
  assert.equal(weightBytes, 764480);
  const n = await updates(page);
  await page.setInputFiles('#f-gguf-file', { name: 'tiny-llama-Q4_K_M.gguf', mimeType: 'application/octet-stream', buffer: file });
  await settled(page, n);
  const r = await report(page);
  assert.notEqual(r.params.total, before.params.total);
  assert.equal(r.params.total, 860160 + 335872 + 1280);
  assert.equal(r.memory.items.find((i) => i.id === 'weights').bytes, 764480);
  assert.equal(await page.locator('#f-weights').inputValue(), 'checkpoint');
  assert.match(await text(page, '#f-weights option[value=checkpoint]'), /Q4_K_M/);
  assert.match(await text(page, '#gguf-name'), /tiny llama/);
  assert.match(await text(page, '#f-gguf-status'), /llama, Q4_K_M, 21 tensors/);
  assert.ok(await page.locator('#f-model').isDisabled());
  const h = await hash(page);
  assert.match(h, /gguf=[\w-]+/);
  assert.match(h, /w=checkpoint/);
  const again = await open(h);
  assert.equal((await report(again.page)).memory.items.find((i) => i.id === 'weights').bytes, 764480);
  // Re-quantizing the same architecture: a weight format picked wins over the file's.
  await change(page, '#f-weights', 'Q8_0');
  assert.notEqual((await report(page)).memory.items.find((i) => i.id === 'weights').bytes, 764480);
  await change(page, '#f-weights', 'checkpoint');
  // Back to presets.
  const m = await updates(page);
  await page.click('#gguf-clear');
  await settled(page, m);
  assert.equal((await report(page)).params.total, before.params.total);
  assert.doesNotMatch(await hash(page), /gguf=|w=checkpoint/);
  assert.deepEqual([...problems, ...again.problems], []);
});

test('a dropped GGUF file whose header is over the first 1 MiB slice: the page reads more, only the header', async () => {
  const { page, problems } = await open('');
  const { file, header } = tinyLlama(60000);
  assert.ok(header.length > 2 ** 20, `header ${header.length} B`);
  const n = await dropFile(page, '#gguf-drop', 'big-header.gguf', file);
  await settled(page, n);
  assert.equal((await report(page)).memory.items.find((i) => i.id === 'weights').bytes, 764480);
  // Read: at least the header, less than the whole file (the tensors are never read).
  const status = await text(page, '#f-gguf-status');
  const read = Number(status.match(/read ([\d.]+) MiB/)[1]);
  assert.ok(read * 2 ** 20 >= header.length * 0.99 && read * 2 ** 20 < file.length, status);
  assert.deepEqual(problems, []);
});

test('a file that is not GGUF, or a truncated one: a clear error beside the drop zone, the model kept', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b');
  const shown = async (name, bytes) => {
    await dropFile(page, '#gguf-drop', name, bytes);
    await page.waitForSelector('#f-gguf-err:not([hidden])');
    const msg = await text(page, '#f-gguf-err');
    await page.evaluate(() => { document.getElementById('f-gguf-err').hidden = true; });
    return msg;
  };
  assert.match(await shown('model.gguf', Buffer.from('PK\u0003\u0004 this is a zip file')), /model\.gguf cannot be used: .*GGUF.*\/gguf\/magic/);
  const { header } = tinyLlama();
  assert.match(await shown('cut.gguf', header.subarray(0, 300)), /cut\.gguf cannot be used: .*ends at byte 300/);
  assert.equal((await state(page)).gguf, null);
  assert.equal((await report(page)).model.name, 'Llama 3.1 8B');
  // Dropped on the config.json box instead: still read as GGUF, not as JSON text.
  await dropFile(page, '#f-hf', 'other.gguf', Buffer.from('PK\u0003\u0004 zip'));
  await page.waitForSelector('#f-gguf-err:not([hidden])');
  assert.match(await text(page, '#f-gguf-err'), /other\.gguf cannot be used/);
  assert.equal(await page.locator('#f-hf-err').isVisible(), false);
  assert.deepEqual(problems, []);
});
