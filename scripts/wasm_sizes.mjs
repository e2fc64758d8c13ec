// Where a .wasm's bytes are: its sections, its data segments, and its code by function,
// grouped by the owner a demangled name shows (nlohmann/json, libc++, embind, the core's
// namespaces...). Names come from the "name" section: link with --profiling-funcs (the page's
// module keeps none), e.g. by re-running its link command with that flag added.
//   node scripts/wasm_sizes.mjs MODULE.wasm [--top N]
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';

const [file, ...rest] = process.argv.slice(2);
const top = Number(rest[rest.indexOf('--top') + 1] || 40);
const b = readFileSync(file);
let p = 8;
const u32 = () => { let r = 0, s = 0, c; do { c = b[p++]; r += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80); return r; };
const sections = [];
let importedFuncs = 0, bodies = [], names = new Map(), dataSegs = [];
while (p < b.length) {
  const id = b[p++], size = u32(), start = p, end = p + size;
  let name = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'][id];
  if (id === 0) {
    const n = u32(); name = `custom "${b.toString('utf8', p, p + n)}"`; p += n;
    if (name === 'custom "name"') {
      while (p < end) {
        const sub = b[p++], len = u32(), subEnd = p + len;
        if (sub === 1) for (let k = u32(); k > 0; --k) { const idx = u32(), l = u32(); names.set(idx, b.toString('utf8', p, p + l)); p += l; }
        p = subEnd;
      }
    }
  } else if (id === 2) {
    for (let k = u32(); k > 0; --k) {
      const skip = () => { const n = u32(); p += n; }; skip(); skip(); const kind = b[p++];
      if (kind === 0) { u32(); importedFuncs++; } else if (kind === 1) { p++; const f = b[p++]; u32(); if (f & 1) u32(); }
      else if (kind === 2) { const f = b[p++]; u32(); if (f & 1) u32(); } else if (kind === 3) { p += 2; }
    }
  } else if (id === 10) {
    for (let k = u32(), i = 0; i < k; ++i) { const sz = u32(); bodies.push({ index: importedFuncs + i, size: sz, bytes: b.subarray(p, p + sz) }); p += sz; }
  } else if (id === 11) {
    for (let k = u32(); k > 0; --k) {
      const flag = u32(); if (flag === 2) u32();
      if (flag !== 1) { const op = b[p++]; if (op === 0x41 || op === 0x23) u32(); else throw new Error(`offset opcode ${op}`); p++; }  // i32.const N / global.get N, end
      const sz = u32(); dataSegs.push(b.subarray(p, p + sz)); p += sz;
    }
  }
  sections.push({ name, size: end - start });
  p = end;
}
const gz = (x) => gzipSync(x, { level: 9 }).length;
console.log("imported functions", importedFuncs, "bodies", bodies.length, "names", names.size);
const fmt = (n) => n.toLocaleString('en-US');
console.log(`${file}: ${fmt(b.length)} B, gzip -9 ${fmt(gz(b))} B`);
for (const s of sections) console.log(`  section ${s.name.padEnd(24)} ${fmt(s.size).padStart(9)} B`);
const data = Buffer.concat(dataSegs);
console.log(`  data segments: ${dataSegs.length}, ${fmt(data.length)} B (gzip -9 alone ${fmt(gz(data))} B)`);
// Demangle all names in one c++filt run.
const fnNames = bodies.map((f) => names.get(f.index) || `f${f.index}`);
const dem = spawnSync('c++filt', [], { input: fnNames.join('\n') }).stdout.toString().split('\n');
const owner = (n) => {
  if (/nlohmann/.test(n)) return 'nlohmann::json';
  if (/^emscripten::|embind|_embind_|EmscriptenBindingInitializer/.test(n)) return 'embind';
  const m = /^(?:[^(<]*?\s)?(llmcalc::(?:[a-z_]+::)?)/.exec(n);
  if (m) return m[1].replace(/::$/, '');
  if (/^(std::|void std::|bool std::|.*\bstd::__2::)/.test(n)) return 'libc++ (std::)';
  if (/^(emmalloc|dlmalloc|malloc|free|realloc|sbrk|memcpy|memset|memmove|strlen|__)/.test(n)) return 'libc/runtime';
  return 'other';
};
const groups = new Map();
const rows = bodies.map((f, i) => ({ ...f, name: dem[i] || fnNames[i] }));
for (const r of rows) {
  const g = owner(r.name);
  const e = groups.get(g) || { size: 0, n: 0, parts: [] };
  e.size += r.size; e.n++; e.parts.push(r.bytes); groups.set(g, e);
}
console.log('code by owner (function bodies; gzip -9 of that group\'s bodies alone):');
for (const [g, e] of [...groups].sort((x, y) => y[1].size - x[1].size))
  console.log(`  ${g.padEnd(28)} ${fmt(e.size).padStart(9)} B  ${String(e.n).padStart(5)} functions  gzip ${fmt(gz(Buffer.concat(e.parts))).padStart(8)} B`);
console.log(`largest ${top} functions:`);
for (const r of rows.sort((x, y) => y.size - x.size).slice(0, top))
  console.log(`  ${fmt(r.size).padStart(7)} B  ${r.name.slice(0, 150)}`);
