// Hugging Face config.json import and export through WebAssembly, error paths included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLlmCalc } from './helpers.mjs';

const calc = await createLlmCalc();

const LLAMA2_7B = {
  model_type: 'llama',
  vocab_size: 32000,
  hidden_size: 4096,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 32,
  intermediate_size: 11008,
  max_position_embeddings: 4096,
  tie_word_embeddings: false,
};

function expectError(res, path, code) {
  assert.equal(res.ok, false, JSON.stringify(res).slice(0, 300));
  assert.ok(res.errors.some((e) => e.path === path && e.code === code),
    `expected ${path} ${code}, got ${JSON.stringify(res.errors)}`);
}

test('import a Llama config: object and text', () => {
  const r = calc.importHfConfig(LLAMA2_7B);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(r.model.params.total, 6738415616);
  assert.equal(r.model.architecture.num_layers, 32);
  assert.equal(typeof r.model.id, 'string');
  assert.deepEqual(calc.importHfConfig(JSON.stringify(LLAMA2_7B)), r);
});

// Every preset either exports a config.json that re-imports to the same parameter count, or
// the export is refused with invalid_choice (the exporter writes uniform llama-like families;
// GPT-NeoX/Falcon layouts and per-layer plans are refused rather than written wrong).
test('every preset exports and re-imports to the same parameter count, or is refused', () => {
  const mismatched = [];
  let exported = 0;
  for (const m of calc.models()) {
    const ex = calc.exportHfConfig(m.id);
    if (!ex.ok) {
      expectError(ex, '/model', 'invalid_choice');
      continue;
    }
    const im = calc.importHfConfig(ex.config);
    assert.equal(im.ok, true, `${m.id}: ${JSON.stringify(im.errors)}`);
    if (im.model.params.total !== m.params.total) mismatched.push(m.id);
    exported += 1;
  }
  assert.deepEqual(mismatched, []);
  assert.ok(exported >= 50, `${exported} presets exported`);
});

test('import error paths', () => {
  expectError(calc.importHfConfig('{"model_type":'), '', 'invalid_json');
  expectError(calc.importHfConfig('[]'), '', 'wrong_type');
  expectError(calc.importHfConfig(undefined), '', 'missing_field');
  expectError(calc.importHfConfig(7), '', 'wrong_type');
  expectError(calc.importHfConfig({}), '/model_type', 'missing_field');
  expectError(calc.importHfConfig({ ...LLAMA2_7B, model_type: 'bert' }), '/model_type', 'unknown_value');
  expectError(calc.importHfConfig({ ...LLAMA2_7B, model_type: 5 }), '/model_type', 'wrong_type');
  expectError(calc.importHfConfig({ ...LLAMA2_7B, hidden_size: -1 }), '/hidden_size', 'out_of_range');
  expectError(calc.importHfConfig({ ...LLAMA2_7B, hidden_size: '4096' }), '/hidden_size', 'wrong_type');
  expectError(calc.importHfConfig({ ...LLAMA2_7B, num_hidden_layers: 1e30 }), '/num_hidden_layers', 'out_of_range');
  expectError(calc.importHfConfig({ ...LLAMA2_7B, num_hidden_layers: 2.5 }), '/num_hidden_layers', 'not_integer');
  const missing = { ...LLAMA2_7B };
  delete missing.vocab_size;
  expectError(calc.importHfConfig(missing), '/vocab_size', 'missing_field');
  expectError(calc.importHfConfig({ model_type: 'gemma3' }), '/text_config', 'missing_field');
  expectError(calc.importHfConfig({ ...LLAMA2_7B, bad: 10n }), '/bad', 'wrong_type');
  expectError(calc.importHfConfig('{"model_type":"llama"' + ' '.repeat(5 * 1024 * 1024) + '}'), '', 'too_large');
  // within a scenario, paths are rooted at /model/hf_config
  const s = calc.estimate({ model: { hf_config: { ...LLAMA2_7B, hidden_size: -1 } } });
  expectError(s, '/model/hf_config/hidden_size', 'out_of_range');
});

test('export error paths', () => {
  expectError(calc.exportHfConfig('no-such-model'), '/model', 'unknown_preset');
  expectError(calc.exportHfConfig(''), '/model', 'unknown_preset');
  expectError(calc.exportHfConfig(undefined), '/model', 'wrong_type');
  expectError(calc.exportHfConfig({ id: 'llama-2-7b' }), '/model', 'wrong_type');
  expectError(calc.exportHfConfig('\uD800'), '/model', 'invalid_json');
});
