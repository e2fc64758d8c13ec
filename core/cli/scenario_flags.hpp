#pragma once
// Scenario flags of the CLI (--model, --batch, ...) and their mapping into scenario JSON.

#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace llmcalc::cli {

struct ScenarioFlags {
  std::string scenario_file;
  std::string hf_config_file;
  std::map<std::string, std::string> values;  // JSON pointer -> raw flag text
  bool json = false;
  bool gb = false;
};

// Registers every scenario flag on `cmd`.
void add_scenario_flags(CLI::App& cmd, ScenarioFlags& flags);

// Builds the scenario: the --scenario file (if any) with each given flag applied on top.
// Returns false (and prints why) when a file cannot be read or is not JSON.
bool build_scenario(const ScenarioFlags& flags, nlohmann::json& out);

// "--batch" for "/workload/batch", so errors name the flag the user typed.
std::string flag_for_path(const std::string& path);

}  // namespace llmcalc::cli
