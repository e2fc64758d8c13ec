// Hugging Face config.json paste or drop: checked, trimmed and imported through the core.
import { $, setText, show } from './dom.js';
import { trimHfConfig } from './state.js';
import * as fmt from './format.js';
import { MAX_HF_CHARS, app, fieldErrors } from './app.js';
import { clearUrlErrors, markStale, syncVisibility } from './form.js';
import { update } from './update.js';
import { clearCompanions, companionOf, safetensorsIndex } from './checkpoint_files.js';
import { clearGguf, isGgufName, readGgufFile } from './local_gguf.js';

// ---------------------------------------------------------------- HF config

export function setHfError(lines) {
  const err = $('f-hf-err');
  if (lines && lines.length) {
    setText(err, lines.join('; '));
    show(err, true);
    $('f-hf').setAttribute('aria-invalid', 'true');
  } else {
    show(err, false);
    $('f-hf').removeAttribute('aria-invalid');
  }
}

// A paste that cannot be used is an input error like any other field's: the error beside
// the box, and the answer marked as not updated (it still shows the model used before).
export function hfRejected(lines) {
  setHfError(lines);
  fieldErrors.set('f-hf', lines.join('; '));
  markStale();
}

export function hfAccepted() {
  setHfError(null);
  if (fieldErrors.delete('f-hf')) markStale();
}

export function onHfText(text) {
  if (text.trim() === '') {
    hfAccepted();
    // Emptying the box does not drop a config in use (a link's config is not in the box):
    // say which model the answer is for.
    if (app.state.hf) {
      setText($('f-hf-err'), `The box is empty; the answer is still for ${app.hfInfo || 'the config pasted before'}. "Back to presets" leaves it.`);
      show($('f-hf-err'), true);
    }
    return;
  }
  if (text.length > MAX_HF_CHARS) {
    hfRejected([`The config is too large (${fmt.grouped(text.length)} characters; at most ${fmt.grouped(MAX_HF_CHARS)}).`]);
    return;
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    hfRejected([`Not valid JSON: ${String(e.message).slice(0, 160)}`]);
    return;
  }
  // Checked before the import: the API would take a JSON string as JSON text to parse.
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    hfRejected(['A config.json is a JSON object ({...}).']);
    return;
  }
  const r = app.core.importHfConfig(obj);
  if (!r.ok) {
    hfRejected(r.errors.slice(0, 6).map((e) => `${e.path || 'config'}: ${e.message}`));
    return;
  }
  clearUrlErrors();
  // Accepted: other fields' own errors would hold the update back; this one no longer does.
  fieldErrors.delete('f-hf');
  const applied = applyOrRevert(['hf', 'gguf', 'weights'], () => {
    if (app.state.gguf) clearGguf();
    app.state.hf = trimHfConfig(obj);
    app.hfInfo = describeHf(r);
    if (r.model.checkpoint_weights?.formats?.length) useCheckpointWeights();
  }, hfRejected, 'This config cannot be used with the current scenario.');
  if (applied) hfAccepted();
}

// Applies a change of model (a pasted config, a checkpoint file) and updates. If the scenario
// no longer computes with it, the fields named come back as they were, the previous result is
// drawn again, and `reject` shows why (the scenario's own errors).
function applyOrRevert(fields, apply, reject, fallback) {
  const prev = Object.fromEntries(fields.map((f) => [f, app.state[f]]));
  const prevInfo = app.hfInfo;
  apply();
  syncVisibility();
  update();
  if (document.body.dataset.valid === '1') return true;
  const msgs = [...$('scenario-errors-list').children].map((li) => li.textContent);
  Object.assign(app.state, prev);
  app.hfInfo = prevInfo;
  $('f-weights').value = app.state.weights;
  syncVisibility();
  update();
  reject(msgs.length ? msgs : [fallback]);
  return false;
}

// The model a pasted config describes, with its checkpoint's own weight formats when it has a
// quantization_config ("weights: mxfp4 for 19.11 B parameters, bf16 for 1.80 B").
export function describeHf(r) {
  const p = r.model.params;
  const q = r.model.checkpoint_weights;
  const formats = q?.formats?.length ? `; weights: ${q.formats.map((f, i) => `${f.format} for ${fmt.params(f.params)}${i === 0 ? ' parameters' : ''}`).join(', ')} (${q.method} checkpoint)` : '';
  return `${r.model.name}: ${fmt.params(p.total)} parameters${p.active < p.total ? ` (${fmt.params(p.active)} active)` : ''}${formats}`;
}

// A quantized checkpoint is priced in its own formats (FP8, MXFP4, NVFP4...), not the picker's
// bf16; the picker says "as the checkpoint" and stays editable.
function useCheckpointWeights() {
  if (app.state.mode !== 'inference') return; // training picks the base's format itself
  app.state.weights = 'checkpoint';
  $('f-weights').value = 'checkpoint';
}

// A checkpoint file (checkpoint_files.js) joins the model in use, preset or pasted config, if
// the scenario computes with it; else the error is shown and the model stays as it was.
function onCompanion(r) {
  if (r.error) {
    setHfError([r.error]);
    return;
  }
  const applied = applyOrRevert([r.field, 'weights'], () => {
    app.state[r.field] = r.value;
    if (r.field === 'hfQuant') useCheckpointWeights();
  }, setHfError, 'This file cannot be used with the current model.');
  if (applied) setHfError(null);
}

export function setupHf() {
  const ta = $('f-hf');
  ta.addEventListener('input', () => onHfText(ta.value));
  const readFile = async (file) => {
    if (!file) return;
    if (/\.safetensors$/i.test(file.name)) {
      onCompanion(await safetensorsIndex(file));
      return;
    }
    if (isGgufName(file.name)) return readGgufFile(file); // dropped beside the GGUF zone
    if (file.size > MAX_HF_CHARS) {
      setHfError([`The file is too large (${fmt.grouped(file.size)} bytes).`]);
      return;
    }
    const t = await file.text();
    let companion = null;
    try {
      const obj = JSON.parse(t);
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) companion = companionOf(obj);
    } catch { /* not JSON: onHfText says so */ }
    if (companion) {
      onCompanion(companion);
      return;
    }
    ta.value = t;
    onHfText(t);
  };
  $('f-hf-file').addEventListener('change', (e) => readFile(e.target.files[0]));
  $('ckpt-clear').addEventListener('click', () => {
    clearCompanions(app.state);
    hfAccepted();
    syncVisibility();
    update();
  });
  for (const target of [ta, $('form')]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      ta.classList.add('dragover');
    });
    target.addEventListener('dragleave', () => ta.classList.remove('dragover'));
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      ta.classList.remove('dragover');
      readFile(e.dataTransfer.files[0]);
    });
  }
  $('hf-clear').addEventListener('click', () => {
    app.state.hf = null;
    clearCompanions(app.state);
    ta.value = '';
    hfAccepted();
    syncVisibility();
    update();
    $('f-model').focus();
  });
}
