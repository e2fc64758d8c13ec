// WASM vs native benchmark (scripts/bench_wasm.sh): module sizes, instantiation time, and
// median microseconds per estimate and per 1,000-point sweep, the native figures measured
// by the parity driver in the same run, rounds interleaved so that machine load hits both.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { textCore, wrapCore } from '../../wasm/js/api.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webBuild = path.join(root, 'build/wasm/wasm/llmcalc_core.mjs');
const nodeBuild = path.join(root, 'build/wasm/wasm/llmcalc_core_node.cjs');
const driver = path.join(root, 'build/native/tests/parity/llmcalc_parity');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const N = Number(process.env.BENCH_N ?? 1000);

const SCENARIOS = {
  'seed golden (llama-2-7b, batch 4, prompt 4096)':
    { model: 'llama-2-7b', method: 'seed', workload: { batch: 4, prompt: 4096, generate: 0 } },
  'detailed inference (llama-3.1-8b, 8 x 2048+256)':
    { model: 'llama-3.1-8b', workload: { batch: 8, prompt: 2048, generate: 256 } },
  'detailed training (llama-3.1-70b, tp8 dp4, zero 3)':
    { model: 'llama-3.1-70b', mode: 'training', workload: { batch: 1, seq: 4096, grad_accum: 8 },
      training: { zero_stage: 3 }, parallelism: { tp: 8, dp: 4 } },
};
const SWEEP = JSON.stringify({ vary: 'batch', compact: true, values: Array.from({ length: 1000 }, (_, i) => i + 1) });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timeUs = (n, fn) => {
  const t = [];
  for (let i = 0; i < n; ++i) {
    const a = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - a) / 1e3);
  }
  return median(t);
};
const kb = (n) => `${(n / 1024).toFixed(1)} KiB (${n} B)`;

// ---- sizes
console.log('module sizes (single file, .wasm inlined as base64; and the .wasm binary inside it):');
for (const f of [webBuild, nodeBuild]) {
  const buf = readFileSync(f);
  console.log(`  ${path.relative(root, f).padEnd(40)} raw ${kb(buf.length).padEnd(24)} gzip -9 ${kb(gzipSync(buf, { level: 9 }).length)}`);
}
{
  const m = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(readFileSync(webBuild, 'latin1'));
  const wasm = Buffer.from(m ? m[1] : '', 'base64');
  console.log(`  ${'.wasm binary (decoded from the above)'.padEnd(40)} raw ${kb(wasm.length).padEnd(24)} gzip -9 ${kb(gzipSync(wasm, { level: 9 }).length)}`);
}

// ---- instantiation
const require = createRequire(import.meta.url);
let t0 = performance.now();
const nodeFactory = require(nodeBuild);
const loadMs = performance.now() - t0;
const inst = [];
let core;
for (let i = 0; i < 5; ++i) {
  t0 = performance.now();
  core = await nodeFactory();
  inst.push(performance.now() - t0);
}
t0 = performance.now();
const webFactory = (await import(pathToFileURL(webBuild).href)).default;
const webLoadMs = performance.now() - t0;
const webInst = [];
for (let i = 0; i < 5; ++i) {
  t0 = performance.now();
  await webFactory();
  webInst.push(performance.now() - t0);
}
console.log('instantiation (Node ' + process.version + '):');
console.log(`  node build: load ${loadMs.toFixed(1)} ms, instantiate median ${median(inst).toFixed(1)} ms (first ${inst[0].toFixed(1)} ms)`);
console.log(`  web build:  import ${webLoadMs.toFixed(1)} ms, instantiate median ${median(webInst).toFixed(1)} ms (first ${webInst[0].toFixed(1)} ms)`);

// ---- per-call timings
const calc = wrapCore(core);
const raw = textCore(core);  // raw calls, the answer decoded to a string
const dir = mkdtempSync(path.join(tmpdir(), 'llmcalc-bench-'));
console.log(`per call (${ROUNDS} interleaved rounds, each the median of ${N} estimates / ${Math.max(3, N / 100)} sweeps; median over rounds, best round in brackets):`);
const rows = [];
for (const [name, scenario] of Object.entries(SCENARIOS)) {
  const text = JSON.stringify(scenario);
  const file = path.join(dir, 'scenario.json');
  writeFileSync(file, text);
  const r = { name, native: [], nativeSweep: [], wasm: [], api: [], wasmSweep: [] };
  for (let round = 0; round < ROUNDS; ++round) {
    const out = JSON.parse(execFileSync(driver, ['bench', file, String(N)]).toString());
    r.native.push(out.estimate_us);
    r.nativeSweep.push(out.sweep1000_us);
    for (let i = 0; i < 20; ++i) raw.estimate_json(text);  // warm-up
    r.wasm.push(timeUs(N, () => raw.estimate_json(text)));
    r.api.push(timeUs(N, () => calc.estimate(scenario)));
    r.wasmSweep.push(timeUs(Math.max(3, N / 100), () => raw.sweep_json(text, SWEEP)));
  }
  rows.push(r);
  // This VM's speed is bimodal (a shared host: whole runs go ~2x slower at times), so each
  // figure is the median over rounds with the best round beside it, and the ratios are taken
  // per round (native and WASM measured back to back) before their median.
  const fmt = (v, div = 1, digits = 1) => `${(median(v) / div).toFixed(digits)} (best ${(Math.min(...v) / div).toFixed(digits)})`;
  const ratio = (a, b) => median(a.map((x, i) => x / b[i])).toFixed(2);
  console.log(`  ${name}`);
  console.log(`    estimate us:     native ${fmt(r.native)} | wasm ${fmt(r.wasm)} | x${ratio(r.wasm, r.native)} | ` +
              `wasm via API (object in, object out) ${fmt(r.api)}`);
  console.log(`    1,000-pt sweep ms: native ${fmt(r.nativeSweep, 1000, 2)} | wasm ${fmt(r.wasmSweep, 1000, 2)} | x${ratio(r.wasmSweep, r.nativeSweep)}`);
}
rmSync(dir, { recursive: true, force: true });
