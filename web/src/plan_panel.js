// "Make it fit": the core's plan() for the page's scenario, on request (it runs hundreds of
// estimates, so never on every keystroke): the weight format, KV cache and context that fit,
// ranked, and the commands that run the best one, each with a copy button.
import { $, el, setText, copyCode } from './dom.js';
import { app } from './app.js';
import * as fmt from './format.js';

const CONTEXTS = [['max', 'As long as fits'], ['4096', '4K'], ['8192', '8K'], ['16384', '16K'],
  ['32768', '32K'], ['65536', '64K'], ['131072', '128K']];
// Tiers by nominal bits per weight: the core reads "Q4" as 4 bits whatever the engine's names.
const FLOORS = [['', 'No floor'], ['Q8', '8-bit'], ['Q6', '6-bit'], ['Q5', '5-bit'], ['Q4', '4-bit'], ['Q3', '3-bit']];

function select(id, label, options, value) {
  const s = el('select', { id });
  for (const [v, text] of options) s.append(el('option', { value: v, text, selected: v === value }));
  return el('label', { class: 'plan-field' }, label, ' ', s);
}

function copyButton(code) {
  return el('button', {
    type: 'button', class: 'secondary small', text: 'Copy',
    onclick: (e) => copyCode(code, e.target),
  });
}

function candidateRow(c, i) {
  const d = c.devices[0];
  return el('tr', { 'data-plan-row': i },
    el('td', { text: String(i + 1) }), el('td', { text: c.weights }), el('td', { text: c.kv_cache }),
    el('td', { class: 'num', text: fmt.tokens(c.context) }),
    el('td', { class: 'num', text: `${fmt.bytes(d.used_bytes, app.state.unit)} of ${fmt.bytes(d.capacity_bytes, app.state.unit)}` }),
    el('td', { class: 'num', text: fmt.rate(c.decode_tokens_per_s) }));
}

function render(out, r) {
  out.replaceChildren();
  if (!r.ok) {
    out.append(el('p', { class: 'field-error', text: r.errors.map((e) => e.message).join('; ') }));
    return;
  }
  out.append(el('p', { id: 'plan-explanation', text: r.explanation }));
  if (r.ranked.length > 0) {
    const head = el('tr', {}, ...['#', 'Weights', 'KV cache', 'Context', 'GPU memory', 'Decode'].map((t) => el('th', { text: t })));
    out.append(el('table', { class: 'plan-table' }, el('thead', {}, head), el('tbody', {}, ...r.ranked.map(candidateRow))));
    out.append(el('p', { class: 'hint', text: r.ranked[0].why }));
  } else if (r.closest_miss) {
    out.append(el('p', { class: 'hint', text: `Closest: ${r.closest_miss.why}` }));
  }
  for (const c of r.commands ?? []) {
    const code = el('code', { 'data-engine': c.engine, text: c.command });
    out.append(el('div', { class: 'command plan-command' }, el('strong', { text: `${c.engine}: ` }), code, copyButton(code)));
    if (c.lines) out.append(el('pre', { class: 'plan-lines', text: c.lines.join('\n') }));
    if (c.note) out.append(el('p', { class: 'hint', text: c.note }));
  }
  for (const n of r.notes) out.append(el('p', { class: 'hint', text: n }));
}

export function runPlan() {
  if (!app.core || !app.last) return null;
  const context = $('plan-context').value;
  const floor = $('plan-floor').value;
  const goals = { context: context === 'max' ? 'max' : Number(context) };
  if (floor) goals.min_quality = floor;
  const r = app.core.plan(app.last.scenario, goals);
  render($('plan-result'), r);
  document.body.dataset.plan = r.ok ? (r.found ? 'found' : 'none') : 'error';
  return r;
}

export function setupPlanPanel() {
  const body = $('plan-body');
  if (!body) return;
  body.replaceChildren(
    el('div', { class: 'plan-controls' },
      select('plan-context', 'Context', CONTEXTS, 'max'),
      select('plan-floor', 'No lower than', FLOORS, 'Q4'),
      el('button', { type: 'button', id: 'plan-run', text: 'Make it fit', onclick: runPlan })),
    el('div', { id: 'plan-result', 'aria-live': 'polite' }));
}
