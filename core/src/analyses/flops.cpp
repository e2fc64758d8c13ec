#include <algorithm>

#include "performance.hpp"

namespace llmcalc {

double matmul_flops_per_token(const Context& c) { return 2.0 * double(c.counts.matmul_active); }

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

double attention_flops_per_token(const Context& c, double context) {
  const double windowed = double(c.a.windowed_layers());
  const double global = double(c.a.num_layers) - windowed;
  const double w = double(c.a.sliding_window);
  return attention_coeff(c) * (global * context + windowed * std::min(context, w > 0 ? w : context));
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

RooflineText make_roofline_text(const Gpu& g, const Precision& precision) {
  const double peak = g.matmul_peak(compute_dtype(precision.weights, precision.activations));
  return {format_si(peak, "FLOP/s"), format_number(g.matmul_efficiency),
          format_number(std::min(kAttentionEfficiency, g.matmul_efficiency)),
          format_si(g.memory_bandwidth_bytes_per_s, "B/s"), format_number(g.bandwidth_efficiency)};
}

void finish_phase(const Context& c, Phase& p, bool with_formula) {
  const Gpu& g = c.s.gpu;
  const Dtype dt = compute_dtype(c.s.precision.weights, c.s.precision.activations);
  const double flops_rate = g.matmul_peak(dt) * g.matmul_efficiency;
  // Fused attention kernels reach a lower fraction of peak than large GEMMs: FlashAttention-2
  // (Dao 2023, arXiv:2307.08691) reports 50-73% of A100 peak forward and less backward.
  const double attention_rate = g.matmul_peak(dt) * std::min(kAttentionEfficiency, g.matmul_efficiency);
  const double byte_rate = g.memory_bandwidth_bytes_per_s * g.bandwidth_efficiency;
  p.compute_s = flops_rate > 0 ? (p.flops - p.attention_flops) / flops_rate +
                                     p.attention_flops / attention_rate
                               : 0;
  p.memory_s = byte_rate > 0 ? p.bytes / byte_rate : 0;
  p.elementwise_s = byte_rate > 0 ? p.elementwise_bytes / byte_rate : 0;
  p.arithmetic_intensity = p.bytes + p.elementwise_bytes > 0 ? p.flops / (p.bytes + p.elementwise_bytes) : 0;
  p.bound = p.compute_s >= p.memory_s + p.elementwise_s ? Bound::compute : Bound::memory;
  p.time_s = std::max(p.compute_s, p.memory_s) + p.elementwise_s + p.comm_s + p.overhead_s;
  if (!with_formula || !text_enabled()) return;
  // One stack buffer, one allocation: this runs for every phase of every full estimate.
  const RooflineText& t = c.roofline_text;
  TextBuffer f;
  f.lit("max(").si(p.flops - p.attention_flops, "FLOP").lit(" / (").lit(t.peak).lit(" x ");
  f.lit(t.matmul_efficiency).lit(")");
  if (p.attention_flops > 0) {
    f.lit(" + ").si(p.attention_flops, "FLOP").lit(" attention / (").lit(t.peak);
    f.lit(" x ").lit(t.attention_efficiency).lit(")");
  }
  f.lit(", ").bytes(p.bytes, true).lit(" / (").lit(t.bandwidth);
  f.lit(" x ").lit(t.bandwidth_efficiency).lit("))");
  if (p.elementwise_s > 0) f.lit(" + ").bytes(p.elementwise_bytes, true).lit(" elementwise / same bandwidth");
  if (p.comm_s > 0) f.lit(" + ").seconds(p.comm_s).lit(" tp all-reduce");
  if (p.overhead_s > 0) f.lit(" + ").seconds(p.overhead_s).lit(" fixed overhead");
  p.formula = f.str();
}

}  // namespace llmcalc
