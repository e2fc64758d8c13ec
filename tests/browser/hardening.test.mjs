// The page against a careless or hostile user (issue 16): the skip link keeps the scenario,
// an edited hash that is invalid keeps the last good result, link errors stay few, a refused
// HF paste marks the answer as not updated, a config too large for a link is left out of it
// (and said so), and model= beside hf= is a conflict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pageSession, settled, updates, text, CLI } from './lib.mjs';

const { open } = pageSession();

const hashOf = (page) => page.evaluate(() => location.hash);
const b64url = (s) => Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const exportConfig = (id) => execFileSync(CLI, ['export-hf-config', '--model', id], { encoding: 'utf8' });

// Sets the hash as a user editing the address bar would, and waits for the page's answer.
async function editHash(page, hash) {
  const n = await updates(page);
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((k) => window.__llmcalc.updates > k && !window.__llmcalc.pending, n);
}

test('"Skip to results" with Tab then Enter keeps the scenario and moves the focus', async () => {
  const { page, problems } = await open('#b=8&mode=training&seq=2048');
  const hash = await hashOf(page);
  const headline = await text(page, '#fit-headline');
  await page.focus('body');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement.id === 'results');
  assert.equal(await hashOf(page), hash);
  assert.equal(await page.inputValue('#f-batch'), '8');
  assert.equal(await page.locator('input[name=mode][value=training]').isChecked(), true);
  assert.equal(await text(page, '#fit-headline'), headline);
  assert.equal(await page.locator('#url-errors').isHidden(), true);
  // A #results typed into the address bar is an anchor too, not a scenario.
  await page.evaluate(() => { location.hash = 'results'; });
  await page.waitForFunction((h) => location.hash === h, hash);
  assert.equal(await page.inputValue('#f-batch'), '8');
  assert.equal(await page.locator('#url-errors').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an edited hash with an invalid value keeps the last good result; the error is beside the field', async () => {
  const { page, problems } = await open('#b=8');
  const report = await page.evaluate(() => window.__llmcalc.last.report);
  const headline = await text(page, '#fit-headline');
  await editHash(page, 'b=-1&p=2048');
  assert.equal(await page.inputValue('#f-batch'), '8');
  assert.ok(await page.locator('#f-batch-err').isVisible());
  assert.match(await text(page, '#f-batch-err'), /b="-1"/);
  assert.equal(await page.getAttribute('#f-batch', 'aria-invalid'), 'true');
  assert.equal(await text(page, '#fit-headline'), headline);
  assert.deepEqual(await page.evaluate(() => window.__llmcalc.last.report), report);
  assert.ok(await page.locator('#stale-note').isVisible());
  // A valid hash then replaces the result, and the signs go.
  await editHash(page, 'b=16');
  assert.equal(await page.inputValue('#f-batch'), '16');
  assert.equal(await page.locator('#f-batch-err').isHidden(), true);
  assert.equal(await page.locator('#stale-note').isHidden(), true);
  assert.equal(await page.evaluate(() => window.__llmcalc.last.report.memory.total_bytes > 0), true);
  assert.notEqual(await text(page, '#fit-headline'), headline);
  assert.deepEqual(problems, []);
  await page.close();
});

test('1,500 unknown link parameters make one short message, not 1,500 items', async () => {
  const junk = Array.from({ length: 1500 }, (_, i) => `x${i}=1`).join('&');
  const { page, problems } = await open(`#b=8&${junk}&w=fp64&kv=nope`);
  const items = await page.locator('#url-errors-list li').allInnerTexts();
  assert.ok(items.length <= 9, items.join('\n'));
  assert.ok(items.some((t) => /1500 unknown parameters ignored: "x0", "x1", "x2", "x3", "x4", \.\.\./.test(t)), items.join('\n'));
  assert.ok(await page.locator('#f-weights-err').isVisible());
  assert.equal(await page.inputValue('#f-batch'), '8');
  // Many errors of different fields: eight listed, the rest counted.
  const bad = ['w=x', 'kv=x', 'act=x', 'b=x', 'p=x', 'g=x', 'seq=x', 'opt=x', 'ckpt=x', 'ft=x', 'r=x'].join('&');
  const { page: p2 } = await open(`#${bad}`);
  const listed = await p2.locator('#url-errors-list li').allInnerTexts();
  assert.equal(listed.length, 9, listed.join('\n'));
  assert.equal(listed[8], '... and 3 more');
  assert.deepEqual(problems, []);
  await Promise.all([page.close(), p2.close()]);
});

test('a refused or emptied HF paste never leaves the old verdict looking current', async () => {
  const { page, problems } = await open();
  const config = exportConfig('qwen2.5-0.5b');
  let n = await updates(page);
  await page.fill('#f-hf', config);
  await settled(page, n);
  assert.match(await text(page, '#fit-detail'), /qwen/i);
  assert.equal(await page.locator('#stale-note').isHidden(), true);
  // Refused: the error beside the box, and the answer marked as not updated.
  n = await updates(page);
  await page.fill('#f-hf', '{"model_type": "llama", "hidden_size": -5}');
  await page.waitForFunction((k) => window.__llmcalc.updates > k, n);
  assert.ok(await page.locator('#f-hf-err').isVisible());
  assert.ok(await page.locator('#stale-note').isVisible());
  assert.equal(await page.evaluate(() => document.body.classList.contains('stale')), true);
  assert.match(await text(page, '#status'), /last valid result/);
  // Emptied: no longer an error, but the box says which model the answer is for.
  await page.fill('#f-hf', '');
  await page.waitForFunction(() => document.getElementById('stale-note').hidden);
  assert.match(await text(page, '#f-hf-err'), /still for .*Qwen/i);
  // A good paste again clears everything.
  n = await updates(page);
  await page.fill('#f-hf', exportConfig('llama-3.2-1b'));
  await settled(page, n);
  assert.equal(await page.locator('#f-hf-err').isHidden(), true);
  assert.equal(await page.locator('#stale-note').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a config too large for a link is left out of it, and the page says so', async () => {
  const { page, problems } = await open();
  const config = JSON.parse(exportConfig('llama-3.2-1b'));
  config.padding = 'p'.repeat(990_000); // a 990 KB config.json: a 1.3 MB hash before
  const n = await updates(page);
  await page.fill('#f-hf', JSON.stringify(config));
  await settled(page, n);
  assert.ok(await page.locator('#hf-active').isVisible());
  const hash = await hashOf(page);
  assert.ok(hash.length < 16384, `hash of ${hash.length} characters`);
  assert.match(hash, /hf=omitted/);
  assert.ok(await page.locator('#share-note').isVisible());
  assert.match(await page.locator('#share-note').textContent(), /too large for a link/); // innerText is empty off screen (content-visibility)
  // Opening that link asks for the config again, beside the field.
  const { page: p2, problems: pr2 } = await open(hash);
  assert.match(await text(p2, '#f-hf-err'), /paste it again/);
  assert.equal(await p2.inputValue('#f-model'), 'llama-2-7b');
  assert.deepEqual([...problems, ...pr2], []);
  await Promise.all([page.close(), p2.close()]);
});

test('model= next to hf= in a link is a conflict, not a silent choice', async () => {
  const hf = b64url(exportConfig('qwen2.5-0.5b'));
  const { page, problems } = await open(`#model=llama-3-8b&hf=${hf}`);
  assert.match(await text(page, '#url-errors'), /model= and hf= both name the model/);
  assert.ok(await page.locator('#f-model-err').isVisible());
  assert.equal(await page.inputValue('#f-model'), 'llama-2-7b');
  assert.equal(await page.locator('#hf-active').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});
