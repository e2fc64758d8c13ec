#pragma once
// GGUF tensor types (ggml's block table) and llama.cpp's named quantization mixes, both read
// from core/data/gguf_types.json: exact bytes of a tensor, and the type llama-quantize gives
// each tensor of a model for a mix such as Q4_K_M.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmcalc/error.hpp"

namespace llmcalc::gguf {

struct TypeInfo {
  std::string name;        // "Q4_K"
  int id = 0;              // ggml_type value stored in a GGUF tensor info
  int64_t block_elements = 1;  // elements per block (QK)
  int64_t block_bytes = 0;     // bytes per block (sizeof(block_*))
};

const TypeInfo* find_type(int id);
const TypeInfo* find_type(std::string_view name);
const std::vector<TypeInfo>& types();

// Bytes of a tensor of `type` with dims ne[0], ne[1], ... (ne[0] = row length); nullopt when
// ne[0] is not a multiple of the block size or a dim is negative. Exact (ggml_nbytes).
std::optional<int64_t> tensor_bytes(const TypeInfo& type, std::span<const int64_t> dims);

// What a quantization rule looks at. Names follow llama-quant.cpp.
struct QuantModel {
  std::string arch = "llama";  // general.architecture
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t n_expert = 0;
  bool tied_embeddings = false;  // no output.weight: token_embd takes the output rules
  bool imatrix = false;          // quantized with an importance matrix
  std::string model_type;        // llama.cpp's size class where a rule uses it ("70B")
  bool fused_qkv = false;        // q, k and v stored as one blk.N.attn_qkv.weight per layer
  bool split_deltanet_projections = false;  // Qwen3.5: in_proj_b, in_proj_a as ssm_beta, ssm_alpha
};

struct QuantTensor {
  std::string_view name;          // GGUF name, e.g. "blk.3.attn_v.weight"
  std::span<const int64_t> dims;  // ne[0] first
  int source_type = 0;            // ggml type in the unquantized file (kept when not quantized)
};

struct Mix;  // one named mix, e.g. Q4_K_M
const Mix* find_mix(std::string_view name);
std::vector<std::string> mix_names();
int mix_ftype(const Mix& mix);  // general.file_type value (LlamaFileType)

// The ggml type id llama-quantize stores this tensor in under `mix`; nullopt where it refuses
// (a row length no type of the fallback chain divides).
std::optional<int> quantized_type(const Mix& mix, const QuantModel& model,
                                  const QuantTensor& tensor);

// Problems in the embedded gguf_types.json (empty in a correct build; tested).
const Errors& data_errors();

}  // namespace llmcalc::gguf
