#include <algorithm>

#include "memory.hpp"
#include "performance.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {

void add_training_perf(const Context& c, Report& r) {
  const Workload& w = c.s.workload;
  TrainingPerfReport& T = r.training;
  const double b = double(w.batch), s = double(w.seq), m = double(w.grad_accum);
  const double tokens_replica = b * s * m;
  // Forward FLOPs per sequence: matmuls for every token plus causal attention.
  const double fwd = b * (s * matmul_flops_per_token(c) + attention_flops_causal(c, 0, s));
  const bool full = c.s.training.finetune == Finetune::full;
  // Backward is 2x forward (activation and weight gradients); a frozen base skips the
  // weight gradients, so LoRA's backward is about 1x forward.
  const double base_mult = full ? 3.0 : 2.0;
  double recompute = 0;
  if (c.s.training.checkpointing == Checkpointing::full) recompute = fwd;
  else if (c.s.training.checkpointing == Checkpointing::selective)
    recompute = b * attention_flops_causal(c, 0, s);  // attention core recomputed
  const double model_flops = base_mult * fwd * m;     // useful work per replica
  const double hw_flops = (base_mult * fwd + recompute) * m;
  T.recompute_overhead = recompute / (base_mult * fwd);

  Phase p;
  p.kind = PhaseKind::train_step;
  p.id = phase_kind_info(PhaseKind::train_step).id;
  if (c.text()) p.label = "Training step (" + format_number(m) + (m == 1 ? " micro-batch)" : " micro-batches)");
  // Passes over the model per micro-batch: forward, backward (counted as 2), recompute.
  const double reads = c.s.training.checkpointing == Checkpointing::full ? 4.0 : 3.0;
  p.flops = hw_flops / (c.tp * c.pp);
  // Attention forward + backward (2x) + recompute, done by the fused attention kernel.
  const double attn_fwd = b * attention_flops_causal(c, 0, s);
  const double attn_recompute = c.s.training.checkpointing == Checkpointing::none ? 0.0 : attn_fwd;
  p.attention_flops = m * (3.0 * attn_fwd + attn_recompute) / (c.tp * c.pp);
  // Elementwise kernels: forward, about twice that backward, once more when recomputing.
  p.elementwise_bytes = m * b * s * elementwise_bytes_per_token(c) * (reads) / (c.tp * c.pp);
  double weights = 0, states = 0, acts = 0;
  for (const auto& i : r.memory.items) {
    switch (memory_kind_info(i.kind).group) {
      case MemoryGroup::weights:
        if (i.kind == MemoryKind::lora_adapters) states += i.bytes;  // trained: read and written
        else weights += i.bytes;
        break;
      case MemoryGroup::activations: acts += i.bytes; break;
      case MemoryGroup::state: states += i.bytes; break;
      case MemoryGroup::overhead: break;
    }
  }
  // Per micro-batch: weights read in forward, backward (and recompute); saved activations
  // written and read back. Per step: the optimizer reads and writes its states once.
  p.bytes = m * (reads * weights + 2.0 * acts) + 2.0 * states;
  // Tensor parallel: 2 all-reduces per layer forward, 2 backward, per micro-batch.
  if (c.s.parallelism.tp > 1 && c.s.gpu.interconnect_bandwidth_bytes_per_s > 0) {
    const double bytes = b * s * double(c.a.hidden_size) * dtype_bytes(c.s.precision.activations);
    const double t = c.tp;
    const double per = 10e-6 + 2.0 * (t - 1) / t * bytes / c.s.gpu.interconnect_bandwidth_bytes_per_s;
    p.comm_s = m * 4.0 * double(c.layers_per_stage) * per;
  }
  p.overhead_s = m * 3.0 * c.s.overhead.step_overhead_s / c.pp;
  // Frameworks lose time the roofline does not see (kernel gaps, unfused backward kernels,
  // sharding collectives, optimizer step): a calibrated end-to-end efficiency divides the
  // roofline part; communication and launch overhead are added after it.
  Ex time = roofline_time(c, p, true) /
            c.num(c.s.options.training_efficiency, "training efficiency");
  if (p.comm_s > 0) time = time + c.num(p.comm_s, "tp all-reduce", "s");
  if (p.overhead_s > 0) time = time + c.num(p.overhead_s, "fixed overhead", "s");
  // Paged optimizer (bitsandbytes Paged*): the states live in CUDA unified memory. The update
  // prefetches each parameter's states, steps it and synchronizes (bitsandbytes/optim/
  // optimizer.py @51294d90, Optimizer8bit.step), so migration is not overlapped with compute.
  // When the states do not fit in what the allocator's peak leaves free, the per-step sweep
  // over them in the same order misses every page (LRU on a cyclic pass): each step moves all
  // of them in and, evicting, all of them out, over the host link one direction at a time.
  const double paged = paged_optimizer_bytes(c);
  const double pcie = c.s.host.pcie_bandwidth_bytes_per_s;
  if (paged > 0 && pcie > 0 && paged > r.memory.headroom_bytes) {
    const Ex moved = c.num(2, "in and out") * c.bytes(paged, "paged optimizer states");
    p.transfer_bytes += moved.v;
    const Ex paging = moved / c.num(pcie, "host link (one direction)", "B/s");
    p.transfer_s += paging.v;
    time = time + paging;
  }
  // FSDP CPU offload (torchtune fsdp_cpu_offload): the states live in host RAM, so the step runs
  // on the CPU after backward, not overlapped (recipes/full_finetune_distributed.py @30b8519e:
  // loss.backward() then self._optimizer.step()), each rank over its shard, all on one RAM.
  const double host_step = cpu_optimizer_step_bytes(c);
  const double eff = c.s.engine.profile ? c.s.engine.profile->cpu_optimizer_ram_efficiency : 0.0;
  if (host_step > 0 && eff > 0 && c.s.host.bandwidth_bytes_per_s > 0) {
    const Ex step = c.bytes(host_step, "params, grads, states read; params, states written") /
                    (c.num(c.s.host.bandwidth_bytes_per_s, "host RAM", "B/s") *
                     c.num(eff, "CPU optimizer efficiency"));
    p.host_bytes += host_step;
    p.host_s += step.v;
    time = time + step;
    // Parameter shards go up at both all-gathers (forward, backward), gradient shards down
    // in the other direction; on copy streams, so only what outlasts the compute is exposed.
    if (pcie > 0) {
      const double up = 2.0 * c.per_gpu_elements([](const TensorGroup&) { return true; }) / c.dp *
                        dtype_bytes(c.s.precision.weights);
      const Ex exposed = emax(c.num(0), c.bytes(up, "parameter shard x 2 all-gathers") /
                                            c.num(pcie, "host link (one direction)", "B/s") -
                                            c.num(p.compute_s, "compute", "s"));
      p.transfer_bytes += up;
      if (exposed.v > 0) {
        p.transfer_s += exposed.v;
        time = time + exposed;
      }
    }
  }
  // Data parallel: the gradient all-reduce overlaps with backward (DDP buckets); only the
  // part longer than the backward pass is exposed.
  if (c.s.parallelism.dp > 1 && c.s.gpu.interconnect_bandwidth_bytes_per_s > 0) {
    double grads = 0;
    for (const auto& i : r.memory.items)
      if (i.kind == MemoryKind::gradients) grads += i.bytes * (c.s.training.zero_stage >= 2 ? c.dp : 1.0);
    const Ex all_reduce = c.num(2.0 * (c.dp - 1) / c.dp, "ring factor 2(dp-1)/dp") *
                          c.bytes(grads, "gradients") /
                          c.num(c.s.gpu.interconnect_bandwidth_bytes_per_s, "link", "B/s");
    const Ex backward = c.num(p.compute_s, "compute", "s") * c.num(2) / c.num(3);
    const Ex exposed = emax(c.num(0), all_reduce - backward);
    if (exposed.v > 0) {
      p.comm_s += exposed.v;
      time = time + exposed;
    }
  }
  // Pipeline bubble of 1F1B: (pp - 1) / (m + pp - 1) of the step is idle, so the step takes
  // (m + pp - 1) / m times its busy time.
  if (c.s.parallelism.pp > 1) {
    T.pipeline_bubble = (c.pp - 1) / (m + c.pp - 1);
    time = time * c.num(m + c.pp - 1, "micro-batches + pp - 1") / c.num(m, "micro-batches");
  }
  p.time_s = time.v;
  c.set_formula(p, time);
  T.step = p;
  T.tokens_per_step = tokens_replica * c.dp;
  T.tokens_per_s = p.time_s > 0 ? T.tokens_per_step / p.time_s : 0;
  const Dtype dt = compute_dtype(c.s.precision.weights, c.s.precision.activations);
  const double peak = c.s.gpu.matmul_peak(dt) * double(c.s.gpu_count);
  T.mfu = peak > 0 && p.time_s > 0 ? model_flops * c.dp / p.time_s / peak : 0;
  // The same price arithmetic as inference's (latency.cpp): GPU-hours per million tokens.
  if (c.s.options.price_per_gpu_hour > 0 && T.tokens_per_s > 0)
    T.cost_per_million_tokens =
        c.s.options.price_per_gpu_hour * double(c.s.gpu_count) / 3600.0 / T.tokens_per_s * 1e6;
  if (w.tokens_budget > 0 && T.tokens_per_s > 0) {
    T.run_time_s = w.tokens_budget / T.tokens_per_s;
    T.gpu_hours = T.run_time_s * double(c.s.gpu_count) / 3600.0;
    T.run_cost = T.gpu_hours * c.s.options.price_per_gpu_hour;
  }
}

}  // namespace llmcalc
