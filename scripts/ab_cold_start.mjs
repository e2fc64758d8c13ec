// A/B cold starts of two builds of the single page (issue 18), alternating in one process so
// both see the same minutes of this shared machine: each round opens the empty page (the
// floor, its first paint) and then, for each scenario of the timing test, A and B (the order
// swapped every round), each in a fresh browser profile from file://. Reports per build and
// scenario the p50 of the per-round ratios to the floor: first result on screen (Element
// Timing on the verdict) and interactive (the page's `ready` mark).
//   node scripts/ab_cold_start.mjs A.html B.html [--runs 5] [--only shared_link,embed]
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, waitReady, percentile, ROOT } from '../tests/browser/lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const runs = Number(opt('--runs', '5'));
const only = opt('--only', '');
const [a, b] = args;
if (!a || !b) throw new Error('usage: node scripts/ab_cold_start.mjs A.html B.html [--runs N] [--only names]');
const builds = { A: pathToFileURL(resolve(a)).href, B: pathToFileURL(resolve(b)).href };
// The scenarios of tests/browser/offline.test.mjs (COLD).
const HF = readFileSync(join(ROOT, 'tests/data/hf_configs/gpt-oss-20b.json'), 'utf8');
let COLD = {
  default: '',
  shared_link: '#model=llama-3.1-8b&b=8&p=2048&g=512',
  pasted_config_link: `#hf=${Buffer.from(JSON.stringify(JSON.parse(HF))).toString('base64url')}&b=2`,
  embed: '?embed=1',
};
if (only) COLD = Object.fromEntries(only.split(',').map((k) => [k, COLD[k]]));

const empty = join(mkdtempSync(join(tmpdir(), 'llmcalc-ab-')), 'empty.html');
writeFileSync(empty, '<!doctype html><html lang="en"><meta charset="utf-8"><title>Empty</title><p>Empty page.</p></html>\n');
async function floorOnce() {
  const br = await launch();
  try {
    const page = await br.context.newPage();
    await page.goto(pathToFileURL(empty).href);
    return await page.evaluate(() => new Promise((res) => {
      new PerformanceObserver((l) => { const e = l.getEntries().find((x) => x.name === 'first-paint'); if (e) res(e.startTime); })
        .observe({ type: 'paint', buffered: true });
    }));
  } finally {
    await br.close();
  }
}
async function pageOnce(url) {
  const br = await launch();
  try {
    const page = await br.context.newPage();
    await page.goto(url);
    await waitReady(page);
    return await page.evaluate(() => new Promise((res) => {
      new PerformanceObserver((l) => {
        const e = l.getEntries().find((x) => x.identifier === 'answer');
        if (e) res({ screen: e.renderTime, ready: window.__llmcalc.timings.startup.ready });
      }).observe({ type: 'element', buffered: true });
    }));
  } finally {
    await br.close();
  }
}

const rows = {};
for (let i = 0; i < runs; i++) {
  const floor = await floorOnce();
  for (const [name, suffix] of Object.entries(COLD)) {
    for (const which of i % 2 ? ['B', 'A'] : ['A', 'B']) {
      const r = await pageOnce(builds[which] + suffix);
      const row = (rows[`${name} ${which}`] ??= { screen: [], ready: [] });
      row.screen.push(r.screen / floor);
      row.ready.push(r.ready / floor);
      console.log(`run ${i + 1} floor ${floor.toFixed(0)} ms ${name} ${which}: on screen ${r.screen.toFixed(0)} ms (${(r.screen / floor).toFixed(2)}x), interactive ${r.ready.toFixed(0)} ms (${(r.ready / floor).toFixed(2)}x)`);
    }
  }
}
console.log(`\np50 of per-run ratios to the empty page's first paint (${runs} runs):`);
for (const [k, v] of Object.entries(rows))
  console.log(`  ${k.padEnd(22)} on screen ${percentile(v.screen, 50).toFixed(2)}x  interactive ${percentile(v.ready, 50).toFixed(2)}x`);
