#pragma once
// A model's tensor inventory as llama.cpp stores it in a GGUF file: each group's GGUF name per
// layer, and the ggml type a named quantization mix (Q4_K_M ...) gives each of them, counted
// per group and type so that weight bytes are exact: elements / block_elements x block_bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "llmcalc/architecture.hpp"
#include "llmcalc/tensors.hpp"
#include "model/gguf_types.hpp"

namespace llmcalc::gguf {

// Elements of one inventory group stored in one ggml type.
struct TypedElements {
  int type = 0;          // ggml type id
  int64_t elements = 0;  // over all layers and copies of the group
};

struct GroupTypes {
  const TensorGroup* group = nullptr;  // points into the inventory passed in
  std::vector<TypedElements> types;    // ascending by type id; elements sum to group->params()
};

struct MixLayout {
  std::vector<GroupTypes> groups;  // in inventory order
  std::string refused;             // GGUF name of a tensor llama-quantize refuses ("" = none)
};

// What llama-quant.cpp's rules look at, derived from the model: general.architecture (only
// "falcon" changes a rule; see gguf_types.json), the tensors the family's GGUF fuses, head and
// expert counts, tied output, and the size class "70B" that llama-model.cpp gives an 80-layer
// GQA Llama/Qwen2.
// `hf_model_type`: config.json's model_type (catalog.hpp hf_model_type()).
QuantModel quant_model_of(const ModelSpec& model, std::string_view hf_model_type);

// Applies `mix` to every tensor of `inventory` (as llama-quantize would to an F16/BF16 file
// converted from the HF checkpoint: 1-D tensors and norms F32, the rest 16-bit), each group
// under its GGUF name(s); a multimodal tower has no elements (it is an mmproj file).
MixLayout apply_mix(const Mix& mix, const QuantModel& model, const Architecture& arch,
                    const std::vector<TensorGroup>& inventory);

}  // namespace llmcalc::gguf
