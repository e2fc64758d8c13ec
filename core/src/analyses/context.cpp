#include "context.hpp"

#include "performance.hpp"

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
  if (text_enabled()) roofline_text = make_roofline_text(s.gpu, s.precision);
}

double Context::tp_share(const TensorGroup& t) const {
  if (t.kind == TensorKind::router) return 1.0;
  return t.is_matrix() || t.kind == TensorKind::bias ? 1.0 / tp : 1.0;
}

int64_t Context::kv_heads_per_gpu() const {
  const int64_t tpi = s.parallelism.tp;
  return std::max<int64_t>(1, (a.num_kv_heads + tpi - 1) / tpi);
}

}  // namespace llmcalc
