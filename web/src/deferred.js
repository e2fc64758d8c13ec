// The registry of the page's deferred part. What the first answer does not need (uPlot and
// the charts, the GPU comparison table, the solvers, the plan panel: web/src/deferred_main.js)
// is bundled apart and travels in a second, non-executed block (web/build.mjs), evaluated only
// after the first answer is on screen: its JavaScript is then neither parsed nor compiled
// before that answer. The first bundle never imports those modules; it calls them through
// this object, which the block fills in when it runs (provideDeferred).
export const deferred = {
  ready: false,
  renderCharts: null, // (scenario): the charts and the GPU table
  renderSolvers: null, // (scenario): the solver answers
  readTheme: null, // re-reads the colours the charts draw with
};

const waiting = [];
// Runs fn once the deferred part is in (at once if it is).
export function whenDeferred(fn) {
  if (deferred.ready) fn();
  else waiting.push(fn);
}

// Called by the deferred block, once, when it has run.
export function provideDeferred(parts) {
  if (deferred.ready) return;
  Object.assign(deferred, parts, { ready: true });
  performance.mark('llmcalc:deferred-ready');
  for (const fn of waiting.splice(0)) fn();
}

// Evaluates the deferred block: in the single file a data block (#app-deferred-src) run as
// an inline script (allowed by its hash in the CSP, as the page's own script); in the served
// build its file beside app.js. Nothing is fetched from the network in the single file.
let requested = false;
export function loadDeferred() {
  if (requested || deferred.ready) return;
  requested = true;
  const block = document.getElementById('app-deferred-src');
  const script = document.createElement('script');
  if (block) script.textContent = block.textContent;
  else script.src = 'app-deferred.js';
  document.body.appendChild(script);
  script.remove(); // a copy saved from the browser must not run it twice
}
