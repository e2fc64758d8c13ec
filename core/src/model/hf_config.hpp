#pragma once
// Hugging Face config.json -> Architecture, for the model_types llmcalc knows.

#include <optional>
#include <string>
#include <vector>

#include "../json/json_reader.hpp"
#include "llmcalc/architecture.hpp"

namespace llmcalc {

const std::vector<std::string_view>& supported_hf_model_types();

// Reads the fields of `config` that the model_type uses; errors name the missing field
// under `path` (e.g. "/model/hf_config/num_attention_heads").
std::optional<ModelSpec> import_hf_config(const nlohmann::json& config, const std::string& path,
                                          Errors& errors);

// The inverse, for the validation harness and users: an HF config for a preset.
nlohmann::json export_hf_config(const ModelSpec& model);

}  // namespace llmcalc
