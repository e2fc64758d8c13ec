// The update loop: one estimate per input change, rendered at once; sweeps and solvers
// memoized and deferred to after the next paint.
import { $, setText } from './dom.js';
import { scenarioFrom } from './state.js';
import { app, fieldErrors, timings } from './app.js';
import { showCoreErrors, showStale } from './form.js';
import { renderAccuracy, renderAnswer, renderEngine, renderMemoryTable, renderNotes, renderSpeed } from './results.js';
import { deferred } from './deferred.js';
import { writeShare, writeUrl } from './share.js';
import { renderDevices } from './local.js';

// ---------------------------------------------------------------- update loop

export function bumpCounter() {
  app.updates += 1;
  document.body.dataset.updates = String(app.updates);
}

// Numbers and charts render at once; the solvers (binary searches over many estimates)
// follow after the next paint so that typing stays smooth. Bursts of input coalesce.
export let deferredToken = 0;
export function render() {
  if (!app.last) return;
  const t = performance.now();
  const phase = (name, fn) => {
    const t0 = performance.now();
    fn();
    timings.phases[name] = performance.now() - t0;
  };
  phase('answer', () => renderAnswer(app.last.report));
  phase('devices', () => renderDevices(app.last.report));
  phase('table', () => renderMemoryTable(app.last.report));
  phase('speed', () => renderSpeed(app.last.report));
  phase('notes', () => renderNotes(app.last.report));
  phase('engine', () => renderEngine(app.last.report));
  phase('accuracy', renderAccuracy);
  // The charts and solvers are in the deferred block (web/src/deferred.js): until it has run
  // they are not drawn, and it draws them for the last result when it does.
  if (app.chartsReady && deferred.ready) phase('charts', () => deferred.renderCharts(app.last.scenario));
  timings.sync = performance.now() - t;
  app.pending = true;
  document.body.dataset.pending = '1';
  const token = ++deferredToken;
  const snapshot = app.last;
  afterPaint(() => {
    if (token !== deferredToken) return; // a newer update superseded this one
    const t1 = performance.now();
    if (deferred.ready) deferred.renderSolvers(snapshot.scenario);
    writeUrl();
    writeShare();
    timings.deferred = performance.now() - t1;
    app.pending = false;
    document.body.dataset.pending = '0';
    document.body.dataset.lastUpdateMs = (timings.sync + timings.deferred).toFixed(2);
    bumpCounter();
  });
}

// A macrotask without setTimeout's clamping.
export const channel = new MessageChannel();
export const queue = [];
channel.port1.onmessage = () => queue.shift()?.();
export function later(fn) {
  queue.push(fn);
  channel.port2.postMessage(0);
}
// After the browser has painted what is on screen now: the solvers' answers follow in a
// frame of their own, so they never hold back the numbers and charts. A hidden page gets no
// frames; a timer stands in.
export function afterPaint(fn) {
  let queued = false;
  const run = () => {
    if (queued) return;
    queued = true;
    later(fn);
  };
  requestAnimationFrame(run);
  setTimeout(run, 100);
}

export function update() {
  const te = performance.now();
  const scenario = scenarioFrom(app.state);
  const r = cached('estimate', scenario);
  timings.phases.estimate = performance.now() - te;
  if (!r.ok) {
    showCoreErrors(r.errors);
    setText($('status'), 'The scenario has errors (highlighted); the last valid result is still shown.');
    showStale(app.last !== null);
    document.body.dataset.valid = '0';
    bumpCounter();
    return;
  }
  showCoreErrors([]);
  document.body.dataset.valid = '1';
  setText($('status'), fieldErrors.size ? $('status').textContent : '');
  showStale(fieldErrors.size > 0);
  app.last = { scenario, report: r.report };
  render();
}

// Core answers memoized by their exact inputs (toggling units or going back to an earlier
// value redraws without recomputing). Only a cache: every value still comes from the core.
export const memo = new Map();
export const MEMO_MAX = 200;
export function cached(fn, ...args) {
  const key = fn + '\u0000' + JSON.stringify(args);
  const hit = memo.get(key);
  if (hit) {
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const value = app.core[fn](...args);
  memo.set(key, value);
  if (memo.size > MEMO_MAX) memo.delete(memo.keys().next().value);
  return value;
}
