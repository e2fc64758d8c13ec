// Build time (web/build.mjs runs this in Node, bundled like the page): the default scenario's
// answer, computed by the same core and rendered by the page's own render functions into a
// static copy of the page's elements (web/static_dom.mjs). The page carries it as markup, so
// its first paint shows the answer before any script has run; the live page then renders the
// same functions over it (tests/browser/prerender.test.mjs checks both give the same text).
import { app } from './app.js';
import { DEFAULTS, scenarioFrom } from './state.js';
import { renderAccuracy, renderAnswer, renderMemoryTable } from './results.js';

// `core`: the core's JS API (wasm/js/api.mjs wrapCore); `document`: a static document.
// Renders what the first screen shows: the verdict, the memory bar and key figures, the
// accuracy line and the memory table.
export function prerenderDefault(core, document) {
  globalThis.document = document;
  globalThis.Node = { TEXT_NODE: 3 };
  try {
    app.state = { ...DEFAULTS };
    const r = core.estimate(scenarioFrom(app.state));
    if (!r.ok) throw new Error(`prerender: the default scenario does not compute: ${JSON.stringify(r.errors)}`);
    renderAnswer(r.report);
    renderMemoryTable(r.report);
    renderAccuracy();
    return r.report;
  } finally {
    delete globalThis.document;
    delete globalThis.Node;
  }
}
