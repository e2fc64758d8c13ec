// Node (>= 20) entry: the CommonJS single-file build, loaded with createRequire so that it
// works from ES modules. Same API as browser.mjs.
import { createRequire } from 'node:module';
import { memoizedLoader, textCore, wrapCore } from './api.mjs';

export { textCore, wrapCore };

const require = createRequire(import.meta.url);

// Loads the core; `path` overrides the module file (tests of other builds).
export function loadCore(path = '../../build/wasm/wasm/llmcalc_core_node.cjs') {
  const factory = require(path);
  return factory();
}

// Memoized: every call returns the same promise of the same API object.
export const createLlmCalc = memoizedLoader(() => loadCore());
