// A GGUF model from a link (gguf=: the model object `llmcalc --gguf` reads from a file's
// header): the model is the file's and the weights its own tensor types, to the byte. The
// page itself reads no GGUF files yet: the core's GGUF importer would take the single page
// over its size budget (wasm/bindings.cpp); the CLI reads them (`llmcalc estimate --gguf FILE`).
import { $ } from './dom.js';
import { FILE_WEIGHTS, defaultOf } from './state.js';
import { app } from './app.js';
import { syncVisibility } from './form.js';
import { update } from './update.js';

// Back to presets: the file's weights choice goes with it.
export function clearGguf() {
  app.state.gguf = null;
  if (app.state.weights === FILE_WEIGHTS) app.state.weights = defaultOf('weights', app.state);
}

export const isGgufName = (name) => /\.gguf$/i.test(name || '');

export const GGUF_ON_THE_CLI = 'This page does not read GGUF files yet; the command line does: ' +
  'llmcalc estimate --gguf FILE (only the header is read).';

export function setupGguf() {
  $('gguf-clear').addEventListener('click', () => {
    clearGguf();
    syncVisibility();
    update();
    $('f-model').focus();
  });
}
