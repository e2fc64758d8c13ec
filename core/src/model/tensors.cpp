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
        kind != TensorKind::lm_head && kind != TensorKind::norm && kind != TensorKind::extra &&
        kind != TensorKind::mtp)
      return;
    push(name, kind, rows, cols, layers, per_layer, active_per_layer);
  }
  // A tensor outside the layer stack (layers = 0) of any kind, e.g. a model-level projection.
  void add_top(std::string_view name, TensorKind kind, int64_t rows, int64_t cols) {
    if (rows <= 0 || cols <= 0) return;
    push(name, kind, rows, cols, 0, 1, 1);
  }

 private:
  void push(std::string_view name, TensorKind kind, int64_t rows, int64_t cols, int64_t layers,
            int64_t per_layer, int64_t active_per_layer) {
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

// The Mamba-2 mixer of HF's Mamba2Mixer / NemotronHMamba2Mixer / FalconH1Mixer: in_proj
// (h -> 2 d_inner + 2 groups state + heads), depthwise conv1d with bias over
// d_inner + 2 groups state channels, dt_bias, A_log, D, a gated RMSNorm over d_inner, out_proj.
void add_mamba(Builder& b, const Architecture& a, const Mamba2Config& m, int64_t L) {
  const int64_t h = a.hidden_size;
  const int64_t d_inner = m.num_heads * m.head_dim;
  if (m.dt_rank > 0) {
    // Mamba-1 (Phi3Mamba in microsoft/Phi-4-mini-flash-reasoning modeling_phi4flash.py, as
    // mirrored in franciskamande-ai/cloned_models @ 711ebe7d74126666d14c391aac7625115438411e):
    // in_proj h -> 2 x d_inner (no bias), depthwise conv1d with bias, x_proj d_inner -> dt_rank
    // + 2 x state (no bias), dt_proj dt_rank -> d_inner with bias, A_log d_inner x state, D
    // d_inner, out_proj d_inner -> h (no bias).
    b.add("mamba.in_proj", TensorKind::attention, 2 * d_inner, h, L);
    b.add("mamba.conv1d", TensorKind::mixer, d_inner, m.conv_kernel + 1, L);  // weight + bias
    b.add("mamba.x_proj", TensorKind::attention, m.dt_rank + 2 * m.state_size, d_inner, L);
    b.add("mamba.dt_proj", TensorKind::attention, d_inner, m.dt_rank + 1, L);  // weight + bias
    b.add("mamba.A_log_D", TensorKind::mixer, d_inner, m.state_size + 1, L);
    b.add("mamba.out_proj", TensorKind::attention, h, d_inner, L);
    return;
  }
  const int64_t conv_dim = d_inner + 2 * m.n_groups * m.state_size;
  b.add("mamba.in_proj", TensorKind::attention, d_inner + conv_dim + m.num_heads, h, L);
  b.add("mamba.conv1d", TensorKind::mixer, conv_dim, m.conv_kernel + 1, L);  // weight + bias
  b.add("mamba.dt_A_D", TensorKind::mixer, 1, 3 * m.num_heads, L);
  b.add("mamba.norm", TensorKind::norm, 1, d_inner, L);
  b.add("mamba.out_proj", TensorKind::attention, h, d_inner, L);
}

void add_attention(Builder& b, const Architecture& a, const AttentionLayer& v, int64_t L) {
  const int64_t h = a.hidden_size;
  switch (v.kind) {
    case AttentionKind::none:
      // A gated memory unit (SambaY's GMU: Phi3Mamba with yoco_cross in modeling_phi4flash.py,
      // franciskamande-ai/cloned_models @ 711ebe7d74126666d14c391aac7625115438411e) is a `none`
      // layer carrying a mamba geometry: in_proj h -> d_inner and out_proj d_inner -> h, no bias,
      // gating a memory it does not cache (the last Mamba layer's scan output).
      if (v.mamba.num_heads > 0 && v.mamba.head_dim > 0) {
        const int64_t d_inner = v.mamba.num_heads * v.mamba.head_dim;
        b.add("gmu.in_proj", TensorKind::attention, d_inner, h, L);
        b.add("gmu.out_proj", TensorKind::attention, h, d_inner, L);
      }
      return;
    case AttentionKind::mamba2:
      add_mamba(b, a, v.mamba, L);
      return;
    case AttentionKind::conv:
      // LFM2 gated short convolution (transformers modeling_lfm2.py, Lfm2ShortConv): in_proj
      // h -> 3h (B, C, x), a depthwise Conv1d of conv_kernel over h channels, out_proj h -> h;
      // biases on all three when conv_bias.
      b.add("conv.in_proj", TensorKind::attention, 3 * h, h, L);
      b.add("conv.conv1d", TensorKind::mixer, h, v.conv_kernel, L);
      b.add("conv.out_proj", TensorKind::attention, h, h, L);
      if (v.conv_bias) b.add("conv.bias", TensorKind::bias, 1, 3 * h + h + h, L);
      return;
    case AttentionKind::linear: {
      if (v.linear.kda) {
        // Kimi Delta Attention (moonshotai/Kimi-Linear-48B-A3B-Instruct modeling_kimi.py @
        // d64a5299ded33ab2609617e05f6bd2cf9b6eef35, KimiDeltaAttention): q/k/v projections, a
        // depthwise conv without bias on each, A_log per head, dt_bias per channel, low-rank
        // decay gate f_a (h -> d) / f_b (d -> q), beta b_proj (h -> heads), low-rank output gate
        // g_a / g_b, a gated RMSNorm of one head, o_proj.
        const LinearAttentionConfig& l = v.linear;
        const int64_t key = l.num_k_heads * l.k_head_dim;
        const int64_t value = l.num_v_heads * l.v_head_dim;
        b.add("kda.qkv_proj", TensorKind::attention, 2 * key + value, h, L);
        b.add("kda.conv1d", TensorKind::mixer, 2 * key + value, l.conv_kernel, L);
        b.add("kda.A_log_dt_bias", TensorKind::mixer, 1, l.num_v_heads + key, L);
        b.add("kda.f_a_proj", TensorKind::attention, l.k_head_dim, h, L);
        b.add("kda.f_b_proj", TensorKind::attention, key, l.k_head_dim, L);
        b.add("kda.b_proj", TensorKind::attention, l.num_v_heads, h, L);
        b.add("kda.g_a_proj", TensorKind::attention, l.v_head_dim, h, L);
        b.add("kda.g_b_proj", TensorKind::attention, value, l.v_head_dim, L);
        b.add("kda.o_norm", TensorKind::norm, 1, l.v_head_dim, L);
        b.add("kda.o_proj", TensorKind::attention, h, value, L);
        return;
      }
      // Qwen3-Next Gated DeltaNet (HF Qwen3NextGatedDeltaNet): in_proj_qkvz, in_proj_ba,
      // conv1d without bias over q, k and v, dt_bias, A_log, a gated RMSNorm of one v head,
      // out_proj.
      const LinearAttentionConfig& l = v.linear;
      const int64_t key = l.num_k_heads * l.k_head_dim;
      const int64_t value = l.num_v_heads * l.v_head_dim;
      b.add("linear_attn.in_proj_qkvz", TensorKind::attention, 2 * key + 2 * value, h, L);
      b.add("linear_attn.in_proj_ba", TensorKind::attention, 2 * l.num_v_heads, h, L);
      b.add("linear_attn.conv1d", TensorKind::mixer, 2 * key + value, l.conv_kernel, L);
      b.add("linear_attn.dt_A", TensorKind::mixer, 1, 2 * l.num_v_heads, L);
      b.add("linear_attn.norm", TensorKind::norm, 1, l.v_head_dim, L);
      b.add("linear_attn.out_proj", TensorKind::attention, h, value, L);
      return;
    }
    case AttentionKind::mla: {
      const MlaConfig m = a.mla.value_or(MlaConfig{});
      const int64_t qk = m.qk_nope_head_dim + m.qk_rope_head_dim;
      if (m.q_lora_rank > 0) {
        b.add("q_a_proj", TensorKind::attention, m.q_lora_rank, h, L);
        b.add("q_a_layernorm", TensorKind::norm, 1, m.q_lora_rank, L);
        b.add("q_b_proj", TensorKind::attention, v.num_heads * qk, m.q_lora_rank, L);
      } else {
        b.add("q_proj", TensorKind::attention, v.num_heads * qk, h, L);
      }
      b.add("kv_a_proj_with_mqa", TensorKind::attention, m.kv_lora_rank + m.qk_rope_head_dim, h, L);
      b.add("kv_a_layernorm", TensorKind::norm, 1, m.kv_lora_rank, L);
      b.add("kv_b_proj", TensorKind::attention, v.num_heads * (m.qk_nope_head_dim + m.v_head_dim),
            m.kv_lora_rank, L);
      b.add("o_proj", TensorKind::attention, h, v.num_heads * m.v_head_dim, L);
      if (v.indexer_head_dim > 0) {
        // DeepSeek-V3.2 lightning indexer (deepseek-ai/DeepSeek-V3.2-Exp inference/model.py,
        // class Indexer): wq_b (q_lora -> heads x dim), wk (h -> dim), k_norm (LayerNorm,
        // weight + bias), weights_proj (h -> heads).
        const int64_t q_in = m.q_lora_rank > 0 ? m.q_lora_rank : h;
        b.add("indexer.wq_b", TensorKind::attention, v.indexer_heads * v.indexer_head_dim, q_in, L);
        b.add("indexer.wk", TensorKind::attention, v.indexer_head_dim, h, L);
        b.add("indexer.k_norm", TensorKind::norm, 1, 2 * v.indexer_head_dim, L);
        b.add("indexer.weights_proj", TensorKind::attention, v.indexer_heads, h, L);
      }
      return;
    }
    case AttentionKind::full:
    case AttentionKind::sliding:
    case AttentionKind::chunked:
    case AttentionKind::shared:
      break;
  }
  // A shared layer with num_kv_heads 0 projects queries only (SambaY's cross-attention reads
  // K and V of the full layer it shares); Gemma 3n's shared layers keep their k/v projections.
  const int64_t q = v.num_heads * v.head_dim;
  const int64_t k = v.num_kv_heads * v.head_dim;
  const int64_t val = v.k_eq_v ? 0 : v.num_kv_heads * v.v_head_dim;
  const int64_t out = v.num_heads * v.v_head_dim;
  b.add("q_proj", TensorKind::attention, v.output_gate ? 2 * q : q, h, L);
  b.add("k_proj", TensorKind::attention, k, h, L);
  b.add("v_proj", TensorKind::attention, val, h, L);
  b.add("o_proj", TensorKind::attention, h, out, L);
  if (a.attention_bias) b.add("qkv_bias", TensorKind::bias, 1, q + k + val, L);
  if (a.attention_out_bias) b.add("o_bias", TensorKind::bias, 1, h, L);
  if (a.qk_norm) b.add("qk_norm", TensorKind::norm, 1, 2 * v.head_dim, L);
  if (v.sinks) b.add("sinks", TensorKind::bias, 1, v.num_heads, L);
  if (v.parallel_mamba) add_mamba(b, a, v.mamba, L);
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

void add_mlp(Builder& b, const Architecture& a, const MlpLayer& v, int64_t L) {
  if (v.kind == LayerMlpKind::none) return;
  if (v.kind == LayerMlpKind::dense || !a.moe) {
    add_ffn(b, a, TensorKind::mlp, kDenseNames, v.intermediate_size, L, 1, 1, a.mlp_bias);
    return;
  }
  const int64_t h = a.hidden_size;
  const MoeConfig& m = *a.moe;
  b.add("router", TensorKind::router, m.num_experts, h, L);
  if (m.router_bias) b.add("router_bias", TensorKind::router, 1, m.num_experts, L);
  add_ffn(b, a, TensorKind::expert, kExpertNames, m.expert_intermediate_size, L, m.num_experts,
          m.top_k, a.mlp_bias || m.expert_bias);
  if (m.num_shared_experts > 0) {
    add_ffn(b, a, TensorKind::shared_expert, kSharedNames, m.shared_expert_intermediate_size, L,
            m.num_shared_experts, m.num_shared_experts, a.mlp_bias);
    if (m.shared_expert_gate) b.add("shared_expert_gate", TensorKind::router, 1, h, L);
  }
}

std::string_view extra_name(ExtraModuleKind k) {
  switch (k) {
    case ExtraModuleKind::vision: return "vision_tower";
    case ExtraModuleKind::audio: return "audio_tower";
    case ExtraModuleKind::projector: return "multi_modal_projector";
  }
  return "extra";
}

// Gemma 3n's blocks around each decoder layer, shapes as HF Gemma3nTextDecoderLayer builds
// them (huggingface/transformers src/transformers/models/gemma3n/modeling_gemma3n.py @
// 00aa0f5dc1ccd968335257cb871d41ee9c0bc21e): AltUp (correct_output_scale and router_norm over
// h, modality_router h -> n, correction_coefs n -> n, prediction_coefs n -> n^2), LAuReL
// (linear_left h -> r, linear_right r -> h, post_laurel_norm), and the per-layer input path
// (per_layer_input_gate h -> p, per_layer_projection p -> h, post_per_layer_input_norm).
void add_gemma3n_blocks(Builder& b, const Architecture& a) {
  const int64_t h = a.hidden_size, L = a.num_layers;
  if (a.altup_inputs > 0) {
    const int64_t n = a.altup_inputs;
    b.add("altup.modality_router", TensorKind::router, n, h, L);
    b.add("altup.coefs", TensorKind::router, n + n * n, n, L);
    b.add("altup.scale_and_norm", TensorKind::norm, 1, 2 * h, L);
  }
  if (a.laurel_rank > 0) {
    b.add("laurel.linear_left", TensorKind::mlp, a.laurel_rank, h, L);
    b.add("laurel.linear_right", TensorKind::mlp, h, a.laurel_rank, L);
    b.add("laurel.norm", TensorKind::norm, 1, h, L);
  }
  if (a.per_layer_input_width > 0) {
    const int64_t p = a.per_layer_input_width;
    b.add("per_layer_input_gate", TensorKind::mlp, p, h, L);
    b.add("per_layer_projection", TensorKind::mlp, h, p, L);
    b.add("post_per_layer_input_norm", TensorKind::norm, 1, h, L);
  }
}

// Gemma 3n's model-level tensors (HF Gemma3nTextModel, same file): the per-layer embedding
// table (an embedding: one row looked up per token, no matmul), per_layer_model_projection
// h -> L x p with its norm over p, and n - 1 AltUp projections in and n - 1 out, each h -> h.
void add_gemma3n_model(Builder& b, const Architecture& a) {
  const int64_t h = a.hidden_size, L = a.num_layers;
  if (a.per_layer_input_width > 0) {
    const int64_t p = a.per_layer_input_width;
    b.add("embed_tokens_per_layer", TensorKind::embedding, a.per_layer_input_vocab, L * p, 0);
    b.add_top("per_layer_model_projection", TensorKind::mlp, L * p, h);
    b.add("per_layer_projection_norm", TensorKind::norm, 1, p, 0);
  }
  if (a.altup_inputs > 1) {
    b.add_top("altup_projections", TensorKind::mlp, (a.altup_inputs - 1) * h, h);
    b.add_top("altup_unembed_projections", TensorKind::mlp, (a.altup_inputs - 1) * h, h);
  }
}

// The decoder layers (attention, norms, MLP) of `a`, grouped by variant.
void add_layers(Builder& b, const Architecture& a) {
  const LayerPlan p = a.layer_plan();
  std::vector<int64_t> attn(p.attention.size(), 0), mlp(p.mlp.size(), 0);
  for (uint8_t v : p.layer_attention) ++attn[v];
  for (uint8_t v : p.layer_mlp) ++mlp[v];
  for (size_t v = 0; v < p.attention.size(); ++v) add_attention(b, a, p.attention[v], attn[v]);
  b.add("layer_norms", TensorKind::norm, 1, a.norms_per_layer * norm_size(a, a.hidden_size),
        a.num_layers);
  for (size_t v = 0; v < p.mlp.size(); ++v) add_mlp(b, a, p.mlp[v], mlp[v]);
  add_gemma3n_blocks(b, a);
}

// The next-token-prediction layers as the checkpoint stores them (model.layers.61.* of
// deepseek-ai/DeepSeek-V3): per layer one decoder layer shaped like the last main layer,
// eh_proj (2h -> h), enorm, hnorm, the shared head's norm, and with mtp_dedicated_embeddings
// the layer's own output head (shared_head.head) and, when `embedding_copy`, its embedding
// copy. All groups sit outside the layer stack (layers = 0), one copy per MTP layer.
void add_mtp(Builder& b, const Architecture& a, bool embedding_copy) {
  if (a.mtp_layers <= 0 || a.num_layers <= 0) return;
  const LayerPlan p = a.layer_plan();
  Architecture one = a;
  one.num_layers = 1;
  one.plan.attention = {p.attention[p.layer_attention.back()]};
  one.plan.mlp = {p.mlp[p.layer_mlp.back()]};
  one.plan.layer_attention = {0};
  one.plan.layer_mlp = {0};
  Builder layer;
  add_layers(layer, one);
  const int64_t n = a.mtp_layers;
  const size_t first = b.out.size();
  for (TensorGroup t : layer.out) {
    t.per_layer *= n * (t.layers > 0 ? t.layers : 1);
    t.active_per_layer *= n * (t.layers > 0 ? t.layers : 1);
    t.layers = 0;
    b.out.push_back(t);
  }
  const int64_t h = a.hidden_size;
  b.add("eh_proj", TensorKind::mtp, h, 2 * h, 0, n, n);
  b.add("mtp_norms", TensorKind::mtp, 1, 3 * norm_size(a, h), 0, n, n);
  if (a.mtp_dedicated_embeddings) {
    b.add("shared_head.head", TensorKind::lm_head, a.vocab_size, h, 0, n, n);
    if (embedding_copy) b.add("mtp.embed_tokens", TensorKind::embedding, a.vocab_size, h, 0, n, n);
  }
  for (size_t i = first; i < b.out.size(); ++i) b.out[i].mtp = true;
}

}  // namespace

int64_t mtp_params(const Architecture& a) {
  Builder b;
  add_mtp(b, a, true);
  int64_t sum = 0;
  for (const auto& t : b.out) sum += t.params();
  return sum;
}

std::vector<TensorGroup> tensor_inventory(const Architecture& a, InventoryOptions options) {
  Builder b;
  b.out.reserve(48);
  const int64_t h = a.hidden_size;
  b.add("embed_tokens", TensorKind::embedding, a.vocab_size, h, 0);
  if (a.position == PositionKind::learned)
    b.add("embed_positions", TensorKind::position, a.max_position_embeddings, h, 0);
  add_layers(b, a);
  add_gemma3n_model(b, a);
  if (a.final_norm) b.add("final_norm", TensorKind::norm, 1, norm_size(a, h), 0);
  if (!a.tie_word_embeddings) b.add("lm_head", TensorKind::lm_head, a.vocab_size, h, 0);
  for (const ExtraModule& m : a.extra_modules)
    b.add(extra_name(m.kind), TensorKind::extra, 1, m.params, 0);
  if (options.mtp) add_mtp(b, a, options.mtp_embedding);
  return std::move(b.out);
}

ParamCounts count_params(const std::vector<TensorGroup>& tensors) {
  ParamCounts c;
  int64_t vocab_hidden = 0;
  for (const auto& t : tensors) {
    c.total += t.params();
    if (t.is_quantizable_linear()) c.quantizable += t.params();
    // Draft layers of speculative decoding: loaded, but not part of the model's forward pass.
    if (t.mtp) {
      c.mtp += t.params();
      continue;
    }
    // Towers run per image or audio clip, not per text token: not in `active`.
    if (t.kind != TensorKind::extra) c.active += t.active_params();
    switch (t.kind) {
      case TensorKind::embedding:
        // The output projection mirrors the token table, not Gemma 3n's per-layer one.
        if (t.name == "embed_tokens") vocab_hidden = t.elements();
        c.embedding += t.params();
        break;
      case TensorKind::position:
        c.embedding += t.params();
        break;
      case TensorKind::lm_head:
        c.lm_head += t.params();
        break;
      case TensorKind::extra:
        c.extra += t.params();
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
  }
  // The output projection is a matmul whether or not it shares the embedding's storage.
  c.matmul_active += vocab_hidden;
  c.active_excluding_input_embedding = c.active - c.embedding;
  c.active_excluding_embeddings = c.active - c.embedding - c.lm_head;
  return c;
}

}  // namespace llmcalc
