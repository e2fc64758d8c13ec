#pragma once
// The core entry point: a validated scenario in, a report out. Pure; no I/O.

#include "llmcalc/report.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

Report estimate(const Scenario& scenario);

}  // namespace llmcalc
