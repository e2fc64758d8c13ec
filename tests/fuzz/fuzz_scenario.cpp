// Feeds arbitrary bytes to every JSON entry point as a scenario: each must return an envelope
// (never crash, throw or produce a non-finite number).
#include <cstdint>
#include <string_view>

#include "check.hpp"
#include "llmcalc/api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using llmcalc::fuzz::check_envelope;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_envelope(llmcalc::estimate_json(text));
  check_envelope(llmcalc::import_hf_config_json(text));
  check_envelope(llmcalc::sweep_json(text, R"({"vary":"batch","values":[1,3]})"));
  return 0;
}
