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
double attention_coeff(const Context& c) {
  const Architecture& a = c.a;
  const double vd = a.mla ? double(a.mla->v_head_dim) : double(a.head_dim);
  return 2.0 * double(a.num_heads) * (double(a.qk_head_dim()) + vd);
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
  const double vd = a.mla ? double(a.mla->v_head_dim) : double(a.head_dim);
  // QK^T and AV per layer and context token; windowed layers see at most the window.
  const Ex per_layer_token = n(2, "FLOP per multiply-add") * n(double(a.num_heads), "heads") *
                             (n(double(a.qk_head_dim()), "qk_dim") + n(vd, "v_dim"));
  const double windowed = double(a.windowed_layers());
  if (windowed == 0) return per_layer_token * n(double(a.num_layers), "layers") * n(context, "context tokens");
  return per_layer_token *
         (n(double(a.num_layers) - windowed, "global layers") * n(context, "context tokens") +
          n(windowed, "windowed layers") *
              n(std::min(context, double(a.sliding_window)), "tokens in the window"));
}

double attention_flops_per_token(const Context& c, double context) {
  return attention_flops_expr(c, context, false).v;
}

double attention_flops_causal(const Context& c, double first, double n) {
  const double windowed = double(c.a.windowed_layers());
  const double global = double(c.a.num_layers) - windowed;
  const double w = c.a.sliding_window > 0 ? double(c.a.sliding_window) : first + n;
  return attention_coeff(c) *
         (global * capped_sum(first, n, first + n) + windowed * capped_sum(first, n, w));
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

Ex roofline_time(const Context& c, Phase& p, bool text) {
  const auto n = [&](double v, std::string_view label = {}, std::string_view unit = {}) {
    return text ? c.num(v, label, unit) : Ex(v);
  };
  const Gpu& g = c.s.gpu;
  const Dtype dt = compute_dtype(c.s.precision.weights, c.s.precision.activations);
  const Ex peak = n(g.matmul_peak(dt), std::string(dtype_name(dt)) + " peak", "FLOP/s");
  const Ex bandwidth = n(g.memory_bandwidth_bytes_per_s, "bandwidth", "B/s") *
                       n(g.bandwidth_efficiency, "bandwidth efficiency");
  const Ex matmul_eff = n(g.matmul_efficiency, "matmul efficiency");
  // Fused attention kernels reach a lower fraction of peak than large GEMMs: FlashAttention-2
  // (Dao 2023, arXiv:2307.08691) reports 50-73% of A100 peak forward and less backward.
  Ex compute = n(p.flops - p.attention_flops, "matmul", "FLOP") / (peak * matmul_eff);
  if (p.attention_flops > 0)
    compute = compute + n(p.attention_flops, "attention", "FLOP") /
                            (peak * emin(n(kAttentionEfficiency, "attention kernel efficiency"), matmul_eff));
  const Ex memory = n(p.bytes, "memory traffic", "B") / bandwidth;
  Ex time = emax(compute, memory);
  Ex elementwise(0);
  if (p.elementwise_bytes > 0) {
    elementwise = n(p.elementwise_bytes, "elementwise traffic", "B") / bandwidth;
    time = time + elementwise;
  }
  p.compute_s = compute.v;
  p.memory_s = memory.v;
  p.elementwise_s = elementwise.v;
  p.arithmetic_intensity =
      p.bytes + p.elementwise_bytes > 0 ? p.flops / (p.bytes + p.elementwise_bytes) : 0;
  p.bound = p.compute_s >= p.memory_s + p.elementwise_s ? Bound::compute : Bound::memory;
  return time;
}

void finish_phase(const Context& c, Phase& p, bool text) {
  Ex time = roofline_time(c, p, text);
  const auto n = [&](double v, std::string_view label) {
    return text ? c.num(v, label, "s") : Ex(v);
  };
  if (p.comm_s > 0) time = time + n(p.comm_s, "tp all-reduce");
  if (p.overhead_s > 0) time = time + n(p.overhead_s, "fixed overhead");
  p.time_s = time.v;
  if (text) c.set_formula(p, time);
}

}  // namespace llmcalc
