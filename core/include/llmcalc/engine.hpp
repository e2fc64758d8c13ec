#pragma once
// Engine profiles: what a serving or training stack adds around the tensors (runtime memory,
// its KV-memory policy, its speed constants and the options a user can override), read from
// core/data/engines/*.json, where every constant carries its source.

#include <array>
#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmcalc/error.hpp"

namespace llmcalc {

// How a serving engine sizes its KV cache.
enum class MemoryPolicy : uint8_t {
  none,                  // the KV cache holds what the workload needs (generic, HF generate)
  utilization_of_total,  // vLLM: utilization x total - weights - non-torch - profile peak
  static_fraction,       // SGLang: mem_fraction_static x total - weights - non-torch
  fraction_of_free,      // TensorRT-LLM: fraction x (free memory after weights and workspace)
  fixed_context,         // llama.cpp / Ollama: the cache is allocated for n_ctx up front
};

// Options an engine may have. A profile lists the ones it has, with their defaults; a
// scenario's engine_options may set only those.
enum class EngineOption : uint8_t {
  gpu_memory_utilization,    // vLLM, fraction of total GPU memory
  mem_fraction_static,       // SGLang, fraction of total GPU memory
  free_gpu_memory_fraction,  // TensorRT-LLM, fraction of free memory for the KV cache
  max_model_len,             // serving: longest sequence (0 = the workload's prompt + generate)
  max_num_seqs,              // vLLM: sequences in the profiling run / scheduler cap
  max_num_batched_tokens,    // vLLM: tokens per step: the profiling run's, V1's prefill budget (0 = the default)
  block_size,                // tokens per KV block
  kv_cache_type,             // llama.cpp / Ollama: f16 | q8_0 | q4_0
  flash_attn,                // llama.cpp / Ollama: fused attention
  num_ctx,                   // llama.cpp n_ctx / Ollama num_ctx (0 = the workload's context)
  num_parallel,              // llama.cpp / Ollama: parallel sequences (n_ctx x this is allocated)
  n_ubatch,                  // llama.cpp: physical batch that sizes the compute buffer
  adapter_dtype,             // training: LoRA adapter dtype fp32 | bf16
  kbit_upcast,               // training: peft prepare_model_for_kbit_training fp32 upcast
  chunked_cross_entropy,     // training: logits upcast one chunk at a time (0 = off)
  optimizer_in_backward,     // training: each gradient freed right after its optimizer step
  activation_offload,        // training: saved activations to CPU
  cpu_offload,               // training: FSDP/ZeRO offload of params, grads, optimizer states
  shard_frozen_base,         // training: ZeRO-3/FSDP also shards a frozen LoRA/QLoRA base
  paged_optimizer,           // training: optimizer states in CUDA unified memory (bitsandbytes)
  compile,                   // training: torch.compile fuses elementwise chains (fewer saved tensors)
  free_logits_before_backward,  // training: logits and loss tensors freed before the layers' backward
  xqa,                       // TensorRT-LLM: XQA generation attention for GQA/MQA (v0.8 and later)
  chunked_prefill_size,      // SGLang: prompt tokens per prefill step (0 = by the GPU's memory)
};
inline constexpr int kEngineOptionCount = 24;

enum class OptionType : uint8_t { fraction, integer, boolean, choice };

struct EngineOptionInfo {
  EngineOption option;
  std::string_view name;  // key in engine_options and in a profile's "options"
  OptionType type;
  int64_t min = 0, max = 0;  // integer options
  std::span<const std::string_view> choices;  // choice options; the value is the index
  std::string_view doc;
  bool zero_derived = false;  // fraction options: 0 means "the engine derives it" (see the profile)
};
std::span<const EngineOptionInfo> engine_options();
const EngineOptionInfo& engine_option_info(EngineOption o);
const EngineOptionInfo* find_engine_option(std::string_view name);

// Option values: fractions as numbers, integers and booleans as numbers, choices as indices.
struct EngineOptionValues {
  std::array<double, kEngineOptionCount> value{};
  std::bitset<kEngineOptionCount> has;
  bool defined(EngineOption o) const { return has[static_cast<size_t>(o)]; }
  double get(EngineOption o) const { return value[static_cast<size_t>(o)]; }
  void set(EngineOption o, double v) {
    value[static_cast<size_t>(o)] = v;
    has[static_cast<size_t>(o)] = true;
  }
};

// A GPU-specific value (e.g. the CUDA context of a V100 under CUDA 11).
struct GpuValue {
  std::string gpu_id;
  double value = 0;
};

// SGLang's default mem_fraction_static (option value 0): the MiB it reserves outside weights and
// the KV pool, from the GPU's memory (nvidia-smi, MiB) and the parallel size.
struct FractionBucket {
  double below_mib = 0;  // this bucket when the GPU has less; 0: every larger GPU
  int64_t chunked_prefill_size = 0;
  int64_t cuda_graph_max_bs = 0, cuda_graph_max_bs_tp4 = 0;  // tp < 4, tp >= 4
};
struct DerivedFraction {
  double base_mib = 0, mib_per_prefill_token = 0, mib_per_graph_batch = 0, mib_per_rank = 0;
  double floor_mib = 0, floor_above_mib = 0;
  int64_t min_prefill_tokens = 0;
  std::vector<FractionBucket> buckets;  // empty: the profile derives nothing
};

// vLLM V1's serving defaults for the profile run, by the GPU's memory (EngineArgs
// get_batch_defaults): the first tier whose floor the GPU reaches and whose excluded name it
// does not carry.
struct BatchDefaultTier {
  double min_memory_bytes = 0;
  std::string except_name;  // a GPU whose name holds this (case-insensitive) skips the tier
  int64_t max_num_batched_tokens = 0, max_num_seqs = 0;
};

struct EngineProfile {
  std::string id;
  std::string name;
  bool inference = false, training = false;  // modes it runs
  std::vector<std::string> vendors;          // GPU vendors it runs on; empty = any
  MemoryPolicy policy = MemoryPolicy::none;
  EngineOptionValues options;  // the options it has, with their defaults

  // Fixed memory per GPU. A negative value means "the profile does not set it" (generic
  // defaults apply).
  double cuda_context_bytes = -1;               // context + framework memory outside the allocator
  std::vector<GpuValue> cuda_context_bytes_by_gpu;
  double workspace_bytes = -1;                  // cuBLAS / attention workspaces
  double tp_comm_bytes = 0;                     // per GPU when tp > 1: NCCL + custom all-reduce
  double tp_workspace_bytes = 0;                // per GPU when tp > 1, with the workspaces (vLLM V1:
                                                // communicator buffers made at the first collective)
  double cuda_graph_bytes = 0;                  // captured decode graphs (outside the KV pool)
  double compute_buffer_other_bytes = 0;        // llama.cpp: compute buffer besides KQ and mask
  int64_t min_batched_tokens = 0;               // vLLM V0: max_num_batched_tokens floor
  double sampler_bytes_per_logit = 0;           // vLLM profile run: sampler working set per (seq, vocab)
  // vLLM V1: the budget's baseline is taken after the CUDA context and the communicators, so
  // the context and TP buffers lie outside utilization x total (only the workspaces inside).
  bool context_outside_budget = false;
  std::vector<BatchDefaultTier> batch_defaults;  // empty: V0's max(max_model_len, floor) / 256
  DerivedFraction mem_fraction_default;         // SGLang: mem_fraction_static when the option is 0

  // Speed.
  double step_overhead_s_per_layer = -1;  // host time per layer per forward step (-1: generic)
  // The same where the GPU differs: the host launches every kernel, so its time is the host
  // CPU's (desktop cards sit in desktops with high-clock CPUs, datacenter cards in servers).
  std::vector<GpuValue> step_overhead_s_per_layer_by_gpu;
  // With CUDA graphs: GPU time per layer per step the graph does not remove (each kernel's
  // fixed cost at batch-1 sizes); -1: none (generic: graphs zero the step overhead).
  double graph_step_overhead_s_per_layer = -1;
  // Fraction of the datasheet bandwidth the engine's weight kernels reach, by weight dtype
  // name ("bf16", "int8", "int4"); replaces the GPU's copy-benchmark efficiency.
  std::vector<std::pair<std::string, double>> weight_bandwidth_efficiency;
  double allreduce_latency_s = -1;  // per all-reduce message (-1: generic)
  bool fp8_compute = false;         // W8A8: fp8 weights run fp8 matmuls where the GPU has them
  // The same where the GPU differs (an engine version whose fp8 GEMMs reach the fp8 rate on one
  // architecture and not another); GPU id -> on/off, replacing fp8_compute there.
  std::vector<std::pair<std::string, bool>> fp8_compute_by_gpu;
  // Without XQA (option xqa off), the generation attention reads a KV head once per query
  // head: the fraction of those extra reads that reach DRAM (the rest hit L2); 0: none.
  double gqa_kv_reread_without_xqa = 0;
  // The context phase's GEMMs do not overlap loading the weights with multiplying by them:
  // its time is compute + memory, not the larger of the two (matters near the ridge point).
  bool context_serial_roofline = false;

  // Training.
  bool bf16_training = false;  // params, grads and optimizer states in bf16, no fp32 master
  int64_t logits_fp32_copies = 2;  // vocab-sized fp32 tensors live at the loss (upcast, log-softmax, ...)
  // CPU offload: fraction of the host RAM's peak bandwidth the optimizer step on the CPU
  // streams its parameters, gradients and states at; 0: not known (no step term).
  double cpu_optimizer_ram_efficiency = 0;

  std::string basis;  // the version the profile describes
  // Every constant's citation, key path -> source ("fixed_memory.tp_comm_bytes" -> "...").
  std::vector<std::pair<std::string, std::string>> sources;
};

const std::vector<EngineProfile>& engine_profiles();
const EngineProfile* find_engine(std::string_view id);
// Problems found while reading core/data/engines (empty in a correct build; tested).
const Errors& engine_errors();
// What the catalog's reader says of one profile's text (no "inherits"): for tests of the rules.
Errors engine_profile_errors(std::string_view text);

std::string_view memory_policy_name(MemoryPolicy p);

}  // namespace llmcalc
