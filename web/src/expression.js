// A report's formula tree (docs/scenario.md, "Expressions") as page content: the same tree
// whose value is the number shown, rendered with parentheses where precedence needs them and
// each term's label both inline and on hover. The CLI's text comes from the core's renderer
// (core/src/text/expression.cpp); this follows the same rules with the page's number style.
import { v } from './patch.js';
import { grouped } from './format.js';

const LEVEL = { '+': 1, '-': 1, '*': 2, '/': 2 };
const level = (e) => (e.op ? LEVEL[e.op] ?? 3 : 3);
const SI = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

function trim(s) {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

// Six significant digits as the core writes them: whole from 1e6 up to 1e9, C-style exponents
// ("1.5e+09") outside [1e-4, 1e9).
function significant6(value) {
  const a = Math.abs(value);
  if (a >= 1e6 && a < 1e9) return grouped(Math.round(value));
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) {
    const [m, e] = value.toExponential(5).split('e');
    const exp = Number(e);
    return `${trim(m)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return trim(value.toPrecision(6));
}

// A leaf's number with its unit, as the core prints it (4 significant digits with an SI prefix
// for large or fractional bytes and FLOPs, seconds to 3 digits, whole numbers exactly).
export function leafText(value, unit = '') {
  if (!Number.isFinite(value)) return '\u2014';
  if (unit === 's') {
    const a = Math.abs(value);
    if (a >= 7200) return `${(value / 3600).toFixed(2)} h`;
    if (a >= 1) return `${trim(value.toPrecision(3))} s`;
    if (a >= 1e-3) return `${trim((value * 1e3).toPrecision(3))} ms`;
    return `${trim((value * 1e6).toPrecision(3))} \u00b5s`;
  }
  const whole = Math.abs(value) < 1e9 && Number.isInteger(value);
  if (['B', 'FLOP', 'FLOP/s', 'B/s'].includes(unit) && !whole) {
    let x = value;
    let i = 0;
    while (Math.abs(x) >= 1000 && i < 6) { x /= 1000; i++; }
    return `${trim(x.toPrecision(4))} ${SI[i]}${unit}`;
  }
  const n = Number.isInteger(value) && Math.abs(value) < 1e15 ? grouped(value) : significant6(value);
  return unit ? `${n} ${unit}` : n;
}

function leaf(e) {
  const num = leafText(e.value, e.unit);
  if (!e.label) return [v('span', { class: 'term', text: num })];
  return [v('span', { class: 'term', title: e.label }, num, ' ', v('span', { class: 'term-label', text: e.label }))];
}

function render(e, out) {
  if (!e.op) {
    out.push(...leaf(e));
    return;
  }
  if (e.op === 'max' || e.op === 'min' || e.op === 'ceil') {
    out.push(`${e.op}(`);
    e.args.forEach((a, i) => {
      if (i > 0) out.push(', ');
      render(a, out);
    });
    out.push(')');
    return;
  }
  const sep = e.op === '*' ? ' \u00d7 ' : ` ${e.op} `;
  const own = level(e);
  e.args.forEach((a, i) => {
    if (i > 0) out.push(sep);
    const child = level(a);
    const parens = i > 0 && (e.op === '-' || e.op === '/') ? child <= own : child < own;
    if (parens) out.push('(');
    render(a, out);
    if (parens) out.push(')');
  });
}

// The formula as a list of virtual nodes (strings and term spans), for patch().
export function expressionNodes(expression) {
  const out = [];
  if (expression) render(expression, out);
  return out;
}

// The formula as plain text (exports, accessible names).
export function expressionText(expression) {
  const parts = [];
  const flat = (n) => (typeof n === 'string' ? parts.push(n) : n.kids.forEach(flat));
  expressionNodes(expression).forEach(flat);
  return parts.join('');
}
