// Times the estimator: from a parsed Scenario (the core's own cost) and from JSON text to JSON
// text (what the CLI and the WASM module pay). Budgets: <= 5 us and <= 50 us median.
#include <benchmark/benchmark.h>

#include "llmcalc/api.hpp"
#include "llmcalc/estimate.hpp"
#include "llmcalc/parse.hpp"

namespace {

const char* kInference = R"({"model":"llama-2-7b","workload":{"batch":4,"prompt":3072,"generate":1024}})";
const char* kTraining = R"({"model":"llama-3-8b","mode":"training","workload":{"batch":2,"seq":4096},
    "training":{"checkpointing":"selective","zero_stage":2},"parallelism":{"dp":8}})";

void BM_EstimateTyped(benchmark::State& state, const char* json) {
  const llmcalc::Scenario s = *llmcalc::parse_scenario(json).scenario;
  for (auto _ : state) benchmark::DoNotOptimize(llmcalc::estimate(s));
}

void BM_EstimateNumbers(benchmark::State& state, const char* json) {
  const llmcalc::Scenario s = *llmcalc::parse_scenario(json).scenario;
  for (auto _ : state) benchmark::DoNotOptimize(llmcalc::estimate(s, llmcalc::Detail::numbers));
}

void BM_EstimateJson(benchmark::State& state, const char* json) {
  for (auto _ : state) benchmark::DoNotOptimize(llmcalc::estimate_json(json));
}

BENCHMARK_CAPTURE(BM_EstimateTyped, inference, kInference)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_EstimateTyped, training, kTraining)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_EstimateNumbers, inference, kInference)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_EstimateNumbers, training, kTraining)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_EstimateJson, inference, kInference)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_EstimateJson, training, kTraining)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
