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

// Fraction of the RAM's bandwidth llama.cpp's CPU matmuls reach in decode. Calibrated on the
// three published partial-offload speeds of one machine (i9-10900X, quad-channel DDR4 measured
// at ~102 GB/s, RTX 2080; AlexsJones/llmfit PRs #755 and #778, tests/data/reference/
// offload_speed.json): each alone asks for 0.41-0.52 of the measured bandwidth; 0.46 fits
// all three within 6%. In-sample: offload_test.cpp checks these rows, not an independent set.
constexpr double kHostReadEfficiency = 0.46;

// Latency of one hand-over between devices (latency.cpp handovers(): the scheduler waits for
// the previous backend and copies the hidden state), by the build's GPU backend. One machine
// ran the same llama.cpp build (9739), model files and flags under both Vulkan and SYCL: Arc Pro
// B70, Core i9-14900K, dual-channel DDR5-6000 (tests/data/reference/offload_handover.json).
// Under SYCL the expert splits run as the model has them with no latency (gpt-oss 120B
// --n-cpu-moe 22: 27.69 tok/s measured, 28.8 modelled with the GPU at efficiency 1.0, the
// nearest the model comes to the machine's all-GPU SYCL row); under Vulkan the same split runs
// at 12.35 on the same RAM and experts: the difference is the backend's hand-overs.
// Vulkan: fitted on that one row, with the GPU at the efficiency the machine's all-GPU Vulkan
// row implies (Llama 3.1 8B Q4_K_M, 42.0 tok/s: 0.41): 44 hand-overs take the 81.0 ms
// measured from the 38.7 ms modelled without them, 0.96 ms each. Checked on rows not fitted on
// (offload_handover_test.cpp): GLM-4.5-Air --n-cpu-moe 31 (+9%), Llama 3.1 70B -ngl 60 (no
// hand-over). ggml-org/llama.cpp issue #26876 shows the cost without PCIe: on an Arc 140T iGPU
// sharing the RAM, --n-cpu-moe runs slower than the CPU alone.
// CUDA (and ROCm, the same sources) and SYCL: 0. The CUDA row in-sample for the RAM factor
// (Qwen3-30B-A3B --n-cpu-moe 36, 72 hand-overs, RTX 2080) is within 6% with none, which bounds
// it under about 25 us; the two SYCL expert rows are within 12% with none (+4%, -11%). Only
// the copy at PCIe bandwidth is counted for them.
constexpr double kVulkanHandoverS = 0.96e-3;
double handover_latency_s(GpuBackend b) { return b == GpuBackend::vulkan ? kVulkanHandoverS : 0.0; }

void finish_phase(const Context& c, Phase& p, bool text, const Ex* tokens_per_step) {
  Ex time = roofline_time(c, p, text);
  const auto n = [&](double v, std::string_view label) {
    return text ? c.num(v, label, "s") : Ex(v);
  };
  if (p.comm_s > 0) time = time + n(p.comm_s, "tp all-reduce");
  if (p.overhead_s > 0) time = time + n(p.overhead_s, "fixed overhead");
  // Offload: the CPU's part runs after the GPU's in each step (llama.cpp runs the layers in
  // order), at the RAM's bandwidth x kHostReadEfficiency; the PCIe copies of prompt batches
  // after that too (no overlap modelled).
  if (p.other_gpus_s > 0) time = time + n(p.other_gpus_s, "the other GPUs' layers");
  if (p.host_bytes > 0) {
    Ex host = (text ? c.num(p.host_bytes, "read in system RAM", "B") : Ex(p.host_bytes)) /
              ((text ? c.num(c.s.host.bandwidth_bytes_per_s, "RAM bandwidth", "B/s")
                     : Ex(c.s.host.bandwidth_bytes_per_s)) *
               (text ? c.num(kHostReadEfficiency, "CPU read efficiency (calibrated)")
                     : Ex(kHostReadEfficiency)));
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
