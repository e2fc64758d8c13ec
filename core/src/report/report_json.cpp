#include "report_json.hpp"

#include <cmath>

namespace llmcalc {

using nlohmann::json;

json phase_to_json(const Phase& p) {
  return {{"id", p.id},
          {"label", p.label},
          {"flops", p.flops},
          {"attention_flops", p.attention_flops},
          {"bytes", p.bytes},
          {"elementwise_bytes", p.elementwise_bytes},
          {"arithmetic_intensity", p.arithmetic_intensity},
          {"bound", bound_name(p.bound)},
          {"compute_s", p.compute_s},
          {"memory_s", p.memory_s},
          {"elementwise_s", p.elementwise_s},
          {"comm_s", p.comm_s},
          {"overhead_s", p.overhead_s},
          {"time_s", p.time_s},
          {"formula", p.formula}};
}

json report_to_json(const Report& r) {
  json items = json::array();
  for (const auto& i : r.memory.items)
    items.push_back({{"id", i.id}, {"label", i.label}, {"bytes", i.bytes}, {"formula", i.formula}});
  json flop_items = json::array();
  for (const auto& i : r.flops.items)
    flop_items.push_back({{"id", i.id}, {"label", i.label}, {"flops", i.flops}, {"formula", i.formula}});
  json j = {
      {"model", {{"id", r.model_id}, {"name", r.model_name}}},
      {"mode", mode_name(r.mode)},
      {"method", r.method == Method::seed ? "seed" : "detailed"},
      {"gpu", {{"id", r.gpu_id}, {"name", r.gpu_name}, {"count", r.gpu_count}}},
      {"params",
       {{"total", r.params.total},
        {"active", r.params.active},
        {"trainable", r.params.trainable},
        {"published", r.params.published}}},
      {"memory",
       {{"items", items},
        {"total_bytes", r.memory.total_bytes},
        {"capacity_bytes", r.memory.capacity_bytes},
        {"headroom_bytes", r.memory.headroom_bytes},
        {"fits", r.memory.fits}}},
      {"flops", {{"per_token_forward", r.flops.per_token_forward}, {"items", flop_items}}},
      {"latency", nullptr},
      {"training", nullptr},
      {"notes", r.notes}};
  if (r.has_performance && r.mode == Mode::inference) {
    const LatencyReport& L = r.latency;
    json phases = json::array();
    for (const auto& p : L.phases) phases.push_back(phase_to_json(p));
    j["latency"] = {{"phases", phases},
                    {"ttft_s", L.ttft_s},
                    {"decode_first_s", L.decode_first_s},
                    {"decode_last_s", L.decode_last_s},
                    {"decode_total_s", L.decode_total_s},
                    {"end_to_end_s", L.end_to_end_s},
                    {"tokens_per_s_per_sequence", L.tokens_per_s_per_sequence},
                    {"tokens_per_s_total", L.tokens_per_s_total},
                    {"cost_per_million_tokens", L.cost_per_million_tokens}};
  }
  if (r.has_performance && r.mode == Mode::training) {
    const TrainingPerfReport& T = r.training;
    j["training"] = {{"step", phase_to_json(T.step)},
                     {"step_s", T.step.time_s},
                     {"tokens_per_step", T.tokens_per_step},
                     {"tokens_per_s", T.tokens_per_s},
                     {"mfu", T.mfu},
                     {"recompute_overhead", T.recompute_overhead},
                     {"pipeline_bubble", T.pipeline_bubble},
                     {"run_time_s", T.run_time_s},
                     {"gpu_hours", T.gpu_hours},
                     {"run_cost", T.run_cost}};
  }
  return j;
}

json errors_to_json(const Errors& errors) {
  json arr = json::array();
  for (const auto& e : errors)
    arr.push_back({{"path", e.path}, {"code", e.code}, {"message", e.message}});
  return {{"ok", false}, {"errors", arr}};
}

bool find_non_finite(const json& j, std::string& where) {
  if (j.is_number_float()) {
    if (!std::isfinite(j.get<double>())) return true;
    return false;
  }
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (find_non_finite(it.value(), where)) {
        where = "/" + it.key() + where;
        return true;
      }
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      if (find_non_finite(j[i], where)) {
        where = "/" + std::to_string(i) + where;
        return true;
      }
    }
  }
  return false;
}

}  // namespace llmcalc
