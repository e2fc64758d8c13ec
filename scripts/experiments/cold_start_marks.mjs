// The page's start-up marks (window.__llmcalc.timings.startup, ms since navigation start) and
// the answer on screen (Element Timing), per cold run, for one or more copies of the single page
// opened alternately in fresh browser profiles from file:// (tests/browser/lib.mjs). A variant's
// own marks (window.__exp, scripts/experiments/head_variant.mjs) are printed too.
//   node scripts/experiments/cold_start_marks.mjs RUNS A.html [B.html ...]   (SCENARIO=shared_link: a key of COLD)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, waitReady, COLD, settle, answerOnScreen } from '../../tests/browser/lib.mjs';

const [runs, ...pages] = process.argv.slice(2);
const scenario = process.env.SCENARIO || 'shared_link';
if (!(Number(runs) > 0) || pages.length === 0 || !(scenario in COLD))
  throw new Error('usage: node scripts/experiments/cold_start_marks.mjs RUNS A.html [B.html ...] (SCENARIO: a key of COLD)');
for (let i = 0; i < Number(runs); i++) {
  for (const file of pages) {
    const br = await launch();
    try {
      const page = await br.context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text().slice(0, 160)); });
      await page.goto(pathToFileURL(resolve(file)).href + COLD[scenario]);
      await waitReady(page);
      const marks = await page.evaluate(() => ({ ...window.__llmcalc.timings.startup, ...(window.__exp || {}) }));
      const screen = await page.evaluate(answerOnScreen);
      const line = Object.entries(marks).map(([k, v]) => `${k} ${Math.round(v)}`).join(' ');
      console.log(`${file.split('/').pop()} ${scenario}: ${line} | on screen ${Math.round(screen)}${errors.length ? ` | errors: ${errors.join(' / ')}` : ''}`);
    } finally {
      await br.close();
      await settle();
    }
  }
}
