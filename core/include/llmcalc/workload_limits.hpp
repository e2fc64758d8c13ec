#pragma once
// The workload's limits for the sweeps (each point is checked as a scenario with that value
// would be: tests/core/api_limits_test.cpp compares the two) and the solvers' search ranges.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmcalc/scenario.hpp"
#include "llmcalc/schema.hpp"  // kMaxBatch, kMaxTokens: the schema's field table owns the ranges

namespace llmcalc {

struct WorkloadProblem {
  std::string_view field;  // the workload field the error is reported on
  std::string message;
};

// What the fields of a workload, each in its range, break together: prompt + generate (the
// scenario reader's own check gives the same error at /workload/generate).
inline std::optional<WorkloadProblem> check_workload(const Workload& w) {
  if (w.prompt + w.generate > kMaxTokens)
    return WorkloadProblem{"generate", "prompt + generate must not exceed " +
                                           std::to_string(kMaxTokens) + " tokens, got " +
                                           std::to_string(w.prompt) + " + " +
                                           std::to_string(w.generate)};
  return std::nullopt;
}

}  // namespace llmcalc
