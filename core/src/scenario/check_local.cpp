#include "check_local.hpp"

#include "llmcalc/catalog.hpp"
#include "model/gguf_layout.hpp"
#include "model/gguf_types.hpp"

namespace llmcalc {

void check_local_inference(const Scenario& s, Errors& errors) {
  // llama.cpp refuses a quantized V cache without flash attention (src/llama-context.cpp:
  // "V cache quantization requires flash_attn"); one option sets both -ctk and -ctv here.
  if (s.engine.is(EngineOption::kv_cache_type) && !s.options.flash_attention) {
    const auto kv = size_t(s.engine.get(EngineOption::kv_cache_type, 0));
    const std::string_view name = engine_option_info(EngineOption::kv_cache_type).choices[kv];
    if (name != "f16" && name != "bf16" && name != "f32")
      errors.push_back(make_error("/engine_options/kv_cache_type", ErrorCode::inconsistent,
                                  "a quantized V cache (" + std::string(name) +
                                      ") needs flash attention in llama.cpp: set options.flash_attention "
                                      "true (-fa on) or kv_cache_type f16"));
  }
  const Precision& p = s.precision;
  if (p.gguf_mix.empty()) return;
  if (s.mode == Mode::training) {
    errors.push_back(make_error("/precision/weights", ErrorCode::inconsistent,
                                "GGUF mix " + p.gguf_mix +
                                    " is an inference format (llama.cpp): train in bf16, fp16 "
                                    "or fp32, or nf4/int4 for QLoRA"));
    return;
  }
  const gguf::Mix* mix = gguf::find_mix(p.gguf_mix);
  if (mix == nullptr) {  // the schema's names and gguf_types.json agree (tested)
    errors.push_back(make_error("/precision/weights", ErrorCode::internal,
                                "no GGUF mix " + p.gguf_mix + " in core/data/gguf_types.json"));
    return;
  }
  const auto inventory = tensor_inventory(s.model.arch);
  const auto layout = gguf::apply_mix(*mix, gguf::quant_model_of(s.model, hf_model_type(s.model)), s.model.arch, inventory);
  if (!layout.refused.empty())
    errors.push_back(make_error("/precision/weights", ErrorCode::inconsistent,
                                "llama-quantize cannot store " + layout.refused + " in " + p.gguf_mix +
                                    ": its row length fits no block size of the fallback types"));
}

}  // namespace llmcalc
