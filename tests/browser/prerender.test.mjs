// The prerendered answer (issue 18, web/build.mjs and web/src/prerender.js): the single page
// carries the default scenario's answer as markup, so its first paint shows it before any
// script runs. It must be exactly what the live core renders, and a link carrying another
// scenario must never show it: the first frame with numbers shows the link's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, waitReady, watch, SINGLE_URL } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// What the first screen shows of the answer: the answer card and the memory table.
// innerText (what is rendered: no hidden formula rows). The result cards are
// content-visibility: auto, and an off-screen card's text is not rendered: render it first.
const shown = (page) => page.evaluate(() => ['answer', 'mem-sub', 'mem-table'].map((id) => {
  const e = document.getElementById(id);
  e.closest('.card')?.style.setProperty('content-visibility', 'visible');
  return e.innerText;
}));

test('the prerendered answer is what the live core computes for the default scenario', async () => {
  // Without JavaScript: only the markup the page came with.
  const still = await launch({ javaScriptEnabled: false });
  let prerendered;
  try {
    const page = await still.context.newPage();
    await page.goto(SINGLE_URL);
    prerendered = await shown(page);
    assert.match(prerendered[0], /22\.3 GiB of 79\.6 GiB per GPU/, 'the prerendered verdict');
    assert.match(prerendered[2], /Weights\s+12\.6 GiB/, 'the prerendered memory table');
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('fit-headline')).visibility), 'visible');
  } finally {
    await still.close();
  }
  const page = await browser.context.newPage();
  const problems = watch(page);
  await page.goto(SINGLE_URL);
  await waitReady(page);
  assert.deepEqual(await shown(page), prerendered, 'the live render differs from the prerendered one');
  // The prerendered bar's widths (CSS rules) are the live ones (inline styles).
  const widths = await page.evaluate(() => [...document.querySelectorAll('#membar > span')].map((s) => s.style.width));
  const still2 = await launch({ javaScriptEnabled: false });
  try {
    const p2 = await still2.context.newPage();
    await p2.goto(SINGLE_URL);
    const px = await p2.evaluate(() => [...document.querySelectorAll('#membar > span')].map((s) => s.getBoundingClientRect().width));
    const live = await page.evaluate(() => [...document.querySelectorAll('#membar > span')].map((s) => s.getBoundingClientRect().width));
    assert.equal(px.length, widths.length);
    px.forEach((w, i) => assert.ok(Math.abs(w - live[i]) < 0.5, `bar segment ${i}: ${w} px prerendered, ${live[i]} px live`));
  } finally {
    await still2.close();
  }
  assert.deepEqual(problems, []);
  await page.close();
});

// Every frame's verdict as painted: a requestAnimationFrame callback runs in each frame just
// before its style, layout and paint, so what it reads is what that frame shows.
async function framesOf(url) {
  const b = await launch();
  try {
    const page = await b.context.newPage();
    const problems = watch(page);
    await page.addInitScript(() => {
      window.__frames = [];
      const tick = () => {
        const e = document.getElementById('fit-headline');
        if (e) window.__frames.push({ t: performance.now(), visible: getComputedStyle(e).visibility === 'visible', text: e.textContent });
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.goto(url);
    await waitReady(page);
    const r = await page.evaluate(() => ({ frames: window.__frames, final: document.getElementById('fit-headline').textContent,
      coreReady: window.__llmcalc.timings.startup.core_ready, linkClass: document.documentElement.classList.contains('link') }));
    assert.deepEqual(problems, []);
    return r;
  } finally {
    await b.close();
  }
}

test('a link carrying a scenario never shows the default numbers; without one they show before the core is ready', async () => {
  const base = await framesOf(SINGLE_URL);
  const defaultText = base.final;
  const firstShown = base.frames.find((f) => f.visible && f.text);
  assert.ok(firstShown, 'no frame showed the default answer');
  assert.equal(firstShown.text, defaultText);
  console.log(`# default: the answer first painted at ${firstShown.t.toFixed(0)} ms; the core ready at ${base.coreReady} ms`);
  for (const link of ['#model=llama-3.1-8b&b=8&p=2048&g=512', '?b=8', '?embed=1#b=6', '#unit=GB']) {
    const r = await framesOf(SINGLE_URL + link);
    assert.notEqual(r.final, defaultText, `${link}: the link's answer is the default's`);
    const painted = r.frames.filter((f) => f.visible && f.text);
    assert.ok(painted.length > 0, `${link}: no frame showed an answer`);
    assert.deepEqual([...new Set(painted.map((f) => f.text))], [r.final], `${link}: a frame showed another answer`);
    assert.equal(r.linkClass, false, `${link}: the prerendered elements are still marked hidden`);
  }
  // Page options and in-page anchors carry no scenario: the prerendered answer shows at once.
  for (const link of ['?embed=1', '?theme=dark', '#results']) {
    const r = await framesOf(SINGLE_URL + link);
    assert.equal(r.final, defaultText, link);
    assert.equal(r.frames.find((f) => f.visible && f.text)?.text, defaultText, link);
  }
});
