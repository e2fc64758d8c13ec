#include "model/gguf_model.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "model/architecture_json.hpp"
#include "model/gguf_types.hpp"

namespace llmcalc::gguf {
namespace {

using nlohmann::json;

const GgufTensorInfo* find_tensor(const GgufHeader& h, std::string_view name) {
  for (const auto& t : h.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::string blk(int64_t i, std::string_view suffix) {
  return "blk." + std::to_string(i) + "." + std::string(suffix);
}

// The first layer holding blk.N.<suffix>, or -1.
int64_t first_layer_with(const GgufHeader& h, int64_t layers, std::string_view suffix) {
  for (int64_t i = 0; i < layers; ++i)
    if (find_tensor(h, blk(i, suffix))) return i;
  return -1;
}

int64_t dim(const GgufTensorInfo& t, size_t i) { return i < t.dims.size() ? t.dims[i] : 1; }

int64_t meta_int(const GgufHeader& h, const std::string& key) {
  const GgufKeyValue* kv = h.find(key);
  return kv && kv->integer ? *kv->integer : 0;
}

}  // namespace

ModelObject model_from_header(const GgufHeader& h) {
  ModelObject out;
  auto fail = [&](std::string path, std::string code, std::string message) {
    out.errors.push_back({std::move(path), std::move(code), std::move(message)});
    return std::move(out);
  };
  const std::string arch_key = h.architecture;
  const GgufTensorInfo* embd = find_tensor(h, "token_embd.weight");
  if (!embd || embd->dims.size() < 2)
    return fail("/gguf/tensors", "missing_key", "no 2-D token_embd.weight: not a decoder LLM GGUF");
  const int64_t layers = h.block_count;
  if (layers <= 0)
    return fail("/gguf/metadata/" + arch_key + ".block_count", "missing_key",
                "is required (layers), got " + std::to_string(layers));
  if (h.head_count <= 0)
    return fail("/gguf/metadata/" + arch_key + ".attention.head_count", "missing_key",
                "is required (a single number; per-layer head counts are not supported yet)");
  if (find_tensor(h, blk(0, "attn_kv_a_mqa.weight")))
    return fail("/gguf/tensors", "unsupported_architecture",
                "multi-head latent attention (DeepSeek) GGUFs are not read yet; use the deepseek "
                "preset with precision.weights set to the file type");

  Architecture a;
  a.hidden_size = dim(*embd, 0);
  a.vocab_size = dim(*embd, 1);
  a.num_layers = layers;
  a.num_heads = h.head_count;
  a.num_kv_heads = h.head_count_kv > 0 ? h.head_count_kv : h.head_count;
  // Head width: the key_length key where given (Gemma), else the q projection's width / heads.
  a.head_dim = meta_int(h, arch_key + ".attention.key_length");
  const GgufTensorInfo* q = find_tensor(h, blk(0, "attn_q.weight"));
  if (a.head_dim == 0)
    a.head_dim = q ? dim(*q, 1) / a.num_heads : a.hidden_size / a.num_heads;
  a.tie_word_embeddings = find_tensor(h, "output.weight") == nullptr;
  a.final_norm = find_tensor(h, "output_norm.weight") != nullptr;
  a.attention_bias = find_tensor(h, blk(0, "attn_q.bias")) || find_tensor(h, blk(0, "attn_qkv.bias"));
  a.attention_out_bias = find_tensor(h, blk(0, "attn_output.bias")) != nullptr;
  a.qk_norm = find_tensor(h, blk(0, "attn_q_norm.weight")) != nullptr;
  a.norm = find_tensor(h, blk(0, "attn_norm.bias")) ? NormKind::layernorm : NormKind::rmsnorm;
  int64_t norms = 0;
  for (const auto& t : h.tensors) {
    const std::string_view n = t.name;
    if (n.rfind("blk.0.", 0) == 0 && n.ends_with("norm.weight") && n.find("attn_q_norm") == n.npos &&
        n.find("attn_k_norm") == n.npos)
      ++norms;
  }
  a.norms_per_layer = std::max<int64_t>(1, norms);
  if (const GgufTensorInfo* pos = find_tensor(h, "position_embd.weight")) {
    a.position = PositionKind::learned;
    a.max_position_embeddings = dim(*pos, 1);
  } else {
    a.max_position_embeddings = h.context_length;
  }

  const int64_t first_moe = first_layer_with(h, layers, "ffn_up_exps.weight");
  const int64_t dense_layer = first_moe == 0 ? -1 : 0;  // layer 0 is dense unless all are MoE
  if (const GgufTensorInfo* up = dense_layer >= 0 ? find_tensor(h, blk(dense_layer, "ffn_up.weight")) : nullptr) {
    a.intermediate_size = dim(*up, 1);
    a.mlp = find_tensor(h, blk(dense_layer, "ffn_gate.weight")) ? MlpKind::gated : MlpKind::standard;
    a.mlp_bias = find_tensor(h, blk(dense_layer, "ffn_up.bias")) != nullptr;
  }
  if (first_moe >= 0) {
    const GgufTensorInfo* up = find_tensor(h, blk(first_moe, "ffn_up_exps.weight"));
    MoeConfig m;
    m.expert_intermediate_size = dim(*up, 1);
    m.num_experts = dim(*up, 2);
    m.top_k = h.expert_used_count;
    m.first_dense_layers = first_moe;
    a.mlp = find_tensor(h, blk(first_moe, "ffn_gate_exps.weight")) ? MlpKind::gated : MlpKind::standard;
    if (const GgufTensorInfo* sh = find_tensor(h, blk(first_moe, "ffn_up_shexp.weight"))) {
      m.num_shared_experts = std::max<int64_t>(1, meta_int(h, arch_key + ".expert_shared_count"));
      m.shared_expert_intermediate_size = dim(*sh, 1) / m.num_shared_experts;
      m.shared_expert_gate = find_tensor(h, blk(first_moe, "ffn_gate_inp_shexp.weight")) != nullptr;
    }
    m.router_bias = find_tensor(h, blk(first_moe, "exp_probs_b.bias")) != nullptr;
    if (a.intermediate_size == 0) a.intermediate_size = m.expert_intermediate_size;
    a.moe = m;
  }
  Errors arch_errors;
  validate_architecture(a, "/gguf/architecture", arch_errors);
  if (!arch_errors.empty()) {
    out.errors = std::move(arch_errors);
    return out;
  }

  // Elements per stored type: the weights of the estimate are these, to the byte.
  std::map<int, int64_t> elements;
  for (const auto& t : h.tensors) {
    int64_t n = 1;
    for (int64_t d : t.dims) n *= d;  // bounded by the reader (bytes within int64)
    elements[static_cast<int>(t.type)] += n;
  }
  json types = json::object();
  for (const auto& [id, n] : elements)
    if (const TypeInfo* info = find_type(id)) types[info->name] = n;
  json g = {{"tensor_types", types}};
  for (const auto& name : mix_names())
    if (const Mix* m = find_mix(name); m && mix_ftype(*m) == h.file_type) g["file_type"] = name;
  std::string name = h.name.empty() ? "GGUF " + h.architecture : h.name;
  if (name.size() > 120) name.resize(120);
  out.model = json{{"architecture", architecture_to_json(a)}, {"name", name}, {"gguf", g}};
  return out;
}

std::optional<GgufStorage> read_storage(json_io::ObjectReader& r) {
  if (!r.valid()) return std::nullopt;
  r.reject_unknown({"file_type", "tensor_types"});
  GgufStorage s;
  if (r.has("file_type")) {
    auto ft = r.string("file_type");
    if (!ft) return std::nullopt;
    if (!find_mix(*ft)) {
      r.error("file_type", "unknown_value", "names no GGUF file type (Q4_K_M, Q8_0, ...), got " + json_io::quote(*ft));
      return std::nullopt;
    }
    s.file_type = *ft;
  }
  const json* tj = r.raw("tensor_types");
  if (tj == nullptr) {
    r.error("tensor_types", "missing_field", "is required: {\"Q4_K\": elements, ...}");
    return std::nullopt;
  }
  const size_t before = r.errors().size();
  json_io::ObjectReader t(tj, r.child_path("tensor_types"), r.errors());
  if (!t.valid()) return std::nullopt;
  for (const auto& [name, value] : tj->items()) {
    const TypeInfo* info = find_type(name);
    if (!info) {
      t.error(name, "unknown_value", "names no ggml type (F32, F16, Q4_K, ...)");
      continue;
    }
    auto n = t.integer(name, 0, int64_t{1} << 50);
    if (!n) continue;
    if (*n % info->block_elements != 0) {
      t.error(name, "inconsistent", "must be a multiple of " + std::to_string(info->block_elements) +
                                        " (" + info->name + " block), got " + std::to_string(*n));
      continue;
    }
    s.types.emplace_back(info->id, *n);
  }
  if (r.errors().size() != before) return std::nullopt;
  std::sort(s.types.begin(), s.types.end());
  return s;
}

}  // namespace llmcalc::gguf
