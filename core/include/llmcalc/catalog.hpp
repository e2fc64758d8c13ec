#pragma once
// The embedded model and GPU presets (core/data/*), parsed once on first use.

#include <string>
#include <string_view>
#include <vector>

#include "llmcalc/architecture.hpp"
#include "llmcalc/error.hpp"
#include "llmcalc/gpu.hpp"

namespace llmcalc {

// Which parameters a publisher's "active" figure counts (vendors differ on embeddings).
enum class ActiveConvention {
  all,                        // embedding and lm_head included (Qwen, Meta, DeepSeek)
  excluding_input_embedding,  // lm_head included, input embedding not (OpenAI gpt-oss)
  excluding_embeddings,       // neither (MiniMax)
};

struct ModelPreset {
  ModelSpec spec;
  std::string family;
  std::string hf_repo;
  std::string config_source;
  std::string params_source;
  ActiveConvention active_convention = ActiveConvention::all;
  bool published_rounded = false;       // the card rounds its figures ("109B"): compare within it
  bool published_includes_mtp = false;  // the published total counts the MTP layers
};

struct GpuPreset {
  Gpu gpu;
  std::string vendor;
  std::string memory_source;
  std::string bandwidth_source;
  std::string flops_source;
  std::string interconnect;
  std::string interconnect_source;
  std::string efficiency_source;
};

const std::vector<ModelPreset>& model_presets();
const std::vector<GpuPreset>& gpu_presets();
const ModelPreset* find_model(std::string_view id);
const GpuPreset* find_gpu(std::string_view id);

// Problems found while loading the embedded data (empty in a correct build; tested).
const Errors& catalog_errors();

}  // namespace llmcalc
