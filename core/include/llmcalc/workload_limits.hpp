#pragma once
// The workload's limits for the sweeps (each point is checked as a scenario with that value
// would be: tests/core/api_limits_test.cpp compares the two) and the solvers' search ranges.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmcalc/scenario.hpp"
#if __has_include("llmcalc/schema.hpp")
#include "llmcalc/schema.hpp"  // the schema's field table owns kMaxBatch and kMaxTokens
#define LLMCALC_SCHEMA_LIMITS 1
#endif

namespace llmcalc {

#ifndef LLMCALC_SCHEMA_LIMITS
// Until the schema's field table lands; the same values as the scenario reader's.
inline constexpr int64_t kMaxBatch = 1'000'000;     // batch and grad_accum
inline constexpr int64_t kMaxTokens = 100'000'000;  // 100M-token contexts are beyond any model
#endif

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
