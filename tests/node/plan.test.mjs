// plan() through WebAssembly: the same answer as the core's, field errors, and a candidate
// whose scenario_changes reproduce its memory in estimate().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLlmCalc } from './helpers.mjs';

const calc = await createLlmCalc();
const scenario = { model: 'llama-3.1-8b', engine: 'llama.cpp', hardware: { gpu: 'rtx-3060-12gb' } };

test('plan(): Llama 3.1 8B on an RTX 3060 at 8k, no lower than Q4, is Q8_0 with commands', () => {
  const r = calc.plan(scenario, { context: 8192, min_quality: 'Q4' });
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(r.found, true);
  const best = r.ranked[0];
  assert.equal(best.weights, 'Q8_0');
  assert.equal(best.kv_cache, 'f16');
  assert.ok(best.devices[0].used_bytes + best.devices[0].margin_bytes <= best.devices[0].capacity_bytes);
  assert.deepEqual(r.commands.map((c) => c.engine), ['llama.cpp', 'ollama', 'lm-studio']);
  assert.match(r.commands[0].command, /^llama-server -m llama-3\.1-8b-Q8_0\.gguf -ngl 99 -c 8192 .*-fa on/);
  assert.ok(r.commands[1].lines.includes('PARAMETER num_ctx 8192'));
  // Merging the changes into the scenario gives the same memory in a full estimate.
  const merged = structuredClone(scenario);
  for (const [k, v] of Object.entries(best.scenario_changes)) merged[k] = { ...(merged[k] ?? {}), ...v };
  const e = calc.estimate(merged);
  assert.equal(e.ok, true, JSON.stringify(e.errors));
  assert.equal(e.report.memory.total_bytes, best.devices[0].used_bytes);
});

test('plan(): goals as JSON text, the default goals, and nothing fits', () => {
  const text = calc.plan(JSON.stringify(scenario), '{"context":"max","weights":["Q4_K_M"],"kv_cache":["q8_0"]}');
  assert.equal(text.ok, true);
  assert.ok(text.ranked[0].context > 8192);
  assert.equal(calc.plan(scenario).ok, true);
  const none = calc.plan({ model: 'llama-3.1-405b', engine: 'llama.cpp', hardware: { gpu: 'rtx-4060' } });
  assert.equal(none.ok, true);
  assert.equal(none.found, false);
  assert.equal(none.closest_miss.weights, 'IQ1_S');
  assert.ok(none.shortfall_bytes > 0);
  assert.match(none.explanation, /^Nothing fits/);
});

test('plan(): bad goals name the field and a code', () => {
  const cases = [
    [{ context: 'long' }, '/goals/context', 'unknown_value'],
    [{ min_quality: 'Q9' }, '/goals/min_quality', 'unknown_value'],
    [{ weights: ['int4'] }, '/goals/weights/0', 'inconsistent'],
    [{ margin_bytes: -1 }, '/goals/margin_bytes', 'out_of_range'],
    [{ nope: 1 }, '/goals/nope', 'unknown_field'],
  ];
  for (const [goals, path, code] of cases) {
    const r = calc.plan(scenario, goals);
    assert.equal(r.ok, false);
    assert.deepEqual([r.errors[0].path, r.errors[0].code], [path, code], JSON.stringify(goals));
  }
  const bad = calc.plan({ model: 'nope' }, {});
  assert.equal(bad.errors[0].path, '/scenario/model');
});
