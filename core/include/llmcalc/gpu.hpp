#pragma once
// A GPU as the estimates see it: capacity, bandwidth, peak FLOP/s per dtype, interconnect.

#include <array>
#include <string>

#include "llmcalc/dtype.hpp"

namespace llmcalc {

inline constexpr int kDtypeCount = 9;

// A custom GPU's efficiencies when none are given: the middle of the presets' measured
// range (core/data/gpus: matmul 0.6-0.8 from ml-engineering's MAMF table, bandwidth
// 0.8-0.92 from copy benchmarks), so an unknown card is neither flattered nor punished.
inline constexpr double kDefaultMatmulEfficiency = 0.7;
inline constexpr double kDefaultBandwidthEfficiency = 0.85;

struct Gpu {
  std::string id;    // catalog id or "custom"
  std::string name;
  std::string vendor;  // "nvidia", "amd", ...; empty for a custom GPU
  double memory_bytes = 0;                   // capacity one process can allocate against
  double memory_bandwidth_bytes_per_s = 0;   // datasheet HBM/GDDR bandwidth
  std::array<double, kDtypeCount> peak_flops{};  // dense FLOP/s by Dtype index; 0 = no hardware
  double interconnect_bandwidth_bytes_per_s = 0;  // one direction, per GPU, intra-node
  double matmul_efficiency = kDefaultMatmulEfficiency;     // achievable fraction of peak FLOP/s for large matmuls
  double bandwidth_efficiency = kDefaultBandwidthEfficiency;  // achievable fraction of bandwidth for streaming reads

  double peak(Dtype d) const { return peak_flops[static_cast<int>(d)]; }
  // Peak for a matmul computed in dtype d, falling back to what the card actually runs it at:
  // fp8/int8 without units run as fp16/bf16; bf16 without units (V100, T4) runs at fp32 rate.
  double matmul_peak(Dtype d) const;
};

}  // namespace llmcalc
