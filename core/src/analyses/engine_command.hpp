#pragma once
// The command line that starts a scenario's engine with the report's engine block
// (engine_serving.cpp); empty for an engine without one. The plan reuses it for each engine it
// prints, so there is one renderer per engine.

#include <string>

#include "llmcalc/report.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

std::string engine_command(const Scenario& s, const EngineReport& e);

}  // namespace llmcalc
