// The calculator page. Every number shown comes from the WASM core (estimate / sweep /
// solve); this entry starts the core, reads the link and wires the modules together.
import 'uplot/dist/uPlot.min.css';
import { clearCompanions } from './checkpoint_files.js';
import './styles.css';
import { $, setText } from './dom.js';
import { DEFAULTS, followDefaultWeights, stateFromUrl, stateToHash, linkFor, isAnchorHash, applyInputRanges } from './state.js';
import { createLlmCalc } from './core.js';
import { PRESETS } from 'llmcalc:presets';
import { T0, app, charts, fieldErrors, mark, timings } from './app.js';
import { SELECT_OPTIONS, clearUrlErrors, fillGpus, fillModels, fillSelect, formElements, onControl, setupDerivedFields, showStale, showUrlErrors, syncVisibility, writeForm } from './form.js';
import { describeHf, setHfError, setupHf } from './hf.js';
import { setupAccuracyLink, setupEngineCopy, setupFormulaToggles, setupMiniVerdict, toggleExpandAll } from './results.js';
import { setupGguf } from './local_gguf.js';
import { deferred, loadDeferred, whenDeferred } from './deferred.js';
import { afterPaint, bumpCounter, render, update } from './update.js';
import { applyPageOptions, setupShare, writeUrl } from './share.js';
// The modules the deferred block shares with this bundle, handed to it (web/build.mjs).
import 'llmcalc:shared-modules';

// ---------------------------------------------------------------- start

function readUrl() {
  const ctx = { modelIds: new Set(app.models.map((m) => m.id)), gpuIds: new Set(app.gpus.map((g) => g.id)) };
  return stateFromUrl(location.href, ctx);
}

// Takes the scenario a link describes (r from readUrl), invalid parameters at their defaults.
function loadFromUrl(r = readUrl()) {
  applyInputRanges(document);
  app.state = r.state;
  app.embed = r.embed;
  document.body.classList.toggle('embed', app.embed);
  if (app.embed) $('form-details').open = false;
  applyPageOptions(r);
  // The <head> script laid the embed out from the URL before the first paint; from here the
  // page's own reading of it rules (web/build.mjs).
  const root = document.documentElement.classList;
  root.toggle('embed', !!app.embed);
  root.toggle('embed-answer', app.embed === 'answer');
  if (started) wantDeferred();
  $('f-hf').value = '';
  setHfError(null);
  app.hfInfo = '';
  if (app.state.hf) {
    const imported = app.core.importHfConfig(app.state.hf);
    if (imported.ok) app.hfInfo = describeHf(imported);
  }
  writeForm();
  // At start the pickers are listed after the first answer (fillPickers, which writes their
  // values then); later, a search is refiltered by writeForm and the list keeps the link's model.
  if (started) fillModels($('model-search').value);
  showUrlErrors(r.errors); // after writeForm, which clears the fields' errors
}

// "Skip to results" moves the focus itself: following its #results would replace the
// scenario's hash, and the page would read that as a new (empty) scenario.
function setupSkipLink() {
  const link = document.querySelector('a.skip');
  link.addEventListener('click', (e) => {
    e.preventDefault();
    const target = $(link.getAttribute('href').slice(1));
    target.scrollIntoView();
    target.focus({ preventScroll: true });
  });
}

// An edited hash: a valid scenario replaces the shown one; one with invalid parameters
// leaves the last good result (and the form) as they are and shows the errors beside their
// fields. An element id (#results) is an in-page link, not a scenario.
function onHashChange() {
  const hash = location.hash.replace(/^#/, '');
  if (hash === stateToHash(app.state) || hash === linkFor(app.state).hash) return;
  if (isAnchorHash(hash)) {
    writeUrl();
    return;
  }
  const r = readUrl();
  if (r.errors.length > 0 && app.last) {
    showUrlErrors(r.errors);
    setText($('status'), 'The link has errors (shown beside the fields); the last valid result is still shown.');
    showStale(true);
    bumpCounter();
    return;
  }
  loadFromUrl(r);
  update();
}

// The pickers' options, made once the first answer is in the page (for a link, once its frame is
// done): the form is folded to its summary until then (prestart), and filling them took 10-25 ms
// of a link's path to its answer (issue 18, docs/performance.md, stop 19). The first writeForm
// ran before the options existed: written again, the selects take the state's values. (The
// preset lists themselves come with the page, web/build.mjs: app.models / app.gpus from the start.)
function fillPickers() {
  for (const [id, opts] of Object.entries(SELECT_OPTIONS)) fillSelect($(id), opts);
  fillGpus();
  fillModels($('model-search').value);
  writeForm();
  mark('pickers');
}

// The page's listeners: every form control, search, buttons, links, theme.
function attachInputs() {
  for (const e of formElements()) {
    const ev = e.tagName === 'SELECT' || e.type === 'radio' || e.type === 'checkbox' ? 'change' : 'input';
    e.addEventListener(ev, () => onControl(e));
  }
  $('model-search').addEventListener('input', (e) => fillModels(e.target.value));
  $('model-search').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const first = $('f-model').querySelector('option');
    if (first && first.value !== app.state.model) {
      const before = { ...app.state };
      app.state.model = first.value;
      clearCompanions(app.state);
      followDefaultWeights(before, app.state);
      $('f-model').value = first.value;
      syncVisibility();
      update();
    }
  });
  $('expand-all').addEventListener('click', (e) => {
    toggleExpandAll(e.target);
    render();
  });
  $('reset').addEventListener('click', () => {
    app.state = { ...DEFAULTS, unit: app.state.unit };
    $('f-hf').value = '';
    fieldErrors.clear();
    clearUrlErrors();
    setHfError(null);
    writeForm();
    update();
  });
  $('form').addEventListener('submit', (e) => e.preventDefault());
  setupHf();
  setupGguf();
  setupDerivedFields();
  setupFormulaToggles();
  setupEngineCopy();
  setupMiniVerdict();
  setupAccuracyLink();
  setupShare();
  window.addEventListener('hashchange', onHashChange);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (deferred.ready) {
      deferred.readTheme();
      for (const c of Object.values(charts)) {
        c.legendKey = null;
        c.redraw();
      }
    }
    render();
  });
}

async function start() {
  mark('script');
  setupSkipLink();
  delete document.body.dataset.ready;
  try {
    // The module compiles from the page's own bytes (web/src/core.js): nothing is fetched.
    const loading = createLlmCalc();
    ({ models: app.models, gpus: app.gpus } = PRESETS);
    app.core = await loading;
    mark('core_ready');
  } catch (e) {
    setText($('status'), `The calculator could not start: ${String(e && e.message ? e.message : e).slice(0, 200)}`);
    document.body.dataset.ready = 'error';
    return;
  }
  // The page's module has no catalog listings of its own (wasm/bindings.cpp), so lists from
  // another build cannot be checked against it: a mismatch is a broken build, said as such.
  if (PRESETS.version !== app.core.version) {
    setText($('status'), `The calculator could not start: its preset lists (core ${PRESETS.version}) and module (core ${app.core.version}) come from different builds`);
    document.body.dataset.ready = 'error';
    return;
  }
  setText($('version'), `core ${app.core.version}`);
  loadFromUrl();
  mark('url_read');
  setText($('status'), '');
  // Asked for before the first update, so that it is queued after the frame ahead of the
  // update's own (its solvers) and marks the frame alone.
  const painted = new Promise((resolve) => afterPaint(resolve));
  // A page saved from the browser carries the rendered DOM, and the prerendered answer is
  // markup too: the patcher starts from a clean slate, cleared in the same task as the first
  // update so that no frame shows the answer without its bar and figures while the module loads.
  for (const id of ['membar', 'membar-legend', 'key-figures', 'mem-rows', 'speed-cards', 'speed-phases', 'solve-list', 'notes', 'gpu-rows', 'scenario-errors-list'])
    $(id).replaceChildren();
  update();
  mark('first_result');
  document.body.dataset.firstResultMs = performance.now().toFixed(1); // since navigation start
  if (!app.last) {
    // The link's scenario is invalid as a whole (say, an inconsistent layout): say so, show the defaults.
    const bad = $('scenario-errors-list').textContent;
    app.state = { ...DEFAULTS, unit: app.state.unit };
    writeForm();
    update();
    const shown = [...$('url-errors-list').children].filter((li) => !li.textContent.startsWith('... and'));
    const errors = shown.map((li) => ({ text: li.textContent, field: null }));
    errors.push({ text: `the linked scenario could not be computed (${bad.slice(0, 200)}); the default scenario is shown`, field: null });
    showUrlErrors(errors);
  }
  // The link's own answer is in the page: the prerendered default's elements may show again
  // (hidden since the <head> script saw a scenario in the URL; web/build.mjs).
  const root = document.documentElement.classList;
  const link = root.contains('link');
  root.remove('link');

  // The answer is in the page. A link's is new: the browser paints it first, then the form shows
  // and the inputs go live, so that its frame lays out the answer and not the form. The default's
  // (and an embed's) prerendered answer has been on screen since before the script: the form and
  // inputs need not wait for a frame (interactive sooner, docs/performance.md, stop 19). Then the
  // deferred block (uPlot, the charts, solvers, GPU table, plan panel: web/src/deferred.js),
  // which draws its panels for the last result when it is in.
  const framed = painted.then(() => mark('first_paint')); // the frame with the first live numbers is done
  if (link) await framed;
  // The form's fields show (the <head> script's prestart: web/build.mjs) and answer from here.
  fillPickers();
  root.remove('prestart');
  attachInputs();
  mark('ready'); // interactive: inputs answer with new numbers (charts follow the deferred block)
  started = true;
  if (!link) await framed;
  whenDeferred(() => {
    mark('deferred');
    render(); // the charts and solvers for the result already shown
    mark('charts');
    publish();
  });
  wantDeferred();
  // An embed may never load the deferred block: it is ready without it.
  if (!deferred.ready && app.embed) publish();
}

// The deferred block (charts, solvers, GPU table, plan panel) runs after the first answer. The
// answer-only embed shows none of its panels and never loads it; the compact embed (embed=1)
// shows the context chart and the solvers below the answer: it loads the block when one of
// them comes near the iframe's view.
let started = false;
let nearObserver = null;
function wantDeferred() {
  if (deferred.ready || app.embed === 'answer') return;
  if (!app.embed) {
    loadDeferred();
    return;
  }
  if (nearObserver) return;
  nearObserver = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    nearObserver.disconnect();
    loadDeferred();
  }, { rootMargin: '200px' });
  for (const id of ['chart-context', 'solve-list']) nearObserver.observe($(id));
}

let published = false;
function publish() {
  if (published) return;
  published = true;
  document.body.dataset.ready = '1';
  // For tests: not serialized when the page is saved, so a saved copy cannot look ready early.
  window.__llmcalc = {
    ready: true,
    firstResultMs: timings.startup.first_result, // numbers shown; charts follow (timings.startup)
    scriptStartMs: T0,
    core: app.core,
    charts,
    get updates() { return app.updates; },
    get pending() { return app.pending; },
    timings,
    get last() { return app.last; },
    get state() { return { ...app.state }; },
  };
}

start();
