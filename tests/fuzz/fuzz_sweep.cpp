// Sweeps: the input is a sweep spec (first line, JSON) and a scenario (the rest). Each point
// is validated as a scenario, a request's work and answer are capped (issue 16: a
// 10,000-point full sweep wrote 56 MB), so every input answers within the -timeout.
#include <cstdint>
#include <string_view>

#include "check.hpp"
#include "llmcalc/api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find('\n');
  const std::string_view spec = cut == std::string_view::npos ? input : input.substr(0, cut);
  const std::string_view scenario =
      cut == std::string_view::npos ? R"({"model":"llama-2-7b"})" : input.substr(cut + 1);
  const std::string out = llmcalc::sweep_json(scenario, spec);
  llmcalc::fuzz::check_envelope(out);
  if (out.size() > (16u << 20)) std::abort();  // the answer's cap (core/src/api/api.cpp)
  return 0;
}
