#pragma once
// The CLI's subcommands; each returns the process exit code.

#include <string>
#include <vector>

#include "scenario_flags.hpp"

namespace llmcalc::cli {

int run_estimate(const ScenarioFlags& flags);
int run_list(const std::string& what, bool json);
int run_sweep(const ScenarioFlags& flags, const std::string& vary, const std::string& values);
int run_solve(const ScenarioFlags& flags, const std::string& question, const std::string& max_gpus);
// `plan`: goal flags as typed ({"--context", "max"}), read by the core's goal table.
struct PlanFlags {
  std::vector<std::pair<std::string, std::string>> values;
};
void add_plan_flags(CLI::App& cmd, PlanFlags& flags);
int run_plan(const ScenarioFlags& scenario_flags, const PlanFlags& flags);
int run_export_hf_config(const std::string& model_id);
int run_import_hf_config(const std::string& file, bool json);
// format: json | markdown | typescript | error-codes
int run_schema(const std::string& format);

}  // namespace llmcalc::cli
