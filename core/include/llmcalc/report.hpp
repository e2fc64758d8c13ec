#pragma once
// A report: what the analyses conclude about a scenario, every figure with its formula.

#include <cstdint>
#include <string>
#include <vector>

#include <span>

#include "llmcalc/expression.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

// What a memory item holds. One table (memory_kinds()) gives each its id, label and group;
// code compares kinds, never ids or labels.
enum class MemoryKind : uint8_t {
  weights,
  quantization_scales,
  lora_adapters,
  kv_cache,
  recurrent_state,
  gradients,
  master_weights,
  optimizer_states,
  activations,
  logits,
  runtime_overhead,
  fragmentation,
};
enum class MemoryGroup : uint8_t { weights, state, activations, overhead };

struct MemoryKindInfo {
  MemoryKind kind;
  std::string_view id;     // the JSON report's item id
  std::string_view label;  // generic label (an item may say more: "Optimizer states (adamw)")
  MemoryGroup group;
};
// Every kind, in the order a breakdown stacks them.
std::span<const MemoryKindInfo> memory_kinds();
const MemoryKindInfo& memory_kind_info(MemoryKind k);
std::string_view memory_group_name(MemoryGroup g);

// One line of a breakdown. bytes is expression's value and formula its text: when the report
// keeps its formulas (Detail::full) both are rendered from the one tree that computed bytes.
struct MemoryItem {
  MemoryKind kind = MemoryKind::weights;
  std::string id;  // memory_kind_info(kind).id
  std::string label;
  double bytes = 0;
  std::string formula;
  int32_t expression = Expressions::kNone;  // root in Report::expressions (none: numbers only)
};

struct MemoryReport {
  std::vector<MemoryItem> items;  // per GPU (the most loaded one)
  double total_bytes = 0;
  double capacity_bytes = 0;
  double headroom_bytes = 0;  // capacity - total; negative when it does not fit
  bool fits = false;  // with devices (offload, extra GPUs): every device fits
};

// One memory device of an offloaded scenario (llama.cpp -ngl / --n-cpu-moe): the GPU, whose
// items are MemoryReport's, or the system RAM with its own items. Each has its own verdict.
struct DeviceMemory {
  std::string id;    // "gpu" or "ram"
  std::string name;  // the GPU's name, or the RAM preset's
  std::vector<MemoryItem> items;  // ram: its items (gpu: see MemoryReport::items)
  double total_bytes = 0;
  double capacity_bytes = 0;
  double headroom_bytes = 0;
  bool fits = false;
};

struct ParamsReport {
  int64_t total = 0;
  int64_t active = 0;
  int64_t trainable = 0;  // training only: full = total, LoRA = adapter params
  int64_t published = 0;  // from the catalog; 0 when unknown
  // model.safetensors.index.json metadata.total_size (0: no index given), and the bytes the
  // inventory gives for the same checkpoint: every tensor including MTP layers and towers, in
  // the checkpoint's own formats (quantization_config, else torch_dtype).
  int64_t checkpoint_bytes = 0;
  double checkpoint_computed_bytes = 0;
};

enum class Bound { compute, memory };

struct FlopItem {
  std::string id;
  std::string label;
  double flops = 0;
  std::string formula;
  int32_t expression = Expressions::kNone;
};

enum class PhaseKind : uint8_t { prefill, decode_first, decode_last, train_step };
struct PhaseKindInfo {
  PhaseKind kind;
  std::string_view id;
  std::string_view label;
};
std::span<const PhaseKindInfo> phase_kinds();
const PhaseKindInfo& phase_kind_info(PhaseKind k);

// One phase of work on one GPU: a prefill, a decode step or a training step.
struct Phase {
  PhaseKind kind = PhaseKind::prefill;
  std::string id;     // phase_kind_info(kind).id
  std::string label;
  double flops = 0;            // per GPU, all FLOPs
  double attention_flops = 0;  // the part done by the fused attention kernel
  double bytes = 0;            // per GPU traffic streamed by matmuls (weights, KV cache)
  double elementwise_bytes = 0;  // per GPU traffic of norms, activations, residual adds
  double arithmetic_intensity = 0;  // flops / bytes
  Bound bound = Bound::memory;
  double compute_s = 0;   // flops / achievable FLOP/s
  double memory_s = 0;    // bytes / achievable bandwidth
  double elementwise_s = 0;  // elementwise_bytes / achievable bandwidth (not overlapped)
  double comm_s = 0;      // tensor-parallel all-reduce time
  double overhead_s = 0;  // fixed per-step cost
  // Offload (llama.cpp): bytes the CPU reads from system RAM for the layers and experts left
  // there, and weights copied to the GPU over PCIe (prompt batches of 32+ tokens).
  double host_bytes = 0;
  double host_flops = 0;  // matmul FLOPs the CPU runs (layers in RAM, batches under 32 tokens)
  double host_s = 0;      // max(host_bytes / RAM bandwidth, host_flops / CPU FLOP/s)
  double transfer_bytes = 0;
  double transfer_s = 0;  // transfer_bytes / PCIe bandwidth
  // Hand-overs between devices in one step (a GPU's layers to the CPU's experts and back, one
  // GPU to the next): llama.cpp's scheduler synchronizes and copies the hidden state at each.
  int64_t handovers = 0;
  double handover_bytes = 0;  // the hidden states copied, all hand-overs together
  double handover_s = 0;      // handovers x the backend's latency + handover_bytes / PCIe
  // Several GPUs (hardware.extra_gpus): the roofline time of the other GPUs' layers, run
  // after this GPU's (llama.cpp's layer split runs the devices in sequence). The fields above
  // are the first GPU's.
  double other_gpus_s = 0;
  double time_s = 0;      // max(compute, memory) + elementwise + comm + overhead (+ bubble)
                          // (+ host + transfer)
  std::string formula;    // the text of expression, whose value is time_s
  int32_t expression = Expressions::kNone;
};

struct FlopsReport {
  double per_token_forward = 0;         // matmul + attention at the mean context, whole model
  std::vector<FlopItem> items;
};

struct LatencyReport {
  std::vector<Phase> phases;
  double ttft_s = 0;                 // time to first token (prefill)
  double decode_first_s = 0;         // per output token at the start of generation
  double decode_last_s = 0;          // per output token at the end of generation
  double decode_total_s = 0;         // all generated tokens
  double end_to_end_s = 0;
  double tokens_per_s_per_sequence = 0;
  double tokens_per_s_total = 0;     // aggregate over the batch and data-parallel replicas
  double cost_per_million_tokens = 0;  // 0 when no price is given
};

struct TrainingPerfReport {
  Phase step;                 // one optimizer step (all micro-batches)
  double tokens_per_step = 0; // global
  double tokens_per_s = 0;    // global
  double mfu = 0;             // model FLOPs (6 x active params x tokens + attention) / peak
  double recompute_overhead = 0;  // extra compute fraction from checkpointing
  double pipeline_bubble = 0;     // fraction of the step idle in the pipeline bubble
  double run_time_s = 0;          // for tokens_budget; 0 when none
  double gpu_hours = 0;
  double run_cost = 0;            // 0 when no price is given
  double cost_per_million_tokens = 0;  // at the user's price; 0 when none
};

// What the engine makes of the scenario. Serving engines with a KV pool (vLLM, SGLang,
// TensorRT-LLM) fill the pool and concurrency figures; llama.cpp/Ollama the fixed context.
struct EngineReport {
  std::string id;    // "generic" when no engine is named
  std::string name;
  bool active = false;  // false: the engine cannot run the scenario (reason in notes)
  std::string policy;   // memory_policy_name()
  std::string basis;    // the engine versions the profile describes (its file's "basis")
  bool has_pool = false;
  double kv_pool_bytes = 0;        // per GPU
  std::string kv_pool_formula;     // the text of kv_pool_expression, whose value is kv_pool_bytes
  int32_t kv_pool_expression = Expressions::kNone;  // root in Report::expressions
  double kv_bytes_per_token = 0;   // per GPU
  int64_t block_tokens = 0;        // tokens per block (1: token-granular pool)
  int64_t kv_pool_blocks = 0;      // floor(pool / block bytes)
  int64_t kv_pool_tokens = 0;      // blocks x block_tokens
  double profile_peak_bytes = 0;   // vLLM: activation peak of the profiling run
  int64_t profile_tokens = 0, profile_seqs = 0;  // vLLM: the profiling run's shape
  // vLLM V1: utilization x total, and the memory taken before that budget's baseline (CUDA
  // context, communicators), which must leave the budget free for the server to start.
  double budget_bytes = 0, before_budget_bytes = 0;
  int64_t max_model_len = 0;       // the context the server is started with
  double max_concurrent_sequences = 0;  // pool tokens / max_model_len
  // vLLM: the scheduler runs at most this many sequences at once (max_num_seqs), whatever the
  // pool holds; 0 = no such cap modelled.
  int64_t max_num_seqs = 0;
  bool starts = false;             // the pool holds at least one max_model_len sequence
  int64_t longest_context = 0;     // the longest max_model_len that starts (pool tokens)
  std::string command;             // the command line that runs it
};

// Something the user should act on, shown with the verdict (notes are background). `code` is
// stable for programs; `bytes` is the per-GPU total a suggested change would need (0: none).
struct Warning {
  std::string code;
  std::string message;
  double bytes = 0;
};

struct Report {
  std::string model_id;
  std::string model_name;
  Mode mode = Mode::inference;
  Method method = Method::detailed;
  std::string gpu_id;
  std::string gpu_name;
  int64_t gpu_count = 1;
  ParamsReport params;
  MemoryReport memory;
  std::vector<DeviceMemory> devices;  // with offload: the GPU, then the system RAM; else empty
  FlopsReport flops;
  bool has_performance = false;  // latency/training blocks hold numbers
  LatencyReport latency;         // inference
  TrainingPerfReport training;   // training
  EngineReport engine;           // written only when the scenario names an engine
  std::vector<std::string> notes;  // assumptions the user should know about
  std::vector<Warning> warnings;   // full reports only (core/src/analyses/warnings.cpp)
  Expressions expressions;  // every item's and phase's formula tree (empty: numbers only)
};

std::string_view bound_name(Bound b);

}  // namespace llmcalc
