#include "architecture_json.hpp"

#include <cmath>

namespace llmcalc {

using json_io::ObjectReader;
using nlohmann::json;

namespace {

// Upper bounds well beyond any real model, low enough that products stay exact in int64.
constexpr int64_t kMaxVocab = 10'000'000;
constexpr int64_t kMaxWidth = 1'000'000;
constexpr int64_t kMaxLayers = 10'000;
constexpr int64_t kMaxHeads = 100'000;
constexpr int64_t kMaxExperts = 100'000;
constexpr int64_t kMaxTokens = 1'000'000'000;
constexpr double kMaxParams = 1e15;  // a quadrillion parameters: far past any model

}  // namespace

std::optional<Architecture> read_architecture(ObjectReader& r) {
  if (!r.valid()) return std::nullopt;
  r.reject_unknown({"vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads",
                    "head_dim", "intermediate_size", "mlp", "norm", "norms_per_layer",
                    "final_norm", "qk_norm", "attention_bias", "attention_out_bias", "mlp_bias",
                    "position", "max_position_embeddings", "tie_word_embeddings",
                    "sliding_window", "global_attention_every", "moe", "mla"});
  const size_t before = r.errors().size();
  Architecture a;
  a.vocab_size = r.integer("vocab_size", 1, kMaxVocab).value_or(0);
  a.hidden_size = r.integer("hidden_size", 1, kMaxWidth).value_or(0);
  a.num_layers = r.integer("num_layers", 1, kMaxLayers).value_or(0);
  a.num_heads = r.integer("num_heads", 1, kMaxHeads).value_or(0);
  a.num_kv_heads = r.integer("num_kv_heads", 1, kMaxHeads, a.num_heads).value_or(0);
  a.head_dim = r.integer("head_dim", 1, kMaxWidth, 0).value_or(0);
  a.intermediate_size = r.integer("intermediate_size", 1, 10 * kMaxWidth).value_or(0);
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

  ObjectReader moe = r.object("moe");
  if (moe.valid()) {
    moe.reject_unknown({"num_experts", "top_k", "expert_intermediate_size",
                        "num_shared_experts", "shared_expert_intermediate_size",
                        "first_dense_layers", "shared_expert_gate", "router_bias"});
    MoeConfig m;
    m.num_experts = moe.integer("num_experts", 1, kMaxExperts).value_or(0);
    m.top_k = moe.integer("top_k", 1, kMaxExperts).value_or(0);
    m.expert_intermediate_size =
        moe.integer("expert_intermediate_size", 1, 10 * kMaxWidth).value_or(0);
    m.num_shared_experts = moe.integer("num_shared_experts", 0, 1000, 0).value_or(0);
    // 0 is allowed (and is what export writes) when there are no shared experts.
    m.shared_expert_intermediate_size =
        moe.integer("shared_expert_intermediate_size", 0, 10 * kMaxWidth,
                    m.num_shared_experts > 0 ? m.expert_intermediate_size : 0)
            .value_or(0);
    m.first_dense_layers = moe.integer("first_dense_layers", 0, kMaxLayers, 0).value_or(0);
    m.shared_expert_gate = moe.boolean("shared_expert_gate", false).value_or(false);
    m.router_bias = moe.boolean("router_bias", false).value_or(false);
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
  validate_architecture(a, r.path(), r.errors());
  if (r.errors().size() != before) return std::nullopt;
  return a;
}

void validate_architecture(const Architecture& a, const std::string& path, Errors& errors) {
  auto err = [&](const char* field, const char* code, std::string msg) {
    errors.push_back({path + "/" + field, code, std::move(msg)});
  };
  if (a.head_dim == 0) {
    err("num_heads", "inconsistent",
        "num_heads (" + std::to_string(a.num_heads) + ") must divide hidden_size (" +
            std::to_string(a.hidden_size) + ") when head_dim is not given");
    return;
  }
  if (!a.mla) {
    if (a.num_kv_heads > a.num_heads || a.num_heads % a.num_kv_heads != 0)
      err("num_kv_heads", "inconsistent",
          "num_kv_heads (" + std::to_string(a.num_kv_heads) + ") must divide num_heads (" +
              std::to_string(a.num_heads) + ")");
  }
  if (a.position == PositionKind::learned && a.max_position_embeddings == 0)
    err("max_position_embeddings", "missing_field",
        "is required (and > 0) with learned position embeddings");
  if (a.moe) {
    if (a.moe->top_k > a.moe->num_experts)
      err("moe/top_k", "inconsistent",
          "top_k (" + std::to_string(a.moe->top_k) + ") cannot exceed num_experts (" +
              std::to_string(a.moe->num_experts) + ")");
    if (a.moe->num_shared_experts > 0 && a.moe->shared_expert_intermediate_size == 0)
      err("moe/shared_expert_intermediate_size", "out_of_range",
          "must be > 0 when num_shared_experts > 0");
    if (a.moe->first_dense_layers > a.num_layers)
      err("moe/first_dense_layers", "inconsistent", "cannot exceed num_layers");
  }
  if (a.mla && a.mla->qk_nope_head_dim + a.mla->qk_rope_head_dim == 0)
    err("mla/qk_rope_head_dim", "out_of_range", "qk_nope_head_dim + qk_rope_head_dim must be > 0");
  if (!errors.empty() && errors.back().path.rfind(path, 0) == 0) return;

  // Parameter count in floating point first, so absurd shapes are refused before any
  // int64 arithmetic could overflow.
  const double h = static_cast<double>(a.hidden_size);
  const double L = static_cast<double>(a.num_layers);
  double per_layer = 4.0 * h * static_cast<double>(a.num_heads) *
                     static_cast<double>(a.mla ? a.qk_head_dim() + a.mla->v_head_dim +
                                                     a.mla->kv_lora_rank + a.mla->q_lora_rank
                                               : a.head_dim);
  double ffn = 3.0 * h * static_cast<double>(a.intermediate_size);
  if (a.moe)
    ffn += 3.0 * h *
           (static_cast<double>(a.moe->num_experts) *
                static_cast<double>(a.moe->expert_intermediate_size) +
            static_cast<double>(a.moe->num_shared_experts) *
                static_cast<double>(a.moe->shared_expert_intermediate_size));
  const double total = L * (per_layer + ffn) + 2.0 * h * static_cast<double>(a.vocab_size) +
                       h * static_cast<double>(a.max_position_embeddings);
  if (!(total <= kMaxParams))
    errors.push_back({path, "out_of_range",
                      "the architecture describes about " + std::to_string(total / 1e12) +
                          " trillion parameters; the limit is 1000 trillion"});
}

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
  }
  if (a.mla) {
    j["mla"] = {{"q_lora_rank", a.mla->q_lora_rank},
                {"kv_lora_rank", a.mla->kv_lora_rank},
                {"qk_nope_head_dim", a.mla->qk_nope_head_dim},
                {"qk_rope_head_dim", a.mla->qk_rope_head_dim},
                {"v_head_dim", a.mla->v_head_dim}};
  }
  return j;
}

}  // namespace llmcalc
