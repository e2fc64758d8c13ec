// llmcalc: GPU memory and speed of transformer LLMs, from the command line.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "llmcalc/api.hpp"
#include "llmcalc/parse.hpp"

namespace {

// Every argument must be UTF-8 (flag values become JSON text, which must be), except the
// paths of files, which are the operating system's bytes.
bool arguments_are_utf8(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string prev = argv[i - 1];
    const bool path = prev == "--scenario" || prev == "--hf-config" ||
                      prev == "--safetensors-index" || prev == "--hf-quant-config" ||
                      (std::string(argv[1]) == "import-hf-config" && argv[i][0] != '-');
    if (path || llmcalc::is_utf8(argv[i])) continue;
    std::cerr << "error: argument " << i << (argv[i - 1][0] == '-' ? " (" + prev + ")" : std::string())
              << " is not UTF-8 text: " << llmcalc::quote_text(argv[i], 80) << " [invalid_utf8]\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace llmcalc::cli;
  if (!arguments_are_utf8(argc, argv)) return 1;
  CLI::App app{"llmcalc: how much GPU memory a transformer LLM needs and how fast it runs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(llmcalc::version()));

  ScenarioFlags est_flags;
  auto* est = app.add_subcommand("estimate", "memory, FLOPs, latency and throughput of a scenario");
  add_scenario_flags(*est, est_flags);

  std::string list_what;
  bool list_json = false;
  auto* list = app.add_subcommand("list", "list the embedded presets");
  list->add_option("what", list_what, "models | gpus | engines")->required()->check(CLI::IsMember({"models", "gpus", "engines"}));
  list->add_flag("--json", list_json, "print JSON");

  ScenarioFlags sweep_flags;
  std::string vary, values;
  auto* sw = app.add_subcommand("sweep", "vary one input and print CSV (or --json)");
  add_scenario_flags(*sw, sweep_flags);
  sw->add_option("--vary", vary, "batch | seq | prompt | generate | grad_accum | gpu")->required();
  sw->add_option("--values", values, "comma-separated values, e.g. 512,1024,2048")->required();

  ScenarioFlags solve_flags;
  std::string question;
  std::string max_gpus;  // typed strictly by the core (no 0x10, +1): default 4096 there
  auto* so = app.add_subcommand("solve", "max-batch | max-context | min-gpus | knee");
  so->add_option("question", question, "what to solve for")
      ->required()
      ->check(CLI::IsMember({"max-batch", "max-context", "min-gpus", "knee"}));
  so->add_option("--max-gpus", max_gpus, "search limit for min-gpus (1 to 65536; default 4096)");
  add_scenario_flags(*so, solve_flags);

  ScenarioFlags plan_flags;
  PlanFlags plan_goals;
  auto* pl = app.add_subcommand("plan", "the weight format, KV cache and context that fit, ranked, "
                                        "with the commands that run them");
  add_plan_flags(*pl, plan_goals);
  add_scenario_flags(*pl, plan_flags);

  std::string export_model;
  auto* ex = app.add_subcommand("export-hf-config", "print a preset as a Hugging Face config.json");
  ex->add_option("--model", export_model, "model preset id")->required();

  std::string import_file;
  bool import_json = false;
  auto* im = app.add_subcommand("import-hf-config", "read a Hugging Face config.json");
  im->add_option("file", import_file, "config.json")->required();
  im->add_flag("--json", import_json, "print JSON");

  std::string schema_format = "json";
  auto* sc = app.add_subcommand("schema", "the scenario schema: fields, enums, error codes");
  sc->add_flag("--json{json}", schema_format, "as JSON (the default)");
  sc->add_flag("--markdown{markdown}", schema_format, "the field table of docs/scenario.md");
  sc->add_flag("--error-codes{error-codes}", schema_format, "the error-code table of docs/scenario.md");
  sc->add_flag("--typescript{typescript}", schema_format, "the Scenario part of wasm/js/llmcalc.d.ts");

  CLI11_PARSE(app, argc, argv);
  if (sc->parsed()) return run_schema(schema_format);
  if (est->parsed()) return run_estimate(est_flags);
  if (list->parsed()) return run_list(list_what, list_json);
  if (sw->parsed()) return run_sweep(sweep_flags, vary, values);
  if (so->parsed()) return run_solve(solve_flags, question, max_gpus);
  if (pl->parsed()) return run_plan(plan_flags, plan_goals);
  if (ex->parsed()) return run_export_hf_config(export_model);
  if (im->parsed()) return run_import_hf_config(import_file, import_json);
  return 2;
}
