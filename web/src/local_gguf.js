// A GGUF file dropped or picked: only its header is read (File.slice, never the tensors; no
// upload, works offline) by the page's reader (gguf_header.js), which asks for a longer slice
// while the header runs past the bytes it was given. The file's model object (the same one a
// gguf= link carries and `llmcalc --gguf` makes) becomes the model, and its own tensor types
// the weights, to the byte.
import { $, setText, show } from './dom.js';
import { FILE_WEIGHTS, defaultOf } from './state.js';
import * as fmt from './format.js';
import { app } from './app.js';
import { syncVisibility } from './form.js';
import { update } from './update.js';
import { importGguf } from './gguf_header.js';

// The same slice sizes as the CLI's --gguf (core/cli/gguf_file.cpp kFirstRead, kMaxHeaderRead):
// 1 MiB holds most headers; a tokenizer of 150k+ strings takes a few MiB more.
const FIRST_READ = 1 << 20;
const MAX_HEADER_READ = 256 << 20;

export function setGgufError(lines) {
  const err = $('f-gguf-err');
  setText(err, lines ? lines.join('; ') : '');
  show(err, Boolean(lines));
}

// Reads the header of `file`, growing the slice as the reader asks. {ok, model, gguf, read}
// or {ok:false, errors}.
export async function importGgufFile(file) {
  let want = Math.min(file.size, FIRST_READ);
  for (;;) {
    const bytes = new Uint8Array(await file.slice(0, want).arrayBuffer());
    const r = importGguf(bytes, file.size);
    if (r.ok) return { ...r, read: bytes.length };
    const need = r.need_bytes || 0;
    if (need > 0 && want >= MAX_HEADER_READ)
      return { ok: false, errors: [{ path: '/gguf', message: `the header is over ${MAX_HEADER_READ >> 20} MiB` }] };
    if (need <= want || want >= file.size) return r;
    want = Math.min(file.size, MAX_HEADER_READ, Math.max(need, want * 2));
  }
}

export async function readGgufFile(file) {
  if (!file || !app.core) return;
  setGgufError(null);
  setText($('f-gguf-status'), `Reading the header of ${file.name}\u2026`);
  let r;
  try {
    r = await importGgufFile(file);
  } catch (e) {
    r = { ok: false, errors: [{ path: '/gguf', message: `the file could not be read (${String(e?.message || e).slice(0, 120)})` }] };
  }
  if (!r.ok) {
    setText($('f-gguf-status'), '');
    setGgufError([`${file.name} cannot be used: ` +
      r.errors.slice(0, 4).map((e) => `${e.message}${e.path ? ` (${e.path})` : ''}`).join('; ')]);
    return;
  }
  const prev = { gguf: app.state.gguf, hf: app.state.hf, weights: app.state.weights };
  Object.assign(app.state, { gguf: r.model, hf: null, weights: FILE_WEIGHTS });
  syncVisibility();
  update();
  if (document.body.dataset.valid !== '1') {
    // The header reads but the core refuses the model (its architecture checks): keep the
    // previous model and say why.
    const msgs = [...$('scenario-errors-list').children].map((li) => li.textContent);
    Object.assign(app.state, prev);
    syncVisibility();
    update();
    setText($('f-gguf-status'), '');
    setGgufError([`${file.name} cannot be used here: ${msgs.join('; ') || 'the scenario does not compute with it'}`]);
    return;
  }
  $('f-hf').value = '';
  const g = r.gguf;
  setText($('f-gguf-status'), `${g.name || file.name}: ${g.architecture}, ${r.model.gguf.file_type || 'GGUF'}, ` +
    `${fmt.grouped(g.tensors)} tensors, ${fmt.bytes(g.weight_bytes, app.state.unit)} of weights; ` +
    `read ${fmt.bytes(r.read, 'GiB')} of ${fmt.bytes(file.size, 'GiB')} (the header only).`);
}

// Back to presets: the file's weights choice goes with it.
export function clearGguf() {
  app.state.gguf = null;
  if (app.state.weights === FILE_WEIGHTS) app.state.weights = defaultOf('weights', app.state);
  setText($('f-gguf-status'), '');
  setGgufError(null);
}

export const isGgufName = (name) => /\.gguf$/i.test(name || '');

// A .gguf file comes through the config.json box (hf.js: dropped or picked there).
export function setupGguf() {
  $('gguf-clear').addEventListener('click', () => {
    clearGguf();
    syncVisibility();
    update();
    $('f-model').focus();
  });
}
