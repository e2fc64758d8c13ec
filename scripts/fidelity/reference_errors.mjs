// Runs every reference case in tests/data/reference/cases.json through the llmcalc CLI (the
// case's engine goes into its scenario) and prints each case's error against the published
// value, then the median |error| per category.
// Usage: node scripts/fidelity/reference_errors.mjs [--bin build/native/core/cli/llmcalc]
//          [--json out.json] [--write docs/fidelity.md] [--check docs/fidelity.md]
//          [--write-summary docs/fidelity.json] [--check-summary docs/fidelity.json]
// --check: exit 1 when a case leaves its tolerance (unless it is a recorded known miss), or
// when the given docs/fidelity.md differs from the table generated now (a CTest runs this).
// --write-summary / --check-summary: the same for the machine-readable summary the page's
// accuracy panel reads (per category, and per category x engine x mode x weight class).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const bin = opt('--bin', join(root, 'build/native/core/cli/llmcalc'));
const jsonOut = opt('--json', null);
const writeMd = opt('--write', null);
const checkMd = opt('--check', null);
const writeSummary = opt('--write-summary', null);
const checkSummary = opt('--check-summary', null);
const data = JSON.parse(readFileSync(join(root, 'tests/data/reference/cases.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'llmcalc-ref-'));

// Published units to the report's base units (bytes, seconds, tokens/s, tokens, fractions).
const UNIT = { GiB: 2 ** 30, MiB: 2 ** 20, GB: 1e9, bytes: 1, tokens: 1, blocks: 1, 'tok/s': 1, ms: 1e-3, s: 1, fraction: 1 };

function runCli(cmd, scenario) {
  const file = join(tmp, 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  const argv = cmd === 'estimate' ? ['estimate', '--scenario', file, '--json'] : ['solve', cmd, '--scenario', file, '--json'];
  try {
    return { out: JSON.parse(execFileSync(bin, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) };
  } catch (e) {
    return { error: String(e.stderr || e.message).trim().split('\n')[0] };
  }
}

// A path into the report: memory.items.<id>.bytes looks the item up by id.
function lookup(report, path) {
  const parts = path.split('.');
  let v = report;
  for (let i = 0; i < parts.length; i++) {
    if (v == null) return undefined;
    if (parts[i] === 'items' && Array.isArray(v.items)) {
      const item = v.items.find((it) => it.id === parts[i + 1]);
      if (!item) return 0;  // an item the report does not list counts as zero bytes
      v = item; i++;
      continue;
    }
    v = v[parts[i]];
  }
  return v;
}

// Named quantities that combine report fields with the scenario's workload.
function derived(name, report, scenario, batch) {
  const w = scenario.workload || {};
  const dp = (scenario.parallelism && scenario.parallelism.dp) || 1;
  const L = report.latency, T = report.training;
  switch (name) {
    case 'e2e_output_tokens_per_s': return L && L.end_to_end_s > 0 ? batch * w.generate * dp / L.end_to_end_s : undefined;
    case 'e2e_output_tokens_per_s_per_gpu': return L && L.end_to_end_s > 0 ? batch * w.generate * dp / L.end_to_end_s / report.gpu.count : undefined;
    case 'prefill_tokens_per_s': return L && L.ttft_s > 0 ? batch * w.prompt / L.ttft_s : undefined;
    case 'training_tokens_per_s_per_gpu': return T ? T.tokens_per_s / report.gpu.count : undefined;
    default: return undefined;
  }
}

// metric: terms joined by ' + ' or ' - '; each term a report path, derived.NAME or solve.value.
function evaluate(metric, ctx) {
  const tokens = metric.split(/\s+([+-])\s+/);
  let total = 0, sign = 1;
  for (const t of tokens) {
    if (t === '+') { sign = 1; continue; }
    if (t === '-') { sign = -1; continue; }
    let v;
    if (t === 'solve.value') v = ctx.solveValue;
    else if (t.startsWith('derived.')) v = derived(t.slice(8), ctx.report, ctx.scenario, ctx.batch);
    else v = lookup(ctx.report, t);
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    total += sign * v;
  }
  return total;
}

const rows = [];
for (const c of data.cases) {
  const s = c.scenario || {};
  const weights = weightClass(s.precision?.weights ?? (s.training?.finetune === 'qlora' ? 'nf4' : undefined));
  const row = { id: c.id, category: c.category, engine: c.engine, mode: s.mode || 'inference', weights, published: c.published, tolerance: c.tolerance, known_miss: c.known_miss, fit: (c.profile_constants || {}).fit || [] };
  rows.push(row);
  // The case's engine runs it (generic cases keep the engine-free model).
  const scenario = c.engine && c.engine !== 'generic' ? { engine: c.engine, ...c.scenario } : c.scenario;
  let report, solveValue, batch = (scenario.workload || {}).batch || 1;
  if (c.solve) {
    const r = runCli(c.solve, scenario);
    if (r.error) { row.status = 'error: ' + r.error; continue; }
    if (!r.out.found) { row.status = 'solver: ' + r.out.explanation; row.estimate = 0; }
    solveValue = r.out.value;
    report = r.out.report;
    if (c.solve === 'max-batch') batch = r.out.value;
    row.solved = r.out.value;
  } else {
    const r = runCli('estimate', scenario);
    if (r.error) { row.status = 'error: ' + r.error; continue; }
    report = r.out;
  }
  const est = report ? evaluate(c.metric, { report, scenario, batch, solveValue }) : undefined;
  if (est === undefined) { row.status = row.status || 'metric unavailable'; continue; }
  const pub = c.published.value * UNIT[c.published.unit];
  row.estimate = est;
  row.measured = pub;
  row.error = est / pub - 1;
  row.status = row.status || (Math.abs(row.error) <= c.tolerance ? 'within' : c.known_miss ? 'known miss' : 'outside');
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const pct = (x) => (x >= 0 ? '+' : '') + (100 * x).toFixed(1) + '%';
for (const r of rows) {
  const e = r.error === undefined ? r.status : `${pct(r.error)}  (tol ${(100 * r.tolerance).toFixed(0)}%, ${r.status})`;
  console.log(`${r.category.padEnd(17)} ${r.id.padEnd(48)} ${e}`);
}
console.log('\nmedian |error| per category (cases the current calculator can run):');
const CATEGORIES = ['inference_memory', 'training_memory', 'latency', 'throughput'];
// The targets: median and worst case per category.
const TARGET = { inference_memory: [0.05, 0.20], training_memory: [0.10, 0.30], latency: [0.15, 0.50], throughput: [0.15, 0.50] };
const summary = {};
for (const cat of CATEGORIES) {
  const rs = rows.filter((r) => r.category === cat);
  const errs = rs.filter((r) => r.error !== undefined).map((r) => Math.abs(r.error));
  const within = rs.filter((r) => r.status === 'within').length;
  summary[cat] = { cases: rs.length, run: errs.length, median_abs_error: median(errs), max_abs_error: errs.length ? Math.max(...errs) : NaN, within_tolerance: within };
  console.log(`  ${cat.padEnd(17)} ${String(errs.length).padStart(3)} of ${String(rs.length).padStart(3)} run   median ${(100 * median(errs)).toFixed(1)}%   max ${(100 * summary[cat].max_abs_error).toFixed(0)}%   within tolerance ${within}`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ summary, rows }, null, 1));

// docs/fidelity.md: generated from the rows, so it changes only when a figure does.
function fidelityMarkdown() {
  const fmt = (x) => (x === undefined ? '' : Math.abs(x) >= 1e6 ? x.toPrecision(4) : +x.toPrecision(4) + '');
  const L = [];
  L.push('# Fidelity: llmcalc against published measurements');
  L.push('');
  L.push('Generated by `node scripts/fidelity/reference_errors.mjs --write docs/fidelity.md` from');
  L.push('tests/data/reference/cases.json (do not edit by hand; the CTest `reference_cases` fails when');
  L.push('this file and the model disagree). Error = estimate / published - 1. Each case runs on its engine');
  L.push('profile (core/data/engines); `fit` marks a case that set a profile constant, the others check it.');
  L.push('');
  L.push('| category | cases | run | median abs error | target median | max abs error | target max | within tolerance |');
  L.push('|---|---|---|---|---|---|---|---|');
  for (const cat of CATEGORIES) {
    const s = summary[cat];
    L.push(`| ${cat.replace('_', ' ')} | ${s.cases} | ${s.run} | ${(100 * s.median_abs_error).toFixed(1)}% | ${100 * TARGET[cat][0]}% | ${(100 * s.max_abs_error).toFixed(1)}% | ${100 * TARGET[cat][1]}% | ${s.within_tolerance} |`);
  }
  L.push('');
  const misses = rows.filter((r) => r.status === 'known miss');
  if (misses.length) {
    L.push('## Known misses');
    L.push('');
    for (const r of misses) L.push(`- \`${r.id}\` (${pct(r.error)}): ${r.known_miss}`);
    L.push('');
  }
  for (const cat of CATEGORIES) {
    L.push(`## ${cat.replace('_', ' ')}`);
    L.push('');
    L.push('| case | engine | published | estimate | error | tolerance | status | fit |');
    L.push('|---|---|---|---|---|---|---|---|');
    for (const r of rows.filter((x) => x.category === cat)) {
      const pub = `${r.published.value.toPrecision ? +r.published.value.toPrecision(5) : r.published.value} ${r.published.unit}`;
      const est = r.estimate === undefined ? '' : `${+(r.estimate / UNIT[r.published.unit]).toPrecision(5)} ${r.published.unit}`;
      L.push(`| ${r.id} | ${r.engine} | ${pub} | ${est} | ${r.error === undefined ? '' : pct(r.error)} | ${(100 * r.tolerance).toFixed(1)}% | ${r.status} | ${r.fit.length ? 'fit' : ''} |`);
    }
    L.push('');
  }
  L.push('## Missing capabilities');
  L.push('');
  for (const m of data.missing_capabilities) L.push(`- ${m.row}: ${m.reason}`);
  L.push('');
  return L.join('\n');
}

// docs/fidelity.json: the accuracy panel's data. Errors are fractions (0.05 = 5%), rounded to
// 4 decimals so the file changes only when a figure does; groups (category x engine x mode x
// weight class) sorted by those keys.
// Weight classes as the page's accuracy panel names them: 16/32-bit, or quantized (8-bit and below).
function weightClass(w) {
  return !w || ['bf16', 'fp16', 'fp32', 'tf32'].includes(w) ? '16-bit' : 'quantized';
}

function fidelitySummary() {
  const r4 = (x) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : null);
  const stats = (rs) => {
    const errs = rs.filter((r) => r.error !== undefined).map((r) => Math.abs(r.error));
    return {
      cases: rs.length,
      run: errs.length,
      median_abs_error: r4(median(errs)),
      max_abs_error: errs.length ? r4(Math.max(...errs)) : null,
      within_tolerance: rs.filter((r) => r.status === 'within').length,
      known_misses: rs.filter((r) => r.status === 'known miss').length,
    };
  };
  const categories = CATEGORIES.map((cat) => ({
    category: cat, target_median_abs_error: TARGET[cat][0], target_max_abs_error: TARGET[cat][1],
    ...stats(rows.filter((r) => r.category === cat)),
  }));
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const keys = [...new Set(rows.map((r) => JSON.stringify([CATEGORIES.indexOf(r.category), r.engine || 'generic', r.mode, r.weights])))]
    .map((k) => JSON.parse(k))
    .sort((a, b) => a[0] - b[0] || cmp(a[1], b[1]) || cmp(a[2], b[2]) || cmp(a[3], b[3]));
  const groups = keys.map(([ci, engine, mode, weights]) => ({
    category: CATEGORIES[ci], engine, mode, weights,
    ...stats(rows.filter((r) => r.category === CATEGORIES[ci] && (r.engine || 'generic') === engine && r.mode === mode && r.weights === weights)),
  }));
  return JSON.stringify({
    generated_by: 'node scripts/fidelity/reference_errors.mjs --write-summary docs/fidelity.json',
    source: 'tests/data/reference/cases.json',
    error: 'estimate / published - 1; medians and maxima of its absolute value, as fractions',
    categories, groups,
  }, null, 1) + '\n';
}

// Each case records which profile constants it set (`fit`) or checks (`check`) as
// <engine>.<section>.<key> (the engine's own id may hold a dot: llama.cpp): a name that is not a
// key of core/data/engines/<engine>.json says nothing about the profile, so --check refuses it.
function unknownProfileConstants() {
  const engines = readdirSync(join(root, 'core/data/engines')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  const profiles = new Map(); // engine -> its parsed JSON, read once
  const profile = (e) => profiles.get(e) ?? profiles.set(e, JSON.parse(readFileSync(join(root, 'core/data/engines', `${e}.json`), 'utf8'))).get(e);
  const out = [];
  for (const c of data.cases) {
    const pc = c.profile_constants || {};
    for (const name of [...(pc.fit || []), ...(pc.check || [])]) {
      const engine = engines.filter((e) => name.startsWith(`${e}.`)).sort((a, b) => b.length - a.length)[0];
      let v = engine && profile(engine);
      for (const part of engine ? name.slice(engine.length + 1).split('.') : []) v = v && typeof v === 'object' && part in v ? v[part] : undefined;
      if (v === undefined) out.push(`${c.id}: profile constant "${name}" is not a key of an engine profile (core/data/engines/<engine>.json)`);
    }
  }
  return out;
}

const md = fidelityMarkdown();
const summaryText = fidelitySummary();
if (writeMd) writeFileSync(writeMd, md);
if (writeSummary) writeFileSync(writeSummary, summaryText);
let failed = false;
if (checkSummary) {
  const current = existsSync(checkSummary) ? readFileSync(checkSummary, 'utf8') : '';
  if (current !== summaryText) {
    console.error(`FAIL ${checkSummary} differs from the generated summary: run node scripts/fidelity/reference_errors.mjs --write-summary ${checkSummary}`);
    failed = true;
  }
}
if (checkMd) {
  for (const problem of unknownProfileConstants()) {
    console.error(`FAIL ${problem}`);
    failed = true;
  }
  for (const r of rows) {
    if (r.status !== 'within' && r.status !== 'known miss') {
      console.error(`FAIL ${r.id}: ${r.status}${r.error !== undefined ? ' ' + pct(r.error) : ''}`);
      failed = true;
    }
  }
  const current = existsSync(checkMd) ? readFileSync(checkMd, 'utf8') : '';
  if (current !== md) {
    console.error(`FAIL ${checkMd} differs from the generated table: run node scripts/fidelity/reference_errors.mjs --write ${checkMd}`);
    failed = true;
  }
}
if (checkMd || checkSummary) process.exit(failed ? 1 : 0);
