// Weights stored as llama.cpp stores them: each tensor in the ggml type a GGUF mix (Q4_K_M ...)
// gives it, so the item's formula reads "params of each type x bytes per block / block size".
#include <algorithm>
#include <string>

#include "memory.hpp"
#include "llmcalc/catalog.hpp"
#include "model/gguf_layout.hpp"
#include "model/gguf_types.hpp"

namespace llmcalc {

namespace {

// Elements of each type on the most loaded GPU. From a file: the file's counts, scaled by the
// per-GPU share of all parameters. From a mix: a group's per-GPU share (tp, pp) applies to each
// of its types alike. Exact when the model is not split (share 1).
std::vector<gguf::TypedElements> elements_by_type(const Context& c) {
  std::vector<gguf::TypedElements> by_type;
  if (from_gguf_file(c.s)) {
    const double total = static_cast<double>(c.counts.total);
    const double share = total > 0 ? c.per_gpu_elements([](const TensorGroup&) { return true; }) / total : 1.0;
    for (const auto& [type, n] : c.s.model.gguf.types)
      by_type.push_back({type, share == 1.0 ? n : static_cast<int64_t>(static_cast<double>(n) * share)});
    return by_type;
  }
  const gguf::Mix* mix = gguf::find_mix(c.s.precision.gguf_mix);
  if (mix == nullptr) return by_type;  // parse_scenario() rejects an unknown mix
  const auto layout = gguf::apply_mix(*mix, gguf::quant_model_of(c.s.model, hf_model_type(c.s.model)), c.a, c.tensors);
  for (const auto& g : layout.groups) {
    const double all = static_cast<double>(g.group->params());
    if (all <= 0) continue;
    const double share = c.per_gpu_elements([&](const TensorGroup& u) { return &u == g.group; }) / all;
    for (const auto& t : g.types) {
      auto it = std::find_if(by_type.begin(), by_type.end(), [&](const auto& x) { return x.type == t.type; });
      const auto n = static_cast<int64_t>(static_cast<double>(t.elements) * share);
      if (it == by_type.end()) by_type.push_back({t.type, n});
      else it->elements += n;
    }
  }
  return by_type;
}

}  // namespace

bool from_gguf_file(const Scenario& s) {
  return !s.model.gguf.types.empty() && s.weights_as_checkpoint();
}

void add_gguf_weight_items(const Context& c, Items& out) {
  std::vector<gguf::TypedElements> by_type = elements_by_type(c);
  // The main type first: the formula reads as the mix does ("mostly Q4_K, some Q6_K").
  std::stable_sort(by_type.begin(), by_type.end(),
                   [](const auto& x, const auto& y) { return x.elements > y.elements; });
  Ex total;
  bool first = true;
  for (const auto& t : by_type) {
    const gguf::TypeInfo* info = gguf::find_type(t.type);
    if (info == nullptr || t.elements == 0) continue;
    const std::string name = info->name;
    Ex bytes = c.num(static_cast<double>(t.elements), name + " params") *
               c.bytes(static_cast<double>(info->block_bytes),
                       info->block_elements > 1 ? name + " block" : name);
    if (info->block_elements > 1)
      bytes = bytes / c.num(static_cast<double>(info->block_elements), "params per block");
    total = first ? bytes : total + bytes;
    first = false;
  }
  const std::string what = from_gguf_file(c.s)
                               ? "GGUF file" + (c.s.model.gguf.file_type.empty() ? "" : ", " + c.s.model.gguf.file_type)
                               : "GGUF " + c.s.precision.gguf_mix;
  out.push_back(c.item(MemoryKind::weights, total, "Weights (" + what + ")"));
}

}  // namespace llmcalc
