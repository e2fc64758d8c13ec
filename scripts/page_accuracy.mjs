// Writes web/src/accuracy.json, the page's "How accurate is this" table: the measured error of
// the estimate per kind of scenario (category x engine x weight class), condensed from the
// reference cases (tests/data/reference/cases.json) as scripts/fidelity/reference_errors.mjs
// runs them through the CLI. Run after the reference figures change:
//   node scripts/page_accuracy.mjs [--bin build/native/core/cli/llmcalc] [--check]
// --check: exit 1 when web/src/accuracy.json differs from what the cases give now.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const bin = args.includes('--bin') ? args[args.indexOf('--bin') + 1] : join(root, 'build/native/core/cli/llmcalc');
const out = join(root, 'web/src/accuracy.json');
const tmp = join(mkdtempSync(join(tmpdir(), 'llmcalc-acc-')), 'rows.json');
execFileSync('node', [join(root, 'scripts/fidelity/reference_errors.mjs'), '--bin', bin, '--json', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
const { rows } = JSON.parse(readFileSync(tmp, 'utf8'));
const cases = new Map(JSON.parse(readFileSync(join(root, 'tests/data/reference/cases.json'), 'utf8')).cases.map((c) => [c.id, c]));

// Weight classes as the page names them: 16/32-bit, or quantized (8-bit and below).
const weightClass = (w) => (!w || ['bf16', 'fp16', 'fp32', 'tf32'].includes(w) ? '16-bit' : 'quantized');
const groups = new Map();
for (const r of rows) {
  if (r.error === undefined) continue;
  const c = cases.get(r.id);
  const s = c.scenario;
  const weights = weightClass(s.precision?.weights ?? (s.training?.finetune === 'qlora' ? 'nf4' : undefined));
  const key = [r.category, r.engine || 'generic', weights].join('|');
  if (!groups.has(key)) groups.set(key, { category: r.category, engine: r.engine || 'generic', weights, errors: [] });
  groups.get(key).errors.push(Math.abs(r.error));
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const round = (x) => Math.round(x * 1000) / 1000;
const table = [...groups.values()].map((g) => ({ category: g.category, engine: g.engine, weights: g.weights,
  cases: g.errors.length, median_abs_error: round(median(g.errors)), max_abs_error: round(Math.max(...g.errors)) }))
  .sort((a, b) => a.category.localeCompare(b.category) || a.engine.localeCompare(b.engine) || a.weights.localeCompare(b.weights));
// One group per line: the file is bundled into the page.
const text = `{"source": "scripts/page_accuracy.mjs", "groups": [\n${table.map((g) => JSON.stringify(g)).join(',\n')}\n]}\n`;
if (args.includes('--check')) {
  if (readFileSync(out, 'utf8') !== text) {
    console.error('page_accuracy: web/src/accuracy.json is out of date: run node scripts/page_accuracy.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  console.log(`page_accuracy: ${table.length} groups from ${rows.filter((r) => r.error !== undefined).length} cases -> web/src/accuracy.json`);
}
