#include "hf_config.hpp"

#include <algorithm>
#include <map>

#include "architecture_json.hpp"
#include "hf_quant.hpp"
#include "hf_vision.hpp"
#include "limits.hpp"
#include "llmcalc/tensors.hpp"

namespace llmcalc {

using json_io::ObjectReader;
using nlohmann::json;
using namespace limits;

namespace {

// Family readers by model_type. Wrappers with text_config are unwrapped first.
const std::vector<std::string_view> kTypes = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
    "gemma3", "gemma3_text", "phi3", "gpt2", "gpt_neox", "falcon", "deepseek_v3",
    // 2025-26 families
    "gpt_oss", "llama4", "llama4_text", "qwen3_next", "qwen3_5", "qwen3_5_text", "qwen3_5_moe",
    "qwen3_5_moe_text", "qwen3_vl", "qwen3_vl_text", "qwen3_vl_moe", "qwen3_vl_moe_text",
    "qwen2_5_vl", "qwen2_5_vl_text", "glm4_moe", "glm4_moe_lite", "glm_moe_dsa", "deepseek_v32",
    "kimi_k2", "kimi_vl", "minimax_m2", "mimo_v2_flash", "gemma3n", "gemma3n_text", "gemma4",
    "gemma4_text", "mistral3", "ministral", "ministral3", "olmo2", "olmo3", "smollm3", "exaone4",
    "ernie4_5_moe", "hunyuan_v1_moe", "nemotron_h", "falcon_h1", "granitemoehybrid", "jamba",
    "nemotron-nas", "deci", "gpt_bigcode", "gptj", "mpt", "phimoe", "phi4mm", "phi4_multimodal",
    "kimi_linear", "lfm2", "lfm2_moe", "phi4flash"};

bool is(const std::string& t, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), t) != names.end();
}

// One import: the reader, the architecture being built and the notes on what was assumed.
struct Import {
  ObjectReader& r;
  Architecture& a;
  std::vector<std::string>& notes;
  std::string type;

  std::optional<int64_t> i(std::string_view key, int64_t min, int64_t max,
                           std::optional<int64_t> fallback = std::nullopt) {
    return r.integer(key, min, max, fallback);
  }
  bool b(std::string_view key, bool fallback) { return r.boolean(key, fallback).value_or(fallback); }
  bool has(std::string_view key) const { return r.raw(key) != nullptr; }
  // The first of several spellings that is present (or the first, to name it in errors).
  std::string_view first_of(std::initializer_list<std::string_view> keys) const {
    for (auto k : keys)
      if (r.raw(k) != nullptr) return k;
    return *keys.begin();
  }
};

// A JSON array read with its length checked before any element is looked at, so a hostile
// list costs nothing (issue 16: a 1e9-layer config with a long list must fail at once).
const json* bounded_list(Import& im, std::string_view key, int64_t max_len) {
  const json* v = im.r.raw(key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    im.r.error(key, "wrong_type", "must be an array, got " + json_io::type_name(*v));
    return nullptr;
  }
  if (static_cast<int64_t>(v->size()) > max_len) {
    im.r.error(key, "out_of_range", "has " + std::to_string(v->size()) +
                                        " entries; at most " + std::to_string(max_len) + " fit");
    return nullptr;
  }
  return v;
}

std::optional<std::vector<int64_t>> int_list(Import& im, std::string_view key, int64_t max_len,
                                             int64_t min, int64_t max) {
  const json* v = bounded_list(im, key, max_len);
  if (v == nullptr) return std::nullopt;
  std::vector<int64_t> out;
  out.reserve(v->size());
  const size_t before = im.r.errors().size();
  for (size_t k = 0; k < v->size(); ++k) {
    const json& e = (*v)[k];
    // Booleans count as 0/1 (some configs write moe_layer_freq as [false, true, ...]).
    if (e.is_boolean()) { out.push_back(e.get<bool>() ? 1 : 0); continue; }
    auto x = json_io::as_integer(e, im.r.child_path(key) + "/" + std::to_string(k), min, max,
                                 im.r.errors());
    if (x) out.push_back(*x);
  }
  if (im.r.errors().size() != before) return std::nullopt;
  return out;
}

// A per-layer list must give exactly num_layers entries.
bool per_layer_length(Import& im, std::string_view key, size_t size) {
  if (static_cast<int64_t>(size) == im.a.num_layers) return true;
  im.r.error(key, "inconsistent", "has " + std::to_string(size) + " entries but num_hidden_layers is " +
                                      std::to_string(im.a.num_layers));
  return false;
}

// Builds a plan from per-layer variant choices, de-duplicating variants by a name.
struct PlanBuilder {
  LayerPlan p;
  std::vector<std::string> attn_names, mlp_names;
  explicit PlanBuilder(int64_t layers) {
    p.layer_attention.assign(size_t(layers), 0);
    p.layer_mlp.assign(size_t(layers), 0);
  }
  uint8_t attention(const std::string& name, const AttentionLayer& v) {
    auto it = std::find(attn_names.begin(), attn_names.end(), name);
    if (it != attn_names.end()) return uint8_t(it - attn_names.begin());
    attn_names.push_back(name);
    p.attention.push_back(v);
    return uint8_t(p.attention.size() - 1);
  }
  uint8_t mlp(const std::string& name, const MlpLayer& v) {
    auto it = std::find(mlp_names.begin(), mlp_names.end(), name);
    if (it != mlp_names.end()) return uint8_t(it - mlp_names.begin());
    mlp_names.push_back(name);
    p.mlp.push_back(v);
    return uint8_t(p.mlp.size() - 1);
  }
};

AttentionLayer full_attention(const Architecture& a) {
  AttentionLayer v;
  v.kind = a.mla ? AttentionKind::mla : AttentionKind::full;
  v.num_heads = a.num_heads;
  v.num_kv_heads = a.num_kv_heads;
  v.head_dim = a.mla ? a.qk_head_dim() : a.head_dim;
  v.v_head_dim = a.mla ? a.mla->v_head_dim : a.head_dim;
  return v;
}

AttentionLayer windowed_attention(const Architecture& a, AttentionKind kind, int64_t window) {
  AttentionLayer v = full_attention(a);
  v.kind = kind;
  v.window = window;
  return v;
}

// The MLP a layer has by default: the MoE block when the model has one, else dense.
MlpLayer default_mlp(const Architecture& a, bool moe_layer) {
  if (a.moe && moe_layer) return {LayerMlpKind::moe, 0};
  return {LayerMlpKind::dense, a.intermediate_size};
}

// Reads the llama-like decoder fields under their usual names.
// `layers` stands in for a missing num_hidden_layers where the config's per-layer list gives the
// count (NemotronHConfig derives it from layers_block_type).
void read_decoder(Import& im, bool need_ffn = true, std::optional<int64_t> layers = std::nullopt) {
  Architecture& a = im.a;
  a.vocab_size = im.i("vocab_size", 1, kMaxVocab).value_or(0);
  a.hidden_size = im.i("hidden_size", 1, kMaxWidth).value_or(0);
  a.num_layers = im.i("num_hidden_layers", 1, kMaxLayers, layers).value_or(0);
  a.num_heads = im.i("num_attention_heads", 1, kMaxHeads).value_or(0);
  a.num_kv_heads = im.i("num_key_value_heads", 1, kMaxHeads, a.num_heads).value_or(0);
  a.head_dim = im.i("head_dim", 1, kMaxWidth, 0).value_or(0);
  a.intermediate_size =
      im.i("intermediate_size", 1, kMaxFfnWidth, need_ffn ? std::nullopt : std::optional<int64_t>(1))
          .value_or(0);
  a.max_position_embeddings = im.i("max_position_embeddings", 0, kMaxTokens, 0).value_or(0);
  a.attention_bias = im.b("attention_bias", false);
  a.mlp_bias = im.b("mlp_bias", false);
  a.tie_word_embeddings = im.b("tie_word_embeddings", false);
  if (a.head_dim == 0 && a.num_heads > 0 && a.hidden_size % a.num_heads == 0)
    a.head_dim = a.hidden_size / a.num_heads;
}

void read_window(Import& im, int64_t global_every) {
  im.a.sliding_window = im.i("sliding_window", 0, kMaxTokens, 0).value_or(0);
  im.a.global_attention_every = im.a.sliding_window > 0 ? global_every : 0;
}

// MoE fields under the common spellings.
MoeConfig read_moe(Import& im, std::initializer_list<std::string_view> experts_keys,
                   std::initializer_list<std::string_view> width_keys) {
  MoeConfig m;
  m.num_experts = im.i(im.first_of(experts_keys), 1, kMaxExperts).value_or(0);
  m.top_k = im.i(im.first_of({"num_experts_per_tok", "num_experts_per_token", "experts_per_token", "moe_k", "moe_topk"}),
                 1, kMaxExperts)
                .value_or(0);
  m.expert_intermediate_size = im.i(im.first_of(width_keys), 1, kMaxFfnWidth).value_or(0);
  if (m.num_experts > 0 && m.top_k > m.num_experts)
    im.r.error(im.first_of({"num_experts_per_tok", "num_experts_per_token", "experts_per_token", "moe_k", "moe_topk"}),
               "inconsistent",
               "experts per token (" + std::to_string(m.top_k) + ") cannot exceed the number of experts (" +
                   std::to_string(m.num_experts) + ")");
  return m;
}

// layer_types strings -> attention variants (plus the layer's window).
bool apply_layer_types(Import& im, PlanBuilder& pb, const json& types) {
  Architecture& a = im.a;
  if (!per_layer_length(im, "layer_types", types.size())) return false;
  const int64_t window = a.sliding_window;
  const int64_t chunk = im.i("attention_chunk_size", 1, kMaxTokens, 0).value_or(0);
  for (size_t k = 0; k < types.size(); ++k) {
    const std::string path = im.r.child_path("layer_types") + "/" + std::to_string(k);
    if (!types[k].is_string()) {
      im.r.errors().push_back({path, "wrong_type", "must be a string, got " + json_io::type_name(types[k])});
      return false;
    }
    const std::string& t = types[k].get_ref<const std::string&>();
    if (t == "full_attention" || t == "attention" || t == "global_attention" || t == "full") {
      pb.p.layer_attention[k] = pb.attention("full", full_attention(a));
    } else if (t == "sliding_attention" || t == "sliding_window_attention" || t == "local_attention" ||
               t == "sliding") {
      if (window <= 0) {
        im.r.error("sliding_window", "missing_field", "is required with sliding_attention layers");
        return false;
      }
      pb.p.layer_attention[k] = pb.attention("sliding", windowed_attention(a, AttentionKind::sliding, window));
    } else if (t == "chunked_attention") {
      if (chunk <= 0) {
        im.r.error("attention_chunk_size", "missing_field", "is required with chunked_attention layers");
        return false;
      }
      pb.p.layer_attention[k] = pb.attention("chunked", windowed_attention(a, AttentionKind::chunked, chunk));
    } else if (t == "linear_attention") {
      pb.p.layer_attention[k] = 255;  // filled by the family reader (Gated DeltaNet geometry)
    } else if (t == "mamba" || t == "mamba2") {
      pb.p.layer_attention[k] = 254;  // filled by the family reader (Mamba geometry)
    } else if (t == "conv" || t == "short_conv") {
      pb.p.layer_attention[k] = 253;  // filled by the family reader (LFM2 short conv)
    } else {
      im.r.errors().push_back({path, "invalid_choice",
                               "unknown layer type \"" + json_io::shorten(t, 40) +
                                   "\"; known: full_attention, sliding_attention, "
                                   "chunked_attention, linear_attention, mamba, conv"});
      return false;
    }
  }
  return true;
}

// layer_types where a family requires it: missing is an error saying what the list holds.
bool apply_required_layer_types(Import& im, PlanBuilder& pb, const std::string& what) {
  const json* types = bounded_list(im, "layer_types", kMaxLayers);
  if (types == nullptr) {
    im.r.error("layer_types", "missing_field", "is required" + what);
    return false;
  }
  return apply_layer_types(im, pb, *types);
}

// Replaces the placeholders 255 (linear) / 254 (mamba) of apply_layer_types.
void fill_placeholder(PlanBuilder& pb, uint8_t placeholder, const std::string& name,
                      const AttentionLayer& v) {
  for (auto& x : pb.p.layer_attention)
    if (x == placeholder) x = pb.attention(name, v);
}

bool has_placeholder(const PlanBuilder& pb, uint8_t placeholder) {
  return std::find(pb.p.layer_attention.begin(), pb.p.layer_attention.end(), placeholder) !=
         pb.p.layer_attention.end();
}

// MoE placement shared by the Qwen MoE family: mlp_only_layers and decoder_sparse_step.
bool qwen_moe_layers(Import& im, std::vector<bool>& moe) {
  const int64_t L = im.a.num_layers;
  moe.assign(size_t(L), true);
  const int64_t step = im.i("decoder_sparse_step", 1, kMaxLayers, 1).value_or(1);
  auto only = int_list(im, "mlp_only_layers", L, 0, L - 1);
  if (im.has("mlp_only_layers") && !only) return false;
  for (int64_t k = 0; k < L; ++k) moe[size_t(k)] = (k + 1) % step == 0;
  if (only)
    for (int64_t k : *only) moe[size_t(k)] = false;
  return true;
}

// Gated DeltaNet geometry from the Qwen3-Next / Qwen3.5 linear_* fields.
AttentionLayer read_gated_deltanet(Import& im) {
  AttentionLayer v;
  v.kind = AttentionKind::linear;
  v.linear.num_k_heads = im.i("linear_num_key_heads", 1, kMaxHeads).value_or(0);
  v.linear.num_v_heads = im.i("linear_num_value_heads", 1, kMaxHeads).value_or(0);
  v.linear.k_head_dim = im.i("linear_key_head_dim", 1, kMaxWidth).value_or(0);
  v.linear.v_head_dim = im.i("linear_value_head_dim", 1, kMaxWidth).value_or(0);
  v.linear.conv_kernel = im.i("linear_conv_kernel_dim", 1, kMaxStateSize, 4).value_or(0);
  return v;
}

// Mamba-2 geometry under the spellings of Nemotron-H, Falcon-H1, Granite 4.0-H and Jamba.
Mamba2Config read_mamba(Import& im) {
  Mamba2Config m;
  const Architecture& a = im.a;
  m.state_size = im.i(im.first_of({"ssm_state_size", "mamba_d_state", "state_size"}), 1,
                      kMaxStateSize).value_or(0);
  m.conv_kernel = im.i(im.first_of({"conv_kernel", "mamba_d_conv"}), 1, kMaxStateSize, 4).value_or(0);
  m.n_groups = im.i(im.first_of({"n_groups", "mamba_n_groups", "mamba_num_groups"}), 1, kMaxHeads, 1)
                  .value_or(0);
  const int64_t expand = im.i(im.first_of({"mamba_expand", "expand"}), 1, 64, 2).value_or(0);
  int64_t d_inner = im.i("mamba_d_ssm", 1, kMaxFfnWidth, expand * a.hidden_size).value_or(0);
  m.num_heads = im.i(im.first_of({"mamba_num_heads", "mamba_n_heads"}), 1, kMaxHeads, 0).value_or(0);
  m.head_dim = im.i(im.first_of({"mamba_head_dim", "mamba_d_head"}), 1, kMaxWidth, 0).value_or(0);
  if (m.num_heads == 0 && m.head_dim > 0) m.num_heads = d_inner / m.head_dim;
  if (m.head_dim == 0 && m.num_heads > 0) m.head_dim = d_inner / m.num_heads;
  if (m.num_heads == 0 || m.head_dim == 0)
    im.r.error("mamba_num_heads", "missing_field", "is required (or mamba_head_dim) for Mamba-2 layers");
  return m;
}

void read_state_dtype(Import& im) {
  // vLLM's mamba_ssm_cache_dtype / the config's mamba_ssm_dtype: the recurrent state's dtype.
  for (std::string_view key : {"mamba_ssm_cache_dtype", "mamba_ssm_dtype", "ssm_state_dtype"}) {
    const json* v = im.r.raw(key);
    if (v == nullptr || !v->is_string()) continue;
    const std::string& s = v->get_ref<const std::string&>();
    if (s == "float32" || s == "fp32") im.a.state_dtype = Dtype::fp32;
    else if (s == "float16" || s == "fp16") im.a.state_dtype = Dtype::fp16;
    else if (s == "bfloat16" || s == "bf16") im.a.state_dtype = Dtype::bf16;
    return;
  }
}

void finish_plan(Import& im, PlanBuilder& pb) {
  // A linear_attention / mamba entry that this family's reader did not fill would index no
  // variant: refuse it rather than build a plan that points nowhere.
  if (has_placeholder(pb, 255) || has_placeholder(pb, 254) || has_placeholder(pb, 253)) {
    im.r.error("layer_types", "invalid_choice",
               "linear_attention / mamba / conv layers have no geometry in a " + im.type + " config");
    return;
  }
  if (pb.p.attention.size() > size_t(kMaxVariants) || pb.p.mlp.size() > size_t(kMaxVariants)) {
    im.r.error("num_hidden_layers", "out_of_range", "too many distinct layer shapes");
    return;
  }
  im.a.plan = std::move(pb.p);
  sync_uniform_fields(im.a);
}

// ---- families -------------------------------------------------------------------------------

void read_gpt_oss(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  a.attention_bias = a.attention_out_bias = true;  // GptOssAttention: bias=True on q, k, v, o
  MoeConfig m = read_moe(im, {"num_local_experts", "num_experts"}, {"intermediate_size"});
  m.router_bias = true;  // GptOssTopKRouter: bias per expert
  m.expert_bias = true;  // gate_up_proj_bias, down_proj_bias
  a.moe = m;
  a.sliding_window = im.i("sliding_window", 1, kMaxTokens, 0).value_or(0);
  PlanBuilder pb(a.num_layers);
  const json* types = bounded_list(im, "layer_types", kMaxLayers);
  if (types != nullptr) {
    if (!apply_layer_types(im, pb, *types)) return;
  } else {
    // Alternating sliding / full from layer 0 (GptOssConfig default).
    for (int64_t k = 0; k < a.num_layers; ++k)
      pb.p.layer_attention[size_t(k)] =
          k % 2 == 0 ? pb.attention("sliding", windowed_attention(a, AttentionKind::sliding, a.sliding_window))
                     : pb.attention("full", full_attention(a));
  }
  for (auto& v : pb.p.attention) v.sinks = true;  // learned sinks in every layer
  for (auto& x : pb.p.layer_mlp) x = pb.mlp("moe", default_mlp(a, true));
  finish_plan(im, pb);
}

void read_llama4(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  MoeConfig m = read_moe(im, {"num_local_experts"}, {"intermediate_size"});
  m.num_shared_experts = 1;  // Llama4TextMoe: one shared expert of intermediate_size
  m.shared_expert_intermediate_size = m.expert_intermediate_size;
  a.moe = m;
  const int64_t dense_width = im.i("intermediate_size_mlp", 1, kMaxFfnWidth, a.intermediate_size).value_or(0);
  const int64_t step = im.i("interleave_moe_layer_step", 0, kMaxLayers, 1).value_or(1);
  const int64_t chunk = im.i("attention_chunk_size", 1, kMaxTokens, 0).value_or(0);
  const int64_t L = a.num_layers;
  // RoPE layers use chunked attention, NoPE layers (no_rope_layers[i] == 0, by default every
  // 4th) attend globally (HF Llama4TextConfig).
  std::vector<int64_t> rope(size_t(L), 1);
  bool listed = false;  // an empty list (as some checkpoints ship) means the default interval
  if (auto list = int_list(im, "no_rope_layers", L, 0, 1)) {
    if (!list->empty()) {
      if (!per_layer_length(im, "no_rope_layers", list->size())) return;
      rope = *list;
      listed = true;
    }
  } else if (im.has("no_rope_layers")) {
    return;
  }
  if (!listed) {
    const int64_t every = im.i("no_rope_layer_interval", 1, kMaxLayers, 4).value_or(4);
    for (int64_t k = 0; k < L; ++k) rope[size_t(k)] = (k + 1) % every != 0 ? 1 : 0;
  }
  PlanBuilder pb(L);
  // moe_layers: every step-th layer counting from step - 1 (0: none).
  std::vector<bool> moe(size_t(L), false);
  if (auto list = int_list(im, "moe_layers", L, 0, L - 1)) {
    for (int64_t k : *list) moe[size_t(k)] = true;
  } else {
    if (im.has("moe_layers")) return;
    if (step > 0)
      for (int64_t k = step - 1; k < L; k += step) moe[size_t(k)] = true;
  }
  for (int64_t k = 0; k < L; ++k) {
    const bool chunked = rope[size_t(k)] == 1 && chunk > 0;
    pb.p.layer_attention[size_t(k)] =
        chunked ? pb.attention("chunked", windowed_attention(a, AttentionKind::chunked, chunk))
                : pb.attention("full", full_attention(a));
    pb.p.layer_mlp[size_t(k)] = moe[size_t(k)] ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                               : pb.mlp("dense", {LayerMlpKind::dense, dense_width});
  }
  finish_plan(im, pb);
}

// Qwen3-Next and Qwen3.5: Gated DeltaNet layers with a full-attention layer every
// full_attention_interval (or per layer_types); gated attention (q_proj doubled), qk norm.
void read_qwen_hybrid(Import& im) {
  Architecture& a = im.a;
  // Qwen3.5 MoE configs have no intermediate_size: it is needed only by dense layers.
  const bool has_experts = im.has("num_experts");
  read_decoder(im, !has_experts);
  a.qk_norm = true;
  if (has_experts) {
    MoeConfig m = read_moe(im, {"num_experts"}, {"moe_intermediate_size"});
    m.shared_expert_intermediate_size =
        im.i("shared_expert_intermediate_size", 0, kMaxFfnWidth, 0).value_or(0);
    m.num_shared_experts = m.shared_expert_intermediate_size > 0 ? 1 : 0;
    m.shared_expert_gate = m.num_shared_experts > 0;
    a.moe = m;
  }
  const int64_t L = a.num_layers;
  PlanBuilder pb(L);
  const json* types = bounded_list(im, "layer_types", kMaxLayers);
  AttentionLayer full = full_attention(a);
  full.output_gate = im.b("attn_output_gate", true);
  if (types != nullptr) {
    if (!apply_layer_types(im, pb, *types)) return;
    for (auto& v : pb.p.attention) v.output_gate = full.output_gate;
  } else {
    const int64_t every = im.i("full_attention_interval", 1, kMaxLayers, 4).value_or(4);
    for (int64_t k = 0; k < L; ++k)
      pb.p.layer_attention[size_t(k)] = (k + 1) % every == 0 ? pb.attention("full", full) : 255;
  }
  if (has_placeholder(pb, 255)) fill_placeholder(pb, 255, "linear", read_gated_deltanet(im));
  read_state_dtype(im);
  a.mtp_layers = im.i("mtp_num_hidden_layers", 0, kMaxMtpLayers, 0).value_or(0);
  a.mtp_dedicated_embeddings = im.b("mtp_use_dedicated_embeddings", false);
  std::vector<bool> moe;
  if (a.moe && !qwen_moe_layers(im, moe)) return;
  if (a.moe && !im.has("intermediate_size") && std::find(moe.begin(), moe.end(), false) != moe.end()) {
    im.r.error("intermediate_size", "missing_field", "is required for the layers without experts");
    return;
  }
  for (int64_t k = 0; k < L; ++k)
    pb.p.layer_mlp[size_t(k)] = a.moe && moe[size_t(k)] ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                                        : pb.mlp("dense", default_mlp(a, false));
  finish_plan(im, pb);
}

// Multi-head latent attention as DeepSeek's configs spell it (DeepSeek-V3, Kimi Linear's MLA
// layers): every head its own latent KV, the head dim the no-rope plus the rope part.
void read_mla(Import& im) {
  Architecture& a = im.a;
  a.num_kv_heads = a.num_heads;
  MlaConfig mla;
  mla.q_lora_rank = im.i("q_lora_rank", 0, kMaxWidth, 0).value_or(0);
  mla.kv_lora_rank = im.i("kv_lora_rank", 1, kMaxWidth).value_or(0);
  mla.qk_nope_head_dim = im.i("qk_nope_head_dim", 0, kMaxWidth).value_or(0);
  mla.qk_rope_head_dim = im.i("qk_rope_head_dim", 0, kMaxWidth).value_or(0);
  mla.v_head_dim = im.i("v_head_dim", 1, kMaxWidth).value_or(0);
  a.mla = mla;
  a.head_dim = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
}

// DeepSeek-V3 and its relatives (Kimi K2, GLM-4.7-Flash/GLM-5 MLA, DeepSeek-V3.2 with the
// sparse-attention indexer).
void read_deepseek(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  read_mla(im);
  MoeConfig m = read_moe(im, {"n_routed_experts"}, {"moe_intermediate_size"});
  m.num_shared_experts = im.i("n_shared_experts", 0, kMaxSharedExperts, 0).value_or(0);
  m.shared_expert_intermediate_size = m.expert_intermediate_size;
  m.router_bias = true;  // e_score_correction_bias
  a.moe = m;
  a.mtp_layers = im.i("num_nextn_predict_layers", 0, kMaxMtpLayers, 0).value_or(0);
  a.mtp_dedicated_embeddings = true;  // model.layers.61.embed_tokens / shared_head.head
  const int64_t L = a.num_layers;
  const int64_t first_dense = im.i("first_k_dense_replace", 0, L, 0).value_or(0);
  const int64_t freq = im.i("moe_layer_freq", 1, kMaxLayers, 1).value_or(1);
  AttentionLayer attn = full_attention(a);
  attn.indexer_heads = im.i("index_n_heads", 0, kMaxHeads, 0).value_or(0);
  attn.indexer_head_dim = im.i("index_head_dim", 0, kMaxWidth, 0).value_or(0);
  if (attn.indexer_head_dim > 0 && attn.indexer_heads == 0)
    im.r.error("index_n_heads", "missing_field", "is required with index_head_dim");
  PlanBuilder pb(L);
  for (int64_t k = 0; k < L; ++k) {
    pb.p.layer_attention[size_t(k)] = pb.attention("mla", attn);
    const bool moe = k >= first_dense && k % freq == 0;
    pb.p.layer_mlp[size_t(k)] = moe ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                    : pb.mlp("dense", default_mlp(a, false));
  }
  finish_plan(im, pb);
}

// Kimi Linear (moonshotai/Kimi-Linear-48B-A3B-Instruct configuration_kimi.py / modeling_kimi.py
// @ d64a5299ded33ab2609617e05f6bd2cf9b6eef35): Kimi Delta Attention in the layers that
// linear_attn_config.kda_layers lists, 1-based (KimiDecoderLayer: is_kda_layer(layer_idx) tests
// layer_idx + 1), MLA in the others; a DeepSeek-style MoE under Kimi's spellings.
void read_kimi_linear(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  read_mla(im);
  const int64_t L = a.num_layers;
  int64_t first_dense = L;
  int64_t freq = 1;
  if (im.has("num_experts")) {
    MoeConfig m = read_moe(im, {"num_experts"}, {"moe_intermediate_size"});
    m.num_shared_experts = im.i("num_shared_experts", 0, kMaxSharedExperts, 0).value_or(0);
    m.shared_expert_intermediate_size = m.expert_intermediate_size;  // KimiMLP of width x shared
    m.router_bias = true;  // KimiMoEGate.e_score_correction_bias
    a.moe = m;
    first_dense = im.i("first_k_dense_replace", 0, L, 0).value_or(0);
    freq = im.i("moe_layer_freq", 1, kMaxLayers, 1).value_or(1);
  }
  a.mtp_layers = im.i("num_nextn_predict_layers", 0, kMaxMtpLayers, 0).value_or(0);
  // vLLM keeps the KDA recurrent state in float32 whatever the model dtype
  // (vllm/model_executor/layers/mamba/mamba_utils.py, MambaStateDtypeCalculator.kda_state_dtype).
  a.state_dtype = Dtype::fp32;
  ObjectReader lr = im.r.object("linear_attn_config");
  if (!lr.valid()) {
    if (!im.has("linear_attn_config")) {
      im.r.error("linear_attn_config", "missing_field",
                 "is required: it lists the Kimi Delta Attention layers (kda_layers)");
    }
    return;
  }
  Import lin{lr, a, im.notes, im.type};
  const size_t before = im.r.errors().size();
  // A full-rank output gate (use_full_rank_gate: g_proj h -> heads x dim) replaces g_a / g_b;
  // the KDA weights here are the low-rank ones, so refuse rather than miscount.
  if (lin.b("use_full_rank_gate", false)) {
    lr.error("use_full_rank_gate", "invalid_choice",
             "a full-rank KDA output gate is not supported yet (only g_a_proj / g_b_proj)");
    return;
  }
  AttentionLayer kda;
  kda.kind = AttentionKind::linear;
  const int64_t heads = lin.i("num_heads", 1, kMaxHeads).value_or(0);
  const int64_t dim = lin.i("head_dim", 1, kMaxWidth).value_or(0);
  kda.linear = {heads, heads, dim, dim, lin.i("short_conv_kernel_size", 1, kMaxStateSize, 4).value_or(0), true};
  auto listed = int_list(lin, "kda_layers", L, 1, L);
  if (!listed && !lin.has("kda_layers")) lr.error("kda_layers", "missing_field", "is required");
  std::vector<bool> is_kda(size_t(L), false);
  if (listed)
    for (int64_t k : *listed) is_kda[size_t(k - 1)] = true;
  if (auto full = int_list(lin, "full_attn_layers", L, 1, L)) {
    for (int64_t k : *full)
      if (is_kda[size_t(k - 1)]) {
        lr.error("full_attn_layers", "inconsistent",
                 "layer " + std::to_string(k) + " is listed both here and in kda_layers");
        break;
      }
  }
  if (im.r.errors().size() != before) return;
  AttentionLayer mla_layer = full_attention(a);
  PlanBuilder pb(L);
  for (int64_t k = 0; k < L; ++k) {
    pb.p.layer_attention[size_t(k)] =
        is_kda[size_t(k)] ? pb.attention("kda", kda) : pb.attention("mla", mla_layer);
    const bool moe = a.moe && k >= first_dense && k % freq == 0;
    pb.p.layer_mlp[size_t(k)] = moe ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                    : pb.mlp("dense", default_mlp(a, false));
  }
  finish_plan(im, pb);
}

// LiquidAI LFM2 / LFM2-MoE (transformers modeling_lfm2.py / modeling_lfm2_moe.py): gated
// short-convolution layers and GQA layers with q/k norms, per layer_types (or the older
// full_attn_idxs, 0-based); SwiGLU w1/w3/w2. LFM2's dense width is derived from block_ff_dim
// as Lfm2MLP does when block_auto_adjust_ff_dim (2/3, the multiplier, rounded up to
// block_multiple_of); LFM2-MoE takes intermediate_size as is, its first num_dense_layers
// dense, the rest MoE with a per-expert router bias (use_expert_bias).
void read_lfm2(Import& im) {
  Architecture& a = im.a;
  const bool moe = im.type == "lfm2_moe";
  read_decoder(im);
  a.qk_norm = true;  // q_layernorm, k_layernorm of one head
  a.tie_word_embeddings = im.b(im.first_of({"tie_word_embeddings", "tie_embedding"}), true);
  if (!moe && im.b("block_auto_adjust_ff_dim", false)) {
    int64_t ff = im.i("block_ff_dim", 1, kMaxFfnWidth, a.intermediate_size).value_or(0);
    ff = 2 * ff / 3;
    const json* mult = im.r.raw("block_ffn_dim_multiplier");
    if (mult != nullptr && mult->is_number()) {
      const double m = mult->get<double>();
      if (!(m > 0 && m <= 64)) {
        im.r.error("block_ffn_dim_multiplier", "out_of_range", "must be in (0, 64]");
        return;
      }
      ff = int64_t(m * double(ff));
    }
    const int64_t of = im.i("block_multiple_of", 1, kMaxFfnWidth, 1).value_or(1);
    a.intermediate_size = of * ((ff + of - 1) / of);
  }
  int64_t first_dense = a.num_layers;
  if (moe) {
    MoeConfig m = read_moe(im, {"num_experts"}, {"moe_intermediate_size"});
    m.router_bias = im.b("use_expert_bias", true);  // Lfm2MoeSparseMoeBlock.expert_bias
    a.moe = m;
    first_dense = im.i("num_dense_layers", 0, a.num_layers, 0).value_or(0);
  }
  AttentionLayer conv;
  conv.kind = AttentionKind::conv;
  conv.conv_kernel = im.i("conv_L_cache", 2, kMaxStateSize).value_or(0);
  conv.conv_bias = im.b("conv_bias", false);
  PlanBuilder pb(a.num_layers);
  if (const json* types = bounded_list(im, "layer_types", kMaxLayers)) {
    if (!apply_layer_types(im, pb, *types)) return;
  } else if (auto idx = int_list(im, "full_attn_idxs", a.num_layers, 0, a.num_layers - 1)) {
    for (auto& x : pb.p.layer_attention) x = 253;
    for (int64_t k : *idx) pb.p.layer_attention[size_t(k)] = pb.attention("full", full_attention(a));
  } else {
    if (!im.has("full_attn_idxs"))
      im.r.error("layer_types", "missing_field", "is required (or full_attn_idxs): which layers are conv");
    return;
  }
  fill_placeholder(pb, 253, "conv", conv);
  for (int64_t k = 0; k < a.num_layers; ++k)
    pb.p.layer_mlp[size_t(k)] = moe && k >= first_dense ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                                        : pb.mlp("dense", default_mlp(a, false));
  finish_plan(im, pb);
}

// GLM-4.5 / 4.6 / 4.7: GQA with qkv bias, optional qk norm, DeepSeek-style MoE placement.
void read_glm4_moe(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  a.attention_bias = im.b("attention_bias", true);
  a.qk_norm = im.b("use_qk_norm", false);
  MoeConfig m = read_moe(im, {"n_routed_experts"}, {"moe_intermediate_size"});
  m.num_shared_experts = im.i("n_shared_experts", 0, kMaxSharedExperts, 0).value_or(0);
  m.shared_expert_intermediate_size = m.expert_intermediate_size;
  m.router_bias = true;  // e_score_correction_bias
  m.first_dense_layers = im.i("first_k_dense_replace", 0, a.num_layers, 0).value_or(0);
  a.moe = m;
  a.mtp_layers = im.i("num_nextn_predict_layers", 0, kMaxMtpLayers, 0).value_or(0);
}

void read_minimax_m2(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  a.qk_norm = im.b("use_qk_norm", true);
  MoeConfig m = read_moe(im, {"num_local_experts"}, {"intermediate_size"});
  m.router_bias = im.b("use_routing_bias", true);  // e_score_correction_bias
  a.moe = m;
  // MTP modules are separate (num_mtp_modules x mtp_transformer_layers).
  a.mtp_layers = im.i("num_mtp_modules", 0, kMaxMtpLayers, 0).value_or(0) *
                 im.i("mtp_transformer_layers", 0, kMaxMtpLayers, 1).value_or(1);
}

void read_mimo_v2(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  const int64_t L = a.num_layers;
  MoeConfig m = read_moe(im, {"n_routed_experts"}, {"moe_intermediate_size"});
  m.router_bias = true;
  a.moe = m;
  auto pattern = int_list(im, "hybrid_layer_pattern", L, 0, 1);
  auto freq = int_list(im, "moe_layer_freq", L, 0, 1);
  if (!pattern || !freq) {
    if (!im.has("hybrid_layer_pattern")) im.r.error("hybrid_layer_pattern", "missing_field", "is required");
    if (!im.has("moe_layer_freq")) im.r.error("moe_layer_freq", "missing_field", "is required");
    return;
  }
  if (!per_layer_length(im, "hybrid_layer_pattern", pattern->size()) ||
      !per_layer_length(im, "moe_layer_freq", freq->size()))
    return;
  AttentionLayer full = full_attention(a);
  full.v_head_dim = im.i("v_head_dim", 1, kMaxWidth, a.head_dim).value_or(0);
  full.sinks = im.b("add_full_attention_sink_bias", false);
  AttentionLayer swa = full;
  swa.kind = AttentionKind::sliding;
  swa.window = im.i(im.first_of({"sliding_window_size", "sliding_window"}), 1, kMaxTokens).value_or(0);
  swa.num_heads = im.i("swa_num_attention_heads", 1, kMaxHeads, a.num_heads).value_or(0);
  swa.num_kv_heads = im.i("swa_num_key_value_heads", 1, kMaxHeads, a.num_kv_heads).value_or(0);
  swa.head_dim = im.i("swa_head_dim", 1, kMaxWidth, a.head_dim).value_or(0);
  swa.v_head_dim = im.i("swa_v_head_dim", 1, kMaxWidth, full.v_head_dim).value_or(0);
  swa.sinks = im.b("add_swa_attention_sink_bias", false);
  PlanBuilder pb(L);
  for (int64_t k = 0; k < L; ++k) {
    pb.p.layer_attention[size_t(k)] =
        (*pattern)[size_t(k)] == 1 ? pb.attention("swa", swa) : pb.attention("full", full);
    pb.p.layer_mlp[size_t(k)] = (*freq)[size_t(k)] == 1 ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                                        : pb.mlp("dense", default_mlp(a, false));
  }
  a.mtp_layers = im.i("num_nextn_predict_layers", 0, kMaxMtpLayers, 0).value_or(0);
  finish_plan(im, pb);
}

// Nemotron-H's newer spelling of the pattern (huggingface/transformers
// src/transformers/models/nemotron_h/configuration_nemotron_h.py @
// 13923c63d59f73faebae79b2ee3fafc7e3a35201): layers_block_type (alias layer_types), one of
// "linear_attention" (Mamba-2), "full_attention", "mlp", "moe" per layer; the legacy names
// "mamba" and "attention" are remapped (remap_legacy_layer_types). Returns the pattern letters;
// nullopt (with the error at the entry) when an entry is not one of them.
std::optional<std::string> nemotron_block_letters(Import& im, std::string_view key, const json& list) {
  std::string s;
  for (size_t k = 0; k < list.size(); ++k) {
    const std::string path = im.r.child_path(key) + "/" + std::to_string(k);
    const json& e = list[k];
    if (!e.is_string()) {
      im.r.errors().push_back({path, "wrong_type", "must be a string, got " + json_io::type_name(e)});
      return std::nullopt;
    }
    const std::string& t = e.get_ref<const std::string&>();
    if (t == "linear_attention" || t == "mamba") s += 'M';
    else if (t == "full_attention" || t == "attention") s += '*';
    else if (t == "mlp") s += '-';
    else if (t == "moe") s += 'E';
    else {
      im.r.errors().push_back({path, "invalid_choice",
                               "\"" + t.substr(0, 40) + "\" is not one of linear_attention (or mamba), "
                               "full_attention (or attention), mlp, moe"});
      return std::nullopt;
    }
  }
  return s;
}

// Nemotron-H / Nemotron Nano 2 / Nemotron 3: one mixer per block, by pattern letter:
// M Mamba-2, * attention, - MLP, E MoE. One norm per block; squared-ReLU MLP (up, down).
void read_nemotron_h(Import& im) {
  Architecture& a = im.a;
  // The pattern as a string (hybrid_override_pattern) or, in newer configs, as a list.
  std::optional<std::string> letters;
  std::string_view key = "hybrid_override_pattern";
  const json* pat = im.r.raw(key);
  if (pat == nullptr) {
    key = im.first_of({"layers_block_type", "layer_types"});
    if (const json* list = bounded_list(im, key, kMaxLayers)) {
      letters = nemotron_block_letters(im, key, *list);
      if (!letters) return;
    } else if (im.has(key)) {
      return;  // bounded_list named the problem
    }
  }
  read_decoder(im, false,
               letters ? std::optional<int64_t>(static_cast<int64_t>(letters->size())) : std::nullopt);
  a.head_dim = im.i(im.first_of({"head_dim", "attention_head_dim"}), 1, kMaxWidth, a.head_dim).value_or(0);
  a.mlp = MlpKind::standard;
  a.norms_per_layer = 1;
  a.attention_bias = im.b("attention_bias", false);
  a.mlp_bias = im.b("mlp_bias", false);
  read_state_dtype(im);
  if (!letters && (pat == nullptr || !pat->is_string())) {
    im.r.error("hybrid_override_pattern", pat ? "wrong_type" : "missing_field",
               "is required: a string with one letter (M, *, -, E) per layer, or layers_block_type");
    return;
  }
  const std::string& s = letters ? *letters : pat->get_ref<const std::string&>();
  if (!per_layer_length(im, key, s.size())) return;
  if (s.find('E') != std::string::npos) {
    MoeConfig m = read_moe(im, {"n_routed_experts"}, {"moe_intermediate_size"});
    m.num_shared_experts = im.i("n_shared_experts", 0, kMaxSharedExperts, 0).value_or(0);
    m.shared_expert_intermediate_size =
        im.i("moe_shared_expert_intermediate_size", 0, kMaxFfnWidth, m.expert_intermediate_size).value_or(0);
    m.router_bias = true;  // e_score_correction_bias
    a.moe = m;
  }
  AttentionLayer mamba;
  mamba.kind = AttentionKind::mamba2;
  mamba.mamba = read_mamba(im);
  AttentionLayer none;
  none.kind = AttentionKind::none;
  PlanBuilder pb(a.num_layers);
  for (size_t k = 0; k < s.size(); ++k) {
    switch (s[k]) {
      case 'M':
        pb.p.layer_attention[k] = pb.attention("mamba", mamba);
        pb.p.layer_mlp[k] = pb.mlp("none", {LayerMlpKind::none, 0});
        break;
      case '*':
        pb.p.layer_attention[k] = pb.attention("full", full_attention(a));
        pb.p.layer_mlp[k] = pb.mlp("none", {LayerMlpKind::none, 0});
        break;
      case '-':
        pb.p.layer_attention[k] = pb.attention("none", none);
        pb.p.layer_mlp[k] = pb.mlp("dense", {LayerMlpKind::dense, a.intermediate_size});
        break;
      case 'E':
        pb.p.layer_attention[k] = pb.attention("none", none);
        pb.p.layer_mlp[k] = pb.mlp("moe", {LayerMlpKind::moe, 0});
        break;
      default:
        im.r.error("hybrid_override_pattern", "invalid_choice",
                   pattern_letter(s, k) +
                       " is not one of M (Mamba-2), * (attention), - (MLP), E (MoE)");
        return;
    }
  }
  finish_plan(im, pb);
}

// Falcon-H1: attention and a Mamba-2 mixer side by side in every layer, then a gated MLP.
void read_falcon_h1(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  read_state_dtype(im);
  AttentionLayer v = full_attention(a);
  v.parallel_mamba = true;
  v.mamba = read_mamba(im);
  PlanBuilder pb(a.num_layers);
  for (auto& x : pb.p.layer_attention) x = pb.attention("hybrid", v);
  for (auto& x : pb.p.layer_mlp) x = pb.mlp("dense", default_mlp(a, false));
  finish_plan(im, pb);
}

// Granite 4.0-H: layer_types of mamba / attention; MoE (or none) plus a shared gated MLP.
void read_granite_hybrid(Import& im) {
  Architecture& a = im.a;
  read_decoder(im, false);
  read_state_dtype(im);
  const int64_t experts = im.i("num_local_experts", 0, kMaxExperts, 0).value_or(0);
  const int64_t shared = im.i("shared_intermediate_size", 0, kMaxFfnWidth, 0).value_or(0);
  if (experts > 0) {
    MoeConfig m = read_moe(im, {"num_local_experts"}, {"intermediate_size"});
    m.num_shared_experts = shared > 0 ? 1 : 0;
    m.shared_expert_intermediate_size = shared;
    a.moe = m;
  } else {
    a.intermediate_size = shared > 0 ? shared : a.intermediate_size;
  }
  PlanBuilder pb(a.num_layers);
  if (!apply_required_layer_types(im, pb, " (mamba / attention per layer)")) return;
  if (has_placeholder(pb, 254)) {
    AttentionLayer m;
    m.kind = AttentionKind::mamba2;
    m.mamba = read_mamba(im);
    fill_placeholder(pb, 254, "mamba", m);
  }
  for (auto& x : pb.p.layer_mlp) x = pb.mlp(a.moe ? "moe" : "dense", default_mlp(a, true));
  finish_plan(im, pb);
}

// Jamba: attention every attn_layer_period (offset), MoE every expert_layer_period (offset),
// Mamba-1 mixers elsewhere (cached like Mamba-2 with one head per channel and no groups).
void read_jamba(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  MoeConfig m = read_moe(im, {"num_experts"}, {"intermediate_size"});
  a.moe = m;
  const int64_t L = a.num_layers;
  const int64_t ap = im.i("attn_layer_period", 1, kMaxLayers, 8).value_or(8);
  const int64_t ao = im.i("attn_layer_offset", 0, kMaxLayers, 4).value_or(4);
  const int64_t ep = im.i("expert_layer_period", 1, kMaxLayers, 2).value_or(2);
  const int64_t eo = im.i("expert_layer_offset", 0, kMaxLayers, 1).value_or(1);
  AttentionLayer mamba;
  mamba.kind = AttentionKind::mamba2;
  const int64_t expand = im.i("mamba_expand", 1, 64, 2).value_or(2);
  mamba.mamba.num_heads = expand * a.hidden_size;
  mamba.mamba.head_dim = 1;
  mamba.mamba.n_groups = 0;
  mamba.mamba.state_size = im.i("mamba_d_state", 1, kMaxStateSize, 16).value_or(16);
  mamba.mamba.conv_kernel = im.i("mamba_d_conv", 1, kMaxStateSize, 4).value_or(4);
  im.notes.push_back("jamba: Mamba-1 mixers are counted with the Mamba-2 layout (state and conv "
                     "cache exact; mixer parameters approximate)");
  PlanBuilder pb(L);
  for (int64_t k = 0; k < L; ++k) {
    pb.p.layer_attention[size_t(k)] = k % ap == ao ? pb.attention("full", full_attention(a))
                                                   : pb.attention("mamba", mamba);
    pb.p.layer_mlp[size_t(k)] = k % ep == eo ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                             : pb.mlp("dense", default_mlp(a, false));
  }
  finish_plan(im, pb);
}

// SambaY (microsoft/Phi-4-mini-flash-reasoning: configuration_phi4flash.py and
// modeling_phi4flash.py SambaYDecoderLayer / SambaYCache, franciskamande-ai/cloned_models @
// 711ebe7d74126666d14c391aac7625115438411e). Even layers up to L/2 are Mamba-1, odd layers
// below L/2 sliding-window differential attention, layer L/2 + 1 the one full-attention layer;
// from L/2 + 2 on, gated memory units (even) and query-only cross-attention reading layer
// L/2 + 1's KV (odd). Biased Wqkv/out_proj, LayerNorms, fc1 h -> 2 x width, fc2.
// Differential attention's lambda vectors and sub-norm (6 x head_dim per attention layer) have
// no field and are not counted.
void read_phi4flash(Import& im) {
  Architecture& a = im.a;
  const size_t before = im.r.errors().size();
  read_decoder(im);
  a.tie_word_embeddings = im.b("tie_word_embeddings", true);
  a.norm = NormKind::layernorm;
  a.attention_bias = a.attention_out_bias = true;
  const int64_t L = a.num_layers;
  // The cache layout (SambaYCache) fixes Mamba on even layers and L divisible by 4.
  const int64_t mb = im.i("mb_per_layer", 0, kMaxLayers, 2).value_or(2);
  if (mb != 2)
    im.r.error("mb_per_layer", "inconsistent",
               "SambaY's cache layout (Mamba on even layers, attention on odd) needs 2, got " +
                   std::to_string(mb));
  if (L % 4 != 0)
    im.r.error("num_hidden_layers", "inconsistent",
               "SambaY needs a multiple of 4 layers, got " + std::to_string(L));
  if (!im.b("mamba_conv_bias", true) || im.b("mamba_proj_bias", false))
    im.r.error(im.has("mamba_proj_bias") ? "mamba_proj_bias" : "mamba_conv_bias", "unknown_value",
               "only conv bias without projection bias (the defaults) is modelled");
  AttentionLayer m;
  m.kind = AttentionKind::mamba2;
  m.mamba.num_heads = im.i("mamba_expand", 1, 64, 2).value_or(2) * a.hidden_size;
  m.mamba.head_dim = 1;
  m.mamba.n_groups = 0;
  m.mamba.state_size = im.i("mamba_d_state", 1, kMaxStateSize, 16).value_or(16);
  m.mamba.conv_kernel = im.i("mamba_d_conv", 1, kMaxStateSize, 4).value_or(4);
  const json* dt = im.r.raw("mamba_dt_rank");
  m.mamba.dt_rank = dt != nullptr && dt->is_string() && *dt == "auto"
                        ? (a.hidden_size + 15) / 16  // "auto": ceil(hidden / 16)
                        : im.i("mamba_dt_rank", 1, kMaxWidth, (a.hidden_size + 15) / 16).value_or(0);
  AttentionLayer gmu;
  gmu.kind = AttentionKind::none;
  gmu.mamba = m.mamba;
  AttentionLayer full = full_attention(a), sliding = full, cross = full;
  sliding.kind = AttentionKind::sliding;
  sliding.window = im.i("sliding_window", 1, kMaxTokens, 2047).value_or(0);
  cross.kind = AttentionKind::shared;
  cross.num_kv_heads = 0;
  if (im.r.errors().size() != before) return;
  PlanBuilder pb(L);
  for (int64_t k = 0; k < L; ++k) {
    const bool even = k % 2 == 0;
    pb.p.layer_attention[size_t(k)] =
        k <= L / 2 ? (even ? pb.attention("mamba", m) : pb.attention("sliding", sliding))
        : k == L / 2 + 1 ? pb.attention("full", full)
        : even ? pb.attention("gmu", gmu) : pb.attention("cross", cross);
    pb.p.layer_mlp[size_t(k)] = pb.mlp("dense", default_mlp(a, false));
  }
  finish_plan(im, pb);
  im.notes.push_back("phi4flash: differential attention's lambda vectors and sub-norm "
                     "(6 x head_dim per attention layer) are not counted");
}

// DeciLM / Nemotron-NAS (Llama-3.x-Nemotron Super/Ultra): per-layer block_configs.
void read_nemotron_nas(Import& im) {
  Architecture& a = im.a;
  read_decoder(im, false);
  const json* blocks = bounded_list(im, "block_configs", kMaxLayers);
  if (blocks == nullptr) {
    if (!im.has("block_configs")) im.r.error("block_configs", "missing_field", "is required");
    return;
  }
  if (!per_layer_length(im, "block_configs", blocks->size())) return;
  PlanBuilder pb(a.num_layers);
  for (size_t k = 0; k < blocks->size(); ++k) {
    const std::string path = im.r.child_path("block_configs") + "/" + std::to_string(k);
    ObjectReader b(&(*blocks)[k], path, im.r.errors());
    if (!b.valid()) return;
    ObjectReader at = b.object("attention");
    ObjectReader ffn = b.object("ffn");
    if (!at.valid() || !ffn.valid()) {
      b.error(at.valid() ? "ffn" : "attention", "missing_field", "is required");
      return;
    }
    AttentionLayer v = full_attention(a);
    const bool no_op = at.boolean("no_op", false).value_or(false) ||
                       at.boolean("replace_with_linear", false).value_or(false);
    if (no_op) {
      v = AttentionLayer{};
      v.kind = AttentionKind::none;
    } else {
      const int64_t group = at.integer("n_heads_in_group", 1, kMaxHeads).value_or(0);
      if (group == 0) return;
      v.num_kv_heads = std::max<int64_t>(1, a.num_heads / group);
    }
    pb.p.layer_attention[k] =
        pb.attention(no_op ? "none" : "kv" + std::to_string(v.num_kv_heads), v);
    const bool ffn_none = ffn.boolean("no_op", false).value_or(false) ||
                          ffn.boolean("replace_with_linear", false).value_or(false);
    if (ffn_none) {
      pb.p.layer_mlp[k] = pb.mlp("none", {LayerMlpKind::none, 0});
    } else {
      const auto mult = ffn.number("ffn_mult", 0.01, 100.0);
      if (!mult) return;
      // DeciLM _ffn_mult_to_intermediate_size: int(2 * mult * hidden / 3) rounded up to 256.
      int64_t width = static_cast<int64_t>(2.0 * *mult * double(a.hidden_size) / 3.0);
      width = (width + 255) / 256 * 256;
      pb.p.layer_mlp[k] = pb.mlp("ffn" + std::to_string(width), {LayerMlpKind::dense, width});
    }
  }
  if (std::any_of(blocks->begin(), blocks->end(), [](const json& b) {
        return b.is_object() && ((b.contains("attention") && b["attention"].value("replace_with_linear", false)) ||
                                 (b.contains("ffn") && b["ffn"].value("replace_with_linear", false)));
      }))
    im.notes.push_back("nemotron-nas: blocks replaced with a linear layer are counted as no-op");
  finish_plan(im, pb);
}

void read_hunyuan_moe(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  a.qk_norm = im.b("use_qk_norm", true);
  MoeConfig m;
  m.num_experts = im.i("num_experts", 1, kMaxExperts).value_or(0);
  // moe_topk, moe_intermediate_size and num_shared_expert may be per-layer lists.
  auto first = [&](std::string_view key, int64_t min, int64_t max) -> int64_t {
    const json* v = im.r.raw(key);
    if (v != nullptr && v->is_array()) {
      auto list = int_list(im, key, a.num_layers, min, max);
      if (!list || list->empty()) return 0;
      if (std::any_of(list->begin(), list->end(), [&](int64_t x) { return x != list->front(); }))
        im.notes.push_back("hunyuan_v1_moe: " + std::string(key) + " differs per layer; the first value is used");
      return list->front();
    }
    return im.i(key, min, max).value_or(0);
  };
  m.top_k = first("moe_topk", 1, kMaxExperts);
  m.expert_intermediate_size = im.has("moe_intermediate_size")
                                   ? first("moe_intermediate_size", 1, kMaxFfnWidth)
                                   : a.intermediate_size;
  m.num_shared_experts = im.has("num_shared_expert") ? first("num_shared_expert", 0, kMaxSharedExperts) : 0;
  m.shared_expert_intermediate_size = m.expert_intermediate_size;
  a.moe = m;
}

void read_ernie_moe(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  a.tie_word_embeddings = im.b("tie_word_embeddings", true);
  a.attention_bias = im.b("use_bias", false);
  MoeConfig m = read_moe(im, {"moe_num_experts"}, {"moe_intermediate_size"});
  const int64_t shared = im.i("moe_num_shared_experts", 0, kMaxSharedExperts, 0).value_or(0);
  // Ernie4_5_MoeSparseMoeBlock: one shared MLP of moe_intermediate_size x shared experts.
  m.num_shared_experts = shared > 0 ? 1 : 0;
  m.shared_expert_intermediate_size = shared * m.expert_intermediate_size;
  m.router_bias = im.b("moe_use_aux_free", false);
  a.moe = m;
  const int64_t L = a.num_layers;
  const int64_t start = im.i("moe_layer_start_index", 0, L, 0).value_or(0);
  const int64_t end = im.i("moe_layer_end_index", -1, L, L - 1).value_or(L - 1);
  const int64_t every = im.i("moe_layer_interval", 1, kMaxLayers, 1).value_or(1);
  PlanBuilder pb(L);
  for (int64_t k = 0; k < L; ++k) {
    pb.p.layer_attention[size_t(k)] = pb.attention("full", full_attention(a));
    const bool moe = k >= start && k <= (end < 0 ? L - 1 : end) && (k - start) % every == 0;
    pb.p.layer_mlp[size_t(k)] = moe ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                    : pb.mlp("dense", default_mlp(a, false));
  }
  finish_plan(im, pb);
}

// Gemma 3n / 4 num_kv_shared_layers: the last `shared` layers read an earlier layer's KV
// instead of caching their own (their projections are still stored).
void share_last_kv_layers(PlanBuilder& pb, int64_t layers, int64_t shared) {
  for (int64_t k = layers - shared; k < layers; ++k) {
    const uint8_t x = pb.p.layer_attention[size_t(k)];
    if (x >= pb.p.attention.size()) continue;  // a placeholder: finish_plan refuses it
    AttentionLayer v = pb.p.attention[x];
    const std::string name = std::string(attention_kind_name(v.kind)) + "-shared";
    v.kind = AttentionKind::shared;
    pb.p.layer_attention[size_t(k)] = pb.attention(name, v);
  }
}

// Gemma 3n (HF Gemma3nTextConfig / Gemma3nTextModel): sliding/full layer_types; the last
// num_kv_shared_layers reuse the KV of the last earlier layer of their type, so they cache
// nothing; intermediate_size may be a per-layer list (MatFormer widths); per-layer
// embeddings (PLE), AltUp and LAuReL are counted as their own tensors.
void read_gemma3n(Import& im) {
  Architecture& a = im.a;
  const json* widths = im.r.raw("intermediate_size");
  a.vocab_size = im.i("vocab_size", 1, kMaxVocab).value_or(0);
  a.hidden_size = im.i("hidden_size", 1, kMaxWidth).value_or(0);
  a.num_layers = im.i("num_hidden_layers", 1, kMaxLayers).value_or(0);
  a.num_heads = im.i("num_attention_heads", 1, kMaxHeads).value_or(0);
  a.num_kv_heads = im.i("num_key_value_heads", 1, kMaxHeads, a.num_heads).value_or(0);
  a.head_dim = im.i("head_dim", 1, kMaxWidth).value_or(0);
  a.max_position_embeddings = im.i("max_position_embeddings", 0, kMaxTokens, 0).value_or(0);
  // Gemma3nTextAttention: bias=config.attention_bias on q, k, v and o alike.
  a.attention_bias = a.attention_out_bias = im.b("attention_bias", false);
  a.tie_word_embeddings = true;  // Gemma3nForCausalLM ties lm_head to embed_tokens
  a.qk_norm = true;              // q_norm and k_norm over head_dim (v_norm has no weight)
  a.norms_per_layer = 4;
  // Defaults as Gemma3nTextConfig's (E4B's values) where a config leaves a field out.
  a.per_layer_input_width = im.i("hidden_size_per_layer_input", 1, kMaxWidth, 256).value_or(0);
  a.per_layer_input_vocab = im.i("vocab_size_per_layer_input", 1, kMaxVocab, 262144).value_or(0);
  a.altup_inputs = im.i("altup_num_inputs", 1, kMaxAltupInputs, 4).value_or(0);
  a.laurel_rank = im.i("laurel_rank", 1, kMaxWidth, 64).value_or(0);
  std::vector<int64_t> ffn;
  if (widths != nullptr && widths->is_array()) {
    auto list = int_list(im, "intermediate_size", kMaxLayers, 1, kMaxFfnWidth);
    if (!list) return;
    // One width per layer; a single entry applies to every layer.
    // (The width is copied first: assign() may free the storage front() refers to; libc++ does,
    // and the WASM test suite read freed memory here under AddressSanitizer.)
    if (list->size() == 1) {
      const int64_t width = list->front();
      list->assign(size_t(std::max<int64_t>(a.num_layers, 0)), width);
    }
    if (!per_layer_length(im, "intermediate_size", list->size())) return;
    ffn = std::move(*list);
  } else {
    ffn.assign(size_t(std::max<int64_t>(a.num_layers, 0)),
               im.i("intermediate_size", 1, kMaxFfnWidth).value_or(0));
  }
  a.intermediate_size = ffn.empty() ? 0 : ffn.front();
  a.sliding_window = im.i("sliding_window", 0, kMaxTokens, 0).value_or(0);
  const int64_t shared = im.i("num_kv_shared_layers", 0, a.num_layers, 0).value_or(0);
  PlanBuilder pb(a.num_layers);
  if (!apply_required_layer_types(im, pb, " for gemma3n")) return;
  share_last_kv_layers(pb, a.num_layers, shared);
  for (size_t k = 0; k < ffn.size(); ++k)
    pb.p.layer_mlp[k] = pb.mlp("dense-" + std::to_string(ffn[k]), {LayerMlpKind::dense, ffn[k]});
  // Where the per-layer table lives decides the device memory (ggml-org/llama.cpp
  // src/llama-arch.cpp: LLM_TENSOR_PER_LAYER_TOKEN_EMBD is an LLM_TENSOR_LAYER_INPUT tensor,
  // which llama.cpp places in host memory).
  im.notes.push_back(
      "gemma3n: the per-layer embedding table (" + std::to_string(a.per_layer_input_vocab) + " x " +
      std::to_string(a.num_layers * a.per_layer_input_width) +
      ") is counted in the weights as Hugging Face transformers loads it; llama.cpp keeps it "
      "in host memory like the token embedding. Google's \"effective\" size excludes both "
      "tables (active_excluding_embeddings)");
  finish_plan(im, pb);
}

// Gemma 4: sliding / full layer_types; global layers may have their own head geometry and
// share K with V (attention_k_eq_v); the last num_kv_shared_layers reuse earlier KV.
void read_gemma4(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  a.tie_word_embeddings = im.b("tie_word_embeddings", true);
  a.qk_norm = true;
  a.norms_per_layer = 4;
  a.sliding_window = im.i("sliding_window", 0, kMaxTokens, 0).value_or(0);
  PlanBuilder pb(a.num_layers);
  if (!apply_required_layer_types(im, pb, " for gemma4")) return;
  const bool k_eq_v = im.b("attention_k_eq_v", false);
  const int64_t global_dim = im.i("global_head_dim", 1, kMaxWidth, a.head_dim).value_or(0);
  const int64_t global_kv = im.i("num_global_key_value_heads", 1, kMaxHeads, a.num_kv_heads).value_or(0);
  for (auto& v : pb.p.attention) {
    if (v.kind != AttentionKind::full) continue;
    v.head_dim = v.v_head_dim = global_dim;
    v.num_kv_heads = global_kv;
    v.k_eq_v = k_eq_v;
  }
  share_last_kv_layers(pb, a.num_layers,
                       im.i("num_kv_shared_layers", 0, a.num_layers, 0).value_or(0));
  if (im.has("num_experts") || im.has("num_local_experts")) {
    a.moe = read_moe(im, {"num_experts", "num_local_experts"}, {"moe_intermediate_size", "expert_intermediate_size"});
  }
  for (auto& x : pb.p.layer_mlp) x = pb.mlp(a.moe ? "moe" : "dense", default_mlp(a, true));
  finish_plan(im, pb);
}

// Any llama-like config (known family or not): layer_types, sliding windows and MoE under the
// common spellings.
void read_generic(Import& im) {
  Architecture& a = im.a;
  read_decoder(im);
  if (im.b("use_qk_norm", false) || im.b("qk_norm", false)) a.qk_norm = true;
  if (im.has("num_experts") || im.has("num_local_experts") || im.has("n_routed_experts")) {
    MoeConfig m = read_moe(im, {"num_experts", "num_local_experts", "n_routed_experts"},
                           {"moe_intermediate_size", "expert_intermediate_size", "intermediate_size"});
    m.num_shared_experts = im.i(im.first_of({"n_shared_experts", "num_shared_experts"}), 0,
                                kMaxSharedExperts, 0).value_or(0);
    m.shared_expert_intermediate_size =
        im.i("shared_expert_intermediate_size", 0, kMaxFfnWidth,
             m.num_shared_experts > 0 ? m.expert_intermediate_size : 0).value_or(0);
    if (m.shared_expert_intermediate_size > 0 && m.num_shared_experts == 0) m.num_shared_experts = 1;
    m.first_dense_layers = im.i("first_k_dense_replace", 0, a.num_layers, 0).value_or(0);
    a.moe = m;
  }
  // Kimi Linear (kimi_linear, and configs that borrow its linear_attn_config): Kimi Delta
  // Attention layers listed in linear_attn_config.kda_layers, MLA in full_attn_layers. Read as
  // a plain decoder every layer would be full attention with num_key_value_heads: refuse while
  // any layer is KDA, as for linear layer_types.
  const json* lin = im.r.raw("linear_attn_config");
  if (lin != nullptr && lin->is_object() && lin->contains("kda_layers") && (*lin)["kda_layers"].is_array() &&
      !(*lin)["kda_layers"].empty()) {
    im.r.error("linear_attn_config", "invalid_choice",
               "linear-attention layers (Kimi Delta Attention: kda_layers) need a family reader "
               "for their geometry; reading them as full attention would be wrong");
    return;
  }
  const json* types = bounded_list(im, "layer_types", kMaxLayers);
  a.sliding_window = im.i("sliding_window", 0, kMaxTokens, 0).value_or(0);
  if (types != nullptr) {
    PlanBuilder pb(a.num_layers);
    if (!apply_layer_types(im, pb, *types)) return;
    if (has_placeholder(pb, 255) || has_placeholder(pb, 254) || has_placeholder(pb, 253)) {
      im.r.error("layer_types", "invalid_choice",
                 "linear_attention / mamba / conv layers need a family reader for their geometry");
      return;
    }
    for (int64_t k = 0; k < a.num_layers; ++k)
      pb.p.layer_mlp[size_t(k)] =
          pb.mlp(a.moe && k >= a.moe->first_dense_layers ? "moe" : "dense",
                 default_mlp(a, a.moe && k >= a.moe->first_dense_layers));
    finish_plan(im, pb);
  } else if (a.sliding_window > 0 && !im.b("use_sliding_window", true)) {
    a.sliding_window = 0;
  }
}

}  // namespace

const std::vector<std::string_view>& supported_hf_model_types() { return kTypes; }

namespace {

std::optional<ModelSpec> import_config(const json& config, const std::string& path, Errors& errors,
                                       const json* outer);

// Wrappers: the language model's config is text_config (or llm_config / language_config).
const char* wrapped_key(const json& config) {
  for (const char* k : {"text_config", "llm_config", "language_config"})
    if (config.contains(k) && config[k].is_object()) return k;
  return nullptr;
}

}  // namespace

namespace {

// Hugging Face writes null for options a model does not use ("sliding_window": null): there
// null means "unset", so the importer sees such keys as absent.
void drop_nulls(json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (it->is_null()) it = j.erase(it);
      else drop_nulls(*it++);
    }
  } else if (j.is_array()) {
    for (auto& v : j) drop_nulls(v);
  }
}

}  // namespace

std::optional<ModelSpec> import_hf_config(const json& config, const std::string& path,
                                          Errors& errors) {
  json copy = config;
  drop_nulls(copy);
  auto spec = import_config(copy, path, errors, nullptr);
  // The storage of unconverted tensors: what a safetensors index's total_size is compared with.
  if (spec) spec->checkpoint_dtype = spec->quantization ? spec->quantization->base.dtype : checkpoint_dtype(copy);
  return spec;
}

namespace {

std::optional<ModelSpec> import_config(const json& config, const std::string& path, Errors& errors,
                                       const json* outer) {
  ObjectReader r(&config, path, errors);
  if (!r.valid()) return std::nullopt;
  const size_t before = errors.size();
  const json* type_value = r.raw("model_type");
  std::string type;
  if (type_value != nullptr && type_value->is_string()) type = type_value->get<std::string>();
  else if (type_value != nullptr) {
    r.error("model_type", "wrong_type", "must be a string, got " + json_io::type_name(*type_value));
    return std::nullopt;
  }

  // A multimodal wrapper: import the language model, keep the outer config's own fields.
  if (const char* key = wrapped_key(config); key != nullptr && outer == nullptr) {
    json inner = config[key];
    if (!inner.contains("model_type") || !inner["model_type"].is_string()) {
      inner["model_type"] = type == "gemma3" ? "gemma3_text" : type.empty() ? "llama" : type + "_text";
    }
    for (const char* k : {"tie_word_embeddings", "torch_dtype", "dtype"})
      if (!inner.contains(k) && config.contains(k)) inner[k] = config[k];
    auto spec = import_config(inner, r.child_path(key), errors, &config);
    if (!spec) return std::nullopt;
    // The vision and audio towers become named extra modules.
    for (const char* k : {"vision_config", "audio_config"}) {
      const json* sub = r.raw(k);
      if (sub == nullptr || !sub->is_object()) continue;
      if (auto tower = estimate_tower(*sub, k, type, spec->arch.hidden_size, spec->notes))
        spec->arch.extra_modules.push_back(*tower);
    }
    if (const json* qc = r.raw("quantization_config"); qc != nullptr && !spec->quantization)
      spec->quantization = read_quantization_config(*qc, r.child_path("quantization_config"),
                                                    checkpoint_dtype(config), errors);
    if (errors.size() != before) return std::nullopt;
    spec->id = "hf:" + (type.empty() ? spec->id.substr(3) : type);
    validate_architecture(spec->arch, path, errors);
    if (errors.size() != before) return std::nullopt;
    return spec;
  }
  if (type.empty()) {
    r.error("model_type", "missing_field", "is required");
    return std::nullopt;
  }
  const bool known = std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
  // Multimodal wrappers keep the language model in text_config (handled above).
  if (outer == nullptr && is(type, {"gemma3", "gemma3n", "mistral3", "qwen3_vl", "qwen3_vl_moe", "kimi_vl"})) {
    r.error("text_config", "missing_field", "is required for model_type " + type);
    return std::nullopt;
  }
  // Encoders and encoder-decoders are not read as decoders, whatever fields they carry.
  if (is(type, {"bert", "roberta", "xlm-roberta", "distilbert", "albert", "electra", "deberta",
                "deberta-v2", "camembert", "modernbert", "t5", "mt5", "umt5", "bart", "mbart",
                "pegasus", "marian", "whisper", "wav2vec2", "vit", "clip", "siglip"})) {
    r.error("model_type", "unknown_value",
            "\"" + type + "\" is an encoder or encoder-decoder model; llmcalc estimates decoder-only "
            "language models");
    return std::nullopt;
  }

  Architecture a;
  std::vector<std::string> notes;
  Import im{r, a, notes, type};
  if (is(type, {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi3",
                "gemma", "gemma2", "gemma3_text", "qwen3_vl_text", "qwen3_vl_moe_text",
                "qwen2_5_vl_text", "qwen2_5_vl", "olmo2", "olmo3", "smollm3", "exaone4", "ministral",
                "ministral3", "phimoe", "phi4mm", "phi4_multimodal", "mistral3"})) {
    read_decoder(im);
    const bool gemma = is(type, {"gemma", "gemma2", "gemma3_text"});
    a.tie_word_embeddings = im.b("tie_word_embeddings", gemma || type == "smollm3");
    if (is(type, {"qwen2", "qwen2_moe", "qwen2_5_vl", "qwen2_5_vl_text"}))
      a.attention_bias = true;  // hard-wired in Qwen2Attention
    if (is(type, {"qwen3", "qwen3_moe", "gemma3_text", "qwen3_vl_text", "qwen3_vl_moe_text",
                  "olmo2", "olmo3", "exaone4"}))
      a.qk_norm = true;
    if (is(type, {"gemma2", "gemma3_text"})) a.norms_per_layer = 4;
    if (is(type, {"mistral", "mixtral", "phi3", "phimoe", "mistral3"})) read_window(im, 0);
    if (type == "gemma2") read_window(im, 2);
    if (type == "gemma3_text") {
      const json* types = bounded_list(im, "layer_types", kMaxLayers);
      int64_t every = im.i("sliding_window_pattern", 1, kMaxLayers, 6).value_or(6);
      if (types != nullptr) {
        if (!per_layer_length(im, "layer_types", types->size())) return std::nullopt;
        int64_t full = 0;
        for (const auto& t : *types) full += (t.is_string() && t.get<std::string>() == "full_attention");
        every = full > 0 ? static_cast<int64_t>(types->size()) / full : 0;
      }
      read_window(im, every);
    }
    if (is(type, {"qwen2", "qwen3", "qwen2_5_vl", "qwen2_5_vl_text"}) &&
        im.b("use_sliding_window", false))
      read_window(im, 0);
    if (is(type, {"olmo3", "exaone4", "ministral", "ministral3", "smollm3"}) && im.has("layer_types")) {
      const json* types = bounded_list(im, "layer_types", kMaxLayers);
      a.sliding_window = im.i("sliding_window", 0, kMaxTokens, 0).value_or(0);
      if (types != nullptr) {
        PlanBuilder pb(a.num_layers);
        if (!apply_layer_types(im, pb, *types)) return std::nullopt;
        if (has_placeholder(pb, 255) || has_placeholder(pb, 254)) {
          r.error("layer_types", "invalid_choice", "this family has only softmax attention layers");
          return std::nullopt;
        }
        for (auto& x : pb.p.layer_mlp) x = pb.mlp("dense", default_mlp(a, false));
        finish_plan(im, pb);
      }
    }
    if (is(type, {"olmo2", "olmo3"})) a.norms_per_layer = 2;  // post-attention, post-feedforward
    if (is(type, {"mixtral", "phimoe"})) {
      MoeConfig m = read_moe(im, {"num_local_experts"}, {"intermediate_size"});
      a.moe = m;
    }
    if (is(type, {"qwen2_moe", "qwen3_moe", "qwen3_vl_moe_text"})) {
      MoeConfig m = read_moe(im, {"num_experts"}, {"moe_intermediate_size"});
      if (type == "qwen2_moe") {
        m.shared_expert_intermediate_size =
            im.i("shared_expert_intermediate_size", 0, kMaxFfnWidth, 0).value_or(0);
        m.num_shared_experts = m.shared_expert_intermediate_size > 0 ? 1 : 0;
        m.shared_expert_gate = m.num_shared_experts > 0;
      }
      a.moe = m;
      // Dense layers: those listed in mlp_only_layers, or off the decoder_sparse_step grid.
      std::vector<bool> moe;
      if (errors.size() == before && qwen_moe_layers(im, moe)) {
        a.moe->first_dense_layers = std::count(moe.begin(), moe.end(), false);
        const bool leading = std::is_sorted(moe.begin(), moe.end());  // dense ones first
        if (!leading) {
          PlanBuilder pb(a.num_layers);
          for (int64_t k = 0; k < a.num_layers; ++k) {
            pb.p.layer_attention[size_t(k)] = pb.attention("full", full_attention(a));
            pb.p.layer_mlp[size_t(k)] = moe[size_t(k)] ? pb.mlp("moe", {LayerMlpKind::moe, 0})
                                                       : pb.mlp("dense", default_mlp(a, false));
          }
          finish_plan(im, pb);
        }
      }
    }
  } else if (type == "gpt2" || type == "gpt_bigcode") {
    a.vocab_size = im.i("vocab_size", 1, kMaxVocab).value_or(0);
    a.hidden_size = im.i("n_embd", 1, kMaxWidth).value_or(0);
    a.num_layers = im.i("n_layer", 1, kMaxLayers).value_or(0);
    a.num_heads = im.i("n_head", 1, kMaxHeads).value_or(0);
    a.num_kv_heads = type == "gpt_bigcode" && im.b("multi_query", true) ? 1 : a.num_heads;
    a.intermediate_size = im.i("n_inner", 1, kMaxFfnWidth, 4 * a.hidden_size).value_or(0);
    a.max_position_embeddings = im.i("n_positions", 1, kMaxTokens).value_or(0);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    a.attention_bias = a.attention_out_bias = a.mlp_bias = true;
    a.position = PositionKind::learned;
    a.tie_word_embeddings = im.b("tie_word_embeddings", true);
  } else if (type == "gptj") {
    a.vocab_size = im.i("vocab_size", 1, kMaxVocab).value_or(0);
    a.hidden_size = im.i("n_embd", 1, kMaxWidth).value_or(0);
    a.num_layers = im.i("n_layer", 1, kMaxLayers).value_or(0);
    a.num_heads = im.i("n_head", 1, kMaxHeads).value_or(0);
    a.num_kv_heads = a.num_heads;
    a.intermediate_size = im.i("n_inner", 1, kMaxFfnWidth, 4 * a.hidden_size).value_or(0);
    a.max_position_embeddings = im.i("n_positions", 1, kMaxTokens, 2048).value_or(0);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    a.norms_per_layer = 1;  // one LayerNorm feeds attention and MLP in parallel
    a.mlp_bias = true;
    a.tie_word_embeddings = im.b("tie_word_embeddings", false);
  } else if (type == "mpt") {
    a.vocab_size = im.i("vocab_size", 1, kMaxVocab).value_or(0);
    a.hidden_size = im.i("d_model", 1, kMaxWidth).value_or(0);
    a.num_layers = im.i("n_layers", 1, kMaxLayers).value_or(0);
    a.num_heads = im.i("n_heads", 1, kMaxHeads).value_or(0);
    a.num_kv_heads = a.num_heads;
    a.intermediate_size = a.hidden_size * im.i("expansion_ratio", 1, 64, 4).value_or(4);
    a.max_position_embeddings = im.i("max_seq_len", 1, kMaxTokens, 2048).value_or(0);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    const bool bias = !im.b("no_bias", false);
    a.attention_bias = a.attention_out_bias = a.mlp_bias = bias;
    a.position = PositionKind::alibi;
    a.tie_word_embeddings = true;  // MPT reuses wte as the output head
  } else if (type == "gpt_neox") {
    read_decoder(im);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    const bool bias = im.b("attention_bias", true);
    a.attention_bias = a.attention_out_bias = bias;
    a.mlp_bias = true;
    a.tie_word_embeddings = im.b("tie_word_embeddings", false);
  } else if (type == "falcon") {
    a.vocab_size = im.i("vocab_size", 1, kMaxVocab).value_or(0);
    a.hidden_size = im.i("hidden_size", 1, kMaxWidth).value_or(0);
    a.num_layers = im.i("num_hidden_layers", 1, kMaxLayers).value_or(0);
    a.num_heads = im.i("num_attention_heads", 1, kMaxHeads).value_or(0);
    const bool new_arch = im.b("new_decoder_architecture", false);
    const bool multi_query = im.b("multi_query", true);
    if (new_arch) a.num_kv_heads = im.i("num_kv_heads", 1, kMaxHeads, a.num_heads).value_or(0);
    else a.num_kv_heads = multi_query ? 1 : a.num_heads;
    a.intermediate_size = im.i("ffn_hidden_size", 1, kMaxFfnWidth, 4 * a.hidden_size).value_or(0);
    a.max_position_embeddings = im.i("max_position_embeddings", 0, kMaxTokens, 2048).value_or(0);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    const bool parallel = im.b("parallel_attn", true);
    a.norms_per_layer = new_arch ? 2 : (parallel ? 1 : 2);
    const bool bias = im.b("bias", false);
    a.attention_bias = a.attention_out_bias = a.mlp_bias = bias;
    a.position = im.b("alibi", false) ? PositionKind::alibi : PositionKind::rope;
    a.tie_word_embeddings = im.b("tie_word_embeddings", true);
  } else if (is(type, {"deepseek_v3", "deepseek_v32", "kimi_k2", "glm4_moe_lite", "glm_moe_dsa",
                       "kimi_vl"})) {
    read_deepseek(im);
  } else if (is(type, {"lfm2", "lfm2_moe"})) {
    read_lfm2(im);
  } else if (type == "kimi_linear") {
    read_kimi_linear(im);
  } else if (type == "gpt_oss") {
    read_gpt_oss(im);
  } else if (is(type, {"llama4", "llama4_text"})) {
    read_llama4(im);
  } else if (is(type, {"qwen3_next", "qwen3_5", "qwen3_5_text", "qwen3_5_moe", "qwen3_5_moe_text"})) {
    read_qwen_hybrid(im);
  } else if (type == "glm4_moe") {
    read_glm4_moe(im);
  } else if (type == "minimax_m2") {
    read_minimax_m2(im);
  } else if (type == "mimo_v2_flash") {
    read_mimo_v2(im);
  } else if (type == "nemotron_h") {
    read_nemotron_h(im);
  } else if (type == "falcon_h1") {
    read_falcon_h1(im);
  } else if (type == "granitemoehybrid") {
    read_granite_hybrid(im);
  } else if (type == "jamba") {
    read_jamba(im);
  } else if (is(type, {"nemotron-nas", "deci"})) {
    read_nemotron_nas(im);
  } else if (type == "hunyuan_v1_moe") {
    read_hunyuan_moe(im);
  } else if (type == "ernie4_5_moe") {
    read_ernie_moe(im);
  } else if (is(type, {"gemma3n", "gemma3n_text"})) {
    read_gemma3n(im);
  } else if (is(type, {"gemma4", "gemma4_text"})) {
    read_gemma4(im);
  } else if (type == "phi4flash" || im.has("mb_per_layer")) {
    read_phi4flash(im);
  } else {
    read_generic(im);
    if (errors.size() != before) {
      // Say first that the type is unknown, then what the generic reader missed.
      errors.insert(errors.begin() + long(before),
                    {r.child_path("model_type"), "unknown_value",
                     "\"" + json_io::shorten(type, 60) +
                         "\" has no reader of its own, and the generic decoder reader failed "
                         "(see the next errors); known types: gpt_oss, llama4, qwen3_next, "
                         "deepseek_v3, nemotron_h, ... (" + std::to_string(kTypes.size()) + ")"});
    }
    if (errors.size() == before)
      notes.push_back("model_type \"" + json_io::shorten(type, 60) +
                      "\" has no reader of its own: read as a llama-like decoder (gated MLP, "
                      "RMSNorm, RoPE, q/k/v/o projections" +
                      std::string(a.moe ? ", MoE per the expert fields" : "") +
                      (a.tie_word_embeddings ? ", tied embeddings" : "") + ")");
  }
  (void)known;
  if (errors.size() != before) return std::nullopt;
  if (a.head_dim == 0 && a.num_heads > 0 && a.hidden_size % a.num_heads == 0)
    a.head_dim = a.hidden_size / a.num_heads;
  validate_architecture(a, path, errors);
  if (errors.size() != before) return std::nullopt;

  ModelSpec spec;
  spec.arch = std::move(a);
  spec.notes = std::move(notes);
  const json* name = r.raw("_name_or_path");
  if (name == nullptr && outer != nullptr && outer->contains("_name_or_path"))
    name = &(*outer)["_name_or_path"];
  spec.id = "hf:" + type;
  spec.name = (name != nullptr && name->is_string() && !name->get<std::string>().empty())
                  ? json_io::shorten(name->get<std::string>(), 120)
                  : "Hugging Face " + json_io::shorten(type, 60) + " config";
  if (const json* qc = r.raw("quantization_config")) {
    spec.quantization = read_quantization_config(*qc, r.child_path("quantization_config"),
                                                 checkpoint_dtype(config), errors);
    if (errors.size() != before) return std::nullopt;
  }
  if (outer == nullptr) {  // unwrapped multimodal configs (qwen2_5_vl) carry their towers here
    for (const char* k : {"vision_config", "audio_config"}) {
      const json* sub = r.raw(k);
      if (sub == nullptr || !sub->is_object()) continue;
      if (auto tower = estimate_tower(*sub, k, type, spec.arch.hidden_size, spec.notes))
        spec.arch.extra_modules.push_back(*tower);
    }
    validate_architecture(spec.arch, path, errors);
    if (errors.size() != before) return std::nullopt;
  }
  return spec;
}

}  // namespace

void apply_hf_companions(ModelSpec& spec, const json* hf_quant_config, const json* index,
                         const std::string& path, Errors& errors) {
  if (hf_quant_config != nullptr) {
    const Dtype base = spec.quantization ? spec.quantization->base.dtype : Dtype::bf16;
    if (auto q = read_modelopt_config(*hf_quant_config, path + "/hf_quant_config", base, errors))
      spec.quantization = std::move(q);
  }
  if (index != nullptr) {
    ObjectReader r(index, path + "/safetensors_index", errors);
    ObjectReader meta = r.object("metadata");
    if (!meta.valid()) {
      if (r.valid()) r.error("metadata", "missing_field", "is required (metadata.total_size)");
      return;
    }
    if (auto total = meta.integer("total_size", 1, int64_t{1} << 53)) spec.checkpoint_total_bytes = *total;
  }
}

std::string python_json_to_json(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) out.push_back(text[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    bool replaced = false;
    for (std::string_view lit : {"-Infinity", "Infinity", "NaN"}) {
      if (text.substr(i, lit.size()) == lit) {
        out.push_back('"');
        out.append(lit);
        out.push_back('"');
        i += lit.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(c);
  }
  return out;
}

std::optional<ModelSpec> import_hf_config_file(std::string_view text, Errors& errors) {
  // The size check runs on the raw text (parse_text refuses oversized input before copying
  // more than the limit); the rewrite only ever adds two quotes per literal.
  // Oversized text goes to parse_text unchanged, which refuses it before any copy.
  auto doc = text.size() > json_io::kMaxTextBytes
                 ? json_io::parse_text(text, "", errors)
                 : json_io::parse_text(python_json_to_json(text), "", errors);
  if (!doc) return std::nullopt;
  return import_hf_config(*doc, "", errors);
}

std::optional<json> export_hf_config_checked(const ModelSpec& model, Errors& errors) {
  json config = export_hf_config(model);
  Errors ignored;
  const auto back = import_hf_config(config, "", ignored);
  auto cache_total = [](const Architecture& a) {
    double sum = 0;
    for (const auto& b : cache_bytes_per_sequence(a, 65536, Dtype::bf16)) sum += b.kv + b.indexer + b.state;
    return sum;
  };
  if (!back ||
      count_params(tensor_inventory(back->arch)).total != count_params(tensor_inventory(model.arch)).total ||
      cache_total(back->arch) != cache_total(model.arch)) {
    std::string message(1, '"');
    message += json_io::shorten(model.id, 40);
    message +=
        "\" cannot be written as a config.json that imports back to the same parameters and "
        "cache (the exporter writes uniform llama-like families; use the model's own config.json)";
    errors.push_back({"/model", "invalid_choice", std::move(message)});
    return std::nullopt;
  }
  return config;
}

json export_hf_config(const ModelSpec& model) {
  const Architecture& a = model.arch;
  json j;
  if (a.mlp == MlpKind::standard && a.position == PositionKind::learned) {
    j = {{"model_type", "gpt2"},         {"architectures", {"GPT2LMHeadModel"}},
         {"vocab_size", a.vocab_size},   {"n_embd", a.hidden_size},
         {"n_layer", a.num_layers},      {"n_head", a.num_heads},
         {"n_inner", a.intermediate_size}, {"n_positions", a.max_position_embeddings},
         {"tie_word_embeddings", a.tie_word_embeddings}};
    return j;
  }
  j = {{"vocab_size", a.vocab_size},
       {"hidden_size", a.hidden_size},
       {"num_hidden_layers", a.num_layers},
       {"num_attention_heads", a.num_heads},
       {"num_key_value_heads", a.num_kv_heads},
       {"head_dim", a.head_dim},
       {"intermediate_size", a.intermediate_size},
       {"max_position_embeddings", a.max_position_embeddings > 0 ? a.max_position_embeddings : 4096},
       {"tie_word_embeddings", a.tie_word_embeddings},
       {"rms_norm_eps", 1e-6},
       {"torch_dtype", "bfloat16"}};
  if (a.mla) {
    j["model_type"] = "deepseek_v3";
    j["architectures"] = {"DeepseekV3ForCausalLM"};
    j["q_lora_rank"] = a.mla->q_lora_rank > 0 ? json(a.mla->q_lora_rank) : json(nullptr);
    j["kv_lora_rank"] = a.mla->kv_lora_rank;
    j["qk_nope_head_dim"] = a.mla->qk_nope_head_dim;
    j["qk_rope_head_dim"] = a.mla->qk_rope_head_dim;
    j["v_head_dim"] = a.mla->v_head_dim;
    if (a.moe) {
      j["n_routed_experts"] = a.moe->num_experts;
      j["num_experts_per_tok"] = a.moe->top_k;
      j["moe_intermediate_size"] = a.moe->expert_intermediate_size;
      j["n_shared_experts"] = a.moe->num_shared_experts;
      j["first_k_dense_replace"] = a.moe->first_dense_layers;
      j["n_group"] = 1;
      j["topk_group"] = 1;
    }
  } else if (a.moe && a.moe->num_shared_experts > 0) {
    j["model_type"] = "qwen2_moe";
    j["architectures"] = {"Qwen2MoeForCausalLM"};
    j["num_experts"] = a.moe->num_experts;
    j["num_experts_per_tok"] = a.moe->top_k;
    j["moe_intermediate_size"] = a.moe->expert_intermediate_size;
    j["shared_expert_intermediate_size"] = a.moe->shared_expert_intermediate_size;
  } else if (a.moe) {
    j["model_type"] = a.qk_norm ? "qwen3_moe" : "mixtral";
    j["architectures"] = {a.qk_norm ? "Qwen3MoeForCausalLM" : "MixtralForCausalLM"};
    j[a.qk_norm ? "num_experts" : "num_local_experts"] = a.moe->num_experts;
    j["num_experts_per_tok"] = a.moe->top_k;
    if (a.qk_norm) j["moe_intermediate_size"] = a.moe->expert_intermediate_size;
  } else if (a.norms_per_layer == 4) {
    j["model_type"] = a.qk_norm ? "gemma3_text" : "gemma2";
    j["architectures"] = {a.qk_norm ? "Gemma3ForCausalLM" : "Gemma2ForCausalLM"};
    j["sliding_window"] = a.sliding_window;
    // 0 (a per-layer plan) is no valid pattern: leave Gemma 3's default to the importer.
    if (a.qk_norm && a.global_attention_every > 0)
      j["sliding_window_pattern"] = a.global_attention_every;
  } else if (a.qk_norm) {
    j["model_type"] = "qwen3";
    j["architectures"] = {"Qwen3ForCausalLM"};
  } else if (a.attention_bias) {
    j["model_type"] = "qwen2";
    j["architectures"] = {"Qwen2ForCausalLM"};
  } else if (a.sliding_window > 0) {
    j["model_type"] = "mistral";
    j["architectures"] = {"MistralForCausalLM"};
    j["sliding_window"] = a.sliding_window;
  } else {
    j["model_type"] = "llama";
    j["architectures"] = {"LlamaForCausalLM"};
  }
  return j;
}

}  // namespace llmcalc
