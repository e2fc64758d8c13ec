// Where a cold start's time goes (issue 18): opens the single page (web/dist/llmcalc.html)
// from file:// in a fresh Chromium profile with CDP tracing on, and sums the renderer main
// thread's top-level tasks by what they were (HTML parsing, script compile and run,
// WebAssembly compile, style, layout, paint...) up to the frame that shows the first numbers.
//   node scripts/trace_cold_start.mjs [--runs N] [--hash '#model=...'] [--out trace.json]
//                                     [--compare OTHER.html]
// Prints, per run and as medians: the page's own marks (ms since navigation) and the table.
// --compare: runs OTHER.html (say, the previous build's single page) alternately with this
// build's, so both see the same minutes of this shared machine, and prints both tables.
// Each run also opens an empty page (the floor, its first paint) and reports answer_on_screen
// (when the verdict was first painted visible: Element Timing on #fit-headline, whose
// elementtiming attribute an older page may lack; then the page's first_paint mark stands in)
// and both as ratios to that run's floor.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { launch, waitReady, SINGLE_URL, percentile, emptyPageFirstPaint, answerOnScreen, settle } from '../tests/browser/lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('--runs', '3'));
const hash = opt('--hash', '');
const out = opt('--out', '');
const compare = opt('--compare', '');
const pages = { this: SINGLE_URL, ...(compare ? { other: pathToFileURL(resolve(compare)).href } : {}) };

// The trace events named here are the ones a cold start spends its time in; the rest are
// summed as "other". Nested events are counted in their innermost named ancestor only.
const CATEGORIES = ['devtools.timeline', 'v8', 'v8.execute', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'blink', 'loading', 'disabled-by-default-devtools.timeline',
  'disabled-by-default-v8.compile', 'blink.user_timing'].join(',');

async function traceOnce(url) {
  const b = await launch();
  try {
    const page = await b.context.newPage();
    const cdp = await b.context.newCDPSession(page);
    const events = [];
    cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
    const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
    await page.goto(url + hash);
    await waitReady(page);
    // An anchor between the page's clock (performance.now(), ms since navigation) and the
    // trace's (us): a user-timing mark, which the trace records with its own timestamp.
    const { marks, anchorMs } = await page.evaluate(() => {
      performance.mark('llmcalc:trace-anchor');
      return { marks: { ...window.__llmcalc.timings.startup }, anchorMs: performance.now() };
    });
    // An older page may lack the verdict's elementtiming: its first_paint mark stands in.
    marks.answer_on_screen = await page.evaluate(answerOnScreen).catch(() => marks.first_paint);
    await cdp.send('Tracing.end');
    await done;
    return { events, marks, anchorMs };
  } finally {
    await b.close();
    await settle();
  }
}

function summarize(events, marks, anchorMs) {
  // The renderer's main thread: the one that parsed the page.
  const parse = events.filter((e) => e.name === 'HTMLDocumentParser::AttemptToEnd').pop();
  const anchor = events.find((e) => e.name === 'llmcalc:trace-anchor');
  if (!parse || !anchor) throw new Error('trace: no parser or anchor event');
  const main = events.filter((e) => e.pid === parse.pid && e.tid === parse.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const t0 = anchor.ts - anchorMs * 1000;
  const end = t0 + marks.first_paint * 1000;
  const self = new Map();
  // Self time per event name, up to the first-numbers frame: a stack walk over nested events.
  const stack = [];
  const add = (name, us) => self.set(name, (self.get(name) || 0) + us);
  for (const e of main) {
    if (e.ts >= end) break;
    if (e.ts + e.dur <= t0) continue;
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    const dur = Math.min(e.dur, end - e.ts);
    if (parent) parent.child += dur;
    e.child = 0;
    e.clipped = dur;
    stack.push(e);
  }
  for (const e of main) if (e.clipped !== undefined) add(e.name, Math.max(0, e.clipped - e.child));
  // WebAssembly work on the renderer's other threads (streaming and background compile, tier-up).
  const bg = events.filter((e) => e.pid === parse.pid && e.tid !== parse.tid && e.ph === 'X' && /wasm/i.test(e.name) && e.ts < end)
    .reduce((a, e) => a + Math.min(e.dur || 0, end - e.ts), 0);
  // Points on the page's clock: the document parsed, the first paint.
  marks.parsed = +((parse.ts + (parse.dur || 0) - t0) / 1000).toFixed(1);
  const fp = events.find((e) => e.name === 'firstPaint' && e.pid === parse.pid);
  if (fp) marks.trace_first_paint = +((fp.ts - t0) / 1000).toFixed(1);
  return { rows: [...self.entries()].map(([name, us]) => [name, us / 1000]).sort((a, b) => b[1] - a[1]), bg: bg / 1000 };
}

// The table of docs/performance.md: main-thread self time grouped by what it was (the first
// group whose pattern matches the event's name), and the WebAssembly time off the main thread.
const GROUPS = [
  ['document bytes in, text decode', /NavigationBodyLoader|TextResourceDecoder|BodyLoadingFinished|FinishedLoading|CommitNavigation|StartLoadingResponse/],
  ['HTML parse', /ParseHTML|HTMLDocumentParser|FinishedParsing/],
  ['CSS parse', /ParseStyleSheet|processStyleSheet/],
  ['style', /Style\.UpdateTime|UpdateLayoutTree|RecalcStyle|updateStyle/],
  ['layout', /[Ll]ayout|InlineNode|Shape/],
  ['paint, composite', /Paint|Layerize|Commit|Compositing|PrePaint/],
  ['JS parse and compile', /V8\.(Compile|Parse|PreParse|CollectSourcePositions)/],
  ['WebAssembly lazy compile (main thread)', /^wasm\.(Compile|Publish|AddCompiled)|FlushInstructionCache/],
  ['WebAssembly instantiate', /Instantiate|newInstance|InstanceBuilder/],
  ['GC', /GC/],
  ['JS run (script, microtasks, timers)', /v8\.|FunctionCall|RunMicrotasks|EvaluateScript|TimerFire|AsyncTask|ExecuteScript|EventDispatch/],
];
function grouped(rows) {
  const g = new Map([...GROUPS.map(([n]) => [n, 0]), ['other', 0]]);
  for (const [name, ms] of rows) {
    const hit = GROUPS.find(([, re]) => re.test(name));
    g.set(hit ? hit[0] : 'other', g.get(hit ? hit[0] : 'other') + ms);
  }
  return g;
}

const results = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  const floor = await emptyPageFirstPaint();
  console.log(`run ${i + 1} empty page first paint ${floor.toFixed(1)}`);
  for (const [name, url] of Object.entries(pages)) {
    const { events, marks, anchorMs } = await traceOnce(url);
    marks.answer_x_floor = +(marks.answer_on_screen / floor).toFixed(2);
    marks.ready_x_floor = +(marks.ready / floor).toFixed(2);
    if (out && i === 0 && name === 'this') writeFileSync(out, JSON.stringify({ traceEvents: events }));
    const { rows, bg } = summarize(events, marks, anchorMs);
    results[name].push({ marks, rows: Object.fromEntries(rows), groups: Object.fromEntries([...grouped(rows), ['WebAssembly off the main thread', bg]]) });
    console.log(`run ${i + 1} ${name}: ${Object.entries(marks).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
}
for (const [name, all] of Object.entries(results)) {
  const names = [...new Set(all.flatMap((r) => Object.keys(r.rows)))];
  const med = names.map((n) => [n, percentile(all.map((r) => r.rows[n] || 0), 50)]).sort((a, b) => b[1] - a[1]);
  console.log(`\n${name} (${pages[name]}): main-thread self time up to the first-numbers frame, median of ${runs} cold runs (ms):`);
  for (const [n, ms] of med.slice(0, 16)) console.log(`  ${ms.toFixed(1).padStart(8)}  ${n}`);
  console.log('grouped, median (ms):');
  for (const g of Object.keys(all[0].groups)) console.log(`  ${percentile(all.map((r) => r.groups[g]), 50).toFixed(1).padStart(8)}  ${g}`);
  const markNames = Object.keys(all[0].marks);
  console.log(`page marks, median (ms since navigation): ${markNames.map((k) => `${k} ${percentile(all.map((r) => r.marks[k]), 50)}`).join(', ')}`);
}
