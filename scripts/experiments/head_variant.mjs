// Writes a copy of the single page whose <head> script starts differently, for cold-start
// experiments (issue 18; docs/performance.md, stop 20). Variants measured and not taken:
//   worker            the module compiled in a blob: worker, created when the script asks for it
//   worker-early      the same worker created as the <head> script runs (marks T0, TW: worker up, TM: module back)
//   link-after-paint  a link's script after the first paint, as the default's
//   free-answer       a link's answer at no cost: at DOMContentLoaded the prerendered answer is shown
//                     and the page's script never runs (the bound of scripts/experiments/link_bound.mjs)
// The CSP's hash of the <head> script is recomputed (and worker-src opened to blob: for the workers).
//   node scripts/experiments/head_variant.mjs VARIANT IN.html OUT.html
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const [variant, input, output] = process.argv.slice(2);
const page = readFileSync(input, 'utf8');
const head = page.match(/<script>(\(function\(d,l\)\{.*?\}\)\(document,location\))<\/script>/)?.[1];
const oldW = head?.match(/function W\(\)\{.*?return P\}/)?.[0];
if (!head || !oldW) throw new Error(`${input}: no <head> script with W() as web/build.mjs writes it`);

// The page's own compile (base64 -> DecompressionStream -> compileStreaming) as a function of the text.
const C = "function C(b){var u,i;if(Uint8Array.fromBase64)u=Uint8Array.fromBase64(b);else{b=atob(b);u=new Uint8Array(b.length);for(i=0;i<b.length;)u[i]=b.charCodeAt(i++)}" +
  "return WebAssembly.compileStreaming(new Response(new Response(u).body.pipeThrough(new DecompressionStream('gzip')),{headers:{'content-type':'application/wasm'}}))}";
const workerSource = "'var C='+C+';postMessage(1);onmessage=function(e){C(e.data).then(postMessage,function(){postMessage(0)})}'";
const spawn = `new Worker(URL.createObjectURL(new Blob([${workerSource}])))`;
// The worker posts 1 once it runs, then the module (or 0: the page compiles it itself).
const receive = "X.onmessage=function(e){if(e.data===1){TW=performance.now();return}window.__exp={T0:T0,TW:TW,TM:performance.now()};e.data?y(e.data):f()};X.onerror=f;X.postMessage(b)";
const variants = {
  worker: () => head.replace(oldW, C + "var X,T0,TW;function W(){var w=d.getElementById('wasm-gzip'),b;if(!P&&w){b=w.textContent;" +
    `P=new Promise(function(y,n){function f(){y(C(b))}try{T0=performance.now();X=${spawn}}catch(e){return f()}${receive}});P.catch(function(){})}return P}`),
  'worker-early': () => head.replace(oldW, C + `var X,T0=performance.now(),TW;try{X=${spawn}}catch(e){}` +
    "function W(){var w=d.getElementById('wasm-gzip'),b;if(!P&&w){b=w.textContent;" +
    `P=new Promise(function(y,n){function f(){y(C(b))}if(!X)return f();${receive}});P.catch(function(){})}return P}`),
  'link-after-paint': () => head.replace('if(k)return go();', ''),
  'free-answer': () => head.replace('if(k)return go();', "if(k){c.remove('link');return}"),
};
if (!variants[variant]) throw new Error(`variant: one of ${Object.keys(variants).join(', ')}`);
const changed = variants[variant]();
if (changed === head) throw new Error(`${variant}: the <head> script did not change`);
const hash = (t) => `sha256-${createHash('sha256').update(t).digest('base64')}`;
let out = page.replace(head, () => changed).replace(hash(head), hash(changed));
if (variant.startsWith('worker')) out = out.replace("worker-src 'none'", 'worker-src blob:');
writeFileSync(output, out);
console.log(`${output}: ${variant}, <head> script ${changed.length - head.length >= 0 ? '+' : ''}${changed.length - head.length} B`);
