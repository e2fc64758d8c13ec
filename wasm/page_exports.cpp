// The calculator page's boundary (LLMCALC_WASM_PAGE, wasm/CMakeLists.txt): plain C functions over
// the same llmcalc::*_json calls as llmcalc_wasm.cpp, without embind. Each takes UTF-8 text as
// (pointer, length) and returns the first byte of its JSON answer, llmcalc_answer_size() bytes
// long, valid until the next call; wasm/js/page_module.mjs gives these the embind builds' shape
// for wasm/js/api.mjs. Why not embind here: its runtime (every builtin type's registration and
// conversions in the glue, their C++ side in the module) is a large part of the page's bytes for
// five functions of strings; measured in the commit that made this file (docs/performance.md, Size).
// Like the embind builds without exceptions, a C++ throw (which the core is designed never to do)
// unwinds to JavaScript, where api.mjs reports it.
#include <emscripten/emscripten.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "llmcalc/api.hpp"

namespace {
std::string g_answer;  // the last answer, read by JavaScript at once
const char* answer(std::string a) {
  g_answer = std::move(a);
  return g_answer.data();
}
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE std::size_t llmcalc_answer_size() { return g_answer.size(); }

EMSCRIPTEN_KEEPALIVE const char* llmcalc_estimate(const char* s, std::size_t n) {
  return answer(llmcalc::estimate_json({s, n}));
}
EMSCRIPTEN_KEEPALIVE const char* llmcalc_sweep(const char* s, std::size_t n, const char* t, std::size_t m) {
  return answer(llmcalc::sweep_json({s, n}, {t, m}));
}
EMSCRIPTEN_KEEPALIVE const char* llmcalc_solve(const char* s, std::size_t n, const char* t, std::size_t m) {
  return answer(llmcalc::solve_json({s, n}, {t, m}));
}
EMSCRIPTEN_KEEPALIVE const char* llmcalc_plan(const char* s, std::size_t n, const char* t, std::size_t m) {
  return answer(llmcalc::plan_json({s, n}, {t, m}));
}
EMSCRIPTEN_KEEPALIVE const char* llmcalc_import_hf_config(const char* s, std::size_t n) {
  return answer(llmcalc::import_hf_config_json({s, n}));
}
EMSCRIPTEN_KEEPALIVE const char* llmcalc_version() { return answer(std::string(llmcalc::version())); }

}  // extern "C"
