#pragma once
// The WebAssembly boundary: thin adapters over llmcalc::*_json (core/include/llmcalc/api.hpp).
// Each takes JSON text and returns its JSON answer as a Uint8Array view of UTF-8 bytes in the
// module's memory, valid until the next call: JavaScript decodes it at once with TextDecoder
// (wasm/js/api.mjs, textCore), which is several times faster than embind's per-byte string
// conversion of a 5 KB report. In builds with C++ exceptions on (LLMCALC_WASM_EXCEPTIONS
// js|wasm) anything the core throws (it aims not to) becomes an {"ok":false} envelope with
// code "internal" here; in the default build (none) the throw unwinds to JavaScript and
// wasm/js/api.mjs does the same. bindings.cpp registers these with embind; nothing else
// lives there.

#include <string>

#include <emscripten/val.h>

namespace llmcalc::wasm {

emscripten::val estimate(const std::string& scenario);
emscripten::val sweep(const std::string& scenario, const std::string& spec);
emscripten::val solve(const std::string& scenario, const std::string& question);
emscripten::val plan(const std::string& scenario, const std::string& goals);
emscripten::val models();
emscripten::val gpus();
emscripten::val kinds();
emscripten::val engines();
emscripten::val import_hf_config(const std::string& config);
emscripten::val export_hf_config(const std::string& model_id);
// The first bytes of a GGUF file (a Uint8Array from File.slice) and the file's size.
emscripten::val import_gguf(const std::string& bytes, double file_size);
// The scenario schema (llmcalc/schema.hpp): fields, enums, error codes.
emscripten::val schema();
std::string version();

}  // namespace llmcalc::wasm
