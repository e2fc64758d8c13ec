// The page's WebAssembly core. The binary travels inside the page gzip-compressed and
// base64-encoded in a data block, <script type="application/octet-stream" id="wasm-gzip">
// (web/build.mjs): about a third of the text the single-file module would inline, and
// outside the page's script, so the JavaScript parser never reads it.
// DecompressionStream is native (Chromium 80, Firefox 113, Safari 16.4); no network.
import createLlmCalcCore from '../../build/wasm/wasm/llmcalc_core_page.mjs';
import { memoizedLoader } from '../../wasm/js/api.mjs';

// base64 -> bytes: natively where the browser can (Uint8Array.fromBase64: Chromium 140,
// Firefox 133, Safari 18.2), else atob and a loop (measured ~40 ms of a cold start in
// Chromium, where the loop still runs in the interpreter).
function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// The bytes go straight into the decompressor. A Blob's stream() instead hands them to the
// browser process and reads them back in chunks: at a cold start that took 130-250 ms here.
async function wasmBinary() {
  const block = document.getElementById('wasm-gzip');
  if (!block) throw new Error('the page has no WebAssembly data block (#wasm-gzip)');
  const bytes = decodeBase64(block.textContent);
  const gunzip = new DecompressionStream('gzip');
  const writer = gunzip.writable.getWriter();
  writer.write(bytes);
  writer.close();
  return new Uint8Array(await new Response(gunzip.readable).arrayBuffer());
}

// The same memoized loader as wasm/js/browser.mjs, over the page's compressed binary.
export const createLlmCalc = memoizedLoader(() =>
  wasmBinary().then((binary) => {
    performance.mark('llmcalc:wasm-inflated');
    return createLlmCalcCore({ wasmBinary: binary });
  }));
