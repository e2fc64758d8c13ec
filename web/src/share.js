// The link, share and embed snippets, and the JSON/CSV exports.
import { $, setText, show, download } from './dom.js';
import { MAX_URL_CHARS, linkFor } from './state.js';
import * as fmt from './format.js';
import { app, charts } from './app.js';

// ---------------------------------------------------------------- URL, share, export

// Where the page is hosted, when the build was told (LLMCALC_BASE_URL, web/build.mjs): the
// single file opened from disk then offers links to the hosted page instead of file:// ones.
// eslint-disable-next-line no-undef
const HOSTED = typeof __LLMCALC_BASE_URL__ === 'string' ? __LLMCALC_BASE_URL__ : '';
const fromFile = () => location.protocol === 'file:';

export function baseUrl() {
  const here = location.href.replace(/#.*$/, '');
  return fromFile() && HOSTED ? HOSTED + location.search : here;
}

// Embed options of the link (embed=answer, theme=light|dark|auto): the layout, the colours
// (the host page's choice rather than the reader's OS setting), and the height posted to the
// host page so that the iframe can fit its content (the snippet's listener sets it).
let heightObserver = null;
export function applyPageOptions(r) {
  document.body.classList.toggle('embed-answer', r.embed === 'answer');
  const root = document.documentElement.classList;
  root.toggle('theme-light', r.theme === 'light');
  root.toggle('theme-dark', r.theme === 'dark');
  if (r.embed && window.parent !== window && !heightObserver) {
    let last = 0;
    heightObserver = new ResizeObserver(() => {
      const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height === last) return;
      last = height;
      window.parent.postMessage({ type: 'llmcalc-height', height }, '*');
    });
    heightObserver.observe(document.documentElement);
  }
}

// The few lines of script the host page needs to follow the embed's height.
// (The tags are assembled at run time: the page's own HTML holds exactly one <script>.)
const LT = String.fromCharCode(60);
const LISTENER = `${LT}script>addEventListener("message",function(e){var f=document.getElementById("llmcalc-embed");` +
  `if(f&&e.source===f.contentWindow&&e.data&&e.data.type==="llmcalc-height")f.style.height=e.data.height+"px"})${LT}/script>`;

export function writeUrl() {
  const { hash } = linkFor(app.state);
  const target = hash ? `#${hash}` : location.pathname + location.search;
  if (location.hash.replace(/^#/, '') !== hash) history.replaceState(null, '', target);
}

export function writeShare() {
  const { hash, omitted, full } = linkFor(app.state);
  // A link over MAX_URL_CHARS could not be opened again: it leaves the config out, and says so.
  setText($('share-note'), omitted
    ? `The pasted config.json is too large for a link (${fmt.grouped(full)} characters; a link may carry ${fmt.grouped(MAX_URL_CHARS)}): this link leaves it out, and opening it asks for the config again. Share the config.json file with it.`
    : '');
  show($('share-note'), omitted);
  const base = new URL(baseUrl());
  base.searchParams.delete('embed');
  base.searchParams.delete('theme');
  const noEmbed = base.href;
  const share = noEmbed + (hash ? `#${hash}` : '');
  $('share-link').value = share;
  const theme = $('embed-theme').value;
  const opts = `${theme !== 'auto' ? `theme=${theme}&` : ''}embed=${$('embed-answer').checked ? 'answer' : '1'}`;
  const embedSrc = `${noEmbed}${noEmbed.includes('?') ? '&' : '?'}${opts}${hash ? `#${hash}` : ''}`;
  $('embed-code').value = `<iframe id="llmcalc-embed" src="${embedSrc.replace(/"/g, '%22')}" title="llmcalc: GPU memory and speed of an LLM" width="100%" height="${$('embed-answer').checked ? 320 : 900}" style="border:0" loading="lazy"></iframe>\n${LISTENER}`;
  $('open-full').href = share;
  // From disk, a link or an embed points at this computer's file: it needs the page hosted.
  const local = fromFile();
  setText($('host-note'), local ? (HOSTED ? `This page is a local file; the link and embed below point at the hosted page (${HOSTED}).`
    : 'This page is a local file: a link or an embed only works for others once the page is hosted on a web server (the single file llmcalc.html can be).') : '');
  show($('host-note'), local);
}

export function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportCsv(report) {
  const u = app.state.unit;
  const div = fmt.unitDivisor(u);
  const rows = [['section', 'id', 'label', 'value', 'unit', 'formula']];
  const mem = report.memory;
  for (const i of mem.items) rows.push(['memory', i.id, i.label, i.bytes, 'bytes', i.formula]);
  for (const i of mem.items) rows.push([`memory_${u}`, i.id, i.label, (i.bytes / div).toFixed(4), u, '']);
  rows.push(['memory', 'total', 'Total per GPU', mem.total_bytes, 'bytes', '']);
  rows.push(['memory', 'capacity', 'GPU capacity', mem.capacity_bytes, 'bytes', '']);
  rows.push(['memory', 'headroom', 'Headroom', mem.headroom_bytes, 'bytes', '']);
  rows.push(['memory', 'fits', 'Fits', mem.fits ? 'yes' : 'no', '', '']);
  rows.push(['params', 'total', 'Parameters', report.params.total, 'params', '']);
  rows.push(['params', 'active', 'Active parameters', report.params.active, 'params', '']);
  if (report.latency) {
    const L = report.latency;
    for (const [id, label, unit] of [['ttft_s', 'Time to first token', 's'], ['decode_first_s', 'Decode step (start)', 's'],
      ['decode_last_s', 'Decode step (end)', 's'], ['end_to_end_s', 'End-to-end', 's'],
      ['tokens_per_s_per_sequence', 'Tokens/s per sequence', 'tokens/s'], ['tokens_per_s_total', 'Tokens/s total', 'tokens/s']])
      rows.push(['latency', id, label, L[id], unit, '']);
    for (const p of L.phases) rows.push(['phase', p.id, `${p.label} (${p.bound}-bound)`, p.time_s, 's', p.formula]);
  }
  if (report.training) {
    const Tr = report.training;
    for (const [id, label, unit] of [['step_s', 'Step time', 's'], ['tokens_per_step', 'Tokens per step', 'tokens'],
      ['tokens_per_s', 'Tokens/s', 'tokens/s'], ['mfu', 'MFU', 'fraction']])
      rows.push(['training', id, label, Tr[id], unit, '']);
    rows.push(['phase', Tr.step.id, `${Tr.step.label} (${Tr.step.bound}-bound)`, Tr.step.time_s, 's', Tr.step.formula]);
  }
  for (const n of report.notes || []) rows.push(['note', '', n, '', '', '']);
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function fileStem() {
  const id = app.last ? String(app.last.report.model.id).replace(/[^A-Za-z0-9._-]+/g, '_') : 'scenario';
  return `llmcalc-${id}-${app.state.mode}`;
}

export function setupShare() {
  for (const id of ['embed-answer', 'embed-theme']) $(id).addEventListener('change', writeShare);
  for (const b of document.querySelectorAll('[data-copy]')) {
    b.addEventListener('click', async () => {
      const src = $(b.dataset.copy);
      src.select();
      let ok = false;
      try {
        await navigator.clipboard.writeText(src.value);
        ok = true;
      } catch {
        ok = document.execCommand && document.execCommand('copy');
      }
      setText($('copy-status'), ok ? 'Copied.' : 'Selected: press Ctrl+C (or \u2318C) to copy.');
    });
  }
  $('export-json').addEventListener('click', () => {
    if (!app.last) return;
    const body = { generator: `llmcalc web ${app.core.version}`, url: $('share-link').value, scenario: app.last.scenario, report: app.last.report };
    download(`${fileStem()}.json`, new Blob([JSON.stringify(body, null, 2) + '\n'], { type: 'application/json' }));
  });
  $('export-csv').addEventListener('click', () => {
    if (!app.last) return;
    download(`${fileStem()}.csv`, new Blob([reportCsv(app.last.report)], { type: 'text/csv' }));
  });
  for (const b of document.querySelectorAll('button.png')) {
    b.addEventListener('click', async () => {
      const chart = charts[b.dataset.chart]; // none until the deferred block has run (deferred.js)
      if (!chart) return;
      const blob = await chart.toPngBlob();
      if (blob) download(`${fileStem()}-${b.dataset.chart}.png`, blob);
    });
  }
}
