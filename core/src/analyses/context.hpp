#pragma once
// What every analysis of one scenario shares: the scenario, its tensor inventory and the
// per-GPU share of the parallel layout. Built once per estimate.

#include <functional>
#include <vector>

#include "llmcalc/scenario.hpp"
#include "llmcalc/tensors.hpp"

namespace llmcalc {

struct Context {
  explicit Context(const Scenario& scenario);

  const Scenario& s;
  const Architecture& a;
  std::vector<TensorGroup> tensors;
  ParamCounts counts;
  int64_t layers_per_stage = 1;  // ceil(layers / pp): the most loaded pipeline stage
  int64_t in_flight_micro_batches = 1;  // 1F1B keeps min(pp, grad_accum) on the first stage
  double tp = 1, pp = 1, dp = 1;

  // Elements of the tensors matching `pred` that the most loaded GPU holds: layer tensors
  // split over pipeline stages, matrices split over tensor-parallel ranks, embedding on the
  // first stage and lm_head on the last.
  double per_gpu_elements(const std::function<bool(const TensorGroup&)>& pred) const;
  // Fraction of a layer tensor one GPU holds under tp (matrices split; vectors replicated).
  double tp_share(const TensorGroup& t) const;
  // KV heads one tensor-parallel rank holds (replicated when fewer than tp).
  int64_t kv_heads_per_gpu() const;
  // Activations that Megatron replicates across tp ranks unless sequence parallel is on.
  double replicated_share() const { return s.parallelism.sequence_parallel ? 1.0 / tp : 1.0; }
};

}  // namespace llmcalc
