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

// The page reads no GGUF files yet (the importer would take it over its size budget:
// wasm/bindings.cpp); a .gguf dropped on it says where it is read, and the model stays.
test('a dropped GGUF file: the page says the CLI reads it, the model kept', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b');
  await dropFile(page, '#f-hf', 'model-Q4_K_M.gguf', Buffer.from('GGUF\u0003\u0000\u0000\u0000'));
  await page.waitForSelector('#f-hf-err:not([hidden])');
  assert.match(await text(page, '#f-hf-err'), /does not read GGUF files yet; the command line does: llmcalc estimate --gguf FILE/);
  assert.equal((await state(page)).gguf, null);
  assert.equal((await report(page)).model.name, 'Llama 3.1 8B');
  assert.deepEqual(problems, []);
});
