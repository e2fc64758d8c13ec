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
  std::string released;         // first public release: "YYYY-MM-DD", or "YYYY-MM"; "" unknown
  std::string released_source;  // the announcement (or model card) the date is read from
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

// System RAM: a preset of core/data/host_memory.json (issue 15: offload to RAM).
struct HostMemoryPreset {
  std::string id;                    // "ddr5-5600-2ch"
  std::string name;
  double bandwidth_bytes_per_s = 0;  // peak: channels x 8 B x MT/s
  double cpu_read_efficiency = 0;    // the fraction of it a llama.cpp CPU decode reads at (measured)
  std::string source;
};

// A CPU: its FP32 FMA peak, cores x FLOP per cycle per core x base clock (core/data/
// host_memory.json `cpus`), the bound on the matmuls llama.cpp runs on the CPU.
struct CpuPreset {
  std::string id;  // "ryzen-9-7950x"
  std::string name;
  double flops = 0;  // FLOP/s
  std::string source;
};

// A unified-memory machine (core/data/unified: Apple M-series, Strix Halo, DGX Spark): the CPU
// and GPU share one pool; the GPU may use a share of it that depends on the RAM size.
struct UnifiedPreset {
  Gpu gpu;  // memory_bytes 0: the scenario sets it from the RAM size and gpu_share()
  std::vector<double> memory_options_bytes;  // RAM sizes sold
  double share_up_to_bytes = 0;  // the share is share_small up to this RAM size, else share_large
  double share_small = 1.0;       // 0: no default share (the scenario must give the limit)
  double share_large = 1.0;
  std::string memory_source, bandwidth_source, flops_source, share_source;
  // Bytes the GPU may use by default with `ram` bytes of memory.
  double gpu_share_bytes(double ram) const {
    return ram * (ram <= share_up_to_bytes ? share_small : share_large);
  }
};

const std::vector<ModelPreset>& model_presets();
const std::vector<GpuPreset>& gpu_presets();
const std::vector<UnifiedPreset>& unified_presets();
const UnifiedPreset* find_unified(std::string_view id);
const ModelPreset* find_model(std::string_view id);
// config.json's model_type of a model: a preset's family, an imported config's ("hf:<type>"
// ids), "" for an architecture given as such. llama.cpp lays out a family's GGUF its own way.
std::string_view hf_model_type(const ModelSpec& m);
const GpuPreset* find_gpu(std::string_view id);

const std::vector<HostMemoryPreset>& host_memory_presets();
const HostMemoryPreset* find_host_memory(std::string_view id);
const std::vector<CpuPreset>& cpu_presets();
const CpuPreset* find_cpu(std::string_view id);
// Problems in host_memory.json (empty in a correct build; tested).
const Errors& host_memory_errors();

// Problems found while loading the embedded data (empty in a correct build; tested).
const Errors& catalog_errors();

}  // namespace llmcalc
