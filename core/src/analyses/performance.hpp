#pragma once
// FLOPs, roofline phase times, inference latency and training throughput.

#include "context.hpp"
#include "expr.hpp"
#include "llmcalc/report.hpp"

namespace llmcalc {

// Forward FLOPs of one token's matmuls (2 x active matmul params, whole model).
double matmul_flops_per_token(const Context& c);
Ex matmul_flops_expr(const Context& c, bool text);
// Forward attention FLOPs (QK^T and AV) of one token attending to `context` tokens,
// whole model, with windowed layers capped.
double attention_flops_per_token(const Context& c, double context);
Ex attention_flops_expr(const Context& c, double context, bool text);
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

// The roofline part of a phase on one GPU from its flops, attention_flops, bytes and
// elementwise_bytes: max(compute, memory) + elementwise. Fills compute_s, memory_s,
// elementwise_s, bound and intensity. text = false: a plain number (the many decode steps
// summed over a generation, numbers-only estimates).
Ex roofline_time(const Context& c, Phase& p, bool text);
// The whole phase: roofline + comm_s + overhead_s; fills time_s, and expression and formula
// when text is set and the context keeps text. tokens_per_step (speculative decoding): the
// step's time is divided by the tokens it yields, so time_s is per output token.
void finish_phase(const Context& c, Phase& p, bool text, const Ex* tokens_per_step = nullptr);

// Fraction of peak FLOP/s fused attention reaches (FlashAttention-2 paper range, see flops.cpp).
inline constexpr double kAttentionEfficiency = 0.55;

}  // namespace llmcalc
