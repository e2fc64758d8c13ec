#pragma once
// A decoder-only transformer's shape: everything the estimates need to know of a model.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace llmcalc {

enum class MlpKind { gated, standard };  // gated: gate+up+down (SwiGLU/GeGLU); standard: up+down
enum class NormKind { rmsnorm, layernorm };
enum class PositionKind { rope, learned, alibi };

struct MoeConfig {
  int64_t num_experts = 0;
  int64_t top_k = 0;
  int64_t expert_intermediate_size = 0;         // FFN width of one routed expert
  int64_t num_shared_experts = 0;
  int64_t shared_expert_intermediate_size = 0;  // FFN width of one shared expert
  int64_t first_dense_layers = 0;               // leading layers with a dense MLP
  bool shared_expert_gate = false;              // Qwen2-MoE: Linear(hidden, 1) on the shared expert
  bool router_bias = false;                     // DeepSeek-V3: e_score_correction_bias
};

// DeepSeek multi-head latent attention: K and V are cached as one compressed latent.
struct MlaConfig {
  int64_t q_lora_rank = 0;  // 0: queries are not compressed
  int64_t kv_lora_rank = 0;
  int64_t qk_nope_head_dim = 0;
  int64_t qk_rope_head_dim = 0;
  int64_t v_head_dim = 0;
};

struct Architecture {
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;  // == num_heads for MHA, 1 for MQA
  int64_t head_dim = 0;      // may differ from hidden/heads (Gemma)
  int64_t intermediate_size = 0;
  MlpKind mlp = MlpKind::gated;
  NormKind norm = NormKind::rmsnorm;
  int64_t norms_per_layer = 2;
  bool final_norm = true;
  bool qk_norm = false;
  bool attention_bias = false;      // bias on q, k, v
  bool attention_out_bias = false;  // bias on the output projection
  bool mlp_bias = false;
  PositionKind position = PositionKind::rope;
  int64_t max_position_embeddings = 0;
  bool tie_word_embeddings = false;
  int64_t sliding_window = 0;          // tokens; 0: no windowed layers
  int64_t global_attention_every = 0;  // 0: all layers windowed; N: every N-th layer is global
  std::optional<MoeConfig> moe;
  std::optional<MlaConfig> mla;

  // Layers whose KV cache is capped by the sliding window.
  int64_t windowed_layers() const;
  int64_t moe_layers() const { return moe ? num_layers - moe->first_dense_layers : 0; }
  int64_t dense_layers() const { return num_layers - moe_layers(); }
  // Width of the attention output (heads x head_dim, or heads x v_head_dim for MLA).
  int64_t attention_width() const;
  // Width of one query head's dot product (head_dim, or nope+rope for MLA).
  int64_t qk_head_dim() const;
};

// What a GGUF file stores: elements per ggml type (exact weight bytes) and its file type.
struct GgufStorage {
  std::string file_type;                         // llama-quantize mix name ("Q4_K_M"), or ""
  std::vector<std::pair<int, int64_t>> types;    // ggml type id -> elements, ascending by id
  bool operator==(const GgufStorage&) const = default;
};

// A model: its architecture plus catalog metadata.
struct ModelSpec {
  std::string id;    // preset id, or "custom" / "hf:<model_type>"
  std::string name;  // display name
  Architecture arch;
  int64_t published_params = 0;         // 0 when unknown
  int64_t published_active_params = 0;  // MoE only
  GgufStorage gguf;  // set for a model read from a GGUF header (types empty otherwise)
};

}  // namespace llmcalc
