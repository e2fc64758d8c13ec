// The preset data for the calculator page's module (llmcalc_core_page): the same files and the
// same C++ shape as cmake/EmbedData.cmake (core/src/data/embedded_data.hpp), but
//   - all whitespace outside strings is dropped (EmbedData keeps the space after ':' and ',');
//   - the citations are left out: every "source" and "*_source" string becomes
//     OMITTED. The core never puts them in a report; only the catalog listings (models_json,
//     gpus_json, engines_json) show them, and the page's module does not export those
//     (wasm/page_exports.cpp). They stay non-empty strings, so the catalog's
//     checks (a constant needs its "_source", catalog/engines.cpp) read the data unchanged.
//   - a model preset's architecture members that equal the reader's own defaults go
//     (ARCHITECTURE_DEFAULTS below);
//   - "notes" go, as in EmbedData, and the GGUF table's "semantics" (prose the core never reads),
//     and a preset's "released" / "released_source" (only the listings show them).
//     Measured with the schema help texts out (single page, gzip -9): OMITTED as "-" instead of
//     a 45-character sentence, 300.3 -> 300.0 KiB; "source" and "semantics" were not measured alone.
// Numbers and every other string keep their exact source text, so the core reads the same
// values: the page's estimates are the other builds' byte for byte (tests/browser/page.test.mjs
// compares the page with the CLI).
// Usage: node wasm/embed_page_data.mjs OUT.cpp SYMBOL DIR
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// As short as a non-empty string can be: it stands in hundreds of times (see the size note above).
export const OMITTED = '-';

// A JSON value re-written from its text: returns [text, end]. Strings and numbers are copied
// as written; objects pass each member through `member(key, valueText, rawValue)`.
function value(s, i, member, depth = 0) {
  const ws = () => { while (i < s.length && ' \t\n\r'.includes(s[i])) ++i; };
  ws();
  const c = s[i];
  if (c === '{' || c === '[') {
    const close = c === '{' ? '}' : ']';
    const parts = [];
    ++i;
    ws();
    if (s[i] === close) return [c + close, i + 1];
    for (;;) {
      ws();
      if (c === '{') {
        const [key, afterKey] = value(s, i, member, depth + 1);
        i = afterKey;
        ws();
        if (s[i] !== ':') throw new Error(`expected ':' at ${i}`);
        const [v, afterValue] = value(s, i + 1, member, depth + 1);
        i = afterValue;
        const kept = member(JSON.parse(key), v, depth);
        if (kept !== null) parts.push(`${key}:${kept}`);
      } else {
        const [v, after] = value(s, i, member, depth + 1);
        i = after;
        parts.push(v);
      }
      ws();
      if (s[i] === ',') { ++i; continue; }
      if (s[i] === close) return [c + parts.join(',') + close, i + 1];
      throw new Error(`expected ',' or '${close}' at ${i}`);
    }
  }
  if (c === '"') {
    let j = i + 1;
    while (s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
    return [s.slice(i, j + 1), j + 1];
  }
  const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(s.slice(i, i + 64));
  if (!m) throw new Error(`unexpected '${c}' at ${i}`);
  return [m[0], i + m[0].length];
}

// A citation: the value of a "source" or "*_source" key, when a string. An engine's "basis" stays:
// the report's engine block shows it (which versions the numbers describe).
const isCitation = (key, v) => (key === 'source' || key.endsWith('_source')) && typeof v === 'string';
// Prose for the people who maintain the data, which the core never reads: "notes" (as in
// EmbedData) and the GGUF table's "semantics" (how its rules read, core/data/gguf_types.json),
// its not_quantized "note" and each type's "layout" (the struct's sum; gguf_types.cpp reads both
// with a default and drops them; single page 307,955 -> 307,823 B, zlib -9, stop 20).
// A preset's release date and its source too: only the catalog listing shows them (the page's
// model list has them from web/build.mjs), and the catalog reads a preset without them.
const isProse = (key, v) => ((key === 'notes' || key === 'note' || key === 'layout') && typeof v === 'string') ||
  key === 'semantics' || key === 'released' || key === 'released_source';
// An engine profile's "facts": cited facts the core does not read (catalog/engines.cpp only
// checks their citations and lists them in engines_json, which the page's module does not
// export); the reader takes a profile without them.
const isUnreadFacts = (key, depth) => key === 'facts' && depth === 0;

// A model preset's architecture members equal to the reader's own defaults
// (core/src/model/architecture_json.cpp, read_architecture: each read with this fallback and
// nothing else depending on its presence): the page's data leaves them out (single page 307,319
// -> 307,240 B, zlib -9; leaving out num_kv_heads and head_dim where they equal their derived
// fallbacks gained nothing more). tests/node/page_module.test.mjs and scripts/compare_page_modules.mjs check that
// every preset answers byte for byte as in the Node build.
const ARCHITECTURE_DEFAULTS = { mlp: '"gated"', norm: '"rmsnorm"', norms_per_layer: '2', final_norm: 'true',
  qk_norm: 'false', attention_bias: 'false', attention_out_bias: 'false', mlp_bias: 'false', position: '"rope"',
  tie_word_embeddings: 'false', global_attention_every: '0' };
const isDefault = (key, text) => Object.hasOwn(ARCHITECTURE_DEFAULTS, key) && ARCHITECTURE_DEFAULTS[key] === text;

export function pageJson(text, presetDefaults = false) {
  const member = (key, v, depth) => {
    if (isProse(key, v.startsWith('"') ? '' : null) || isUnreadFacts(key, depth)) return null;
    if (presetDefaults && depth === 1 && isDefault(key, v)) return null;
    return isCitation(key, JSON.parse(v.startsWith('"') ? v : '0')) ? JSON.stringify(OMITTED) : v;
  };
  const [out, end] = value(text, 0, member);
  if (text.slice(end).trim() !== '') throw new Error(`text after the JSON value at ${end}`);
  // The rewrite must be the same data apart from the citations and notes.
  const strip = (o, depth = 0) => Array.isArray(o) ? o.map((x) => strip(x, depth + 1))
    : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([k, v]) => !isProse(k, v) &&
      !isUnreadFacts(k, depth) &&
      !(presetDefaults && depth === 1 && isDefault(k, JSON.stringify(v))))
      .map(([k, v]) => [k, isCitation(k, v) ? OMITTED : strip(v, depth + 1)]))
    : o;
  if (JSON.stringify(strip(JSON.parse(text))) !== JSON.stringify(JSON.parse(out)))
    throw new Error('the rewritten JSON differs from the file');
  return out;
}

if (process.argv[1] && process.argv[1].endsWith('embed_page_data.mjs')) {
  const [outCpp, symbol, dir] = process.argv.slice(2);
  // Sorted by code unit, as CMake's list(SORT) orders the paths.
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const body = files.map((f) => {
    const json = pageJson(readFileSync(join(dir, f), 'utf8'), /[/\\]models[/\\]?$/.test(dir));
    const id = JSON.parse(json).id;
    if (json.includes(')llmcalc_json"')) throw new Error(`${f}: contains the raw string's delimiter`);
    return `  {"${id}", R"llmcalc_json(${json})llmcalc_json"},\n`;
  }).join('');
  const text = `// Generated by wasm/embed_page_data.mjs from ${dir}; do not edit.\n` +
    '#include "data/embedded_data.hpp"\nnamespace llmcalc::data {\n' +
    `const Entry ${symbol}[] = {\n${body}};\nconst std::size_t ${symbol}Count = ${files.length};\n` +
    '}  // namespace llmcalc::data\n';
  if (!existsSync(outCpp) || readFileSync(outCpp, 'utf8') !== text) writeFileSync(outCpp, text);
}
