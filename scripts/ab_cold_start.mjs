// A/B cold starts of two builds of the single page (issue 18), alternating in one process so
// both see the same minutes of this shared machine: each round opens the empty page (the
// floor, its first paint) and then, for each scenario of the timing test, A and B (the order
// swapped every round), each in a fresh browser profile from file://. Reports per build and
// scenario the p50 of the per-round ratios to the floor: first result on screen (Element
// Timing on the verdict) and interactive (the page's `ready` mark). The browser, the floor and
// the on-screen measure are the timing test's own (tests/browser/lib.mjs), and so is the pause
// after each cold run (LLMCALC_SETTLE_MS).
//   node scripts/ab_cold_start.mjs A.html B.html [--runs 5] [--only shared_link,embed]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, waitReady, percentile, emptyPageFirstPaint, answerOnScreen, COLD, settle } from '../tests/browser/lib.mjs';

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
const scenarios = only ? Object.fromEntries(only.split(',').map((k) => [k, COLD[k]])) : COLD;

async function pageOnce(url) {
  const br = await launch();
  try {
    const page = await br.context.newPage();
    await page.goto(url);
    await waitReady(page);
    const screen = await page.evaluate(answerOnScreen);
    return { screen, ready: await page.evaluate(() => window.__llmcalc.timings.startup.ready) };
  } finally {
    await br.close();
    await settle(); // LLMCALC_SETTLE_MS, 1000 by default (tests/browser/lib.mjs)
  }
}

const rows = {};
for (let i = 0; i < runs; i++) {
  const floor = await emptyPageFirstPaint();
  for (const [name, suffix] of Object.entries(scenarios)) {
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
