// The page module's preset data (wasm/embed_page_data.mjs): the same data as the files apart
// from citations and notes, with every number kept as written (the core parses the text, so
// 1e13 and 10000000000000.0 could read back as different JSON types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageJson, OMITTED } from '../../wasm/embed_page_data.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dirs = ['core/data/models', 'core/data/gpus', 'core/data/engines', 'core/data'];
const files = dirs.flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.json')).map((f) => join(root, d, f)));
// Number tokens outside strings, in order.
const parsed0 = (text) => JSON.parse(text);
// The text without its top-level "facts" object (strings skipped, braces balanced).
function withoutFacts(text) {
  const at = text.indexOf('"facts"');
  if (at < 0) return text;
  let i = text.indexOf('{', at), depth = 0;
  for (; i < text.length; ++i) {
    if (text[i] === '"') { for (++i; text[i] !== '"'; ++i) if (text[i] === '\\') ++i; continue; }
    if (text[i] === '{') ++depth;
    else if (text[i] === '}' && --depth === 0) break;
  }
  return text.slice(0, at) + text.slice(i + 1);
}
const numbers = (text) => text.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g) || [];

test('every preset file: numbers kept as written, citations replaced, notes and whitespace gone', () => {
  assert.ok(files.length > 100, `found ${files.length} data files`);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const out = pageJson(text);
    const inFile = JSON.parse(text);
    // An engine's facts (read by no code) go; every other number keeps its text.
    assert.equal(numbers(out).join(' '), numbers(withoutFacts(text)).join(' '), `${f}: the numbers' text`);
    assert.equal(parsed0(out).facts, undefined, `${f}: facts`);
    assert.doesNotMatch(out.replace(/"(?:[^"\\]|\\.)*"/g, '""'), /\s/, `${f}: whitespace outside strings`);
    assert.ok(!/"notes":"/.test(out), `${f}: notes`);
    const parsed = JSON.parse(out);
    assert.equal(parsed.id, inFile.id);
    if (inFile.memory_source) assert.equal(parsed.memory_source, OMITTED);
    // An engine's basis stays: the report's engine block shows it.
    if (inFile.basis) assert.equal(parsed.basis, inFile.basis);
    if (typeof inFile.source === 'string') assert.equal(parsed.source, OMITTED);
    assert.equal(parsed.semantics, undefined, `${f}: semantics`);
  }
});

test('strings other than citations keep their exact text; numbers keep their spelling', () => {
  const text = '{ "id": "x",  "name": "A  b\\"c", "n": 1.50e+13, "m": [ 1 , 2.0 ],\n "a_source": "cite",\n "notes": "for people",\n "o": { "basis": "why", "k": -0.0, "source": "s" }, "semantics": {"t": "prose"} }';
  assert.equal(pageJson(text),
    `{"id":"x","name":"A  b\\"c","n":1.50e+13,"m":[1,2.0],"a_source":${JSON.stringify(OMITTED)},"o":{"basis":"why","k":-0.0,"source":${JSON.stringify(OMITTED)}}}`);
});

test('text that is not one JSON value is refused', () => {
  assert.throws(() => pageJson('{"id": "x"} {}'), /after the JSON value/);
  assert.throws(() => pageJson('{"id": "x",}'), /unexpected/);
  assert.throws(() => pageJson('{"id" "x"}'), /expected ':'/);
});
