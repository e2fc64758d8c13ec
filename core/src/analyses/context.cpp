#include "context.hpp"

#include <algorithm>

namespace llmcalc {

Context::Context(const Scenario& scenario)
    : s(scenario), a(scenario.model.arch), tensors(tensor_inventory(scenario.model.arch)) {
  counts = count_params(tensors);
  tp = static_cast<double>(s.parallelism.tp);
  pp = static_cast<double>(s.parallelism.pp);
  dp = static_cast<double>(s.parallelism.dp);
  layers_per_stage = (a.num_layers + s.parallelism.pp - 1) / s.parallelism.pp;
  in_flight_micro_batches =
      s.mode == Mode::training ? std::min(s.parallelism.pp, s.workload.grad_accum) : 1;
}

double Context::tp_share(const TensorGroup& t) const {
  if (t.kind == TensorKind::router) return 1.0;
  return t.is_matrix() || t.kind == TensorKind::bias ? 1.0 / tp : 1.0;
}

double Context::per_gpu_elements(const std::function<bool(const TensorGroup&)>& pred) const {
  double layer_part = 0, first_stage = 0, last_stage = 0;
  const double stage_fraction =
      static_cast<double>(layers_per_stage) / static_cast<double>(a.num_layers);
  for (const auto& t : tensors) {
    if (!pred(t)) continue;
    const double n = static_cast<double>(t.params()) * tp_share(t);
    if (t.layers > 0) layer_part += n * stage_fraction;
    else if (t.kind == TensorKind::embedding || t.kind == TensorKind::position) first_stage += n;
    else last_stage += n;
  }
  if (s.parallelism.pp == 1) return layer_part + first_stage + last_stage;
  // With tied embeddings the last stage keeps its own copy of the table for the output
  // projection (Megatron-LM does this), so it counts there too.
  if (a.tie_word_embeddings) {
    for (const auto& t : tensors)
      if (t.kind == TensorKind::embedding && pred(t)) last_stage += t.params() * tp_share(t);
  }
  return layer_part + std::max(first_stage, last_stage);
}

int64_t Context::kv_heads_per_gpu() const {
  const int64_t tpi = s.parallelism.tp;
  return std::max<int64_t>(1, (a.num_kv_heads + tpi - 1) / tpi);
}

}  // namespace llmcalc
