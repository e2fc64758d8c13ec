#pragma once
// Scenario flags of the CLI (--model, --batch, ...: one per schema field that has a flag),
// the files they name, and the scenario text they make.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "llmcalc/error.hpp"

namespace llmcalc::cli {

struct ScenarioFlags {
  std::string scenario_file;
  std::string hf_config_file;
  std::string gguf_file;  // --gguf: a GGUF model file (only its header is read)
  std::vector<std::pair<std::string, std::string>> values;  // {"--batch", "4"} as typed
  bool json = false;
  bool gb = false;
};

// Registers every scenario flag of the schema on `cmd`.
void add_scenario_flags(CLI::App& cmd, ScenarioFlags& flags);

// The scenario JSON text: the --scenario file, --hf-config as the model, each flag on top.
// Prints the errors (naming file or flag) and returns nullopt when something is wrong.
std::optional<std::string> build_scenario(const ScenarioFlags& flags);

// A file's bytes, read bounded (at most the core's 4 MiB limit + 1 byte); only regular files.
// `flag` names the flag that gave the path, for the error message.
std::optional<std::string> read_input_file(const std::string& path, const std::string& flag);

// Prints errors as "error: /workload/batch (--batch): message [code]"; returns exit code 1.
int print_errors(const Errors& errors);

}  // namespace llmcalc::cli
