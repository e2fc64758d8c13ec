#pragma once
// The memory analyses: each appends the items it is responsible for to a breakdown.

#include <vector>

#include "context.hpp"
#include "expr.hpp"
#include "llmcalc/report.hpp"

namespace llmcalc {

using Items = std::vector<MemoryItem>;

// Weights on one GPU, with quantization scales as their own item.
void add_weight_items(const Context& c, Items& out);
// GGUF weights (precision.gguf_mix): per tensor in llama.cpp's types; called by add_weight_items.
void add_gguf_weight_items(const Context& c, Items& out);
// The weights are a GGUF file's own (a model read from a header, precision.weights not given).
bool from_gguf_file(const Scenario& s);
// KV cache for the scenario's context (inference) on one GPU.
void add_kv_cache_item(const Context& c, Items& out);
double kv_cache_bytes_per_gpu(const Context& c, int64_t batch, int64_t tokens);
// Linear-attention and SSM state of `batch` sequences on one GPU: constant in the context.
void add_recurrent_state_item(const Context& c, Items& out);
double recurrent_state_bytes_per_gpu(const Context& c, int64_t batch);
Ex recurrent_state_bytes(const Context& c, int64_t batch, bool text);
// The same as an expression (with its formula when text is set and the context keeps text).
Ex kv_cache_bytes(const Context& c, int64_t batch, int64_t tokens, bool text);
// Inference working set of the largest forward step, and its logits.
void add_inference_activation_items(const Context& c, Items& out);
// Training activations by the chosen method, with checkpointing and parallel layout.
void add_training_activation_items(const Context& c, Items& out);
// Gradients, master weights, optimizer states and LoRA adapters.
void add_training_state_items(const Context& c, Items& out);
// CUDA context, library workspaces and allocator slack.
void add_runtime_overhead_items(const Context& c, Items& out);
// The seed documents' rules of thumb, exactly.
void add_seed_items(const Context& c, Items& out);

// LoRA adapter element size for the engine (fp32 peft default, bf16 torchtune).
Ex adapter_bytes(const Context& c);
// Elements of the largest tensor, and of one layer, on one GPU.
double largest_tensor_elements(const Context& c);
double largest_layer_elements(const Context& c);

// Trainable parameters (all for full fine-tuning, adapters for LoRA/QLoRA).
int64_t trainable_params(const Context& c);
// Optimizer state bytes on one GPU that a paged optimizer (engine option paged_optimizer) keeps
// in CUDA unified memory, outside the memory items; 0 when the option is off.
double paged_optimizer_bytes(const Context& c);
// Host RAM bytes the optimizer step on the CPU streams per step under FSDP/ZeRO CPU offload
// (engine option cpu_offload, full fine-tuning, ZeRO-3), over every GPU's shard; 0 otherwise.
double cpu_optimizer_step_bytes(const Context& c);

MemoryReport assemble_memory(const Context& c, Items items);
// Offload: the GPU (r.memory) and the system RAM as devices, each with its verdict
// (memory_offload.cpp).
void add_offload_devices(const Context& c, Report& r);

// Tokens a fixed-context engine (llama.cpp, Ollama) allocates its KV cache for.
int64_t fixed_context_tokens(const Context& c);
// The engine block: KV pool, concurrency, will-it-start and command line (engine_serving.cpp).
void add_engine_report(const Context& c, Report& r);

}  // namespace llmcalc
