// The CLI's argument layer as a library: compose_scenario() (core/src/scenario/compose.cpp)
// turns the --scenario file, the --hf-config file and the flags, as typed, into scenario
// text. The input is NUL-separated: scenario file, HF config file (empty: not given), then
// flag, value, flag, value... Issue 16's crashes lived here: invalid UTF-8 in a value
// (SIGABRT from a throwing dump), 75,000-deep JSON (stack overflow), nan/inf/0x10 values.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "llmcalc/api.hpp"
#include "llmcalc/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = input.find('\0', start);
    parts.push_back(input.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  llmcalc::ScenarioSources sources;
  if (!parts[0].empty()) sources.scenario_text = parts[0];
  if (parts.size() > 1 && !parts[1].empty()) sources.hf_config_text = parts[1];
  for (size_t i = 2; i + 1 < parts.size(); i += 2)
    sources.flags.emplace_back(std::string(parts[i]), std::string(parts[i + 1]));
  const llmcalc::TextResult r = llmcalc::compose_scenario(sources);
  // Text or errors, never both or neither; errors name a field and are valid UTF-8.
  if (r.text.has_value() == !r.errors.empty()) std::abort();
  for (const auto& e : r.errors)
    if (!llmcalc::is_utf8(e.path) || !llmcalc::is_utf8(e.message)) std::abort();
  if (r.text) {
    if (!llmcalc::is_utf8(*r.text)) std::abort();
    llmcalc::fuzz::check_envelope(llmcalc::estimate_json(*r.text));
  }
  return 0;
}
