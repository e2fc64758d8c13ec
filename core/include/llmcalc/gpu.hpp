#pragma once
// A GPU as the estimates see it: capacity, bandwidth, peak FLOP/s per dtype, interconnect.

#include <array>
#include <string>

#include "llmcalc/dtype.hpp"

namespace llmcalc {

inline constexpr int kDtypeCount = 9;

struct Gpu {
  std::string id;    // catalog id or "custom"
  std::string name;
  std::string vendor;  // "nvidia", "amd", ...; empty for a custom GPU
  double memory_bytes = 0;                   // capacity one process can allocate against
  double memory_bandwidth_bytes_per_s = 0;   // datasheet HBM/GDDR bandwidth
  std::array<double, kDtypeCount> peak_flops{};  // dense FLOP/s by Dtype index; 0 = no hardware
  double interconnect_bandwidth_bytes_per_s = 0;  // one direction, per GPU, intra-node
  double matmul_efficiency = 0.7;     // achievable fraction of peak FLOP/s for large matmuls
  double bandwidth_efficiency = 0.85;  // achievable fraction of bandwidth for streaming reads

  double peak(Dtype d) const { return peak_flops[static_cast<int>(d)]; }
  // Peak for a matmul computed in dtype d, falling back to what the card actually runs it at:
  // fp8/int8 without units run as fp16/bf16; bf16 without units (V100, T4) runs at fp32 rate.
  double matmul_peak(Dtype d) const;
};

}  // namespace llmcalc
