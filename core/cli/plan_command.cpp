// `llmcalc plan`: the goals' flags come from the core's goal table (plan_goal_fields); the
// scenario's from the schema. Prints the plan as text (or the API's JSON with --json).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "llmcalc/api.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/plan.hpp"

namespace llmcalc::cli {

using nlohmann::json;

namespace {

std::string dump(const json& j, int indent = -1) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", bytes / 1073741824.0);
  return buf;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

// The goals object from the flags as typed; numbers typed strictly (errors name the flag).
std::optional<json> goals_from_flags(const PlanFlags& flags, Errors& errors) {
  json g = json::object();
  for (const auto& [flag, text] : flags.values) {
    const PlanGoalField* f = nullptr;
    for (const auto& x : plan_goal_fields())
      if (x.flag == flag) f = &x;
    if (f == nullptr) continue;
    const std::string key(f->key), path = "/goals/" + key;
    if (key == "context" && text == "max") g[key] = "max";
    else if (key == "context" || key == "min_context" || key == "alternatives") {
      if (auto n = parse_cli_integer(text, INT64_MIN, INT64_MAX, path, errors)) g[key] = *n;
    } else if (key == "margin_bytes") {
      if (auto n = parse_cli_integer(text, 0, INT64_MAX, path, errors)) g[key] = *n;
    } else if (key == "weights" || key == "kv_cache") {
      g[key] = split_list(text);
    } else {
      g[key] = text;
    }
  }
  if (!errors.empty()) return std::nullopt;
  return g;
}

// Goal errors name their flag after the path, as scenario errors do ("/goals/context (--context)");
// scenario errors lose the /scenario prefix so that print_errors finds their flags.
int print_plan_errors(Errors errors) {
  for (auto& e : errors) {
    if (e.path.rfind("/scenario", 0) == 0) e.path = e.path.substr(9);
    for (const auto& f : plan_goal_fields()) {
      const std::string key = "/goals/" + std::string(f.key);
      if (e.path == key || e.path.rfind(key + "/", 0) == 0) e.path += " (" + std::string(f.flag) + ")";
    }
  }
  return cli::print_errors(errors);
}

int print_plan_errors(const json& envelope) {
  Errors errors;
  for (const auto& e : envelope["errors"])
    errors.push_back({e["path"].get<std::string>(), e["code"].get<std::string>(),
                      e["message"].get<std::string>()});
  return print_plan_errors(std::move(errors));
}

}  // namespace

void add_plan_flags(CLI::App& cmd, PlanFlags& flags) {
  for (const auto& f : plan_goal_fields()) {
    const std::string flag(f.flag);
    cmd.add_option_function<std::string>(
        flag, [&flags, flag](const std::string& v) { flags.values.emplace_back(flag, v); },
        std::string(f.help) + (f.type == "string[]" ? " (comma-separated)" : ""));
  }
}

int run_plan(const ScenarioFlags& scenario_flags, const PlanFlags& flags) {
  Errors errors;
  const auto goals = goals_from_flags(flags, errors);
  if (!goals) return print_plan_errors(std::move(errors));
  const auto scenario = build_scenario(scenario_flags);
  if (!scenario) return 1;
  const json out = json::parse(plan_json(*scenario, dump(*goals)));
  if (!out["ok"].get<bool>()) return print_plan_errors(out);
  if (scenario_flags.json) {
    std::cout << dump(out, 2) << "\n";
    return 0;
  }
  std::cout << out["explanation"].get<std::string>() << "\n";
  const json& ranked = out["ranked"];
  if (!ranked.empty()) {
    std::printf("\n%3s  %-9s %-6s %9s %19s %9s\n", "#", "weights", "KV", "context", "GPU GiB (of)", "tok/s");
    for (size_t i = 0; i < ranked.size(); ++i) {
      const json& c = ranked[i];
      const json& d = c["devices"][0];
      const std::string mem = gib(d["used_bytes"].get<double>()) + " (" + gib(d["capacity_bytes"].get<double>()) + ")";
      std::printf("%3zu  %-9s %-6s %9lld %19s %9.1f\n", i + 1, c["weights"].get<std::string>().c_str(),
                  c["kv_cache"].get<std::string>().c_str(),
                  static_cast<long long>(c["context"].get<int64_t>()), mem.c_str(),
                  c["decode_tokens_per_s"].get<double>());
    }
    std::cout << "\nWhy: " << ranked[0]["why"].get<std::string>() << "\n";
  } else if (out.contains("closest_miss")) {
    std::cout << "\nClosest: " << out["closest_miss"]["why"].get<std::string>() << "\n";
  }
  if (out.contains("commands")) {
    std::cout << "\nCommands:\n";
    for (const auto& c : out["commands"]) {
      std::cout << "  " << c["engine"].get<std::string>() << ": " << c["command"].get<std::string>() << "\n";
      if (c.contains("lines"))
        for (const auto& l : c["lines"]) std::cout << "      " << l.get<std::string>() << "\n";
      if (c.contains("note")) std::cout << "    (" << c["note"].get<std::string>() << ")\n";
    }
  }
  for (const auto& n : out["notes"]) std::cout << "Note: " << n.get<std::string>() << "\n";
  return 0;
}

}  // namespace llmcalc::cli
