// Shared helpers for the browser tests: Debian's Chromium driven by playwright-core, a tiny
// static server for web/dist, and waits on the page's readiness marker (never fixed sleeps).
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(ROOT, 'web/dist');
export const SINGLE = join(DIST, 'llmcalc.html');
export const SINGLE_URL = pathToFileURL(SINGLE).href;
export const SCREENSHOTS = join(ROOT, 'tests/browser/screenshots');
export const CLI = join(ROOT, 'build/native/core/cli/llmcalc');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'];

// A persistent context on a fresh temporary profile: nothing carries over between runs.
export async function launch(options = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'llmcalc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  return { context, close };
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

// Serves web/dist on 127.0.0.1 (a random port); counts every request it answers.
// `delays`: milliseconds to hold the response of a path (e.g. { '/app.js': 800 }), so a test can
// see what the browser paints before that file arrives, whatever the machine's load.
export async function serve(dir = DIST, { delays = {} } = {}) {
  const hits = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    hits.push(path);
    if (delays[path]) await new Promise((ok) => setTimeout(ok, delays[path]));
    const file = resolve(dir, '.' + (path.endsWith('/') ? path + 'index.html' : path));
    if (!file.startsWith(dir + sep) && file !== dir) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  // close() also drops the connections Chromium keeps open (idle keep-alive and speculative
  // preconnects): server.close() alone waited for them, 102 s in one CI run.
  return { url, hits, close: () => new Promise((ok) => { server.close(ok); server.closeAllConnections(); }) };
}

// Collects page errors, console errors and CSP violations; tests assert none happened.
export function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return problems;
}

export async function waitReady(page, timeout = 30000) {
  await page.waitForFunction(() => window.__llmcalc?.ready === true || document.body.dataset.ready === 'error', null, { timeout });
  const state = await page.evaluate(() => document.body.dataset.ready);
  if (state !== '1') throw new Error(`page failed to start: ${await page.textContent('#status')}`);
  await settled(page, 0);
}

// Waits until the page has finished an update after `before` (numbers, charts and solvers).
export async function settled(page, before) {
  await page.waitForFunction((n) => window.__llmcalc.updates > n && !window.__llmcalc.pending, before, { timeout: 30000 });
}

export async function updates(page) {
  return page.evaluate(() => window.__llmcalc.updates);
}

// Changes a form control like a user would (fill/select/check), then waits for the update.
export async function change(page, selector, value) {
  const before = await updates(page);
  const el = page.locator(selector);
  const tag = await el.evaluate((e) => `${e.tagName}:${e.type}`);
  if (tag.startsWith('SELECT')) await el.selectOption(String(value));
  else if (tag.endsWith(':radio') || tag.endsWith(':checkbox')) await el.check();
  else await el.fill(String(value));
  await settled(page, before);
}

export function ensureDir(d) {
  if (!existsSync(d)) mkdirSync(d, { recursive: true });
  return d;
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// One browser and one static server for a test file, started before its tests and closed
// after them; open(path) loads web/dist at that path in a new tab and waits until it is
// ready, returning the page and the list of problems it logged (see watch).
export function pageSession(launchOptions = {}) {
  const session = { browser: null, server: null };
  before(async () => {
    session.server = await serve();
    session.browser = await launch(launchOptions);
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  // options: {viewport, colorScheme}, set before the page loads (a persistent context's pages
  // take no options of their own).
  session.open = async (path = '', options = {}) => {
    const page = await session.browser.context.newPage();
    if (options.viewport) await page.setViewportSize(options.viewport);
    if (options.colorScheme) await page.emulateMedia({ colorScheme: options.colorScheme });
    const problems = watch(page);
    await page.goto(session.server.url + path);
    await waitReady(page);
    return { page, problems };
  };
  return session;
}

export const text = (page, sel) => page.locator(sel).innerText();
export const visibleText = (page) => page.evaluate(() => document.body.innerText);

// The cold-start scenarios (issue 18), each a suffix of the single page's URL: the default, a
// shared link with another scenario, a link carrying a pasted config (gpt-oss-20b's
// config.json) and the embed (issue 18 asks it to be the fastest of all: the default, compact).
export const COLD = {
  default: '',
  shared_link: '#model=llama-3.1-8b&b=8&p=2048&g=512',
  pasted_config_link: `#hf=${Buffer.from(JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'tests/data/hf_configs/gpt-oss-20b.json'), 'utf8')))).toString('base64url')}&b=2`,
  embed: '?embed=1',
};

// The cold-start floor (issue 18): what the same browser needs to show a trivial page from
// file://, in a fresh profile like every cold run. Its first paint (ms since navigation) is the
// unit the timing test, scripts/ab_cold_start.mjs and scripts/trace_cold_start.mjs report in.
let emptyPageUrl = null;
// A cold run's browser leaves work behind it as it closes (processes exiting, its profile
// removed): on this 2-core machine the next run started at once shared the CPU with it, and
// single runs of one build moved by 2x. Each cold run is followed by this pause (ms; the floor's
// included), so that it starts on an idle machine as a user's browser would.
export const SETTLE_MS = Number(process.env.LLMCALC_SETTLE_MS ?? 1000);
export const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
export async function emptyPageFirstPaint() {
  if (!emptyPageUrl) {
    const file = join(mkdtempSync(join(tmpdir(), 'llmcalc-empty-')), 'empty.html');
    writeFileSync(file, '<!doctype html><html lang="en"><meta charset="utf-8"><title>Empty</title><p>Empty page.</p></html>\n');
    emptyPageUrl = pathToFileURL(file).href;
  }
  const b = await launch();
  try {
    const page = await b.context.newPage();
    await page.goto(emptyPageUrl);
    return await page.evaluate(() => new Promise((resolve) => {
      const find = (list) => list.find((e) => e.name === 'first-paint');
      const seen = find(performance.getEntriesByType('paint'));
      if (seen) return resolve(seen.startTime);
      new PerformanceObserver((l) => { const e = find(l.getEntries()); if (e) resolve(e.startTime); })
        .observe({ type: 'paint', buffered: true });
    }));
  } finally {
    await b.close();
    await settle();
  }
}

// Run in the page (page.evaluate(answerOnScreen)): when the verdict (#fit-headline,
// elementtiming="answer") was first painted visible, in ms since navigation (Element Timing:
// the frame's presentation time, the clock of the empty page's first-paint). The prerendered
// default's verdict is painted with the page; a link's, hidden until its own answer replaces
// it, when that one is. Rejects if it never was within 10 s.
export function answerOnScreen() {
  return new Promise((resolve, reject) => {
    new PerformanceObserver((list) => {
      const e = list.getEntries().find((x) => x.identifier === 'answer');
      if (e) resolve(+e.renderTime.toFixed(1));
    }).observe({ type: 'element', buffered: true });
    setTimeout(() => reject(new Error('the verdict was never painted (no element timing entry)')), 10000);
  });
}
