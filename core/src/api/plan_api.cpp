// plan_json: a scenario and the plan's goals in, the ranked plan out. The goals are read here
// from their own small table (plan_goal_fields), each error under /goals with its code.
#include <algorithm>

#include "../analyses/plan_candidates.hpp"
#include "../json/json_reader.hpp"
#include "../report/report_json.hpp"
#include "llmcalc/api.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/plan.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc {

using nlohmann::json;

namespace {

constexpr PlanGoalField kGoalFields[] = {
    {"context", "--context", "integer | \"max\"",
     "tokens per sequence to plan for, or \"max\": the longest that fits (default \"max\")"},
    {"min_context", "--min-context", "integer",
     "with context \"max\": the shortest context acceptable (default 4096, llama.cpp's --fit-ctx)"},
    {"min_quality", "--min-quality", "string",
     "the lowest weight format acceptable: a tier (Q2..Q8, int4, fp8, bf16) or a format name "
     "(Q4_K_M): formats with fewer nominal bits are not tried"},
    {"margin_bytes", "--margin-bytes", "number",
     "memory kept free on each device (default 1 GiB, llama.cpp's --fit-target)"},
    {"weights", "--quants", "string[]",
     "candidate weight formats (default: the engine's list, e.g. F16..IQ1_S for llama.cpp)"},
    {"kv_cache", "--kv-types", "string[]", "candidate KV cache types (default: f16, q8_0, q4_0 for "
                                           "llama.cpp and Ollama; bf16, fp8 otherwise)"},
    {"prefer", "--prefer", "\"quality\" | \"speed\"",
     "rank by quality (bits per weight) then speed, or by decode speed first (default quality)"},
    {"alternatives", "--alternatives", "integer", "ranked alternatives to return besides the best (0-50, default 5)"},
};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
std::string fail(const Errors& e) { return dump(errors_to_json(e)); }

// A list of names: each must be a string the engine family reads; duplicates refused.
std::vector<std::string> read_names(json_io::ObjectReader& r, std::string_view key, PlanFamily f,
                                    bool weights, Errors& errors) {
  std::vector<std::string> out;
  const json* v = r.raw(key);
  if (v == nullptr) return out;
  const std::string path = r.child_path(key);
  if (!v->is_array() || v->empty() || v->size() > 64) {
    errors.push_back({path, "wrong_type", "must be a non-empty array of at most 64 names"});
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const std::string p = path + "/" + std::to_string(i);
    const json& n = (*v)[i];
    if (!n.is_string()) {
      errors.push_back({p, "wrong_type", "must be a string"});
      continue;
    }
    const std::string name = n.get<std::string>();
    const bool known = weights ? find_field("/precision/weights")->choices->parse(name).has_value()
                               : (valid_kv(PlanFamily::gguf, name) || valid_kv(PlanFamily::generic, name));
    if (!known) {
      errors.push_back({p, "unknown_value",
                        json_io::quote(name) + " is not a " +
                            (weights ? "weight format" : "KV cache type")});
      continue;
    }
    const bool fits_family = weights ? valid_weights(f, name) : valid_kv(f, name);
    if (!fits_family) {
      errors.push_back({p, "inconsistent",
                        json_io::quote(name) + (f == PlanFamily::gguf
                                                    ? " is not read by llama.cpp/Ollama (use a GGUF name such as Q4_K_M or q8_0)"
                                                    : " is a llama.cpp name; this engine takes dtypes (bf16, fp8, int4)")});
      continue;
    }
    if (std::find(out.begin(), out.end(), name) != out.end()) {
      errors.push_back({p, "duplicate", json_io::quote(name) + " is listed twice"});
      continue;
    }
    out.push_back(name);
  }
  return out;
}

std::optional<PlanGoals> read_goals(const json& j, const Scenario* s, Errors& errors) {
  json_io::ObjectReader r(&j, "/goals", errors);
  if (!r.valid()) return std::nullopt;
  r.reject_unknown({"context", "min_context", "min_quality", "margin_bytes", "weights", "kv_cache",
                    "prefer", "alternatives"});
  PlanGoals g;
  const size_t before = errors.size();
  if (const json* c = r.raw("context")) {
    if (c->is_string()) {
      if (c->get<std::string>() != "max")
        r.error("context", "unknown_value", "must be a number of tokens or \"max\"");
    } else if (auto n = r.integer("context", 1, kMaxTokens)) {
      g.context = *n;
    }
  }
  if (auto n = r.integer("min_context", 1, kMaxTokens, kDefaultPlanMinContext)) g.min_context = *n;
  if (g.context > 0 && r.has("min_context"))
    r.error("min_context", "inconsistent", "goes with context \"max\" only");
  if (auto q = r.has("min_quality") ? r.string("min_quality") : std::nullopt) {
    g.min_quality_bits = nominal_bits(*q);
    if (g.min_quality_bits == 0)
      r.error("min_quality", "unknown_value",
              json_io::quote(*q) + " is not a quality tier (Q2..Q8, int4, int8, fp8, bf16, fp32) or "
                                   "weight format name");
  }
  if (auto m = r.number("margin_bytes", 0, 1e15, kDefaultPlanMarginBytes)) g.margin_bytes = *m;
  if (auto p = r.choice("prefer", {"quality", "speed"}, 0)) g.prefer = PlanPrefer(*p);
  if (auto a = r.integer("alternatives", 0, kMaxPlanAlternatives, 5)) g.alternatives = *a;
  if (s != nullptr) {
    const PlanFamily f = plan_family(*s);
    g.weights = read_names(r, "weights", f, true, errors);
    g.kv_cache = read_names(r, "kv_cache", f, false, errors);
    if (s->mode != Mode::inference)
      errors.push_back({"/scenario/mode", "inconsistent", "a plan is for inference"});
  }
  if (errors.size() != before) return std::nullopt;
  return g;
}

json candidate_json(const PlanCandidate& c, PlanFamily f) {
  json devices = json::array();
  for (const auto& d : c.devices)
    devices.push_back({{"device", d.device},
                       {"name", d.name},
                       {"used_bytes", d.used_bytes},
                       {"capacity_bytes", d.capacity_bytes},
                       {"margin_bytes", d.margin_bytes},
                       {"headroom_bytes", d.headroom_bytes}});
  double kv = 0;
  for (const auto& i : c.report.memory.items)
    if (i.kind == MemoryKind::kv_cache) kv += i.bytes;
  // The scenario fields that make this candidate, to merge into the user's scenario.
  json changes = {{"precision", {{"weights", c.weights}}},
                  {"options", {{"flash_attention", c.flash_attention}}},
                  {"workload", {{"prompt", c.scenario.workload.prompt}, {"generate", c.scenario.workload.generate}}}};
  if (f == PlanFamily::gguf)
    changes["engine_options"] = {{"kv_cache_type", c.kv_cache}, {"num_ctx", c.context}};
  else changes["precision"]["kv_cache"] = c.kv_cache;
  if (f == PlanFamily::serving) changes["engine_options"] = {{"max_model_len", c.context}};
  // llama.cpp's split (-ngl, --n-cpu-moe) when the plan offloads; null when all is on the GPU.
  json offload = nullptr;
  if (c.offloaded) {
    offload = {{"gpu_layers", c.gpu_layers}, {"cpu_moe_layers", c.cpu_moe_layers}};
    changes["offload"] = offload;
  }
  return {{"weights", c.weights},
          {"kv_cache", c.kv_cache},
          {"context", c.context},
          {"flash_attention", c.flash_attention},
          {"quality_bits", c.quality_bits},
          {"fits", c.fits},
          {"weight_bytes", c.weight_bytes},
          {"kv_cache_bytes", kv},
          {"devices", devices},
          {"offload", offload},
          {"decode_tokens_per_s", c.decode_tokens_per_s},
          {"ttft_s", c.ttft_s},
          {"command", c.report.engine.command},
          {"why", c.why},
          {"scenario_changes", changes}};
}

}  // namespace

std::span<const PlanGoalField> plan_goal_fields() { return kGoalFields; }

std::string plan_json(std::string_view scenario, std::string_view goals_text) {
  ScenarioResult parsed = parse_scenario(scenario);
  Errors errors = parsed.errors;
  for (auto& e : errors) e.path = "/scenario" + e.path;
  auto goals_json = json_io::parse_text(goals_text, "/goals", errors);
  std::optional<PlanGoals> goals;
  if (goals_json) goals = read_goals(*goals_json, parsed.scenario ? &*parsed.scenario : nullptr, errors);
  if (!errors.empty() || !parsed.scenario || !goals) return fail(errors);
  const Scenario& s = *parsed.scenario;
  const PlanFamily f = plan_family(s);
  const PlanAnswer a = make_plan(s, *goals);
  json ranked = json::array();
  for (const auto& c : a.ranked) ranked.push_back(candidate_json(c, f));
  json body = {{"found", a.found},
               {"engine", a.engine},
               {"explanation", a.explanation},
               {"goals",
                {{"context", goals->context > 0 ? json(goals->context) : json("max")},
                 {"min_context", goals->min_context},
                 {"min_quality_bits", goals->min_quality_bits},
                 {"margin_bytes", goals->margin_bytes},
                 {"prefer", goals->prefer == PlanPrefer::speed ? "speed" : "quality"}}},
               {"fitting", a.fitting},
               {"ranked", ranked},
               {"estimates", a.estimates},
               {"stopped", a.stopped},
               {"notes", a.notes}};
  if (a.found) {
    json cmds = json::array();
    for (const auto& c : plan_commands(a.ranked.front())) {
      json j = {{"engine", c.engine}, {"command", c.command}};
      if (!c.lines.empty()) j["lines"] = c.lines;
      if (!c.note.empty()) j["note"] = c.note;
      cmds.push_back(j);
    }
    body["commands"] = cmds;
  } else if (a.has_closest_miss) {
    body["closest_miss"] = candidate_json(a.closest_miss, f);
    body["shortfall_bytes"] = a.shortfall_bytes;
  }
  std::string where;
  if (find_non_finite(body, where))
    return fail({{where, "internal", "non-finite number in the result (a bug)"}});
  body["ok"] = true;
  return dump(body);
}

}  // namespace llmcalc
