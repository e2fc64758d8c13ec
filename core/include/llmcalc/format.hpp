#pragma once
// The report as a readable text table (the CLI's default output).

#include <string>

#include "llmcalc/report.hpp"

namespace llmcalc {

// decimal: GB (1e9) instead of GiB (2^30); every figure is labelled with its unit.
std::string format_report_table(const Report& r, bool decimal = false);

}  // namespace llmcalc
