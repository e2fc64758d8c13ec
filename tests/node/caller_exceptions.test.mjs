// The API reads the caller's objects, which may run the caller's code (getters, Proxy traps,
// toJSON). Whatever that code throws, even an error whose message says "abort", is an input
// error naming the field, and the shared module keeps working; only a fault inside
// WebAssembly marks it dead. Huge strings are refused before they reach WebAssembly memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore, wrapCore, SEED_INFERENCE, gib } from './helpers.mjs';

const raw = await loadCore();
const calc = wrapCore(raw);
const heapBytes = () => raw.HEAPU8.buffer.byteLength;

function healthy() {
  const r = calc.estimate(SEED_INFERENCE);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(gib(r.report.memory.total_bytes), 20.55);
}

function expectInputError(result, path, what) {
  assert.equal(result.ok, false, what);
  assert.deepEqual(result.errors.map((e) => [e.path, e.code]), [[path, 'invalid_input']], what);
  assert.match(result.errors[0].message, /threw/, what);
}

const abortError = () => new Error('abort(): the caller says abort');
const throwingGetter = (thrown) => ({
  model: 'llama-2-7b',
  workload: Object.defineProperty({ prompt: 512 }, 'batch', { enumerable: true, get() { throw thrown(); } }),
});
const trap = (name, thrown) => new Proxy({ model: 'llama-2-7b' }, { [name]() { throw thrown(); } });

test('an exception from the caller\'s getter or Proxy is an input error at its field', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const cases = [
    ['getter saying abort', () => calc.estimate(throwingGetter(abortError)), '/workload/batch'],
    ['getter throwing a string', () => calc.estimate(throwingGetter(() => 'abort')), '/workload/batch'],
    ['getter throwing a revoked Proxy', () => calc.estimate(throwingGetter(() => revoked.proxy)), '/workload/batch'],
    ['get trap', () => calc.estimate(trap('get', abortError)), ''],
    ['ownKeys trap', () => calc.estimate(trap('ownKeys', abortError)), ''],
    ['getPrototypeOf trap', () => calc.estimate({ model: 'llama-2-7b', hardware: trap('getOwnPropertyDescriptor', abortError) }), '/hardware'],
    ['revoked Proxy as a field', () => calc.estimate({ model: 'llama-2-7b', workload: revoked.proxy }), '/workload'],
    ['toJSON saying abort', () => calc.estimate({ model: 'llama-2-7b', training: { toJSON() { throw abortError(); } } }), '/training'],
    ['sweep spec item', () => calc.sweep(SEED_INFERENCE, { vary: 'batch', values: Object.defineProperty([1, 2], 1, { get() { throw abortError(); } }) }), '/sweep/values/1'],
    ['solve question', () => calc.solve(SEED_INFERENCE, trap('get', abortError)), '/question'],
    ['HF config', () => calc.importHfConfig(trap('ownKeys', abortError)), ''],
  ];
  for (const [what, run, path] of cases) {
    expectInputError(run(), path, what);
    healthy();  // the module was not marked dead
  }
});

test('a 48 MB string is refused before it is copied into WebAssembly memory', () => {
  healthy();
  const before = heapBytes();
  // 16M units of a 3-byte character: under a count of UTF-16 units, 48 MB of UTF-8.
  const big = `{"model":"llama-2-7b","name":"${'\u4e2d'.repeat(16 * 1024 * 1024)}"}`;
  for (const r of [calc.estimate(big), calc.importHfConfig(big), calc.sweep(big, { vary: 'batch', values: [1] }),
    calc.solve(SEED_INFERENCE, { question: big }), calc.solve(SEED_INFERENCE, big), calc.exportHfConfig(big)]) {
    assert.equal(r.ok, false);
    assert.equal(r.errors[0].code, 'too_large', JSON.stringify(r.errors).slice(0, 300));
  }
  assert.equal(heapBytes(), before, 'the heap grew: the string was copied in');
  // Exactly at the limit (4 MiB of UTF-8 in 2-byte characters) the core gets the text.
  const fill = 4 * 1024 * 1024 - JSON.stringify({ model: 'llama-2-7b', bogus: '' }).length;
  const atLimit = JSON.stringify({ model: 'llama-2-7b', bogus: '\u00e9'.repeat(fill >> 1) + 'x'.repeat(fill & 1) });
  assert.equal(new TextEncoder().encode(atLimit).length, 4 * 1024 * 1024);
  const r = calc.estimate(atLimit);
  assert.equal(r.errors[0].code, 'unknown_field', JSON.stringify(r.errors).slice(0, 300));
  const over = calc.estimate(`${atLimit} `);
  assert.equal(over.errors[0].code, 'too_large');
  healthy();
});

test('a real fault inside WebAssembly still marks the module dead', async () => {
  const own = wrapCore(await loadCore());
  assert.equal(own.estimate(SEED_INFERENCE).ok, true);
  // Emscripten's abort() is what the module calls on a fatal error (e.g. out of memory).
  const core = await loadCore();
  const faulty = wrapCore(new Proxy(core, {
    get(target, key) {
      if (key === 'estimate_json') return () => { throw new WebAssembly.RuntimeError('Aborted(OOM)'); };
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }));
  const first = faulty.estimate(SEED_INFERENCE);
  assert.equal(first.errors[0].code, 'internal');
  const later = faulty.importHfConfig('{}');
  assert.equal(later.errors[0].code, 'internal');
  assert.match(later.errors[0].message, /stopped after an earlier fault/);
});
