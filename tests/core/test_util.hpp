#pragma once
// Helpers shared by the core tests: build scenarios from JSON text and read report items.

#include <string>

#include "llmcalc/estimate.hpp"
#include "llmcalc/parse.hpp"

namespace llmcalc::test {

inline constexpr double kGiB = 1073741824.0;

// Parses and validates; fails the current test (and returns a default scenario) on errors.
Scenario scenario(const std::string& json);
Report run(const std::string& json);
// Bytes of the item with this id; 0 when absent.
double item(const Report& r, const std::string& id);
bool has_item(const Report& r, const std::string& id);
// The errors of an invalid scenario (fails the test if it was valid).
Errors errors_of(const std::string& json);
const Phase* phase(const Report& r, const std::string& id);

}  // namespace llmcalc::test
