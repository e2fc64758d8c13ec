// Two builds of the page's module (llmcalc_core_page.mjs + .wasm beside it) on the same
// requests: generated scenarios (tests/parity/gen.mjs), broken ones, sweeps, solves, fit plans,
// GGUF weight formats and HF imports. Prints how many answers are byte-identical and the
// largest relative difference of a number; any other difference (a key, a string) is listed.
// A size change to the module must leave every estimate as it was (docs/performance.md, Size).
//   node scripts/compare_page_modules.mjs A/llmcalc_core_page.mjs B/llmcalc_core_page.mjs \
//        [--count 3000] [--seed 1] [--node build/wasm/wasm/llmcalc_core_node.cjs]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';
import { generateScenario, corruptScenario, makeRng } from '../tests/parity/gen.mjs';
import { textCore } from '../wasm/js/api.mjs';
import { pageModule } from '../wasm/js/page_module.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
const [a, b] = argv.filter((x, i) => !x.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
const count = Number(opt('count', 3000));
const load = async (glue) => {
  const factory = (await import(pathToFileURL(path.resolve(glue)).href)).default;
  const raw = await factory({ wasmBinary: readFileSync(path.resolve(glue).replace(/\.mjs$/, '.wasm')) });
  // A page module from before page_exports.cpp has embind's functions already.
  return textCore(typeof raw.estimate_json === 'function' ? raw : pageModule(raw));
};
const [ma, mb] = [await load(a), await load(b)];
// The preset lists come from the Node build (the page's module has no listings).
const node = textCore(await createRequire(import.meta.url)(path.resolve(opt('node', path.join(root, 'build/wasm/wasm/llmcalc_core_node.cjs'))))());
const presets = JSON.parse(node.models_json()).models;
const gpus = JSON.parse(node.gpus_json()).gpus;
const hfConfigs = presets.map((p) => ({ id: p.id, config: JSON.parse(node.export_hf_config_json(p.id)).config }))
  .filter((h) => h.config !== undefined);

const r = makeRng(Number(opt('seed', 1)));
const GGUF = ['Q2_K', 'Q3_K_M', 'Q4_0', 'Q4_K_M', 'Q5_K_S', 'Q6_K', 'Q8_0', 'IQ4_XS', 'q4_k_m'];
const reqs = [];
const scenarios = [];
for (let i = 0; i < count; ++i) {
  const s = generateScenario(r, { presets, gpus, hfConfigs });
  if (s.mode !== 'training' && r.chance(0.1)) s.precision = { ...(s.precision || {}), weights: r.pick(GGUF) };
  scenarios.push(s);
  reqs.push(['estimate_json', JSON.stringify(s)]);
}
for (let i = 0; i < count / 20; ++i) reqs.push(['estimate_json', JSON.stringify(corruptScenario(r, r.pick(scenarios)))]);
for (let i = 0; i < count / 20; ++i) {
  const vary = r.pick(['batch', 'seq', 'prompt', 'generate', 'gpu']);
  const values = Array.from({ length: r.int(1, 10) }, () => (vary === 'gpu' ? r.pick(gpus).id : r.logInt(1, 16384)));
  reqs.push(['sweep_json', JSON.stringify(r.pick(scenarios)), JSON.stringify({ vary, values, compact: r.chance(0.5) })]);
}
for (let i = 0; i < count / 40; ++i)
  reqs.push(['solve_json', JSON.stringify(r.pick(scenarios)), JSON.stringify({ question: r.pick(['max-batch', 'max-context', 'knee']) })]);
for (let i = 0; i < count / 40; ++i) {
  const s = { ...r.pick(scenarios) };
  delete s.mode;
  reqs.push(['plan_json', JSON.stringify(s), JSON.stringify(r.chance(0.5) ? {} : { prefer: 'speed', margin_bytes: r.next() * 4e9, min_context: r.logInt(1, 65536) })]);
}
for (const h of hfConfigs) reqs.push(['import_hf_config_json', JSON.stringify(h.config)]);

let identical = 0, maxRel = 0, other = 0;
const diffs = [];
const cmp = (x, y, where) => {
  if (typeof x === 'number' && typeof y === 'number') {
    if (x !== y) maxRel = Math.max(maxRel, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
    return;
  }
  if (x && y && typeof x === 'object' && typeof y === 'object') {
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) cmp(x[k], y[k], `${where}/${k}`);
    return;
  }
  if (x !== y) { other++; if (diffs.length < 10) diffs.push(`${where}: ${JSON.stringify(x)?.slice(0, 80)} vs ${JSON.stringify(y)?.slice(0, 80)}`); }
};
const call = (m, [fn, ...args]) => { try { return m[fn](...args); } catch (e) { return `threw ${e}`; } };
let ok = 0;
for (const q of reqs) {
  const [x, y] = [call(ma, q), call(mb, q)];
  if (x === y) { identical++; if (x.startsWith('{"ok":true') || x.includes('"ok":true')) ok++; continue; }
  try { cmp(JSON.parse(x), JSON.parse(y), q[0]); } catch { other++; if (diffs.length < 10) diffs.push(`${q[0]}: ${x.slice(0, 80)} vs ${y.slice(0, 80)}`); }
}
console.log(`compare_page_modules: ${reqs.length} requests (${count} generated scenarios); ${identical} byte-identical ` +
  `(${ok} of them ok:true); max relative difference of a number ${maxRel.toExponential(2)}; other differences ${other}`);
for (const d of diffs) console.log(`  ${d}`);
process.exit(other > 0 || maxRel > 1e-12 ? 1 : 0);
