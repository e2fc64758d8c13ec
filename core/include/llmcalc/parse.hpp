#pragma once
// The validating edge: JSON text -> typed Scenario, or errors that name each bad field.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// What the CLI was given: a scenario file, a Hugging Face config.json file and flags, as text.
struct ScenarioSources {
  std::optional<std::string_view> scenario_text;   // --scenario FILE's bytes
  std::optional<std::string_view> hf_config_text;  // --hf-config FILE's bytes
  std::optional<std::string_view> model_object_text;  // --gguf: the model import_gguf_json made
  std::vector<std::pair<std::string, std::string>> flags;  // {"--batch", "4"}, as typed
};

struct TextResult {
  std::optional<std::string> text;
  Errors errors;
};

// The scenario JSON text of the CLI's inputs: the file (checked raw: size, depth, duplicate
// keys), the HF config as model.hf_config, then each flag typed strictly by its schema field
// (no nan, inf, 0x10, +1 or spaces; UTF-8 only). Errors carry the field's pointer, so the CLI
// names the flag; the file's errors have path "" and the config's "/model/hf_config".
TextResult compose_scenario(const ScenarioSources& sources);

// Whether s is well-formed UTF-8 (what JSON text must be).
bool is_utf8(std::string_view s);

// A whole number typed on the command line, strictly: optional '-', decimal digits (a whole
// JSON-style number such as 1e3 too); errors at `path` echo the text as typed.
std::optional<int64_t> parse_cli_integer(std::string_view text, int64_t min, int64_t max,
                                         const std::string& path, Errors& errors);

// Defaults the scenario falls back to; documented in docs/methodology.md.
inline constexpr double kDefaultCudaContextBytes = 512.0 * 1048576.0;
inline constexpr double kDefaultWorkspaceBytes = 64.0 * 1048576.0;
inline constexpr double kDefaultLaunchOverheadPerLayerS = 20e-6;
// llm-foundry's MPT-13B on 8 x A100-80GB (seq 2048, FSDP, no checkpointing) runs at 2262
// tokens/s/GPU where the roofline step predicts 3209: 0.705 of it (scripts/train/benchmarking
// /README.md of mosaicml/llm-foundry). The H100 rows are kept out of the fit as checks.
inline constexpr double kDefaultTrainingEfficiency = 0.70;

}  // namespace llmcalc
