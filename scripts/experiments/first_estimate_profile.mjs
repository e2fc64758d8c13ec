// Where a link's path from its script to its first result goes (issue 18; docs/performance.md,
// stop 24): cold loads of a single page from file:// in fresh profiles with CDP tracing and V8's
// sampling profiler on; prints the self time per function (JavaScript and WebAssembly) between
// the page's `script` and `first_result` marks, summed over the runs, and the WebAssembly
// functions V8 compiled lazily on the main thread in that window (count, body bytes, Liftoff
// time), grouped by C++ namespace when NAMES gives a module with a name section.
// For readable names build a page with an unminified script and a named module:
//   bash scripts/experiments/named_page_module.sh /tmp/named
//   LLMCALC_WEB_MINIFY=0 LLMCALC_WASM_MODULE=/tmp/named/llmcalc_core_page.mjs node web/build.mjs && cp web/dist/llmcalc.html /tmp/U.html
//   RUNS=4 NAMES=/tmp/named/llmcalc_core_page.wasm node scripts/experiments/first_estimate_profile.mjs '#model=llama-3.1-8b&b=8' file:///tmp/U.html
// (then rebuild the page as it ships: node web/build.mjs)
import { launch, waitReady, SINGLE_URL, settle } from '../../tests/browser/lib.mjs';
const hash = process.argv[2] || '#model=llama-3.1-8b&b=8&p=2048&g=512';
const url = process.argv[3] || SINGLE_URL;
const agg = new Map(); const lazy = new Map(); let lazyN = 0, lazyBytes = 0, lazyMs = 0;
const fnName = (i) => (globalThis.NAMES && NAMES.get(i)) || `f${i}`;
if (process.env.NAMES) { const { readFileSync } = await import('node:fs'); globalThis.NAMES = wasmNames(readFileSync(process.env.NAMES)); }
for (let r = 0; r < Number(process.env.RUNS || 3); r++) {
  const b = await launch();
  const page = await b.context.newPage();
  const cdp = await b.context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
  await cdp.send('Tracing.start', { categories: 'disabled-by-default-v8.cpu_profiler,disabled-by-default-v8.wasm.detailed,v8.wasm,devtools.timeline,v8,blink.user_timing,loading,blink', transferMode: 'ReportEvents' });
  await page.goto(url + hash);
  await waitReady(page);
  const marks = await page.evaluate(() => ({ ...window.__llmcalc.timings.startup }));
  await cdp.send('Tracing.end'); await done; await b.close(); await settle();
  // Profile chunks: nodes + samples + timeDeltas
  const nodes = new Map(); let t = 0; const samples = [];
  const prof = events.find((e) => e.name === 'Profile');
  t = prof.args.data.startTime;
  for (const e of events.filter((e) => e.name === 'ProfileChunk' && e.id === prof.id)) {
    const d = e.args.data;
    for (const n of d.cpuProfile?.nodes || []) nodes.set(n.id, n);
    const s = d.cpuProfile?.samples || [];
    for (let i = 0; i < s.length; i++) { t += d.timeDeltas[i]; samples.push([t, s[i]]); }
  }
  const parse = events.filter((e) => e.name === 'HTMLDocumentParser::AttemptToEnd').pop();
  const nav = events.filter((e) => e.name === 'navigationStart' && e.pid === parse.pid && e.ts < parse.ts).pop();
  const t0 = nav.ts;
  const lo = t0 + marks.script * 1000 - 3000, hi = t0 + marks.first_result * 1000;
  for (let i = 1; i < samples.length; i++) {
    const [ts, id] = samples[i];
    if (ts < lo || ts > hi) continue;
    const dt = (ts - samples[i - 1][0]) / 1000;
    const n = nodes.get(id); const cf = n.callFrame;
    const key = `${cf.functionName || '(anon)'} ${cf.url ? cf.url.split('/').pop().slice(0, 30) : ''}`;
    agg.set(key, (agg.get(key) || 0) + dt);
  }
  for (const e of events) {
    if (e.name !== 'wasm.CompileBaseline' || e.ts < lo || e.ts > hi || e.pid !== parse.pid || e.tid !== parse.tid) continue;
    lazyN++; lazyBytes += e.args.bodySize; lazyMs += e.dur / 1000;
    const k = fnName(e.args.funcIndex);
    lazy.set(k, (lazy.get(k) || 0) + e.args.bodySize);
  }
  console.log('run', r, JSON.stringify(marks));
}
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(v.toFixed(1).padStart(7), k);

console.log(`lazy compiles on the main thread up to first_result: ${lazyN} functions, ${lazyBytes} B, ${lazyMs.toFixed(1)} ms (all runs)`);
const groups = new Map();
for (const [k, v] of lazy) { const g = k.replace(/<.*$/,'').replace(/\(.*$/,'').split('::').slice(0, 2).join('::'); groups.set(g, (groups.get(g) || 0) + v); }
for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(String(v).padStart(8), k.slice(0, 120));

function wasmNames(buf) {
  let p = 8; const names = new Map();
  const u = () => { let r = 0, s = 0, b; do { b = buf[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  while (p < buf.length) {
    const id = buf[p++]; const size = u(); const end = p + size;
    if (id === 0) {
      const nl = u(); const name = buf.subarray(p, p + nl).toString(); p += nl;
      if (name === 'name') {
        while (p < end) { const sid = buf[p++]; const ss = u(); const se = p + ss;
          if (sid === 1) { const n = u(); for (let i = 0; i < n; i++) { const idx = u(); const l = u(); names.set(idx, buf.subarray(p, p + l).toString()); p += l; } }
          p = se; }
      }
    }
    p = end;
  }
  return names;
}
