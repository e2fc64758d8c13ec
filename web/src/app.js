// What the page's modules share: the core, the state of the form, the last good result, the
// timings, and the charts. One object, so every module sees the same values.
import { DEFAULTS } from './state.js';

export const T0 = performance.now();
export const GIB = 1024 ** 3;
export const CONTEXT_GRID = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];
export const BATCH_GRID = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
export const MAX_HF_CHARS = 1_000_000;
export const URL_ERRORS_SHOWN = 8; // link errors listed in the banner; the rest counted

export const app = {
  core: null,
  models: [],
  gpus: [],
  state: { ...DEFAULTS },
  last: null, // {scenario, report}: the last valid result, kept while inputs are invalid
  updates: 0,
  pending: false, // deferred work (solvers) not yet rendered
  chartsReady: false, // charts are created in the task after the first numbers (see start())
  embed: false,
  hfInfo: '',
};

export const timings = { sync: 0, deferred: 0, phases: {}, startup: {} };
// Milliseconds since navigation start at each step of start(), for the timing report.
export const mark = (name) => { timings.startup[name] = +performance.now().toFixed(1); };
export const fieldErrors = new Map(); // element id -> message from the page's own input checks
export const charts = {};
export const chartState = {};
