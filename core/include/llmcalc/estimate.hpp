#pragma once
// The core entry point: a validated scenario in, a report out. Pure; no I/O.

#include "llmcalc/report.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

enum class Detail { full, numbers };

// Detail::numbers leaves every formula empty: the same numbers, several times faster, for
// solvers and sweeps that only draw or search.
Report estimate(const Scenario& scenario, Detail detail = Detail::full);

}  // namespace llmcalc
