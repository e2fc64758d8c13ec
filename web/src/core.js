// The page's WebAssembly core. The binary travels inside the page gzip-compressed and
// base64-encoded in a data block, <script type="application/octet-stream" id="wasm-gzip">
// (web/build.mjs): about a third of the text the single-file module would inline, and
// outside the page's script, so the JavaScript parser never reads it. The <head> script's
// window.llmcalcWasm() compiles it (base64 -> DecompressionStream('gzip') ->
// WebAssembly.compileStreaming, web/build.mjs), started in the single file before this script
// is even compiled, so the module compiles off the main thread meanwhile (issue 18,
// docs/performance.md). No network: the Response wraps the page's own bytes.
import createLlmCalcCore from '../../build/wasm/wasm/llmcalc_core_page.mjs';
import { memoizedLoader } from '../../wasm/js/api.mjs';
import { pageModule } from '../../wasm/js/page_module.mjs';

// The same memoized loader as wasm/js/browser.mjs, instantiating the compiled module. The
// glue's own promise never settles when instantiateWasm fails, hence the race.
export const createLlmCalc = memoizedLoader(() => {
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  const compiled = window.llmcalcWasm?.() || Promise.reject(new Error('the page has no WebAssembly data block (#wasm-gzip)'));
  // The page's module has C functions, not embind's (wasm/page_exports.cpp): pageModule gives
  // them the shape wrapCore takes.
  return Promise.race([failed, createLlmCalcCore({
    instantiateWasm(imports, receive) {
      compiled.then((m) => WebAssembly.instantiate(m, imports).then((i) => receive(i, m))).catch(fail);
      return {};
    },
  }).then(pageModule)]);
});
