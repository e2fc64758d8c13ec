// Native vs WebAssembly parity: the same request texts go to the native driver
// (tests/parity/parity_driver.cpp, JSONL over stdin/stdout) and to the WASM module in Node;
// every answer must match: strings and booleans exactly, numbers within 1e-12 relative.
//
//   node tests/parity/parity.mjs --driver build/native/tests/parity/llmcalc_parity \
//        [--count 10000] [--seed 20240604] [--module build/wasm/wasm/llmcalc_core_node.cjs]
//
// Exit status 0 only if every answer matches and at least 90% of the generated (meant to be
// valid) scenarios were accepted.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { corruptScenario, generateScenario, makeRng } from './gen.mjs';
import { textCore } from '../../wasm/js/api.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const count = Number(args.count ?? 10000);
const seed = Number(args.seed ?? 20240604);
const driver = path.resolve(args.driver ?? path.join(root, 'build/native/tests/parity/llmcalc_parity'));
const modulePath = path.resolve(args.module ?? path.join(root, 'build/wasm/wasm/llmcalc_core_node.cjs'));
const REL = 1e-12;

const require = createRequire(import.meta.url);
const core = textCore(await require(modulePath)());  // the raw module's functions, as text
const parseOk = (text) => {
  const v = JSON.parse(text);
  if (!v.ok) throw new Error(`catalog call failed: ${text.slice(0, 200)}`);
  return v;
};
const presets = parseOk(core.models_json()).models;
const gpus = parseOk(core.gpus_json()).gpus;
// Presets the exporter refuses (per-layer plans, towers: invalid_choice) have no config.json.
const hfConfigs = presets
  .filter((_, i) => i % 3 === 0)
  .map((p) => ({ id: p.id, config: JSON.parse(core.export_hf_config_json(p.id)).config }))
  .filter((h) => h.config !== undefined);

// ---- requests: `count` valid-looking estimates, then error paths, sweeps, solves, HF import
const r = makeRng(seed);
const requests = [];
const scenarios = [];
for (let i = 0; i < count; ++i) {
  const s = generateScenario(r, { presets, gpus, hfConfigs });
  scenarios.push(s);
  requests.push({ fn: 'estimate', scenario: JSON.stringify(s), arg: '', kind: 'valid' });
}
const extra = Math.max(50, Math.round(count / 20));
for (let i = 0; i < extra; ++i)
  requests.push({ fn: 'estimate', scenario: JSON.stringify(corruptScenario(r, r.pick(scenarios))), arg: '', kind: 'invalid' });
for (let i = 0; i < Math.round(extra / 2); ++i) {
  const vary = r.pick(['batch', 'seq', 'prompt', 'generate', 'grad_accum', 'gpu']);
  const n = r.int(1, 12);
  const values = vary === 'gpu'
    ? Array.from({ length: n }, () => r.pick(gpus).id)
    : Array.from({ length: n }, () => (vary === 'generate' ? r.int(0, 4096) : r.logInt(1, 16384)));
  requests.push({ fn: 'sweep', scenario: JSON.stringify(r.pick(scenarios)), arg: JSON.stringify({ vary, values, compact: r.chance(0.5) }), kind: 'sweep' });
}
for (let i = 0; i < Math.round(extra / 4); ++i) {
  const q = r.pick(['max-batch', 'max-context', 'min-gpus', 'knee']);
  const question = q === 'min-gpus' ? { question: q, max_gpus: r.pick([8, 64, 512]) } : { question: q };
  requests.push({ fn: 'solve', scenario: JSON.stringify(r.pick(scenarios)), arg: JSON.stringify(question), kind: 'solve' });
}
for (const h of hfConfigs) requests.push({ fn: 'import_hf_config', scenario: '', arg: JSON.stringify(h.config), kind: 'hf' });
for (const p of presets) requests.push({ fn: 'export_hf_config', scenario: '', arg: p.id, kind: 'hf' });

// ---- native answers
let t0 = performance.now();
const input = requests.map(({ fn, scenario, arg }) => JSON.stringify({ fn, scenario, arg })).join('\n') + '\n';
const run = spawnSync(driver, [], { input, maxBuffer: 1 << 30 });
if (run.error || run.status !== 0) {
  console.error(`parity: native driver ${driver} failed:`, run.error ?? run.stderr.toString());
  process.exit(2);
}
const nativeLines = run.stdout.toString().split('\n').filter((l) => l.length);
const nativeMs = performance.now() - t0;
if (nativeLines.length !== requests.length) {
  console.error(`parity: driver answered ${nativeLines.length} of ${requests.length} requests`);
  process.exit(2);
}

// ---- WASM answers
const call = ({ fn, scenario, arg }) => {
  try {
    switch (fn) {
      case 'estimate': return core.estimate_json(scenario);
      case 'sweep': return core.sweep_json(scenario, arg);
      case 'solve': return core.solve_json(scenario, arg);
      case 'import_hf_config': return core.import_hf_config_json(arg);
      case 'export_hf_config': return core.export_hf_config_json(arg);
      default: throw new Error(fn);
    }
  } catch (e) {
    return JSON.stringify({ errors: [{ code: 'internal', message: 'exception', path: '' }], ok: false });
  }
};
t0 = performance.now();
const wasmLines = requests.map(call);
const wasmMs = performance.now() - t0;

// ---- compare
let maxRel = 0;
function compare(a, b, where, diffs) {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return;
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    maxRel = Math.max(maxRel, rel);
    if (!(rel <= REL)) diffs.push(`${where}: native ${a} vs wasm ${b} (rel ${rel.toExponential(2)})`);
    return;
  }
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    diffs.push(`${where}: type ${typeof a} vs ${typeof b}`);
    return;
  }
  if (Array.isArray(a)) {
    if (a.length !== b.length) diffs.push(`${where}: length ${a.length} vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); ++i) compare(a[i], b[i], `${where}/${i}`, diffs);
    return;
  }
  if (a && typeof a === 'object') {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) diffs.push(`${where}: keys ${ka} vs ${kb}`);
    for (const k of ka) if (k in b) compare(a[k], b[k], `${where}/${k}`, diffs);
    return;
  }
  if (a !== b) diffs.push(`${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

const stats = {};
const rejected = new Map();  // why generated scenarios were refused, to keep the generator honest
let identicalText = 0, mismatches = 0, numbers = 0;
const countNumbers = (v) => {
  if (typeof v === 'number') numbers += 1;
  else if (v && typeof v === 'object') for (const x of Object.values(v)) countNumbers(x);
};
for (let i = 0; i < requests.length; ++i) {
  const kind = requests[i].kind;
  const st = (stats[kind] ??= { total: 0, ok: 0 });
  st.total += 1;
  if (nativeLines[i] === wasmLines[i]) identicalText += 1;
  const a = JSON.parse(nativeLines[i]);
  const b = JSON.parse(wasmLines[i]);
  if (a.ok) st.ok += 1;
  else if (kind === 'valid')
    for (const e of a.errors) rejected.set(`${e.path} ${e.code}`, (rejected.get(`${e.path} ${e.code}`) ?? 0) + 1);
  countNumbers(a);
  const diffs = [];
  compare(a, b, '', diffs);
  if (diffs.length) {
    mismatches += 1;
    if (mismatches <= 5) {
      console.error(`MISMATCH #${i} (${kind} ${requests[i].fn}): ${requests[i].scenario.slice(0, 400)} ${requests[i].arg.slice(0, 200)}`);
      for (const d of diffs.slice(0, 8)) console.error(`   ${d}`);
    }
  }
}

const validOk = stats.valid.ok / stats.valid.total;
console.log(`parity: seed ${seed}, ${requests.length} requests (${count} generated scenarios)`);
for (const [k, v] of Object.entries(stats)) console.log(`  ${k.padEnd(8)} ${v.total} requests, ${v.ok} ok`);
if (rejected.size)
  console.log(`  generated scenarios refused by the core, top reasons: ${[...rejected].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, n]) => `${k} x${n}`).join('; ')}`);
console.log(`  numbers compared: ${numbers}; max relative difference ${maxRel.toExponential(2)} (limit ${REL})`);
console.log(`  byte-identical answers: ${identicalText}/${requests.length}; mismatches: ${mismatches}`);
console.log(`  time: native ${nativeMs.toFixed(0)} ms (incl. process start), wasm ${wasmMs.toFixed(0)} ms`);
let failed = false;
if (mismatches > 0) {
  console.error(`parity: FAILED, ${mismatches} answers differ`);
  failed = true;
}
if (validOk < 0.9) {
  console.error(`parity: FAILED, only ${(validOk * 100).toFixed(1)}% of generated scenarios were valid (need >= 90%)`);
  failed = true;
}
if (!failed) console.log(`parity: PASSED (${(validOk * 100).toFixed(1)}% of generated scenarios valid)`);
process.exit(failed ? 1 : 0);
