// The solver answers (largest batch, longest context, fewest GPUs) with buttons that apply them.
import { $ } from './dom.js';
import { v, patch } from './patch.js';
import * as fmt from './format.js';
import { app } from './app.js';
import { writeForm } from './form.js';
import { cached, update } from './update.js';

// ---------------------------------------------------------------- solvers

export let solveAnswers = {};

export function applyButton(label, fn) {
  return v('button', { type: 'button', class: 'small', text: label, onclick: () => { fn(); writeForm(); update(); } });
}

export function renderSolvers(scenario) {
  const items = [];
  const mb = cached('solve', fixed(scenario, 'workload', { batch: 1 }), 'max-batch');
  const mc = cached('solve', fixed(scenario, 'workload', app.state.mode === 'inference' ? { prompt: 1 } : { seq: 1 }), 'max-context');
  const mg = cached('solve', fixed(scenario, 'parallelism', { tp: 1, pp: 1, dp: 1 }), { question: 'min-gpus', max_gpus: 4096 });
  solveAnswers = { 'max-batch': mb, 'max-context': mc, 'min-gpus': mg };
  const line = (title, r, valueText, apply) => {
    const parts = [v('div', { class: 'q', text: title })];
    if (!r.ok) {
      parts.push(v('div', { class: 'a', text: fmt.DASH }), v('p', { class: 'x', text: r.errors.map((e) => e.message).join('; ') }));
    } else {
      parts.push(v('div', { class: 'a', text: r.found ? valueText(r) : 'None fits' }));
      if (r.explanation) parts.push(v('p', { class: 'x', text: r.explanation }));
      if (r.found && apply) parts.push(apply(r));
    }
    items.push(v('li', { 'data-question': title }, ...parts));
  };
  line('Largest batch that fits', mb, (r) => `batch ${fmt.tokens(r.value)}`,
    (r) => (r.value !== app.state.batch ? applyButton(`Use batch ${fmt.tokens(r.value)}`, () => { app.state.batch = r.value; }) : null));
  const ctxWord = app.state.mode === 'inference' ? `prompt (with ${fmt.tokens(app.state.gen)} generated tokens)` : 'sequence length';
  line(`Longest ${ctxWord} that fits`, mc, (r) => `${fmt.tokens(r.value)} tokens`,
    (r) => {
      if (app.state.mode === 'inference') {
        return r.value !== app.state.prompt ? applyButton(`Use a ${fmt.tokens(r.value)}-token prompt`, () => { app.state.prompt = r.value; }) : null;
      }
      return r.value !== app.state.seq ? applyButton(`Use ${fmt.tokens(r.value)} tokens`, () => { app.state.seq = r.value; }) : null;
    });
  line('Fewest GPUs that fit', mg, (r) => `${fmt.tokens(r.value)} \u00d7 ${app.last.report.gpu.name} (TP ${r.layout.tp} \u00d7 PP ${r.layout.pp} \u00d7 DP ${r.layout.dp})`,
    (r) => (r.layout.tp !== app.state.tp || r.layout.pp !== app.state.pp || r.layout.dp !== app.state.dp
      ? applyButton('Use this layout', () => { app.state.tp = r.layout.tp; app.state.pp = r.layout.pp; app.state.dp = r.layout.dp; }) : null));
  patch($('solve-list'), items);
}

// A sweep or solver sets one input itself (the swept value, or the one it searches for), so
// the scenario's own value of that input cannot change its answer. Sending a copy with that
// input fixed lets the memo answer again when only that input moved (and the chart skip its
// redraw) instead of recomputing an identical answer.
export function fixed(scenario, section, values) {
  return { ...scenario, [section]: { ...scenario[section], ...values } };
}
