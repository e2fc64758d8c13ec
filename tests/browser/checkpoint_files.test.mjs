// A checkpoint's files dropped beside the model (issue 17: "GGUF and safetensors-index drop"):
// model.safetensors.index.json, hf_quant_config.json and a single .safetensors file's header,
// in Chromium, through the file picker the drop zone shares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession, change, settled, updates, text } from './lib.mjs';

const session = pageSession();
const { open } = session;

async function pick(page, name, bytes) {
  const before = await updates(page);
  await page.setInputFiles('#f-hf-file', { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  return before;
}

const weightBytes = (page) => page.evaluate(() =>
  window.__llmcalc.last.report.memory.items.find((i) => i.id === 'weights').bytes);

// A safetensors file: 8-byte little-endian header length, the JSON header, then the data.
function safetensors(header, dataBytes) {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
}

test('checkpoint files: a safetensors index, hf_quant_config.json and a .safetensors header join the model; links keep them', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b');
  const bf16 = await weightBytes(page);
  // Llama 3.1 8B: 8,030,261,248 parameters x 2 B = 16,060,522,496 B, what its index's
  // total_size says; the weight_map is left out of the state (and the link).
  let before = await pick(page, 'model.safetensors.index.json',
    JSON.stringify({ metadata: { total_size: 16060522496 }, weight_map: { 'lm_head.weight': 'model-00004-of-00004.safetensors' } }));
  await settled(page, before);
  assert.match(await text(page, '#ckpt-name'), /^model\.safetensors\.index\.json \(16\.06 GB of weights\)$/);
  await page.waitForFunction(() => /Checkpoint:/.test(document.getElementById('notes').textContent));
  assert.match(await page.textContent('#notes'), /Checkpoint: 16\.06 GB \(safetensors files\), 16\.06 GB computed \(\+0\.00%\)/);
  await page.waitForFunction(() => /sti=/.test(location.hash));
  const sti = await page.evaluate(() => {
    const b64 = new URLSearchParams(location.hash.slice(1)).get('sti').replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b64 + '==='.slice((b64.length + 3) % 4)));
  });
  assert.deepEqual(sti, { metadata: { total_size: 16060522496 } });

  // ModelOpt's NVFP4 checkpoint: its quantization is in hf_quant_config.json, not config.json.
  before = await pick(page, 'hf_quant_config.json', JSON.stringify({ producer: { name: 'modelopt', version: '0.29.0' },
    quantization: { quant_algo: 'NVFP4', kv_cache_quant_algo: 'FP8', group_size: 16, exclude_modules: ['lm_head'] } }));
  await settled(page, before);
  const nvfp4 = await weightBytes(page);
  assert.ok(nvfp4 < 0.45 * bf16, `NVFP4 weights ${nvfp4} vs bf16 ${bf16}`);
  assert.match(await text(page, '#ckpt-name'), /index\.json .* and hf_quant_config\.json$/);

  // The link carries both; opened again it gives the same weights.
  await page.waitForFunction(() => /hq=/.test(location.hash) && /sti=/.test(location.hash));
  const again = await open((await page.evaluate(() => location.hash)));
  assert.equal(await weightBytes(again.page), nvfp4);
  assert.match(await text(again.page, '#ckpt-name'), /hf_quant_config\.json/);

  // Another model drops them (they describe one checkpoint).
  await change(page, '#f-model', 'qwen2.5-7b');
  assert.equal(await page.locator('#ckpt-active').isHidden(), true);
  await page.waitForFunction(() => !/hq=|sti=/.test(location.hash));
  assert.deepEqual([...problems, ...again.problems], []);
});

test('checkpoint files: a single .safetensors is read from its header; shards and broken files say why', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b');
  // Two tensors, 12 + 8,000 B: the header's data_offsets add up to 8,012 B.
  const file = safetensors({ __metadata__: { format: 'pt' }, a: { dtype: 'BF16', shape: [2, 3], data_offsets: [0, 12] },
    b: { dtype: 'F32', shape: [2000], data_offsets: [12, 8012] } }, 8012);
  let before = await pick(page, 'model.safetensors', file);
  await settled(page, before);
  assert.match(await text(page, '#ckpt-name'), /^model\.safetensors\.index\.json \(8\.01 kB of weights\)$/);
  // Far from this model's 16 GB: the core's own note says so.
  await page.waitForFunction(() => /safetensors index lists/.test(document.getElementById('notes').textContent));
  assert.match(await page.textContent('#notes'), /the safetensors index lists 8012 B of tensors/);

  await pick(page, 'model-00001-of-00004.safetensors', file);
  await page.waitForFunction(() => !document.getElementById('f-hf-err').hidden);
  assert.match(await text(page, '#f-hf-err'), /one shard of 4: drop model\.safetensors\.index\.json instead/);

  await pick(page, 'model.safetensors', Buffer.from('not a safetensors file at all'));
  await page.waitForFunction(() => /header length/.test(document.getElementById('f-hf-err').textContent));
  // A header whose offsets run past the end of the file.
  await pick(page, 'model.safetensors', safetensors({ a: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, 4));
  await page.waitForFunction(() => /no valid data_offsets/.test(document.getElementById('f-hf-err').textContent));
  // The model in use kept the last good file.
  assert.match(await text(page, '#ckpt-name'), /8\.01 kB/);
  assert.deepEqual(problems, []);
});

test('a preset released quantized defaults to its checkpoint formats; a choice made by hand stays', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b');
  assert.equal(await page.inputValue('#f-weights'), 'bf16');
  // gpt-oss-120b ships its experts in MXFP4: 57,330,892,800 B of expert blocks + 4,334,742,144 B
  // for the rest in bf16 = 61,665,634,944 B, and 3,583,180,800 B of E8M0 scales as their own item
  // (tests/core/catalog/preset_quantization_test.cpp) - not the 233.7 GB of bf16.
  await change(page, '#f-model', 'gpt-oss-120b');
  assert.equal(await page.inputValue('#f-weights'), 'checkpoint');
  assert.match(await page.locator('#f-weights option[value="checkpoint"]').textContent(), /as the checkpoint \(mxfp4\)/);
  const mx = await weightBytes(page);
  assert.equal(mx, 61665634944);
  assert.equal(await page.evaluate(() =>
    window.__llmcalc.last.report.memory.items.find((i) => i.id === 'quantization_scales').bytes), 3583180800);
  // The default is left out of the link; a link without w= reads it back.
  await page.waitForFunction(() => /model=gpt-oss-120b/.test(location.hash));
  assert.doesNotMatch(await page.evaluate(() => location.hash), /(^|[#&])w=/);
  const again = await open('#model=gpt-oss-120b');
  assert.equal(await again.page.inputValue('#f-weights'), 'checkpoint');
  assert.equal(await weightBytes(again.page), mx);
  // Training fine-tunes in bf16 by default; back in inference the checkpoint's formats return.
  await change(page, 'input[name=mode][value=training]');
  assert.equal(await page.inputValue('#f-weights'), 'bf16');
  await change(page, 'input[name=mode][value=inference]');
  assert.equal(await page.inputValue('#f-weights'), 'checkpoint');
  // bf16 chosen by hand stays when the model changes, and goes into the link.
  await change(page, '#f-weights', 'bf16');
  await page.waitForFunction(() => /w=bf16/.test(location.hash));
  await change(page, '#f-model', 'deepseek-v3');
  assert.equal(await page.inputValue('#f-weights'), 'bf16');
  // At a quantized preset's default, an unquantized preset goes back to bf16.
  await change(page, '#f-weights', 'checkpoint');
  await change(page, '#f-model', 'llama-3.1-8b');
  assert.equal(await page.inputValue('#f-weights'), 'bf16');
  assert.deepEqual([...problems, ...again.problems], []);
});

// MTP layers (issue 13): a checkbox for a model that has them loads them as a speculative draft.
test('MTP layers: a checkbox only for models that have them; it loads them (weights, KV) and goes into the link', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b');
  assert.equal(await page.isVisible('#mtp-row'), false, 'Llama 3.1 8B has no MTP layers');
  const { page: ds } = await open('#model=deepseek-v3&w=bf16&tp=8');
  assert.equal(await ds.isVisible('#mtp-row'), true);
  const kv = (p) => p.evaluate(() => window.__llmcalc.last.report.memory.items.find((i) => i.id === 'kv_cache').bytes);
  const [w0, kv0] = [await weightBytes(ds), await kv(ds)];
  const before = await updates(ds);
  await ds.check('#f-mtp');
  await settled(ds, before);
  // The MTP layer's own parameters in bf16, per GPU at tp 8 (its eh_proj whole on every GPU,
  // as vLLM loads it): +3,317,295,616 B, as the native CLI gives for the same scenario
  // (llmcalc estimate: weights 167,944,645,632 -> 171,261,941,248 B with load_mtp).
  assert.equal(await weightBytes(ds) - w0, 3317295616);
  assert.ok(await kv(ds) > kv0, 'the draft layer has its own KV cache');
  await ds.waitForFunction(() => /(^|[#&])mtp=1/.test(location.hash));
  const again = await open(await ds.evaluate(() => location.hash));
  assert.equal(await again.page.isChecked('#f-mtp'), true);
  assert.equal(await weightBytes(again.page), w0 + 3317295616);
  assert.deepEqual([...problems, ...again.problems], []);
});
