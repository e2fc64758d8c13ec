// Native side of the WASM parity test and benchmark (tests/parity/parity.mjs,
// scripts/bench_wasm.sh). Same adapters as the WASM module, compiled natively.
//
//   llmcalc_parity                 JSONL on stdin: one request per line, as
//                                  {"fn":"estimate|sweep|solve|import_hf_config|export_hf_config",
//                                   "scenario":"<text>","arg":"<text>"} (texts, passed verbatim);
//                                  writes the core's JSON text answer per line on stdout.
//   llmcalc_parity bench FILE N    times estimate_json and a 1,000-point batch sweep of the
//                                  scenario in FILE, N repetitions; prints JSON medians (us).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "llmcalc/api.hpp"

namespace {

std::string answer(const std::string& line) {
  const nlohmann::json req = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!req.is_object() || !req.contains("fn") || !req["fn"].is_string())
    return R"({"driver_error":"bad request line"})";
  const std::string fn = req["fn"].get<std::string>();
  const std::string scenario = req.value("scenario", std::string());
  const std::string arg = req.value("arg", std::string());
  try {
    if (fn == "estimate") return llmcalc::estimate_json(scenario);
    if (fn == "sweep") return llmcalc::sweep_json(scenario, arg);
    if (fn == "solve") return llmcalc::solve_json(scenario, arg);
    if (fn == "import_hf_config") return llmcalc::import_hf_config_json(arg);
    if (fn == "export_hf_config") return llmcalc::export_hf_config_json(arg);
  } catch (const std::exception& e) {
    // Same envelope code as the WASM boundary's catch-all (wasm/llmcalc_wasm.cpp).
    return R"({"errors":[{"code":"internal","message":"exception","path":""}],"ok":false})";
  }
  return R"({"driver_error":"unknown fn"})";
}

template <typename F>
double median_us(int n, F&& f) {
  std::vector<double> t;
  t.reserve(n);
  for (int i = 0; i < n; ++i) {
    const auto a = std::chrono::steady_clock::now();
    f();
    const auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double, std::micro>(b - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

int bench(const char* file, int n) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string scenario = ss.str();
  std::string spec = R"({"vary":"batch","compact":true,"values":[)";
  for (int i = 1; i <= 1000; ++i) spec += (i > 1 ? "," : "") + std::to_string(i);
  spec += "]}";
  size_t sink = 0;
  for (int i = 0; i < 20; ++i) sink += llmcalc::estimate_json(scenario).size();  // warm-up
  const double est = median_us(n, [&] { sink += llmcalc::estimate_json(scenario).size(); });
  const double sw =
      median_us(std::max(3, n / 100), [&] { sink += llmcalc::sweep_json(scenario, spec).size(); });
  std::cout << "{\"estimate_us\":" << est << ",\"sweep1000_us\":" << sw << ",\"sink\":" << sink
            << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "bench") {
    if (argc < 3) {
      std::cerr << "usage: llmcalc_parity bench SCENARIO_FILE [N]\n";
      return 2;
    }
    return bench(argv[2], argc >= 4 ? std::max(1, std::atoi(argv[3])) : 2000);
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::cout << answer(line) << '\n';
  }
  return 0;
}
