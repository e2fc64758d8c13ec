// Shared by the Node tests: the API over the Node build, plus golden scenarios.
import { createLlmCalc, loadCore, wrapCore } from '../../wasm/js/node.mjs';

export { createLlmCalc, loadCore, wrapCore };

export const GiB = 2 ** 30;

export const SEED_INFERENCE = {
  model: 'llama-2-7b',
  method: 'seed',
  workload: { batch: 4, prompt: 4096, generate: 0 },
};

export const SEED_TRAINING = {
  model: 'llama-2-7b',
  mode: 'training',
  method: 'seed',
  workload: { batch: 4, seq: 4096 },
};

export function gib(bytes) {
  return Math.round((bytes / GiB) * 100) / 100;
}
