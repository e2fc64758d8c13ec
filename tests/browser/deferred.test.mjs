// The page's deferred block (issue 18, web/src/deferred.js and web/build.mjs): uPlot, the
// charts, the GPU table, the solvers and the plan panel are evaluated only after the first
// answer is on screen, and then draw their panels for it. charts.js sets the user-timing mark
// llmcalc:charts-evaluated when it is evaluated: imported statically into the first bundle it
// would be set as the script starts, before any answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, waitReady, watch, SINGLE_URL, serve } from './lib.mjs';

const LINK = '#model=llama-3.1-8b&b=8&p=2048&g=512';

// Every frame as painted (a requestAnimationFrame callback runs just before the frame's style,
// layout and paint): the verdict's text and visibility, and whether the charts were evaluated.
async function framesOf(context, url, wait = 0) {
  const page = await context.newPage();
  const problems = watch(page);
  await page.addInitScript(() => {
    window.__frames = [];
    const tick = () => {
      const e = document.getElementById('fit-headline');
      const form = document.getElementById('form');
      let q;
      if (e) window.__frames.push({ visible: getComputedStyle(e).visibility === 'visible', text: e.textContent,
        charts: performance.getEntriesByName('llmcalc:charts-evaluated').length > 0,
        script: !!window.__llmcalcModules, form: form ? getComputedStyle(form).display : null,
        fields: (q = document.querySelector('#form-details > fieldset')) ? getComputedStyle(q).display : null });
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.goto(url);
  await waitReady(page);
  if (wait) await page.waitForTimeout(wait);
  const r = await page.evaluate(() => ({
    frames: window.__frames,
    final: document.getElementById('fit-headline').textContent,
    startup: window.__llmcalc.timings.startup,
    chartsMark: performance.getEntriesByName('llmcalc:charts-evaluated')[0]?.startTime,
    charts: Object.keys(window.__llmcalc.charts).sort(),
    solvers: document.getElementById('solve-list').children.length,
    plan: document.getElementById('plan-run') !== null,
  }));
  await page.close();
  assert.deepEqual(problems, []);
  return r;
}

function check(r, what) {
  const first = r.frames.findIndex((f) => f.visible && f.text === r.final);
  assert.ok(first >= 0, `${what}: no frame showed the link's answer`);
  assert.equal(r.frames[first].charts, false, `${what}: the charts were evaluated before the frame that first showed the answer`);
  assert.ok(r.chartsMark > r.startup.first_paint, `${what}: charts evaluated at ${r.chartsMark} ms, the first answer's frame done at ${r.startup.first_paint} ms`);
  // Then the deferred panels are drawn for the answer on screen.
  assert.deepEqual(r.charts, ['batch', 'context', 'gpus', 'knee'], what);
  assert.ok(r.solvers > 0, `${what}: no solver answers`);
  assert.ok(r.plan, `${what}: the plan panel was not set up`);
  assert.ok(r.startup.ready <= r.startup.deferred, `${what}: the inputs were live only after the deferred block`);
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a link's first answer is on screen before the deferred block (charts, solvers) is evaluated", async () => {
  const r = await framesOf(browser.context, SINGLE_URL + LINK);
  check(r, 'single file');
  console.log(`# ${LINK}: first result at ${r.startup.first_result} ms, its frame done at ${r.startup.first_paint}, charts evaluated at ${r.chartsMark.toFixed(1)}`);
});

test('the served build loads the deferred block from its own file, and nothing else', async () => {
  const server = await serve();
  try {
    const r = await framesOf(browser.context, `${server.url}${LINK}`);
    check(r, 'served');
    assert.deepEqual([...new Set(server.hits)].sort(), ['/', '/app-deferred.js', '/app.css', '/app.js']);
  } finally {
    await server.close();
  }
});

// The answer-only embed: laid out by the <head> script and CSS before the page's script runs
// (the form hidden from the first frame), and it never needs the deferred block.
function checkEmbed(r, what) {
  // A frame painted while the document is still being parsed can hold the verdict but not yet the
  // form (it comes later in the document): null there means "not in the DOM yet", not "shown".
  const forms = r.frames.filter((f) => f.form !== null).map((f) => f.form);
  assert.ok(forms.length > 0, `${what}: no frame had the form in the DOM`);
  assert.deepEqual([...new Set(forms)], ['none'], `${what}: the form showed in some frame`);
  assert.equal(r.chartsMark, undefined, `${what}: the charts were evaluated`);
  assert.deepEqual(r.charts, [], what);
  assert.ok(r.startup.ready > 0 && r.startup.deferred === undefined, what);
}

test('the answer-only embed hides the form in every frame and never loads the deferred block', async () => {
  checkEmbed(await framesOf(browser.context, `${SINGLE_URL}?embed=answer#b=8`, 500), 'single file');
});

// Whether the single file paints a frame before its script runs depends on when the parser
// yields (one CI run under load painted none). The served build's script is a file of its own:
// held back 800 ms by the test server, the browser paints the parsed document first, every time,
// so the frames before any page script are certain to be seen and checked.
// The default's form is its summary line until the script has read the URL (the <head>
// script's `prestart`, web/build.mjs): its controls are not styled and laid out before the
// prerendered answer's first paint, and take no input before they work.
test("the default page's form fields show only once the script runs (its script held back)", async () => {
  const server = await serve(undefined, { delays: { '/app.js': 800 } });
  try {
    const r = await framesOf(browser.context, server.url, 300);
    const beforeScript = r.frames.filter((f) => !f.script && f.fields !== null);
    assert.ok(beforeScript.length > 0, 'no frame with the form in the DOM before the script ran');
    assert.ok(beforeScript.every((f) => f.fields === 'none' && f.visible && f.text === r.final),
      `before the script: ${JSON.stringify(beforeScript.slice(0, 3))}`);
    const last = r.frames[r.frames.length - 1];
    assert.ok(last.script && last.fields !== 'none', `after the script: ${JSON.stringify(last)}`);
  } finally {
    await server.close();
  }
});

test('the answer-only embed is laid out before any script runs (its script held back)', async () => {
  const server = await serve(undefined, { delays: { '/app.js': 800 } });
  try {
    const r = await framesOf(browser.context, `${server.url}?embed=answer#b=8`, 500);
    const beforeScript = r.frames.filter((f) => !f.script && f.form !== null);
    assert.ok(beforeScript.length > 0, 'no frame with the form in the DOM before the script ran');
    checkEmbed(r, 'served, script held back');
    assert.ok(!server.hits.includes('/app-deferred.js'), 'the deferred block was loaded');
  } finally {
    await server.close();
  }
});
