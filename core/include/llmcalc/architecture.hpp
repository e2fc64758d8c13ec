#pragma once
// A decoder-only transformer's shape: everything the estimates need to know of a model.
// The uniform fields (num_heads, sliding_window, moe, mla, ...) describe the common case; a
// per-layer plan (LayerPlan) describes hybrids: each layer's attention kind with its own KV
// geometry, and each layer's MLP kind. Without an explicit plan the uniform fields are
// expanded into one (layer_plan()).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "llmcalc/dtype.hpp"
#include "llmcalc/weight_format.hpp"

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
  int64_t first_dense_layers = 0;               // layers with a dense MLP (leading, without a plan)
  bool shared_expert_gate = false;              // Qwen2-MoE: Linear(hidden, 1) on the shared expert
  bool router_bias = false;                     // DeepSeek-V3: e_score_correction_bias
  bool expert_bias = false;                     // gpt-oss: biases on every expert projection
};

// DeepSeek multi-head latent attention: K and V are cached as one compressed latent.
struct MlaConfig {
  int64_t q_lora_rank = 0;  // 0: queries are not compressed
  int64_t kv_lora_rank = 0;
  int64_t qk_nope_head_dim = 0;
  int64_t qk_rope_head_dim = 0;
  int64_t v_head_dim = 0;
};

// How a layer mixes tokens, and so what it caches.
enum class AttentionKind {
  full,     // K and V of every token
  sliding,  // K and V of the last `window` tokens
  chunked,  // K and V of the current `window`-token chunk (Llama 4 local attention)
  mla,      // one compressed latent + rope key per token (MlaConfig)
  linear,   // Gated DeltaNet and similar: a fixed recurrent state plus a short conv state
  mamba2,   // SSM state (heads x head_dim x state) plus a conv state
  none,     // no token mixing (NAS-pruned attention)
  shared,   // reads another layer's KV cache (Gemma 3n / 4 num_kv_shared_layers)
  conv,     // gated short convolution (LFM2): no KV, a conv state of (conv_kernel - 1) x hidden
};
inline constexpr int kAttentionKindCount = 9;

// Gated DeltaNet geometry (Qwen3-Next linear_* fields), or Kimi Delta Attention (kda: the
// same state shapes, other weights: separate q/k/v projections and convs, low-rank gates).
struct LinearAttentionConfig {
  int64_t num_k_heads = 0;
  int64_t num_v_heads = 0;
  int64_t k_head_dim = 0;
  int64_t v_head_dim = 0;
  int64_t conv_kernel = 4;
  bool kda = false;
};

// Mamba-2 mixer geometry (d_inner = num_heads x head_dim). dt_rank > 0 selects Mamba-1's
// weights instead (x_proj, dt_proj; one channel per "head", n_groups 0): the cache is the same
// arithmetic, d_inner x state plus (conv_kernel - 1) x d_inner.
struct Mamba2Config {
  int64_t num_heads = 0;
  int64_t head_dim = 0;
  int64_t state_size = 0;
  int64_t n_groups = 1;
  int64_t conv_kernel = 4;
  int64_t dt_rank = 0;  // Mamba-1: the low-rank width of the dt projection (0: Mamba-2)
};

// One attention variant; layers point at variants by index.
struct AttentionLayer {
  AttentionKind kind = AttentionKind::full;
  int64_t num_heads = 0;     // query heads
  int64_t num_kv_heads = 0;  // cached K/V heads
  int64_t head_dim = 0;      // key (and query) head width
  int64_t v_head_dim = 0;    // value head width (may differ from head_dim)
  bool k_eq_v = false;       // K and V are one tensor, cached once (Gemma 4 global layers)
  int64_t window = 0;        // tokens: sliding window or chunk size
  bool sinks = false;        // learned per-head attention sinks (gpt-oss)
  bool output_gate = false;  // Qwen3-Next gated attention: q_proj also yields a gate
  int64_t indexer_heads = 0;     // DeepSeek sparse attention lightning indexer: query heads
  int64_t indexer_head_dim = 0;  // ... and the width of the key it caches per token (0: none)
  bool parallel_mamba = false;   // a Mamba-2 mixer runs beside the attention (Falcon-H1)
  int64_t conv_kernel = 0;       // conv: the short convolution's width (LFM2 conv_L_cache)
  bool conv_bias = false;        // conv: biases on in_proj, conv and out_proj (LFM2 conv_bias)
  LinearAttentionConfig linear;
  Mamba2Config mamba;
};

enum class LayerMlpKind { dense, moe, none };

// One MLP variant: a dense FFN (its own width), the model's MoE block, or none.
struct MlpLayer {
  LayerMlpKind kind = LayerMlpKind::dense;
  int64_t intermediate_size = 0;  // dense width
};

// Per-layer plan: variants plus, for each layer, the index of its variant.
struct LayerPlan {
  std::vector<AttentionLayer> attention;
  std::vector<MlpLayer> mlp;
  std::vector<uint8_t> layer_attention;  // size num_layers
  std::vector<uint8_t> layer_mlp;        // size num_layers
  bool empty() const { return layer_attention.empty(); }
};

// A separately named weight item outside the decoder stack (vision/audio tower, projector).
enum class ExtraModuleKind { vision, audio, projector };
struct ExtraModule {
  std::string name;  // "vision_tower", "audio_tower", "multi_modal_projector"
  ExtraModuleKind kind = ExtraModuleKind::vision;
  int64_t params = 0;
};

// The cache one group of layers holds, per layer: elements that grow per token (capped at
// `window` when > 0) and elements fixed per sequence.
struct CacheGroup {
  AttentionKind kind = AttentionKind::full;
  int64_t layers = 0;
  int64_t window = 0;                   // 0: grows with the whole context
  int64_t kv_heads = 0;                 // softmax kinds: cached heads, and their K / V widths
  int64_t k_dim = 0;
  int64_t v_dim = 0;                    // 0 when K = V is cached once
  int64_t kv_elements_per_token = 0;    // per layer, all KV heads (K + V, or K once)
  int64_t indexer_elements_per_token = 0;  // per layer (DeepSeek sparse attention keys)
  int64_t state_elements = 0;       // per layer per sequence: recurrent/SSM state (state_dtype)
  int64_t conv_state_elements = 0;  // per layer per sequence: short-conv state (cache dtype)
  bool mamba1 = false;              // mamba2 kind with Mamba-1 weights (mamba.dt_rank > 0)
};

// Softmax-attention layers of one geometry, for attention FLOPs: query heads, the widths of a
// query-key dot product and of a value, and how many tokens a query attends to (0: the whole
// context; a sliding, chunked or shared-from-sliding layer: its window).
struct AttentionFlopGroup {
  int64_t layers = 0;
  int64_t heads = 0;
  int64_t qk_dim = 0;
  int64_t v_dim = 0;
  int64_t window = 0;
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
  LayerPlan plan;                      // empty: expanded from the uniform fields
  int64_t mtp_layers = 0;              // next-token-prediction layers (not in the main stack)
  bool mtp_dedicated_embeddings = false;  // each MTP layer stores its own embedding and head
  Dtype state_dtype = Dtype::bf16;     // recurrent / SSM state (fp32 where the config says so)
  std::vector<ExtraModule> extra_modules;
  // Gemma 3n (0: absent). Per-layer embeddings (PLE): a second table of
  // per_layer_input_vocab x (num_layers x per_layer_input_width), looked up per token like the
  // token embedding, plus projections in and out of each layer. AltUp keeps altup_inputs
  // copies of the hidden state; LAuReL adds a rank-laurel_rank residual branch per layer.
  int64_t per_layer_input_width = 0;  // hidden_size_per_layer_input
  int64_t per_layer_input_vocab = 0;  // vocab_size_per_layer_input
  int64_t altup_inputs = 0;           // altup_num_inputs
  int64_t laurel_rank = 0;

  // The per-layer plan: the explicit one, or the uniform fields expanded.
  LayerPlan layer_plan() const;
  // Layers per attention kind, and per MLP kind.
  int64_t layers_of(AttentionKind k) const;
  int64_t layers_of(LayerMlpKind k) const;
  // One entry per distinct cache geometry present (layers with no cache are left out).
  std::vector<CacheGroup> cache_groups() const;

  // Layers that run softmax attention over cached tokens (all but linear, mamba2, conv, none).
  int64_t softmax_layers() const;
  // Layers whose KV cache is capped by the sliding window (sliding and chunked layers).
  int64_t windowed_layers() const;
  // Softmax-attention layers grouped by their own head count, head widths and window.
  std::vector<AttentionFlopGroup> attention_flop_groups() const;
  int64_t moe_layers() const;
  int64_t dense_layers() const { return num_layers - moe_layers(); }
  // Width of the attention output (heads x head_dim, or heads x v_head_dim for MLA).
  int64_t attention_width() const;
  // Width of one query head's dot product (head_dim, or nope+rope for MLA).
  int64_t qk_head_dim() const;
};

// Cache bytes of one sequence of `tokens` tokens for one group of layers, per component.
struct CacheBytes {
  AttentionKind kind = AttentionKind::full;
  int64_t layers = 0;
  int64_t window = 0;
  double kv = 0;       // K/V (or MLA latent) bytes: grows with tokens up to the window
  double indexer = 0;  // DeepSeek sparse-attention keys: fp8 + an fp32 scale per 128, grows
  double state = 0;    // recurrent/SSM state (state_dtype) plus conv state: constant
};

// Per cache group: `kv_dtype` for K/V, `conv_dtype` (the model's dtype) for conv states, the
// architecture's state_dtype for recurrent/SSM states. Sums over all layers of the group.
std::vector<CacheBytes> cache_bytes_per_sequence(const Architecture& a, int64_t tokens,
                                                 Dtype kv_dtype, Dtype conv_dtype = Dtype::bf16);

std::string_view attention_kind_name(AttentionKind k);
std::optional<AttentionKind> parse_attention_kind(std::string_view name);

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
  std::vector<std::string> notes;       // what an importer assumed (unknown model_type, ...)
  std::optional<CheckpointQuantization> quantization;  // from the checkpoint's config
  int64_t checkpoint_total_bytes = 0;  // model.safetensors.index.json metadata.total_size (0: none)
  Dtype checkpoint_dtype = Dtype::bf16;  // config.json torch_dtype: unconverted tensors' storage
  GgufStorage gguf;  // set for a model read from a GGUF header (types empty otherwise)
};

}  // namespace llmcalc
