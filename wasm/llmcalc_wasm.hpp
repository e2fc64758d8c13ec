#pragma once
// The WebAssembly boundary: thin adapters over llmcalc::*_json (core/include/llmcalc/api.hpp).
// Each takes and returns JSON text. In builds with C++ exceptions on (LLMCALC_WASM_EXCEPTIONS
// js|wasm) anything the core throws (it aims not to) becomes an {"ok":false} envelope with
// code "internal" here; in the default build (none) the throw unwinds to JavaScript and
// wasm/js/api.mjs does the same. bindings.cpp registers these with embind; nothing else
// lives there.

#include <string>

namespace llmcalc::wasm {

std::string estimate(const std::string& scenario);
std::string sweep(const std::string& scenario, const std::string& spec);
std::string solve(const std::string& scenario, const std::string& question);
std::string models();
std::string gpus();
std::string import_hf_config(const std::string& config);
std::string export_hf_config(const std::string& model_id);
std::string version();

}  // namespace llmcalc::wasm
