// Issue 18, stop 23: does the default's first paint wait for the page's data blocks (the
// base64 WebAssembly and the two script texts, ~490 KB after the prerendered answer)? Opens the
// single page as built and a copy cut just before its first data block (the prerendered answer,
// styles and form only: it never runs), alternating in fresh Chromium profiles from file://,
// and reports the p50 of each one's Element Timing of the verdict over the same round's empty
// page first paint (the timing test's floor and measure, tests/browser/lib.mjs).
//   node scripts/experiments/first_paint_prefix.mjs [web/dist/llmcalc.html] [--runs 8]
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, emptyPageFirstPaint, answerOnScreen, settle, percentile, SINGLE } from '../../tests/browser/lib.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const runs = at >= 0 ? Number(args.splice(at, 2)[1]) : 8;
const page = resolve(args[0] ?? SINGLE);
const text = readFileSync(page, 'utf8');
const cut = text.indexOf('<script type="application/octet-stream"');
if (cut < 0) throw new Error(`${page}: no data block`);
const prefix = join(mkdtempSync(join(tmpdir(), 'llmcalc-prefix-')), 'prefix.html');
writeFileSync(prefix, text.slice(0, cut) + '</body></html>');
const builds = { 'as built': page, 'cut before the data blocks': prefix };
const rows = {};
for (let i = 0; i < runs; i++) {
  const floor = await emptyPageFirstPaint();
  const names = Object.keys(builds);
  for (const name of i % 2 ? names.reverse() : names) {
    const br = await launch();
    try {
      const p = await br.context.newPage();
      await p.goto(pathToFileURL(builds[name]).href);
      const t = await p.evaluate(answerOnScreen);
      (rows[name] ??= []).push(t / floor);
      console.log(`run ${i + 1} floor ${floor.toFixed(0)} ms ${name}: answer on screen ${t} ms (${(t / floor).toFixed(2)}x)`);
    } finally {
      await br.close();
      await settle();
    }
  }
}
console.log(`\np50 of per-run ratios to the empty page's first paint (${runs} runs):`);
for (const [name, v] of Object.entries(rows)) console.log(`  ${name.padEnd(28)} ${percentile(v, 50).toFixed(2)}x`);
