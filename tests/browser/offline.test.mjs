// The single-file build (web/dist/llmcalc.html): works from file:// with every network
// request blocked and makes none; survives being saved from the browser; its CSP is strict;
// it fits the size budgets. Plus screenshots (desktop and 360 px, light and dark) and a
// timing report (printed, not a gate).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, watch, waitReady, settled, ROOT, SINGLE, SINGLE_URL, SCREENSHOTS, ensureDir, percentile, emptyPageFirstPaint, answerOnScreen, COLD, settle } from './lib.mjs';

let browser;
const tmp = mkdtempSync(join(tmpdir(), 'llmcalc-offline-'));
const report = {};

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (Object.keys(report).length) {
    ensureDir(SCREENSHOTS);
    writeFileSync(join(SCREENSHOTS, 'timing.json'), JSON.stringify(report, null, 2) + '\n');
  }
});

// Blocks everything but file: URLs and counts what was attempted.
async function offlinePage(context) {
  const blocked = [];
  const requests = [];
  await context.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { page, blocked, requests };
}

test('single file from file:// with the network blocked: shows a result, makes zero requests', async () => {
  const { page, blocked, requests } = await offlinePage(browser.context);
  const problems = watch(page);
  await page.goto(SINGLE_URL);
  await waitReady(page);
  assert.match(await page.locator('#fit-headline').innerText(), /GiB of .* GiB per GPU/);
  // Exercise the page (inputs, charts, solvers, exports) and count again.
  const before = await page.evaluate(() => window.__llmcalc.updates);
  await page.fill('#f-batch', '16');
  await settled(page, before);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.png[data-chart=context]')]);
  assert.ok(await download.path());
  assert.deepEqual(blocked, [], 'no request had to be blocked');
  const network = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:'));
  console.log(`# single file: ${requests.length} request(s) in all (${requests.map((u) => u.slice(0, 40)).join(', ')}); network requests: ${network.length}`);
  assert.equal(network.length, 0);
  assert.deepEqual(requests.filter((u) => u.startsWith('file:')), [SINGLE_URL], 'only the page itself is loaded');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
  assert.deepEqual(problems, []);
  await page.close();
  await browser.context.unrouteAll();
});

test('a copy saved from the browser (serialized DOM) still works offline', async () => {
  const page = await browser.context.newPage();
  await page.goto(SINGLE_URL + '#b=6&mode=training');
  await waitReady(page);
  const headline = await page.locator('#fit-headline').innerText();
  // What "Save page as, complete" writes: the current DOM, with the result already in it.
  const html = await page.evaluate(() => `<!DOCTYPE html>\n${document.documentElement.outerHTML}`);
  const saved = join(tmp, 'saved llmcalc.html');
  writeFileSync(saved, html);
  await page.close();
  const { page: p2, blocked } = await offlinePage(browser.context);
  const problems = watch(p2);
  await p2.goto(pathToFileURL(saved).href + '#b=6&mode=training');
  await waitReady(p2);
  assert.equal(await p2.locator('#fit-headline').innerText(), headline);
  assert.equal(await p2.locator('#mem-rows tr:not(.formula)').count(), await p2.evaluate(() => window.__llmcalc.last.report.memory.items.length));
  assert.equal(await p2.locator('#chart-context canvas').count(), 1, 'one chart, not a stale copy plus a new one');
  // The saved DOM carries the style attributes the script had set (bar widths, chart sizes);
  // the CSP blocks them as inline attributes (style-src-attr) and the script sets them again
  // through the CSSOM, which the CSP allows. Nothing else may be refused.
  assert.deepEqual((await p2.evaluate(() => window.__csp)).filter((v) => !v.startsWith('style-src-attr inline')), []);
  assert.deepEqual(blocked, []);
  assert.deepEqual(problems.filter((p) => !/Applying inline style violates/.test(p)), []);
  await p2.close();
  await browser.context.unrouteAll();
});

test('content security policy is strict and the size budgets hold', () => {
  const html = readFileSync(SINGLE, 'utf8');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  const dir = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(dir['default-src'], ["'none'"]);
  assert.deepEqual(dir['connect-src'], ["'none'"]);
  assert.deepEqual(dir['base-uri'], ["'none'"]);
  assert.deepEqual(dir['form-action'], ["'none'"]);
  assert.deepEqual(dir['img-src'], ['data:']);
  assert.ok(dir['script-src'].includes("'wasm-unsafe-eval'"));
  assert.ok(!csp.includes("'unsafe-inline'"), 'inline code is allowed by hash only');
  assert.ok(!dir['script-src'].includes("'unsafe-eval'"),
    "script-src must not need 'unsafe-eval' (the WASM module must be linked with -sDYNAMIC_EXECUTION=0)");
  // Three inline scripts run: <head>'s (marks a link that carries a scenario, so the prerendered
  // default answer stays hidden), the page's and its deferred block (web/src/deferred.js).
  assert.equal(dir['script-src'].filter((s) => s.startsWith("'sha256-")).length, 3);
  assert.equal(dir['style-src'].filter((s) => s.startsWith("'sha256-")).length, 1);
  // One script runs as parsed (<head>'s, allowed by its hash); the page's script travels in a
  // data block that <head>'s script runs, its deferred part in another that the page's script
  // runs after the first answer (each allowed by its hash); the .wasm's data block holds
  // base64 text only. No browser executes a data block (its type is not JavaScript).
  assert.equal((html.match(/<script\b/g) || []).length, 4);
  assert.equal((html.match(/<script type="text\/plain" id="app-src">/g) || []).length, 1);
  assert.equal((html.match(/<script type="text\/plain" id="app-deferred-src">/g) || []).length, 1);
  assert.match(html, /<script type="application\/octet-stream" id="wasm-gzip">[A-Za-z0-9+/=]+<\/script>/);
  assert.doesNotMatch(html, /\bsrc="(https?:)?\/\//, 'no remote resources');

  const raw = Buffer.byteLength(html);
  const gz = gzipSync(html, { level: 9 }).length;
  report.size = { raw_bytes: raw, gzip_bytes: gz };
  console.log(`# single file: ${raw} B raw (${(raw / 1024).toFixed(1)} KiB; budget 1 MB), ${gz} B gzip (${(gz / 1024).toFixed(1)} KiB; budget 300 KB)`);
  assert.ok(raw <= 1024 * 1024, `raw size ${raw} B over 1 MiB`);
  assert.ok(gz <= 300 * 1024, `gzip size ${gz} B over 300 KiB`);
});

// A full-page screenshot shows the page as a screen that tall would. Result cards below the
// first screen are laid out and painted only near the viewport (content-visibility: auto), so
// the viewport grows to the whole page first, until its height settles.
async function fullPageShot(page, path, width) {
  let h = 0;
  for (let i = 0; i < 5; i++) {
    const now = await page.evaluate(() => document.documentElement.scrollHeight);
    if (now === h) break;
    h = now;
    await page.setViewportSize({ width, height: h });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  await page.screenshot({ path, fullPage: true });
}

test('screenshots: desktop and 360 px, light and dark', async () => {
  const dir = ensureDir(SCREENSHOTS);
  for (const scheme of ['light', 'dark']) {
    for (const [name, width, height] of [['desktop', 1280, 900], ['mobile-360', 360, 740]]) {
      const page = await browser.context.newPage();
      const problems = watch(page);
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(SINGLE_URL);
      await waitReady(page);
      // Nothing may overflow sideways at 360 px.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} ${scheme}: ${overflow}px horizontal overflow`);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg === 'rgb(15, 18, 22)', scheme === 'dark', `${scheme} background ${bg}`);
      await fullPageShot(page, join(dir, `${name}-${scheme}.png`), width);
      if (name === 'desktop' && scheme === 'light') {
        await page.setViewportSize({ width: 720, height: 900 });
        await page.goto(SINGLE_URL + '?embed=1#mode=training&method=seed');
        await waitReady(page);
        await fullPageShot(page, join(dir, 'embed-light.png'), 720);
      }
      assert.deepEqual(problems, []);
      await page.close();
    }
  }
  console.log(`# screenshots in ${dir}`);
});

test('timing report (not a gate): open to first result, input change to updated numbers and charts', async () => {
  // Cold: a fresh browser profile per run (no code cache), the single file from file://.
  // Each run opens the trivial page and every scenario in turn, so the machine's slow minutes
  // fall on all of them alike; every figure is also given as a ratio to that run's floor.
  const RUNS = 3; // 5 took 85 s of CI's 20 minutes; the ratios are medians of 3 runs
  const floor = [];
  const cold = Object.fromEntries(Object.keys(COLD).map((k) => [k, { first: [], painted: [], ready: [], startups: [] }]));
  for (let i = 0; i < RUNS; i++) {
    floor.push(await emptyPageFirstPaint());
    for (const [name, hash] of Object.entries(COLD)) {
      const b = await launch();
      const page = await b.context.newPage();
      await page.goto(SINGLE_URL + hash);
      await waitReady(page);
      const answer = await page.evaluate(answerOnScreen);
      const { s, shown } = await page.evaluate((answer) => ({
        s: {
          ...window.__llmcalc.timings.startup,
          dom_interactive: +performance.getEntriesByType('navigation')[0].domInteractive.toFixed(1),
          answer_on_screen: answer,
        },
        shown: {
          url_errors: document.getElementById('url-errors-list').children.length,
          hf: window.__llmcalc.state.hf !== null,
          model: window.__llmcalc.state.model,
        },
      }), answer);
      // The scenario is the one asked for, not a fallback to the defaults.
      assert.equal(shown.url_errors, 0, `${name}: the link has errors`);
      assert.equal(shown.hf, name === 'pasted_config_link', `${name}: hf`);
      if (name === 'shared_link') assert.equal(shown.model, 'llama-3.1-8b');
      const c = cold[name];
      c.first.push(s.first_result);
      c.painted.push(s.answer_on_screen);
      c.ready.push(s.ready);
      c.startups.push(s);
      await b.close();
      await settle(); // the next cold run starts on an idle machine (lib.mjs)
    }
  }
  const first = cold.default.first;
  const painted = cold.default.painted;
  const startups = cold.default.startups;
  // Ratios per run (each to the same run's floor), then the median.
  const ratio = (a) => +percentile(a.map((v, i) => v / floor[i]), 50).toFixed(2);
  report.empty_page_first_paint_ms = { runs: floor.map((v) => +v.toFixed(1)), p50: +percentile(floor, 50).toFixed(1) };
  report.cold_start = Object.fromEntries(Object.entries(cold).map(([name, c]) => [name, {
    first_result_on_screen_ms: +percentile(c.painted, 50).toFixed(1),
    first_result_on_screen_x_empty: ratio(c.painted),
    interactive_ms: +percentile(c.ready, 50).toFixed(1),
    interactive_x_empty: ratio(c.ready),
    targets_x_empty: { first_result_on_screen: name === 'pasted_config_link' ? 3.0 : 2.0, interactive: 3.0 },
  }]));
  const page = await browser.context.newPage();
  await page.goto(SINGLE_URL);
  await waitReady(page);
  // Updates: 20 new values each of batch, prompt and generated tokens (each moves other
  // charts), timed in the page. Per update: `sync`, the input handler and the microtasks after it, when every
  // number is in the page and every chart is drawn on its canvas; `frame`, the browser's work
  // for the next frame (style, layout, paint, commit), from its animation-frame callback to the
  // task after it; `full`, until the solver answers are in too.
  // Inputs come 50 ms apart, as a fast typist's keystrokes at the quickest: the browser has
  // finished the previous update (its solvers, and the layout, paint and rasterization it does
  // on other threads) before the next. A second pass sends them back to back (one frame
  // apart), where each update also competes with the previous one's work on the two cores.
  const measure = (gapMs) => page.evaluate(async (gapMs) => {
    const yieldTask = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = r; c.port2.postMessage(0); });
    const sync = [];
    const frame = [];
    const full = [];
    for (const id of ['f-batch', 'f-prompt', 'f-gen']) {
      const input = document.getElementById(id);
      const base = Number(input.value);
      for (let i = 1; i <= 20; i++) {
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        const n = window.__llmcalc.updates;
        // Registered before the input, so this callback runs ahead of any the page adds and its
        // message arrives right after the frame, ahead of the page's own later tasks.
        const painted = new Promise((r) => requestAnimationFrame(() => {
          const t = performance.now();
          const c = new MessageChannel();
          c.port1.onmessage = () => r(performance.now() - t);
          c.port2.postMessage(0);
        }));
        const t0 = performance.now();
        input.value = String(base + i); // a new value each time: no memoized answer
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await Promise.resolve(); // uPlot commits its redraw in a microtask
        sync.push(performance.now() - t0);
        frame.push(await painted);
        while (window.__llmcalc.updates === n || window.__llmcalc.pending) await yieldTask();
        full.push(performance.now() - t0);
      }
    }
    return { sync, frame, full };
  }, gapMs);
  const upd = await measure(50);
  const burst = await measure(0);
  const stats = (a) => ({ p50: +percentile(a, 50).toFixed(2), p95: +percentile(a, 95).toFixed(2), max: +Math.max(...a).toFixed(2) });
  report.first_result_ms = { runs: first.map((v) => +v.toFixed(1)), ...stats(first), budget: 500 };
  report.first_result_on_screen_ms = { runs: painted.map((v) => +v.toFixed(1)), ...stats(painted), budget: 500 };
  // Milliseconds since navigation start at each step of a cold start (median over the runs):
  // HTML parsed, script running, WebAssembly ready, numbers shown, charts drawn, ready.
  report.startup_ms = Object.fromEntries(Object.keys(startups[0]).map((k) => [k, +percentile(startups.map((s) => s[k]), 50).toFixed(1)]));
  report.update_numbers_and_charts_ms = { ...stats(upd.sync), budget_p95: 16 };
  // Input to the frame that shows it, without the wait for the display's next frame (up to
  // 16.7 ms at 60 Hz, which no page can shorten): the browser's rendering on top of the above.
  const onScreen = upd.sync.map((v, i) => v + upd.frame[i]);
  report.update_frame_rendering_ms = stats(upd.frame);
  report.update_on_screen_ms = stats(onScreen);
  report.update_including_solvers_ms = stats(upd.full);
  report.back_to_back = {
    update_numbers_and_charts_ms: stats(burst.sync),
    update_on_screen_ms: stats(burst.sync.map((v, i) => v + burst.frame[i])),
  };
  console.log('# timing (Chromium headless, this machine):');
  console.log(`#   open single file -> first result in the page: ${first.map((v) => v.toFixed(0)).join(', ')} ms (p50 ${report.first_result_ms.p50}, max ${report.first_result_ms.max}; budget 500 ms)`);
  console.log(`#   open single file -> first result on screen (the verdict painted, Element Timing): ${painted.map((v) => v.toFixed(0)).join(', ')} ms (p50 ${report.first_result_on_screen_ms.p50}, max ${report.first_result_on_screen_ms.max})`);
  console.log(`#   cold start, median ms since navigation: ${Object.entries(report.startup_ms).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`#   empty page first paint (the floor): ${floor.map((v) => v.toFixed(0)).join(', ')} ms (p50 ${report.empty_page_first_paint_ms.p50})`);
  for (const [name, c] of Object.entries(report.cold_start))
    console.log(`#   ${name}: first result on screen p50 ${c.first_result_on_screen_ms} ms = ${c.first_result_on_screen_x_empty}x the floor (target ${c.targets_x_empty.first_result_on_screen}x); interactive p50 ${c.interactive_ms} ms = ${c.interactive_x_empty}x (target 3x)`);
  console.log(`#   input change (inputs 50 ms apart) -> numbers and charts updated: p50 ${report.update_numbers_and_charts_ms.p50} ms, p95 ${report.update_numbers_and_charts_ms.p95} ms, max ${report.update_numbers_and_charts_ms.max} ms (budget p95 16 ms)`);
  console.log(`#   browser rendering of the next frame (style, layout, paint): p50 ${report.update_frame_rendering_ms.p50} ms, p95 ${report.update_frame_rendering_ms.p95} ms`);
  console.log(`#   input change -> on screen (both, without waiting for the display's frame): p50 ${report.update_on_screen_ms.p50} ms, p95 ${report.update_on_screen_ms.p95} ms`);
  console.log(`#   input change -> everything incl. solver answers: p50 ${report.update_including_solvers_ms.p50} ms, p95 ${report.update_including_solvers_ms.p95} ms`);
  const bb = report.back_to_back;
  console.log(`#   inputs back to back (one frame apart): numbers and charts p50 ${bb.update_numbers_and_charts_ms.p50} ms, p95 ${bb.update_numbers_and_charts_ms.p95} ms; on screen p50 ${bb.update_on_screen_ms.p50} ms, p95 ${bb.update_on_screen_ms.p95} ms`);
  await page.close();
});
