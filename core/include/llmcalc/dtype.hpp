#pragma once
// Numeric formats of weights, caches, activations and optimizer states.

#include <optional>
#include <string_view>

namespace llmcalc {

enum class Dtype { fp32, tf32, fp16, bf16, fp8, int8, int4, nf4, fp4 };

// Storage bits of one element, before any quantization scales.
double dtype_bits(Dtype d);
inline double dtype_bytes(Dtype d) { return dtype_bits(d) / 8.0; }

std::string_view dtype_name(Dtype d);
std::optional<Dtype> parse_dtype(std::string_view name);

// True for formats stored as integers/NF4 codes with separate scales.
bool is_quantized(Dtype d);

// The dtype whose peak FLOP/s a matmul in this storage format runs at
// (int4/nf4 weights are dequantized to 16-bit before the matmul).
Dtype compute_dtype(Dtype weights, Dtype activations);

}  // namespace llmcalc
