// What a plan may choose from: the weight formats and KV types an engine reads, their nominal
// quality, and how a choice is written into a scenario (through the schema's own store
// functions, so the plan's scenarios are ones a user could have typed).
#include "plan_candidates.hpp"

#include <cctype>

#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc {
namespace {

using O = EngineOption;

// llama.cpp: the mixes published for nearly every model (the rows of llama.cpp's
// tools/quantize/README.md size/perplexity table and of the common GGUF uploads), best first.
constexpr std::string_view kGgufWeights[] = {
    "F16",   "Q8_0",   "Q6_K",    "Q5_K_M", "Q5_K_S",  "Q4_K_M", "Q4_K_S",
    "IQ4_XS", "Q3_K_L", "Q3_K_M", "Q3_K_S", "IQ3_XXS", "Q2_K",   "IQ2_M",
    "IQ2_XS", "IQ2_XXS", "IQ1_M", "IQ1_S"};
// Ollama's server takes these three KV types (docs/faq.md: OLLAMA_KV_CACHE_TYPE f16, q8_0,
// q4_0); llama.cpp has more (-ctk/-ctv), which a plan's kv_cache goal may name.
constexpr std::string_view kGgufKv[] = {"f16", "q8_0", "q4_0"};
// Serving engines load bf16 checkpoints, quantize to fp8 online (vLLM --quantization fp8) or
// load int4 (AWQ/GPTQ) checkpoints; KV in the model dtype or fp8 (--kv-cache-dtype fp8).
constexpr std::string_view kServingWeights[] = {"bf16", "fp8", "int4"};
constexpr std::string_view kServingKv[] = {"bf16", "fp8"};
constexpr std::string_view kGenericWeights[] = {"bf16", "fp8", "int8", "int4"};

void mark_given(Scenario& s, std::string_view pointer) {
  const Field* f = find_field(pointer);
  if (f != nullptr && !s.gave(f->pointer)) s.given.push_back(f->pointer);
}

// Sets a choice field through its schema store function, as the reader would.
bool store_choice(Scenario& s, std::string_view pointer, std::string_view name) {
  const Field* f = find_field(pointer);
  if (f == nullptr || f->choices == nullptr || f->store == nullptr) return false;
  const auto v = f->choices->parse(name);
  if (!v) return false;
  FieldValue fv;
  fv.choice = *v;
  f->store(s, fv);
  mark_given(s, f->pointer);
  return true;
}

}  // namespace

PlanFamily plan_family(const Scenario& s) {
  if (s.engine.active && s.engine.profile != nullptr) {
    if (s.engine.profile->policy == MemoryPolicy::fixed_context) return PlanFamily::gguf;
    if (s.engine.serving()) return PlanFamily::serving;
  }
  return PlanFamily::generic;
}

std::vector<std::string> default_weights(PlanFamily f) {
  std::vector<std::string> out;
  auto add = [&](auto& list) {
    for (auto n : list) out.emplace_back(n);
  };
  if (f == PlanFamily::gguf) add(kGgufWeights);
  else if (f == PlanFamily::serving) add(kServingWeights);
  else add(kGenericWeights);
  return out;
}

std::vector<std::string> default_kv(PlanFamily f) {
  std::vector<std::string> out;
  auto add = [&](auto& list) {
    for (auto n : list) out.emplace_back(n);
  };
  if (f == PlanFamily::gguf) add(kGgufKv);
  else add(kServingKv);
  return out;
}

int nominal_bits(std::string_view name) {
  std::string n(name);
  for (auto& c : n) c = char(std::toupper(static_cast<unsigned char>(c)));
  if (n == "F32" || n == "FP32" || n == "TF32") return 32;
  if (n == "F16" || n == "FP16" || n == "BF16") return 16;
  if (n == "FP8" || n == "INT8" || n == "Q8") return 8;
  if (n == "INT4" || n == "NF4" || n == "FP4" || n == "MXFP4_MOE" || n == "MXFP4") return 4;
  // llama.cpp's names carry their nominal bit width after the Q: Q4_K_M, IQ3_XXS, TQ1_0.
  size_t i = 0;
  if (n.rfind("IQ", 0) == 0 || n.rfind("TQ", 0) == 0) i = 2;
  else if (n.rfind("Q", 0) == 0) i = 1;
  else return 0;
  if (i >= n.size() || !std::isdigit(static_cast<unsigned char>(n[i]))) return 0;
  const int bits = n[i] - '0';
  if (i + 1 < n.size() && n[i + 1] != '_') return 0;  // "Q45" is no name
  return bits >= 1 && bits <= 8 ? bits : 0;
}

bool valid_weights(PlanFamily f, std::string_view name) {
  const Field* w = find_field("/precision/weights");
  const auto v = w->choices->parse(name);
  if (!v) return false;
  return (*v >= kGgufMixBase) == (f == PlanFamily::gguf);
}

bool valid_kv(PlanFamily f, std::string_view name) {
  if (f == PlanFamily::gguf) {
    for (auto c : engine_option_info(O::kv_cache_type).choices)
      if (c == name) return true;
    return false;
  }
  return find_field("/precision/kv_cache")->choices->parse(name).has_value();
}

bool kv_quantized(PlanFamily f, std::string_view kv) {
  if (f != PlanFamily::gguf) return false;
  return kv != "f16" && kv != "bf16" && kv != "f32";
}

bool apply_choice(Scenario& s, PlanFamily f, std::string_view weights, std::string_view kv,
                  bool flash_attention) {
  if (!store_choice(s, "/precision/weights", weights)) return false;
  if (f == PlanFamily::gguf) {
    const auto choices = engine_option_info(O::kv_cache_type).choices;
    size_t idx = choices.size();
    for (size_t i = 0; i < choices.size(); ++i)
      if (choices[i] == kv) idx = i;
    if (idx == choices.size()) return false;
    s.engine.options.set(O::kv_cache_type, double(idx));
  } else if (!store_choice(s, "/precision/kv_cache", kv)) {
    return false;
  }
  s.options.flash_attention = flash_attention;
  mark_given(s, "/options/flash_attention");
  resolve_defaults(s);  // group size, fp8 activations, ... follow the new weights
  return true;
}

void apply_offload(Scenario& s, int64_t gpu_layers, int64_t cpu_moe_layers) {
  s.offload.enabled = true;
  s.offload.gpu_layers = gpu_layers;
  s.offload.cpu_moe_layers = cpu_moe_layers;
  mark_given(s, "/offload/gpu_layers");
  mark_given(s, "/offload/cpu_moe_layers");
}

void apply_context(Scenario& s, PlanFamily f, int64_t ctx) {
  // The workload stays the user's, shortened to fit in the context: speed is quoted for it.
  Workload& w = s.workload;
  w.generate = std::min<int64_t>(w.generate, ctx - 1);
  if (f == PlanFamily::generic) w.prompt = ctx - w.generate;  // the context is the sequence
  else w.prompt = std::max<int64_t>(1, std::min<int64_t>(w.prompt, ctx - w.generate));
  if (f == PlanFamily::gguf) s.engine.options.set(O::num_ctx, double(ctx));
  else if (f == PlanFamily::serving) s.engine.options.set(O::max_model_len, double(ctx));
}

}  // namespace llmcalc
