// Feeds arbitrary bytes to every JSON entry point: each must return an envelope (never crash,
// throw or produce a non-finite number: the API turns one into an "internal" error, which
// this target treats as a bug).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "llmcalc/api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::string& out : {llmcalc::estimate_json(text), llmcalc::import_hf_config_json(text),
                                 llmcalc::sweep_json(text, R"({"vary":"batch","values":[1,3]})")}) {
    if (out.rfind("{\"", 0) != 0 || out.find("\"internal\"") != std::string::npos) std::abort();
  }
  return 0;
}
