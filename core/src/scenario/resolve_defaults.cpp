// Every default that depends on other fields, in one place; each rule says why.
#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc {

void resolve_defaults(Scenario& s) {
  Precision& p = s.precision;
  const bool training = s.mode == Mode::training;
  const bool qlora = training && s.training.finetune == Finetune::qlora;
  const bool rules_of_thumb = s.method == Method::rules_of_thumb;

  // QLoRA trains adapters over a frozen 4-bit NormalFloat base (Dettmers et al. 2023, sec. 3).
  if (qlora && !s.gave("/precision/weights")) p.weights = Dtype::nf4;
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
  if (!s.gave("/overhead/cuda_context_bytes"))
    s.overhead.cuda_context_bytes = rules_of_thumb ? 0.0 : kDefaultCudaContextBytes;
  if (!s.gave("/overhead/workspace_bytes"))
    s.overhead.workspace_bytes = rules_of_thumb ? 0.0 : kDefaultWorkspaceBytes;
  // Each layer's kernels cost ~20 us of launches per step, unless a CUDA graph replays them.
  if (!s.gave("/overhead/step_overhead_s"))
    s.overhead.step_overhead_s =
        s.options.cuda_graphs ? 0.0
                              : kDefaultLaunchOverheadPerLayerS * double(s.model.arch.num_layers);

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
