// The "Make it fit" panel: the core's plan for the page's scenario, its table and commands, and
// the same answer as the native CLI's `llmcalc plan --json`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, serve, watch, waitReady, CLI } from './lib.mjs';

let browser;
let server;

before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('Make it fit: Llama 3.1 8B on an RTX 3060 with llama.cpp at 8K, no lower than 4-bit', async () => {
  const page = await browser.context.newPage();
  const problems = watch(page);
  await page.goto(`${server.url}#model=llama-3.1-8b&gpu=rtx-3060-12gb&engine=llama.cpp`);
  await waitReady(page);
  await page.selectOption('#plan-context', '8192');
  await page.selectOption('#plan-floor', 'Q4');
  await page.click('#plan-run');
  await page.waitForFunction(() => document.body.dataset.plan === 'found');
  assert.match(await page.locator('#plan-explanation').textContent(), /^Q8_0 weights, f16 KV cache, 8,192 tokens/);
  assert.equal(await page.locator('[data-plan-row]').count(), 6);
  const llama = await page.locator('code[data-engine="llama.cpp"]').textContent();
  assert.match(llama, /^llama-server -m llama-3\.1-8b-Q8_0\.gguf -ngl 99 -c 8192 .*-fa on/);
  assert.match(await page.locator('#plan-result').textContent(), /PARAMETER num_ctx 8192/);
  if (existsSync(CLI)) {
    const scenario = await page.evaluate(() => JSON.stringify(window.__llmcalc.last.scenario));
    const fromPage = await page.evaluate(
      (s) => window.__llmcalc.core.plan(JSON.parse(s), { context: 8192, min_quality: 'Q4' }), scenario);
    const file = join(mkdtempSync(join(tmpdir(), 'llmcalc-plan-')), 'scenario.json');
    writeFileSync(file, scenario);
    const cli = JSON.parse(execFileSync(CLI, ['plan', '--json', '--context', '8192', '--min-quality', 'Q4',
      '--scenario', file], { encoding: 'utf8' }));
    assert.equal(fromPage.ranked[0].weights, cli.ranked[0].weights);
    assert.equal(fromPage.ranked[0].devices[0].used_bytes, cli.ranked[0].devices[0].used_bytes);
    assert.deepEqual(fromPage.commands, cli.commands);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('Make it fit: a 405B on an 8 GB card says nothing fits', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}#model=llama-3.1-405b&gpu=rtx-4060&engine=llama.cpp`);
  await waitReady(page);
  await page.selectOption('#plan-floor', '');
  await page.click('#plan-run');
  await page.waitForFunction(() => document.body.dataset.plan === 'none');
  assert.match(await page.locator('#plan-explanation').textContent(), /^Nothing fits/);
  assert.equal(await page.locator('[data-plan-row]').count(), 0);
  await page.close();
});
