#include "commands.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "llmcalc/api.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/estimate.hpp"
#include "llmcalc/format.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc::cli {

using nlohmann::json;

namespace {

constexpr int kInvalidInput = 1;

// Prints an API envelope's errors, naming the flag where one maps to the path.
int print_errors(const json& envelope) {
  Errors errors;
  for (const auto& e : envelope["errors"])
    errors.push_back({e["path"].get<std::string>(), e["code"].get<std::string>(),
                      e["message"].get<std::string>()});
  return cli::print_errors(errors);
}

// Dumps without throwing: invalid UTF-8 (impossible after the edge checks) is replaced.
std::string dump(const json& j, int indent = -1) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

int run_estimate(const ScenarioFlags& flags) {
  const auto scenario = build_scenario(flags);
  if (!scenario) return kInvalidInput;
  const std::string& text = *scenario;
  if (flags.json) {
    const json out = json::parse(estimate_json(text));
    if (!out["ok"].get<bool>()) return print_errors(out);
    std::cout << dump(out["report"], 2) << "\n";
    return 0;
  }
  ScenarioResult parsed = parse_scenario(text);
  if (!parsed.scenario) return print_errors(json::parse(estimate_json(text)));
  std::cout << format_report_table(estimate(*parsed.scenario), flags.gb);
  return 0;
}

int run_list(const std::string& what, bool as_json) {
  const json out = json::parse(what == "models" ? models_json() : what == "engines" ? engines_json() : gpus_json());
  if (as_json) {
    std::cout << dump(out[what], 2) << "\n";
    return 0;
  }
  if (what == "models") {
    std::printf("%-24s %-36s %-18s %16s %16s  %s\n", "id", "name", "family", "params", "active",
                "released");
    for (const auto& m : out["models"])
      std::printf("%-24s %-36s %-18s %16lld %16lld  %s\n", m["id"].get<std::string>().c_str(),
                  m["name"].get<std::string>().c_str(), m["family"].get<std::string>().c_str(),
                  static_cast<long long>(m["params"]["total"].get<int64_t>()),
                  static_cast<long long>(m["params"]["active"].get<int64_t>()),
                  m.value("released", std::string("-")).c_str());
  } else if (what == "engines") {
    std::printf("%-14s %-44s %-22s %s\n", "id", "name", "modes", "options");
    for (const auto& e : out["engines"]) {
      std::string modes, options;
      for (const auto& m : e["modes"]) modes += (modes.empty() ? "" : ",") + m.get<std::string>();
      for (const auto& o : e["options"]) options += (options.empty() ? "" : " ") + o["name"].get<std::string>();
      std::printf("%-14s %-44s %-22s %s\n", e["id"].get<std::string>().c_str(),
                  e["name"].get<std::string>().c_str(), modes.c_str(), options.c_str());
    }
  } else {
    std::printf("%-16s %-34s %10s %12s %14s\n", "id", "name", "GiB", "TB/s", "bf16 TFLOP/s");
    for (const auto& g : out["gpus"]) {
      const double bf16 = g["peak_flops"].value("bf16", g["peak_flops"].value("fp16", 0.0));
      std::printf("%-16s %-34s %10.1f %12.2f %14.1f\n", g["id"].get<std::string>().c_str(),
                  g["name"].get<std::string>().c_str(),
                  g["memory_bytes"].get<double>() / 1073741824.0,
                  g["memory_bandwidth_bytes_per_s"].get<double>() / 1e12, bf16 / 1e12);
    }
    // Unified-memory machines: the GPU's default share of each memory size sold.
    std::printf("\n%-22s %-44s %-28s %6s\n", "unified id", "name", "GiB (GPU share)", "TB/s");
    for (const auto& u : out["unified"]) {
      std::string sizes;
      for (const auto& o : u["memory_options"]) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%s%.0f (%.0f)", sizes.empty() ? "" : " ",
                      o["memory_bytes"].get<double>() / 1073741824.0, o["gpu_memory_bytes"].get<double>() / 1073741824.0);
        sizes += buf;
      }
      std::printf("%-22s %-44s %-28s %6.2f\n", u["id"].get<std::string>().c_str(), u["name"].get<std::string>().c_str(),
                  sizes.c_str(), u["memory_bandwidth_bytes_per_s"].get<double>() / 1e12);
    }
  }
  return 0;
}

int run_sweep(const ScenarioFlags& flags, const std::string& vary, const std::string& values) {
  const auto scenario = build_scenario(flags);
  if (!scenario) return kInvalidInput;
  json list = json::array();
  std::stringstream ss(values);
  std::string item;
  Errors errors;
  while (std::getline(ss, item, ',')) {
    // Ids stay text; numbers are typed strictly (no nan, 0x10, +1), whole numbers only.
    const std::string path = "/sweep/values/" + std::to_string(list.size());
    if (vary == "gpu") list.push_back(item);
    else if (auto i = parse_cli_integer(item, 0, INT64_MAX, path, errors)) list.push_back(*i);
    else list.push_back(nullptr);
  }
  if (!errors.empty()) return cli::print_errors(errors);
  const json spec = {{"vary", vary}, {"values", list}, {"compact", !flags.json}};
  const json out = json::parse(sweep_json(*scenario, dump(spec)));
  if (!out["ok"].get<bool>()) return print_errors(out);
  if (flags.json) {
    std::cout << dump(out, 2) << "\n";
    return 0;
  }
  const json& s = out["series"];
  std::cout << vary << ",total_bytes,capacity_bytes,fits";
  for (auto it = s["items"].begin(); it != s["items"].end(); ++it) std::cout << "," << it.key() << "_bytes";
  std::cout << ",ttft_s,decode_first_s,tokens_per_s,step_s,mfu\n";
  for (size_t i = 0; i < out["values"].size(); ++i) {
    std::cout << csv_field(out["labels"][i].get<std::string>()) << "," << num(s["total_bytes"][i])
              << "," << num(s["capacity_bytes"][i]) << "," << (s["fits"][i].get<bool>() ? "true" : "false");
    for (auto it = s["items"].begin(); it != s["items"].end(); ++it) std::cout << "," << num((*it)[i]);
    std::cout << "," << num(s["ttft_s"][i]) << "," << num(s["decode_first_s"][i]) << ","
              << num(s["tokens_per_s"][i]) << "," << num(s["step_s"][i]) << "," << num(s["mfu"][i])
              << "\n";
  }
  return 0;
}

int run_solve(const ScenarioFlags& flags, const std::string& question, const std::string& max_gpus) {
  Errors errors;
  json q = {{"question", question}};
  if (!max_gpus.empty()) {
    const auto n = parse_cli_integer(max_gpus, 1, 65536, "/question/max_gpus", errors);
    if (!n) return cli::print_errors(errors);
    q["max_gpus"] = *n;
  }
  const auto scenario = build_scenario(flags);
  if (!scenario) return kInvalidInput;
  const json out = json::parse(solve_json(*scenario, dump(q)));
  if (!out["ok"].get<bool>()) return print_errors(out);
  if (flags.json) {
    std::cout << dump(out, 2) << "\n";
    return 0;
  }
  if (question == "knee") {
    std::cout << "Decode throughput versus batch (roofline knee at batch "
              << out["knee_batch"].get<int64_t>() << ", largest batch that fits "
              << out["max_batch"].get<int64_t>() << ")\n";
    std::printf("%8s %14s %16s %10s\n", "batch", "step ms", "tokens/s total", "bound");
    const json& s = out["series"];
    for (size_t i = 0; i < s["batch"].size(); ++i)
      std::printf("%8lld %14.3f %16.1f %10s\n", static_cast<long long>(s["batch"][i].get<int64_t>()),
                  s["decode_step_s"][i].get<double>() * 1e3, s["tokens_per_s_total"][i].get<double>(),
                  s["compute_bound"][i].get<bool>() ? "compute" : "memory");
    return 0;
  }
  std::cout << question << ": " << out["value"].get<int64_t>() << " (" << out["explanation"].get<std::string>()
            << ")\n";
  const json& l = out["layout"];
  std::cout << "layout: tp " << l["tp"] << ", pp " << l["pp"] << ", dp " << l["dp"] << "\n";
  const json& m = out["report"]["memory"];
  std::cout << "memory per GPU at the answer: " << num(m["total_bytes"].get<double>() / 1073741824.0)
            << " GiB of " << num(m["capacity_bytes"].get<double>() / 1073741824.0) << " GiB\n";
  return 0;
}

int run_export_hf_config(const std::string& model_id) {
  const json out = json::parse(export_hf_config_json(model_id));
  if (!out["ok"].get<bool>()) return print_errors(out);
  std::cout << dump(out["config"], 2) << "\n";
  return 0;
}

int run_import_hf_config(const std::string& file, bool as_json) {
  const auto text = read_input_file(file, "import-hf-config");
  if (!text) return kInvalidInput;
  const json out = json::parse(import_hf_config_json(*text));
  if (!out["ok"].get<bool>()) return print_errors(out);
  if (as_json) std::cout << dump(out["model"], 2) << "\n";
  else
    std::cout << quote_text(out["model"]["name"].get<std::string>(), 200) << ": "
              << out["model"]["params"]["total"].get<int64_t>() << " parameters ("
              << out["model"]["params"]["active"].get<int64_t>() << " active)\n"
              << dump(out["model"]["architecture"], 2) << "\n";
  return 0;
}

int run_schema(const std::string& format) {
  if (format == "markdown") std::cout << schema_markdown_table();
  else if (format == "error-codes") std::cout << error_codes_markdown();
  else if (format == "typescript") std::cout << schema_typescript();
  else std::cout << dump(json::parse(schema_json()), 2) << "\n";
  return 0;
}

}  // namespace llmcalc::cli
