#pragma once
// Exact bytes of a checkpoint's weights, per storage format.

#include <string>
#include <vector>

#include "llmcalc/architecture.hpp"
#include "llmcalc/tensors.hpp"
#include "llmcalc/weight_format.hpp"

namespace llmcalc {

// One format's share of the weights: its parameters, the bytes of their elements and the
// bytes of their scales, zero points and other metadata.
struct FormatShare {
  std::string format;  // WeightFormat::name
  Dtype dtype = Dtype::bf16;
  int64_t params = 0;
  double element_bytes = 0;
  double scale_bytes = 0;
  double bytes() const { return element_bytes + scale_bytes; }
};

// Whether the checkpoint stores tensor group `t` in its quantized format.
bool is_converted(const CheckpointQuantization& q, const TensorGroup& t);

// Bytes of one weight matrix (rows x cols) in format `f`, scales included.
double matrix_bytes(const WeightFormat& f, int64_t rows, int64_t cols);

// The weights split by format: the converted share first, then the unconverted one (empty
// shares are left out).
std::vector<FormatShare> weight_bytes_by_format(const std::vector<TensorGroup>& tensors,
                                                const CheckpointQuantization& q);

// Bytes of the whole checkpoint as published: every tensor, MTP layers and towers included, in
// its quantization_config's formats, else in checkpoint_dtype. What a safetensors index's
// metadata.total_size is compared with.
double checkpoint_bytes(const ModelSpec& model);

}  // namespace llmcalc
