#pragma once
// A scenario: everything a user states about a run. Built only by parse_scenario(), which
// validates every field, so the analyses can trust it. Field names, ranges and defaults are
// declared once in the schema (llmcalc/schema.hpp); the initializers below equal its static
// defaults (tested).

#include <cstdint>
#include <string>
#include <vector>

#include "llmcalc/architecture.hpp"
#include "llmcalc/dtype.hpp"
#include "llmcalc/engine.hpp"
#include "llmcalc/gpu.hpp"

namespace llmcalc {

enum class Mode { inference, training };
// rules_of_thumb: the seed documents' rules of thumb; `seed` is its old name (kept so that
// code, links and scenarios that say "seed" still work).
enum class Method { detailed, rules_of_thumb, seed = rules_of_thumb };
enum class ActivationMethod { detailed, korthikanti, rules_of_thumb, seed = rules_of_thumb };
enum class Optimizer { adamw, adamw_8bit, adafactor, sgd, sgd_momentum, lion };
enum class Checkpointing { none, selective, full };
enum class Finetune { full, lora, qlora };
enum class LogitsScope { all, last };
// The GPU backend llama.cpp was built with: it sets the cost of each hand-over between devices
// (offload). cuda also stands for ROCm (ggml-hip compiles the ggml-cuda sources).
enum class GpuBackend { cuda, vulkan, sycl };

struct Precision {
  Dtype weights = Dtype::bf16;
  // A llama.cpp quantization mix ("Q4_K_M": llama-quantize's file type) when the weights are
  // stored as GGUF; empty otherwise. Each tensor's type then follows llama.cpp's recipe and
  // `weights` is fp16 (only the matmul dtype reads it there, and that follows activations).
  std::string gguf_mix;
  // weights "checkpoint" (or left out): the checkpoint's own formats where it has them.
  bool as_checkpoint = false;
  int64_t group_size = 0;  // int4/int8: scale group size; 0 = one scale per output channel
  Dtype kv_cache = Dtype::bf16;
  Dtype activations = Dtype::bf16;
  Dtype gradients = Dtype::bf16;
  bool master_weights = true;  // fp32 copy of trainable weights (mixed precision)
  Dtype optimizer_states = Dtype::fp32;
  bool operator==(const Precision&) const = default;
};

struct Workload {
  int64_t batch = 1;           // sequences per forward pass per model replica (training: micro-batch)
  int64_t seq = 2048;          // training sequence length
  int64_t prompt = 1024;       // inference prompt tokens
  int64_t generate = 256;      // inference generated tokens
  int64_t grad_accum = 1;      // training: micro-batches per optimizer step
  double tokens_budget = 0;    // training: tokens to train on, for run time and cost (0 = none)
  bool operator==(const Workload&) const = default;
};

struct Lora {
  int64_t rank = 16;
  std::vector<std::string> targets;  // module names; expanded from "all-linear" at parse time
  bool operator==(const Lora&) const = default;
};

struct Training {
  Optimizer optimizer = Optimizer::adamw;
  Checkpointing checkpointing = Checkpointing::none;
  Finetune finetune = Finetune::full;
  Lora lora;
  int64_t zero_stage = 0;
  bool operator==(const Training&) const = default;
};

struct Parallelism {
  int64_t tp = 1;
  int64_t pp = 1;
  int64_t dp = 1;
  bool sequence_parallel = false;
  bool operator==(const Parallelism&) const = default;
};

// Named constants the estimate adds on top of tensors; every one overridable per scenario.
struct RuntimeOverhead {
  double cuda_context_bytes = 0;      // driver context + kernels loaded by the framework
  double workspace_bytes = 0;         // cuBLAS / attention library workspaces
  double comm_buffer_bytes = 0;       // NCCL / custom all-reduce buffers (engine, tp > 1)
  double fragmentation_fraction = 0;  // caching-allocator slack, fraction of tensor bytes
  double step_overhead_s = 0;         // fixed per forward step: launches, framework (latency)
  bool operator==(const RuntimeOverhead&) const = default;
};

// Default chance that a draft token of speculative decoding is accepted: the DeepSeek-V3
// technical report (arXiv:2412.19437, multi-token prediction evaluation) measures 85% to 90%
// for the second token its MTP module predicts; the low end.
inline constexpr double kDefaultAcceptanceRate = 0.85;

struct Options {
  ActivationMethod activation_method = ActivationMethod::detailed;
  bool flash_attention = true;         // fused attention: no materialized score matrix
  LogitsScope logits = LogitsScope::last;  // inference: logits for the last position only, or all
  int64_t prefill_chunk = 0;           // inference: prompt tokens per prefill step (0 = whole prompt)
  int64_t kv_page_tokens = 0;          // paged KV cache block size in tokens (0 = not paged)
  bool cuda_graphs = false;            // decode launched as a CUDA graph: no per-step overhead
  bool load_mtp = false;               // inference: the engine loads the model's next-token-
                                       // prediction (MTP) layers, for speculative decoding
  int64_t speculative_tokens = 0;      // inference, load_mtp: draft tokens per step (0 = one per
                                       // MTP layer, vLLM's default num_speculative_tokens)
  double acceptance_rate = kDefaultAcceptanceRate;     // inference, load_mtp: chance each draft token is accepted
  double price_per_gpu_hour = 0;       // user's price, for cost figures (0 = no cost)
  double training_efficiency = 0.70;   // end-to-end fraction of the roofline step rate a
                                       // training framework reaches (calibrated, see docs)
  bool operator==(const Options&) const = default;
};

// llama.cpp's split of one model between the GPU and system RAM (docs/local.md, "Offload").
// Set only when the scenario gives /offload; otherwise everything is on the GPU(s).
struct Offload {
  bool enabled = false;         // the scenario gave /offload/gpu_layers or /offload/cpu_moe_layers
  int64_t gpu_layers = -1;      // -ngl: layer slots on the GPU, the output layer counting as one
                                // (num_layers + 1 = all); -1 = all
  int64_t cpu_moe_layers = 0;   // --n-cpu-moe N: routed experts of layers 0..N-1 stay in RAM;
                                // -1 = every layer (--cpu-moe)
  std::vector<double> tensor_split;  // --tensor-split: one weight per GPU (hardware.gpu, then
                                     // extra_gpus); empty = each GPU's memory size
  GpuBackend backend = GpuBackend::cuda;  // the build's GPU backend (default: vulkan for Intel GPUs)
  bool operator==(const Offload&) const = default;
};

// PCIe 4.0 x16, one direction: 16 GT/s x 16 lanes x 128/130 (encoding) / 8 bits = 31.5 GB/s
// (PCI-SIG PCI Express Base Specification 4.0; the link of RTX 30/40-series cards).
inline constexpr double kPcie4x16BytesPerS = 16e9 * 16.0 * 128.0 / 130.0 / 8.0;
// A desktop with 2 x 32 GB DIMMs; the report shows it as the RAM device's capacity.
inline constexpr double kDefaultHostMemoryBytes = 64.0 * 1073741824.0;

// The machine's system RAM and its link to the GPU: where offloaded tensors live.
struct HostMemory {
  std::string id = "ddr5-5600-2ch";          // core/data/host_memory.json preset
  std::string name;                          // the preset's display name
  double memory_bytes = kDefaultHostMemoryBytes;  // system RAM size
  double bandwidth_bytes_per_s = 0;          // peak RAM bandwidth (channels x 8 B x MT/s)
  double read_efficiency = 0;                // fraction of peak the CPU part reads at: the scenario's
                                             // ram_read_efficiency, else the preset's
  double pcie_bandwidth_bytes_per_s = kPcie4x16BytesPerS;  // host <-> GPU, one direction (0:
                                                           // one pool, nothing to copy)
  bool unified = false;       // hardware.gpu names a unified-memory machine (core/data/unified)
  double gpu_limit_bytes = 0; // unified: the GPU's wired limit (iogpu.wired_limit_mb); 0 = default
  std::string cpu_id;         // core/data/host_memory.json `cpus` preset; empty = none
  double cpu_flops = 0;       // CPU matmul peak (FLOP/s) for layers computed on the CPU; 0 = not
                              // bounded (bandwidth only)
  bool operator==(const HostMemory&) const = default;
};

// The engine the scenario runs on: its profile and the option values in force (the profile's
// defaults, then the scenario's engine_options). `active` is false when the engine cannot run
// the scenario (a serving engine in training mode, TensorRT-LLM on an AMD GPU): the report
// says why and the estimate falls back to the generic model.
struct EngineSettings {
  const EngineProfile* profile = nullptr;  // catalog-owned; null = generic
  EngineOptionValues options;
  bool active = false;
  std::string inactive_reason;

  std::string_view id() const { return profile != nullptr ? std::string_view(profile->id) : "generic"; }
  bool is(EngineOption o) const { return active && options.defined(o); }
  double get(EngineOption o, double fallback) const { return is(o) ? options.get(o) : fallback; }
  bool flag(EngineOption o) const { return is(o) && options.get(o) != 0; }
  bool serving() const {
    return active && profile != nullptr && profile->policy != MemoryPolicy::none;
  }
};

struct Scenario {
  ModelSpec model;
  Mode mode = Mode::inference;
  Method method = Method::detailed;
  Precision precision;
  Workload workload;
  Training training;
  Parallelism parallelism;
  Gpu gpu;
  int64_t gpu_count = 1;
  // More GPUs in the same machine that llama.cpp splits the layers over (hardware.extra_gpus),
  // in device order after `gpu`; empty = one GPU. Only with llama.cpp's split (offload).
  std::vector<Gpu> extra_gpus;
  HostMemory host;
  Offload offload;
  RuntimeOverhead overhead;
  Options options;

  // What the reader saw, for resolve_defaults(): the JSON pointers of the fields and objects
  // the input gave (schema literals).
  std::vector<std::string_view> given;
  bool gave(std::string_view pointer) const;
  // The weights are the checkpoint's own formats (quantization_config, hf_quant_config.json,
  // GGUF tensor types): weights left out or given as "checkpoint".
  bool weights_as_checkpoint() const;
  // Inputs that do not apply to this scenario (training flags in inference, LoRA targets the
  // model lacks): the estimate copies them into the report's notes.
  std::vector<std::string> input_notes;
  EngineSettings engine;
};

std::string_view mode_name(Mode m);
std::string_view method_name(Method m);
std::string_view activation_method_name(ActivationMethod m);
std::string_view optimizer_name(Optimizer o);
std::string_view checkpointing_name(Checkpointing c);
std::string_view finetune_name(Finetune f);

}  // namespace llmcalc
