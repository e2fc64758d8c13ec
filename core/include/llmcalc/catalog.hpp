#pragma once
// The embedded model and GPU presets (core/data/*), parsed once on first use.

#include <string>
#include <string_view>
#include <vector>

#include "llmcalc/architecture.hpp"
#include "llmcalc/error.hpp"
#include "llmcalc/gpu.hpp"

namespace llmcalc {

struct ModelPreset {
  ModelSpec spec;
  std::string family;
  std::string hf_repo;
  std::string config_source;
  std::string params_source;
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
