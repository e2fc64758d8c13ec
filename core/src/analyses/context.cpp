#include "context.hpp"

#include "performance.hpp"

#include <algorithm>

namespace llmcalc {

Context::Context(const Scenario& scenario, Expressions* arena)
    : s(scenario), a(scenario.model.arch), tensors(tensor_inventory(scenario.model.arch)),
      exprs(arena) {
  counts = count_params(tensors);
  tp = static_cast<double>(s.parallelism.tp);
  pp = static_cast<double>(s.parallelism.pp);
  dp = static_cast<double>(s.parallelism.dp);
  layers_per_stage = (a.num_layers + s.parallelism.pp - 1) / s.parallelism.pp;
  in_flight_micro_batches =
      s.mode == Mode::training ? std::min(s.parallelism.pp, s.workload.grad_accum) : 1;
}

MemoryItem Context::item(MemoryKind kind, const Ex& e, std::string label) const {
  const MemoryKindInfo& info = memory_kind_info(kind);
  MemoryItem i;
  i.kind = kind;
  i.id = info.id;
  i.label = label.empty() ? std::string(info.label) : std::move(label);
  i.bytes = e.v;
  if (exprs != nullptr) {
    i.expression = root_of(*exprs, e);
    i.formula = render_text(*exprs, i.expression);
  }
  return i;
}

FlopItem Context::flop_item(std::string id, std::string label, const Ex& e) const {
  FlopItem i{std::move(id), std::move(label), e.v, {}, Expressions::kNone};
  if (exprs != nullptr) {
    i.expression = root_of(*exprs, e);
    i.formula = render_text(*exprs, i.expression);
  }
  return i;
}

void Context::set_formula(Phase& p, const Ex& time) const {
  if (exprs == nullptr) return;
  p.expression = root_of(*exprs, time);
  p.formula = render_text(*exprs, p.expression);
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
