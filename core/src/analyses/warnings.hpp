#pragma once
// Warnings shown with the verdict: a context beyond the model's trained positions, a fit too
// close to capacity to be safe, and a cheaper change that would make a scenario fit.

#include "llmcalc/report.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

// Fraction of GPU memory above which a fit is flagged: vLLM reserves
// gpu_memory_utilization = 0.90 of the GPU by default (vllm-project/vllm
// vllm/engine/arg_utils.py @001999d2, EngineArgs.gpu_memory_utilization: float = 0.90) and
// TensorRT-LLM's KV cache takes free_gpu_memory_fraction = 0.9 of what is free
// (core/data/engines/tensorrt-llm.json); the rest goes to allocator fragmentation and
// engine reservations the estimate does not count by default.
inline constexpr double kNearCapacityFraction = 0.90;

// Appends r.warnings; `s` is the scenario r was estimated from (r.memory is filled).
// Suggestions re-estimate with Detail::numbers.
void add_warnings(const Scenario& s, Report& r);

}  // namespace llmcalc
