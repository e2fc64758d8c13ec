#include <algorithm>
#include <cmath>
#include <optional>

#include "memory.hpp"
#include "prefill_step.hpp"
#include "performance.hpp"

namespace llmcalc {
namespace {

// Latency of one NCCL all-reduce of a small message inside a node (launch + sync); a
// documented assumption, order of magnitude from NCCL's nccl-tests small-message latency.
constexpr double kAllReduceLatencyS = 10e-6;

double weight_bytes(const Report& r) {
  double b = 0;
  for (const auto& i : r.memory.items)
    if (memory_kind_info(i.kind).group == MemoryGroup::weights && i.kind != MemoryKind::lora_adapters)
      b += i.bytes;
  return b;
}

// Time of the tensor-parallel all-reduces of one forward pass over `tokens` tokens: two per
// layer (after attention and after the MLP), ring algorithm over the intra-node link.
double tp_allreduce_s(const Context& c, double tokens) {
  if (c.s.parallelism.tp <= 1) return 0;
  const double link = c.s.gpu.interconnect_bandwidth_bytes_per_s;
  const double bytes = tokens * double(c.a.hidden_size) * dtype_bytes(c.s.precision.activations);
  const double t = c.tp;
  const EngineProfile* e = c.s.engine.active ? c.s.engine.profile : nullptr;
  const double latency = e != nullptr && e->allreduce_latency_s >= 0 ? e->allreduce_latency_s : kAllReduceLatencyS;
  const double per = latency + (link > 0 ? 2.0 * (t - 1) / t * bytes / link : 0);
  return 2.0 * double(c.a.num_layers) * per;
}

// Elements of Gemma 3n's per-layer embedding table (embed_tokens_per_layer) a step over
// `tokens` tokens leaves unread on this context's device: it is a lookup (get_rows), one row per
// token, on every path (offloaded or not). `share` gives the device's fraction of the table.
template <class Share>
double per_layer_table_unread(const Context& c, double tokens, Share share) {
  for (const auto& t : c.tensors)
    if (t.is_per_layer_table()) {
      const double held = double(t.params()) * share(t);
      return std::max(0.0, held - std::min(held, tokens * double(t.cols)));
    }
  return 0;
}

// With offload: the share of a device's weight bytes a step over `tokens` tokens reads (by
// elements). The token table is read one row per token (get_rows), so not at all here, unless
// it is the tied output matrix the CPU multiplies by; the per-layer table one row per token;
// routed experts by `expert_fraction`.
double read_share(const Context& c, double expert_fraction, double tokens) {
  const double all = c.per_gpu_elements([](const TensorGroup&) { return true; });
  if (all <= 0) return 0;
  const bool tied_output_here =
      c.a.tie_word_embeddings && (c.device == Device::gpu ? c.output_here : !c.output_on_gpu);
  const double rows_only = c.per_gpu_elements([&](const TensorGroup& t) {
    return t.kind == TensorKind::position ||
           (t.kind == TensorKind::embedding && !t.is_per_layer_table() && !tied_output_here);
  });
  const double per_layer_unread =
      per_layer_table_unread(c, tokens, [&](const TensorGroup& t) { return c.device_share(t); });
  const double experts = c.per_gpu_elements([](const TensorGroup& t) { return t.kind == TensorKind::expert; });
  return (all - rows_only - per_layer_unread - experts + experts * expert_fraction) / all;
}

double offloaded_read_bytes(const Context& c, double weights, double expert_fraction, double tokens) {
  return weights * read_share(c, expert_fraction, tokens);
}

// With offload: the matmul FLOPs of `tokens` tokens through the weights a device holds (2 per
// weight element multiplied; the token table's rows are looked up, routed experts by
// `expert_fraction`). Attention over the cache is not counted (small next to the matmuls at
// the short prompts and decode batches the CPU runs).
double offloaded_matmul_flops(const Context& c, double tokens, double expert_fraction) {
  const double all = c.per_gpu_elements([](const TensorGroup&) { return true; });
  return 2.0 * tokens * all * read_share(c, expert_fraction, tokens);
}

// Each token multiplies by top_k of the routed experts (however many the batch touches).
double active_expert_fraction(const Context& c) {
  return c.a.moe ? double(c.a.moe->top_k) / double(c.a.moe->num_experts) : 1.0;
}

// Without offload: the per-layer table's share of the weight bytes a decode step leaves unread
// (one row per sequence read).
double per_layer_lookup_share(const Context& c, double batch) {
  return per_layer_table_unread(c, batch, [](const TensorGroup&) { return 1.0; }) /
         double(c.counts.total);
}

// Weight bytes a decode step streams: MoE layers read only the experts the batch routes to
// (expected distinct experts of B x top_k uniform picks).
double decode_weight_bytes(const Context& c, double weights, double batch) {
  const double lookup_share = c.offloaded ? 0.0 : per_layer_lookup_share(c, batch);
  if (!c.a.moe) return c.offloaded ? offloaded_read_bytes(c, weights, 1.0, batch) : weights * (1.0 - lookup_share);
  const MoeConfig& m = *c.a.moe;
  const double E = double(m.num_experts);
  const double touched = E * (1.0 - std::pow(1.0 - double(m.top_k) / E, batch));
  double expert_elems = 0;
  for (const auto& t : c.tensors)
    if (t.kind == TensorKind::expert) expert_elems += double(t.params());
  if (c.offloaded) return offloaded_read_bytes(c, weights, touched / E, batch);
  const double total = double(c.counts.total);
  const double expert_share = expert_elems / total;  // fraction of weight bytes in experts
  return weights * (1.0 - lookup_share - expert_share + expert_share * touched / E);
}

// With offload: what the system RAM holds (weights as the report's RAM device counts them),
// read by the CPU for the layers and experts left there.
struct HostPart {
  const Context* c = nullptr;  // Device::host view; null without offload
  double weights = 0;          // bytes of weights in RAM
};

// Several GPUs (hardware.extra_gpus): each other GPU's view and the weight bytes its device
// entry counts. A GPU's share of the matmul FLOPs is its share of the weight elements; of the
// attention and elementwise work, its share of the layers.
struct OtherGpus {
  std::vector<Context> gpus;
  std::vector<double> weights;
};

double matmul_share(const Context& c) {
  if (!c.multi_gpu()) return 1.0;
  return c.per_gpu_elements([](const TensorGroup&) { return true; }) / double(c.counts.total);
}
double layer_share(const Context& c) {
  return c.multi_gpu() ? double(c.layers_per_stage) / double(c.a.num_layers) : 1.0;
}

double device_weight_bytes(const DeviceMemory& d) {
  double b = 0;
  for (const auto& i : d.items)
    if (memory_kind_info(i.kind).group == MemoryGroup::weights && i.kind != MemoryKind::lora_adapters)
      b += i.bytes;
  return b;
}

// llama.cpp's physical batch (-ub, n_ubatch): the engine's option, else its default 512
// (core/data/engines/llama.cpp.json: common/common.h n_ubatch = 512).
double ubatch_tokens(const Context& c) { return c.s.engine.get(EngineOption::n_ubatch, 512); }

// ggml/src/ggml-cuda/ggml-cuda.cu @ f6d77a1ba0ac794e950bd3abb630b904bdcd8fb8,
// ggml_backend_cuda_device_offload_op: an op on weights in host memory runs on the GPU (its
// weights copied over PCIe) when its batch is at least 32 tokens (GGML_OP_OFFLOAD_MIN_BATCH).
constexpr double kOpOffloadMinBatch = 32;

// Hand-overs between devices in one forward step, with the CPU running the RAM's ops (cpu_runs:
// decode and prompt batches under 32 tokens) or not (bigger prompt batches run them on the GPU).
// ggml/src/ggml-backend.cpp @ 0054c01370c2105fa7ba68c16c5e8ff5f55e430d: the scheduler starts a
// split wherever a node's backend changes (ggml_backend_sched_split_graph) and, before each
// split, waits for the previous backend and copies the split's inputs into its own
// (ggml_backend_sched_compute_splits; the CPU has no async copy, so a GPU -> CPU hand-over
// synchronizes the GPU and reads the tensor). A layer whose routed experts stay in RAM while
// its attention is on a GPU hands the hidden state to the CPU for the expert matmuls and takes
// their output back: 2. Each GPU boundary of the layer split: 1. -ngl's one CPU -> GPU crossing
// takes the place of the token embedding's (token_embd is always in RAM), which every run
// has, so it is not counted.
int64_t handovers(const Context& c, bool cpu_runs) {
  if (!c.offloaded) return 0;
  int64_t n = 0;
  if (cpu_runs && c.cpu_moe_end > 0) {
    for (const auto& t : c.tensors)
      if (t.kind == TensorKind::expert && t.layers > 0) {  // MoE layers are the last t.layers
        const int64_t first = std::max(c.a.num_layers - t.layers, c.gpu_layer_start);
        n = 2 * std::max<int64_t>(std::min(c.cpu_moe_end, c.a.num_layers) - first, 0);
        break;
      }
  }
  if (c.multi_gpu()) {
    const std::vector<int> dev = layer_devices(c.s);
    int prev = -1;
    for (int d : dev) {
      if (d < 0) continue;
      if (prev >= 0 && d != prev) ++n;
      prev = d;
    }
  }
  return n;
}

// The hidden state each hand-over copies: one f32 row of hidden_size per token (ggml keeps
// activations in f32; the router's top_k ids and weights that go with it are not counted).
void add_handovers(const Context& c, Phase& p, bool cpu_runs, double tokens, double steps) {
  p.handovers = handovers(c, cpu_runs) * int64_t(steps);
  p.handover_bytes = double(p.handovers) * tokens / steps * double(c.a.hidden_size) * 4.0;
}

// Speculative decoding with the model's own MTP layers as the draft (options.load_mtp: vLLM
// loads them only for --speculative-config method mtp). Each step the draft proposes k tokens,
// one MTP pass each, and the target verifies them in one pass over k + 1 tokens per sequence.
// With each draft token accepted with probability a, independently, a step yields
// (1 - a^(k+1)) / (1 - a) tokens on average (Leviathan et al., "Fast Inference from
// Transformers via Speculative Decoding", arXiv:2211.17192, eq. 1); k + 1 when a = 1.
// k defaults to the MTP layers (vLLM: num_speculative_tokens "will default to the number in
// the draft model config", vllm/config/speculative.py @ 002e77c1f0ef9b19cff8b9e21cfbd6feb3d6b443).
struct Speculation {
  int64_t draft = 0;          // k draft tokens per step; 0: no speculative decoding
  double tokens_per_step = 1; // per sequence, on average
};

Speculation speculation(const Context& c) {
  Speculation sp;
  if (c.counts.mtp <= 0 || c.s.mode != Mode::inference) return sp;
  sp.draft = c.s.options.speculative_tokens > 0 ? c.s.options.speculative_tokens : c.a.mtp_layers;
  const double a = c.s.options.acceptance_rate;
  sp.tokens_per_step = a >= 1.0 ? double(sp.draft + 1) : (1.0 - std::pow(a, double(sp.draft + 1))) / (1.0 - a);
  return sp;
}

Ex tokens_per_step_expr(const Context& c, const Speculation& sp, bool text) {
  if (!text) return Ex(sp.tokens_per_step);
  const double a = c.s.options.acceptance_rate;
  if (a >= 1.0) return c.num(double(sp.draft + 1), "draft tokens + 1 (all accepted)");
  return (Ex(1.0) - c.num(std::pow(a, double(sp.draft + 1)),
                          "acceptance_rate^" + std::to_string(sp.draft + 1) + " (draft tokens + 1)")) /
         (Ex(1.0) - c.num(a, "acceptance_rate"));
}

// One draft token's matmul FLOPs: 2 x one MTP layer's active weights (its embedding copy is
// a lookup), its own output head included; without one (GLM-4.6) it uses the model's.
double draft_matmul_flops_per_token(const Context& c) {
  double params = 0;
  bool own_head = false;
  for (const auto& t : c.tensors) {
    if (!t.mtp || t.kind == TensorKind::embedding) continue;
    params += double(t.active_params());
    own_head = own_head || t.kind == TensorKind::lm_head;
  }
  params /= double(std::max<int64_t>(c.a.mtp_layers, 1));
  if (!own_head) params += double(c.a.vocab_size) * double(c.a.hidden_size);
  return 2.0 * params;
}

// One decode step's FLOPs and bytes on the GPU of `c` (its share of them with several GPUs).
// With speculative decoding the step verifies k + 1 tokens per sequence (weights and cache
// read once) after k draft passes; `weights` already holds the MTP layers once, and a draft
// longer than the MTP layers re-runs them (vLLM: layer spec_step_idx % num_mtp_layers),
// reading their share of the weights again.
void decode_work(const Context& c, Phase& p, double weights, double context, const Speculation& sp) {
  const Workload& w = c.s.workload;
  const double B = double(w.batch);
  const double T = B * double(sp.draft + 1);  // tokens through the target per step
  p.attention_flops = T * attention_flops_per_token(c, context) / c.tp * layer_share(c);
  p.flops = T * matmul_flops_per_token(c) / c.tp * matmul_share(c) + p.attention_flops;
  p.elementwise_bytes = T * elementwise_bytes_per_token(c) / c.tp * layer_share(c);
  // A decode step reads every cached token and the whole recurrent / SSM state.
  double kv = kv_cache_bytes_per_gpu(c, w.batch, static_cast<int64_t>(context));
  // TensorRT-LLM before XQA (v0.8): one thread block per query head reads its KV head, so a
  // GQA group of g query heads reads it g times; a fitted fraction of the g - 1 extra reads
  // misses L2 (tensorrt-llm.json speed.gqa_kv_reread_without_xqa).
  const EngineSettings& e = c.s.engine;
  if (e.is(EngineOption::xqa) && !e.flag(EngineOption::xqa) && e.profile != nullptr &&
      c.a.num_kv_heads > 0 && c.a.num_heads > c.a.num_kv_heads) {
    const double group = double(c.a.num_heads) / double(c.a.num_kv_heads);
    kv *= 1.0 + e.profile->gqa_kv_reread_without_xqa * (group - 1.0);
  }
  kv += recurrent_state_bytes_per_gpu(c, w.batch);
  p.bytes = weights + kv * c.pp;
  if (sp.draft > 0) {
    const double k = double(sp.draft);
    // Draft attention: one MTP layer over the context, counted as the model's mean layer.
    p.attention_flops += B * k * attention_flops_per_token(c, context) / double(c.a.num_layers) / c.tp;
    p.flops += B * k * draft_matmul_flops_per_token(c) / c.tp +
               B * k * attention_flops_per_token(c, context) / double(c.a.num_layers) / c.tp;
    const double n = double(c.a.mtp_layers);
    if (k > n) p.bytes += weights * double(c.counts.mtp) / double(c.counts.total) * (k - n) / n;
  }
}

// The other GPUs' layers of one step, one roofline each, summed: llama.cpp's layer split
// passes each token through the GPUs in turn (pipeline without overlap at batch 1).
template <class Work>
double other_gpus_time(const OtherGpus* others, Work work) {
  if (others == nullptr) return 0;
  double t = 0;
  for (size_t i = 0; i < others->gpus.size(); ++i) {
    Phase q;
    work(others->gpus[i], others->weights[i], q);
    t += roofline_time(others->gpus[i], q, false).v;
  }
  return t;
}

Phase decode_phase(const Context& c, double weights, PhaseKind kind, double context,
                   bool text = true, const HostPart& host = {}, const OtherGpus* others = nullptr) {
  const Workload& w = c.s.workload;
  const double B = double(w.batch);
  const Speculation sp = speculation(c);
  Phase p;
  if (text) {
    p.kind = kind;
    p.id = phase_kind_info(kind).id;
    p.label = phase_kind_info(kind).label;
    if (sp.draft > 0) p.label += ", per output token (speculative: a verify step / tokens per step)";
  }
  decode_work(c, p, weights, context, sp);
  p.other_gpus_s = other_gpus_time(others, [&](const Context& g, double gw, Phase& q) {
    decode_work(g, q, decode_weight_bytes(g, gw, B), context, speculation(g));
  });
  if (host.c != nullptr) {  // decode batches (< 32 tokens) run the RAM's layers on the CPU
    p.host_bytes = decode_weight_bytes(*host.c, host.weights, B) +
                   kv_cache_bytes_per_gpu(*host.c, w.batch, static_cast<int64_t>(context));
    p.host_flops = offloaded_matmul_flops(*host.c, B, active_expert_fraction(*host.c));
  }
  add_handovers(c, p, true, B, 1);
  p.comm_s = tp_allreduce_s(c, B * double(sp.draft + 1));
  p.overhead_s = c.s.overhead.step_overhead_s;
  if (sp.draft > 0) {
    const Ex per_step = tokens_per_step_expr(c, sp, text && c.text());
    finish_phase(c, p, text, &per_step);
  } else {
    finish_phase(c, p, text);
  }
  return p;
}

}  // namespace

void add_inference_latency(const Context& c, Report& r) {
  const Workload& w = c.s.workload;
  LatencyReport& L = r.latency;
  const double B = double(w.batch);
  const double P = double(w.prompt);
  std::optional<Context> host_view;
  HostPart host;
  if (c.offloaded && r.devices.size() > 1) {  // the RAM is the last device
    host_view.emplace(c.s, nullptr, Device::host);
    host.c = &*host_view;
    host.weights = device_weight_bytes(r.devices.back());
  }
  OtherGpus split;
  if (c.multi_gpu()) {
    split.gpus.reserve(c.s.extra_gpus.size());
    for (size_t i = 0; i < c.s.extra_gpus.size(); ++i) {
      split.gpus.emplace_back(c.s, nullptr, Device::gpu, int(i) + 1);
      split.weights.push_back(device_weight_bytes(r.devices[i + 1]));
    }
  }
  const OtherGpus* others = c.multi_gpu() ? &split : nullptr;
  // Prefill: every prompt token through the model; logits only where needed. With
  // pipeline stages a single batch passes them one after another, so per-GPU work is
  // the whole model over tp.
  Phase pre;
  pre.kind = PhaseKind::prefill;
  pre.id = phase_kind_info(PhaseKind::prefill).id;
  pre.label = phase_kind_info(PhaseKind::prefill).label;
  const double head = 2.0 * double(c.a.vocab_size) * double(c.a.hidden_size);
  const double logit_positions = c.s.options.logits == LogitsScope::all ? P : 1.0;
  const PrefillStep step = prefill_step(c.s);
  const int64_t chunk = step.chunk;
  const double steps = step.steps;
  // The prompt's work on one GPU (its share with several GPUs); each chunk re-reads the weights.
  const auto prefill_work = [&](const Context& g, double weights, Phase& p) {
    p.attention_flops = B * attention_flops_causal(g, 0, P) / g.tp * layer_share(g);
    p.flops = B * (P * (matmul_flops_per_token(g) - head) + logit_positions * head) / g.tp * matmul_share(g) +
              p.attention_flops;
    p.elementwise_bytes = B * P * elementwise_bytes_per_token(g) / g.tp * layer_share(g);
    const double kv_written = (kv_cache_bytes_per_gpu(g, w.batch, w.prompt) +
                               recurrent_state_bytes_per_gpu(g, w.batch)) * g.pp;
    p.bytes = weights * g.pp + kv_written;
    p.bytes += weights * g.pp * (steps - 1);
  };
  prefill_work(c, weight_bytes(r), pre);
  pre.other_gpus_s = other_gpus_time(others, prefill_work);
  pre.comm_s = tp_allreduce_s(c, B * P);
  if (c.offloaded) {  // per physical batch; the CPU runs the RAM's ops only under 32 tokens
    const double ubatch = std::min(ubatch_tokens(c), double(chunk) * B);
    const bool cpu_runs = host.c != nullptr && !(ubatch >= kOpOffloadMinBatch && c.s.host.pcie_bandwidth_bytes_per_s > 0);
    add_handovers(c, pre, cpu_runs, B * P, std::ceil(B * P / ubatch));
  }
  if (host.c != nullptr) {
    const double ubatch = std::min(ubatch_tokens(c), double(chunk) * B);
    if (ubatch >= kOpOffloadMinBatch && c.s.host.pcie_bandwidth_bytes_per_s > 0) {
      // Each physical batch copies the RAM's matmul weights to the GPU (the token table stays
      // behind: read one row per token). A unified pool (no PCIe) copies nothing.
      pre.transfer_bytes = offloaded_read_bytes(*host.c, host.weights, 1.0, ubatch) * std::ceil(B * P / ubatch);
    } else {  // short prompts: the CPU runs its layers, reading their weights once per step
      pre.host_bytes = offloaded_read_bytes(*host.c, host.weights, 1.0, ubatch) * std::ceil(B * P / ubatch) +
                       kv_cache_bytes_per_gpu(*host.c, w.batch, w.prompt);
      pre.host_flops = offloaded_matmul_flops(*host.c, B * P, active_expert_fraction(*host.c));
    }
  }
  pre.overhead_s = c.s.overhead.step_overhead_s * steps;
  finish_phase(c, pre, true);
  L.ttft_s = pre.time_s;
  L.phases.push_back(std::move(pre));

  const int64_t decode_steps = std::max<int64_t>(w.generate - 1, 0);
  if (decode_steps > 0) {
    const double first_ctx = P + 1;
    const double last_ctx = P + double(decode_steps);
    // Weight bytes one decode step streams (MoE: only the experts the batch routes to; a
    // speculative step routes each sequence's k + 1 verified tokens).
    const double weights = decode_weight_bytes(c, weight_bytes(r), B * double(speculation(c).draft + 1)) * c.pp;
    Phase first = decode_phase(c, weights, PhaseKind::decode_first, first_ctx, true, host, others);
    Phase last = decode_phase(c, weights, PhaseKind::decode_last, last_ctx, true, host, others);
    L.decode_first_s = first.time_s;
    L.decode_last_s = last.time_s;
    // Sum over steps. Without windowed layers or paging, and with the same bound at both ends,
    // step time is linear in the context and the sum is exact from the two ends; otherwise
    // exact below 64 steps, else trapezoid over 64 segments (piecewise linear in the context).
    const bool linear = c.a.windowed_layers() == 0 && c.s.options.kv_page_tokens == 0 &&
                        (first.compute_s >= first.memory_s) == (last.compute_s >= last.memory_s);
    const int64_t segments = std::min<int64_t>(decode_steps, 64);
    double total = 0;
    if (linear) {
      total = double(decode_steps) * (first.time_s + last.time_s) / 2.0;
    } else if (segments == decode_steps) {
      for (int64_t i = 0; i < decode_steps; ++i)
        total += decode_phase(c, weights, PhaseKind::decode_first, first_ctx + double(i), false, host, others).time_s;
    } else {
      const double span = last_ctx - first_ctx;
      double prev = first.time_s;
      for (int64_t k = 1; k <= segments; ++k) {
        const double ctx = first_ctx + span * double(k) / double(segments);
        const double cur =
            k == segments ? last.time_s : decode_phase(c, weights, PhaseKind::decode_first, ctx, false, host, others).time_s;
        total += (prev + cur) / 2.0 * double(decode_steps) / double(segments);
        prev = cur;
      }
    }
    L.decode_total_s = total;
    L.phases.push_back(std::move(first));
    L.phases.push_back(std::move(last));
  }
  L.end_to_end_s = L.ttft_s + L.decode_total_s;
  const double gen = double(w.generate);
  L.tokens_per_s_per_sequence = gen > 0 && L.end_to_end_s > 0 ? gen / L.end_to_end_s : 0;
  if (decode_steps > 0) L.tokens_per_s_per_sequence = double(decode_steps) / L.decode_total_s;
  L.tokens_per_s_total = L.tokens_per_s_per_sequence * B * c.dp;
  if (c.s.options.price_per_gpu_hour > 0 && L.tokens_per_s_total > 0)
    L.cost_per_million_tokens =
        c.s.options.price_per_gpu_hour * double(c.s.gpu_count) / 3600.0 / L.tokens_per_s_total * 1e6;
}

}  // namespace llmcalc
