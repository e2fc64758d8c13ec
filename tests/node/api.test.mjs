// API shape and the seed goldens through WebAssembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLlmCalc, SEED_INFERENCE, SEED_TRAINING, gib } from './helpers.mjs';

const calc = await createLlmCalc();

test('createLlmCalc is memoized', async () => {
  assert.equal(await createLlmCalc(), calc);
});

test('API shape', () => {
  for (const fn of ['estimate', 'sweep', 'solve', 'models', 'gpus', 'importHfConfig', 'exportHfConfig', 'schema'])
    assert.equal(typeof calc[fn], 'function', fn);
  assert.match(calc.version, /^\d+\.\d+\.\d+/);
  assert.ok(Object.isFrozen(calc));
});

test('schema(): the same export as `llmcalc schema --json`', () => {
  const s = calc.schema();
  assert.equal(s.ok, true);
  const batch = s.fields.find((f) => f.pointer === '/workload/batch');
  assert.deepEqual([batch.flag, batch.min, batch.max, batch.default], ['--batch', 1, 1000000, 1]);
  assert.equal(s.enums.Method.aliases.seed, 'rules-of-thumb');
  assert.ok(s.error_codes.some((c) => c.code === 'duplicate'));
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/native/core/cli/llmcalc');
  if (existsSync(cli)) {
    const { ok, ...rest } = JSON.parse(execFileSync(cli, ['schema', '--json'], { encoding: 'utf8' }));
    const { ok: _ok, ...mine } = s;
    assert.deepEqual(mine, rest);
  }
});

test('seed golden: Llama-2-7B inference, batch 4, prompt 4096 -> 20.55 GiB', () => {
  const r = calc.estimate(SEED_INFERENCE);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(gib(r.report.memory.total_bytes), 20.55);
  assert.equal(r.report.model.id, 'llama-2-7b');
  assert.equal(r.report.mode, 'inference');
  assert.equal(r.report.method, 'rules-of-thumb');  // asked as 'seed', its old name
  assert.equal(r.report.training, null);
  assert.ok(r.report.latency && Array.isArray(r.report.latency.phases));
});

test('seed golden: Llama-2-7B training, batch 4, seq 4096 -> 128.41 GiB', () => {
  const r = calc.estimate(SEED_TRAINING);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(gib(r.report.memory.total_bytes), 128.41);
  assert.equal(r.report.mode, 'training');
  assert.equal(r.report.memory.fits, false);
  assert.ok(r.report.training);
});

test('scenario as JSON text gives the same report as the object', () => {
  assert.deepEqual(calc.estimate(JSON.stringify(SEED_INFERENCE)), calc.estimate(SEED_INFERENCE));
});

test('undefined object properties are left out, as JSON.stringify does', () => {
  const r = calc.estimate({ ...SEED_INFERENCE, mode: undefined, precision: undefined });
  assert.equal(r.ok, true);
  assert.equal(gib(r.report.memory.total_bytes), 20.55);
});

test('report equals `llmcalc estimate --json` when the native CLI is built', (t) => {
  const cli = fileURLToPath(new URL('../../build/native/core/cli/llmcalc', import.meta.url));
  if (!existsSync(cli)) return t.skip('native CLI not built');
  const dir = mkdtempSync(path.join(tmpdir(), 'llmcalc-'));
  try {
    for (const s of [SEED_INFERENCE, SEED_TRAINING, { model: 'mixtral-8x7b', workload: { batch: 8 } }]) {
      const file = path.join(dir, 'scenario.json');
      writeFileSync(file, JSON.stringify(s));
      const native = JSON.parse(execFileSync(cli, ['estimate', '--scenario', file, '--json']).toString());
      const r = calc.estimate(s);
      assert.equal(r.ok, true);
      assert.deepEqual(r.report, native);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validation errors come back as an envelope with JSON pointers', () => {
  const r = calc.estimate({ model: 'llama-2-7b', workload: { batch: 0 } });
  assert.equal(r.ok, false);
  assert.ok(r.errors.some((e) => e.path === '/workload/batch' && e.code === 'out_of_range'), JSON.stringify(r));
  const u = calc.estimate({ model: 'no-such-model' });
  assert.equal(u.ok, false);
  assert.equal(u.errors[0].code, 'unknown_preset');
  for (const e of [...r.errors, ...u.errors]) {
    assert.equal(typeof e.path, 'string');
    assert.equal(typeof e.code, 'string');
    assert.equal(typeof e.message, 'string');
  }
});

test('sweep: full and compact', () => {
  const full = calc.sweep(SEED_INFERENCE, { vary: 'batch', values: [1, 2, 4] });
  assert.equal(full.ok, true, JSON.stringify(full.errors));
  assert.equal(full.vary, 'batch');
  assert.equal(full.points.length, 3);
  assert.equal(gib(full.points[2].report.memory.total_bytes), 20.55);
  const compact = calc.sweep(SEED_INFERENCE, { vary: 'batch', values: [1, 2, 4], compact: true });
  assert.equal(compact.ok, true);
  assert.deepEqual(compact.values, [1, 2, 4]);
  assert.equal(compact.series.total_bytes.length, 3);
  assert.equal(compact.series.total_bytes[2], full.points[2].report.memory.total_bytes);
  const gpus = calc.sweep(SEED_INFERENCE, { vary: 'gpu', values: ['h100-sxm', 'a100-80gb'], compact: true });
  assert.equal(gpus.ok, true);
  const bad = calc.sweep(SEED_INFERENCE, { vary: 'batch', values: [] });
  assert.equal(bad.ok, false);
  assert.equal(bad.errors[0].path, '/sweep/values');
  const badScenario = calc.sweep({ model: 'nope' }, { vary: 'batch', values: [1] });
  assert.equal(badScenario.ok, false);
  assert.ok(badScenario.errors[0].path.startsWith('/scenario'));
});

test('solve: string and object questions', () => {
  const s = { model: 'llama-3.1-8b', workload: { prompt: 2048, generate: 256 } };
  const mb = calc.solve(s, 'max-batch');
  assert.equal(mb.ok, true, JSON.stringify(mb.errors));
  assert.equal(mb.question, 'max-batch');
  assert.equal(mb.found, true);
  assert.ok(mb.value >= 1);
  assert.ok(mb.report.memory.fits);
  assert.deepEqual(calc.solve(s, { question: 'max-batch' }), mb);
  const mg = calc.solve({ model: 'llama-3.1-70b' }, { question: 'min-gpus', max_gpus: 64 });
  assert.equal(mg.ok, true, JSON.stringify(mg.errors));
  assert.ok(mg.layout.tp * mg.layout.pp * mg.layout.dp >= 1);
  const knee = calc.solve(s, 'knee');
  assert.equal(knee.ok, true, JSON.stringify(knee.errors));
  assert.equal(knee.question, 'knee');
  assert.ok(Array.isArray(knee.series.batch));
  const bad = calc.solve(s, 'max-fun');
  assert.equal(bad.ok, false);
  assert.equal(bad.errors[0].path, '/question/question');
});

test('catalogs are arrays and fresh copies', () => {
  const models = calc.models();
  const gpus = calc.gpus();
  assert.ok(Array.isArray(models) && models.length >= 10);
  assert.ok(Array.isArray(gpus) && gpus.length >= 10);
  assert.ok(models.some((m) => m.id === 'llama-2-7b' && m.params.total === 6738415616));
  assert.ok(gpus.some((g) => g.id === 'h100-sxm' && g.memory_bytes > 0));
  models[0].id = 'mutated';
  assert.notEqual(calc.models()[0].id, 'mutated');
  for (const m of models) assert.equal(typeof m.architecture.hidden_size, 'number');
});

test('HF config round trip: export a preset, import it back', () => {
  const ex = calc.exportHfConfig('llama-2-7b');
  assert.equal(ex.ok, true, JSON.stringify(ex.errors));
  assert.equal(ex.config.model_type, 'llama');
  const im = calc.importHfConfig(ex.config);
  assert.equal(im.ok, true, JSON.stringify(im.errors));
  assert.equal(im.model.params.total, 6738415616);
  const imText = calc.importHfConfig(JSON.stringify(ex.config));
  assert.deepEqual(imText, im);
  // And as a scenario's model.
  const r = calc.estimate({ ...SEED_INFERENCE, model: { hf_config: ex.config } });
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(gib(r.report.memory.total_bytes), 20.55);
});

test('the browser build (ES module, browser.mjs) loads under Node and answers identically', async () => {
  const { createLlmCalc: createBrowser } = await import('../../wasm/js/browser.mjs');
  const web = await createBrowser();
  assert.equal(await createBrowser(), web);
  assert.notEqual(web, calc);
  assert.equal(web.version, calc.version);
  for (const s of [SEED_INFERENCE, SEED_TRAINING, { model: 'deepseek-v3', workload: { batch: 2 } }])
    assert.deepEqual(web.estimate(s), calc.estimate(s));
  assert.deepEqual(web.models(), calc.models());
  assert.deepEqual(web.gpus(), calc.gpus());
});

test('SGLang without mem_fraction_static: its own default from the GPU (0.835 on one H100), no flag in the command', () => {
  const derived = calc.estimate({ model: 'llama-3-8b', engine: 'sglang' });
  const given = calc.estimate({ model: 'llama-3-8b', engine: 'sglang', engine_options: { mem_fraction_static: 0.835 } });
  assert.equal(derived.ok, true);
  // The same pool as the fraction given by hand (round((81559 - 13440) / 81559, 3): tests/core/analyses/engine_test.cpp).
  assert.equal(derived.report.engine.kv_pool.bytes, given.report.engine.kv_pool.bytes);
  assert.match(derived.report.engine.kv_pool.formula, /cuda_graph_max_bs/);
  // The profile's basis travels with the report (the page module keeps it: wasm/embed_page_data.mjs).
  assert.equal(derived.report.engine.basis, calc.engines().find((e) => e.id === 'sglang').basis);
  assert.doesNotMatch(derived.report.engine.command, /--mem-fraction-static/);
  assert.match(given.report.engine.command, /--mem-fraction-static 0\.835/);
});

test('chunked prefill: vLLM V1 and SGLang run at most their token budget per prefill step (8192 on an H100)', () => {
  const scenario = (engine, extra = {}) => ({ model: 'llama-3-8b', engine, hardware: { gpu: 'h100-sxm' },
    workload: { batch: 16, prompt: 2048, generate: 64 }, ...extra });
  const acts = (r) => r.report.memory.items.filter((i) => i.id === 'activations');
  const v1 = calc.estimate(scenario('vllm')), v0 = calc.estimate(scenario('vllm-v0'));
  assert.equal(v1.ok, true);
  assert.equal(v0.ok, true);
  // Llama-3-8B's largest per-token term (tests/core/analyses/engine_test.cpp by hand).
  const perToken = 4096 * 2 * 2 + 14336 * 3 * 2;
  assert.equal(acts(v1)[0].bytes, 8192 * perToken);
  assert.match(acts(v1)[0].label, /8,?192 tokens, max_num_batched_tokens/);
  assert.equal(acts(v0)[0].bytes, 16 * 2048 * perToken, 'V0 prefills the whole batch at once');
  const given = calc.estimate(scenario('vllm', { engine_options: { max_num_batched_tokens: 4096 } }));
  assert.equal(acts(given)[0].bytes, 4096 * perToken);
  // SGLang: chunked_prefill_size (8192 by default on an H100), an option since stop 24.
  const sg = calc.estimate(scenario('sglang', { engine_options: { chunked_prefill_size: 2048 } }));
  assert.equal(sg.ok, true);
  assert.equal(acts(sg)[0].bytes, 2048 * perToken);
  assert.match(sg.report.engine.command, /--chunked-prefill-size 2048/);
  const wrong = calc.estimate(scenario('vllm', { engine_options: { chunked_prefill_size: 2048 } }));
  assert.equal(wrong.ok, false);
  assert.equal(wrong.errors[0].path, '/engine_options/chunked_prefill_size');
});

test('vLLM V1 and vllm-v0: the V1 budget leaves the CUDA context out; both profiles are listed with their options', () => {
  const v1 = calc.estimate({ model: 'llama-3-8b', engine: 'vllm', hardware: { gpu: 'rtx-4090' } });
  const v0 = calc.estimate({ model: 'llama-3-8b', engine: 'vllm-v0', hardware: { gpu: 'rtx-4090' } });
  assert.equal(v1.ok, true);
  assert.equal(v0.ok, true);
  const e = v1.report.engine;
  // 0.92 of the card, before which the context and communicators lie (tests/core/analyses/engine_test.cpp by hand).
  assert.equal(e.budget_bytes, 0.92 * v1.report.memory.capacity_bytes);
  assert.ok(e.before_budget_bytes > 0);
  assert.deepEqual(e.profile_run, { tokens: 2048, seqs: 256 });
  assert.equal(e.max_num_seqs, 256, 'the scheduler cap on a 24 GB card');
  assert.equal(v0.report.engine.budget_bytes, undefined, 'V0 counts the context inside its budget');
  assert.ok(e.kv_pool.bytes > v0.report.engine.kv_pool.bytes, 'more pool on a 24 GB card under V1');
  const ids = calc.engines().map((x) => x.id);
  assert.ok(ids.includes('vllm') && ids.includes('vllm-v0'), ids.join(' '));
  // A bad option names its field.
  const bad = calc.estimate({ model: 'llama-3-8b', engine: 'vllm', engine_options: { max_num_seqs: -1 } });
  assert.equal(bad.ok, false);
  assert.equal(bad.errors[0].path, '/engine_options/max_num_seqs');
});
