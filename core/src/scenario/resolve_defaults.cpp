// Every default that depends on other fields, in one place; each rule says why.
#include <algorithm>

#include "llmcalc/dtype.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/engine.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc {
namespace {

// Whether the engine runs this scenario (a serving engine does not train; TensorRT-LLM runs
// on NVIDIA only); if not, the report says why and the generic model is used.
void decide_engine(Scenario& s) {
  EngineSettings& e = s.engine;
  if (e.profile == nullptr) return;
  const EngineProfile& p = *e.profile;
  e.active = true;
  if ((s.mode == Mode::inference && !p.inference) || (s.mode == Mode::training && !p.training)) {
    e.active = false;
    e.inactive_reason = p.name + " does not run " + std::string(mode_name(s.mode)) +
                        "; the generic model is used instead.";
  } else if (!p.vendors.empty() && !s.gpu.vendor.empty() &&
             std::find(p.vendors.begin(), p.vendors.end(), s.gpu.vendor) == p.vendors.end()) {
    e.active = false;
    e.inactive_reason = p.name + " does not run on " + s.gpu.vendor + " GPUs (" + s.gpu.name +
                        "); the generic model is used instead.";
  }
}

}  // namespace

void resolve_defaults(Scenario& s) {
  decide_engine(s);
  // System RAM: the preset gives the bandwidth unless the scenario states it (parse_scenario
  // refuses an unknown preset). Offload is llama.cpp's and applies only when asked for.
  if (const HostMemoryPreset* h = find_host_memory(s.host.id)) {
    s.host.name = h->name;
    if (!s.gave("/hardware/ram_read_efficiency")) s.host.read_efficiency = h->cpu_read_efficiency;
    if (!s.gave("/hardware/host_bandwidth_bytes_per_s")) s.host.bandwidth_bytes_per_s = h->bandwidth_bytes_per_s;
  }
  if (!s.gave("/hardware/cpu_flops"))
    if (const CpuPreset* cpu = find_cpu(s.host.cpu_id)) s.host.cpu_flops = cpu->flops;
  // A unified-memory machine: one pool. The GPU gets the wired limit the user set, else the
  // platform's default share of the RAM (cited in core/data/unified); the CPU reads the same
  // memory at the same bandwidth and nothing crosses a PCIe link.
  if (s.host.unified) {
    if (const UnifiedPreset* u = find_unified(s.gpu.id)) {
      if (!s.gave("/hardware/host_memory_bytes")) s.host.memory_bytes = u->memory_options_bytes.front();
      if (!s.gave("/hardware/memory_bytes"))
        s.gpu.memory_bytes = s.host.gpu_limit_bytes > 0 ? s.host.gpu_limit_bytes : u->gpu_share_bytes(s.host.memory_bytes);
      if (!s.gave("/hardware/host_bandwidth_bytes_per_s")) s.host.bandwidth_bytes_per_s = s.gpu.memory_bandwidth_bytes_per_s;
      s.host.pcie_bandwidth_bytes_per_s = 0;
    }
  }
  s.offload.enabled = s.mode == Mode::inference &&
                      (s.gave("/offload/gpu_layers") || s.gave("/offload/cpu_moe_layers") ||
                       s.gave("/offload/tensor_split") || !s.extra_gpus.empty());
  // llama.cpp's default split weights each GPU by its free memory (src/llama-model.cpp
  // load_tensors @ a5410f04, ggml_backend_dev_memory); before loading, that is about its
  // memory size, which stands in for it here (the CUDA context's few hundred MiB are not
  // subtracted).
  if (s.offload.enabled && !s.gave("/offload/tensor_split")) {
    s.offload.tensor_split.clear();
    if (!s.extra_gpus.empty()) {
      s.offload.tensor_split.push_back(s.gpu.memory_bytes);
      for (const Gpu& g : s.extra_gpus) s.offload.tensor_split.push_back(g.memory_bytes);
    }
  }
  // llama.cpp runs Intel GPUs through Vulkan (or SYCL, not modelled); the rest as CUDA / ROCm.
  if (s.offload.enabled && !s.gave("/offload/backend") && s.gpu.vendor == "intel")
    s.offload.backend = GpuBackend::vulkan;
  const EngineProfile* engine = s.engine.active ? s.engine.profile : nullptr;
  Precision& p = s.precision;
  const bool training = s.mode == Mode::training;
  const bool qlora = training && s.training.finetune == Finetune::qlora;
  const bool rules_of_thumb = s.method == Method::rules_of_thumb;

  // QLoRA trains adapters over a frozen 4-bit NormalFloat base (Dettmers et al. 2023, sec. 3).
  if (qlora && s.weights_as_checkpoint()) p.weights = Dtype::nf4;
  // int4/int8 checkpoints (GPTQ, AWQ) ship with one scale per 128 weights (the "g128" builds).
  if (!s.gave("/precision/group_size"))
    p.group_size = (p.weights == Dtype::int4 || p.weights == Dtype::int8) ? 128 : 0;
  // Pure fp32 training keeps fp32 gradients; mixed precision computes them in bf16.
  if (!s.gave("/precision/gradients"))
    p.gradients = p.weights == Dtype::fp32 ? Dtype::fp32 : Dtype::bf16;
  // Mixed precision keeps an fp32 master copy; fp32 weights are their own master, and QLoRA's
  // frozen 4-bit base has none (these two hold even when the field says fp32).
  if (!s.gave("/precision/master_weights")) p.master_weights = true;
  if (p.weights == Dtype::fp32 || qlora) p.master_weights = false;

  // The rules of thumb count activations with the seed's own formula...
  if (!s.gave("/options/activation_method"))
    s.options.activation_method =
        rules_of_thumb ? ActivationMethod::rules_of_thumb : ActivationMethod::detailed;
  // ...and count tensors only: no CUDA context or library workspaces.
  // An engine's profile replaces these generic constants where it sets them (its CUDA context
  // by GPU, its workspaces, its all-reduce buffers when tensor parallel; cited in its file).
  double context = kDefaultCudaContextBytes, workspace = kDefaultWorkspaceBytes, comm = 0;
  double launch_per_layer = kDefaultLaunchOverheadPerLayerS, graph_per_layer = 0;
  if (engine != nullptr) {
    if (engine->cuda_context_bytes >= 0) context = engine->cuda_context_bytes;
    for (const auto& g : engine->cuda_context_bytes_by_gpu)
      if (g.gpu_id == s.gpu.id) context = g.value;
    if (engine->workspace_bytes >= 0) workspace = engine->workspace_bytes;
    if (s.parallelism.tp > 1) {
      comm = engine->tp_comm_bytes;
      workspace += engine->tp_workspace_bytes;
    }
    if (engine->step_overhead_s_per_layer >= 0) launch_per_layer = engine->step_overhead_s_per_layer;
    for (const auto& g : engine->step_overhead_s_per_layer_by_gpu)
      if (g.gpu_id == s.gpu.id) launch_per_layer = g.value;
    if (engine->graph_step_overhead_s_per_layer >= 0) graph_per_layer = engine->graph_step_overhead_s_per_layer;
    // The engine's weight kernels stream at their measured fraction of the datasheet
    // bandwidth (gpt-fast's int8/int4 GEMVs: well below a copy benchmark).
    for (const auto& [dtype, eff] : engine->weight_bandwidth_efficiency)
      if (dtype == dtype_name(p.weights) && !s.gave("/hardware/bandwidth_efficiency"))
        s.gpu.bandwidth_efficiency = eff;
  }
  if (!s.gave("/overhead/cuda_context_bytes"))
    s.overhead.cuda_context_bytes = rules_of_thumb ? 0.0 : context;
  if (!s.gave("/overhead/workspace_bytes"))
    s.overhead.workspace_bytes = rules_of_thumb ? 0.0 : workspace;
  if (!s.gave("/overhead/comm_buffer_bytes"))
    s.overhead.comm_buffer_bytes = rules_of_thumb ? 0.0 : comm;
  // Each layer's kernels cost ~20 us of launches per step, unless a CUDA graph replays them
  // (then only what the engine measured of the kernels' own fixed cost remains).
  if (!s.gave("/overhead/step_overhead_s"))
    s.overhead.step_overhead_s =
        (s.options.cuda_graphs ? graph_per_layer : launch_per_layer) * double(s.model.arch.num_layers);

  if (engine != nullptr) {
    // Pure-bf16 training stacks (torchtune): no fp32 master copy, optimizer states in bf16.
    if (engine->bf16_training && training && !is_quantized(p.weights)) {
      if (!s.gave("/precision/master_weights")) p.master_weights = false;
      if (!s.gave("/precision/optimizer_states")) p.optimizer_states = Dtype::bf16;
    }
    // W8A8: an engine that runs fp8 matmuls does so for fp8 weights on fp8 tensor cores.
    bool fp8_compute = engine->fp8_compute;
    for (const auto& [gpu, on] : engine->fp8_compute_by_gpu)
      if (gpu == s.gpu.id) fp8_compute = on;
    if (fp8_compute && !s.gave("/precision/activations") && p.weights == Dtype::fp8 && s.gpu.peak(Dtype::fp8) > 0)
      p.activations = Dtype::fp8;
    // The engine's attention kernel (llama.cpp: flash attention on or off).
    if (s.engine.is(EngineOption::flash_attn) && !s.gave("/options/flash_attention"))
      s.options.flash_attention = s.engine.flag(EngineOption::flash_attn);
    // A quantized V cache needs flash attention in llama.cpp (check_local.cpp), which its
    // "-fa auto" default turns on where the backend has it: on unless the user said off.
    if (s.engine.is(EngineOption::kv_cache_type) && s.engine.get(EngineOption::kv_cache_type, 0) > 0 &&
        !s.gave("/options/flash_attention")) {
      const std::string_view kv = engine_option_info(EngineOption::kv_cache_type)
                                      .choices[size_t(s.engine.get(EngineOption::kv_cache_type, 0))];
      if (kv != "bf16" && kv != "f32") s.options.flash_attention = true;
    }
  }

  // GPUs without a layout: inference splits the model (tensor parallel), training replicates
  // it (data parallel), the usual first choice of each.
  if (!s.gave("/parallelism") && s.gave("/hardware/count") && s.gpu_count > 1) {
    if (training) s.parallelism.dp = s.gpu_count;
    else s.parallelism.tp = s.gpu_count;
  }
  // A layout without a count: as many GPUs as the layout uses.
  if (!s.gave("/hardware/count"))
    s.gpu_count = s.parallelism.tp * s.parallelism.pp * s.parallelism.dp;
}

}  // namespace llmcalc
