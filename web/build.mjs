// Builds the calculator page with esbuild:
//   web/dist/index.html + app.js + app.css   (served by scripts/run.sh)
//   web/dist/llmcalc.html                     (single file: JS, CSS and WASM inlined)
//   dist/llmcalc.html                         (a copy of the single file at the repo root)
// Both pages carry a Content-Security-Policy that allows no network request at all.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { textCore, wrapCore } from '../wasm/js/api.mjs';
import { staticDocument, applyToTemplate, contains } from './static_dom.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const out = join(here, 'dist');
// The page's build of the core: Emscripten's glue (llmcalc_core_page.mjs) and the .wasm
// beside it, which goes into the page gzip-compressed and base64-encoded in a data block,
// <script type="application/octet-stream" id="wasm-gzip">, ahead of the page's script
// (the <head> script compiles it, web/src/core.js instantiates it): the browser never parses
// it as JavaScript, nor hashes it for the CSP, and the script stays a third of the size.
// LLMCALC_WASM_MODULE may point at another build of the page glue, with its .wasm beside it
// (for experiments).
const wasmModule = resolve(process.env.LLMCALC_WASM_MODULE || join(root, 'build/wasm/wasm/llmcalc_core_page.mjs'));
const wasmBinaryPath = wasmModule.replace(/\.mjs$/, '.wasm');
for (const f of [wasmModule, wasmBinaryPath]) {
  if (!existsSync(f)) {
    console.error(`build_web: ${f} is missing; run scripts/build_wasm.sh first`);
    process.exit(1);
  }
}
const wasmBinary = readFileSync(wasmBinaryPath);
// The page module carries the preset data without citations (wasm/embed_page_data.mjs, no
// whitespace); the core's own copy keeps '": "' after each key. Finding that means a data
// symbol the core reads is missing from the page's list in wasm/CMakeLists.txt.
if (wasmBinary.includes('_source": "'))
  throw new Error(`build_web: ${wasmBinaryPath} carries the core's full preset data; add the symbol to the page data in wasm/CMakeLists.txt`);
// The smallest of zlib's -9, GNU gzip's -9 and zopfli's (all deterministic, all plain gzip that
// DecompressionStream('gzip') reads). Measured on the page's module (711,316 B, Nov 2026): zlib
// ~244.5 KB, gzip -9 243,975 B, zopfli 232,785 B (15 iterations; 60 gave 25 B more for 3x the
// time). zopfli is a Debian package (scripts/setup.sh); without it the build still works.
const wasmGzip = [gzipSync(wasmBinary, { level: 9 }), systemGzip('gzip', ['-9', '-n', '-c'], wasmBinary),
  systemGzip('zopfli', ['-c', wasmBinaryPath], wasmBinary)]
  .filter(Boolean).reduce((a, b) => (b.length < a.length ? b : a));
const wasmBase64 = wasmGzip.toString('base64');
function systemGzip(tool, args, bytes) {  // zopfli reads only files, gzip reads stdin
  const r = spawnSync(tool, args, { input: bytes, maxBuffer: 64 << 20 });
  return r.status === 0 && r.stdout.length > 0 && gunzipSync(r.stdout).equals(bytes) ? r.stdout : null;
}
// The preset lists the page needs to start (its model and GPU pickers), asked of the same
// core's Node build now rather than of the page's module at every start: listing the
// catalogs means parsing every preset, which cost a cold page ~60-90 ms before its first
// result. Only the fields the page shows are kept.
const require = createRequire(import.meta.url);
const nodeModule = join(dirname(wasmModule), 'llmcalc_core_node.cjs');
const nodeCore = await require(nodeModule)();
const presetCore = textCore(nodeCore);
const modelList = JSON.parse(presetCore.models_json());
const gpuList = JSON.parse(presetCore.gpus_json());
const kindList = JSON.parse(presetCore.kinds_json());
const engineList = JSON.parse(presetCore.engines_json());
if (!engineList.ok) throw new Error('build_web: the core could not list its engines');
if (!modelList.ok || !gpuList.ok || !kindList.ok) throw new Error('build_web: the core could not list its presets');
const schema = JSON.parse(presetCore.schema_json());
if (!schema.ok) throw new Error('build_web: the core could not export its schema');
const pageSources = readdirSync(join(here, 'src')).filter((f) => f.endsWith('.js'))
  .map((f) => readFileSync(join(here, 'src', f), 'utf8')).join('\n');
const familyOrder = new Intl.Collator('en');
const presets = {
  version: presetCore.version(),
  // The scenario schema's fields and enums: the page's ranges and choices (web/src/state.js).
  // Only the fields the page's code names (state.js: field('/workload/batch')...); the others
  // would ride along unread (a name missing here stops state.js at load: the browser tests).
  schema: { fields: schema.fields.filter(({ pointer }) => pageSources.includes(`'${pointer}'`))
    .map(({ pointer, type, min, max, choices }) => ({ pointer, type, min, max, choices })),
    enums: schema.enums },
  // ckpt: the quantization method of a preset released quantized (its weights default to it);
  // rel: its release month (YYYY-MM) where the preset has a sourced date (core/data/models);
  // mtp: it has MTP layers a user can load as a speculative draft (options.load_mtp).
  // In the picker's order, by family (an English collator: the same order as the browser's
  // localeCompare gave for these ids) and by size within one (web/src/form.js bySize): the
  // page's first localeCompare set up a collator, 12-25 ms of a cold start (issue 18).
  models: modelList.models.slice().sort((a, b) => familyOrder.compare(a.family, b.family) || a.params.total - b.params.total).map(({ id, name, family, hf_repo, params, checkpoint_weights, released }) =>
    ({ id, name, family, hf_repo, params: { total: params.total, active: params.active }, ...(released ? { rel: released.slice(0, 7) } : {}),
      ...(checkpoint_weights ? { ckpt: checkpoint_weights.method } : {}),
      ...(params.mtp_not_in_total ? { mtp: 1 } : {}) })),
  // peak_flops: only the formats the page reads (web/src/form.js: its info line and the custom
  // GPU copied from a preset); fp32 and tf32 left out: 155 B gzip over the budget without this.
  gpus: gpuList.gpus.map(({ id, name, memory_bytes, memory_bandwidth_bytes_per_s, peak_flops, interconnect_bandwidth_bytes_per_s }) =>
    ({ id, name, memory_bytes, memory_bandwidth_bytes_per_s, interconnect_bandwidth_bytes_per_s,
      peak_flops: Object.fromEntries(['fp16', 'bf16', 'fp8', 'int8'].filter((k) => k in peak_flops).map((k) => [k, peak_flops[k]])) })),
  // Unified-memory machines (the GPU picker): each memory size sold and the GPU's default share
  // of it (0: none in the data, the user says), in GiB; bandwidth and 16-bit FLOP/s.
  unified: gpuList.unified.map(({ id, name, memory_bandwidth_bytes_per_s, peak_flops, memory_options }) =>
    ({ id, name, bw: memory_bandwidth_bytes_per_s, f16: peak_flops.bf16 || peak_flops.fp16 || 0,
      memory_gib: memory_options.map((o) => o.memory_bytes / 2 ** 30),
      gpu_gib: memory_options.map((o) => o.gpu_memory_bytes / 2 ** 30) })),
  // System RAM presets (the data the core resolves hardware.host_memory from).
  hostMemory: JSON.parse(readFileSync(join(root, 'core/data/host_memory.json'), 'utf8')).presets
    .map(({ id, name, bandwidth_bytes_per_s }) => ({ id, name, bandwidth_bytes_per_s })),
  kinds: kindList.kinds,
  engines: engineList.engines.map(({ id, name, modes }) => ({ id, name, modes })),
};

const redirectWasm = {
  name: 'llmcalc-wasm-module',
  setup(b) {
    b.onResolve({ filter: /llmcalc_core_page\.mjs$/ }, () => ({ path: wasmModule }));
    b.onResolve({ filter: /^llmcalc:presets$/ }, (a) => ({ path: a.path.slice(8), namespace: 'llmcalc' }));
    b.onLoad({ filter: /^presets$/, namespace: 'llmcalc' }, () => ({
      contents: `export const PRESETS = ${JSON.stringify(presets)};`,
      loader: 'js',
    }));
  },
};

// The page's script comes as two bundles (web/src/deferred.js): the first holds what the first
// answer needs (core, form, state, results); the second, web/src/deferred_main.js, what it does
// not (uPlot, the charts, GPU table, solvers, plan panel) and runs only once that answer is on
// screen. Modules both import (app.js, update.js, form.js, the presets...) live in the first
// only: it hands their live instances to the second through globalThis.__llmcalcModules
// (import * as: a module namespace, its bindings live), and the second bundle's imports of
// them resolve to those objects.
const SHARED = 'llmcalc:shared-modules';
const sharedNamespace = 'llmcalc-shared';
const bundleOptions = {
  bundle: true,
  // A classic script, not a module: the page's script sits at the end of <body>, and a classic
  // script there runs as soon as the parser reaches it, where a module script is deferred and
  // Chromium first painted the empty page shell (style, layout, font loading: 50-100 ms on a
  // cold start here). Measured A/B: first numbers in the page at p50 448-485 against 505-551 ms.
  // The Emscripten glue asks import.meta.url only for the .wasm's URL, which it never fetches
  // (the page hands it the bytes).
  format: 'iife',
  // LLMCALC_BASE_URL: where the page is hosted, for links made from the single file on disk.
  define: { 'import.meta.url': 'document.baseURI', __LLMCALC_BASE_URL__: JSON.stringify(process.env.LLMCALC_BASE_URL || '') },
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: process.env.LLMCALC_WEB_MINIFY !== '0', // LLMCALC_WEB_MINIFY=0: readable names for profiling
  legalComments: 'none',
  charset: 'ascii',
  write: false,
  outdir: out,
  logLevel: 'warning',
  metafile: true,
};
const firstEntry = join(here, 'src/main.js');
const deferredEntry = join(here, 'src/deferred_main.js');
const inputsOf = (r) => Object.keys(r.metafile.inputs);
// The list of shared modules is what the two bundles hold in common when built alone. Each
// is handed over as an object of getters (live bindings) for just the names the deferred
// modules import from it (`names`, read from their import statements); a module the deferred
// side imports as a namespace (import * as) is handed whole. Whole namespaces cost the first
// bundle every export's name: measured on the single page, named getters saved 0.8 KiB gzip
// (301.3 -> 300.5 KiB, Nov 2026).
const ALL = Symbol('all');
const exposeShared = (keys, names = new Map()) => ({
  name: 'llmcalc-expose-shared',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${SHARED}$`) }, () => ({ path: 'shared', namespace: sharedNamespace }));
    const spec = (k) => JSON.stringify(k.startsWith('llmcalc:') ? k : resolve(k));
    const listed = (k) => names.has(k) && names.get(k) !== ALL;
    b.onLoad({ filter: /^shared$/, namespace: sharedNamespace }, () => ({
      contents: keys.map((k, i) => (listed(k)
        ? `import { ${[...names.get(k)].map((n, j) => `${n} as m${i}_${j}`).join(', ')} } from ${spec(k)};`
        : `import * as m${i} from ${spec(k)};`)).join('\n') +
        `\nglobalThis.__llmcalcModules = {${keys.map((k, i) => `${JSON.stringify(k)}: ${listed(k)
          ? `{${[...names.get(k)].map((n, j) => `get ${n}() { return m${i}_${j}; }`).join(', ')}}` : `m${i}`}`).join(', ')}};`,
      loader: 'js', resolveDir: here,
    }));
  },
});
// The names each shared module gives the deferred modules (files under web/src): from their
// `import { a, b as c } from './x.js'` statements; `import * as` marks the module ALL.
function importedNames(files) {
  const out = new Map();
  const add = (k, n) => {
    if (out.get(k) === ALL) return;
    if (n === ALL) out.set(k, ALL);
    else out.set(k, (out.get(k) || new Set()).add(n));
  };
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^import\s+(?:\{([^}]*)\}|\*\s+as\s+\w+)\s+from\s+['"]([^'"]+)['"]/gm)) {
      const k = m[2].startsWith('llmcalc:') ? m[2] : relative(process.cwd(), resolve(dirname(f), m[2]));
      if (m[1] === undefined) add(k, ALL);
      else for (const n of m[1].split(',').map((x) => x.trim().split(/\s+as\s+/)[0]).filter(Boolean)) add(k, n);
    }
  }
  return out;
}
const firstAlone = await build({ ...bundleOptions, entryPoints: [firstEntry], entryNames: 'app', plugins: [redirectWasm, exposeShared([])] });
const deferredAlone = await build({ ...bundleOptions, entryPoints: [deferredEntry], entryNames: 'app-deferred', plugins: [redirectWasm] });
const firstInputs = new Set(inputsOf(firstAlone));
const shared = inputsOf(deferredAlone).filter((k) => firstInputs.has(k) && !k.endsWith('.css'));
// What must stay out of the first bundle (the reason for the split): the build fails if an
// import brings one of them back into it.
const DEFERRED_ONLY = ['uplot', 'web/src/charts.js', 'web/src/chart_panel.js', 'web/src/solvers.js', 'web/src/plan_panel.js'];
for (const k of firstInputs) {
  const hit = DEFERRED_ONLY.find((d) => k.includes(d === 'uplot' ? 'node_modules/uplot/' : d) && !k.endsWith('.css'));
  if (hit) throw new Error(`build_web: ${k} is in the page's first bundle; it belongs to the deferred block (web/src/deferred.js)`);
}
const useShared = {
  name: 'llmcalc-use-shared',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (a) => {
      if (a.pluginData?.inner || a.kind === 'entry-point') return undefined;
      if (a.path === 'llmcalc:presets') return shared.includes(a.path) ? { path: a.path, namespace: sharedNamespace } : undefined;
      const r = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, importer: a.importer, pluginData: { inner: true } });
      if (r.errors.length) return undefined;
      const key = relative(process.cwd(), r.path);
      return shared.includes(key) ? { path: key, namespace: sharedNamespace } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: sharedNamespace }, (a) => ({
      contents: `module.exports = globalThis.__llmcalcModules[${JSON.stringify(a.path)}];`, loader: 'js',
    }));
  },
};
const deferredResult = await build({ ...bundleOptions, entryPoints: [deferredEntry], entryNames: 'app-deferred', plugins: [useShared, redirectWasm] });
for (const k of inputsOf(deferredResult)) {
  if (k.startsWith(`${sharedNamespace}:`)) continue;
  if (firstInputs.has(k)) throw new Error(`build_web: ${k} would be in both bundles (a second instance of its state)`);
}
// Only the modules the deferred bundle imports itself are handed over (each costs the first
// bundle a namespace object that keeps all its exports).
const handed = inputsOf(deferredResult).filter((k) => k.startsWith(`${sharedNamespace}:`)).map((k) => k.slice(sharedNamespace.length + 1));
const deferredFiles = inputsOf(deferredResult).filter((k) => k.startsWith('web/src/') && k.endsWith('.js'));
const result = await build({ ...bundleOptions, entryPoints: [firstEntry], entryNames: 'app', plugins: [redirectWasm, exposeShared(handed, importedNames(deferredFiles))] });

const js = result.outputFiles.find((f) => f.path.endsWith('.js')).text;
const deferredJs = deferredResult.outputFiles.find((f) => f.path.endsWith('.js')).text;
if (deferredResult.outputFiles.some((f) => f.path.endsWith('.css')))
  throw new Error('build_web: the deferred block imports CSS; import it from web/src/main.js (the page has one stylesheet)');
const pageCss = result.outputFiles.find((f) => f.path.endsWith('.css')).text;

// The default scenario's answer as markup (web/src/prerender.js): the page's render functions,
// bundled for Node, over a static copy of the template's elements, with the same core's Node
// build. A link that carries a scenario must not show it: the inline script in <head> marks the
// document (class "link") before the body is parsed, and the prerendered elements stay hidden
// until main.js has rendered the link's own answer and drops the mark.
const prerenderBundle = await build({
  entryPoints: [join(here, 'src/prerender.js')],
  bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning', plugins: [redirectWasm],
});
const { prerenderDefault } = await import(`data:text/javascript;base64,${Buffer.from(prerenderBundle.outputFiles[0].text).toString('base64')}`);
const templateSource = readFileSync(join(here, 'index.html'), 'utf8');
const staticDoc = staticDocument(templateSource);
prerenderDefault(wrapCore(nodeCore), staticDoc);
// renderAccuracy also fills the accuracy card, far below the first screen: not written.
for (const id of ['accuracy-kind', 'accuracy-body']) staticDoc.byId.delete(id);
const prerendered = applyToTemplate(templateSource, staticDoc);
// What a link hides until its own answer is shown: these elements, and each prerendered one
// must lie in one of them (or be one).
const LINK_HIDES = { answer: '#answer>*', 'mem-sub': '#mem-sub', 'mem-table': '#mem-table', 'mini-verdict': '#mini-verdict' };
for (const id of staticDoc.byId.keys()) {
  if (!Object.keys(LINK_HIDES).some((root) => root === id || contains(templateSource, root, id)))
    throw new Error(`build_web: the prerendered #${id} is in none of the elements a link hides (LINK_HIDES)`);
}
const hideForLink = `${Object.values(LINK_HIDES).map((sel) => `.link ${sel}`).join(',')}{visibility:hidden}`;
const css = pageCss + prerendered.css + hideForLink;
// Runs before the body is parsed: marks a link that carries a scenario (parameters other than
// embed= and theme= in the query, or in a hash that is not an element id: web/src/state.js,
// stateFromUrl and isAnchorHash). In the single file it also starts the page's script, which
// travels in a data block (#app-src) rather than a script the parser would stop at: compiling
// it came before the first paint (~100-270 ms of a cold start). Without a scenario in the URL
// the prerendered answer is painted first, then the script runs (after that frame, or 100 ms
// for a hidden page, which gets no frames); with one it runs once the document is parsed. The
// script element is removed once run, so a copy saved from the browser does not run it twice.
// It also lays out an embed (embed=1|true|answer) and applies theme=light|dark before the
// first paint (stateFromUrl reads the same parameters; the last one wins), rather than when the
// script runs. `prestart`, on every page with scripts on, shows the form as its summary line until
// main.js has the first live answer in the page (for a link, until that answer's frame is done;
// start()): its ~40 controls, styled and laid out before the first paint, held the default's
// prerendered answer back (answer on screen 4.02x -> 2.95x the empty page, docs/performance.md,
// stop 18), and before the script they take no input; an embed's details stay folded until
// main.js folds them.
// window.llmcalcWasm() starts the WebAssembly module's compile from the data block (#wasm-gzip:
// base64 -> DecompressionStream -> WebAssembly.compileStreaming, off the main thread) and
// returns its promise, once; go() calls it just before the page's script runs, so the module
// compiles while that script is parsed, compiled and fills the pickers (web/src/core.js calls it
// too: in the served build app.js runs first).
const headScript = "(function(d,l){var h=l.hash.slice(1),p=l.search.slice(1).split('&'),c=d.documentElement.classList,k,r,e,t,P;" +
  "if(!/^[A-Za-z][\\w-]*$/.test(h))p=p.concat(h.split('&'));" +
  "if(k=p.some(function(s){return s&&!/^(embed|theme)(=|$)/.test(s)}))c.add('link');" +
  "p.forEach(function(s){if(/^embed=/.test(s))e=s.slice(6);if(/^theme=/.test(s))t=s.slice(6)});" +
  "c.add('prestart');if(e=='answer'||e=='1'||e=='true')c.add('embed');if(e=='answer')c.add('embed-answer');" +
  "if(t=='light'||t=='dark')c.add('theme-'+t);" +
  "function W(){var w=d.getElementById('wasm-gzip'),b,u,i;if(!P&&w){b=w.textContent;" +
  "if(Uint8Array.fromBase64)u=Uint8Array.fromBase64(b);else{b=atob(b);u=new Uint8Array(b.length);for(i=0;i<b.length;)u[i]=b.charCodeAt(i++)}" +
  "(P=WebAssembly.compileStreaming(new Response(new Response(u).body.pipeThrough(new DecompressionStream('gzip')),{headers:{'content-type':'application/wasm'}}))).catch(function(){})}return P}" +
  "window.llmcalcWasm=W;" +
  "function go(){var s=d.getElementById('app-src'),e;if(r||!s)return;r=1;W();" +
  "e=d.createElement('script');e.textContent=s.textContent;d.body.appendChild(e);e.remove()}" +
  "d.addEventListener('DOMContentLoaded',function(){if(k)return go();" +
  "requestAnimationFrame(function(){setTimeout(go)});setTimeout(go,100)})})(document,location)";
for (const [name, text] of [['app.js', js], ['app-deferred.js', deferredJs], ['app.css', css], ['the head script', headScript]]) {
  if (/<\/(script|style)/i.test(text)) throw new Error(`${name} contains a closing tag; it cannot be inlined`);
  // Non-ASCII bytes could be re-encoded when a browser saves the page, breaking the hashes.
  if (/[^\x00-\x7f]/.test(text)) throw new Error(`${name} is not pure ASCII`);
}

// Embind in Emscripten 3.1 builds its invokers with new Function() unless the module is
// linked with -sDYNAMIC_EXECUTION=0; only then can the CSP leave out 'unsafe-eval'.
const moduleText = readFileSync(wasmModule, 'utf8');
const needsEval = /new Function\(|\beval\(/.test(moduleText);
if (needsEval) {
  console.warn('build_web: WARNING: the WASM module uses new Function()/eval (link it with ' +
    "-sDYNAMIC_EXECUTION=0); the CSP has to allow 'unsafe-eval' for it to run");
}
const evalSource = needsEval ? " 'unsafe-eval'" : '';

const template = prerendered.html.replace('%%HEAD_SCRIPT%%', () => `<script>${headScript}</script>`);
const sha = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

// Common directives: nothing may be fetched, framed, posted or used as a base URL. img-src
// allows data: only for the empty inline favicon (without it browsers ask the server for
// /favicon.ico). 'wasm-unsafe-eval' is what WebAssembly compilation needs, nothing more.
const common = "default-src 'none'; connect-src 'none'; img-src data:; font-src 'none'; object-src 'none'; " +
  "media-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'";

// The .wasm's data block: base64 holds no '<', so it cannot end the element early.
const wasmBlock = `<script type="application/octet-stream" id="wasm-gzip">${wasmBase64}</script>`;
function page(csp, style, script) {
  return template
    .replace('%%CSP%%', () => csp)
    .replace('%%STYLE%%', () => style)
    .replace('%%SCRIPT%%', () => wasmBlock + script);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Served build: external files from the same origin.
writeFileSync(join(out, 'app.js'), js);
writeFileSync(join(out, 'app-deferred.js'), deferredJs);
writeFileSync(join(out, 'app.css'), css);
writeFileSync(join(out, 'index.html'), page(
  `${common}; script-src 'self' ${sha(headScript)} 'wasm-unsafe-eval'${evalSource}; style-src 'self'`,
  '<link rel="stylesheet" href="app.css">',
  '<script id="app" src="app.js"></script>'));

// Single file: the inline script and style are allowed by their SHA-256 hashes (stricter
// than 'unsafe-inline': no other inline code can run, not even an injected attribute).
const single = page(
  `${common}; script-src ${sha(headScript)} ${sha(js)} ${sha(deferredJs)} 'wasm-unsafe-eval'${evalSource}; style-src ${sha(css)}`,
  `<style>${css}</style>`,
  `<script type="text/plain" id="app-src">${js}</script><script type="text/plain" id="app-deferred-src">${deferredJs}</script>`);
writeFileSync(join(out, 'llmcalc.html'), single);
mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(join(out, 'llmcalc.html'), join(root, 'dist/llmcalc.html'));

const raw = Buffer.byteLength(single);
const gz = gzipSync(single, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const inputs = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('.js'))].inputs;
// The module: its glue in the script and the .wasm's data block.
const wasmBytes = wasmBlock.length + Object.entries(inputs).filter(([k]) => k.includes('llmcalc_core')).reduce((a, [, v]) => a + v.bytesInOutput, 0);
const deferredInputs = deferredResult.metafile.outputs[Object.keys(deferredResult.metafile.outputs).find((k) => k.endsWith('.js'))].inputs;
const uplotBytes = Object.entries(deferredInputs).filter(([k]) => k.includes('uplot')).reduce((a, [, v]) => a + v.bytesInOutput, 0);
console.log(`build_web: web/dist/index.html (+ app.js ${kb(js.length)}, app-deferred.js ${kb(deferredJs.length)}, app.css ${kb(css.length)})`);
console.log(`build_web: web/dist/llmcalc.html and dist/llmcalc.html: ${kb(raw)} raw, ${kb(gz)} gzip ` +
  `(budgets 1024 KiB raw, 300 KiB gzip; of which WASM module ${kb(wasmBytes)} (.wasm ${kb(wasmBinary.length)}, ` +
  `inlined gzip-compressed as ${kb(wasmGzip.length)} + base64), uPlot ${kb(uplotBytes)})`);
writeFileSync(join(out, 'sizes.json'), JSON.stringify({ raw, gzip: gz, js: js.length, js_deferred: deferredJs.length, css: css.length, wasm_module: wasmBytes, wasm_binary: wasmBinary.length, wasm_gzip: wasmGzip.length, uplot: uplotBytes, csp_unsafe_eval: needsEval }, null, 2) + '\n');
