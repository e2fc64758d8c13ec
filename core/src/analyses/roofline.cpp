// The roofline: a phase's time on one GPU from its FLOPs and bytes, as an expression.
#include <algorithm>

#include "performance.hpp"

namespace llmcalc {

Ex roofline_time(const Context& c, Phase& p, bool text) {
  const auto n = [&](double v, std::string_view label = {}, std::string_view unit = {}) {
    return text ? c.num(v, label, unit) : Ex(v);
  };
  const Gpu& g = c.gpu();
  const Dtype dt = compute_dtype(c.s.precision.weights, c.s.precision.activations);
  const std::string peak_label = text && c.text() ? std::string(dtype_name(dt)) + " peak" : std::string();
  const Ex peak = n(g.matmul_peak(dt), peak_label, "FLOP/s");
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
  // An engine whose context-phase GEMMs do not overlap loads with math (tensorrt-llm.json
  // context_serial_roofline: short prompts sit near the ridge point) takes the sum there.
  const EngineProfile* e = c.s.engine.active ? c.s.engine.profile : nullptr;
  Ex time = e != nullptr && e->context_serial_roofline && p.kind == PhaseKind::prefill ? compute + memory
                                                                                        : emax(compute, memory);
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

// The RAM's part of a step is read at the host preset's cpu_read_efficiency of its peak
// (core/data/host_memory.json, by platform: DDR4 0.463, DDR5 desktop 0.643, servers 0.638, each
// fitted on one machine's rows; docs/local.md "RAM read efficiency"), or at the scenario's
// hardware.ram_read_efficiency.

// Latency of one hand-over between devices (latency.cpp handovers(): the scheduler waits for
// the previous backend and copies the hidden state), by the build's GPU backend. One machine
// ran the same llama.cpp build (9739), model files and flags under both Vulkan and SYCL: Arc Pro
// B70, Core i9-14900K, dual-channel DDR5-6000 (tests/data/reference/offload_handover.json).
// With the RAM read at the DDR5 machine's 0.643 (fitted on its dense -ngl 60 row, which has no
// hand-over) and the GPU at the efficiency each backend's all-GPU Llama 3.1 8B row implies
// (Vulkan 42.0 tok/s: 0.363; SYCL 88.49: 0.813; desktop launch overhead), each backend's
// gpt-oss 120B --n-cpu-moe 22 row (44 hand-overs) leaves a per-hand-over time:
//   Vulkan: (1/12.35 - 1/35.75) s / 44 = 1.20 ms; SYCL: (1/27.69 - 1/42.09) s / 44 = 0.281 ms.
// Checked on GLM-4.5-Air --n-cpu-moe 31 (60 hand-overs; not fitted on): Vulkan +13%, SYCL -7%
// (offload_handover_test.cpp). ggml-org/llama.cpp issue #26876 shows the cost without PCIe: on
// an Arc 140T iGPU sharing the RAM, --n-cpu-moe runs slower than the CPU alone.
// CUDA (and ROCm, the same sources): no published figure found (ggml-org/llama.cpp PR #18934,
// CUDA graphs per split for --n-cpu-moe, gives tok/s but not the host's RAM), so derived from the
// one CUDA expert row with the engine's own generation speed: AlexsJones/llmfit PR #755,
// Qwen3-30B-A3B Q4_K_M -ngl 99 --n-cpu-moe 36 on an RTX 2080 + i9-10900X (quad DDR4 at the DDR4
// read efficiency 0.463, fitted on the machine's dense rows), 36.7 tok/s by the server: 72
// hand-overs take (1/36.7 - 1/45.72) s / 72 = 75 us each (offload_test.cpp; 80 us before stop 20,
// when the DDR4 efficiency was 0.474). A check, not fitted on: gpt-oss-20B --n-cpu-moe 12 on the
// same machine (llmfit bench, a lower bound): 48.6 tok/s modelled against 36.4 (+33%), above it
// as a lower bound must be but by more than the dense rows.
constexpr double kCudaHandoverS = 75e-6;
constexpr double kVulkanHandoverS = 1.20e-3;
constexpr double kSyclHandoverS = 0.281e-3;
double handover_latency_s(GpuBackend b) {
  switch (b) {
    case GpuBackend::cuda: return kCudaHandoverS;
    case GpuBackend::vulkan: return kVulkanHandoverS;
    case GpuBackend::sycl: return kSyclHandoverS;
  }
  return 0.0;
}

void finish_phase(const Context& c, Phase& p, bool text, const Ex* tokens_per_step) {
  Ex time = roofline_time(c, p, text);
  const auto n = [&](double v, std::string_view label) {
    return text ? c.num(v, label, "s") : Ex(v);
  };
  if (p.comm_s > 0) time = time + n(p.comm_s, "tp all-reduce");
  if (p.overhead_s > 0) time = time + n(p.overhead_s, "fixed overhead");
  // Offload: the CPU's part runs after the GPU's in each step (llama.cpp runs the layers in
  // order), at the RAM's bandwidth x its measured read efficiency; the PCIe copies of prompt batches
  // after that too (no overlap modelled).
  if (p.other_gpus_s > 0) time = time + n(p.other_gpus_s, "the other GPUs' layers");
  if (p.host_bytes > 0) {
    Ex host = (text ? c.num(p.host_bytes, "read in system RAM", "B") : Ex(p.host_bytes)) /
              ((text ? c.num(c.s.host.bandwidth_bytes_per_s, "RAM bandwidth", "B/s")
                     : Ex(c.s.host.bandwidth_bytes_per_s)) *
               (text ? c.num(c.s.host.read_efficiency, "CPU read efficiency (measured)")
                     : Ex(c.s.host.read_efficiency)));
    // With the CPU's FLOP/s given (hardware.cpu / cpu_flops), its matmuls are a roofline too:
    // the slower of reading the RAM's weights and multiplying by them.
    if (p.host_flops > 0 && c.s.host.cpu_flops > 0)
      host = emax(host, (text ? c.num(p.host_flops, "CPU matmul", "FLOP") : Ex(p.host_flops)) /
                            (text ? c.num(c.s.host.cpu_flops, "CPU FLOP/s", "FLOP/s") : Ex(c.s.host.cpu_flops)));
    p.host_s = host.v;
    time = time + host;
  }
  if (p.handovers > 0) {
    // Each hand-over: the backend's latency, and the hidden state over PCIe (none on one pool).
    const double lat = handover_latency_s(c.s.offload.backend);
    const double pcie = c.s.host.pcie_bandwidth_bytes_per_s;
    if (lat > 0) {
      const Ex h = (text ? c.num(double(p.handovers), "device hand-overs") : Ex(double(p.handovers))) *
                   (text ? c.num(lat, "hand-over latency", "s") : Ex(lat));
      p.handover_s += h.v;
      time = time + h;
    }
    if (pcie > 0) {
      const Ex h = (text ? c.num(p.handover_bytes, "hidden states handed over", "B") : Ex(p.handover_bytes)) /
                   (text ? c.num(pcie, "PCIe bandwidth", "B/s") : Ex(pcie));
      p.handover_s += h.v;
      time = time + h;
    }
  }
  if (p.transfer_bytes > 0) {
    const Ex copy = (text ? c.num(p.transfer_bytes, "weights copied to the GPU", "B") : Ex(p.transfer_bytes)) /
                    (text ? c.num(c.s.host.pcie_bandwidth_bytes_per_s, "PCIe bandwidth", "B/s")
                          : Ex(c.s.host.pcie_bandwidth_bytes_per_s));
    p.transfer_s = copy.v;
    time = time + copy;
  }
  if (tokens_per_step != nullptr) time = time / *tokens_per_step;
  p.time_s = time.v;
  if (text) c.set_formula(p, time);
}

}  // namespace llmcalc
