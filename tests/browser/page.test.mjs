// The calculator page in Chromium, served over http from web/dist: defaults and seed numbers,
// agreement with the native CLI, live updates, HF config import, URL round trip, hostile
// links, embed mode and exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pageSession, watch, waitReady, settled, updates, change, text, visibleText, CLI } from './lib.mjs';

const session = pageSession();
const { open } = session;
const tmp = mkdtempSync(join(tmpdir(), 'llmcalc-web-test-'));

function cli(args, scenario) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run scripts/test_native.sh (or cmake --build --preset native) first`);
  const extra = [];
  if (scenario) {
    const f = join(tmp, `scenario-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify(scenario));
    extra.push('--scenario', f);
  }
  return execFileSync(CLI, [...args, ...extra], { encoding: 'utf8' });
}

// Deep equality with a relative tolerance on numbers: the page's numbers come from the same
// C++ code compiled to WebAssembly, so they agree to the last few bits at worst.
function assertClose(actual, expected, path = '') {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: ${actual} is not a number`);
    const tol = 1e-9 * Math.max(1, Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= tol, `${path}: page ${actual} != CLI ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((v, i) => assertClose(actual[i], v, `${path}/${i}`));
  } else if (expected && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const k of Object.keys(expected)) assertClose(actual[k], expected[k], `${path}/${k}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

const gib1 = (b) => `${(b / 2 ** 30).toFixed(1)} GiB`;

function assertNoBadWords(body) {
  for (const w of ['NaN', 'Infinity', 'undefined', '[object Object]', 'null'])
    assert.ok(!new RegExp(`\\b${w.replace(/[[\]]/g, '\\$&')}`).test(body), `the page shows "${w}"`);
}

test('default page: the seed example, detailed numbers equal the CLI, then the seed method gives 20.6 / 128.4 GiB', async () => {
  const { page, problems } = await open();
  assert.equal(await page.locator('input[name=method][value=detailed]').isChecked(), true);
  assert.equal(await page.inputValue('#f-batch'), '4');
  assert.equal(Number(await page.inputValue('#f-prompt')) + Number(await page.inputValue('#f-gen')), 4096);
  assert.equal(await page.inputValue('#f-model'), 'llama-2-7b');

  // Detailed: the page's report equals `llmcalc estimate --json` for the same scenario,
  // written here independently of the page's own scenario builder.
  const expected = JSON.parse(cli(['estimate', '--json'], { model: 'llama-2-7b', workload: { batch: 4, prompt: 3840, generate: 256 } }));
  const report = await page.evaluate(() => window.__llmcalc.last.report);
  assertClose(report, expected, 'report');
  // ... and what is shown is that report.
  assert.match(await text(page, '#fit-headline'), new RegExp(gib1(expected.memory.total_bytes).replace('.', '\\.')));
  assert.equal(await text(page, '#mem-total'), gib1(expected.memory.total_bytes));
  assert.match(await text(page, '#fit-badge'), /Fits/);
  const rows = await page.locator('#mem-rows tr:not(.formula)').count();
  assert.equal(rows, expected.memory.items.length);
  assertNoBadWords(await visibleText(page));

  // Seed method: seed 000's numbers.
  await change(page, 'input[name=method][value=rules-of-thumb]');
  assert.equal(await text(page, '#mem-total'), '20.6 GiB');
  assert.match(await text(page, '#fit-headline'), /20\.6 GiB/);
  const kv = await page.evaluate(() => window.__llmcalc.last.report.memory.items.find((i) => i.id === 'kv_cache').bytes);
  assert.equal(kv, 8 * 2 ** 30);
  await change(page, 'input[name=mode][value=training]');
  assert.equal(await page.inputValue('#f-seq'), '4096');
  assert.equal(await text(page, '#mem-total'), '128.4 GiB');
  assert.match(await text(page, '#fit-badge'), /Does not fit/);
  assert.match(await text(page, '#fit-headline'), /128\.4 GiB/);
  const seedTraining = JSON.parse(cli(['estimate', '--json'], { model: 'llama-2-7b', mode: 'training', method: 'seed', workload: { batch: 4, seq: 4096 } }));
  assertClose(await page.evaluate(() => window.__llmcalc.last.report.memory), seedTraining.memory, 'seed training memory');
  assertNoBadWords(await visibleText(page));
  assert.deepEqual(problems, []);
  await page.close();
});

test('every input change updates numbers and charts in place', async () => {
  const { page, problems } = await open();
  const snap = () => page.evaluate(() => {
    const c = window.__llmcalc.charts;
    return {
      headline: document.getElementById('fit-headline').textContent,
      total: window.__llmcalc.last.report.memory.total_bytes,
      ttft: document.getElementById('speed-cards').textContent,
      context: JSON.stringify(c.context.u.data),
      batch: JSON.stringify(c.batch.u.data),
      knee: JSON.stringify(c.knee.u.data),
      gpus: JSON.stringify(c.gpus.u.data),
      solve: document.getElementById('solve-list').textContent,
      // Each chart's scales hold every value it draws, and its "now" marker stands at the
      // current input (to the pixel), or is hidden when that lies outside the x range.
      drawn: Object.entries(c).map(([k, ch]) => {
        const u = ch.u;
        const bad = [];
        u.series.forEach((s, i) => {
          if (i === 0 || !s.show) return;
          const sc = u.scales[s.scale];
          for (const y of u.data[i]) if (y != null && (y > sc.max + 1e-9 || y < sc.min - 1e-9)) bad.push(`${k}: series ${i} value ${y} outside [${sc.min}, ${sc.max}]`);
        });
        const now = ch.figure.querySelector('.chart-marker.now');
        if (now) {
          const st = window.__llmcalc.state;
          const x = k === 'context' ? (st.mode === 'inference' ? st.prompt + st.gen : st.seq) : st.batch;
          const inside = x >= u.scales.x.min && x <= u.scales.x.max;
          if (now.hidden === inside) bad.push(`${k}: marker hidden=${now.hidden} for x=${x}`);
          else if (inside && Math.abs(parseFloat(now.style.left) - u.valToPos(x, 'x')) > 1) bad.push(`${k}: marker at ${now.style.left}, x=${x} is at ${u.valToPos(x, 'x')}`);
        }
        return bad;
      }).flat(),
    };
  });
  const drawnOk = (s, when) => assert.deepEqual(s.drawn, [], `charts drawn correctly ${when}`);
  await page.evaluate(() => {
    window.__plots = Object.fromEntries(Object.entries(window.__llmcalc.charts).map(([k, c]) => [k, c.u]));
  });
  const s0 = await snap();
  for (const k of ['context', 'batch', 'knee', 'gpus']) assert.ok(JSON.parse(s0[k])[0].length > 3, `chart ${k} has data`);
  drawnOk(s0, 'at start');

  await change(page, '#f-batch', 8);
  const s1 = await snap();
  assert.ok(s1.total > s0.total, 'batch 8 needs more memory');
  assert.notEqual(s1.headline, s0.headline);
  assert.notEqual(s1.ttft, s0.ttft);
  assert.notEqual(s1.context, s0.context, 'memory-vs-context chart updated');
  assert.notEqual(s1.gpus, s0.gpus, 'GPU chart updated');
  assert.notEqual(s1.solve, s0.solve, 'solver answers updated');
  // Batch 8 is on the batch charts' grid: their data stay, only the "now" marker moves.
  assert.equal(s1.batch, s0.batch, 'memory-vs-batch data unchanged by the batch itself');
  drawnOk(s1, 'after a batch change');

  await change(page, '#f-weights', 'int4');
  const s2 = await snap();
  assert.ok(s2.total < s1.total, 'int4 weights need less memory');
  assert.notEqual(s2.batch, s1.batch, 'memory-vs-batch chart updated');
  assert.notEqual(s2.knee, s1.knee, 'knee chart updated');
  drawnOk(s2, 'after a precision change');
  await change(page, '#f-batch', 1000); // beyond the grid: the charts widen to show it
  drawnOk(await snap(), 'with a batch beyond the grid');
  await change(page, '#f-batch', 8);

  await change(page, '#f-gpu', 'rtx-4090');
  assert.match(await text(page, '#fit-detail'), /4090/);
  await change(page, '#f-tp', 2);
  assert.match(await text(page, '#gpu-count'), /^2 GPUs = TP 2 × PP 1 × DP 1/);
  assert.equal(await page.inputValue('#f-gpus'), '2');
  assert.match(await text(page, '#fit-detail'), /2\u00d7/);

  // Training inputs (optimizer, checkpointing, LoRA, ZeRO, DP).
  await change(page, 'input[name=mode][value=training]');
  await change(page, '#f-weights', 'bf16');
  await change(page, '#f-tp', 1);
  const t0 = await snap();
  await change(page, '#f-ckpt', 'full');
  const t1 = await snap();
  assert.ok(t1.total < t0.total, 'full checkpointing saves memory');
  await change(page, '#f-finetune', 'qlora');
  assert.equal(await page.inputValue('#f-weights'), 'nf4', 'QLoRA switches the base to 4-bit');
  assert.ok(await page.locator('#f-rank').isVisible());
  const t2 = await snap();
  assert.ok(t2.total < t1.total, 'QLoRA needs less memory');
  await change(page, '#f-finetune', 'full');
  await change(page, '#f-dp', 4);
  await change(page, '#f-zero', '3');
  const t3 = await snap();
  assert.ok(t3.total < t1.total, 'ZeRO-3 over 4 ranks shards the states');
  drawnOk(t3, 'in training');
  assert.match(await text(page, '#speed-cards'), /MFU/);

  // The GPU chart's table lists every preset once opened, and follows the inputs.
  await page.click('#gpu-table-details summary');
  // The <details>' toggle event (which fills the table) is queued as a task after the click.
  await page.locator('#gpu-rows tr').first().waitFor({ timeout: 5000 });
  const gpuRows = () => page.evaluate(() => [...document.querySelectorAll('#gpu-rows tr')].map((r) => r.textContent));
  const rows0 = await gpuRows();
  assert.equal(rows0.length, await page.evaluate(() => window.__llmcalc.charts.gpus.u.data[0].length));
  await change(page, '#f-dp', 2);
  assert.notDeepEqual(await gpuRows(), rows0, 'GPU table updated');

  // The charts were updated in place, never rebuilt.
  assert.equal(await page.evaluate(() => Object.entries(window.__plots).every(([k, u]) => window.__llmcalc.charts[k].u === u)), true);

  // GB toggle relabels every figure.
  await change(page, 'input[name=unit][value=GB]');
  assert.match(await text(page, '#mem-total'), / GB$/);
  assert.match(await text(page, '#fit-headline'), / GB/);
  assert.doesNotMatch(await text(page, '#fit-headline'), /GiB/);

  // An invalid field keeps the last result and says why beside the field.
  const before = await text(page, '#fit-headline');
  await page.fill('#f-batch', '0');
  await page.waitForSelector('#f-batch-err:not([hidden])');
  assert.equal(await page.getAttribute('#f-batch', 'aria-invalid'), 'true');
  assert.equal(await text(page, '#fit-headline'), before);
  await change(page, '#f-batch', 2);
  assert.equal(await page.locator('#f-batch-err').isHidden(), true);
  // An inconsistent scenario (core error) is shown beside the field it concerns.
  await change(page, 'input[name=mode][value=inference]');
  await page.fill('#f-tp', '3');
  await page.waitForSelector('#f-tp-err:not([hidden])');
  assert.match(await text(page, '#f-tp-err'), /divide/);
  assert.ok(await page.locator('#scenario-errors').isVisible());
  await change(page, '#f-tp', 1);
  assert.equal(await page.locator('#scenario-errors').isHidden(), true);
  assertNoBadWords(await visibleText(page));
  assert.deepEqual(problems, []);
  await page.close();
});

test('"show your work": a row expands to its formula, stays open across updates and follows the numbers', async () => {
  const { page, problems } = await open();
  const kv = page.locator('#mem-rows button.rowtoggle[data-row="mem-kv_cache"]');
  const kvFormula = page.locator('#formula-mem-kv_cache');
  assert.equal(await kvFormula.isHidden(), true);
  assert.equal(await kv.getAttribute('aria-expanded'), 'false');
  await kv.click();
  assert.equal(await kvFormula.isVisible(), true);
  assert.equal(await kv.getAttribute('aria-expanded'), 'true');
  const before = await kvFormula.textContent();
  // The seed's KV cache, numbers substituted: 2 x 32 heads x 128 x 32 layers x 4 x 4096 x 2 B,
  // rendered from the report's expression tree, each term's label on hover.
  assert.match(before, /^= 2 K,V \u00d7 32 kv_heads \u00d7 128 head_dim \u00d7 32 layers \u00d7 4 batch \u00d7 4,096 tokens \u00d7 2 B bf16 = 8,589,934,592 B$/);
  assert.equal(await kvFormula.locator('.term[title="kv_heads"]').textContent(), '32 kv_heads');
  await change(page, '#f-batch', 8);
  assert.equal(await kvFormula.isVisible(), true, 'stays open across an update');
  const after = await kvFormula.textContent();
  assert.notEqual(after, before);
  assert.match(after, / \u00d7 8 batch \u00d7 .* = 17,179,869,184 B$/, 'twice the batch, twice the KV cache');
  await kv.click();
  assert.equal(await kvFormula.isHidden(), true);
  // "Show all formulas" opens every row; one closed by hand stays closed through an update.
  await page.click('#expand-all');
  const rows = page.locator('#mem-rows tr.formula');
  const n = await rows.count();
  assert.ok(n >= 4);
  for (let i = 0; i < n; i++) assert.equal(await rows.nth(i).isVisible(), true);
  assert.equal(await page.locator('#speed-phases tr.formula').first().isVisible(), true, 'speed phases too');
  await kv.click();
  await change(page, '#f-batch', 4);
  assert.equal(await kvFormula.isHidden(), true);
  assert.equal(await page.locator('#formula-mem-weights').isVisible(), true);
  await page.click('#expand-all');
  assert.equal(await page.locator('#formula-mem-weights').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a pasted Hugging Face config.json is used; a malformed one is refused beside the field', async () => {
  const { page, problems } = await open();
  const config = cli(['export-hf-config', '--model', 'mixtral-8x7b']);
  const cfgFile = join(tmp, 'mixtral.json');
  writeFileSync(cfgFile, config);
  let before = await updates(page);
  await page.fill('#f-hf', config);
  await settled(page, before);
  assert.ok(await page.locator('#hf-active').isVisible());
  assert.match(await text(page, '#fit-detail'), /mixtral/i);
  const expected = JSON.parse(cli(['estimate', '--json', '--hf-config', cfgFile, '--batch', '4', '--prompt', '3840', '--gen', '256']));
  const report = await page.evaluate(() => window.__llmcalc.last.report);
  assertClose(report.memory, expected.memory, 'hf memory');
  assertClose(report.params, expected.params, 'hf params');
  assert.match(await text(page, '#key-figures'), /46\.70 B/);
  const good = await text(page, '#fit-headline');

  // Malformed JSON: an error beside the field, the previous result stays.
  await page.fill('#f-hf', '{"model_type": "llama", "hidden_size": ');
  await page.waitForSelector('#f-hf-err:not([hidden])');
  assert.match(await text(page, '#f-hf-err'), /Not valid JSON/);
  assert.equal(await page.getAttribute('#f-hf', 'aria-invalid'), 'true');
  assert.equal(await text(page, '#fit-headline'), good);
  assert.equal(await page.evaluate(() => window.__llmcalc.last.report.params.total), report.params.total);
  assert.ok(await page.locator('#stale-note').isVisible()); // the answer is marked as not updated
  // Valid JSON that is not a usable config: the core's message, same field.
  await page.fill('#f-hf', '{"model_type": "llama", "hidden_size": -5}');
  await page.waitForFunction(() => !/Not valid JSON/.test(document.getElementById('f-hf-err').textContent));
  assert.ok(await page.locator('#f-hf-err').isVisible());
  assert.equal(await text(page, '#fit-headline'), good);

  // A model_type without a reader of its own is read as a llama-like decoder, and the notes say so
  // beside the numbers (the core's report notes, as the CLI prints them).
  before = await updates(page);
  await page.fill('#f-hf', JSON.stringify({ model_type: 'brand_new_lm', hidden_size: 1024, intermediate_size: 4096,
    num_hidden_layers: 4, num_attention_heads: 16, vocab_size: 32000 }));
  await settled(page, before);
  assert.ok(await page.locator('#notes-card').isVisible());
  assert.match(await page.evaluate(() => document.getElementById('notes').textContent), /\/model: model_type "brand_new_lm" has no reader of its own: read as a llama-like decoder/);

  // Back to the presets.
  before = await updates(page);
  await page.click('#hf-clear');
  await settled(page, before);
  assert.match(await text(page, '#fit-detail'), /Llama 2 7B/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the URL holds the whole scenario: reload and a shared link reproduce it', async () => {
  const { page, problems } = await open();
  await change(page, 'input[name=mode][value=training]');
  await change(page, '#f-batch', 2);
  await change(page, '#f-seq', 8192);
  await change(page, '#f-gpu', 'a100-80gb');
  await change(page, '#f-optimizer', 'adamw-8bit');
  await change(page, '#f-ckpt', 'selective');
  await change(page, '#f-dp', 8);
  await change(page, '#f-zero', '2');
  await change(page, 'input[name=unit][value=GB]');
  const url = page.url();
  assert.match(url, /#.*mode=training/);
  assert.equal(await page.inputValue('#share-link'), url);
  const report = await page.evaluate(() => window.__llmcalc.last.report);
  const headline = await text(page, '#fit-headline');

  // A new tab from the link.
  const { page: p2, problems: pr2 } = await open(url.slice(session.server.url.length));
  assert.equal(await text(p2, '#fit-headline'), headline);
  assertClose(await p2.evaluate(() => window.__llmcalc.last.report), report, 'round trip');
  for (const [sel, v] of [['#f-batch', '2'], ['#f-seq', '8192'], ['#f-gpu', 'a100-80gb'], ['#f-optimizer', 'adamw-8bit'], ['#f-ckpt', 'selective'], ['#f-dp', '8'], ['#f-zero', '2']])
    assert.equal(await p2.inputValue(sel), v, sel);
  assert.equal(await p2.locator('input[name=unit][value=GB]').isChecked(), true);
  assert.equal(await p2.locator('#url-errors').isHidden(), true);

  // Reload.
  await p2.reload();
  await waitReady(p2);
  assert.equal(await text(p2, '#fit-headline'), headline);

  // An imported config travels in the link too.
  const config = cli(['export-hf-config', '--model', 'qwen2.5-0.5b']);
  const b = await updates(page);
  await page.fill('#f-hf', config);
  await settled(page, b);
  const hfHeadline = await text(page, '#fit-headline');
  const { page: p3 } = await open(page.url().slice(session.server.url.length));
  assert.equal(await text(p3, '#fit-headline'), hfHeadline);
  assert.ok(await p3.locator('#hf-active').isVisible());
  assert.deepEqual([...problems, ...pr2], []);
  await Promise.all([page.close(), p2.close(), p3.close()]);
});

test('hostile or invalid link parameters are rejected with a visible message, never executed', async () => {
  const evil = '<img src=x onerror=alert(1)>';
  const hash = new URLSearchParams({
    model: evil, b: '-1', p: '1e309', gpu: 'javascript:alert(1)', evil: '<script>alert(2)</script>',
    arch: 'eyJhcmNoaXRlY3R1cmUiOjF9', w: 'bf16', cname: '<b>x</b>',
  }).toString();
  const page = await session.browser.context.newPage();
  const problems = watch(page);
  await page.goto(`${session.server.url}#${hash}&__proto__=1&constructor=2`);
  await waitReady(page);
  assert.ok(await page.locator('#url-errors').isVisible());
  const msg = await text(page, '#url-errors');
  for (const k of ['model', 'b=', 'p=', 'gpu', 'evil', 'arch', '__proto__', 'constructor']) assert.ok(msg.includes(k), `message names ${k}: ${msg}`);
  assert.ok(msg.includes('<img'), 'the hostile value is shown as text');
  assert.equal(await page.locator('img, script:not(#app):not(#app-src):not(#app-deferred-src):not(#wasm-gzip):not(head script), iframe, b').count(), 0, 'nothing injected');
  assert.equal(await page.evaluate(() => ({}).polluted === undefined && Object.prototype.constructor === Object), true);
  // The defaults are computed and shown.
  assert.equal(await page.inputValue('#f-model'), 'llama-2-7b');
  assert.match(await text(page, '#fit-badge'), /Fits/);

  // A link whose values are each valid but inconsistent together falls back to the defaults.
  const p2 = await session.browser.context.newPage();
  const pr2 = watch(p2);
  await p2.goto(`${session.server.url}#tp=3`);
  await waitReady(p2);
  assert.match(await text(p2, '#url-errors'), /could not be computed/);
  assert.match(await text(p2, '#fit-badge'), /Fits/);
  assert.deepEqual([...problems, ...pr2], []);
  await Promise.all([page.close(), p2.close()]);
});

test('embed mode: compact layout, with a copy-ready iframe snippet on the full page', async () => {
  const { page } = await open('#b=8');
  const snippet = await page.inputValue('#embed-code');
  assert.match(snippet, /^<iframe id="llmcalc-embed" src="[^"]*[?&]embed=1#[^"]*b=8[^"]*" title="[^"]+"/);
  const { page: e, problems } = await open('?embed=1#b=8');
  assert.equal(await e.evaluate(() => document.body.classList.contains('embed')), true);
  assert.equal(await e.evaluate(() => document.getElementById('form-details').open), false);
  assert.equal(await e.locator('.share').isHidden(), true);
  assert.equal(await e.locator('#chart-gpus').isHidden(), true);
  assert.ok(await e.locator('#fit-headline').isVisible());
  assert.ok(await e.locator('#chart-context').isVisible());
  assert.ok(await e.locator('#open-full').isVisible());
  assert.equal(await e.inputValue('#f-batch'), '8');
  assert.doesNotMatch(await e.getAttribute('#open-full', 'href'), /embed=1/);
  // Inside a real iframe.
  const host = await session.browser.context.newPage();
  await host.setContent(snippet.replace(/src="[^"]*"/, `src="${session.server.url}?embed=1#b=8"`).replace(' loading="lazy"', ''));
  const frame = await (await host.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.__llmcalc?.ready && !window.__llmcalc.pending);
  assert.match(await frame.locator('#fit-headline').innerText(), /GiB/);
  assert.deepEqual(problems, []);
  await Promise.all([page.close(), e.close(), host.close()]);
});

test('exports: report JSON parses, CSV has rows, each chart PNG is a PNG', async () => {
  const { page, problems } = await open();
  const grab = async (selector) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    const file = join(tmp, download.suggestedFilename());
    await download.saveAs(file);
    return { name: download.suggestedFilename(), bytes: readFileSync(file) };
  };
  const json = await grab('#export-json');
  assert.match(json.name, /\.json$/);
  const body = JSON.parse(json.bytes.toString('utf8'));
  assert.equal(body.report.memory.total_bytes, await page.evaluate(() => window.__llmcalc.last.report.memory.total_bytes));
  assert.equal(body.scenario.model, 'llama-2-7b');

  const csv = await grab('#export-csv');
  const lines = csv.bytes.toString('utf8').trim().split(/\r\n/);
  assert.equal(lines[0], 'section,id,label,value,unit,formula');
  assert.ok(lines.length > 10, `${lines.length} CSV lines`);
  assert.ok(lines.some((l) => l.startsWith('memory,weights,Weights,13476831232,bytes,')));
  for (const l of lines) assert.doesNotMatch(l, /NaN|Infinity|undefined/);

  for (const chart of ['context', 'batch', 'knee', 'gpus']) {
    const png = await grab(`button.png[data-chart=${chart}]`);
    assert.match(png.name, new RegExp(`-${chart}\\.png$`));
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${chart} PNG magic`);
    assert.ok(png.bytes.length > 5000, `${chart} PNG has content (${png.bytes.length} B)`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard and labels: every control has an accessible name and is reachable', async () => {
  const { page } = await open();
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((e) => e.offsetParent !== null || e.type === 'file')
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.textContent || '').trim() && !e.closest('label'))
    .map((e) => e.id || e.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabelled, []);
  // Tab from the top reaches the model search and the batch field.
  const seen = new Set();
  await page.focus('body');
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    seen.add(await page.evaluate(() => document.activeElement.id || document.activeElement.name || document.activeElement.tagName));
  }
  assert.ok(seen.has('model-search') && seen.has('f-batch'), [...seen].join(' '));
  // Arrow keys change a number field and the result follows.
  const before = await updates(page);
  await page.focus('#f-batch');
  await page.keyboard.press('ArrowUp');
  await settled(page, before);
  assert.equal(await page.inputValue('#f-batch'), '5');
  await page.close();
});

test('engine picker: vLLM shows its KV pool, concurrency, start check and a command line', async () => {
  const { page, problems } = await open();
  assert.equal(await page.locator('#engine-card').isHidden(), true, 'generic: no engine card');
  await page.selectOption('#f-engine', 'vllm');
  await page.waitForFunction(() => window.__llmcalc.last?.report?.engine?.id === 'vllm');
  assert.equal(await page.locator('#engine-card').isVisible(), true);
  const command = await page.locator('#engine-command').textContent();
  assert.match(command, /^vllm serve \S+ .*--max-model-len \d+/);
  const report = await page.evaluate(() => window.__llmcalc.last.report);
  assert.ok(report.engine.kv_pool.bytes > 0);
  const body = await page.locator('#engine-body').textContent();
  assert.match(body, /KV cache pool per GPU/);
  assert.match(body, /KV pool = /, 'the pool formula is rendered from its expression');
  // The versions the numbers describe, from the profile's data (vLLM V1's accounting).
  assert.equal(await page.locator('#engine-basis').textContent(), `Profile basis: ${report.engine.basis}.`);
  assert.match(report.engine.basis, /V1/);
  // The profiling run and, for V1, the memory before its budget.
  const profile = await page.locator('#engine-profile').textContent();
  const [, tokens, seqs] = /^Profiling run: (\S+) tokens over (\S+) sequences/.exec(profile) || [];
  assert.equal(Number(tokens?.replace(/\D/g, '')), report.engine.profile_run.tokens, profile);
  assert.equal(Number(seqs?.replace(/\D/g, '')), report.engine.profile_run.seqs, profile);
  assert.match(profile, /before the .* budget: .* \(CUDA context, communicators\)\.$/);
  // vLLM 0.9.0 and earlier: its own profile, the context inside the budget (no such line).
  await page.selectOption('#f-engine', 'vllm-v0');
  await page.waitForFunction(() => window.__llmcalc.last?.report?.engine?.id === 'vllm-v0');
  assert.match(await page.locator('#engine-basis').textContent(), /V0 worker/);
  assert.doesNotMatch(await page.locator('#engine-profile').textContent(), /budget/);
  assert.match(page.url(), /engine=vllm/, 'the engine is in the link');
  // A small model's pool holds more sequences than vLLM's scheduler runs at once (max_num_seqs
  // 1024 on an H100): the card says both; a large one's does not need to.
  const concurrency = () => page.locator('#engine-body .speed-cards > div').nth(1).textContent();
  await page.evaluate(() => { location.hash = '#model=qwen2.5-0.5b&engine=vllm&p=512&g=128'; });
  await page.waitForFunction(() => window.__llmcalc.last?.report?.model?.id === 'qwen2.5-0.5b');
  const small = await page.evaluate(() => window.__llmcalc.last.report.engine);
  assert.ok(small.max_concurrent_sequences > small.max_num_seqs, JSON.stringify(small.max_num_seqs));
  assert.match(await concurrency(), new RegExp(`the scheduler runs at most ${small.max_num_seqs.toLocaleString('en-US')} at once`));
  await page.evaluate(() => { location.hash = '#model=llama-3.1-8b&engine=vllm&b=8&p=32000&g=512'; });
  await page.waitForFunction(() => window.__llmcalc.last?.report?.model?.id === 'llama-3.1-8b');
  assert.doesNotMatch(await concurrency(), /scheduler/);
  // SGLang: the pool formula shows the fraction SGLang derives from the GPU (no flag for it).
  await page.selectOption('#f-engine', 'sglang');
  await page.waitForFunction(() => window.__llmcalc.last?.report?.engine?.id === 'sglang');
  assert.match(await page.locator('#engine-body').textContent(), /cuda_graph_max_bs/);
  assert.doesNotMatch(await page.locator('#engine-command').textContent(), /--mem-fraction-static/);
  await page.selectOption('#f-engine', 'generic');
  await page.waitForFunction(() => !window.__llmcalc.last?.report?.engine);
  assert.equal(await page.locator('#engine-card').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('model search: words in any order, Hugging Face ids, best match first, Enter takes it, no match says so', async () => {
  const { page, problems } = await open();
  const search = page.locator('#model-search');
  for (const [query, id] of [['llama 3 70b', 'llama-3-70b'], ['meta-llama/Meta-Llama-3-70B-Instruct', 'llama-3-70b'],
    ['Qwen/Qwen2.5-7B-Instruct', 'qwen2.5-7b'], ['qwen 7b', 'qwen2.5-7b'], ['llama3 8b', 'llama-3-8b'], ['phi 4', 'phi-4']]) {
    await search.fill(query);
    assert.equal(await page.locator('#f-model option').first().getAttribute('value'), id, query);
    await search.press('Enter');
    await page.waitForFunction((want) => window.__llmcalc.state.model === want, id);
  }
  await search.fill('zzzz nothing');
  assert.match(await page.locator('#model-search-status').textContent(), /No preset matches: paste or drop its config\.json/);
  // A link's model outside the search's matches: the search is cleared so the picker shows it.
  await search.fill('qwen');
  await page.evaluate(() => { location.hash = '#model=llama-3.1-8b&b=2'; });
  await page.waitForFunction(() => window.__llmcalc.state.batch === 2);
  assert.equal(await page.inputValue('#f-model'), 'llama-3.1-8b');
  assert.equal(await search.inputValue(), '');
  assert.deepEqual(problems, []);
  await page.close();
});

test('model list: each preset shows family, size and release; a year finds that year\'s presets (issue 17)', async () => {
  const { page, problems } = await open();
  const search = page.locator('#model-search');
  await search.fill('');
  // Meta's Llama 3.1 post is dated 23 July 2024 (core/data/models/llama-3.1-8b.json).
  assert.equal(await page.locator('#f-model option[value="llama-3.1-8b"]').textContent(),
    'Llama 3.1 8B \u00b7 llama \u00b7 8.03 B \u00b7 Jul 2024');
  // MoE: total and active; a month-only date shows the month.
  assert.match(await page.locator('#f-model option[value="qwen3-30b-a3b"]').textContent(), / \u00b7 qwen3_moe \u00b7 [\d.]+ B \([\d.]+ B active\) \u00b7 Apr 2025$/);
  assert.match(await page.locator('#f-model option[value="falcon-7b"]').textContent(), /^Falcon 7B \u00b7 falcon \u00b7 [\d.]+ B \u00b7 May 2023$/);
  // Grouped by family in the collator's order, by size within a family (the page takes the order
  // the build sorted them in, web/build.mjs): the groups and options as the browser's collator
  // and the sizes the core gives order them.
  const groups = await page.locator('#f-model optgroup').evaluateAll((g) => g.map((x) => ({
    family: x.label, ids: [...x.children].map((o) => o.value) })));
  const families = groups.map((g) => g.family);
  assert.deepEqual(families, [...families].sort((a, b) => a.localeCompare(b)));
  const total = new Map(JSON.parse(cli(['list', 'models', '--json'])).map((m) => [m.id, m.params.total]));
  assert.equal(groups.flatMap((g) => g.ids).length, total.size);
  for (const { family, ids } of groups) {
    const totals = ids.map((id) => total.get(id));
    assert.deepEqual(totals, [...totals].sort((a, b) => a - b), `${family}: ${ids.join(', ')}`);
  }
  // GPT-2 (Feb 2019), Medium (May), Large (Aug) and XL (Nov 2019) are the presets released in 2019.
  await search.fill('2019');
  const found = await page.locator('#f-model option').evaluateAll((o) => o.map((x) => x.value).sort());
  assert.deepEqual(found, ['gpt2', 'gpt2-large', 'gpt2-medium', 'gpt2-xl']);
  await search.fill('gemma 2024');
  const gemma = await page.locator('#f-model option').evaluateAll((o) => o.map((x) => x.textContent));
  assert.ok(gemma.length >= 4 && gemma.every((t) => /^Gemma .* 2024$/.test(t)), gemma.join(' | '));
  assert.deepEqual(problems, []);
  await page.close();
});
