// Local inference on the page (issue 15), in Chromium: unified-memory machines and their
// memory sizes, llama.cpp's -ngl with the system RAM as a device with its own verdict, and a
// GGUF file's header read in the page (File.slice) as the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession, change, settled, updates, text } from './lib.mjs';
import { Gguf, tinyLlama } from '../node/gguf_bytes.mjs';

const session = pageSession();
const { open } = session;
const GIB = 2 ** 30;

const report = (page) => page.evaluate(() => window.__llmcalc.last.report);
const state = (page) => page.evaluate(() => window.__llmcalc.state);
const hash = (page) => page.evaluate(() => location.hash);

// A file as a drop target receives it from a drag: a DataTransfer built in the page.
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
  // memory.fits covers every device (the RAM does not fit); the GPU's own headroom is positive.
  assert.equal(r.memory.fits, false);
  assert.ok(r.memory.headroom_bytes >= 0, 'the GPU part alone fits');
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

test('a second GPU with --tensor-split (a 3090 plus a 3060): a row and a verdict per GPU; the link gives the same result', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b&engine=llama.cpp&w=Q8_0&gpu=rtx-3090&b=1');
  assert.equal((await report(page)).devices, undefined);
  await change(page, '#f-gpu2', 'rtx-3060-12gb');
  let s = await page.evaluate(() => window.__llmcalc.last.scenario);
  assert.deepEqual(s.hardware.extra_gpus, ['rtx-3060-12gb']);
  assert.equal(s.offload.tensor_split, undefined, 'no split given: llama.cpp splits by memory');
  await change(page, '#f-ts', '3,1');
  s = await page.evaluate(() => window.__llmcalc.last.scenario);
  assert.deepEqual(s.offload.tensor_split, [3, 1]);
  const r = await report(page);
  const gpus = r.devices.filter((d) => d.id !== 'ram');
  assert.deepEqual(gpus.map((d) => d.id), ['gpu', 'gpu1']);
  // 3:1 of the 33 layer slots (32 layers + output): the 3090 holds more than the 3060.
  assert.ok(gpus[0].total_bytes > gpus[1].total_bytes * 2, JSON.stringify(gpus.map((d) => d.total_bytes)));
  assert.match(await text(page, '#device-rows [data-device=gpu1]'), /Fits GPU 2: .*RTX 3060/);
  const h = await hash(page);
  assert.match(h, /gpu2=rtx-3060-12gb/);
  assert.match(h, /ts=3%2C1|ts=3,1/);
  const again = await open(h);
  assert.deepEqual((await report(again.page)).devices, r.devices);
  // A split with a weight per GPU missing: the core's error beside the field.
  const n = await updates(page);
  await page.fill('#f-ts', '3,1,1');
  await settled(page, n);
  assert.ok(await page.locator('#f-ts-err').isVisible());
  assert.match(await text(page, '#f-ts-err'), /one weight per GPU/);
  await change(page, '#f-ts', '');
  await change(page, '#f-gpu2', '');
  assert.equal((await page.evaluate(() => window.__llmcalc.last.scenario)).offload, undefined);
  assert.doesNotMatch(await hash(page), /gpu2=|ts=/);
  assert.deepEqual([...problems, ...again.problems], []);
});

test('a third GPU: three devices with a row and a verdict each, a three-weight split, all in the link', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b&engine=llama.cpp&w=Q8_0&gpu=rtx-3090&b=1&gpu2=rtx-3060-12gb');
  await change(page, '#f-gpu3', 'rtx-4060');
  const s = await page.evaluate(() => window.__llmcalc.last.scenario);
  assert.deepEqual(s.hardware.extra_gpus, ['rtx-3060-12gb', 'rtx-4060']);
  await change(page, '#f-ts', '2,1,1');
  const r = await report(page);
  assert.deepEqual(r.devices.filter((d) => d.id !== 'ram').map((d) => d.id), ['gpu', 'gpu1', 'gpu2']);
  assert.match(await text(page, '#device-rows [data-device=gpu2]'), /GPU 3: .*RTX 4060/);
  const h = await hash(page);
  assert.match(h, /gpu3=rtx-4060/);
  const again = await open(h);
  assert.deepEqual((await report(again.page)).devices, r.devices);
  // Two weights for three GPUs: the core's error beside the split.
  const n = await updates(page);
  await page.fill('#f-ts', '2,1');
  await settled(page, n);
  assert.ok(await page.locator('#f-ts-err').isVisible());
  await change(page, '#f-ts', '');
  // The third GPU alone (no second): it is the second device.
  await change(page, '#f-gpu2', '');
  assert.deepEqual((await page.evaluate(() => window.__llmcalc.last.scenario)).hardware.extra_gpus, ['rtx-4060']);
  await change(page, '#f-gpu3', '');
  assert.equal((await page.evaluate(() => window.__llmcalc.last.scenario)).offload, undefined);
  assert.doesNotMatch(await hash(page), /gpu3=/);
  assert.deepEqual([...problems, ...again.problems], []);
});

test('a CPU preset and CPU FLOP/s for the layers in system RAM: in the scenario, the link and the speed', async () => {
  const { page, problems } = await open('#model=llama-3.1-8b&engine=llama.cpp&w=Q4_K_M&gpu=rtx-4090&b=1&p=16&ngl=10');
  const before = await report(page);
  await change(page, '#f-cpu', 'ryzen-9-7950x');
  let s = await page.evaluate(() => window.__llmcalc.last.scenario);
  assert.equal(s.hardware.cpu, 'ryzen-9-7950x');
  assert.match(await text(page, '#f-cpu option[value=ryzen-9-7950x]'), /2\.3 TFLOP\/s/);
  const withCpu = await report(page);
  // A 16-token prompt runs the RAM's layers on the CPU (under 32 tokens): 160.5 GFLOP there
  // take 0.070 s at the 7950X's 2.3 TFLOP/s, over the 0.052 s of reading them (DDR5-5600 at
  // its 0.643 read efficiency), so the preset makes the prompt slower; a slow CPU
  // (0.05 TFLOP/s: 3.2 s) more so.
  assert.ok(withCpu.latency.ttft_s > before.latency.ttft_s, `${withCpu.latency.ttft_s} vs ${before.latency.ttft_s}`);
  await change(page, '#f-cpuf', '0.05');
  s = await page.evaluate(() => window.__llmcalc.last.scenario);
  assert.equal(s.hardware.cpu_flops, 0.05e12);
  const slow = await report(page);
  assert.ok(slow.latency.ttft_s > withCpu.latency.ttft_s, `${slow.latency.ttft_s} vs ${withCpu.latency.ttft_s}`);
  const h = await hash(page);
  assert.match(h, /cpu=ryzen-9-7950x/);
  assert.match(h, /cpuf=0\.05/);
  const again = await open(h);
  assert.deepEqual((await report(again.page)).latency, slow.latency);
  // An unknown CPU in a link: the core names the field.
  const bad = await open(h.replace('cpu=ryzen-9-7950x', 'cpu=pentium-2'));
  assert.ok(await bad.page.locator('#f-cpu-err').isVisible() || /hardware\/cpu|CPU preset/.test(await text(bad.page, 'body')));
  assert.deepEqual([...problems, ...again.problems], []);
});

test('the RAM read efficiency, the user\'s own: in the scenario, the link and the speed', async () => {
  // Llama 3.1 8B with 22 of its 32 layers in RAM (-ngl 10): the decode's RAM part is read at
  // the DDR5 preset's 0.643 until the user gives their own; at 0.3 it takes 0.643 / 0.3 as long.
  const { page, problems } = await open('#model=llama-3.1-8b&engine=llama.cpp&w=Q4_K_M&gpu=rtx-4090&b=1&ngl=10');
  const before = await report(page);
  await change(page, '#f-rre', '0.3');
  const s = await page.evaluate(() => window.__llmcalc.last.scenario);
  assert.equal(s.hardware.ram_read_efficiency, 0.3);
  const slow = await report(page);
  assert.ok(slow.latency.decode_first_s > 2 * before.latency.decode_first_s, `${slow.latency.decode_first_s} vs ${before.latency.decode_first_s}`);
  const h = await hash(page);
  assert.match(h, /rre=0\.3/);
  const again = await open(h);
  assert.deepEqual((await report(again.page)).latency, slow.latency);
  // Out of (0, 1] in a link: the field says so.
  const bad = await open(h.replace('rre=0.3', 'rre=1.5'));
  assert.ok(await bad.page.locator('#f-rre-err').isVisible() || /ram_read_efficiency/.test(await text(bad.page, 'body')));
  assert.deepEqual([...problems, ...again.problems], []);
});

test('the GPU backend llama.cpp was built with: in the scenario and the link; each hand-over of an expert split costs its latency', async () => {
  // Qwen3-30B-A3B with the experts of 20 layers in RAM: 40 hand-overs a token between the GPU
  // and the CPU (docs/local.md, "Hand-overs"): the default (CUDA on an NVIDIA card) costs the
  // least, Vulkan 1.20 ms and SYCL 0.281 ms each (core/src/analyses/roofline.cpp).
  const { page, problems } = await open('#model=qwen3-30b-a3b&engine=llama.cpp&w=Q4_K_M&gpu=rtx-4090&b=1&ncmoe=20');
  assert.equal(await page.locator('#f-be').inputValue(), '');
  assert.equal((await page.evaluate(() => window.__llmcalc.last.scenario)).offload.backend, undefined);
  const cuda = (await report(page)).latency.decode_first_s;
  await change(page, '#f-be', 'vulkan');
  assert.equal((await page.evaluate(() => window.__llmcalc.last.scenario)).offload.backend, 'vulkan');
  const vulkan = (await report(page)).latency.decode_first_s;
  assert.ok(vulkan > cuda + 0.03, `${vulkan} vs ${cuda}`);
  const h = await hash(page);
  assert.match(h, /be=vulkan/);
  const again = await open(h);
  assert.equal(await again.page.locator('#f-be').inputValue(), 'vulkan');
  assert.equal((await report(again.page)).latency.decode_first_s, vulkan);
  await change(page, '#f-be', 'sycl');
  const sycl = (await report(page)).latency.decode_first_s;
  assert.ok(Math.abs(vulkan - sycl - 40 * (1.2e-3 - 0.281e-3)) < 1e-6, `${vulkan} - ${sycl}`);
  await change(page, '#f-be', '');
  assert.doesNotMatch(await hash(page), /be=/);
  assert.equal((await report(page)).latency.decode_first_s, cuda);
  // A backend the core does not model, in a link: refused, named.
  const bad = await open(h.replace('be=vulkan', 'be=metal'));
  assert.match(await text(bad.page, 'body'), /be.*must be one of cuda, vulkan, sycl|must be one of cuda, vulkan, sycl/);
  assert.deepEqual([...problems, ...again.problems], []);
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
  await page.setInputFiles('#f-hf-file', { name: 'tiny-llama-Q4_K_M.gguf', mimeType: 'application/octet-stream', buffer: file });
  await settled(page, n);
  const r = await report(page);
  assert.notEqual(r.params.total, before.params.total);
  assert.equal(r.params.total, 860160 + 335872 + 1280);
  assert.equal(r.memory.items.find((i) => i.id === 'weights').bytes, 764480);
  // The architecture and context read from the header.
  assert.equal(r.model.name, 'tiny llama');
  assert.equal((await state(page)).gguf.architecture.max_position_embeddings, 4096);
  assert.equal((await state(page)).gguf.architecture.num_kv_heads, 2);
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
  const n = await dropFile(page, '#f-hf', 'big-header.gguf', file);
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
    await dropFile(page, '#f-hf', name, bytes);
    await page.waitForSelector('#f-gguf-err:not([hidden])');
    const msg = await text(page, '#f-gguf-err');
    await page.evaluate(() => { document.getElementById('f-gguf-err').hidden = true; });
    return msg;
  };
  assert.match(await shown('model.gguf', Buffer.from('PK\u0003\u0004 this is a zip file')), /model\.gguf cannot be used: .*GGUF.*\/gguf\/magic/);
  const { header } = tinyLlama();
  assert.match(await shown('cut.gguf', header.subarray(0, 300)), /cut\.gguf cannot be used: .*ends at byte 300.*\/gguf\/metadata/);
  // A tensor count past the reader's limit: refused before anything is allocated.
  assert.match(await shown('many.gguf', new Gguf().header(2 ** 21, 0).bytes()), /2097152 tensors; the limit is 1048576 \(\/gguf\/tensor_count\)/);
  assert.equal((await state(page)).gguf, null);
  assert.equal((await report(page)).model.name, 'Llama 3.1 8B');
  // Read as GGUF, not as JSON text: the config.json error stays hidden.
  assert.equal(await page.locator('#f-hf-err').isVisible(), false);
  assert.deepEqual(problems, []);
});
