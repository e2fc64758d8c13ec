#include "llmcalc/gpu.hpp"

namespace llmcalc {

double Gpu::matmul_peak(Dtype d) const {
  if (peak(d) > 0) return peak(d);
  switch (d) {
    case Dtype::fp8:
    case Dtype::int8:
    case Dtype::int4:
    case Dtype::nf4:
    case Dtype::fp4:
      // No low-precision units: dequantized to 16-bit first.
      if (peak(Dtype::bf16) > 0) return peak(Dtype::bf16);
      if (peak(Dtype::fp16) > 0) return peak(Dtype::fp16);
      break;
    case Dtype::bf16:
      // Cards without bf16 units (V100, T4) run bf16 matmuls at fp32 rate in PyTorch.
      break;
    case Dtype::tf32:
      break;
    default:
      break;
  }
  return peak(Dtype::fp32);
}

}  // namespace llmcalc
