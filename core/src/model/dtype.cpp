#include "llmcalc/dtype.hpp"

#include <array>

namespace llmcalc {
namespace {

struct DtypeInfo {
  Dtype dtype;
  std::string_view name;
  double bits;
};

constexpr std::array<DtypeInfo, 9> kDtypes{{
    {Dtype::fp32, "fp32", 32},
    {Dtype::tf32, "tf32", 32},  // stored as fp32; only the matmul rate differs
    {Dtype::fp16, "fp16", 16},
    {Dtype::bf16, "bf16", 16},
    {Dtype::fp8, "fp8", 8},
    {Dtype::int8, "int8", 8},
    {Dtype::int4, "int4", 4},
    {Dtype::nf4, "nf4", 4},
    {Dtype::fp4, "fp4", 4},
}};

}  // namespace

double dtype_bits(Dtype d) { return kDtypes[static_cast<int>(d)].bits; }

std::string_view dtype_name(Dtype d) { return kDtypes[static_cast<int>(d)].name; }

std::optional<Dtype> parse_dtype(std::string_view name) {
  for (const auto& info : kDtypes) {
    if (info.name == name) return info.dtype;
  }
  return std::nullopt;
}

bool is_quantized(Dtype d) {
  return d == Dtype::int8 || d == Dtype::int4 || d == Dtype::nf4 || d == Dtype::fp8 ||
         d == Dtype::fp4;
}

Dtype compute_dtype(Dtype /*weights*/, Dtype activations) {
  // Matmuls run in the activation dtype: weight-only formats are dequantized to it, and fp32
  // weights under autocast (bf16 activations) still multiply in bf16.
  return activations;
}

}  // namespace llmcalc
