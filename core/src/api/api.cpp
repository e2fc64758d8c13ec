#include "llmcalc/api.hpp"

#include <algorithm>

#include "../model/architecture_json.hpp"
#include "../model/gpu_shape.hpp"
#include "../model/gguf_model.hpp"
#include "../model/gguf_reader.hpp"
#include "../model/hf_config.hpp"
#include "../report/json_writer.hpp"
#include "../report/report_json.hpp"
#include "../json/json_reader.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/engine.hpp"
#include "llmcalc/estimate.hpp"
#include "llmcalc/weight_bytes.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/solve.hpp"
#include "llmcalc/tensors.hpp"
#include "llmcalc/workload_limits.hpp"

#ifndef LLMCALC_VERSION
#define LLMCALC_VERSION "0.0.0"
#endif

namespace llmcalc {

using nlohmann::json;

namespace {

// One sweep request evaluates at most kMaxSweepWork units: a compact point costs 1, a point
// with its full report kFullReportPointCost (its expressions and text: ~11 KB of JSON, ~40x a
// compact point's bytes, and ~3 MB for 100 points in the CLI's indented print). An estimate's
// cost does not depend on the model's size, so this bounds a request's time and answer:
// 10,000 compact points (~2.5 MB) or 100 full ones (~1.1 MB).
constexpr size_t kMaxSweepWork = 10'000;
constexpr size_t kFullReportPointCost = 100;
constexpr size_t kMaxAnswerBytes = 16u << 20;
constexpr size_t kMaxPointErrors = 20;  // bad points listed one by one; the rest counted

struct SweepVarInfo {
  std::string_view name;
  SweepVar id;
  int64_t min, max;  // the field's range in a scenario (gpu: unused)
};
const SweepVarInfo kSweepVars[] = {{"batch", SweepVar::batch, 1, kMaxBatch},
                                   {"seq", SweepVar::seq, 1, kMaxTokens},
                                   {"prompt", SweepVar::prompt, 1, kMaxTokens},
                                   {"generate", SweepVar::generate, 0, kMaxTokens},
                                   {"grad_accum", SweepVar::grad_accum, 1, kMaxBatch},
                                   {"gpu", SweepVar::gpu, 0, 0}};

// Invalid UTF-8 (only possible from raw bytes in CLI arguments) is replaced, never thrown on.
std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string fail(const Errors& e) { return dump(errors_to_json(e)); }

// Serializes a success envelope, refusing (as an internal error) any non-finite number so
// that no NaN or Infinity can reach a user.
std::string finish(json body) {
  std::string where;
  if (find_non_finite(body, where))
    return fail({{where, "internal", "non-finite number in the result (a bug)"}});
  body["ok"] = true;
  return dump(body);
}

// The text a JsonWriter holds, or an internal error if a non-finite number reached it.
std::string written(JsonWriter& w) {
  if (w.saw_non_finite())
    return fail({{"", "internal", "non-finite number in the result (a bug)"}});
  return w.take();
}

// A sweep's numbers as parallel arrays (what the page's charts draw), written straight to
// text: through a JSON DOM this was ~70% of a 22-point sweep's instructions.
void write_compact_series(JsonWriter& w, const std::vector<SweepPoint>& points) {
  std::vector<std::string_view> ids;  // every memory item that appears, in order of appearance
  for (const auto& p : points)
    for (const auto& i : p.report.memory.items)
      if (std::find(ids.begin(), ids.end(), i.id) == ids.end()) ids.push_back(i.id);
  const auto column = [&](std::string_view name, auto&& of) {
    w.key(name).begin_array();
    for (const auto& p : points) w.value(of(p));
    w.end_array();
  };
  column("values", [](const SweepPoint& p) { return p.value; });
  column("labels", [](const SweepPoint& p) { return std::string_view(p.label); });
  w.key("series").begin_object();
  column("total_bytes", [](const SweepPoint& p) { return p.report.memory.total_bytes; });
  column("capacity_bytes", [](const SweepPoint& p) { return p.report.memory.capacity_bytes; });
  column("fits", [](const SweepPoint& p) { return p.report.memory.fits; });
  w.key("items").begin_object();
  for (const auto id : ids) {
    column(id, [&](const SweepPoint& p) {
      for (const auto& i : p.report.memory.items)
        if (i.id == id) return i.bytes;
      return 0.0;
    });
  }
  w.end_object();
  column("ttft_s", [](const SweepPoint& p) { return p.report.latency.ttft_s; });
  column("decode_first_s", [](const SweepPoint& p) { return p.report.latency.decode_first_s; });
  column("tokens_per_s", [](const SweepPoint& p) {
    return p.report.mode == Mode::inference ? p.report.latency.tokens_per_s_total
                                            : p.report.training.tokens_per_s;
  });
  column("step_s", [](const SweepPoint& p) { return p.report.training.step.time_s; });
  column("mfu", [](const SweepPoint& p) { return p.report.training.mfu; });
  column("cost_per_million_tokens", [](const SweepPoint& p) {
    return p.report.mode == Mode::inference ? p.report.latency.cost_per_million_tokens
                                            : p.report.training.cost_per_million_tokens;
  });
  w.end_object();
}

json model_summary(const ModelSpec& m) {
  const ParamCounts c = count_params(tensor_inventory(m.arch));
  json out = {{"id", m.id},
              {"name", m.name},
              {"architecture", architecture_to_json(m.arch)},
              {"params", {{"total", c.total}, {"active", c.active}}}};
  // Conventions beside the totals (embedding and lm_head included in total/active).
  if (m.arch.moe || !m.arch.plan.empty()) {
    out["params"]["active_excluding_input_embedding"] = c.active_excluding_input_embedding;
    out["params"]["active_excluding_embeddings"] = c.active_excluding_embeddings;
  }
  if (c.extra > 0) out["params"]["extra_modules"] = c.extra;
  if (const int64_t mtp = mtp_params(m.arch); mtp > 0) out["params"]["mtp_not_in_total"] = mtp;
  if (!m.notes.empty()) out["notes"] = m.notes;
  if (m.quantization) {
    const auto shares = weight_bytes_by_format(tensor_inventory(m.arch), *m.quantization);
    json list = json::array();
    for (const auto& s : shares)
      list.push_back({{"format", s.format}, {"params", s.params}, {"bytes", s.bytes()},
                      {"scale_bytes", s.scale_bytes}});
    out["checkpoint_weights"] = {{"method", m.quantization->method}, {"formats", list}};
  }
  return out;
}


// A request of two parts, a scenario and a question about it (a sweep spec, a solver question):
// both parsed here, the scenario's errors under /scenario and the question's under its own
// path, so every entry point reports them the same way.
struct Request {
  ScenarioResult parsed;
  Errors errors;
  std::optional<json> question;
};

Request parse_request(std::string_view scenario, std::string_view question, const char* path) {
  Request q{parse_scenario(scenario), {}, std::nullopt};
  q.errors = q.parsed.errors;
  for (auto& e : q.errors) e.path = "/scenario" + e.path;
  q.question = json_io::parse_text(question, path, q.errors);
  return q;
}

}  // namespace

std::string_view version() { return LLMCALC_VERSION; }

std::string estimate_json(std::string_view scenario) {
  ScenarioResult parsed = parse_scenario(scenario);
  if (!parsed.scenario) return fail(parsed.errors);
  JsonWriter w;
  w.begin_object().field("ok", true).key("report");
  write_report(w, estimate(*parsed.scenario));
  w.end_object();
  return written(w);
}

std::string sweep_json(std::string_view scenario, std::string_view spec_text) {
  Request req = parse_request(scenario, spec_text, "/sweep");
  ScenarioResult& parsed = req.parsed;
  Errors& errors = req.errors;
  auto& spec = req.question;
  if (!spec) return fail(errors);
  json_io::ObjectReader r(&*spec, "/sweep", errors);
  if (!r.valid()) return fail(errors);
  r.reject_unknown({"vary", "values", "compact"});
  std::vector<std::string_view> names;
  for (const auto& v : kSweepVars) names.push_back(v.name);
  auto var_index = r.choice("vary", names);
  const bool compact = r.boolean("compact", false).value_or(false);
  const json* values = r.raw("values");
  std::vector<double> numbers;
  std::vector<std::string> ids;
  const size_t cost = compact ? 1 : kFullReportPointCost;
  if (values == nullptr) {
    r.error("values", "missing_field", "is required: an array of values");
  } else if (!values->is_array() || values->empty()) {
    r.error("values", "wrong_type", "must be a non-empty array of values");
  } else if (values->size() * cost > kMaxSweepWork) {
    r.error("values", "too_large",
            std::to_string(values->size()) + " points" + (compact ? "" : " with full reports") +
                " are more than one request may evaluate: at most " +
                std::to_string(kMaxSweepWork) + " compact points or " +
                std::to_string(kMaxSweepWork / kFullReportPointCost) +
                " with full reports (\"compact\": true gives the numbers only)");
  } else if (var_index) {
    // Each point is checked as the scenario with that value would be: its field's range,
    // then what the workload's fields break together (e.g. prompt + generate).
    const SweepVarInfo& var = kSweepVars[*var_index];
    size_t bad = 0;
    for (size_t i = 0; i < values->size(); ++i) {
      const std::string path = "/sweep/values/" + std::to_string(i);
      const json& v = (*values)[i];
      Errors point;
      if (var.id == SweepVar::gpu) {
        if (v.is_string() && find_gpu(v.get<std::string>())) ids.push_back(v.get<std::string>());
        else point.push_back({path, "unknown_preset", "must be a GPU preset id"});
      } else if (auto n = json_io::as_integer(v, path, var.min, var.max, point)) {
        numbers.push_back(double(*n));
        if (parsed.scenario) {
          Workload w = parsed.scenario->workload;
          set_sweep_var(w, var.id, *n);
          if (auto problem = check_workload(w))
            point.push_back({path, "out_of_range", "as " + std::string(var.name) + " " +
                                                       std::to_string(*n) + ": " + problem->message});
        }
      }
      if (point.empty()) continue;
      // Every bad point is counted, the first few listed: the answer stays small.
      if (++bad <= kMaxPointErrors) errors.insert(errors.end(), point.begin(), point.end());
    }
    if (bad > kMaxPointErrors)
      errors.push_back({"/sweep/values", "more_errors",
                        std::to_string(bad) + " points are invalid; the first " +
                            std::to_string(kMaxPointErrors) + " are listed"});
  }
  if (!errors.empty() || !parsed.scenario) return fail(errors);
  const auto points = sweep(*parsed.scenario, kSweepVars[*var_index].id, numbers, ids,
                            compact ? Detail::numbers : Detail::full);
  JsonWriter w;
  w.begin_object().field("ok", true).field("vary", names[*var_index]);
  if (compact) {
    write_compact_series(w, points);
    w.end_object();
    return written(w);
  }
  // Full reports go through the report writer, as in estimate_json (no DOM round trip).
  w.key("points").begin_array();
  for (const auto& p : points) {
    w.begin_object().field("value", p.value).field("label", p.label).key("report");
    write_report(w, p.report);
    w.end_object();
    if (w.size() > kMaxAnswerBytes)  // a guard: the point limits keep answers far smaller
      return fail({{"/sweep/values", "too_large",
                    "the answer would exceed " + std::to_string(kMaxAnswerBytes) + " bytes"}});
  }
  w.end_array().end_object();
  return written(w);
}

std::string solve_json(std::string_view scenario, std::string_view question_text) {
  Request req = parse_request(scenario, question_text, "/question");
  ScenarioResult& parsed = req.parsed;
  Errors& errors = req.errors;
  auto& q = req.question;
  if (!q) return fail(errors);
  json_io::ObjectReader r(&*q, "/question", errors);
  if (!r.valid()) return fail(errors);
  r.reject_unknown({"question", "max_gpus"});
  auto which = r.choice("question", {"max-batch", "max-context", "min-gpus", "knee"});
  const int64_t max_gpus = r.integer("max_gpus", 1, 65536, 4096).value_or(4096);
  if (!errors.empty() || !parsed.scenario || !which) return fail(errors);
  const Scenario& s = *parsed.scenario;
  if (*which == 3) {
    if (s.mode != Mode::inference || s.workload.generate < 2)
      return fail({{"/question/question", "inconsistent",
                    "knee needs an inference scenario with generate >= 2 (decode steps)"}});
    const KneeAnswer k = solve_knee(s);
    return finish({{"question", "knee"},
                   {"knee_batch", k.knee_batch},
                   {"max_batch", k.max_batch},
                   {"series",
                    {{"batch", k.batch},
                     {"decode_step_s", k.decode_step_s},
                     {"tokens_per_s_total", k.tokens_per_s_total},
                     {"compute_bound", k.compute_bound},
                     {"fits", k.fits}}}});
  }
  SolveAnswer a = *which == 0 ? solve_max_batch(s)
                  : *which == 1 ? solve_max_context(s)
                                : solve_min_gpus(s, max_gpus);
  JsonWriter w;
  w.begin_object().field("ok", true).field("question", a.question).field("found", a.found)
      .field("value", a.value);
  w.key("layout").begin_object().field("tp", a.layout.tp).field("pp", a.layout.pp)
      .field("dp", a.layout.dp).field("sequence_parallel", a.layout.sequence_parallel).end_object();
  w.field("explanation", a.explanation).key("report");
  write_report(w, a.report);
  w.end_object();
  return written(w);
}

std::string models_json() {
  json arr = json::array();
  for (const auto& m : model_presets()) {
    json j = model_summary(m.spec);
    j["family"] = m.family;
    j["hf_repo"] = m.hf_repo;
    j["published_params"] = m.spec.published_params;
    j["published_active_params"] = m.spec.published_active_params;
    j["config_source"] = m.config_source;
    j["params_source"] = m.params_source;
    if (!m.released.empty()) {
      j["released"] = m.released;
      j["released_source"] = m.released_source;
    }
    arr.push_back(std::move(j));
  }
  return finish({{"models", arr}});
}

std::string gpus_json() {
  json arr = json::array();
  for (const auto& p : gpu_presets()) {
    const Gpu& g = p.gpu;
    // The GPU shape (the keys of a data file and of a scenario's hardware) plus the listing's
    // descriptive fields and sources.
    json j = {{"id", g.id}, {"name", g.name}, {"vendor", p.vendor}};
    j.update(gpu_shape_json(g));
    j["interconnect"] = p.interconnect;
    j["sources"] = {{"memory", p.memory_source},
                    {"bandwidth", p.bandwidth_source},
                    {"flops", p.flops_source},
                    {"interconnect", p.interconnect_source},
                    {"efficiency", p.efficiency_source}};
    arr.push_back(std::move(j));
  }
  // Unified-memory machines (hardware.gpu takes their ids too): the GPU's memory depends on
  // the RAM size chosen, so each lists its sizes and the GPU's default share.
  json unified = json::array();
  for (const auto& u : unified_presets()) {
    const Gpu& g = u.gpu;
    json flops = json::object();
    for (int d = 0; d < kDtypeCount; ++d)
      if (g.peak_flops[d] > 0) flops[std::string(dtype_name(static_cast<Dtype>(d)))] = g.peak_flops[d];
    json options = json::array();
    for (double m : u.memory_options_bytes) options.push_back({{"memory_bytes", m}, {"gpu_memory_bytes", u.gpu_share_bytes(m)}});
    unified.push_back({{"id", g.id},
                       {"name", g.name},
                       {"vendor", g.vendor},
                       {"memory_options", options},
                       {"memory_bandwidth_bytes_per_s", g.memory_bandwidth_bytes_per_s},
                       {"peak_flops", flops},
                       {"sources",
                        {{"memory", u.memory_source},
                         {"bandwidth", u.bandwidth_source},
                         {"flops", u.flops_source},
                         {"gpu_memory_share", u.share_source}}}});
  }
  return finish({{"gpus", arr}, {"unified", unified}});
}

std::string kinds_json() {
  json memory = json::array(), phases = json::array();
  for (const auto& k : memory_kinds())
    memory.push_back({{"id", k.id}, {"label", k.label}, {"group", memory_group_name(k.group)}});
  for (const auto& k : phase_kinds()) phases.push_back({{"id", k.id}, {"label", k.label}});
  return finish({{"kinds", {{"memory", memory}, {"phases", phases}}}});
}

std::string engines_json() {
  json arr = json::array();
  for (const auto& e : engine_profiles()) {
    json modes = json::array();
    if (e.inference) modes.push_back("inference");
    if (e.training) modes.push_back("training");
    json options = json::array();
    for (const auto& o : engine_options()) {
      if (!e.options.defined(o.option)) continue;
      json j = {{"name", o.name}, {"doc", o.doc}};
      const double v = e.options.get(o.option);
      switch (o.type) {
        case OptionType::fraction: j["type"] = "fraction"; j["default"] = v; break;
        case OptionType::integer: j["type"] = "integer"; j["default"] = static_cast<long long>(v); break;
        case OptionType::boolean: j["type"] = "boolean"; j["default"] = v != 0; break;
        case OptionType::choice: {
          j["type"] = "choice";
          j["default"] = std::string(o.choices[static_cast<size_t>(v)]);
          json c = json::array();
          for (auto x : o.choices) c.push_back(std::string(x));
          j["choices"] = c;
          break;
        }
      }
      options.push_back(std::move(j));
    }
    json sources = json::object();
    for (const auto& [k, v] : e.sources) sources[k] = v;
    arr.push_back({{"id", e.id}, {"name", e.name}, {"modes", modes},
                   {"policy", std::string(memory_policy_name(e.policy))}, {"vendors", e.vendors},
                   {"basis", e.basis}, {"options", options}, {"sources", sources}});
  }
  return finish({{"engines", arr}});
}

std::string import_hf_config_json(std::string_view config) {
  ModelResult m = import_hf_config_text(config);
  if (!m.model) return fail(m.errors);
  return finish({{"model", model_summary(*m.model)}});
}

std::string export_hf_config_json(std::string_view model_id) {
  const ModelPreset* p = find_model(model_id);
  if (p == nullptr)
    return fail({{"/model", "unknown_preset", "no model preset \"" + json_io::shorten(model_id, 40) + "\""}});
  Errors errors;
  auto config = export_hf_config_checked(p->spec, errors);
  if (!config) return fail(errors);
  return finish({{"config", *config}});
}

std::string import_gguf_json(std::string_view bytes, double file_size) {
  if (!(file_size >= 0) || file_size > 1e15)  // also rejects NaN
    return fail({{"/file_size", "out_of_range", "must be a byte count from 0 (unknown) to 1e15"}});
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  GgufRead read = read_gguf_header({data, bytes.size()}, static_cast<uint64_t>(file_size));
  if (!read.header) {
    json out = errors_to_json(read.errors);
    // The caller reads at least this many bytes from the start of the file and calls again.
    if (read.need_bytes > 0) out["need_bytes"] = static_cast<double>(read.need_bytes);
    return dump(out);
  }
  const GgufHeader& h = *read.header;
  gguf::ModelObject m = gguf::model_from_header(h);
  if (!m.model) return fail(m.errors);
  return finish({{"model", std::move(*m.model)},
                 {"gguf",
                  {{"architecture", h.architecture},
                   {"name", h.name},
                   {"tensors", h.tensors.size()},
                   {"weight_bytes", h.weight_bytes},
                   {"context_length", h.context_length},
                   {"header_bytes", h.header_bytes}}}});
}

}  // namespace llmcalc
