// Browser entry (the web page bundles this with esbuild): instantiates the single-file ES
// module build once and wraps it. The .wasm is inlined as base64, so no fetch of a second
// file and no locateFile configuration are needed.
import createLlmCalcCore from '../../build/wasm/wasm/llmcalc_core.mjs';
import { textCore, wrapCore } from './api.mjs';

export { textCore, wrapCore };

let instance = null;

// Memoized: every call returns the same promise of the same API object. A failed
// instantiation is not cached, so a later call can retry.
export function createLlmCalc() {
  if (!instance) {
    instance = createLlmCalcCore().then(wrapCore);
    instance.catch(() => {
      instance = null;
    });
  }
  return instance;
}
