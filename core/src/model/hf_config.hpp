#pragma once
// Hugging Face config.json -> ModelSpec: the per-layer plan, MoE placement, extra modules and
// the checkpoint's own quantization. Families are read by hf_config.cpp; anything else with
// the standard decoder fields is read generically, with a note naming what was assumed.

#include <optional>
#include <string>
#include <vector>

#include "../json/json_reader.hpp"
#include "llmcalc/architecture.hpp"

namespace llmcalc {

// The model_types read with a family reader (others go through the generic reader).
const std::vector<std::string_view>& supported_hf_model_types();

// Reads the fields of `config` that the model_type uses; errors name the missing or bad field
// under `path` (e.g. "/model/hf_config/num_attention_heads").
std::optional<ModelSpec> import_hf_config(const nlohmann::json& config, const std::string& path,
                                          Errors& errors);

// The optional companions of a checkpoint: NVIDIA ModelOpt's hf_quant_config.json (replaces
// the config's quantization), and model.safetensors.index.json (metadata.total_size kept for
// comparison). Either may be null.
void apply_hf_companions(ModelSpec& spec, const nlohmann::json* hf_quant_config,
                         const nlohmann::json* safetensors_index, const std::string& path,
                         Errors& errors);

// config.json as Python's json module writes it: Infinity, -Infinity and NaN outside strings
// become the strings "Infinity", "-Infinity" and "NaN" (a field that must be a number then
// fails with wrong_type; the rest are ignored). For config files only, never scenarios.
std::string python_json_to_json(std::string_view text);

// Parses a config.json text (Python's non-finite literals accepted) and imports it.
std::optional<ModelSpec> import_hf_config_file(std::string_view text, Errors& errors);

// The inverse, for the validation harness and users: an HF config for a preset. It writes
// uniform llama-like families only (llama, mistral, qwen2/3, qwen2_moe, mixtral, gemma2/3,
// deepseek_v3, gpt2).
nlohmann::json export_hf_config(const ModelSpec& model);

// export_hf_config, refused (invalid_choice at /model) when the config would not import back
// to the same parameter count and cache (per-layer plans, towers, biased experts, ...).
std::optional<nlohmann::json> export_hf_config_checked(const ModelSpec& model, Errors& errors);

}  // namespace llmcalc
