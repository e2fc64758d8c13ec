#include "llmcalc/estimate.hpp"

#include <optional>

#include "context.hpp"
#include "memory.hpp"
#include "performance.hpp"
#include "warnings.hpp"

namespace llmcalc {

Report estimate(const Scenario& s, Detail detail) {
  // The formulas are recorded only for a full report; a numbers-only estimate computes the
  // same values with plain doubles (no arena, no text).
  Report r;
  if (detail == Detail::full) r.expressions.reserve(512, 8192);
  const Context c(s, detail == Detail::full ? &r.expressions : nullptr);
  r.model_id = s.model.id;
  r.model_name = s.model.name;
  r.mode = s.mode;
  r.method = s.method;
  r.notes = s.input_notes;  // inputs that do not apply (see parse_scenario)
  r.gpu_id = s.gpu.id;
  r.gpu_name = s.gpu.name;
  r.gpu_count = s.gpu_count;
  r.params.total = c.counts.total;
  r.params.active = c.counts.active;
  r.params.published = s.model.published_params;
  r.params.trainable = s.mode == Mode::training ? trainable_params(c) : 0;

  Items items;
  items.reserve(12);  // the most a report holds, so the vector never regrows
  if (s.method == Method::seed) {
    add_seed_items(c, items);
  } else if (s.mode == Mode::inference) {
    add_weight_items(c, items);
    add_kv_cache_item(c, items);
    add_recurrent_state_item(c, items);
    add_inference_activation_items(c, items);
    add_runtime_overhead_items(c, items);
  } else {
    add_weight_items(c, items);
    add_training_state_items(c, items);
    add_training_activation_items(c, items);
    add_runtime_overhead_items(c, items);
  }
  r.memory = assemble_memory(c, std::move(items));
  r.flops.items.reserve(2);
  r.latency.phases.reserve(3);
  add_performance(c, r);
  add_engine_report(c, r);
  add_notes(c, r);
  // Warnings re-estimate changed scenarios (numbers only, which never come back here).
  if (detail == Detail::full) add_warnings(s, r);
  return r;
}

}  // namespace llmcalc
