#include <algorithm>

#include "performance.hpp"

namespace llmcalc {

Ex matmul_flops_expr(const Context& c, bool text) {
  const auto n = [&](double v, std::string_view label) { return text ? c.num(v, label) : Ex(v); };
  return n(2, "FLOP per multiply-add") * n(double(c.counts.matmul_active), "active matmul params");
}

double matmul_flops_per_token(const Context& c) { return matmul_flops_expr(c, false).v; }

namespace {

// Per layer and token per context position: QK^T (2 x heads x qk_dim) + AV (2 x heads x v_dim).
double attention_coeff(const AttentionFlopGroup& g) {
  return 2.0 * double(g.heads) * (double(g.qk_dim) + double(g.v_dim));
}

// Sum over positions p = first+1 .. first+n of min(p, cap).
double capped_sum(double first, double n, double cap) {
  auto prefix = [cap](double m) {  // sum_{p=1..m} min(p, cap)
    if (m <= cap) return m * (m + 1) / 2;
    return cap * (cap + 1) / 2 + (m - cap) * cap;
  };
  return prefix(first + n) - prefix(first);
}

}  // namespace

Ex attention_flops_expr(const Context& c, double context, bool text) {
  const auto n = [&](double v, std::string_view label) { return text ? c.num(v, label) : Ex(v); };
  const Architecture& a = c.a;
  const std::vector<AttentionFlopGroup> groups = a.attention_flop_groups();
  // Only softmax-attention layers attend over the context: linear-attention, Mamba and
  // attention-free layers cost nothing per context token (their matmuls are in the params).
  const double vd = a.mla ? double(a.mla->v_head_dim) : double(a.head_dim);
  const bool uniform = std::all_of(groups.begin(), groups.end(), [&](const AttentionFlopGroup& g) {
    return g.heads == a.num_heads && g.qk_dim == a.qk_head_dim() && double(g.v_dim) == vd &&
           (g.window == 0 || g.window == a.sliding_window);
  });
  if (!uniform) {
    // Layer kinds with their own head counts and widths (Gemma 4's wider global heads), and
    // windows (shared-KV layers reading a sliding layer's cache): one term per kind.
    Ex sum;
    bool any = false;
    for (const AttentionFlopGroup& g : groups) {
      const Ex term = n(2, "FLOP per multiply-add") * n(double(g.heads), "heads") *
                      (n(double(g.qk_dim), "qk_dim") + n(double(g.v_dim), "v_dim")) *
                      n(double(g.layers), g.window > 0 ? "windowed layers" : "global layers") *
                      (g.window > 0 ? n(std::min(context, double(g.window)), "tokens in the window")
                                    : n(context, "context tokens"));
      sum = any ? sum + term : term;
      any = true;
    }
    return sum;
  }
  double windowed = 0, attending = 0;
  for (const AttentionFlopGroup& g : groups) {
    attending += double(g.layers);
    if (g.window > 0) windowed += double(g.layers);
  }
  // QK^T and AV per layer and context token; windowed layers see at most the window.
  const Ex per_layer_token = n(2, "FLOP per multiply-add") * n(double(a.num_heads), "heads") *
                             (n(double(a.qk_head_dim()), "qk_dim") + n(vd, "v_dim"));
  if (windowed == 0) return per_layer_token * n(attending, "layers") * n(context, "context tokens");
  return per_layer_token *
         (n(attending - windowed, "global layers") * n(context, "context tokens") +
          n(windowed, "windowed layers") *
              n(std::min(context, double(a.sliding_window)), "tokens in the window"));
}

double attention_flops_per_token(const Context& c, double context) {
  return attention_flops_expr(c, context, false).v;
}

double attention_flops_causal(const Context& c, double first, double n) {
  double sum = 0;
  for (const AttentionFlopGroup& g : c.a.attention_flop_groups())
    sum += attention_coeff(g) * double(g.layers) *
           capped_sum(first, n, g.window > 0 ? double(g.window) : first + n);
  return sum;
}

double elementwise_bytes_per_token(const Context& c) {
  const Architecture& a = c.a;
  const double ab = dtype_bytes(c.s.precision.activations);
  const double h = double(a.hidden_size);
  const double rope = a.position == PositionKind::rope
                          ? 2.0 * double(a.num_heads * a.qk_head_dim() + a.num_kv_heads * a.head_dim)
                          : 0.0;
  const double act = a.mlp == MlpKind::gated ? 5.0 : 2.0;  // SiLU + product, or GELU: read + write
  const double width = a.moe ? double(a.moe->top_k * a.moe->expert_intermediate_size +
                                      a.moe->num_shared_experts * a.moe->shared_expert_intermediate_size)
                             : double(a.intermediate_size);
  // Per layer: each norm reads and writes the hidden state; two residual adds read two and
  // write one; the MLP activation; RoPE reads and writes q and k.
  const double per_layer = 2.0 * double(a.norms_per_layer) * h + 6.0 * h + act * width + rope;
  return per_layer * double(a.num_layers) * ab;
}

}  // namespace llmcalc
