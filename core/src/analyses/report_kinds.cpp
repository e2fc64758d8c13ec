// The report's name tables: memory-item and phase kinds (ids, labels, groups, stacking order)
// and the roofline bounds.
#include "llmcalc/report.hpp"

namespace llmcalc {
namespace {

using enum MemoryKind;
using G = MemoryGroup;
constexpr MemoryKindInfo kMemoryKinds[] = {
    {weights, "weights", "Weights", G::weights},
    {quantization_scales, "quantization_scales", "Quantization scales", G::weights},
    {lora_adapters, "lora_adapters", "LoRA adapters", G::weights},
    {kv_cache, "kv_cache", "KV cache", G::state},
    {recurrent_state, "recurrent_state", "Recurrent / SSM state", G::state},
    {gradients, "gradients", "Gradients", G::state},
    {master_weights, "master_weights", "Master weights (fp32)", G::state},
    {optimizer_states, "optimizer_states", "Optimizer states", G::state},
    {activations, "activations", "Activations", G::activations},
    {logits, "logits", "Logits", G::activations},
    {runtime_overhead, "runtime_overhead", "Runtime overhead", G::overhead},
    {fragmentation, "fragmentation", "Allocator fragmentation", G::overhead},
};

constexpr PhaseKindInfo kPhaseKinds[] = {
    {PhaseKind::prefill, "prefill", "Prefill (time to first token)"},
    {PhaseKind::decode_first, "decode_first", "Decode step (start)"},
    {PhaseKind::decode_last, "decode_last", "Decode step (end)"},
    {PhaseKind::train_step, "train_step", "Training step"},
};

}  // namespace

std::string_view bound_name(Bound b) { return b == Bound::compute ? "compute" : "memory"; }

std::span<const MemoryKindInfo> memory_kinds() { return kMemoryKinds; }

const MemoryKindInfo& memory_kind_info(MemoryKind k) {
  for (const auto& i : kMemoryKinds)
    if (i.kind == k) return i;
  return kMemoryKinds[0];  // unreachable: every kind has a row (tested)
}

std::string_view memory_group_name(MemoryGroup g) {
  switch (g) {
    case G::weights: return "weights";
    case G::state: return "state";
    case G::activations: return "activations";
    case G::overhead: return "overhead";
  }
  return "";
}

std::span<const PhaseKindInfo> phase_kinds() { return kPhaseKinds; }

const PhaseKindInfo& phase_kind_info(PhaseKind k) {
  for (const auto& i : kPhaseKinds)
    if (i.kind == k) return i;
  return kPhaseKinds[0];
}

}  // namespace llmcalc
