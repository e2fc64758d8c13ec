// Local hardware on the page (issue 15): unified-memory machines in the GPU picker with their
// memory sizes and the GPU's memory limit, llama.cpp's -ngl / --n-cpu-moe and the system RAM
// they offload to, and the report's memory per device (each GPU and the RAM, a verdict each).
import { $, el, setText, show } from './dom.js';
import { v, patch } from './patch.js';
import { PRESETS } from 'llmcalc:presets';
import { FILE_WEIGHTS, LLAMA_ENGINES, QUANTIZED, UNIFIED } from './state.js';
import * as fmt from './format.js';
import { app } from './app.js';
import { CPUS } from './local_cpus.js';

// Scenario paths of the local fields -> their inputs (ahead of form.js's catch-all /hardware).
export const LOCAL_PATHS = [
  [/^\/hardware\/extra_gpus\/1/, 'f-gpu3'],
  [/^\/hardware\/extra_gpus/, 'f-gpu2'],
  [/^\/offload\/tensor_split/, 'f-ts'],
  [/^\/hardware\/cpu_flops/, 'f-cpuf'],
  [/^\/hardware\/cpu/, 'f-cpu'],
  [/^\/hardware\/gpu_memory_limit/, 'f-wired'],
  [/^\/hardware\/host_memory_bytes/, 'f-ramgb'],
  [/^\/hardware\/host_/, 'f-ram'],
  [/^\/hardware\/ram_read/, 'f-rre'],
  [/^\/offload\/cpu_moe/, 'f-ncmoe'],
  [/^\/offload\/backend/, 'f-be'],
  [/^\/offload/, 'f-ngl'],
];

// The unified machines as a group of the GPU picker, after the discrete GPUs.
export function unifiedOptions() {
  return el('optgroup', { label: 'Unified memory (Mac, Strix Halo, DGX Spark)' },
    ...PRESETS.unified.map((u) => el('option', { value: u.id, text: u.name })));
}

export const SYSTEM_RAM_OPTIONS = PRESETS.hostMemory.map((h) =>
  [h.id, `${h.name}: ${fmt.grouped(h.bandwidth_bytes_per_s / 1e9)} GB/s`]);

// A second GPU for llama.cpp's layer split (discrete presets; '' = none), and the CPU that runs
// the layers left in system RAM ('' = none: their time is the RAM's reading alone).
export const SECOND_GPU_OPTIONS = [['', 'none'], ...PRESETS.gpus.map((g) => [g.id, g.name])];
export const BACKEND_OPTIONS = [['', 'default (Intel: Vulkan, else CUDA)'], ['cuda', 'CUDA / ROCm'], ['vulkan', 'Vulkan'], ['sycl', 'SYCL']];
export const CPU_OPTIONS = [['', 'none (RAM bandwidth only)'],
  ...CPUS.map(([id, name, flops]) => [id, `${name}: ${fmt.grouped(flops / 1e12, 1)} TFLOP/s`])];

// The memory sizes of the picked machine; the smallest is the default (value 0, as the core's).
function fillUnifiedMemory(u) {
  // Another machine's size (the picker moved between machines): back to this one's smallest.
  if (app.state.umem > 0 && !u.memory_gib.includes(app.state.umem)) app.state.umem = 0;
  const select = $('f-umem');
  if (select.dataset.machine !== u.id) {
    select.dataset.machine = u.id;
    select.replaceChildren(...u.memory_gib.map((gib, i) => el('option', {
      value: i === 0 ? '0' : String(gib),
      text: `${fmt.grouped(gib)} GiB` + (u.gpu_gib[i] > 0
        ? ` (GPU may use ${fmt.grouped(u.gpu_gib[i], 1)} GiB by default)` : ' (GPU share: set the limit)'),
    })));
  }
  const want = u.memory_gib[0] === app.state.umem ? '0' : String(app.state.umem);
  if (select.value !== want) select.value = want;
}

// The weights picker's "checkpoint" entry names the GGUF file's type while one is the model.
function syncFileWeights() {
  const select = $('f-weights');
  const opt = select.querySelector(`option[value="${FILE_WEIGHTS}"]`);
  const q = !app.state.hf && QUANTIZED.get(app.state.model);
  if (opt) setText(opt, app.state.gguf ? `as in the file (${app.state.gguf.gguf?.file_type || 'GGUF'})` : q ? `as the checkpoint (${q})` : 'as the checkpoint');
  if (select.value !== app.state.weights) select.value = app.state.weights;
}

// Called by form.js's syncVisibility: which local fields show, and the machine's figures.
export function syncLocal() {
  const s = app.state;
  const u = UNIFIED.get(s.gpu);
  const b = document.body.classList;
  b.toggle('unified-gpu', Boolean(u));
  b.toggle('llama-engine', LLAMA_ENGINES.has(s.engine));
  b.toggle('gguf-model', Boolean(s.gguf));
  syncFileWeights();
  show($('gguf-active'), Boolean(s.gguf));
  setText($('gguf-name'), s.gguf ? `${s.gguf.name || 'a GGUF file'} (GGUF)` : '');
  if (s.gguf) {
    $('f-model').disabled = true;
    $('model-search').disabled = true;
    setText($('f-model-info'), 'A GGUF file is in use; "Back to presets" leaves it.');
  }
  if (!u) return;
  fillUnifiedMemory(u);
  setText($('f-gpu-info'), `Unified memory: ${fmt.grouped(u.bw / 1e9)} GB/s shared by CPU and GPU, ` +
    `${fmt.grouped(u.f16 / 1e12, 1)} TFLOP/s 16-bit. The GPU may use a share of the memory (macOS: raise it with sudo sysctl iogpu.wired_limit_mb=N).`);
}

// Memory per device: each GPU and the system RAM with what it holds and a verdict each; shown
// while llama.cpp offloads. The verdict badge says "Does not fit" when any device is over.
export function renderDevices(report) {
  const devices = report.devices || [];
  const box = $('device-rows');
  show(box, devices.length > 0);
  const u = app.state.unit;
  patch(box, devices.map((d) => {
    const items = (d.items || []).filter((i) => i.bytes > 0).map((i) => `${i.label} ${fmt.bytes(i.bytes, u)}`).join(', ');
    return v('div', { class: `device ${d.fits ? 'fits' : 'nofit'}`, 'data-device': d.id },
      v('span', { class: `badge ${d.fits ? 'fits' : 'nofit'}`, text: d.fits ? '\u2713 Fits' : '\u2717 Over' }),
      v('strong', { text: ` ${d.id === 'ram' ? 'System RAM' : d.id === 'gpu' ? 'GPU' : `GPU ${Number(d.id.slice(3)) + 1}`}: ` }),
      `${fmt.bytes(d.total_bytes, u)} of ${fmt.bytes(d.capacity_bytes, u)}`,
      d.fits ? ` (${fmt.bytes(d.headroom_bytes, u)} to spare)` : ` (${fmt.bytes(-d.headroom_bytes, u)} over)`,
      v('span', { class: 'hint', text: ` \u00b7 ${d.name}${items ? ` \u00b7 ${items}` : ''}` }));
  }));
  const over = devices.filter((d) => !d.fits);
  if (over.length > 0 && report.memory.headroom_bytes >= 0) {  // memory.fits is every device's
    for (const id of ['fit-badge', 'mini-badge']) {
      $(id).className = 'badge nofit';
      setText($(id), '\u2717 Does not fit');
    }
    setText($('fit-headline'), `The GPU part fits; ${over.map((d) => `${d.id === 'ram' ? 'system RAM' : d.name} is ${fmt.bytes(-d.headroom_bytes, u)} over its ${fmt.bytes(d.capacity_bytes, u)}`).join('; ')}`);
  }
}
