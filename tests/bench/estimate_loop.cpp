// Runs estimate() N times on the benchmark scenarios, for instruction counts under callgrind
// (scripts/bench_instructions.sh): a measure that, unlike wall time on a shared VM, does not
// move between runs.
//   estimate_loop inference|training|json-inference|json-training|sweep-gpu|sweep-context N
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "llmcalc/api.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/estimate.hpp"
#include "llmcalc/parse.hpp"

namespace {

const char* kInference = R"({"model":"llama-2-7b","workload":{"batch":4,"prompt":3072,"generate":1024}})";
const char* kTraining = R"({"model":"llama-3-8b","mode":"training","workload":{"batch":2,"seq":4096},
    "training":{"checkpointing":"selective","zero_stage":2},"parallelism":{"dp":8}})";

// Not inlined, so that callgrind can count exactly this loop (--toggle-collect).
__attribute__((noinline)) std::size_t typed_loop(const llmcalc::Scenario& s, int n) {
  std::size_t sink = 0;
  for (int i = 0; i < n; ++i) sink += llmcalc::estimate(s).memory.items.size();
  return sink;
}

__attribute__((noinline)) std::size_t json_loop(const char* text, int n) {
  std::size_t sink = 0;
  for (int i = 0; i < n; ++i) sink += llmcalc::estimate_json(text).size();
  return sink;
}

// The page's chart sweeps: every GPU preset, and ten context lengths (compact answers).
__attribute__((noinline)) std::size_t sweep_loop(const char* text, const std::string& spec, int n) {
  std::size_t sink = 0;
  for (int i = 0; i < n; ++i) sink += llmcalc::sweep_json(text, spec).size();
  return sink;
}

std::string gpu_sweep_spec() {
  std::string spec = R"({"vary":"gpu","compact":true,"values":[)";
  for (const auto& g : llmcalc::gpu_presets()) {
    if (spec.back() != '[') spec += ',';
    spec += '"' + g.gpu.id + '"';
  }
  return spec + "]}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: estimate_loop inference|training|json-inference|json-training|sweep-gpu|sweep-context N\n");
    return 2;
  }
  const std::string_view what = argv[1];
  const int n = std::atoi(argv[2]);
  const char* text = what.ends_with("training") ? kTraining : kInference;
  // One call first, outside the counted loop: it parses the model and GPU presets.
  std::size_t sink = llmcalc::estimate_json(text).size();
  if (what.starts_with("sweep")) {
    const std::string spec = what == "sweep-gpu"
        ? gpu_sweep_spec()
        : R"({"vary":"prompt","compact":true,"values":[256,512,1024,2048,3072,8192,16384,32768,65536,131072]})";
    sink += llmcalc::sweep_json(text, spec).size();  // parses every preset it names
    sink += sweep_loop(text, spec, n);
  } else if (what.starts_with("json")) {
    sink += json_loop(text, n);
  } else {
    const auto parsed = llmcalc::parse_scenario(text);
    if (!parsed.scenario) return 1;
    sink += typed_loop(*parsed.scenario, n);
  }
  std::printf("%zu\n", sink);
  return 0;
}
