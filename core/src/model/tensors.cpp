#include "llmcalc/tensors.hpp"

#include <string_view>

namespace llmcalc {

bool TensorGroup::is_quantizable_linear() const {
  // Embeddings, lm_head, routers, norms and biases stay in 16-bit under GPTQ, AWQ and
  // bitsandbytes defaults; only the linear layers of attention and MLPs are converted.
  return is_matrix() && (kind == TensorKind::attention || kind == TensorKind::mlp ||
                         kind == TensorKind::expert || kind == TensorKind::shared_expert);
}

namespace {

// Appends a group; rows/cols follow torch.nn.Linear (out_features, in_features).
struct Builder {
  std::vector<TensorGroup> out;
  void add(std::string_view name, TensorKind kind, int64_t rows, int64_t cols, int64_t layers,
           int64_t per_layer = 1, int64_t active_per_layer = -1) {
    if (rows <= 0 || cols <= 0 || per_layer <= 0) return;
    if (layers == 0 && kind != TensorKind::embedding && kind != TensorKind::position &&
        kind != TensorKind::lm_head && kind != TensorKind::norm)
      return;
    TensorGroup g;
    g.name = name;
    g.kind = kind;
    g.rows = rows;
    g.cols = cols;
    g.layers = layers;
    g.per_layer = per_layer;
    g.active_per_layer = active_per_layer < 0 ? per_layer : active_per_layer;
    out.push_back(std::move(g));
  }
};

int64_t norm_size(const Architecture& a, int64_t width) {
  return a.norm == NormKind::layernorm ? 2 * width : width;
}

void add_attention(Builder& b, const Architecture& a) {
  const int64_t h = a.hidden_size;
  const int64_t L = a.num_layers;
  if (a.mla) {
    const MlaConfig& m = *a.mla;
    const int64_t qk = m.qk_nope_head_dim + m.qk_rope_head_dim;
    if (m.q_lora_rank > 0) {
      b.add("q_a_proj", TensorKind::attention, m.q_lora_rank, h, L);
      b.add("q_a_layernorm", TensorKind::norm, 1, m.q_lora_rank, L);
      b.add("q_b_proj", TensorKind::attention, a.num_heads * qk, m.q_lora_rank, L);
    } else {
      b.add("q_proj", TensorKind::attention, a.num_heads * qk, h, L);
    }
    b.add("kv_a_proj_with_mqa", TensorKind::attention, m.kv_lora_rank + m.qk_rope_head_dim, h, L);
    b.add("kv_a_layernorm", TensorKind::norm, 1, m.kv_lora_rank, L);
    b.add("kv_b_proj", TensorKind::attention, a.num_heads * (m.qk_nope_head_dim + m.v_head_dim),
          m.kv_lora_rank, L);
    b.add("o_proj", TensorKind::attention, h, a.num_heads * m.v_head_dim, L);
    return;
  }
  const int64_t q = a.num_heads * a.head_dim;
  const int64_t kv = a.num_kv_heads * a.head_dim;
  b.add("q_proj", TensorKind::attention, q, h, L);
  b.add("k_proj", TensorKind::attention, kv, h, L);
  b.add("v_proj", TensorKind::attention, kv, h, L);
  b.add("o_proj", TensorKind::attention, h, q, L);
  if (a.attention_bias) b.add("qkv_bias", TensorKind::bias, 1, q + 2 * kv, L);
  if (a.attention_out_bias) b.add("o_bias", TensorKind::bias, 1, h, L);
  if (a.qk_norm) b.add("qk_norm", TensorKind::norm, 1, 2 * a.head_dim, L);
}

// Module names of one FFN flavour, spelled out so that names stay literals (no allocation).
struct FfnNames {
  std::string_view gate, up, down, bias;
};
constexpr FfnNames kDenseNames{"gate_proj", "up_proj", "down_proj", "mlp_bias"};
constexpr FfnNames kExpertNames{"experts.gate_proj", "experts.up_proj", "experts.down_proj",
                                "experts.mlp_bias"};
constexpr FfnNames kSharedNames{"shared_experts.gate_proj", "shared_experts.up_proj",
                                "shared_experts.down_proj", "shared_experts.mlp_bias"};

void add_ffn(Builder& b, const Architecture& a, TensorKind kind, const FfnNames& names,
             int64_t width, int64_t layers, int64_t per_layer, int64_t active, bool bias) {
  const int64_t h = a.hidden_size;
  const bool gated = a.mlp == MlpKind::gated;
  if (gated) b.add(names.gate, kind, width, h, layers, per_layer, active);
  b.add(names.up, kind, width, h, layers, per_layer, active);
  b.add(names.down, kind, h, width, layers, per_layer, active);
  if (bias) {
    b.add(names.bias, TensorKind::bias, 1, (gated ? 2 : 1) * width + h, layers, per_layer,
          active);
  }
}

}  // namespace

std::vector<TensorGroup> tensor_inventory(const Architecture& a) {
  Builder b;
  b.out.reserve(32);  // the most groups an architecture yields (MoE with shared experts)
  const int64_t h = a.hidden_size;
  b.add("embed_tokens", TensorKind::embedding, a.vocab_size, h, 0);
  if (a.position == PositionKind::learned)
    b.add("embed_positions", TensorKind::position, a.max_position_embeddings, h, 0);

  add_attention(b, a);
  b.add("layer_norms", TensorKind::norm, 1, a.norms_per_layer * norm_size(a, h), a.num_layers);

  add_ffn(b, a, TensorKind::mlp, kDenseNames, a.intermediate_size, a.dense_layers(), 1, 1, a.mlp_bias);
  if (a.moe) {
    const MoeConfig& m = *a.moe;
    const int64_t L = a.moe_layers();
    b.add("router", TensorKind::router, m.num_experts, h, L);
    if (m.router_bias) b.add("router_bias", TensorKind::router, 1, m.num_experts, L);
    add_ffn(b, a, TensorKind::expert, kExpertNames, m.expert_intermediate_size, L, m.num_experts,
            m.top_k, a.mlp_bias);
    if (m.num_shared_experts > 0) {
      add_ffn(b, a, TensorKind::shared_expert, kSharedNames,
              m.shared_expert_intermediate_size, L, m.num_shared_experts, m.num_shared_experts,
              a.mlp_bias);
      if (m.shared_expert_gate) b.add("shared_expert_gate", TensorKind::router, 1, h, L);
    }
  }

  if (a.final_norm) b.add("final_norm", TensorKind::norm, 1, norm_size(a, h), 0);
  if (!a.tie_word_embeddings) b.add("lm_head", TensorKind::lm_head, a.vocab_size, h, 0);
  return std::move(b.out);
}

ParamCounts count_params(const std::vector<TensorGroup>& tensors) {
  ParamCounts c;
  int64_t vocab_hidden = 0;
  for (const auto& t : tensors) {
    c.total += t.params();
    c.active += t.active_params();
    switch (t.kind) {
      case TensorKind::embedding:
        vocab_hidden = t.elements();
        c.embedding += t.params();
        break;
      case TensorKind::position:
        c.embedding += t.params();
        break;
      case TensorKind::lm_head:
        c.lm_head += t.params();
        break;
      case TensorKind::attention:
      case TensorKind::mlp:
      case TensorKind::expert:
      case TensorKind::shared_expert:
      case TensorKind::router:
        if (t.is_matrix()) c.matmul_active += t.active_params();
        break;
      default:
        break;
    }
    if (t.is_quantizable_linear()) c.quantizable += t.params();
  }
  // The output projection is a matmul whether or not it shares the embedding's storage.
  c.matmul_active += vocab_hidden;
  return c;
}

}  // namespace llmcalc
