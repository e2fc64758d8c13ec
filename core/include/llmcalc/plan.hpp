#pragma once
// A fit plan: for a scenario (model, hardware, engine) and what the user wants (a context or
// "as long as fits", a quality floor, a memory margin), the weight format, KV cache type and
// context that fit, ranked, each with its memory, speed and reason, and the commands that run
// the best one. Numbers-only estimates under a fixed budget (kMaxPlanEstimates).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmcalc/report.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

// llama.cpp's own margin when it fits a model to free memory: 1 GiB per device
// (ggml-org/llama.cpp common/common.h @001d906a: fit_params_target = 1024*1024*1024 per device).
inline constexpr double kDefaultPlanMarginBytes = 1024.0 * 1024.0 * 1024.0;
// The shortest context llama.cpp's fitter accepts before it gives up on a GPU placement
// (common/common.h @001d906a: fit_params_min_ctx = 4096); a plan asking for "max" needs it.
inline constexpr int64_t kDefaultPlanMinContext = 4096;
// One plan evaluates at most this many estimates: 40 formats x 8 KV types x ~35 estimates of
// a context bisection is ~11,000; the default lists need ~1,500 (tests/core/analyses/plan_test).
inline constexpr int64_t kMaxPlanEstimates = 12'000;
inline constexpr int64_t kMaxPlanAlternatives = 50;

enum class PlanPrefer { quality, speed };

struct PlanGoals {
  int64_t context = 0;                       // tokens per sequence; 0 = the longest that fits
  int64_t min_context = kDefaultPlanMinContext;  // with context 0: the shortest acceptable
  int min_quality_bits = 0;                  // the floor: nominal bits per weight (0 = none)
  double margin_bytes = kDefaultPlanMarginBytes;  // kept free on each device
  std::vector<std::string> weights;          // candidate weight formats (empty: the engine's list)
  std::vector<std::string> kv_cache;         // candidate KV types (empty: the engine's list)
  PlanPrefer prefer = PlanPrefer::quality;
  int64_t alternatives = 5;                  // ranked alternatives returned besides the best
};

// How the plan's goals are read: one row per goal (JSON key, CLI flag, help), for the CLI's
// flags, the d.ts and the docs.
struct PlanGoalField {
  std::string_view key;   // "context"
  std::string_view flag;  // "--context"
  std::string_view type;  // "integer | \"max\"", "string", "string[]", "number", "integer"
  std::string_view help;
};
std::span<const PlanGoalField> plan_goal_fields();

// Nominal bits per weight of a weight format or quality name: "Q4_K_M" 4, "IQ3_XXS" 3, "Q8_0" 8,
// "F16"/"bf16" 16, "int4" 4, "fp8" 8, and the bare tiers "Q2".."Q8"; 0 when unknown.
int nominal_bits(std::string_view name);

// Where the plan's memory sits: one row per device (the GPU; system RAM too when layers or
// experts are offloaded), each with the margin.
struct PlanDevice {
  std::string device;  // "gpu", "ram"
  std::string name;    // "NVIDIA GeForce RTX 3060 12GB"
  double used_bytes = 0;
  double capacity_bytes = 0;
  double margin_bytes = 0;
  double headroom_bytes = 0;  // capacity - margin - used
};

struct PlanCandidate {
  std::string weights;   // weight format name as the schema spells it ("Q8_0", "int4")
  std::string kv_cache;  // KV type as the engine spells it ("q8_0", "fp8")
  int64_t context = 0;   // tokens per sequence allocated
  bool flash_attention = false;
  // llama.cpp's split when the model does not fit the GPU alone (docs/plan.md, "Offload"):
  // -ngl (-1 = all layers) and --n-cpu-moe (-1 = --cpu-moe); offloaded false = all on the GPU.
  bool offloaded = false;
  int64_t gpu_layers = -1;
  int64_t cpu_moe_layers = 0;
  int quality_bits = 0;
  double weight_bytes = 0;
  bool fits = false;
  std::vector<PlanDevice> devices;
  double decode_tokens_per_s = 0;  // one sequence, at the scenario's prompt (clamped to context)
  double ttft_s = 0;
  std::string why;
  Scenario scenario;  // the scenario the candidate was estimated with
  Report report;      // numbers only
};

struct PlanAnswer {
  bool found = false;
  std::string engine;  // engine id ("generic" when none)
  std::vector<PlanCandidate> ranked;  // fitting candidates, best first (at most 1 + alternatives)
  int64_t fitting = 0;                // how many fit in all
  bool has_closest_miss = false;
  PlanCandidate closest_miss;         // when nothing fits: the smallest shortfall
  double shortfall_bytes = 0;         // closest miss: used + margin - capacity
  std::string explanation;
  int64_t estimates = 0;
  bool stopped = false;  // the estimate budget ran out; a better plan may exist
  std::vector<std::string> notes;
};

// Goals are validated by the caller (plan_json); the scenario is an inference scenario.
PlanAnswer make_plan(const Scenario& s, const PlanGoals& goals);

// The commands that run a candidate with each engine that reads its weight format: llama.cpp
// (llama-server), Ollama (Modelfile + server environment), LM Studio (settings and `lms load`),
// vLLM (`vllm serve`), MLX (`mlx_lm.generate`). Keys are engine ids.
struct PlanCommand {
  std::string engine;                 // "llama.cpp", "ollama", "lm-studio", "vllm", "mlx", ...
  std::string command;                // one runnable line (or the server line)
  std::vector<std::string> lines;     // a file or a settings list (Modelfile, LM Studio)
  std::string note;
};
std::vector<PlanCommand> plan_commands(const PlanCandidate& c);

}  // namespace llmcalc
