// More than a thousand bad inputs of many kinds through every entry point; each must come
// back as {ok:false, errors:[...]} without throwing, and the module must still answer a good
// scenario correctly afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLlmCalc, SEED_INFERENCE, SEED_TRAINING, gib } from './helpers.mjs';
import { makeRng } from '../parity/gen.mjs';

const calc = await createLlmCalc();
const r = makeRng(1234567);

function assertFailure(result, what) {
  assert.equal(typeof result, 'object', what);
  assert.equal(result.ok, false, `${what}: expected ok:false, got ${JSON.stringify(result).slice(0, 200)}`);
  assert.ok(Array.isArray(result.errors) && result.errors.length > 0, what);
  for (const e of result.errors) {
    assert.equal(typeof e.path, 'string', what);
    assert.equal(typeof e.code, 'string', what);
    assert.equal(typeof e.message, 'string', what);
    assert.ok(e.path === '' || e.path.startsWith('/'), `${what}: path ${e.path}`);
  }
}

// ---- bad scenarios, as values and as text
const cyclic = { model: 'llama-2-7b' };
cyclic.self = cyclic;
const cyclicArray = [];
cyclicArray.push(cyclicArray);
const deepObject = (n) => {
  let v = { model: 'llama-2-7b' };
  for (let i = 0; i < n; ++i) v = { nested: v };
  return v;
};
const deepText = (n) => '['.repeat(n) + ']'.repeat(n);
const MB = 1024 * 1024;

const fixed = [
  // JS-side junk
  undefined, null, 0, 1, -1, NaN, Infinity, true, false, 10n, Symbol('x'), () => 1, class A {},
  [], [1, 2, 3], new Map(), new Set([1]), new Date(0), /re/, new Uint8Array(4), Promise.resolve(1),
  cyclic, cyclicArray, { model: 'llama-2-7b', workload: { batch: 4n } },
  { model: 'llama-2-7b', workload: { batch: () => 4 } }, { model: 'llama-2-7b', workload: { batch: NaN } },
  { model: 'llama-2-7b', workload: { batch: Infinity } }, { model: 'llama-2-7b', workload: { batch: -Infinity } },
  { model: Symbol('m') }, { model: 'llama-2-7b', hardware: [undefined] },
  { model: 'llama-2-7b', toJSON() { throw new Error('nope'); } },
  deepObject(100), deepObject(10000),
  // malformed JSON text
  '', ' ', '{', '}', '{"model":', '{"model":"llama-2-7b"', '{"model":"llama-2-7b",}', "{'model':'llama-2-7b'}",
  'null', 'true', '42', '"llama-2-7b"', '[]', '[{"model":"llama-2-7b"}]', 'NaN', '{"model":NaN}',
  '{"model":"llama-2-7b","workload":{"batch":Infinity}}', '\u0000', '{"model":"llama-2-7b"}\u0000garbage',
  '{"model":"llama-2-7b"} {"model":"llama-2-7b"}', '\uFEFF{"model":"llama-2-7b","bogus":1}',
  '{"model":"\uD800"}', '{"model":"llama-2-7b","x":"\uDC00"}', '"\uD800"', '{"model":"\\uD800"}',
  deepText(33), deepText(1000), deepText(200000), '{"a":'.repeat(5000),
  // multi-MB strings
  'x'.repeat(5 * MB), '{"model":"' + 'a'.repeat(5 * MB) + '"}', ' '.repeat(4 * MB + 1),
  '{"model":"llama-2-7b","notes":"' + 'é'.repeat(3 * MB) + '"}', 'y'.repeat(17 * MB),
  { model: 'llama-2-7b', junk: 'z'.repeat(5 * MB) },
  // wrong types and values
  { model: 42 }, { model: [] }, { model: {} }, { model: { preset: 'llama-2-7b', architecture: {} } },
  { model: 'no-such-model' }, { model: 'a'.repeat(1000) }, { model: 'a' + 'é'.repeat(30) }, { model: 'é'.repeat(100) },
  { model: 'llama-2-7b', mode: 'train' }, { model: 'llama-2-7b', mode: 1 }, { model: 'llama-2-7b', method: 'magic' },
  { model: 'llama-2-7b', workload: 4 }, { model: 'llama-2-7b', workload: { batch: 0 } },
  { model: 'llama-2-7b', workload: { batch: -5 } }, { model: 'llama-2-7b', workload: { batch: 2.5 } },
  { model: 'llama-2-7b', workload: { batch: 1e30 } }, { model: 'llama-2-7b', workload: { batch: '4' } },
  { model: 'llama-2-7b', workload: { prompt: 1e8, generate: 1e8 } }, { model: 'llama-2-7b', workload: { bacth: 4 } },
  { model: 'llama-2-7b', precision: { weights: 'fp64' } }, { model: 'llama-2-7b', precision: { group_size: 64 } },
  { model: 'llama-2-7b', parallelism: { tp: 3 } }, { model: 'llama-2-7b', parallelism: { pp: 1000 } },
  { model: 'llama-2-7b', hardware: { gpu: 'h900' } }, { model: 'llama-2-7b', hardware: { count: 3, gpu: 'h100-sxm' } },
  { model: 'llama-2-7b', hardware: { gpu: 'custom' } }, { model: 'llama-2-7b', hardware: { memory_bytes: 1e300 } },
  { model: 'llama-2-7b', mode: 'training', precision: { weights: 'int4' } },
  { model: 'llama-2-7b', mode: 'training', training: { finetune: 'qlora' }, precision: { weights: 'bf16' } },
  { model: 'llama-2-7b', training: { lora: { targets: ['nope'] } } }, { model: 'llama-2-7b', options: { logits: 'some' } },
  { model: { architecture: { vocab_size: 32000, hidden_size: 4096, num_layers: 1e30, num_heads: 32, intermediate_size: 11008 } } },
  { model: { architecture: { vocab_size: 1e7, hidden_size: 1e6, num_layers: 1e4, num_heads: 1, intermediate_size: 1e7 } } },
  { model: { architecture: { vocab_size: 32000, hidden_size: 4096, num_layers: 32, num_heads: 30, intermediate_size: 11008 } } },
  { model: { architecture: { vocab_size: 32000, hidden_size: 4096, num_layers: 32, num_heads: 32, num_kv_heads: 5, intermediate_size: 11008 } } },
  { model: { architecture: { vocab_size: 32000, hidden_size: 4096, num_layers: 32, num_heads: 32, intermediate_size: 11008, moe: { num_experts: 2, top_k: 3, expert_intermediate_size: 10 } } } },
  { model: { architecture: { vocab_size: 32000, hidden_size: 4096, num_layers: 32, num_heads: 32, intermediate_size: 11008, position: 'learned' } } },
  { model: { architecture: {} } }, { model: { hf_config: {} } }, { model: { hf_config: { model_type: 'bert' } } },
  { model: { hf_config: 'llama' } },
];

// Random mutations of good scenarios: a random path set to a random junk value.
const junk = [null, 0, -1, 1.5, 1e30, -1e30, 1e-300, '', 'x', 'é'.repeat(41), true, [], {}, [1], { a: 1 }, 2 ** 53 + 1, -0];
const paths = [
  ['model'], ['mode'], ['method'], ['workload', 'batch'], ['workload', 'prompt'], ['workload', 'generate'], ['workload', 'seq'],
  ['workload', 'grad_accum'], ['workload', 'tokens_budget'], ['precision', 'weights'], ['precision', 'kv_cache'],
  ['precision', 'group_size'], ['parallelism', 'tp'], ['parallelism', 'pp'], ['parallelism', 'dp'],
  ['parallelism', 'sequence_parallel'], ['hardware', 'gpu'], ['hardware', 'count'], ['hardware', 'memory_bytes'],
  ['training', 'zero_stage'], ['training', 'lora', 'rank'], ['training', 'lora', 'targets'], ['options', 'prefill_chunk'],
  ['overhead', 'fragmentation_fraction'], ['unknown_top_level'], ['workload', 'unknown'],
];
function mutate() {
  const s = JSON.parse(JSON.stringify(r.chance(0.5) ? SEED_INFERENCE : SEED_TRAINING));
  const p = r.pick(paths);
  let o = s;
  for (const k of p.slice(0, -1)) o = o[k] = o[k] && typeof o[k] === 'object' ? o[k] : {};
  o[p.at(-1)] = r.pick(junk);
  return s;
}
// Random byte-level damage to good JSON text.
function damage() {
  const text = JSON.stringify(r.chance(0.5) ? SEED_INFERENCE : SEED_TRAINING);
  const i = r.int(0, text.length - 1);
  const op = r.int(0, 2);
  const ch = String.fromCharCode(r.int(0, 0x2ff));
  if (op === 0) return text.slice(0, i);
  if (op === 1) return text.slice(0, i) + ch + text.slice(i);
  return text.slice(0, i) + text.slice(i + 1);
}

test('>= 1,000 bad inputs through every entry point never throw, then a good one works', () => {
  const inputs = [...fixed];
  while (inputs.length < 1100) inputs.push(r.chance(0.5) ? mutate() : damage());
  let failures = 0, accepted = 0;
  for (const [i, input] of inputs.entries()) {
    const what = `input #${i}`;
    const e = calc.estimate(input);
    if (e.ok) {
      // a random mutation may leave a valid scenario (e.g. a default-valued field); fine
      assert.ok(i >= fixed.length, `${what} was accepted: ${String(typeof input === 'string' ? input : JSON.stringify(input)).slice(0, 200)}`);
      accepted += 1;
    } else {
      assertFailure(e, what);
      failures += 1;
    }
    if (i % 5 === 0) {
      const sweepSpec = r.pick([input, { vary: 'batch', values: [1, 2] }]);
      const sw = calc.sweep(input, sweepSpec);
      if (!sw.ok) assertFailure(sw, `${what} sweep`);
      const so = calc.solve(input, r.pick([input, 'max-batch', { question: 'knee' }, 'nope', undefined, 7]));
      if (!so.ok) assertFailure(so, `${what} solve`);
      const hf = calc.importHfConfig(input);
      if (!hf.ok) assertFailure(hf, `${what} import`);
      const ex = calc.exportHfConfig(input);
      if (!ex.ok) assertFailure(ex, `${what} export`);
    }
  }
  assert.ok(failures >= 1000, `only ${failures} inputs were refused`);
  assert.ok(accepted < inputs.length / 10, `${accepted} mutated inputs were accepted`);

  // Still healthy: the right answers for good scenarios.
  const good = calc.estimate(SEED_INFERENCE);
  assert.equal(good.ok, true, JSON.stringify(good.errors));
  assert.equal(gib(good.report.memory.total_bytes), 20.55);
  assert.equal(gib(calc.estimate(SEED_TRAINING).report.memory.total_bytes), 128.41);
  assert.ok(calc.models().length > 0);
});

test('specific error envelopes', () => {
  const cases = [
    [calc.estimate(undefined), '', 'missing_field'],
    [calc.estimate(42), '', 'wrong_type'],
    [calc.estimate(cyclic), '/self', 'cyclic'],
    [calc.estimate({ model: 'llama-2-7b', workload: { batch: 4n } }), '/workload/batch', 'wrong_type'],
    [calc.estimate({ model: 'llama-2-7b', workload: { batch: () => 4 } }), '/workload/batch', 'wrong_type'],
    [calc.estimate({ model: 'llama-2-7b', workload: { batch: NaN } }), '/workload/batch', 'not_finite'],
    [calc.estimate('{"model":'), '', 'invalid_json'],
    [calc.estimate('{"model":"\uD800"}'), '', 'invalid_json'],
    [calc.estimate('x'.repeat(5 * MB)), '', 'too_large'],
    [calc.estimate(deepText(1000)), '', 'too_deep'],
    [calc.estimate({ model: 'llama-2-7b', workload: { batch: 1e30 } }), '/workload/batch', 'out_of_range'],
    [calc.sweep(SEED_INFERENCE, undefined), '/sweep', 'missing_field'],
    [calc.sweep(SEED_INFERENCE, { vary: 'batch', values: [1], bogus: 1 }), '/sweep/bogus', 'unknown_field'],
    [calc.solve(SEED_INFERENCE, 5), '/question', 'wrong_type'],
    [calc.solve(SEED_INFERENCE, { question: 'knee' }), '/question/question', 'inconsistent'],
    [calc.exportHfConfig(5), '/model', 'wrong_type'],
    [calc.exportHfConfig('no-such-model'), '/model', 'unknown_preset'],
  ];
  for (const [i, [res, path, code]] of cases.entries()) {
    assertFailure(res, `case ${i}`);
    assert.ok(res.errors.some((e) => e.path === path && e.code === code),
      `case ${i}: expected ${path} ${code}, got ${JSON.stringify(res.errors).slice(0, 300)}`);
  }
});

test('a C++ exception escaping the core becomes an internal error, and the module recovers', () => {
  // An unknown preset id whose 40-byte excerpt in the message cuts a UTF-8 character in two:
  // nlohmann::json::dump throws type_error 316 inside the core (a core bug, reported).
  const res = calc.estimate({ model: 'a' + 'é'.repeat(30) });
  assertFailure(res, 'utf-8 cut');
  if (res.errors[0].code === 'internal') {
    for (let i = 0; i < 2000; ++i) calc.estimate({ model: 'a' + 'é'.repeat(30) });  // no stack leak
  }
  assert.equal(gib(calc.estimate(SEED_INFERENCE).report.memory.total_bytes), 20.55);
});
