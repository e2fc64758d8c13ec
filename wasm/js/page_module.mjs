// The calculator page's module (wasm/page_exports.cpp: C functions, no embind) in the shape of
// the embind builds that wasm/js/api.mjs wraps: NAME_json(text, ...) returns a Uint8Array view of
// the answer's UTF-8 bytes in the module's memory (valid until the next call), version() a string.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function pageModule(m) {
  // Copies each text into the module's memory, calls `fn` with (pointer, length) pairs and views
  // the answer. malloc may grow the memory: HEAPU8 is read after it, and after the call.
  const call = (fn, texts) => {
    const held = [];
    try {
      const args = [];
      for (const t of texts) {
        const bytes = encoder.encode(t);
        const p = m._malloc(bytes.length + 1);
        held.push(p);
        m.HEAPU8.set(bytes, p);
        args.push(p, bytes.length);
      }
      const at = fn(...args);
      return m.HEAPU8.subarray(at, at + m._llmcalc_answer_size());
    } finally {
      for (const p of held) m._free(p);
    }
  };
  return {
    estimate_json: (s) => call(m._llmcalc_estimate, [s]),
    sweep_json: (s, t) => call(m._llmcalc_sweep, [s, t]),
    solve_json: (s, t) => call(m._llmcalc_solve, [s, t]),
    plan_json: (s, t) => call(m._llmcalc_plan, [s, t]),
    import_hf_config_json: (s) => call(m._llmcalc_import_hf_config, [s]),
    version: () => decoder.decode(call(m._llmcalc_version, [])),
    stackSave: m.stackSave,
    stackRestore: m.stackRestore,
  };
}
