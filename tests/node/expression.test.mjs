// The page renders formulas from the report's expression trees (web/src/expression.js); the
// CLI prints the core's rendering of the same trees. Both must say the same thing: same terms,
// same labels, same parentheses, only the number style differs (thousands separators, the
// times sign, bracketed labels in plain text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createLlmCalc } from './helpers.mjs';
import { expressionText, leafText } from '../../web/src/expression.js';

const examples = new URL('../../examples/', import.meta.url);

function evaluate(e) {
  if (!e.op) return e.value;
  const xs = e.args.map(evaluate);
  switch (e.op) {
    case '+': return xs.reduce((a, b) => a + b);
    case '-': return xs.reduce((a, b) => a - b);
    case '*': return xs.reduce((a, b) => a * b);
    case '/': return xs.reduce((a, b) => a / b);
    case 'max': return Math.max(...xs);
    case 'min': return Math.min(...xs);
    case 'ceil': return Math.ceil(xs[0]);
    default: throw new Error(`unknown op ${e.op}`);
  }
}

// The core's text in the page's style: times sign, labels unbracketed, µs.
const normalizeCore = (s) => s.replace(/ x /g, ' \u00d7 ').replace(/\[([^\]]*)\]/g, '$1').replace(/(\d) us\b/g, '$1 \u00b5s');
const normalizePage = (s) => s.replace(/(\d),(?=\d{3})/g, '$1');

test('page formulas match the core text and evaluate to the reported numbers', async () => {
  const calc = await createLlmCalc();
  let checked = 0;
  for (const f of readdirSync(examples).filter((n) => n.endsWith('.scenario.json'))) {
    const r = calc.estimate(readFileSync(new URL(f, examples), 'utf8'));
    assert.equal(r.ok, true, f);
    const rows = [
      ...r.report.memory.items.map((i) => [i.id, i.bytes, i]),
      ...r.report.flops.items.map((i) => [i.id, i.flops, i]),
      ...(r.report.latency?.phases ?? []).map((p) => [p.id, p.time_s, p]),
      ...(r.report.training ? [['train_step', r.report.training.step.time_s, r.report.training.step]] : []),
    ];
    for (const [id, value, row] of rows) {
      assert.ok(row.expression, `${f} ${id}: expression`);
      assert.ok(Math.abs(evaluate(row.expression) - value) <= 1e-12 * Math.max(1, Math.abs(value)), `${f} ${id}: value`);
      assert.equal(normalizePage(expressionText(row.expression)), normalizeCore(row.formula), `${f} ${id}`);
      checked++;
    }
  }
  assert.ok(checked > 30, `checked ${checked}`);
});

test('leaf numbers in the page style', () => {
  assert.equal(leafText(8030261248), '8,030,261,248');
  assert.equal(leafText(2.5e14, 'FLOP'), '250 TFLOP');
  assert.equal(leafText(0.00064, 's'), '640 \u00b5s');
  assert.equal(leafText(18.21e9 + 0.5, 'B'), '18.21 GB');
  assert.equal(leafText(NaN), '\u2014');
});
