// Browser entry (the web page bundles this with esbuild): instantiates the single-file ES
// module build once and wraps it. The .wasm is inlined as base64, so no fetch of a second
// file and no locateFile configuration are needed.
import createLlmCalcCore from '../../build/wasm/wasm/llmcalc_core.mjs';
import { memoizedLoader, textCore, wrapCore } from './api.mjs';

export { textCore, wrapCore };

// Memoized: every call returns the same promise of the same API object.
export const createLlmCalc = memoizedLoader(() => createLlmCalcCore());
