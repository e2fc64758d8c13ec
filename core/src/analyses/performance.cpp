#include "performance.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {

void add_performance(const Context& c, Report& r) {
  const Workload& w = c.s.workload;
  const double mean_ctx = c.s.mode == Mode::inference
                              ? double(w.prompt) + double(w.generate) / 2.0
                              : (double(w.seq) + 1.0) / 2.0;
  r.flops.items.push_back(c.flop_item(
      "matmul_per_token", "Matmul FLOPs per token (forward)",
      matmul_flops_expr(c, true)));
  const Ex attn_e = attention_flops_expr(c, mean_ctx, true);
  r.flops.items.push_back(c.flop_item("attention_per_token",
                                      "Attention FLOPs per token (forward, mean context)", attn_e));
  r.flops.per_token_forward = r.flops.items[0].flops + attn_e.v;

  const Gpu& g = c.s.gpu;
  const Dtype dt = compute_dtype(c.s.precision.weights, c.s.precision.activations);
  if (g.memory_bandwidth_bytes_per_s <= 0) {
    r.notes.push_back("No latency: the GPU has no memory bandwidth; set "
                      "hardware.memory_bandwidth_bytes_per_s.");
    return;
  }
  if (g.matmul_peak(dt) <= 0) {
    // Name the one missing figure: the dtype the matmuls run in (weights x activations).
    r.notes.push_back("No latency: the GPU has no peak FLOP/s for " + std::string(dtype_name(dt)) +
                      ", the dtype these matmuls run in (" + std::string(dtype_name(c.s.precision.weights)) +
                      " weights, " + std::string(dtype_name(c.s.precision.activations)) +
                      " activations); set hardware.peak_flops." + std::string(dtype_name(dt)) + ".");
    return;
  }
  r.has_performance = true;
  if (c.s.mode == Mode::inference) add_inference_latency(c, r);
  else add_training_perf(c, r);
}

void add_notes(const Context& c, Report& r) {
  const Scenario& s = c.s;
  auto note = [&](std::string t) { r.notes.push_back(std::move(t)); };
  if (s.method == Method::seed)
    note("Rules of thumb: the project's original rules, exactly (no runtime overhead, logits or "
         "quantization detail).");
  if (c.a.mla && s.mode == Mode::inference)
    note("MLA: the KV cache holds the compressed latent (vLLM/SGLang MLA kernels); Hugging Face "
         "eager attention caches decompressed K and V, far larger.");
  if (c.a.windowed_layers() > 0 && s.mode == Mode::inference)
    note("Sliding window: windowed layers keep at most " + format_number(double(c.a.sliding_window)) +
         " tokens, as in caches that evict (vLLM, HF SlidingWindowCache); a plain dynamic cache "
         "keeps every token.");
  if (s.mode == Mode::training && s.training.zero_stage > 0 && s.parallelism.dp == 1)
    note("ZeRO partitions over data-parallel ranks; with dp = 1 it shards nothing.");
  if (s.mode == Mode::training && s.options.activation_method == ActivationMethod::korthikanti &&
      c.a.mlp == MlpKind::gated)
    note("Korthikanti et al.'s 34 + 5as/h assumes a GPT MLP (4h, GELU) with dropout; for gated "
         "MLPs the detailed method counts the real tensors.");
  if (s.mode == Mode::training && s.parallelism.pp > 1)
    note("Pipeline: weights of the most loaded stage; activations of the first stage, which "
         "holds min(pp, grad_accum) micro-batches under 1F1B.");
  if (c.s.precision.kv_cache == Dtype::int8 || c.s.precision.kv_cache == Dtype::int4)
    note("Integer KV caches also store per-token scales (a few percent), not counted.");
}

}  // namespace llmcalc
