#pragma once
// The workload's limits, defined once for the scenario reader, the sweeps (each point is
// checked as a scenario would be) and the solvers' search ranges.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmcalc/scenario.hpp"

namespace llmcalc {

inline constexpr int64_t kMaxBatch = 1'000'000;     // batch and grad_accum
inline constexpr int64_t kMaxTokens = 100'000'000;  // 100M-token contexts are beyond any model

struct WorkloadProblem {
  std::string_view field;  // the workload field the error is reported on
  std::string message;
};

// What the fields of a workload, each in its range, break together: prompt + generate.
inline std::optional<WorkloadProblem> check_workload(const Workload& w) {
  if (w.prompt + w.generate > kMaxTokens)
    return WorkloadProblem{"generate", "prompt + generate must not exceed " +
                                           std::to_string(kMaxTokens) + " tokens, got " +
                                           std::to_string(w.prompt) + " + " +
                                           std::to_string(w.generate)};
  return std::nullopt;
}

}  // namespace llmcalc
