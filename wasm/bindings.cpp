// Registers the adapters of llmcalc_wasm.hpp with embind. Nothing else belongs here:
// strings in, strings out (UTF-8 JSON text), so JavaScript never owns a C++ object.
#include <emscripten/bind.h>

#include "llmcalc_wasm.hpp"

EMSCRIPTEN_BINDINGS(llmcalc) {
  emscripten::function("estimate_json", &llmcalc::wasm::estimate);
  emscripten::function("sweep_json", &llmcalc::wasm::sweep);
  emscripten::function("solve_json", &llmcalc::wasm::solve);
  emscripten::function("plan_json", &llmcalc::wasm::plan);
  emscripten::function("import_hf_config_json", &llmcalc::wasm::import_hf_config);
  emscripten::function("version", &llmcalc::wasm::version);
  // The calculator page's module does not use this file: wasm/page_exports.cpp exports the few
  // functions it calls, without embind (and without the GGUF importer, 26 KB, and the listings).
  emscripten::function("import_gguf_json", &llmcalc::wasm::import_gguf);
  emscripten::function("models_json", &llmcalc::wasm::models);
  emscripten::function("gpus_json", &llmcalc::wasm::gpus);
  emscripten::function("kinds_json", &llmcalc::wasm::kinds);
  emscripten::function("engines_json", &llmcalc::wasm::engines);
  emscripten::function("export_hf_config_json", &llmcalc::wasm::export_hf_config);
  emscripten::function("schema_json", &llmcalc::wasm::schema);
}
