#pragma once
// The choices a plan enumerates, by the kind of engine that runs them, and how one is written
// into a scenario.

#include <string>
#include <string_view>
#include <vector>

#include "llmcalc/plan.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

// gguf: llama.cpp / Ollama (GGUF mixes, llama.cpp KV types, a fixed n_ctx);
// serving: vLLM / SGLang / TensorRT-LLM (dtypes, a KV pool sized by max_model_len);
// generic: no engine (dtypes; the workload's sequence is the context).
enum class PlanFamily { gguf, serving, generic };

PlanFamily plan_family(const Scenario& s);
std::vector<std::string> default_weights(PlanFamily f);  // best first
std::vector<std::string> default_kv(PlanFamily f);       // best first
bool valid_weights(PlanFamily f, std::string_view name);
bool valid_kv(PlanFamily f, std::string_view name);
// A quantized V cache, which llama.cpp runs only with flash attention.
bool kv_quantized(PlanFamily f, std::string_view kv);

// Writes a weight format, a KV type and the attention kernel into s and re-derives the
// defaults that follow them; false when a name is not one the family reads.
bool apply_choice(Scenario& s, PlanFamily f, std::string_view weights, std::string_view kv,
                  bool flash_attention);
// llama.cpp's split (docs/local.md, "Offload"): -ngl gpu_layers (-1 = all), --n-cpu-moe
// cpu_moe_layers (-1 = --cpu-moe), as if the user had given /offload.
void apply_offload(Scenario& s, int64_t gpu_layers, int64_t cpu_moe_layers);
// Sets the context (n_ctx, max_model_len, or the sequence) and fits the workload inside it.
void apply_context(Scenario& s, PlanFamily f, int64_t ctx);

}  // namespace llmcalc
