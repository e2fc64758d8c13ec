#include "architecture_json.hpp"

#include <cmath>

#include "limits.hpp"

namespace llmcalc {

using json_io::ObjectReader;
using nlohmann::json;
using namespace limits;

namespace {

const std::vector<std::string_view> kStateDtypes = {"fp32", "bf16", "fp16"};

// A variant key: one printable ASCII character (Nemotron-H style patterns use M, * and -).
bool valid_key(std::string_view k) { return k.size() == 1 && k[0] > ' ' && k[0] < 127; }

std::optional<Mamba2Config> read_mamba(ObjectReader& r) {
  if (!r.valid()) return std::nullopt;
  r.reject_unknown({"num_heads", "head_dim", "state_size", "n_groups", "conv_kernel", "dt_rank"});
  Mamba2Config m;
  m.num_heads = r.integer("num_heads", 1, kMaxHeads).value_or(0);
  m.head_dim = r.integer("head_dim", 1, kMaxWidth).value_or(0);
  m.state_size = r.integer("state_size", 1, kMaxStateSize).value_or(0);
  m.dt_rank = r.integer("dt_rank", 0, kMaxWidth, 0).value_or(0);
  // Mamba-1 (dt_rank > 0) has no B/C groups: its cache and weights need n_groups 0.
  const bool mamba1 = m.dt_rank > 0;
  m.n_groups = r.integer("n_groups", mamba1 ? 0 : 1, mamba1 ? 0 : kMaxHeads, mamba1 ? 0 : 1).value_or(0);
  m.conv_kernel = r.integer("conv_kernel", 1, kMaxStateSize, 4).value_or(0);
  return m;
}

std::optional<AttentionLayer> read_attention_variant(ObjectReader& r, const Architecture& a) {
  r.reject_unknown({"kind", "num_heads", "num_kv_heads", "head_dim", "v_head_dim", "k_eq_v",
                    "window", "sinks", "output_gate", "indexer_heads", "indexer_head_dim",
                    "linear", "mamba", "parallel_mamba", "conv_kernel", "conv_bias"});
  const size_t before = r.errors().size();
  AttentionLayer v;
  const auto kind = r.choice("kind", {"full", "sliding", "chunked", "mla", "linear", "mamba2",
                                      "none", "shared", "conv"});
  if (kind) v.kind = static_cast<AttentionKind>(*kind);
  v.num_heads = r.integer("num_heads", 1, kMaxHeads, a.num_heads).value_or(0);
  // 0 only on a shared layer: it projects queries only and reads another layer's K and V.
  v.num_kv_heads = r.integer("num_kv_heads", v.kind == AttentionKind::shared ? 0 : 1, kMaxHeads,
                             a.num_kv_heads)
                       .value_or(0);
  v.head_dim = r.integer("head_dim", 1, kMaxWidth, a.mla ? a.qk_head_dim() : a.head_dim).value_or(0);
  v.v_head_dim = r.integer("v_head_dim", 1, kMaxWidth, a.mla ? a.mla->v_head_dim : v.head_dim)
                     .value_or(0);
  v.k_eq_v = r.boolean("k_eq_v", false).value_or(false);
  const bool windowed = v.kind == AttentionKind::sliding || v.kind == AttentionKind::chunked;
  v.window = r.integer("window", 1, kMaxTokens, windowed ? std::nullopt : std::optional<int64_t>(0))
                 .value_or(0);
  v.sinks = r.boolean("sinks", false).value_or(false);
  v.output_gate = r.boolean("output_gate", false).value_or(false);
  v.indexer_heads = r.integer("indexer_heads", 0, kMaxHeads, 0).value_or(0);
  v.indexer_head_dim = r.integer("indexer_head_dim", 0, kMaxWidth, 0).value_or(0);
  v.parallel_mamba = r.boolean("parallel_mamba", false).value_or(false);
  v.conv_kernel = r.integer("conv_kernel", 2, kMaxStateSize,
                            v.kind == AttentionKind::conv ? std::nullopt : std::optional<int64_t>(0))
                      .value_or(0);
  v.conv_bias = r.boolean("conv_bias", false).value_or(false);
  ObjectReader lin = r.object("linear");
  if (lin.valid()) {
    lin.reject_unknown({"num_k_heads", "num_v_heads", "k_head_dim", "v_head_dim", "conv_kernel", "kda"});
    v.linear.num_k_heads = lin.integer("num_k_heads", 1, kMaxHeads).value_or(0);
    v.linear.num_v_heads = lin.integer("num_v_heads", 1, kMaxHeads).value_or(0);
    v.linear.k_head_dim = lin.integer("k_head_dim", 1, kMaxWidth).value_or(0);
    v.linear.v_head_dim = lin.integer("v_head_dim", 1, kMaxWidth).value_or(0);
    v.linear.conv_kernel = lin.integer("conv_kernel", 1, kMaxStateSize, 4).value_or(0);
    v.linear.kda = lin.boolean("kda", false).value_or(false);
  } else if (v.kind == AttentionKind::linear) {
    r.error("linear", "missing_field", "is required for kind linear");
  }
  ObjectReader mamba = r.object("mamba");
  if (auto m = read_mamba(mamba)) v.mamba = *m;
  else if (v.kind == AttentionKind::mamba2 || v.parallel_mamba)
    r.error("mamba", "missing_field", "is required for kind mamba2 and with parallel_mamba");
  if (v.kind == AttentionKind::mla && !a.mla)
    r.error("kind", "inconsistent", "kind mla needs the architecture's mla object");
  if (r.errors().size() != before) return std::nullopt;
  return v;
}

// Reads {"K": variant, ...} into `variants`; returns the key -> index table.
template <class Variant, class ReadFn>
bool read_variants(ObjectReader& plan, std::string_view key, std::vector<Variant>& variants,
                   std::string& keys, ReadFn read) {
  const json* obj = plan.raw(key);
  if (obj == nullptr) return true;
  if (!obj->is_object()) {
    plan.error(key, "wrong_type", "must be an object of one-letter variant names");
    return false;
  }
  if (static_cast<int64_t>(obj->size()) > kMaxVariants) {
    plan.error(key, "out_of_range", "at most " + std::to_string(kMaxVariants) + " variants");
    return false;
  }
  bool ok = true;
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    const std::string path = plan.child_path(key) + "/" + json_io::escape_pointer_token(it.key());
    if (!valid_key(it.key())) {
      plan.errors().push_back({path, "invalid_choice",
                               "variant names are one printable character, got \"" +
                                   json_io::shorten(it.key(), 20) + "\""});
      ok = false;
      continue;
    }
    ObjectReader vr(&it.value(), path, plan.errors());
    if (!vr.valid()) { ok = false; continue; }
    auto v = read(vr);
    if (!v) { ok = false; continue; }
    variants.push_back(*v);
    keys.push_back(it.key()[0]);
  }
  return ok;
}

// Expands a pattern string (repeated cyclically to num_layers) into variant indices.
bool read_pattern(ObjectReader& plan, std::string_view key, const std::string& keys,
                  int64_t num_layers, std::vector<uint8_t>& out) {
  const json* p = plan.raw(key);
  if (p == nullptr) {
    plan.error(key, "missing_field", "is required with variants");
    return false;
  }
  if (!p->is_string()) {
    plan.error(key, "wrong_type", "must be a string of variant names, got " + json_io::type_name(*p));
    return false;
  }
  const std::string& s = p->get_ref<const std::string&>();
  if (s.empty() || static_cast<int64_t>(s.size()) > num_layers) {
    plan.error(key, "out_of_range", "must hold 1 to num_layers (" + std::to_string(num_layers) +
                                        ") letters, got " + std::to_string(s.size()));
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (keys.find(s[i]) == std::string::npos) {
      plan.error(key, "invalid_choice",
                 pattern_letter(s, i) + " names no variant; variants: " + keys);
      return false;
    }
  }
  out.resize(static_cast<size_t>(num_layers));
  for (int64_t i = 0; i < num_layers; ++i)
    out[size_t(i)] = static_cast<uint8_t>(keys.find(s[size_t(i) % s.size()]));
  return true;
}

void read_plan(ObjectReader& r, Architecture& a) {
  if (!r.valid()) return;
  r.reject_unknown({"attention", "attention_pattern", "mlp", "mlp_pattern"});
  const size_t before = r.errors().size();
  LayerPlan derived = a.layer_plan();  // uniform fields expanded: the default of each half
  LayerPlan p;
  std::string akeys, mkeys;
  read_variants(r, "attention", p.attention, akeys,
                [&](ObjectReader& vr) { return read_attention_variant(vr, a); });
  read_variants(r, "mlp", p.mlp, mkeys, [&](ObjectReader& vr) -> std::optional<MlpLayer> {
    vr.reject_unknown({"kind", "intermediate_size"});
    MlpLayer m;
    const auto kind = vr.choice("kind", {"dense", "moe", "none"});
    if (!kind) return std::nullopt;
    m.kind = static_cast<LayerMlpKind>(*kind);
    m.intermediate_size =
        vr.integer("intermediate_size", 1, kMaxFfnWidth, a.intermediate_size).value_or(0);
    if (m.kind == LayerMlpKind::moe && !a.moe) {
      vr.error("kind", "inconsistent", "kind moe needs the architecture's moe object");
      return std::nullopt;
    }
    return m;
  });
  if (r.errors().size() != before) return;
  if (p.attention.empty()) {
    p.attention = derived.attention;
    p.layer_attention = derived.layer_attention;
    if (r.has("attention_pattern"))
      r.error("attention_pattern", "inconsistent", "needs attention variants");
  } else {
    read_pattern(r, "attention_pattern", akeys, a.num_layers, p.layer_attention);
  }
  if (p.mlp.empty()) {
    p.mlp = derived.mlp;
    p.layer_mlp = derived.layer_mlp;
    if (r.has("mlp_pattern")) r.error("mlp_pattern", "inconsistent", "needs mlp variants");
  } else {
    read_pattern(r, "mlp_pattern", mkeys, a.num_layers, p.layer_mlp);
  }
  if (r.errors().size() != before) return;
  a.plan = std::move(p);
}

void read_extra_modules(ObjectReader& r, Architecture& a) {
  const json* list = r.raw("extra_modules");
  if (list == nullptr) return;
  if (!list->is_array()) {
    r.error("extra_modules", "wrong_type", "must be an array");
    return;
  }
  if (static_cast<int64_t>(list->size()) > kMaxExtraModules) {
    r.error("extra_modules", "out_of_range", "at most " + std::to_string(kMaxExtraModules));
    return;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    ObjectReader m(&(*list)[i], r.child_path("extra_modules") + "/" + std::to_string(i), r.errors());
    if (!m.valid()) continue;
    m.reject_unknown({"kind", "params"});
    ExtraModule e;
    e.kind = static_cast<ExtraModuleKind>(
        m.choice("kind", {"vision", "audio", "projector"}).value_or(0));
    e.params = m.integer("params", 1, kMaxParams).value_or(0);
    e.name = e.kind == ExtraModuleKind::vision  ? "vision_tower"
             : e.kind == ExtraModuleKind::audio ? "audio_tower"
                                                : "multi_modal_projector";
    a.extra_modules.push_back(e);
  }
}

// Parameters in floating point, so absurd shapes are refused before any int64 arithmetic
// could overflow: an upper bound of what tensor_inventory() would count.
double param_bound(const Architecture& a) {
  const double h = double(a.hidden_size);
  const LayerPlan p = a.layer_plan();
  std::vector<double> attn(p.attention.size(), 0), mlp(p.mlp.size(), 0);
  for (uint8_t v : p.layer_attention) attn[v] += 1;
  for (uint8_t v : p.layer_mlp) mlp[v] += 1;
  double total = 0;
  for (size_t i = 0; i < p.attention.size(); ++i) {
    const AttentionLayer& v = p.attention[i];
    double w = 4.0 * h * double(v.num_heads) * double(std::max(v.head_dim, v.v_head_dim));
    if (a.mla) w += 4.0 * h * double(v.num_heads) *
                    double(a.mla->kv_lora_rank + a.mla->q_lora_rank + a.qk_head_dim() +
                           a.mla->v_head_dim);
    w += 4.0 * h * double(v.indexer_heads + 1) * double(v.indexer_head_dim + 1);
    const double lk = double(v.linear.num_k_heads) * double(v.linear.k_head_dim);
    const double lv = double(v.linear.num_v_heads) * double(v.linear.v_head_dim);
    w += (2 * lk + 3 * lv) * (h + double(v.linear.conv_kernel));
    if (v.kind == AttentionKind::conv) w += 5.0 * h * h + 4.0 * h * double(v.conv_kernel + 1);
    const double di = double(v.mamba.num_heads) * double(v.mamba.head_dim);
    w += (3 * di + 2.0 * double(v.mamba.n_groups) * double(v.mamba.state_size)) *
         (h + double(v.mamba.conv_kernel) + 1);
    w += di * double(2 * v.mamba.dt_rank + 3 * v.mamba.state_size + 3);  // Mamba-1's x/dt_proj, A
    total += attn[i] * w;
  }
  for (size_t i = 0; i < p.mlp.size(); ++i) {
    double w = 3.0 * h * double(p.mlp[i].intermediate_size);
    if (p.mlp[i].kind == LayerMlpKind::moe && a.moe)
      w = 3.0 * h *
          (double(a.moe->num_experts) * double(a.moe->expert_intermediate_size) +
           double(a.moe->num_shared_experts) * double(a.moe->shared_expert_intermediate_size));
    total += mlp[i] * w;
  }
  total *= 1.0 + double(a.mtp_layers);
  total += 4.0 * h * double(a.vocab_size) + h * double(a.max_position_embeddings);
  for (const auto& e : a.extra_modules) total += double(e.params);
  // Gemma 3n: the per-layer table and projections, LAuReL, AltUp (a generous bound).
  const double L = double(a.num_layers), ple = double(a.per_layer_input_width);
  const double n = double(a.altup_inputs);
  total += L * ple * (double(a.per_layer_input_vocab) + 3.0 * h) +
           L * (2.0 * h * double(a.laurel_rank) + (h + n + 3.0) * (n + 1.0) * (n + 1.0)) +
           2.0 * n * h * h;
  return total;
}

std::string n(int64_t v) { return std::to_string(v); }

}  // namespace

std::optional<Architecture> read_architecture(ObjectReader& r) {
  if (!r.valid()) return std::nullopt;
  r.reject_unknown({"vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads",
                    "head_dim", "intermediate_size", "mlp", "norm", "norms_per_layer",
                    "final_norm", "qk_norm", "attention_bias", "attention_out_bias", "mlp_bias",
                    "position", "max_position_embeddings", "tie_word_embeddings",
                    "sliding_window", "global_attention_every", "moe", "mla", "layers",
                    "mtp_layers", "mtp_dedicated_embeddings", "state_dtype", "extra_modules",
                    "per_layer_input_width", "per_layer_input_vocab", "altup_inputs",
                    "laurel_rank"});
  const size_t before = r.errors().size();
  Architecture a;
  a.vocab_size = r.integer("vocab_size", 1, kMaxVocab).value_or(0);
  a.hidden_size = r.integer("hidden_size", 1, kMaxWidth).value_or(0);
  a.num_layers = r.integer("num_layers", 1, kMaxLayers).value_or(0);
  a.num_heads = r.integer("num_heads", 1, kMaxHeads).value_or(0);
  a.num_kv_heads = r.integer("num_kv_heads", 1, kMaxHeads, a.num_heads).value_or(0);
  a.head_dim = r.integer("head_dim", 1, kMaxWidth, 0).value_or(0);
  a.intermediate_size = r.integer("intermediate_size", 1, kMaxFfnWidth).value_or(0);
  a.mlp = r.choice("mlp", {"gated", "standard"}, 0).value_or(0) == 0 ? MlpKind::gated
                                                                       : MlpKind::standard;
  a.norm = r.choice("norm", {"rmsnorm", "layernorm"}, 0).value_or(0) == 0 ? NormKind::rmsnorm
                                                                          : NormKind::layernorm;
  a.norms_per_layer = r.integer("norms_per_layer", 0, 8, 2).value_or(2);
  a.final_norm = r.boolean("final_norm", true).value_or(true);
  a.qk_norm = r.boolean("qk_norm", false).value_or(false);
  a.attention_bias = r.boolean("attention_bias", false).value_or(false);
  a.attention_out_bias = r.boolean("attention_out_bias", false).value_or(false);
  a.mlp_bias = r.boolean("mlp_bias", false).value_or(false);
  a.position = static_cast<PositionKind>(
      r.choice("position", {"rope", "learned", "alibi"}, 0).value_or(0));
  a.max_position_embeddings = r.integer("max_position_embeddings", 0, kMaxTokens, 0).value_or(0);
  a.tie_word_embeddings = r.boolean("tie_word_embeddings", false).value_or(false);
  a.sliding_window = r.integer("sliding_window", 0, kMaxTokens, 0).value_or(0);
  a.global_attention_every = r.integer("global_attention_every", 0, kMaxLayers, 0).value_or(0);
  a.mtp_layers = r.integer("mtp_layers", 0, kMaxMtpLayers, 0).value_or(0);
  a.mtp_dedicated_embeddings = r.boolean("mtp_dedicated_embeddings", false).value_or(false);
  a.state_dtype = parse_dtype(kStateDtypes[r.choice("state_dtype", kStateDtypes, 1).value_or(1)])
                      .value_or(Dtype::bf16);
  read_extra_modules(r, a);
  a.per_layer_input_width = r.integer("per_layer_input_width", 0, kMaxWidth, 0).value_or(0);
  a.per_layer_input_vocab = r.integer("per_layer_input_vocab", 0, kMaxVocab, 0).value_or(0);
  a.altup_inputs = r.integer("altup_inputs", 0, kMaxAltupInputs, 0).value_or(0);
  a.laurel_rank = r.integer("laurel_rank", 0, kMaxWidth, 0).value_or(0);

  ObjectReader moe = r.object("moe");
  if (moe.valid()) {
    moe.reject_unknown({"num_experts", "top_k", "expert_intermediate_size",
                        "num_shared_experts", "shared_expert_intermediate_size",
                        "first_dense_layers", "shared_expert_gate", "router_bias",
                        "expert_bias"});
    MoeConfig m;
    m.num_experts = moe.integer("num_experts", 1, kMaxExperts).value_or(0);
    m.top_k = moe.integer("top_k", 1, kMaxExperts).value_or(0);
    m.expert_intermediate_size =
        moe.integer("expert_intermediate_size", 1, kMaxFfnWidth).value_or(0);
    m.num_shared_experts = moe.integer("num_shared_experts", 0, kMaxSharedExperts, 0).value_or(0);
    // 0 is allowed (and is what export writes) when there are no shared experts.
    m.shared_expert_intermediate_size =
        moe.integer("shared_expert_intermediate_size", 0, kMaxFfnWidth,
                    m.num_shared_experts > 0 ? m.expert_intermediate_size : 0)
            .value_or(0);
    m.first_dense_layers = moe.integer("first_dense_layers", 0, kMaxLayers, 0).value_or(0);
    m.shared_expert_gate = moe.boolean("shared_expert_gate", false).value_or(false);
    m.router_bias = moe.boolean("router_bias", false).value_or(false);
    m.expert_bias = moe.boolean("expert_bias", false).value_or(false);
    a.moe = m;
  }
  ObjectReader mla = r.object("mla");
  if (mla.valid()) {
    mla.reject_unknown(
        {"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"});
    MlaConfig m;
    m.q_lora_rank = mla.integer("q_lora_rank", 0, kMaxWidth, 0).value_or(0);
    m.kv_lora_rank = mla.integer("kv_lora_rank", 1, kMaxWidth).value_or(0);
    m.qk_nope_head_dim = mla.integer("qk_nope_head_dim", 0, kMaxWidth).value_or(0);
    m.qk_rope_head_dim = mla.integer("qk_rope_head_dim", 0, kMaxWidth).value_or(0);
    m.v_head_dim = mla.integer("v_head_dim", 1, kMaxWidth).value_or(0);
    a.mla = m;
  }
  if (r.errors().size() != before) return std::nullopt;
  if (a.head_dim == 0 && a.num_heads > 0 && a.hidden_size % a.num_heads == 0)
    a.head_dim = a.hidden_size / a.num_heads;
  ObjectReader plan = r.object("layers");
  read_plan(plan, a);
  if (r.errors().size() != before) return std::nullopt;
  sync_uniform_fields(a);
  validate_architecture(a, r.path(), r.errors());
  if (r.errors().size() != before) return std::nullopt;
  return a;
}

std::string pattern_letter(const std::string& pattern, size_t i) {
  return "letter " + std::to_string(i) + " ('" + json_io::shorten(pattern.substr(i, 1), 4) + "')";
}

void sync_uniform_fields(Architecture& a) {
  if (a.plan.empty()) return;
  // The analyses that predate the plan read the uniform fields: keep them describing the
  // plan (the window of the windowed layers, the count of dense layers).
  for (const AttentionLayer& v : a.plan.attention) {
    if ((v.kind == AttentionKind::sliding || v.kind == AttentionKind::chunked) && v.window > 0) {
      a.sliding_window = v.window;
      break;
    }
  }
  if (a.moe) a.moe->first_dense_layers = a.num_layers - a.layers_of(LayerMlpKind::moe);
}

void validate_architecture(const Architecture& a, const std::string& path, Errors& errors) {
  const size_t before = errors.size();
  auto err = [&](const std::string& field, const char* code, std::string msg) {
    errors.push_back({path + "/" + field, code, std::move(msg)});
  };
  if (a.head_dim == 0) {
    err("num_heads", "inconsistent",
        "num_heads (" + n(a.num_heads) + ") must divide hidden_size (" + n(a.hidden_size) +
            ") when head_dim is not given");
    return;
  }
  if (!a.mla) {
    if (a.num_kv_heads > a.num_heads || a.num_heads % a.num_kv_heads != 0)
      err("num_kv_heads", "inconsistent",
          "num_kv_heads (" + n(a.num_kv_heads) + ") must divide num_heads (" + n(a.num_heads) + ")");
  }
  if (a.position == PositionKind::learned && a.max_position_embeddings == 0)
    err("max_position_embeddings", "missing_field",
        "is required (and > 0) with learned position embeddings");
  if (a.moe) {
    if (a.moe->top_k > a.moe->num_experts)
      err("moe/top_k", "inconsistent",
          "top_k (" + n(a.moe->top_k) + ") cannot exceed num_experts (" + n(a.moe->num_experts) + ")");
    if (a.moe->num_shared_experts > 0 && a.moe->shared_expert_intermediate_size == 0)
      err("moe/shared_expert_intermediate_size", "out_of_range",
          "must be > 0 when num_shared_experts > 0");
    if (a.moe->first_dense_layers > a.num_layers)
      err("moe/first_dense_layers", "inconsistent", "cannot exceed num_layers");
  }
  if ((a.per_layer_input_width > 0) != (a.per_layer_input_vocab > 0))
    err("per_layer_input_vocab", "inconsistent",
        "per_layer_input_width (" + n(a.per_layer_input_width) + ") and per_layer_input_vocab (" +
            n(a.per_layer_input_vocab) + ") go together: both > 0 or both 0");
  if (a.mla && a.mla->qk_nope_head_dim + a.mla->qk_rope_head_dim == 0)
    err("mla/qk_rope_head_dim", "out_of_range", "qk_nope_head_dim + qk_rope_head_dim must be > 0");
  if (!a.plan.empty()) {
    const LayerPlan& p = a.plan;
    if (int64_t(p.layer_attention.size()) != a.num_layers ||
        int64_t(p.layer_mlp.size()) != a.num_layers)
      err("layers", "inconsistent", "the plan must give every one of num_layers layers");
    for (size_t i = 0; i < p.attention.size(); ++i) {
      const AttentionLayer& v = p.attention[i];
      const bool softmax = v.kind == AttentionKind::full || v.kind == AttentionKind::sliding ||
                           v.kind == AttentionKind::chunked || v.kind == AttentionKind::shared;
      const bool query_only = v.kind == AttentionKind::shared && v.num_kv_heads == 0;
      if (softmax && !query_only &&
          (v.num_kv_heads <= 0 || v.num_kv_heads > v.num_heads || v.num_heads % v.num_kv_heads != 0))
        err("layers/attention", "inconsistent",
            "variant " + n(int64_t(i)) + ": num_kv_heads (" + n(v.num_kv_heads) +
                ") must divide num_heads (" + n(v.num_heads) + ")");
      if (v.k_eq_v && v.head_dim != v.v_head_dim)
        err("layers/attention", "inconsistent",
            "variant " + n(int64_t(i)) + ": k_eq_v needs head_dim == v_head_dim");
      if ((v.indexer_heads > 0) != (v.indexer_head_dim > 0))
        err("layers/attention", "inconsistent",
            "variant " + n(int64_t(i)) + ": indexer_heads and indexer_head_dim go together");
    }
  }
  if (errors.size() != before) return;

  const double total = param_bound(a);
  if (!(total <= kMaxTotalParams))
    errors.push_back({path, "out_of_range",
                      "the architecture describes about " + std::to_string(total / 1e12) +
                          " trillion parameters; the limit is 1000 trillion"});
}

namespace {

json variant_json(const AttentionLayer& v) {
  json j = {{"kind", attention_kind_name(v.kind)}};
  if (v.kind == AttentionKind::none) {
    if (v.mamba.num_heads > 0)  // a gated memory unit's width (SambaY)
      j["mamba"] = {{"num_heads", v.mamba.num_heads},   {"head_dim", v.mamba.head_dim},
                    {"state_size", v.mamba.state_size}, {"n_groups", v.mamba.n_groups},
                    {"conv_kernel", v.mamba.conv_kernel}};
    if (v.mamba.num_heads > 0 && v.mamba.dt_rank > 0) j["mamba"]["dt_rank"] = v.mamba.dt_rank;
    return j;
  }
  if (v.kind == AttentionKind::conv) {
    j["conv_kernel"] = v.conv_kernel;
    if (v.conv_bias) j["conv_bias"] = true;
    return j;
  }
  if (v.kind != AttentionKind::linear && v.kind != AttentionKind::mamba2) {
    j["num_heads"] = v.num_heads;
    j["num_kv_heads"] = v.num_kv_heads;
    j["head_dim"] = v.head_dim;
    j["v_head_dim"] = v.v_head_dim;
  }
  if (v.k_eq_v) j["k_eq_v"] = true;
  if (v.window > 0) j["window"] = v.window;
  if (v.sinks) j["sinks"] = true;
  if (v.output_gate) j["output_gate"] = true;
  if (v.indexer_head_dim > 0) {
    j["indexer_heads"] = v.indexer_heads;
    j["indexer_head_dim"] = v.indexer_head_dim;
  }
  if (v.kind == AttentionKind::linear)
    j["linear"] = {{"num_k_heads", v.linear.num_k_heads}, {"num_v_heads", v.linear.num_v_heads},
                   {"k_head_dim", v.linear.k_head_dim},   {"v_head_dim", v.linear.v_head_dim},
                   {"conv_kernel", v.linear.conv_kernel}};
  if (v.kind == AttentionKind::linear && v.linear.kda) j["linear"]["kda"] = true;
  if (v.parallel_mamba) j["parallel_mamba"] = true;
  if (v.kind == AttentionKind::mamba2 || v.parallel_mamba)
    j["mamba"] = {{"num_heads", v.mamba.num_heads},   {"head_dim", v.mamba.head_dim},
                  {"state_size", v.mamba.state_size}, {"n_groups", v.mamba.n_groups},
                  {"conv_kernel", v.mamba.conv_kernel}};
  if ((v.kind == AttentionKind::mamba2 || v.parallel_mamba) && v.mamba.dt_rank > 0)
    j["mamba"]["dt_rank"] = v.mamba.dt_rank;
  return j;
}

// Variant names for export: letters in order (A, B, ...); patterns spelled in full.
json plan_json(const LayerPlan& p) {
  auto key = [](size_t i) { return std::string(1, char('A' + i)); };
  json attn = json::object(), mlp = json::object();
  for (size_t i = 0; i < p.attention.size(); ++i) attn[key(i)] = variant_json(p.attention[i]);
  for (size_t i = 0; i < p.mlp.size(); ++i) {
    const MlpLayer& m = p.mlp[i];
    mlp[key(i)] = {{"kind", m.kind == LayerMlpKind::dense ? "dense"
                            : m.kind == LayerMlpKind::moe ? "moe"
                                                          : "none"}};
    if (m.kind == LayerMlpKind::dense) mlp[key(i)]["intermediate_size"] = m.intermediate_size;
  }
  std::string ap, mp;
  for (uint8_t v : p.layer_attention) ap.push_back(char('A' + v));
  for (uint8_t v : p.layer_mlp) mp.push_back(char('A' + v));
  return {{"attention", attn}, {"attention_pattern", ap}, {"mlp", mlp}, {"mlp_pattern", mp}};
}

}  // namespace

json architecture_to_json(const Architecture& a) {
  json j = {{"vocab_size", a.vocab_size},
            {"hidden_size", a.hidden_size},
            {"num_layers", a.num_layers},
            {"num_heads", a.num_heads},
            {"num_kv_heads", a.num_kv_heads},
            {"head_dim", a.head_dim},
            {"intermediate_size", a.intermediate_size},
            {"mlp", a.mlp == MlpKind::gated ? "gated" : "standard"},
            {"norm", a.norm == NormKind::rmsnorm ? "rmsnorm" : "layernorm"},
            {"norms_per_layer", a.norms_per_layer},
            {"final_norm", a.final_norm},
            {"qk_norm", a.qk_norm},
            {"attention_bias", a.attention_bias},
            {"attention_out_bias", a.attention_out_bias},
            {"mlp_bias", a.mlp_bias},
            {"position", a.position == PositionKind::rope      ? "rope"
                         : a.position == PositionKind::learned ? "learned"
                                                               : "alibi"},
            {"max_position_embeddings", a.max_position_embeddings},
            {"tie_word_embeddings", a.tie_word_embeddings},
            {"sliding_window", a.sliding_window},
            {"global_attention_every", a.global_attention_every}};
  if (a.moe) {
    j["moe"] = {{"num_experts", a.moe->num_experts},
                {"top_k", a.moe->top_k},
                {"expert_intermediate_size", a.moe->expert_intermediate_size},
                {"num_shared_experts", a.moe->num_shared_experts},
                {"shared_expert_intermediate_size", a.moe->shared_expert_intermediate_size},
                {"first_dense_layers", a.moe->first_dense_layers},
                {"shared_expert_gate", a.moe->shared_expert_gate},
                {"router_bias", a.moe->router_bias}};
    if (a.moe->expert_bias) j["moe"]["expert_bias"] = true;
  }
  if (a.mla) {
    j["mla"] = {{"q_lora_rank", a.mla->q_lora_rank},
                {"kv_lora_rank", a.mla->kv_lora_rank},
                {"qk_nope_head_dim", a.mla->qk_nope_head_dim},
                {"qk_rope_head_dim", a.mla->qk_rope_head_dim},
                {"v_head_dim", a.mla->v_head_dim}};
  }
  // Fields that older architectures never use are written only when set, so that the
  // architecture of every existing preset and scenario prints as before.
  if (!a.plan.empty()) j["layers"] = plan_json(a.plan);
  if (a.mtp_layers > 0) j["mtp_layers"] = a.mtp_layers;
  if (a.mtp_dedicated_embeddings) j["mtp_dedicated_embeddings"] = true;
  if (a.state_dtype != Dtype::bf16) j["state_dtype"] = dtype_name(a.state_dtype);
  if (a.per_layer_input_width > 0) {
    j["per_layer_input_width"] = a.per_layer_input_width;
    j["per_layer_input_vocab"] = a.per_layer_input_vocab;
  }
  if (a.altup_inputs > 0) j["altup_inputs"] = a.altup_inputs;
  if (a.laurel_rank > 0) j["laurel_rank"] = a.laurel_rank;
  if (!a.extra_modules.empty()) {
    json list = json::array();
    for (const auto& e : a.extra_modules)
      list.push_back({{"kind", e.kind == ExtraModuleKind::vision  ? "vision"
                               : e.kind == ExtraModuleKind::audio ? "audio"
                                                                  : "projector"},
                      {"params", e.params}});
    j["extra_modules"] = list;
  }
  return j;
}

}  // namespace llmcalc
