#include <algorithm>

#include "../model/architecture_json.hpp"
#include "../model/hf_config.hpp"
#include "json_reader.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/tensors.hpp"

namespace llmcalc {

using json_io::ObjectReader;
using nlohmann::json;

namespace {

constexpr int64_t kMaxBatch = 1'000'000;
constexpr int64_t kMaxTokens = 100'000'000;  // 100M-token contexts are beyond any model
constexpr int64_t kMaxDegree = 65'536;

const std::vector<std::string_view> kDtypeNames = {"fp32", "tf32", "fp16", "bf16", "fp8",
                                                   "int8", "int4", "nf4",  "fp4"};
const std::vector<std::string_view> kLoraModules = {
    "q_proj",   "k_proj",  "v_proj", "o_proj",   "gate_proj",          "up_proj",
    "down_proj", "q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj"};

std::optional<Dtype> read_dtype(ObjectReader& r, std::string_view key, Dtype fallback,
                                const std::vector<std::string_view>& allowed) {
  auto i = r.choice(key, allowed, std::find(allowed.begin(), allowed.end(), dtype_name(fallback)) -
                                      allowed.begin());
  if (!i) return std::nullopt;
  return parse_dtype(allowed[*i]);
}

std::optional<ModelSpec> read_model(ObjectReader& root) {
  const json* m = root.raw("model");
  Errors& errors = root.errors();
  if (m == nullptr) {
    root.error("model", "missing_field", "is required: a preset id, {\"architecture\": ...} or {\"hf_config\": ...}");
    return std::nullopt;
  }
  auto preset = [&](const std::string& id, const std::string& path) -> std::optional<ModelSpec> {
    if (const ModelPreset* p = find_model(id)) return p->spec;
    const std::string shown = json_io::shorten(id, 40);
    errors.push_back({path, "unknown_preset",
                      "no model preset \"" + shown + "\" (see `llmcalc list models`)"});
    return std::nullopt;
  };
  if (m->is_string()) return preset(m->get<std::string>(), "/model");
  ObjectReader r(m, "/model", errors);
  if (!r.valid()) return std::nullopt;
  r.reject_unknown({"preset", "architecture", "hf_config", "name"});
  const int sources = int(r.has("preset")) + int(r.has("architecture")) + int(r.has("hf_config"));
  if (sources != 1) {
    errors.push_back({"/model", "invalid_choice",
                      "give exactly one of preset, architecture or hf_config"});
    return std::nullopt;
  }
  std::optional<ModelSpec> spec;
  if (r.has("preset")) {
    auto id = r.string("preset");
    if (id) spec = preset(*id, "/model/preset");
  } else if (r.has("architecture")) {
    ObjectReader a = r.object("architecture");
    if (auto arch = read_architecture(a)) {
      spec = ModelSpec{};
      spec->id = "custom";
      spec->name = "Custom architecture";
      spec->arch = *arch;
    }
  } else if (const json* hf = r.raw("hf_config")) {
    spec = import_hf_config(*hf, "/model/hf_config", errors);
  }
  if (spec) {
    if (auto name = r.string("name", spec->name)) spec->name = json_io::shorten(*name, 120);
  }
  return spec;
}

// Returns whether the scenario named the weight dtype (QLoRA defaults it to nf4 otherwise).
bool read_precision(ObjectReader& root, Scenario& s) {
  ObjectReader r = root.object("precision");
  r.reject_unknown({"weights", "group_size", "kv_cache", "activations", "gradients",
                    "master_weights", "optimizer_states"});
  Precision& p = s.precision;
  p.weights = read_dtype(r, "weights", Dtype::bf16, kDtypeNames).value_or(Dtype::bf16);
  const int64_t default_group = (p.weights == Dtype::int4 || p.weights == Dtype::int8) ? 128 : 0;
  p.group_size = r.integer("group_size", 0, 65536, default_group).value_or(0);
  p.kv_cache = read_dtype(r, "kv_cache", Dtype::bf16,
                          {"fp32", "fp16", "bf16", "fp8", "int8", "int4"})
                   .value_or(Dtype::bf16);
  p.activations =
      read_dtype(r, "activations", Dtype::bf16, {"fp32", "fp16", "bf16", "fp8"}).value_or(Dtype::bf16);
  const Dtype grad_default = p.weights == Dtype::fp32 ? Dtype::fp32 : Dtype::bf16;
  p.gradients =
      read_dtype(r, "gradients", grad_default, {"fp32", "fp16", "bf16"}).value_or(grad_default);
  const bool wide = p.weights == Dtype::fp32;
  p.master_weights =
      r.choice("master_weights", {"fp32", "none"}, wide ? 1 : 0).value_or(wide ? 1 : 0) == 0 &&
      !wide;
  p.optimizer_states =
      read_dtype(r, "optimizer_states", Dtype::fp32, {"fp32", "bf16"}).value_or(Dtype::fp32);
  if (p.group_size > 0 && p.weights != Dtype::int4 && p.weights != Dtype::int8)
    r.error("group_size", "inconsistent", "applies only to int4 and int8 weights");
  // fp8 activations are W8A8: fp8 matmuls need fp8 (or int8-free fp8) weights too.
  if (p.activations == Dtype::fp8 && p.weights != Dtype::fp8)
    r.error("activations", "inconsistent", "fp8 activations (W8A8) need fp8 weights");
  return r.has("weights");
}

void read_workload(ObjectReader& root, Scenario& s) {
  ObjectReader r = root.object("workload");
  r.reject_unknown({"batch", "seq", "prompt", "generate", "grad_accum", "tokens_budget"});
  Workload& w = s.workload;
  w.batch = r.integer("batch", 1, kMaxBatch, w.batch).value_or(1);
  w.seq = r.integer("seq", 1, kMaxTokens, w.seq).value_or(1);
  w.prompt = r.integer("prompt", 1, kMaxTokens, w.prompt).value_or(1);
  w.generate = r.integer("generate", 0, kMaxTokens, w.generate).value_or(0);
  w.grad_accum = r.integer("grad_accum", 1, kMaxBatch, w.grad_accum).value_or(1);
  w.tokens_budget = r.number("tokens_budget", 0, 1e16, 0.0).value_or(0);
  if (w.prompt + w.generate > kMaxTokens)
    r.error("generate", "out_of_range",
            "prompt + generate must not exceed " + std::to_string(kMaxTokens) + " tokens");
}

void read_training(ObjectReader& root, Scenario& s) {
  ObjectReader r = root.object("training");
  r.reject_unknown({"optimizer", "checkpointing", "finetune", "lora", "zero_stage"});
  Training& t = s.training;
  t.optimizer = static_cast<Optimizer>(
      r.choice("optimizer", {"adamw", "adamw-8bit", "adafactor", "sgd", "sgd-momentum", "lion"}, 0)
          .value_or(0));
  t.checkpointing = static_cast<Checkpointing>(
      r.choice("checkpointing", {"none", "selective", "full"}, 0).value_or(0));
  t.finetune =
      static_cast<Finetune>(r.choice("finetune", {"full", "lora", "qlora"}, 0).value_or(0));
  t.zero_stage = r.integer("zero_stage", 0, 3, 0).value_or(0);
  ObjectReader lora = r.object("lora");
  lora.reject_unknown({"rank", "targets"});
  t.lora.rank = lora.integer("rank", 1, 65536, 16).value_or(16);
  const json* targets = lora.raw("targets");
  t.lora.targets.clear();
  if (targets == nullptr || (targets->is_string() && targets->get<std::string>() == "all-linear")) {
    t.lora.targets.assign(kLoraModules.begin(), kLoraModules.end());
  } else if (targets->is_array() && !targets->empty() && targets->size() <= kLoraModules.size()) {
    for (size_t i = 0; i < targets->size(); ++i) {
      const json& v = (*targets)[i];
      const std::string path = lora.child_path("targets") + "/" + std::to_string(i);
      const auto it = v.is_string() ? std::find(kLoraModules.begin(), kLoraModules.end(),
                                                v.get<std::string>())
                                    : kLoraModules.end();
      if (it == kLoraModules.end()) {
        std::string list;
        for (auto m : kLoraModules) list += (list.empty() ? "" : ", ") + std::string(m);
        r.errors().push_back({path, "unknown_value", "must be one of: " + list});
      } else {
        t.lora.targets.emplace_back(*it);
      }
    }
  } else {
    lora.error("targets", "wrong_type",
               "must be \"all-linear\" or a non-empty array of module names");
  }
}

void read_parallelism(ObjectReader& root, Scenario& s, int64_t gpu_count_given) {
  ObjectReader r = root.object("parallelism");
  r.reject_unknown({"tp", "pp", "dp", "sequence_parallel"});
  Parallelism& p = s.parallelism;
  const bool explicit_layout = r.valid();
  p.tp = r.integer("tp", 1, kMaxDegree, 1).value_or(1);
  p.pp = r.integer("pp", 1, kMaxDegree, 1).value_or(1);
  p.dp = r.integer("dp", 1, kMaxDegree, 1).value_or(1);
  p.sequence_parallel = r.boolean("sequence_parallel", false).value_or(false);
  const Architecture& a = s.model.arch;
  if (!explicit_layout && gpu_count_given > 1) {
    // GPUs without a layout: inference splits the model (tensor parallel), training
    // replicates it (data parallel), the usual first choice of each.
    if (s.mode == Mode::inference) p.tp = gpu_count_given;
    else p.dp = gpu_count_given;
  }
  s.gpu_count = p.tp * p.pp * p.dp;
  if (gpu_count_given > 0 && gpu_count_given != s.gpu_count) {
    root.errors().push_back({"/hardware/count", "inconsistent",
                             "count (" + std::to_string(gpu_count_given) +
                                 ") must equal tp x pp x dp (" + std::to_string(s.gpu_count) + ")"});
  }
  const std::string tp_path = explicit_layout ? "/parallelism/tp" : "/hardware/count";
  if (a.num_heads > 0 && a.num_heads % p.tp != 0)
    root.errors().push_back({tp_path, "inconsistent",
                             "tensor parallelism " + std::to_string(p.tp) +
                                 " must divide num_heads (" + std::to_string(a.num_heads) + ")"});
  if (a.num_layers > 0 && p.pp > a.num_layers)
    root.errors().push_back({"/parallelism/pp", "inconsistent",
                             "pipeline stages (" + std::to_string(p.pp) +
                                 ") cannot exceed num_layers (" + std::to_string(a.num_layers) + ")"});
}

void read_hardware(ObjectReader& root, Scenario& s, int64_t& count_given) {
  ObjectReader r = root.object("hardware");
  r.reject_unknown({"gpu", "count", "name", "memory_bytes", "memory_bandwidth_bytes_per_s",
                    "peak_flops", "interconnect_bandwidth_bytes_per_s", "matmul_efficiency",
                    "bandwidth_efficiency"});
  count_given = r.has("count") ? r.integer("count", 1, 1'000'000).value_or(1) : 0;
  // A custom GPU: "gpu":"custom", or no preset but a capacity; otherwise a preset (default
  // h100-sxm) whose numbers the other fields override.
  const size_t before = r.errors().size();
  const std::string id =
      r.string("gpu", r.has("memory_bytes") ? "custom" : "h100-sxm").value_or("h100-sxm");
  const bool custom = id == "custom";
  if (!custom) {
    if (const GpuPreset* g = find_gpu(id)) {
      s.gpu = g->gpu;
    } else if (r.errors().size() == before) {
      const std::string shown = json_io::shorten(id, 40);
      r.error("gpu", "unknown_preset", "no GPU preset \"" + shown + "\" (see `llmcalc list gpus`)");
    }
  } else {
    s.gpu = Gpu{};
    s.gpu.id = "custom";
    s.gpu.name = "Custom GPU";
    if (!r.has("memory_bytes"))
      r.error("memory_bytes", "missing_field", "is required for a custom GPU");
  }
  Gpu& g = s.gpu;
  if (auto name = r.string("name", g.name)) g.name = json_io::shorten(*name, 120);
  g.memory_bytes = r.number("memory_bytes", 1e6, 1e15, g.memory_bytes).value_or(g.memory_bytes);
  g.memory_bandwidth_bytes_per_s =
      r.number("memory_bandwidth_bytes_per_s", 1e6, 1e16, g.memory_bandwidth_bytes_per_s)
          .value_or(0);
  g.interconnect_bandwidth_bytes_per_s =
      r.number("interconnect_bandwidth_bytes_per_s", 1e6, 1e15,
               g.interconnect_bandwidth_bytes_per_s)
          .value_or(0);
  g.matmul_efficiency =
      r.number("matmul_efficiency", 0.01, 1.0, g.matmul_efficiency).value_or(0.7);
  g.bandwidth_efficiency =
      r.number("bandwidth_efficiency", 0.01, 1.0, g.bandwidth_efficiency).value_or(0.85);
  ObjectReader flops = r.object("peak_flops");
  if (flops.valid()) {
    flops.reject_unknown({"fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4", "nf4", "fp4"});
    for (int d = 0; d < kDtypeCount; ++d)
      g.peak_flops[d] = flops.number(dtype_name(static_cast<Dtype>(d)), 0, 1e18, g.peak_flops[d])
                            .value_or(0);
  }
}

void read_options(ObjectReader& root, Scenario& s) {
  ObjectReader r = root.object("options");
  r.reject_unknown({"activation_method", "flash_attention", "logits", "prefill_chunk",
                    "kv_page_tokens", "cuda_graphs", "price_per_gpu_hour", "training_efficiency"});
  Options& o = s.options;
  o.activation_method = static_cast<ActivationMethod>(
      r.choice("activation_method", {"detailed", "korthikanti", "seed"},
               s.method == Method::seed ? 2 : 0)
          .value_or(0));
  o.flash_attention = r.boolean("flash_attention", true).value_or(true);
  o.logits = r.choice("logits", {"all", "last"}, 1).value_or(1) == 0 ? LogitsScope::all
                                                                      : LogitsScope::last;
  o.prefill_chunk = r.integer("prefill_chunk", 0, kMaxTokens, 0).value_or(0);
  o.kv_page_tokens = r.integer("kv_page_tokens", 0, 65536, 0).value_or(0);
  o.cuda_graphs = r.boolean("cuda_graphs", false).value_or(false);
  o.price_per_gpu_hour = r.number("price_per_gpu_hour", 0, 1e6, 0.0).value_or(0);
  o.training_efficiency =
      r.number("training_efficiency", 0.05, 1.0, kDefaultTrainingEfficiency).value_or(0.7);
}

void read_overhead(ObjectReader& root, Scenario& s) {
  ObjectReader r = root.object("overhead");
  r.reject_unknown({"cuda_context_bytes", "workspace_bytes", "comm_buffer_bytes",
                    "fragmentation_fraction", "step_overhead_s"});
  RuntimeOverhead& o = s.overhead;
  const bool seed = s.method == Method::seed;  // the seed counts tensors only
  // The engine's constants replace the generic ones where its profile sets them.
  const EngineProfile* e = s.engine.active ? s.engine.profile : nullptr;
  double context = kDefaultCudaContextBytes, workspace = kDefaultWorkspaceBytes, comm = 0;
  if (e != nullptr) {
    if (e->cuda_context_bytes >= 0) context = e->cuda_context_bytes;
    for (const auto& g : e->cuda_context_bytes_by_gpu)
      if (g.gpu_id == s.gpu.id) context = g.value;
    if (e->workspace_bytes >= 0) workspace = e->workspace_bytes;
    if (s.parallelism.tp > 1) comm = e->tp_comm_bytes;
  }
  o.cuda_context_bytes = r.number("cuda_context_bytes", 0, 1e12, seed ? 0.0 : context).value_or(0);
  o.workspace_bytes = r.number("workspace_bytes", 0, 1e12, seed ? 0.0 : workspace).value_or(0);
  o.comm_buffer_bytes = r.number("comm_buffer_bytes", 0, 1e12, seed ? 0.0 : comm).value_or(0);
  o.fragmentation_fraction = r.number("fragmentation_fraction", 0, 1, 0.0).value_or(0);
  double launch = kDefaultLaunchOverheadPerLayerS * double(s.model.arch.num_layers);
  if (e != nullptr && e->step_overhead_s_per_layer >= 0)
    launch = e->step_overhead_s_per_layer * double(s.model.arch.num_layers);
  if (s.options.cuda_graphs) launch = 0.0;
  o.step_overhead_s = r.number("step_overhead_s", 0, 10, launch).value_or(0);
}

// "engine" (a profile id, default generic) and "engine_options" (only the options that
// engine has). Whether the engine can run the scenario is decided later, once the mode and
// GPU are known (apply_engine).
void read_engine(ObjectReader& root, Scenario& s) {
  const std::string id = root.string("engine", "generic").value_or("generic");
  const EngineProfile* e = find_engine(id);
  if (e == nullptr) {
    if (root.has("engine") && root.raw("engine")->is_string()) {
      std::string list;
      for (const auto& p : engine_profiles()) list += (list.empty() ? "" : ", ") + p.id;
      root.error("engine", "unknown_preset",
                 "no engine \"" + json_io::shorten(id, 40) + "\" (one of: " + list + ")");
    }
    return;
  }
  s.engine.profile = e;
  s.engine.options = e->options;
  ObjectReader r = root.object("engine_options");
  if (!r.valid()) return;
  const json* obj = root.raw("engine_options");
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    const std::string& k = it.key();
    const EngineOptionInfo* info = find_engine_option(k);
    if (info == nullptr || !e->options.defined(info->option)) {
      std::string list;
      for (const auto& o : engine_options())
        if (e->options.defined(o.option)) list += (list.empty() ? "" : ", ") + std::string(o.name);
      r.error(k, "unknown_field",
              "engine " + e->id + " has no option \"" + json_io::shorten(k, 40) + "\"" +
                  (list.empty() ? " (it has none)" : " (its options: " + list + ")"));
      continue;
    }
    std::optional<double> v;
    switch (info->type) {
      case OptionType::fraction:
        v = r.number(k, 0, 1);
        if (v && *v <= 0) {
          r.error(k, "out_of_range", "must be in (0, 1], got " + std::to_string(*v));
          v.reset();
        }
        break;
      case OptionType::integer:
        if (auto i = r.integer(k, info->min, info->max)) v = double(*i);
        break;
      case OptionType::boolean:
        if (auto b = r.boolean(k)) v = *b ? 1.0 : 0.0;
        break;
      case OptionType::choice: {
        const std::vector<std::string_view> choices(info->choices.begin(), info->choices.end());
        if (auto i = r.choice(k, choices)) v = double(*i);
        break;
      }
    }
    if (v) s.engine.options.set(info->option, *v);
  }
}

// Decides whether the engine runs this scenario and applies the defaults it implies before
// the fields that depend on them are read (overheads, W8A8 activations, attention kernel).
void apply_engine(ObjectReader& root, Scenario& s, bool activations_given) {
  EngineSettings& e = s.engine;
  if (e.profile == nullptr) return;
  const EngineProfile& p = *e.profile;
  e.active = true;
  if ((s.mode == Mode::inference && !p.inference) || (s.mode == Mode::training && !p.training)) {
    e.active = false;
    e.inactive_reason = p.name + " does not run " + std::string(mode_name(s.mode)) +
                        "; the generic model is used instead.";
  } else if (!p.vendors.empty() && !s.gpu.vendor.empty() &&
             std::find(p.vendors.begin(), p.vendors.end(), s.gpu.vendor) == p.vendors.end()) {
    e.active = false;
    e.inactive_reason = p.name + " does not run on " + s.gpu.vendor + " GPUs (" + s.gpu.name +
                        "); the generic model is used instead.";
  }
  if (!e.active) return;
  // Pure-bf16 training stacks (torchtune): no fp32 master copy, optimizer states in bf16.
  const json* prec = root.raw("precision");
  auto given = [&](const char* k) { return prec != nullptr && prec->is_object() && prec->contains(k); };
  if (p.bf16_training && s.mode == Mode::training && !is_quantized(s.precision.weights)) {
    if (!given("master_weights")) s.precision.master_weights = false;
    if (!given("optimizer_states")) s.precision.optimizer_states = Dtype::bf16;
  }
  // W8A8: fp8 weights on a GPU with fp8 tensor cores run fp8 matmuls.
  if (p.fp8_compute && !activations_given && s.precision.weights == Dtype::fp8 &&
      s.gpu.peak(Dtype::fp8) > 0)
    s.precision.activations = Dtype::fp8;
  const json* opts = root.raw("options");
  if (e.is(EngineOption::flash_attn) && !(opts != nullptr && opts->is_object() && opts->contains("flash_attention")))
    s.options.flash_attention = e.flag(EngineOption::flash_attn);
}

void check_training_policy(ObjectReader& root, Scenario& s, bool weights_given) {
  if (s.mode != Mode::training) return;
  Precision& p = s.precision;
  const Finetune f = s.training.finetune;
  if (f == Finetune::qlora) {
    if (!weights_given) p.weights = Dtype::nf4;
    else if (p.weights != Dtype::nf4 && p.weights != Dtype::int4)
      root.errors().push_back({"/precision/weights", "inconsistent",
                               "qlora trains adapters over a 4-bit base: weights must be nf4 or int4"});
    p.master_weights = false;
  }
  if (f == Finetune::full && is_quantized(p.weights))
    root.errors().push_back({"/precision/weights", "inconsistent",
                             "full fine-tuning updates every weight: use fp32, bf16 or fp16 "
                             "weights (or finetune lora/qlora)"});
}

}  // namespace

ScenarioResult parse_scenario(std::string_view text) {
  ScenarioResult out;
  Errors& errors = out.errors;
  auto doc = json_io::parse_text(text, "", errors);
  if (!doc) return out;
  ObjectReader root(&*doc, "", errors);
  if (!root.valid()) return out;
  root.reject_unknown({"model", "mode", "method", "precision", "workload", "training",
                       "parallelism", "hardware", "options", "overhead", "engine",
                       "engine_options"});
  Scenario s;
  auto model = read_model(root);
  s.mode = root.choice("mode", {"inference", "training"}, 0).value_or(0) == 0 ? Mode::inference
                                                                             : Mode::training;
  s.method = root.choice("method", {"detailed", "seed"}, 0).value_or(0) == 0 ? Method::detailed
                                                                            : Method::seed;
  const bool weights_given = read_precision(root, s);
  read_workload(root, s);
  read_training(root, s);
  read_options(root, s);
  int64_t count_given = 0;
  read_hardware(root, s, count_given);
  if (!model) {
    if (errors.empty()) errors.push_back({"/model", "invalid", "model could not be read"});
    return out;
  }
  s.model = *model;
  read_parallelism(root, s, count_given);
  read_engine(root, s);
  const json* prec = root.raw("precision");
  apply_engine(root, s, prec != nullptr && prec->is_object() && prec->contains("activations"));
  read_overhead(root, s);
  check_training_policy(root, s, weights_given);
  if (!errors.empty()) return out;
  out.scenario = std::move(s);
  return out;
}

ModelResult import_hf_config_text(std::string_view text) {
  ModelResult out;
  auto doc = json_io::parse_text(text, "", out.errors);
  if (!doc) return out;
  out.model = import_hf_config(*doc, "", out.errors);
  if (!out.errors.empty()) out.model.reset();
  return out;
}

}  // namespace llmcalc
