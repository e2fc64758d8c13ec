// The calculator page's build of the core (llmcalc_core_page.mjs + .wasm, wasm/CMakeLists.txt)
// against the Node build: the page's module is linked differently (its own preset data, its own
// strtod in wasm/page_strtod.cpp, other wasm-opt flags), and must answer the same, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { textCore } from '../../wasm/js/api.mjs';
import { pageModule } from '../../wasm/js/page_module.mjs';
import { loadCore } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// LLMCALC_PAGE_MODULE: another build of the page glue, its .wasm beside it.
const pageGlue = path.resolve(process.env.LLMCALC_PAGE_MODULE || path.join(root, 'build/wasm/wasm/llmcalc_core_page.mjs'));
const page = textCore(pageModule(await (await import(pathToFileURL(pageGlue).href)).default({
  wasmBinary: readFileSync(pageGlue.replace(/\.mjs$/, '.wasm')),
})));
const node = textCore(await loadCore());

// Scenario text with a number written as given (JSON.stringify would re-write it).
const withPrice = (text) =>
  `{"model":"llama-3.1-8b","hardware":{"gpu":"h100-sxm"},"options":{"price_per_gpu_hour":${text}}}`;

test('numbers in a scenario read as the Node build reads them (strtod: fast path and the rest)', () => {
  // Clinger's fast path (<= 15 digits, 10^+-22), then texts it cannot take: 16-25 digits, halfway
  // cases, powers of ten beyond 22, subnormals, underflow to 0, leading zeros, upper-case E.
  const texts = ['2.49', '0.1', '1e-7', '3.35E2', '0.000123', '1.5e5', '999999.5', '123456.789012345',
    '3.3333333333333333333', '0.30000000000000004', '9007199254740993', '9007199254740993.5',
    '123456.78901234567890123', '2.2250738585072011e-308', '4.9e-324', '2.4703282292062327e-324',
    '1e-400', '0.0000000000000000000000001', '1e-23', '7.0000000000000000000000000001',
    '00.5', '1.00000000000000011102230246251565404236316680908203125', '0e5', '-0.0', '1000000.0'];
  for (const t of texts) {
    const s = withPrice(t);
    const [a, b] = [page.estimate_json(s), node.estimate_json(s)];
    assert.equal(a, b, `price ${t}`);
  }
  // The prices reach the report: a reading error would show.
  assert.notEqual(page.estimate_json(withPrice('2.49')), page.estimate_json(withPrice('2.5')));
});

test('every preset, and its exported HF config imported again, as the Node build answers', () => {
  const models = JSON.parse(node.models_json()).models;
  assert.ok(models.length > 50);
  for (const { id } of models) {
    const s = JSON.stringify({ model: id });
    assert.equal(page.estimate_json(s), node.estimate_json(s), id);
    const config = JSON.parse(node.export_hf_config_json(id)).config;
    if (config === undefined) continue;
    const text = JSON.stringify(config);
    assert.equal(page.import_hf_config_json(text), node.import_hf_config_json(text), `${id} HF config`);
  }
});

// The page module's catalogs load from its own stripped data (wasm/embed_page_data.mjs): a preset
// its catalog rejected would be missing there and only there, with no error on the page. Every
// GPU, unified machine, RAM preset, CPU and engine must answer as the Node build answers.
test('every GPU, unified machine, RAM and CPU preset and engine, as the Node build answers', () => {
  const { gpus, unified } = JSON.parse(node.gpus_json());
  const { engines } = JSON.parse(node.engines_json());
  const host = JSON.parse(readFileSync(path.join(root, 'core/data/host_memory.json'), 'utf8'));
  assert.ok(gpus.length > 40 && unified.length > 10 && engines.length > 8);
  const scenarios = [
    ...[...gpus, ...unified].map(({ id }) => ({ model: 'llama-3.1-8b', hardware: { gpu: id } })),
    ...host.presets.map(({ id }) => ({ model: 'llama-3.1-70b', hardware: { gpu: 'rtx-4090', host_memory: id } })),
    ...host.cpus.map(({ id }) => ({ model: 'llama-3.1-70b', hardware: { gpu: 'rtx-4090', cpu: id } })),
    ...engines.map(({ id, modes }) => ({ model: 'llama-3.1-8b', mode: modes[0], engine: id })),
  ];
  for (const s of scenarios) {
    const text = JSON.stringify(s);
    const [a, b] = [page.estimate_json(text), node.estimate_json(text)];
    assert.equal(a, b, text);
    // A preset lost by both builds' catalogs would still match: neither may say it is unknown (a
    // unified machine without a default GPU share is a legitimate error, missing_field).
    assert.doesNotMatch(a, /"unknown_preset"/, text);
  }
});
