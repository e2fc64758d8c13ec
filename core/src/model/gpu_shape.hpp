#pragma once
// A GPU's one shape: the keys that a GPU data file (core/data/gpus), a scenario's "hardware"
// overrides and the GPU listing (`llmcalc list gpus`, gpus()) share, with their units and
// ranges, read by one function and written by one. The scenario schema's /hardware fields are
// made from this table, so a key, range or unit is declared once.

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "../json/json_reader.hpp"
#include "llmcalc/gpu.hpp"

namespace llmcalc {

// Physical floors and ceilings of GPU rates: nothing below a 2010s phone's 1 GFLOP/s or
// 1 GB/s is a GPU, and nothing above 1e18 FLOP/s (1,000x a 2025 B200) or 1e16 B/s is
// plausible; a rate outside them can only be a typo, and a 1e-300 one overflows time.
inline constexpr double kMinFlops = 1e9, kMaxFlops = 1e18;
inline constexpr double kMinBandwidth = 1e9, kMaxBandwidth = 1e16;

// One number of the shape. `pointer` is the scenario's JSON pointer; the key is its last part.
struct GpuNumber {
  std::string_view pointer;
  double min, max;
  double fallback;  // a custom GPU's value when not given; 0 = required for a custom GPU
  std::string_view unit, help;
  double Gpu::*member;
  std::string_view key() const { return pointer.substr(pointer.rfind('/') + 1); }
};

inline constexpr GpuNumber kGpuMemory{"/hardware/memory_bytes", 1e6, 1e15, 0, "B",
    "memory one process can allocate against (custom GPU: required; unified: "
    "gpu_memory_limit_bytes or the default share of host_memory_bytes)", &Gpu::memory_bytes};
inline constexpr GpuNumber kGpuBandwidth{"/hardware/memory_bandwidth_bytes_per_s", kMinBandwidth,
    kMaxBandwidth, 0, "B/s", "memory bandwidth (datasheet)", &Gpu::memory_bandwidth_bytes_per_s};
inline constexpr GpuNumber kGpuInterconnect{"/hardware/interconnect_bandwidth_bytes_per_s",
    kMinBandwidth, kMaxBandwidth, 0, "B/s", "GPU-to-GPU bandwidth, one direction, per GPU",
    &Gpu::interconnect_bandwidth_bytes_per_s};
inline constexpr GpuNumber kGpuMatmulEfficiency{"/hardware/matmul_efficiency", 0.01, 1,
    kDefaultMatmulEfficiency, "", "achievable fraction of peak FLOP/s for large matmuls",
    &Gpu::matmul_efficiency};
inline constexpr GpuNumber kGpuBandwidthEfficiency{"/hardware/bandwidth_efficiency", 0.01, 1,
    kDefaultBandwidthEfficiency, "", "achievable fraction of memory bandwidth for streaming reads",
    &Gpu::bandwidth_efficiency};

// The numbers in the order files and listings write them (peak_flops sits after bandwidth).
std::span<const GpuNumber> gpu_numbers();

inline constexpr std::string_view kGpuPeakFlopsPointer = "/hardware/peak_flops";
inline constexpr std::string_view kGpuPeakFlopsHelp =
    "dense peak FLOP/s per dtype (fp32, tf32, fp16, bf16, fp8, int8, int4, nf4, fp4); "
    "0 = no units for that dtype";

enum class GpuRead {
  complete,   // a data file: every number and peak_flops are required
  overrides,  // a scenario's hardware object: what is given replaces the GPU's value
};

// Reads the shape's numbers and peak_flops from r into g. Errors name the key under r's path.
void read_gpu_shape(json_io::ObjectReader& r, Gpu& g, GpuRead how);

// The shape's numbers and peak_flops (only the dtypes the GPU has) as one JSON object.
nlohmann::json gpu_shape_json(const Gpu& g);

}  // namespace llmcalc
