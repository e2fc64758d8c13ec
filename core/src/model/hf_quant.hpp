#pragma once
// A checkpoint's own quantization: Hugging Face quantization_config and NVIDIA ModelOpt's
// hf_quant_config.json -> CheckpointQuantization.

#include <optional>
#include <string>

#include "../json/json_reader.hpp"
#include "llmcalc/weight_format.hpp"

namespace llmcalc {

// The dtype of the unconverted tensors: torch_dtype (or dtype) of the config; bf16 when absent.
Dtype checkpoint_dtype(const nlohmann::json& config);

std::optional<CheckpointQuantization> read_quantization_config(const nlohmann::json& qc,
                                                               const std::string& path, Dtype base,
                                                               Errors& errors);

std::optional<CheckpointQuantization> read_modelopt_config(const nlohmann::json& config,
                                                           const std::string& path, Dtype base,
                                                           Errors& errors);

}  // namespace llmcalc
