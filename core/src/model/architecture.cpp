#include "llmcalc/architecture.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace llmcalc {

namespace {

constexpr std::array<std::string_view, kAttentionKindCount> kKindNames = {
    "full", "sliding", "chunked", "mla", "linear", "mamba2", "none", "shared", "conv"};

bool windowed(AttentionKind k) { return k == AttentionKind::sliding || k == AttentionKind::chunked; }

// State a Mamba-2 mixer keeps per sequence. Shapes as vLLM allocates them
// (vllm-project/vllm vllm/model_executor/layers/mamba/mamba_utils.py,
// MambaStateShapeCalculator.mamba2_state_shape): conv (conv_kernel - 1) x (d_inner + 2 x
// n_groups x state), SSM num_heads x head_dim x state.
void add_mamba_state(const Mamba2Config& m, CacheGroup& g) {
  const int64_t d_inner = m.num_heads * m.head_dim;
  g.state_elements += m.num_heads * m.head_dim * m.state_size;
  g.conv_state_elements += (m.conv_kernel - 1) * (d_inner + 2 * m.n_groups * m.state_size);
}

}  // namespace

std::string_view attention_kind_name(AttentionKind k) { return kKindNames[static_cast<int>(k)]; }

std::optional<AttentionKind> parse_attention_kind(std::string_view name) {
  for (int i = 0; i < kAttentionKindCount; ++i)
    if (kKindNames[i] == name) return static_cast<AttentionKind>(i);
  return std::nullopt;
}

LayerPlan Architecture::layer_plan() const {
  if (!plan.empty()) return plan;
  LayerPlan p;
  AttentionLayer global;
  global.kind = mla ? AttentionKind::mla : AttentionKind::full;
  global.num_heads = num_heads;
  global.num_kv_heads = num_kv_heads;
  global.head_dim = mla ? qk_head_dim() : head_dim;
  global.v_head_dim = mla ? mla->v_head_dim : head_dim;
  p.attention.push_back(global);
  const bool has_window = sliding_window > 0 && !mla;
  if (has_window) {
    AttentionLayer w = global;
    w.kind = AttentionKind::sliding;
    w.window = sliding_window;
    p.attention.push_back(w);
  }
  p.mlp.push_back({LayerMlpKind::dense, intermediate_size});
  if (moe) p.mlp.push_back({LayerMlpKind::moe, 0});
  const auto L = static_cast<size_t>(std::max<int64_t>(num_layers, 0));
  p.layer_attention.assign(L, 0);
  p.layer_mlp.assign(L, 0);
  for (size_t i = 0; i < L; ++i) {
    // Layers i with (i + 1) % N == 0 are global (Gemma 2: every 2nd, Gemma 3: every 6th).
    const bool global_layer =
        global_attention_every > 0 && (int64_t(i) + 1) % global_attention_every == 0;
    if (has_window && !global_layer) p.layer_attention[i] = 1;
    if (moe && int64_t(i) >= moe->first_dense_layers) p.layer_mlp[i] = 1;
  }
  return p;
}

int64_t Architecture::layers_of(AttentionKind k) const {
  const LayerPlan p = layer_plan();
  int64_t n = 0;
  for (uint8_t v : p.layer_attention) n += p.attention[v].kind == k ? 1 : 0;
  return n;
}

int64_t Architecture::layers_of(LayerMlpKind k) const {
  const LayerPlan p = layer_plan();
  int64_t n = 0;
  for (uint8_t v : p.layer_mlp) n += p.mlp[v].kind == k ? 1 : 0;
  return n;
}

std::vector<CacheGroup> Architecture::cache_groups() const {
  const LayerPlan p = layer_plan();
  std::vector<int64_t> uses(p.attention.size(), 0);
  for (uint8_t v : p.layer_attention) ++uses[v];
  std::vector<CacheGroup> out;
  for (size_t v = 0; v < p.attention.size(); ++v) {
    if (uses[v] == 0) continue;
    const AttentionLayer& a = p.attention[v];
    CacheGroup g;
    g.kind = a.kind;
    g.layers = uses[v];
    switch (a.kind) {
      case AttentionKind::full:
      case AttentionKind::sliding:
      case AttentionKind::chunked:
        g.kv_elements_per_token = a.num_kv_heads * (a.head_dim + (a.k_eq_v ? 0 : a.v_head_dim));
        g.kv_heads = a.num_kv_heads;
        g.k_dim = a.head_dim;
        g.v_dim = a.k_eq_v ? 0 : a.v_head_dim;
        g.window = windowed(a.kind) ? a.window : 0;
        break;
      case AttentionKind::mla:
        // One compressed latent plus the shared RoPE key (DeepSeek-V2 paper, section 2.1).
        g.kv_elements_per_token = mla ? mla->kv_lora_rank + mla->qk_rope_head_dim : 0;
        g.indexer_elements_per_token = a.indexer_head_dim;
        break;
      case AttentionKind::linear: {
        // Gated DeltaNet, shapes as vLLM allocates them (mamba_utils.py,
        // gated_delta_net_state_shape): recurrent num_v_heads x k_dim x v_dim; conv
        // (kernel - 1) x (2 x key_dim + value_dim).
        const LinearAttentionConfig& l = a.linear;
        g.state_elements = l.num_v_heads * l.k_head_dim * l.v_head_dim;
        g.conv_state_elements = (l.conv_kernel - 1) * (2 * l.num_k_heads * l.k_head_dim +
                                                       l.num_v_heads * l.v_head_dim);
        break;
      }
      case AttentionKind::mamba2:
        add_mamba_state(a.mamba, g);
        g.mamba1 = a.mamba.dt_rank > 0;
        break;
      case AttentionKind::conv:
        // LFM2 short conv, as vLLM allocates it (mamba_utils.py, short_conv_state_shape):
        // (conv_kernel - 1) x hidden per sequence, in the cache dtype.
        g.conv_state_elements = (a.conv_kernel - 1) * hidden_size;
        break;
      case AttentionKind::none:
      case AttentionKind::shared:
        continue;  // nothing cached of their own
    }
    if (a.parallel_mamba) add_mamba_state(a.mamba, g);
    // Merge with an earlier group of the same kind and geometry.
    auto same = std::find_if(out.begin(), out.end(), [&](const CacheGroup& o) {
      return o.kind == g.kind && o.window == g.window && o.kv_heads == g.kv_heads &&
             o.k_dim == g.k_dim && o.v_dim == g.v_dim &&
             o.kv_elements_per_token == g.kv_elements_per_token &&
             o.indexer_elements_per_token == g.indexer_elements_per_token &&
             o.state_elements == g.state_elements && o.conv_state_elements == g.conv_state_elements;
    });
    if (same != out.end()) same->layers += g.layers;
    else out.push_back(g);
  }
  return out;
}

std::vector<CacheBytes> cache_bytes_per_sequence(const Architecture& a, int64_t tokens,
                                                 Dtype kv_dtype, Dtype conv_dtype) {
  std::vector<CacheBytes> out;
  for (const CacheGroup& g : a.cache_groups()) {
    CacheBytes b;
    b.kind = g.kind;
    b.layers = g.layers;
    b.window = g.window;
    const double L = double(g.layers);
    const double cached = double(g.window > 0 ? std::min(tokens, g.window) : tokens);
    b.kv = L * cached * double(g.kv_elements_per_token) * dtype_bytes(kv_dtype);
    // DeepSeek-V3.2's indexer caches its keys in FP8 with one fp32 scale per 128 elements
    // (deepseek-ai/DeepSeek-V3.2-Exp inference/model.py, Indexer k_cache / k_scale_cache).
    const double idx = double(g.indexer_elements_per_token);
    b.indexer = L * double(tokens) * (idx + 4.0 * std::ceil(idx / 128.0));
    b.state = L * (double(g.state_elements) * dtype_bytes(a.state_dtype) +
                   double(g.conv_state_elements) * dtype_bytes(conv_dtype));
    out.push_back(b);
  }
  return out;
}

int64_t Architecture::softmax_layers() const {
  if (plan.empty()) return num_layers;
  return num_layers - layers_of(AttentionKind::linear) - layers_of(AttentionKind::mamba2) -
         layers_of(AttentionKind::none) - layers_of(AttentionKind::conv);
}

int64_t Architecture::windowed_layers() const {
  if (plan.empty()) {
    if (sliding_window <= 0 || mla) return 0;
    if (global_attention_every <= 0) return num_layers;
    return num_layers - num_layers / global_attention_every;
  }
  return layers_of(AttentionKind::sliding) + layers_of(AttentionKind::chunked);
}

std::vector<AttentionFlopGroup> Architecture::attention_flop_groups() const {
  std::vector<AttentionFlopGroup> out;
  auto add = [&out](const AttentionFlopGroup& g) {
    if (g.layers <= 0) return;
    for (AttentionFlopGroup& o : out)
      if (o.heads == g.heads && o.qk_dim == g.qk_dim && o.v_dim == g.v_dim && o.window == g.window) {
        o.layers += g.layers;
        return;
      }
    out.push_back(g);
  };
  const int64_t vd = mla ? mla->v_head_dim : head_dim;
  if (plan.empty()) {
    const int64_t w = windowed_layers();
    add({softmax_layers() - w, num_heads, qk_head_dim(), vd, 0});
    add({w, num_heads, qk_head_dim(), vd, sliding_window});
    return out;
  }
  for (const uint8_t x : plan.layer_attention) {
    if (x >= plan.attention.size()) continue;
    const AttentionLayer& v = plan.attention[x];
    if (v.kind == AttentionKind::linear || v.kind == AttentionKind::mamba2 ||
        v.kind == AttentionKind::none || v.kind == AttentionKind::conv)
      continue;
    AttentionFlopGroup g{1, v.num_heads > 0 ? v.num_heads : num_heads, v.head_dim, v.v_head_dim, 0};
    if (v.kind == AttentionKind::mla) {  // nope + rope queries against the latent's keys
      g.qk_dim = qk_head_dim();
      g.v_dim = vd;
    }
    if (g.qk_dim == 0) g.qk_dim = qk_head_dim();
    if (g.v_dim == 0) g.v_dim = g.qk_dim;
    // A layer reading another's KV (Gemma 3n / 4 num_kv_shared_layers) attends over what
    // that layer caches: a sliding layer's window.
    const bool capped = v.kind == AttentionKind::sliding || v.kind == AttentionKind::chunked ||
                        v.kind == AttentionKind::shared;
    g.window = capped ? v.window : 0;
    add(g);
  }
  return out;
}

int64_t Architecture::moe_layers() const {
  if (!moe) return 0;
  if (plan.empty()) return num_layers - moe->first_dense_layers;
  return layers_of(LayerMlpKind::moe);
}

int64_t Architecture::attention_width() const {
  return mla ? num_heads * mla->v_head_dim : num_heads * head_dim;
}

int64_t Architecture::qk_head_dim() const {
  return mla ? mla->qk_nope_head_dim + mla->qk_rope_head_dim : head_dim;
}

}  // namespace llmcalc
