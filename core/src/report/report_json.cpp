#include "report_json.hpp"

#include <cmath>

#include "json_writer.hpp"

namespace llmcalc {

using nlohmann::json;

namespace {

// {"op": "*", "value": v, "args": [...]} or a leaf {"value": v, "label": ..., "unit": ...}.
void write_expression(JsonWriter& w, const Expressions& x, int32_t i) {
  const ExprNode& e = x.at(i);
  w.begin_object();
  if (e.op != ExprOp::leaf) w.field("op", expr_op_name(e.op));
  w.field("value", e.value);
  if (e.label_size > 0) w.field("label", x.label(e));
  if (e.unit_size > 0) w.field("unit", x.unit(e));
  if (e.op != ExprOp::leaf) {
    w.key("args").begin_array();
    for (const int32_t a : x.args(e)) write_expression(w, x, a);
    w.end_array();
  }
  w.end_object();
}

// Numbers-only reports have an empty formula and no tree.
void write_formula(JsonWriter& w, const Report& r, const std::string& formula, int32_t root) {
  w.field("formula", formula);
  if (root == Expressions::kNone) return;
  w.key("expression");
  write_expression(w, r.expressions, root);
}

void write_phase(JsonWriter& w, const Report& r, const Phase& p) {
  w.begin_object()
      .field("id", p.id)
      .field("label", p.label)
      .field("flops", p.flops)
      .field("attention_flops", p.attention_flops)
      .field("bytes", p.bytes)
      .field("elementwise_bytes", p.elementwise_bytes)
      .field("arithmetic_intensity", p.arithmetic_intensity)
      .field("bound", bound_name(p.bound))
      .field("compute_s", p.compute_s)
      .field("memory_s", p.memory_s)
      .field("elementwise_s", p.elementwise_s)
      .field("comm_s", p.comm_s)
      .field("overhead_s", p.overhead_s);
  if (!r.devices.empty()) {  // offload only, so that other reports keep their shape
    w.field("host_bytes", p.host_bytes).field("host_flops", p.host_flops).field("host_s", p.host_s)
        .field("transfer_bytes", p.transfer_bytes).field("transfer_s", p.transfer_s)
        .field("handovers", p.handovers).field("handover_bytes", p.handover_bytes).field("handover_s", p.handover_s);
    if (r.devices.size() > 2) w.field("other_gpus_s", p.other_gpus_s);  // extra_gpus only
  }
  w.field("time_s", p.time_s);
  write_formula(w, r, p.formula, p.expression);
  w.end_object();
}

}  // namespace

void write_report(JsonWriter& w, const Report& r) {
  w.begin_object();
  w.key("model").begin_object().field("id", r.model_id).field("name", r.model_name).end_object();
  w.field("mode", mode_name(r.mode));
  w.field("method", method_name(r.method));
  w.key("gpu").begin_object().field("id", r.gpu_id).field("name", r.gpu_name)
      .field("count", static_cast<long long>(r.gpu_count)).end_object();
  w.key("params").begin_object()
      .field("total", static_cast<long long>(r.params.total))
      .field("active", static_cast<long long>(r.params.active))
      .field("trainable", static_cast<long long>(r.params.trainable))
      .field("published", static_cast<long long>(r.params.published))
      .field("checkpoint_bytes", static_cast<long long>(r.params.checkpoint_bytes))
      .field("checkpoint_computed_bytes", r.params.checkpoint_computed_bytes)
      .end_object();
  w.key("memory").begin_object().key("items").begin_array();
  for (const auto& i : r.memory.items)
  {
    w.begin_object().field("id", i.id).field("label", i.label)
        .field("group", memory_group_name(memory_kind_info(i.kind).group)).field("bytes", i.bytes);
    write_formula(w, r, i.formula, i.expression);
    w.end_object();
  }
  w.end_array()
      .field("total_bytes", r.memory.total_bytes)
      .field("capacity_bytes", r.memory.capacity_bytes)
      .field("headroom_bytes", r.memory.headroom_bytes)
      .field("fits", r.memory.fits)
      .end_object();
  if (!r.devices.empty()) {  // offload: each device's memory and verdict
    w.key("devices").begin_array();
    for (const auto& d : r.devices) {
      w.begin_object().field("id", d.id).field("name", d.name);
      if (!d.items.empty()) {
        w.key("items").begin_array();
        for (const auto& i : d.items) {
          w.begin_object().field("id", i.id).field("label", i.label)
              .field("group", memory_group_name(memory_kind_info(i.kind).group)).field("bytes", i.bytes);
          write_formula(w, r, i.formula, i.expression);
          w.end_object();
        }
        w.end_array();
      }
      w.field("total_bytes", d.total_bytes).field("capacity_bytes", d.capacity_bytes)
          .field("headroom_bytes", d.headroom_bytes).field("fits", d.fits).end_object();
    }
    w.end_array();
  }
  w.key("flops").begin_object().field("per_token_forward", r.flops.per_token_forward)
      .key("items").begin_array();
  for (const auto& i : r.flops.items)
  {
    w.begin_object().field("id", i.id).field("label", i.label).field("flops", i.flops);
    write_formula(w, r, i.formula, i.expression);
    w.end_object();
  }
  w.end_array().end_object();
  w.key("latency");
  if (r.has_performance && r.mode == Mode::inference) {
    const LatencyReport& L = r.latency;
    w.begin_object().key("phases").begin_array();
    for (const auto& p : L.phases) write_phase(w, r, p);
    w.end_array()
        .field("ttft_s", L.ttft_s)
        .field("decode_first_s", L.decode_first_s)
        .field("decode_last_s", L.decode_last_s)
        .field("decode_total_s", L.decode_total_s)
        .field("end_to_end_s", L.end_to_end_s)
        .field("tokens_per_s_per_sequence", L.tokens_per_s_per_sequence)
        .field("tokens_per_s_total", L.tokens_per_s_total)
        .field("cost_per_million_tokens", L.cost_per_million_tokens)
        .end_object();
  } else {
    w.null();
  }
  w.key("training");
  if (r.has_performance && r.mode == Mode::training) {
    const TrainingPerfReport& T = r.training;
    w.begin_object().key("step");
    write_phase(w, r, T.step);
    w.field("step_s", T.step.time_s)
        .field("tokens_per_step", T.tokens_per_step)
        .field("tokens_per_s", T.tokens_per_s)
        .field("mfu", T.mfu)
        .field("recompute_overhead", T.recompute_overhead)
        .field("pipeline_bubble", T.pipeline_bubble)
        .field("run_time_s", T.run_time_s)
        .field("gpu_hours", T.gpu_hours)
        .field("run_cost", T.run_cost)
        .field("cost_per_million_tokens", T.cost_per_million_tokens)
        .end_object();
  } else {
    w.null();
  }
  // Only a scenario that names an engine gets the block, so generic reports stay as they were.
  if (r.engine.id != "generic" && !r.engine.id.empty()) {
    const EngineReport& E = r.engine;
    w.key("engine").begin_object()
        .field("id", E.id)
        .field("name", E.name)
        .field("active", E.active)
        .field("policy", E.policy);
    if (!E.basis.empty()) w.field("basis", E.basis);
    if (E.active && !E.policy.empty() && E.policy != "none") {
      w.key("kv_pool").begin_object()
          .field("bytes", E.kv_pool_bytes)
          .field("tokens", static_cast<long long>(E.kv_pool_tokens))
          .field("blocks", static_cast<long long>(E.kv_pool_blocks))
          .field("block_tokens", static_cast<long long>(E.block_tokens))
          .field("bytes_per_token", E.kv_bytes_per_token);
      if (E.has_pool) write_formula(w, r, E.kv_pool_formula, E.kv_pool_expression);
      w.end_object();
      if (E.profile_peak_bytes > 0) w.field("profile_peak_bytes", E.profile_peak_bytes);
      if (E.profile_tokens > 0)
        w.key("profile_run").begin_object()
            .field("tokens", static_cast<long long>(E.profile_tokens))
            .field("seqs", static_cast<long long>(E.profile_seqs))
            .end_object();
      // vLLM V1 only: the budget and what lies before its baseline.
      if (E.budget_bytes > 0)
        w.field("budget_bytes", E.budget_bytes).field("before_budget_bytes", E.before_budget_bytes);
      w.field("max_model_len", static_cast<long long>(E.max_model_len))
          .field("max_concurrent_sequences", E.max_concurrent_sequences);
      if (E.max_num_seqs > 0) w.field("max_num_seqs", static_cast<long long>(E.max_num_seqs));
      w.field("starts", E.starts)
          .field("longest_context", static_cast<long long>(E.longest_context))
          .field("command", E.command);
    }
    w.end_object();
  }
  w.key("notes").begin_array();
  for (const auto& n : r.notes) w.value(n);
  w.end_array();
  // Written only when there are some, so that reports without any keep their shape.
  if (!r.warnings.empty()) {
    w.key("warnings").begin_array();
    for (const auto& x : r.warnings) {
      w.begin_object().field("code", x.code).field("message", x.message);
      if (x.bytes > 0) w.field("bytes", x.bytes);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
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
        where = std::string("/").append(it.key()).append(where);
        return true;
      }
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      if (find_non_finite(j[i], where)) {
        where = std::string("/").append(std::to_string(i)).append(where);
        return true;
      }
    }
  }
  return false;
}

}  // namespace llmcalc
