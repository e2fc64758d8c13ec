#include "llmcalc_wasm.hpp"

#include <exception>
#include <new>
#include <utility>

#include "llmcalc/api.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc::wasm {
namespace {

// Minimal JSON string escaping for the error message (the message is ASCII we control,
// except for what() text, which is sanitised to printable ASCII here).
std::string ascii_json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += '?';
    }
  }
  out += '"';
  return out;
}

std::string internal_error(std::string_view what) {
  return std::string(R"({"errors":[{"code":"internal","message":)") +
         ascii_json_string(std::string("internal error in the core (a bug): ") +
                           std::string(what.substr(0, 300))) +
         R"(,"path":""}],"ok":false})";
}

// The last answer, kept alive for the view handed to JavaScript.
std::string g_answer;

emscripten::val view_of(std::string answer) {
  g_answer = std::move(answer);
  return emscripten::val(emscripten::typed_memory_view(
      g_answer.size(), reinterpret_cast<const unsigned char*>(g_answer.data())));
}

// Runs one core call; a C++ exception escaping the core (a bug: the core is designed never
// to throw) is turned into an error envelope instead of aborting the whole module.
template <typename F>
emscripten::val guarded(F&& f) {
  try {
    return view_of(std::forward<F>(f)());
  } catch (const std::bad_alloc&) {
    return view_of(internal_error("out of memory"));
  } catch (const std::exception& e) {
    return view_of(internal_error(e.what()));
  } catch (...) {
    return view_of(internal_error("unknown exception"));
  }
}

}  // namespace

emscripten::val estimate(const std::string& scenario) {
  return guarded([&] { return llmcalc::estimate_json(scenario); });
}

emscripten::val sweep(const std::string& scenario, const std::string& spec) {
  return guarded([&] { return llmcalc::sweep_json(scenario, spec); });
}

emscripten::val solve(const std::string& scenario, const std::string& question) {
  return guarded([&] { return llmcalc::solve_json(scenario, question); });
}

emscripten::val plan(const std::string& scenario, const std::string& goals) {
  return guarded([&] { return llmcalc::plan_json(scenario, goals); });
}

emscripten::val models() {
  return guarded([] { return llmcalc::models_json(); });
}

emscripten::val gpus() {
  return guarded([] { return llmcalc::gpus_json(); });
}

emscripten::val kinds() {
  return guarded([] { return llmcalc::kinds_json(); });
}

emscripten::val engines() {
  return guarded([] { return llmcalc::engines_json(); });
}

emscripten::val import_hf_config(const std::string& config) {
  return guarded([&] { return llmcalc::import_hf_config_json(config); });
}

emscripten::val export_hf_config(const std::string& model_id) {
  return guarded([&] { return llmcalc::export_hf_config_json(model_id); });
}

emscripten::val import_gguf(const std::string& bytes, double file_size) {
  return guarded([&] { return llmcalc::import_gguf_json(bytes, file_size); });
}

emscripten::val schema() {
  return guarded([] { return llmcalc::schema_json(); });
}

std::string version() { return std::string(llmcalc::version()); }

}  // namespace llmcalc::wasm
