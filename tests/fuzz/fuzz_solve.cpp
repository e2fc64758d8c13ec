// The solvers: the input is a question (first line, JSON) and a scenario (the rest). Every
// question's cost is bounded whatever the scenario (issue 16: min-gpus in training was
// quadratic in max_gpus, 6-20 s at 65,536), which the per-input -timeout enforces.
#include <cstdint>
#include <string_view>

#include "check.hpp"
#include "llmcalc/api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using llmcalc::fuzz::check_envelope;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find('\n');
  const std::string_view question = cut == std::string_view::npos ? input : input.substr(0, cut);
  const std::string_view scenario = cut == std::string_view::npos ? "" : input.substr(cut + 1);
  check_envelope(llmcalc::solve_json(scenario, question));
  // The largest search of each kind on the same scenario.
  for (const char* q : {R"({"question":"max-batch"})", R"({"question":"max-context"})",
                        R"({"question":"min-gpus","max_gpus":65536})", R"({"question":"knee"})"})
    check_envelope(llmcalc::solve_json(scenario, q));
  return 0;
}
