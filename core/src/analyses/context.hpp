#pragma once
// What every analysis of one scenario shares: the scenario, its tensor inventory and the
// per-GPU share of the parallel layout. Built once per estimate.

#include <algorithm>
#include <string>
#include <vector>

#include "expr.hpp"
#include "llmcalc/report.hpp"
#include "llmcalc/scenario.hpp"
#include "llmcalc/tensors.hpp"

namespace llmcalc {

// Which memory a Context counts: the GPU's (every report), or the system RAM that llama.cpp's
// offload (scenario /offload) leaves part of the model in.
enum class Device { gpu, host };

// llama.cpp's device of each layer slot il = 0..num_layers (the last is the output layer): 0 =
// hardware.gpu, i = extra_gpus[i - 1], -1 = the CPU. Empty without offload.
std::vector<int> layer_devices(const Scenario& s);

// options.load_mtp: why the model's next-token-prediction layers stay unloaded even though the
// scenario asks for them ("" when they load, or when none are asked for or the model has none).
std::string mtp_unloaded_reason(const Scenario& s);
// The tensors the engine holds: the model's, plus its MTP layers when they load.
InventoryOptions loaded_inventory(const Scenario& s);

struct Context {
  // exprs: where formulas are recorded; null for a numbers-only estimate (no text at all).
  // gpu_index: which GPU a Device::gpu context is (0 = hardware.gpu, i = extra_gpus[i - 1]).
  Context(const Scenario& scenario, Expressions* exprs, Device device = Device::gpu, int gpu_index = 0);

  const Scenario& s;
  const Architecture& a;
  std::vector<TensorGroup> tensors;
  ParamCounts counts;
  int64_t layers_per_stage = 1;  // ceil(layers / pp): the most loaded pipeline stage; with
                                 // offload, the repeating layers on this device
  Device device = Device::gpu;
  // llama.cpp's placement (src/llama-model.cpp, load_tensors): repeating layers from
  // gpu_layer_start on and the output layer (with output_on_gpu) sit on the GPU, the input
  // embedding always in RAM; routed experts of layers below cpu_moe_end stay in RAM.
  bool offloaded = false;
  int64_t gpu_layer_start = 0;
  bool output_on_gpu = true;
  int64_t cpu_moe_end = 0;
  // Several GPUs (hardware.extra_gpus): this GPU's repeating layers [layer_begin, layer_end)
  // and whether it holds the output layer; a host context keeps all GPUs' range here.
  int gpu_index = 0;
  int64_t layer_begin = 0, layer_end = 0;
  bool output_here = true;
  int64_t in_flight_micro_batches = 1;  // 1F1B keeps min(pp, grad_accum) on the first stage
  double tp = 1, pp = 1, dp = 1;
  Expressions* exprs = nullptr;

  bool text() const { return exprs != nullptr; }
  // The GPU this context's device is (the host's: hardware.gpu, which runs its big batches).
  const Gpu& gpu() const { return gpu_index == 0 ? s.gpu : s.extra_gpus[size_t(gpu_index - 1)]; }
  // llama.cpp splits the layers over several GPUs (hardware.extra_gpus).
  bool multi_gpu() const { return offloaded && !s.extra_gpus.empty(); }
  // The engine allocates a fixed context with llama.cpp's buffers (llama.cpp, Ollama).
  bool fixed_context() const {
    return s.engine.active && s.engine.profile->policy == MemoryPolicy::fixed_context;
  }
  // A labelled number: a leaf of the formula when text is kept, else just the value.
  Ex num(double v, std::string_view label = {}, std::string_view unit = {}) const {
    return exprs != nullptr ? Ex(v, exprs, exprs->leaf(v, label, unit)) : Ex(v);
  }
  // Bytes per element or a byte count: num(v, label, "B").
  Ex bytes(double v, std::string_view label = {}) const { return num(v, label, "B"); }
  // A report line whose number is e's value, with its tree and text when text is kept.
  MemoryItem item(MemoryKind kind, const Ex& e, std::string label = {}) const;
  FlopItem flop_item(std::string id, std::string label, const Ex& e) const;
  // Fills a phase's expression and formula from the expression of its time.
  void set_formula(Phase& p, const Ex& time) const;

  // Elements of the tensors matching `pred` that the most loaded GPU holds: layer tensors
  // split over pipeline stages, matrices split over tensor-parallel ranks, embedding on the
  // first stage and lm_head on the last.
  // A template (not std::function): it runs several times per estimate.
  template <class Pred>
  double per_gpu_elements(Pred pred) const;
  // With offload: the fraction of group t that this context's device holds.
  double device_share(const TensorGroup& t) const;
  // Fraction of a layer tensor one GPU holds under tp (matrices split; vectors replicated).
  double tp_share(const TensorGroup& t) const;
  // KV heads one tensor-parallel rank holds (replicated when fewer than tp).
  int64_t kv_heads_per_gpu() const;
  // Activations that Megatron replicates across tp ranks unless sequence parallel is on.
  double replicated_share() const { return s.parallelism.sequence_parallel ? 1.0 / tp : 1.0; }
};

template <class Pred>
double Context::per_gpu_elements(Pred pred) const {
  // The MTP layers run after the last layer on its hidden states: the last stage holds them.
  if (offloaded) {  // one GPU (tp = pp = 1, checked): each group by where llama.cpp puts it
    double n = 0;
    for (const auto& t : tensors)
      if (pred(t)) n += static_cast<double>(t.params()) * device_share(t);
    return n;
  }
  double layer_part = 0, first_stage = 0, last_stage = 0;
  const double stage_fraction =
      static_cast<double>(layers_per_stage) / static_cast<double>(a.num_layers);
  for (const auto& t : tensors) {
    if (!pred(t)) continue;
    const double n = static_cast<double>(t.params()) * tp_share(t);
    if (t.layers > 0) layer_part += n * stage_fraction;
    else if (t.mtp) last_stage += n;
    else if (t.kind == TensorKind::embedding || t.kind == TensorKind::position) first_stage += n;
    else last_stage += n;
  }
  if (s.parallelism.pp == 1) return layer_part + first_stage + last_stage;
  // With tied embeddings the last stage keeps its own copy of the table for the output
  // projection (Megatron-LM does this), so it counts there too.
  if (a.tie_word_embeddings) {
    for (const auto& t : tensors)
      if (t.kind == TensorKind::embedding && !t.mtp && pred(t)) last_stage += t.params() * tp_share(t);
  }
  return layer_part + std::max(first_stage, last_stage);
}

}  // namespace llmcalc
