#pragma once
// How a checkpoint stores its weights (Hugging Face quantization_config, ModelOpt
// hf_quant_config.json): the format of the converted modules, which modules are converted,
// and their scales. The byte arithmetic lives in llmcalc/weight_bytes.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmcalc/dtype.hpp"

namespace llmcalc {

// Where a format's scales sit.
enum class ScaleLayout {
  none,         // plain bf16/fp16/fp32
  per_tensor,   // one scale per weight matrix
  per_channel,  // one scale per output row
  group,        // one scale per `group` consecutive input features of a row
  block,        // one scale per block_rows x block_cols tile (DeepSeek FP8 128x128)
};

struct WeightFormat {
  std::string name;                  // "mxfp4", "fp8 block 128x128", "int4 g128 (gptq)", ...
  Dtype dtype = Dtype::bf16;         // the nearest scenario dtype (sets matmul rates)
  double element_bits = 16;          // storage bits of one weight
  ScaleLayout scales = ScaleLayout::none;
  int64_t group = 0;                 // group: inputs per scale; block: rows per tile
  int64_t block_cols = 0;            // block: columns per tile
  double scale_bits = 0;             // bits of one scale
  double zero_bits = 0;              // bits of one zero point (asymmetric integer formats)
  double tensor_bytes = 0;           // extra bytes per matrix (global scales, input scales)
  double input_feature_bytes = 0;    // bytes per input feature (GPTQ g_idx: int32)
  int64_t double_quant_block = 0;    // bitsandbytes double quantization: scales per fp32 constant
};

// The checkpoint's own precision: converted tensor kinds use `quantized`, the rest `base`.
struct CheckpointQuantization {
  std::string method;                // quant_method: "fp8", "mxfp4", "gptq", "awq", ...
  std::string source;                // "quantization_config" or "hf_quant_config.json"
  WeightFormat quantized;
  WeightFormat base;                 // unconverted modules: the checkpoint's torch_dtype
  uint32_t converted_kinds = 0;      // bit (1 << int(TensorKind)) per converted tensor kind
  std::vector<std::string> not_converted;  // the config's exclusion patterns, as given
  std::optional<Dtype> kv_cache;     // ModelOpt kv_cache_quant_algo FP8
};

}  // namespace llmcalc
