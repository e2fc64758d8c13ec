#include <algorithm>
#include <cmath>

#include "memory.hpp"
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

// Weight bytes a decode step streams: MoE layers read only the experts the batch routes to
// (expected distinct experts of B x top_k uniform picks).
double decode_weight_bytes(const Context& c, double weights, double batch) {
  if (!c.a.moe) return weights;
  const MoeConfig& m = *c.a.moe;
  const double E = double(m.num_experts);
  const double touched = E * (1.0 - std::pow(1.0 - double(m.top_k) / E, batch));
  double expert_elems = 0;
  for (const auto& t : c.tensors)
    if (t.kind == TensorKind::expert) expert_elems += double(t.params());
  const double total = double(c.counts.total);
  const double expert_share = expert_elems / total;  // fraction of weight bytes in experts
  return weights * (1.0 - expert_share + expert_share * touched / E);
}

Phase decode_phase(const Context& c, double weights, PhaseKind kind, double context,
                   bool text = true) {
  const Workload& w = c.s.workload;
  const double B = double(w.batch);
  Phase p;
  if (text) {
    p.kind = kind;
    p.id = phase_kind_info(kind).id;
    p.label = phase_kind_info(kind).label;
  }
  p.attention_flops = B * attention_flops_per_token(c, context) / c.tp;
  p.flops = B * matmul_flops_per_token(c) / c.tp + p.attention_flops;
  p.elementwise_bytes = B * elementwise_bytes_per_token(c) / c.tp;
  // A decode step reads every cached token and the whole recurrent / SSM state.
  const double kv = kv_cache_bytes_per_gpu(c, w.batch, static_cast<int64_t>(context)) +
                    recurrent_state_bytes_per_gpu(c, w.batch);
  p.bytes = weights + kv * c.pp;
  p.comm_s = tp_allreduce_s(c, B);
  p.overhead_s = c.s.overhead.step_overhead_s;
  finish_phase(c, p, text);
  return p;
}

}  // namespace

void add_inference_latency(const Context& c, Report& r) {
  const Workload& w = c.s.workload;
  LatencyReport& L = r.latency;
  const double B = double(w.batch);
  const double P = double(w.prompt);
  // Prefill: every prompt token through the model; logits only where needed. With
  // pipeline stages a single batch passes them one after another, so per-GPU work is
  // the whole model over tp.
  Phase pre;
  pre.kind = PhaseKind::prefill;
  pre.id = phase_kind_info(PhaseKind::prefill).id;
  pre.label = phase_kind_info(PhaseKind::prefill).label;
  const double head = 2.0 * double(c.a.vocab_size) * double(c.a.hidden_size);
  const double logit_positions = c.s.options.logits == LogitsScope::all ? P : 1.0;
  pre.attention_flops = B * attention_flops_causal(c, 0, P) / c.tp;
  pre.flops = B * (P * (matmul_flops_per_token(c) - head) + logit_positions * head) / c.tp +
              pre.attention_flops;
  pre.elementwise_bytes = B * P * elementwise_bytes_per_token(c) / c.tp;
  const double kv_written = (kv_cache_bytes_per_gpu(c, w.batch, w.prompt) +
                             recurrent_state_bytes_per_gpu(c, w.batch)) * c.pp;
  pre.bytes = weight_bytes(r) * c.pp + kv_written;
  const int64_t chunk = c.s.options.prefill_chunk > 0 ? std::min(c.s.options.prefill_chunk, w.prompt)
                                                      : w.prompt;
  const double steps = std::ceil(P / double(chunk));
  pre.bytes += weight_bytes(r) * c.pp * (steps - 1);  // each chunk re-reads the weights
  pre.comm_s = tp_allreduce_s(c, B * P);
  pre.overhead_s = c.s.overhead.step_overhead_s * steps;
  finish_phase(c, pre, true);
  L.ttft_s = pre.time_s;
  L.phases.push_back(std::move(pre));

  const int64_t decode_steps = std::max<int64_t>(w.generate - 1, 0);
  if (decode_steps > 0) {
    const double first_ctx = P + 1;
    const double last_ctx = P + double(decode_steps);
    // Weight bytes one decode step streams (MoE: only the experts the batch routes to).
    const double weights = decode_weight_bytes(c, weight_bytes(r), B) * c.pp;
    Phase first = decode_phase(c, weights, PhaseKind::decode_first, first_ctx);
    Phase last = decode_phase(c, weights, PhaseKind::decode_last, last_ctx);
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
        total += decode_phase(c, weights, PhaseKind::decode_first, first_ctx + double(i), false).time_s;
    } else {
      const double span = last_ctx - first_ctx;
      double prev = first.time_s;
      for (int64_t k = 1; k <= segments; ++k) {
        const double ctx = first_ctx + span * double(k) / double(segments);
        const double cur =
            k == segments ? last.time_s : decode_phase(c, weights, PhaseKind::decode_first, ctx, false).time_s;
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
