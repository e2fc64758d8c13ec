// Each memory item's colour: a CSS custom property of the palette (styles.css, light and dark).
// The DOM (memory bar, legend) uses the property itself, so its colours need no computed style
// and follow the colour scheme; the charts' canvases resolve it (charts.js, readTheme).
export const ITEM_COLOR_VAR = {
  weights: '--c1', quantization_scales: '--c11', lora_adapters: '--c10', gradients: '--c2', master_weights: '--c8',
  optimizer_states: '--c4', kv_cache: '--c3', recurrent_state: '--c13', activations: '--c6', logits: '--c5', fragmentation: '--c7',
  runtime_overhead: '--c9', other: '--c12',
};

export const itemColorVar = (id) => `var(${ITEM_COLOR_VAR[id] ?? ITEM_COLOR_VAR.other})`;
