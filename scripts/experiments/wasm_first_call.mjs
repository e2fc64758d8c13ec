// How much of the first estimate is V8's lazy WebAssembly compile (issue 18; docs/performance.md,
// stop 20). In a fresh Chromium profile, a page served from localhost compiles the page's module
// once (build/wasm/wasm/llmcalc_core_page.wasm), makes instance A and times A's first and second
// estimate of scenario 1, then makes instance B of the same module and times B's first estimate:
// B has its own memory (its presets parsed afresh) but shares the compiled code. The "warm" runs
// warm A with scenario 2 first. Prints one line per run, in ms.
//   node scripts/experiments/wasm_first_call.mjs [RUNS]   (after scripts/build_wasm.sh)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { launch, ROOT, settle } from '../../tests/browser/lib.mjs';

const runs = Number(process.argv[2] || 4);
const page = `<!doctype html><meta charset=utf-8><pre id=out></pre><script type=module>
import createLlmCalcCore from '/build/wasm/wasm/llmcalc_core_page.mjs';
import { wrapCore } from '/wasm/js/api.mjs';
const s1 = await (await fetch('/examples/llama3-8b-chat-serving.scenario.json')).json();
const s2 = await (await fetch('/examples/deepseek-v3-fp8-h200.scenario.json')).json();
const M = await WebAssembly.compileStreaming(fetch('/build/wasm/wasm/llmcalc_core_page.wasm'));
const make = () => createLlmCalcCore({ instantiateWasm(imports, receive) {
  WebAssembly.instantiate(M, imports).then((i) => receive(i, M)); return {}; } }).then(wrapCore);
const out = [];
const time = (label, f) => { const t = performance.now(); const ok = f().ok; out.push(label + ' ' + (performance.now() - t).toFixed(1) + (ok ? '' : ' (failed)')); };
const A = await make();
if (location.hash === '#warm') time('A first (scenario 2)', () => A.estimate(s2));
time('A first (scenario 1)', () => A.estimate(s1));
time('A second', () => A.estimate(s1));
const B = await make();
time('B first (scenario 1)', () => B.estimate(s1));
document.getElementById('out').textContent = out.join(', ');
document.body.dataset.done = '1';
</script>`;
const types = { '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/') return res.end(page);
  if (!/^\/(build\/wasm\/wasm|wasm\/js|examples)\/[\w.-]+$/.test(path)) return res.writeHead(404).end();
  try {
    const body = await readFile(join(ROOT, path));
    res.writeHead(200, { 'content-type': types[extname(path)] || 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
}).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
try {
  for (let i = 0; i < runs; i++) {
    for (const mode of ['cold', 'warm']) {
      const br = await launch();
      try {
        const p = await br.context.newPage();
        await p.goto(`http://127.0.0.1:${server.address().port}/#${mode}`);
        await p.waitForSelector('body[data-done]');
        console.log(`${mode}: ${await p.textContent('#out')}`);
      } finally {
        await br.close();
        await settle();
      }
    }
  }
} finally {
  server.close();
}
