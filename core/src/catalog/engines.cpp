// The engine profiles of core/data/engines: one reader maps each file onto EngineProfile and
// rejects what the model could misread (unknown keys, an option the table does not know, a
// value out of range, a constant without its "_source").
#include <algorithm>
#include <mutex>
#include <optional>

#include "../json/json_reader.hpp"
#include "data/embedded_data.hpp"
#include "llmcalc/dtype.hpp"
#include "llmcalc/engine.hpp"

namespace llmcalc {

using json_io::json;
using json_io::ObjectReader;

namespace {

// llama.cpp's -ctk/-ctv types (common/arg.cpp kv_cache_types: F32, F16, BF16, Q8_0, Q4_0, Q4_1,
// IQ4_NL, Q5_0, Q5_1; found with the code index, id 183570679). Index 0 is the default; the
// first three keep their old indexes.
constexpr std::string_view kKvTypes[] = {"f16",  "q8_0",   "q4_0", "q4_1", "q5_0",
                                         "q5_1", "iq4_nl", "bf16", "f32"};
constexpr std::string_view kAdapterDtypes[] = {"fp32", "bf16"};

using O = EngineOption;
using T = OptionType;
const EngineOptionInfo kOptions[] = {
    {O::gpu_memory_utilization, "gpu_memory_utilization", T::fraction, 0, 0, {},
     "vLLM: fraction of total GPU memory the instance may use"},
    {O::mem_fraction_static, "mem_fraction_static", T::fraction, 0, 0, {},
     "SGLang: fraction of total GPU memory for weights and the KV pool (0 = SGLang's own default from the GPU's memory and TP)",
     true},
    {O::free_gpu_memory_fraction, "free_gpu_memory_fraction", T::fraction, 0, 0, {},
     "TensorRT-LLM: fraction of the free memory given to the KV cache"},
    {O::max_model_len, "max_model_len", T::integer, 0, 100'000'000, {},
     "longest sequence the server accepts (0 = prompt + generate)"},
    {O::max_num_seqs, "max_num_seqs", T::integer, 0, 1'000'000, {},
     "vLLM: sequences per step and in the profiling run (0 = the engine's default for the GPU)"},
    {O::max_num_batched_tokens, "max_num_batched_tokens", T::integer, 0, 100'000'000, {},
     "vLLM: tokens per step, in the profiling run and (V1, chunked prefill) in each prefill step (0 = the engine's default: V1 by the GPU's memory, V0 max(max_model_len, 2048))"},
    {O::block_size, "block_size", T::integer, 1, 65536, {}, "tokens per KV block"},
    {O::kv_cache_type, "kv_cache_type", T::choice, 0, 0, kKvTypes, "llama.cpp KV type"},
    {O::flash_attn, "flash_attn", T::boolean, 0, 0, {}, "llama.cpp fused attention"},
    {O::num_ctx, "num_ctx", T::integer, 0, 100'000'000, {},
     "context allocated per sequence (0 = prompt + generate)"},
    {O::num_parallel, "num_parallel", T::integer, 1, 4096, {},
     "parallel sequences (the cache holds num_ctx x num_parallel tokens)"},
    {O::n_ubatch, "n_ubatch", T::integer, 1, 1'000'000, {},
     "llama.cpp physical batch (sizes the compute buffer)"},
    {O::adapter_dtype, "adapter_dtype", T::choice, 0, 0, kAdapterDtypes, "LoRA adapter dtype"},
    {O::kbit_upcast, "kbit_upcast", T::boolean, 0, 0, {},
     "peft prepare_model_for_kbit_training: non-quantized params to fp32"},
    {O::chunked_cross_entropy, "chunked_cross_entropy", T::integer, 0, 4096, {},
     "cross-entropy over this many chunks of the logits (0 = off)"},
    {O::optimizer_in_backward, "optimizer_in_backward", T::boolean, 0, 0, {},
     "optimizer step fused into backward: one gradient alive at a time"},
    {O::activation_offload, "activation_offload", T::boolean, 0, 0, {},
     "saved activations offloaded to CPU memory"},
    {O::cpu_offload, "cpu_offload", T::boolean, 0, 0, {},
     "parameters, gradients and optimizer states offloaded to CPU (FSDP/ZeRO)"},
    {O::shard_frozen_base, "shard_frozen_base", T::boolean, 0, 0, {},
     "ZeRO-3/FSDP shards a frozen LoRA/QLoRA base over data-parallel ranks"},
    {O::paged_optimizer, "paged_optimizer", T::boolean, 0, 0, {},
     "optimizer states in CUDA unified memory (bitsandbytes paged): outside the GPU peak"},
    {O::compile, "compile", T::boolean, 0, 0, {},
     "torch.compile: fused norms and SiLU save no fp32 upcast or SiLU output for backward"},
    {O::free_logits_before_backward, "free_logits_before_backward", T::boolean, 0, 0, {},
     "the recipe drops its logits before backward: the loss's tensors and the layers' backward "
     "(gradients, recomputed layer) are not alive together"},
    {O::xqa, "xqa", T::boolean, 0, 0, {},
     "TensorRT-LLM: XQA generation attention for GQA/MQA (off: each query head reads its KV head)"},
    {O::chunked_prefill_size, "chunked_prefill_size", T::integer, 0, 100'000'000, {},
     "SGLang: prompt tokens per prefill step, all sequences together; also sizes the memory mem_fraction_static leaves (0 = SGLang's default by the GPU's memory)"},
};
static_assert(std::size(kOptions) == kEngineOptionCount);

// Every key of a section except the *_source ones needs a sibling "<key>_source" string, and
// every "<key>_source" its key: a constant without a citation fails the build's tests.
void check_sources(ObjectReader& r, const json* section, std::string_view skip_prefix = {}) {
  if (section == nullptr || !section->is_object()) return;
  for (auto it = section->begin(); it != section->end(); ++it) {
    const std::string& k = it.key();
    const std::string suffix = "_source";
    const bool is_source = k.size() > suffix.size() && k.ends_with(suffix);
    if (is_source) {
      if (!it.value().is_string())
        r.error(k, "wrong_type", "must be a string (a citation)");
      else if (!section->contains(k.substr(0, k.size() - suffix.size())))
        r.error(k, "inconsistent", "cites a constant the profile does not have");
      continue;
    }
    if (!skip_prefix.empty() && k == skip_prefix) continue;
    const auto src = section->find(k + suffix);
    if (src == section->end() || !src->is_string() || src->get<std::string>().empty())
      r.error(k, "missing_source", "every constant needs a \"" + k + "_source\" citation");
  }
}

void collect_sources(const json* section, const std::string& prefix, EngineProfile& p) {
  if (section == nullptr || !section->is_object()) return;
  for (auto it = section->begin(); it != section->end(); ++it) {
    const std::string& k = it.key();
    if (!k.ends_with("_source") || !it.value().is_string()) continue;
    p.sources.emplace_back(prefix + k.substr(0, k.size() - 7), it.value().get<std::string>());
  }
}

// A number that may be null ("set by the engine, not yet cited": stays unset).
double optional_number(ObjectReader& r, std::string_view key, double min, double max, double unset) {
  const json* v = r.raw(key);
  if (v == nullptr || v->is_null()) return unset;
  return r.number(key, min, max).value_or(unset);
}

void read_options(ObjectReader& root, EngineProfile& p) {
  ObjectReader r = root.object("options");
  if (!r.valid()) return;
  const json* obj = root.raw("options");
  check_sources(r, obj);
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    const std::string& k = it.key();
    if (k.ends_with("_source")) continue;
    const EngineOptionInfo* info = find_engine_option(k);
    if (info == nullptr) {
      r.error(k, "unknown_field", "is not an engine option (see engine_options() in the core)");
      continue;
    }
    if (it.value().is_null()) continue;
    std::optional<double> v;
    switch (info->type) {
      case T::fraction: {
        v = r.number(k, 0, 1);
        if (v && *v <= 0 && !(*v == 0 && info->zero_derived)) {
          r.error(k, "out_of_range", "must be in (0, 1]");
          v.reset();
        }
        break;
      }
      case T::integer:
        if (auto i = r.integer(k, info->min, info->max)) v = double(*i);
        break;
      case T::boolean:
        if (auto b = r.boolean(k)) v = *b ? 1.0 : 0.0;
        break;
      case T::choice: {
        std::vector<std::string_view> choices(info->choices.begin(), info->choices.end());
        if (auto i = r.choice(k, choices)) v = double(*i);
        break;
      }
    }
    if (v) p.options.set(info->option, *v);
  }
}

std::optional<EngineProfile> read_engine(ObjectReader& r) {
  EngineProfile p;
  r.reject_unknown({"id", "name", "modes", "inherits", "basis", "basis_source", "vendors",
                    "vendors_source", "memory_policy", "options", "fixed_memory", "speed",
                    "training", "facts", "mem_fraction_default"});
  p.id = r.string("id").value_or("");
  p.name = r.string("name").value_or("");
  p.basis = r.string("basis").value_or("");
  if (!r.string("basis_source")) return std::nullopt;
  p.sources.emplace_back("basis", r.string("basis_source").value_or(""));
  if (const json* modes = r.raw("modes"); modes != nullptr && modes->is_array() && !modes->empty()) {
    for (const auto& m : *modes) {
      if (m == "inference") p.inference = true;
      else if (m == "training") p.training = true;
      else r.error("modes", "unknown_value", "must list \"inference\" and/or \"training\"");
    }
  } else {
    r.error("modes", "missing_field", "must be a non-empty array of modes");
  }
  if (const json* v = r.raw("vendors")) {
    if (!v->is_array()) r.error("vendors", "wrong_type", "must be an array of vendor ids");
    else
      for (const auto& x : *v)
        if (x.is_string()) p.vendors.push_back(x.get<std::string>());
    if (!r.string("vendors_source")) return std::nullopt;
  }

  ObjectReader pol = r.object("memory_policy");
  if (pol.valid()) {
    pol.reject_unknown({"type", "type_source", "formula", "formula_source"});
    check_sources(pol, r.raw("memory_policy"));
    p.policy = static_cast<MemoryPolicy>(
        pol.choice("type", {"none", "utilization_of_total", "static_fraction", "fraction_of_free",
                            "fixed_context"}, 0)
            .value_or(0));
    collect_sources(r.raw("memory_policy"), "memory_policy.", p);
  }
  read_options(r, p);
  collect_sources(r.raw("options"), "options.", p);

  ObjectReader fm = r.object("fixed_memory");
  if (fm.valid()) {
    fm.reject_unknown({"cuda_context_bytes", "cuda_context_bytes_source", "cuda_context_bytes_by_gpu",
                       "cuda_context_bytes_by_gpu_source", "workspace_bytes", "workspace_bytes_source",
                       "tp_comm_bytes", "tp_comm_bytes_source", "tp_workspace_bytes",
                       "tp_workspace_bytes_source", "cuda_graph_bytes",
                       "cuda_graph_bytes_source", "compute_buffer_other_bytes",
                       "compute_buffer_other_bytes_source", "min_batched_tokens",
                       "min_batched_tokens_source", "sampler_bytes_per_logit",
                       "sampler_bytes_per_logit_source", "context_outside_budget",
                       "context_outside_budget_source", "batch_defaults",
                       "batch_defaults_source"});
    check_sources(fm, r.raw("fixed_memory"));
    p.cuda_context_bytes = optional_number(fm, "cuda_context_bytes", 0, 1e11, -1);
    p.workspace_bytes = optional_number(fm, "workspace_bytes", 0, 1e11, -1);
    p.tp_comm_bytes = optional_number(fm, "tp_comm_bytes", 0, 1e11, 0);
    p.tp_workspace_bytes = optional_number(fm, "tp_workspace_bytes", 0, 1e11, 0);
    p.cuda_graph_bytes = optional_number(fm, "cuda_graph_bytes", 0, 1e11, 0);
    p.compute_buffer_other_bytes = optional_number(fm, "compute_buffer_other_bytes", 0, 1e11, 0);
    p.min_batched_tokens = int64_t(optional_number(fm, "min_batched_tokens", 0, 1e8, 0));
    p.sampler_bytes_per_logit = optional_number(fm, "sampler_bytes_per_logit", 0, 1024, 0);
    p.context_outside_budget = fm.boolean("context_outside_budget", false).value_or(false);
    if (const json* b = fm.raw("batch_defaults")) {
      if (!b->is_array() || b->empty() || !b->back().is_object() || b->back().value("min_memory_gib", -1.0) != 0) {
        fm.error("batch_defaults", "missing_field", "must be a non-empty array ending with min_memory_gib 0 (every GPU)");
      } else {
        for (std::size_t i = 0; i < b->size(); ++i) {
          ObjectReader tr(&(*b)[i], fm.path() + "/batch_defaults/" + std::to_string(i), fm.errors());
          tr.reject_unknown({"min_memory_gib", "except_name", "max_num_batched_tokens", "max_num_seqs"});
          BatchDefaultTier t;
          t.min_memory_bytes = tr.number("min_memory_gib", 0, 1e6).value_or(0) * 1073741824.0;
          if (tr.raw("except_name") != nullptr) t.except_name = tr.string("except_name").value_or("");
          t.max_num_batched_tokens = tr.integer("max_num_batched_tokens", 1, 100'000'000).value_or(0);
          t.max_num_seqs = tr.integer("max_num_seqs", 1, 1'000'000).value_or(0);
          p.batch_defaults.push_back(t);
        }
      }
    }
    ObjectReader by = fm.object("cuda_context_bytes_by_gpu");
    if (const json* m = fm.raw("cuda_context_bytes_by_gpu"); by.valid()) {
      for (auto it = m->begin(); it != m->end(); ++it)
        if (auto v = by.number(it.key(), 0, 1e11)) p.cuda_context_bytes_by_gpu.push_back({it.key(), *v});
    }
    collect_sources(r.raw("fixed_memory"), "fixed_memory.", p);
  }
  ObjectReader mf = r.object("mem_fraction_default");
  if (mf.valid()) {
    // Every key is the rule's: an extra term with its citation would otherwise be read by no one.
    mf.reject_unknown({"base_mib", "base_mib_source", "mib_per_prefill_token", "mib_per_prefill_token_source",
                       "min_prefill_tokens", "min_prefill_tokens_source", "mib_per_graph_batch",
                       "mib_per_graph_batch_source", "mib_per_rank", "mib_per_rank_source", "floor_mib",
                       "floor_mib_source", "floor_above_mib", "floor_above_mib_source", "buckets",
                       "buckets_source", "rule", "rule_source"});
    check_sources(mf, r.raw("mem_fraction_default"));
    DerivedFraction& d = p.mem_fraction_default;
    double min_prefill = 0;
    const std::pair<std::string_view, double*> numbers[] = {
        {"base_mib", &d.base_mib}, {"mib_per_prefill_token", &d.mib_per_prefill_token},
        {"min_prefill_tokens", &min_prefill}, {"mib_per_graph_batch", &d.mib_per_graph_batch},
        {"mib_per_rank", &d.mib_per_rank}, {"floor_mib", &d.floor_mib}, {"floor_above_mib", &d.floor_above_mib}};
    for (const auto& [key, to] : numbers) *to = mf.number(key, 0, 1e8).value_or(0);
    d.min_prefill_tokens = int64_t(min_prefill);
    const json* b = mf.raw("buckets");
    if (b == nullptr || !b->is_array() || b->empty() || !b->back().is_object() ||
        b->back().value("below_mib", -1.0) != 0) {
      mf.error("buckets", "missing_field", "must be a non-empty array ending with below_mib 0 (every larger GPU)");
    } else {
      for (std::size_t i = 0; i < b->size(); ++i) {
        ObjectReader br(&(*b)[i], mf.path() + "/buckets/" + std::to_string(i), mf.errors());
        br.reject_unknown({"below_mib", "chunked_prefill_size", "cuda_graph_max_bs", "cuda_graph_max_bs_tp4"});
        FractionBucket fb;
        fb.below_mib = br.number("below_mib", 0, 1e8).value_or(0);
        const std::pair<std::string_view, int64_t*> sizes[] = {
            {"chunked_prefill_size", &fb.chunked_prefill_size}, {"cuda_graph_max_bs", &fb.cuda_graph_max_bs},
            {"cuda_graph_max_bs_tp4", &fb.cuda_graph_max_bs_tp4}};
        for (const auto& [key, to] : sizes) *to = br.integer(key, 0, 1'000'000).value_or(0);
        d.buckets.push_back(fb);
      }
    }
    collect_sources(r.raw("mem_fraction_default"), "mem_fraction_default.", p);
  }
  ObjectReader sp = r.object("speed");
  if (sp.valid()) {
    sp.reject_unknown({"step_overhead_s_per_layer", "step_overhead_s_per_layer_source",
                       "step_overhead_s_per_layer_by_gpu", "step_overhead_s_per_layer_by_gpu_source",
                       "allreduce_latency_s",
                       "allreduce_latency_s_source", "fp8_compute", "fp8_compute_source",
                       "fp8_compute_by_gpu", "fp8_compute_by_gpu_source",
                       "graph_step_overhead_s_per_layer", "graph_step_overhead_s_per_layer_source",
                       "weight_bandwidth_efficiency", "weight_bandwidth_efficiency_source",
                       "gqa_kv_reread_without_xqa", "gqa_kv_reread_without_xqa_source",
                       "context_serial_roofline", "context_serial_roofline_source"});
    check_sources(sp, r.raw("speed"));
    p.step_overhead_s_per_layer = optional_number(sp, "step_overhead_s_per_layer", 0, 0.1, -1);
    ObjectReader sby = sp.object("step_overhead_s_per_layer_by_gpu");
    if (const json* m = sp.raw("step_overhead_s_per_layer_by_gpu"); sby.valid()) {
      for (auto it = m->begin(); it != m->end(); ++it)
        if (auto v = sby.number(it.key(), 0, 0.1)) p.step_overhead_s_per_layer_by_gpu.push_back({it.key(), *v});
    }
    p.allreduce_latency_s = optional_number(sp, "allreduce_latency_s", 0, 1, -1);
    p.fp8_compute = sp.boolean("fp8_compute", false).value_or(false);
    ObjectReader fby = sp.object("fp8_compute_by_gpu");
    if (const json* m = sp.raw("fp8_compute_by_gpu"); fby.valid()) {
      for (auto it = m->begin(); it != m->end(); ++it)
        if (auto v = fby.boolean(it.key(), false)) p.fp8_compute_by_gpu.push_back({it.key(), *v});
    }
    p.graph_step_overhead_s_per_layer = optional_number(sp, "graph_step_overhead_s_per_layer", 0, 0.1, -1);
    p.gqa_kv_reread_without_xqa = optional_number(sp, "gqa_kv_reread_without_xqa", 0, 1, 0);
    p.context_serial_roofline = sp.boolean("context_serial_roofline", false).value_or(false);
    ObjectReader wbe = sp.object("weight_bandwidth_efficiency");
    if (const json* m = sp.raw("weight_bandwidth_efficiency"); wbe.valid()) {
      for (auto it = m->begin(); it != m->end(); ++it) {
        if (!parse_dtype(it.key())) {
          wbe.error(it.key(), "unknown_value", "must be a weight dtype (bf16, fp16, int8, int4, ...)");
          continue;
        }
        if (auto v = wbe.number(it.key(), 0.05, 1.0)) p.weight_bandwidth_efficiency.push_back({it.key(), *v});
      }
    }
    collect_sources(r.raw("speed"), "speed.", p);
  }
  ObjectReader tr = r.object("training");
  if (tr.valid()) {
    tr.reject_unknown({"bf16_training", "bf16_training_source", "logits_fp32_copies",
                       "logits_fp32_copies_source", "cpu_optimizer_ram_efficiency",
                       "cpu_optimizer_ram_efficiency_source"});
    check_sources(tr, r.raw("training"));
    p.bf16_training = tr.boolean("bf16_training", false).value_or(false);
    p.logits_fp32_copies = tr.integer("logits_fp32_copies", 0, 16, 2).value_or(2);
    p.cpu_optimizer_ram_efficiency = optional_number(tr, "cpu_optimizer_ram_efficiency", 0, 1, 0);
    collect_sources(r.raw("training"), "training.", p);
  }
  if (p.options.defined(EngineOption::mem_fraction_static) &&
      p.options.get(EngineOption::mem_fraction_static) == 0 && p.mem_fraction_default.buckets.empty())
    r.error("options", "missing_field", "mem_fraction_static 0 (derived) needs a mem_fraction_default rule");
  ObjectReader facts = r.object("facts");
  if (facts.valid()) {
    check_sources(facts, r.raw("facts"));
    collect_sources(r.raw("facts"), "facts.", p);
  }
  return p;
}

struct EngineCatalog {
  std::vector<EngineProfile> profiles;
  Errors errors;
};

// All profiles, parsed together on first use (ten small files): a profile that "inherits"
// is its base's JSON with its own keys merged over it (RFC 7386), then read like any other.
const EngineCatalog& catalog() {
  static const EngineCatalog c = [] {
    EngineCatalog out;
    std::vector<std::optional<json>> docs(data::kEnginesCount);
    for (std::size_t i = 0; i < data::kEnginesCount; ++i)
      docs[i] = json_io::parse_text(data::kEngines[i].json, "/engines/" + std::to_string(i), out.errors);
    for (std::size_t i = 0; i < data::kEnginesCount; ++i) {
      if (!docs[i] || !docs[i]->is_object()) continue;
      const std::string path = "/engines/" + std::string(data::kEngines[i].id);
      json doc = *docs[i];
      if (doc.contains("inherits")) {
        const json base_id = doc["inherits"];
        const auto base = std::find_if(docs.begin(), docs.end(), [&](const std::optional<json>& d) {
          return d && d->is_object() && d->contains("id") && (*d)["id"] == base_id;
        });
        if (!base_id.is_string() || base == docs.end() || (*base)->contains("inherits")) {
          out.errors.push_back({path + "/inherits", "unknown_preset",
                                "must name a profile that inherits from none"});
          continue;
        }
        json merged = **base;
        // The base's sources are merged with its values; the child's replace both.
        merged.merge_patch(doc);
        doc = std::move(merged);
      }
      ObjectReader r(&doc, path, out.errors);
      if (auto p = read_engine(r)) out.profiles.push_back(std::move(*p));
    }
    return out;
  }();
  return c;
}

}  // namespace

std::span<const EngineOptionInfo> engine_options() { return kOptions; }

const EngineOptionInfo& engine_option_info(EngineOption o) { return kOptions[static_cast<size_t>(o)]; }

const EngineOptionInfo* find_engine_option(std::string_view name) {
  for (const auto& o : kOptions)
    if (o.name == name) return &o;
  return nullptr;
}

const std::vector<EngineProfile>& engine_profiles() { return catalog().profiles; }

const EngineProfile* find_engine(std::string_view id) {
  for (const auto& p : catalog().profiles)
    if (p.id == id) return &p;
  return nullptr;
}

const Errors& engine_errors() { return catalog().errors; }

Errors engine_profile_errors(std::string_view text) {
  Errors errors;
  if (auto doc = json_io::parse_text(text, "/engines/test", errors); doc && doc->is_object()) {
    ObjectReader r(&*doc, "/engines/test", errors);
    read_engine(r);
  }
  return errors;
}

std::string_view memory_policy_name(MemoryPolicy p) {
  switch (p) {
    case MemoryPolicy::none: return "none";
    case MemoryPolicy::utilization_of_total: return "utilization_of_total";
    case MemoryPolicy::static_fraction: return "static_fraction";
    case MemoryPolicy::fraction_of_free: return "fraction_of_free";
    case MemoryPolicy::fixed_context: return "fixed_context";
  }
  return "";
}

}  // namespace llmcalc
