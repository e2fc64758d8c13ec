#pragma once
// FLOPs, roofline phase times, inference latency and training throughput.

#include "context.hpp"
#include "formula.hpp"
#include "llmcalc/report.hpp"

namespace llmcalc {

// Forward FLOPs of one token's matmuls (2 x active matmul params, whole model).
double matmul_flops_per_token(const Context& c);
// Forward attention FLOPs (QK^T and AV) of one token attending to `context` tokens,
// whole model, with windowed layers capped.
double attention_flops_per_token(const Context& c, double context);
// Sum of attention FLOPs over positions first+1 .. first+n (causal prefill/training).
double attention_flops_causal(const Context& c, double first, double n);

// Inference latency and throughput, or training step time, MFU and run time.
void add_performance(const Context& c, Report& r);
void add_notes(const Context& c, Report& r);
void add_inference_latency(const Context& c, Report& r);  // latency.cpp
void add_training_perf(const Context& c, Report& r);      // training_perf.cpp

// Bytes the non-matmul kernels (norms, activation functions, residual adds, RoPE) read and
// write per token in one forward pass, whole model.
double elementwise_bytes_per_token(const Context& c);

// Time of a phase on one GPU: the larger of compute and memory time, plus communication
// and the fixed per-step overhead; fills the bound and intensity.
// with_formula = false skips the text (for the many steps summed over a generation).
void finish_phase(const Context& c, Phase& p, bool with_formula = true);
RooflineText make_roofline_text(const Gpu& g, const Precision& precision);

// Fraction of peak FLOP/s fused attention reaches (FlashAttention-2 paper range, see flops.cpp).
inline constexpr double kAttentionEfficiency = 0.55;

}  // namespace llmcalc
