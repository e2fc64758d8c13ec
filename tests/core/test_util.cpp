#include "test_util.hpp"

#include <gtest/gtest.h>

namespace llmcalc::test {

Scenario scenario(const std::string& json) {
  ScenarioResult r = parse_scenario(json);
  if (!r.scenario) {
    std::string all;
    for (const auto& e : r.errors) all += e.path + " " + e.code + ": " + e.message + "\n";
    ADD_FAILURE() << "scenario rejected: " << json << "\n" << all;
    return Scenario{};
  }
  return *r.scenario;
}

Report run(const std::string& json) { return estimate(scenario(json)); }

double item(const Report& r, const std::string& id) {
  for (const auto& i : r.memory.items)
    if (i.id == id) return i.bytes;
  return 0;
}

bool has_item(const Report& r, const std::string& id) {
  for (const auto& i : r.memory.items)
    if (i.id == id) return true;
  return false;
}

Errors errors_of(const std::string& json) {
  ScenarioResult r = parse_scenario(json);
  EXPECT_FALSE(r.scenario.has_value()) << "expected errors for " << json;
  return r.errors;
}

const Phase* phase(const Report& r, const std::string& id) {
  for (const auto& p : r.latency.phases)
    if (p.id == id) return &p;
  return nullptr;
}

}  // namespace llmcalc::test
