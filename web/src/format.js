// Presentation only: turns the core's numbers into labelled text. Never NaN, Infinity or
// undefined on screen: anything non-finite becomes an em dash.

export const DASH = '\u2014';
const GIB = 1024 ** 3;

export function finite(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

export function unitDivisor(unit) {
  return unit === 'GB' ? 1e9 : GIB;
}

function fixed(v, digits) {
  const s = v.toFixed(digits);
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

// Bytes in the chosen family (GiB = 2^30 B with TiB, MiB, KiB; GB = 1e9 B with TB, MB, kB),
// the unit stepping so that the number lies in [1, 1024) (or [1, 1000)): never "0.000 GiB" nor
// "229,511.0 GiB". Thousands separators throughout.
const BINARY = [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]];
const DECIMAL = [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3]];
export function bytes(v, unit, digits) {
  if (!finite(v)) return DASH;
  if (v === 0) return `0 ${unit}`;
  const steps = unit === 'GB' ? DECIMAL : BINARY;
  const a = Math.abs(v);
  let [name, size] = steps.find(([, d]) => a >= d) ?? ['B', 1];
  if (name === 'B') return `${grouped(v)} B`;
  // The chosen unit itself from 0.1 up (the memory bar and tables read 0.5 GiB, not 512 MiB).
  const own = steps.find(([n]) => n === unit);
  if (a < own[1] && a >= 0.1 * own[1]) [name, size] = own;
  const x = v / size;
  const d = digits ?? (Math.abs(x) >= 10 ? 1 : 2);
  return `${grouped(x, d)} ${name}`;
}

export function bytesNumber(v, unit) {
  return finite(v) ? v / unitDivisor(unit) : null;
}

export function seconds(v) {
  if (!finite(v)) return DASH;
  const a = Math.abs(v);
  if (a >= 3600 * 24) return `${grouped(v / 86400, 1)} days`;
  if (a >= 3600) return `${fixed(v / 3600, 1)} h`;
  if (a >= 60) return `${fixed(v / 60, 1)} min`;
  if (a >= 1) return `${fixed(v, 2)} s`;
  if (a >= 1e-3) return `${fixed(v * 1e3, a >= 0.1 ? 0 : 1)} ms`;
  if (a === 0) return '0 s';
  return `${fixed(v * 1e6, 0)} \u00b5s`;
}

// A short time in milliseconds; from a second up, seconds(v) ("67.04 s", not "67036 ms").
export function ms(v) {
  if (!finite(v)) return DASH;
  if (Math.abs(v) >= 1) return seconds(v);
  const x = v * 1e3;
  return `${fixed(x, x >= 100 ? 0 : x >= 10 ? 1 : 2)} ms`;
}

// What nothing measured shows ("n/a" per output token when no token is generated).
export const NA = 'n/a';

export function grouped(v, digits = 0) {
  if (!finite(v)) return DASH;
  const s = fixed(v, digits);
  const [i, f] = s.split('.');
  const g = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return f ? `${g}.${f}` : g;
}

// GPU-hours and other plain quantities: grouped, one decimal below 100.
export function amount(v) {
  if (!finite(v)) return DASH;
  return grouped(v, Math.abs(v) >= 100 ? 0 : 1);
}

export function rate(v, what = 'tokens/s') {
  if (!finite(v)) return DASH;
  return `${grouped(v, v >= 100 ? 0 : 1)} ${what}`;
}

export function percent(v, digits = 1) {
  if (!finite(v)) return DASH;
  const x = v * 100;
  return `${grouped(x, Math.abs(x) >= 1000 ? 0 : digits)}%`;
}

export function params(v) {
  if (!finite(v)) return DASH;
  if (v >= 1e12) return `${fixed(v / 1e12, 2)} T`;
  if (v >= 1e9) return `${fixed(v / 1e9, 2)} B`;
  if (v >= 1e6) return `${fixed(v / 1e6, 1)} M`;
  return grouped(v);
}

export function tokens(v) {
  if (!finite(v)) return DASH;
  return grouped(v);
}

export function money(v) {
  if (!finite(v)) return DASH;
  return `$${grouped(v, v >= 100 ? 0 : 2)}`;
}

// Short axis tick text for big token/batch counts: 4096 -> 4K, 131072 -> 128K.
export function compactCount(v) {
  if (!finite(v)) return '';
  if (v >= 1048576 && v % 1048576 === 0) return `${v / 1048576}M`;
  if (v >= 1024 && v % 1024 === 0) return `${v / 1024}K`;
  if (v >= 1e6) return `${fixed(v / 1e6, 1)}M`;
  if (v >= 1e4) return `${fixed(v / 1e3, 0)}K`;
  return String(Math.round(v * 100) / 100);
}
