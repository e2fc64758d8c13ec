// A checkpoint's files dropped or picked beside (or instead of) its config.json, told apart by
// what they hold, not by their names:
// - model.safetensors.index.json: its metadata.total_size is shown beside the computed weight
//   bytes (the weight_map, one line per tensor, is left out: the core does not read it);
// - hf_quant_config.json: ModelOpt checkpoints keep their quantization there, not in config.json;
// - a single-file model.safetensors: only its header is read (File.slice): an 8-byte
//   little-endian length, then JSON {name: {dtype, shape, data_offsets: [begin, end]}, ...},
//   (huggingface/safetensors README, "Format"), whose tensor bytes add up to what an index's
//   total_size would say. Nothing is uploaded.
import * as fmt from './format.js';

// The format caps the header at 100 MB (safetensors' MAX_HEADER_SIZE); a real one is ~50-500 KB.
const MAX_HEADER_BYTES = 100_000_000;

export const COMPANIONS = {
  stIndex: 'model.safetensors.index.json',
  hfQuant: 'hf_quant_config.json',
};

// Which companion a parsed JSON file is, or null (then it is taken as a config.json).
export function companionOf(obj) {
  if (obj.weight_map && typeof obj.weight_map === 'object')
    return { field: 'stIndex', value: { metadata: obj.metadata ?? {} } };
  if (obj.quantization && typeof obj.quantization === 'object' && obj.producer)
    return { field: 'hfQuant', value: obj };
  return null;
}

// A .safetensors file's tensor bytes from its header, as an index's {metadata: {total_size}}.
// Returns { field, value } or { error }.
export async function safetensorsIndex(file) {
  const shard = /-(\d+)-of-(\d+)\.safetensors$/i.exec(file.name);
  if (shard && Number(shard[2]) > 1)
    return { error: `${file.name} is one shard of ${Number(shard[2])}: drop model.safetensors.index.json instead (it lists them all).` };
  if (file.size < 8) return { error: `${file.name} is too short to be a safetensors file (${file.size} bytes).` };
  const head = new DataView(await file.slice(0, 8).arrayBuffer());
  const n = Number(head.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER_BYTES || 8 + n > file.size)
    return { error: `${file.name} is not a safetensors file: its header length ${fmt.grouped(n)} does not fit a ${fmt.grouped(file.size)}-byte file.` };
  let header;
  try {
    header = JSON.parse(await file.slice(8, 8 + n).text());
  } catch (e) {
    return { error: `${file.name}: the safetensors header is not valid JSON (${String(e.message).slice(0, 120)}).` };
  }
  if (!header || typeof header !== 'object' || Array.isArray(header))
    return { error: `${file.name}: the safetensors header is not a JSON object.` };
  let total = 0;
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const o = t?.data_offsets;
    if (!Array.isArray(o) || o.length !== 2 || !Number.isSafeInteger(o[0]) || !Number.isSafeInteger(o[1]) || o[1] < o[0] || 8 + n + o[1] > file.size)
      return { error: `${file.name}: tensor ${JSON.stringify(name.slice(0, 60))} has no valid data_offsets within the file.` };
    total += o[1] - o[0];
  }
  if (total === 0) return { error: `${file.name} holds no tensors.` };
  return { field: 'stIndex', value: { metadata: { total_size: total } } };
}

// One line naming the files in use, e.g. "model.safetensors.index.json (16.06 GB of weights)".
export function companionsText(state) {
  const parts = [];
  const total = state.stIndex?.metadata?.total_size;
  if (state.stIndex) parts.push(`${COMPANIONS.stIndex}${typeof total === 'number' ? ` (${fmt.bytes(total, 'GB', 2)} of weights)` : ''}`);
  if (state.hfQuant) parts.push(COMPANIONS.hfQuant);
  return parts.join(' and ');
}

// They describe one checkpoint: another model drops them.
export function clearCompanions(state) {
  state.stIndex = null;
  state.hfQuant = null;
}
