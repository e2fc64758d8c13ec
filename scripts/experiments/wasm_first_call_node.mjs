// The page's module in Node: its first and second estimate, in ms (issue 18; docs/performance.md,
// stop 20). Run it as is (V8 compiles WebAssembly functions lazily, at their first call) and with
// `node --no-wasm-lazy-compilation` (every function compiled with the module) to see how much of
// the first call is that compile.
//   node [--no-wasm-lazy-compilation] scripts/experiments/wasm_first_call_node.mjs   (after scripts/build_wasm.sh)
import { readFileSync } from 'node:fs';
import createLlmCalcCore from '../../build/wasm/wasm/llmcalc_core_page.mjs';
import { pageModule } from '../../wasm/js/page_module.mjs';
import { wrapCore } from '../../wasm/js/api.mjs';

const root = new URL('../../', import.meta.url);
const scenario = JSON.parse(readFileSync(new URL('examples/llama3-8b-chat-serving.scenario.json', root)));
const module = new WebAssembly.Module(readFileSync(new URL('build/wasm/wasm/llmcalc_core_page.wasm', root)));
const core = await createLlmCalcCore({
  instantiateWasm(imports, receive) {
    WebAssembly.instantiate(module, imports).then((i) => receive(i, module));
    return {};
  },
}).then(pageModule).then(wrapCore);
const time = () => {
  const t = performance.now();
  if (!core.estimate(scenario).ok) throw new Error('the estimate failed');
  return (performance.now() - t).toFixed(1);
};
console.log(`first estimate ${time()} ms, second ${time()} ms`);
