// The Hugging Face importer: arbitrary bytes as a config.json, alone and inside a scenario.
// Every size a config gives must be bounded before any work that scales with it (issue 16:
// 1e9 num_hidden_layers with a long mlp_only_layers list ran ~1e12 iterations), which the
// per-input -timeout of scripts/test_native.sh turns into a failure.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "llmcalc/api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using llmcalc::fuzz::check_envelope;
  const std::string_view config(reinterpret_cast<const char*>(data), size);
  check_envelope(llmcalc::import_hf_config_json(config));
  // The same config as a scenario's model, estimated and trained on (the layout's degrees
  // and the solver depend on its sizes too).
  const std::string model = std::string(R"({"model":{"hf_config":)") + std::string(config) + "}";
  check_envelope(llmcalc::estimate_json(model + "}"));
  check_envelope(llmcalc::estimate_json(model + R"(,"mode":"training","parallelism":{"pp":2}})"));
  return 0;
}
