// How close to the empty page a link's answer could come if computing it cost nothing (issue 18;
// docs/performance.md, stop 24). A link's script can only render into the document once it is
// parsed (its data blocks end it), so the bound is: the document parsed, then one frame with an
// answer already there. Per round, in fresh browser profiles from file://: the empty page's
// first paint (the floor), the page as built with a shared link (its answer on screen, Element
// Timing, and its own marks) and the free-answer variant of the same page with the same link
// (scripts/experiments/head_variant.mjs: at DOMContentLoaded the prerendered answer is shown and
// no script runs), the order swapped every round; and the page as built without a link (the
// default: its prerendered answer painted as the document is parsed) for comparison.
//   node scripts/experiments/head_variant.mjs free-answer web/dist/llmcalc.html /tmp/free.html
//   node scripts/experiments/link_bound.mjs RUNS web/dist/llmcalc.html /tmp/free.html
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, waitReady, percentile, emptyPageFirstPaint, answerOnScreen, COLD, settle } from '../../tests/browser/lib.mjs';

const [runs, built, free] = process.argv.slice(2);
if (!(Number(runs) > 0) || !built || !free) throw new Error('usage: node scripts/experiments/link_bound.mjs RUNS BUILT.html FREE.html');
const hash = COLD.shared_link;

async function open(file, live, suffix = hash) {
  const br = await launch();
  try {
    const page = await br.context.newPage();
    await page.goto(pathToFileURL(resolve(file)).href + suffix);
    if (live) await waitReady(page);
    const screen = await page.evaluate(answerOnScreen);
    const dcl = await page.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventStart);
    const marks = live ? await page.evaluate(() => ({ ...window.__llmcalc.timings.startup })) : {};
    return { screen, dcl, ...marks };
  } finally {
    await br.close();
    await settle();
  }
}

const rows = { built: [], free: [], dcl: [], core: [], frame: [], default: [] };
for (let i = 0; i < Number(runs); i++) {
  const floor = await emptyPageFirstPaint();
  for (const which of i % 2 ? ['default', 'free', 'built'] : ['built', 'free', 'default']) {
    const r = await open(which === 'free' ? free : built, which !== 'free', which === 'default' ? '' : hash);
    rows[which].push(r.screen / floor);
    if (which === 'built') {
      rows.dcl.push(r.dcl / floor);
      rows.core.push((r.first_result - r.script) / floor); // script, module, link, first estimate and render
      rows.frame.push((r.screen - r.first_result) / floor); // the answer's frame until it is presented
    }
    console.log(`run ${i + 1} floor ${floor.toFixed(0)} ms ${which}: on screen ${r.screen.toFixed(0)} ms (${(r.screen / floor).toFixed(2)}x), parsed ${r.dcl.toFixed(0)} ms` +
      (which === 'built' ? `, script ${r.script.toFixed(0)}, first result ${r.first_result.toFixed(0)}, frame done ${r.first_paint.toFixed(0)}` : ''));
  }
}
const p = (v) => `${percentile(v, 50).toFixed(2)}x`;
console.log(`\np50 of per-round ratios to the empty page's first paint (${runs} rounds), shared link:`);
console.log(`  as built, answer on screen       ${p(rows.built)}`);
console.log(`    document parsed (DOMContentLoaded) ${p(rows.dcl)}; script to first result ${p(rows.core)}; first result to on screen ${p(rows.frame)}`);
console.log(`  answer at no cost, on screen     ${p(rows.free)}`);
console.log(`  the default (no link), on screen ${p(rows.default)}`);
