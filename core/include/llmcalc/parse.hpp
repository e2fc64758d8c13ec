#pragma once
// The validating edge: JSON text -> typed Scenario, or errors that name each bad field.

#include <optional>
#include <string_view>

#include "llmcalc/error.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

struct ScenarioResult {
  std::optional<Scenario> scenario;
  Errors errors;  // non-empty exactly when scenario is empty
};

ScenarioResult parse_scenario(std::string_view json_text);

struct ModelResult {
  std::optional<ModelSpec> model;
  Errors errors;
};

// A Hugging Face config.json's text -> model (the "Import config.json" of the page and CLI).
ModelResult import_hf_config_text(std::string_view json_text);

// Defaults the scenario falls back to; documented in docs/methodology.md.
inline constexpr double kDefaultCudaContextBytes = 512.0 * 1048576.0;
inline constexpr double kDefaultWorkspaceBytes = 64.0 * 1048576.0;
inline constexpr double kDefaultLaunchOverheadPerLayerS = 20e-6;
// llm-foundry's MPT-13B on 8 x A100-80GB (seq 2048, FSDP, no checkpointing) runs at 2262
// tokens/s/GPU where the roofline step predicts 3209: 0.705 of it (scripts/train/benchmarking
// /README.md of mosaicml/llm-foundry). The H100 rows are kept out of the fit as checks.
inline constexpr double kDefaultTrainingEfficiency = 0.70;

}  // namespace llmcalc
