#pragma once
// The parameter tensors of a model, grouped by shape: the single source of parameter counts,
// quantization, LoRA targets, factored optimizer states and per-GPU sharding.

#include <cstdint>
#include <string_view>
#include <vector>

#include "llmcalc/architecture.hpp"

namespace llmcalc {

enum class TensorKind {
  embedding,      // token embedding table
  position,       // learned position embeddings
  lm_head,        // output projection (absent when tied)
  attention,      // attention linear weights
  mlp,            // dense MLP linear weights
  expert,         // routed-expert linear weights
  shared_expert,  // shared-expert linear weights
  router,         // MoE router weights and biases
  norm,           // normalization weights and biases
  bias,           // linear-layer biases and per-head vectors (attention sinks)
  mixer,          // recurrent/SSM mixer parameters that are not linear weights (conv, A, D, dt)
  extra,          // a module outside the decoder stack (vision/audio tower, projector)
  mtp,            // an MTP layer's own eh_proj and norms (enorm, hnorm, shared head's norm)
};

struct TensorGroup {
  std::string_view name;   // HF-style module name (a literal): "q_proj", "down_proj", ...
  TensorKind kind;
  int64_t rows = 1;        // output features (1 for vectors)
  int64_t cols = 1;        // input features
  int64_t per_layer = 1;   // copies in one layer (experts per layer)
  int64_t active_per_layer = 1;  // copies one token uses (top_k for routed experts)
  int64_t layers = 0;      // layers holding it; 0 for tensors outside the layer stack
  bool mtp = false;        // part of the next-token-prediction layers (InventoryOptions::mtp)

  int64_t elements() const { return rows * cols; }
  int64_t count() const { return per_layer * (layers > 0 ? layers : 1); }
  int64_t active_count() const { return active_per_layer * (layers > 0 ? layers : 1); }
  int64_t params() const { return elements() * count(); }
  int64_t active_params() const { return elements() * active_count(); }
  bool is_matrix() const { return rows > 1 && cols > 1; }
  // Linear weights that weight-only quantizers (GPTQ, AWQ, bitsandbytes) convert.
  bool is_quantizable_linear() const;
  // Gemma 3n's per-layer embedding table (embed_tokens_per_layer): read by row like the token
  // table, and never the tied output matrix.
  bool is_per_layer_table() const {
    return kind == TensorKind::embedding && name == "embed_tokens_per_layer";
  }
};

// What an engine loads beside the main model. The MTP groups are the layers' own tensors
// (kind and shape as in the main stack, `mtp` set, layers = 0: none is in the stack).
struct InventoryOptions {
  bool mtp = false;  // the next-token-prediction layers, as a speculative-decoding engine loads them
  // ... and the copy of the embedding table the checkpoint stores in each of them, which an
  // engine with one pipeline stage shares with the main model instead (vLLM eagle.py).
  bool mtp_embedding = false;
};

std::vector<TensorGroup> tensor_inventory(const Architecture& arch, InventoryOptions options = {});

// Parameters of the next-token-prediction layers as the checkpoint stores them: per layer one
// decoder layer (MoE where the last main layer is), eh_proj (2h -> h), enorm, hnorm, the
// shared head's norm, and (mtp_dedicated_embeddings) the copies of the embedding and the
// output head that DeepSeek's checkpoints keep in each MTP layer (model.layers.61.* of
// deepseek-ai/DeepSeek-V3); Qwen3.5's MTP shares the model's (mtp_use_dedicated_embeddings).
// The sum of the MTP groups of tensor_inventory(arch, {true, true}).
int64_t mtp_params(const Architecture& arch);

// Conventions: `total` and `active` count everything the decoder stack and the extra modules
// hold (Qwen's convention: embedding and lm_head included; a tied table once). MTP layers
// count only when the inventory was built with them (then in `mtp` and in `total`).
struct ParamCounts {
  int64_t total = 0;
  int64_t active = 0;         // per token (MoE: routed top-k plus everything else)
  // active minus the input embedding (and position table): OpenAI's gpt-oss convention.
  int64_t active_excluding_input_embedding = 0;
  // active minus input embedding and lm_head (a tied table counts as embedding): MiniMax's.
  int64_t active_excluding_embeddings = 0;
  int64_t extra = 0;          // vision/audio towers and projectors (in total, not in active)
  int64_t mtp = 0;            // next-token-prediction layers in the inventory (in total, not active)
  int64_t embedding = 0;      // token + position embeddings
  int64_t lm_head = 0;        // 0 when tied
  int64_t quantizable = 0;    // linear weights a weight-only quantizer converts
  int64_t matmul_active = 0;  // active params that take part in a matmul per token (incl. lm_head)
};

ParamCounts count_params(const std::vector<TensorGroup>& tensors);

}  // namespace llmcalc
