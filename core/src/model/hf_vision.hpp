#pragma once
// Parameter counts of the vision and audio towers of multimodal Hugging Face configs.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "llmcalc/architecture.hpp"

namespace llmcalc {

// The tower described by `sub` (vision_config / audio_config of a `wrapper_type` config) with
// its projector into the language model (`text_hidden` wide). Exact for qwen2_5_vl and
// qwen3_vl*; a ViT estimate otherwise (noted). Nothing when the fields are missing (noted).
std::optional<ExtraModule> estimate_tower(const nlohmann::json& sub, std::string_view key,
                                          const std::string& wrapper_type, int64_t text_hidden,
                                          std::vector<std::string>& notes);

}  // namespace llmcalc
