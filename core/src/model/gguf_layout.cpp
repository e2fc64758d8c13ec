#include "model/gguf_layout.hpp"

#include <algorithm>
#include <array>

namespace llmcalc::gguf {
namespace {

// ggml type ids (gguf_types.json, from ggml.h's enum ggml_type).
constexpr int kF32 = 0;
constexpr int kF16 = 1;

struct NameMap {
  std::string_view inventory;  // TensorGroup::name
  std::string_view gguf;       // tensor name after "blk.N." (or the whole name outside layers)
};

// HF module -> GGUF tensor names, from llama.cpp gguf-py/gguf/tensor_mapping.py and
// constants.py (MODEL_TENSOR names). Groups the inventory merges (qkv bias, the norms of a
// layer) get one name: they are 1-D and stay F32 whatever their name.
constexpr std::array<NameMap, 27> kNames{{
    {"embed_tokens", "token_embd.weight"},
    {"embed_positions", "position_embd.weight"},
    {"lm_head", "output.weight"},
    {"final_norm", "output_norm.weight"},
    {"q_proj", "attn_q.weight"},
    {"k_proj", "attn_k.weight"},
    {"v_proj", "attn_v.weight"},
    {"o_proj", "attn_output.weight"},
    {"qkv_bias", "attn_qkv.bias"},
    {"o_bias", "attn_output.bias"},
    {"qk_norm", "attn_qk_norm.weight"},
    {"q_a_proj", "attn_q_a.weight"},
    {"q_a_layernorm", "attn_q_a_norm.weight"},
    {"q_b_proj", "attn_q_b.weight"},
    {"kv_a_proj_with_mqa", "attn_kv_a_mqa.weight"},
    {"kv_a_layernorm", "attn_kv_a_norm.weight"},
    {"kv_b_proj", "attn_kv_b.weight"},
    {"layer_norms", "layer_norms.weight"},
    {"gate_proj", "ffn_gate.weight"},
    {"up_proj", "ffn_up.weight"},
    {"down_proj", "ffn_down.weight"},
    {"router", "ffn_gate_inp.weight"},
    {"router_bias", "exp_probs_b.bias"},
    {"experts.gate_proj", "ffn_gate_exps.weight"},
    {"experts.up_proj", "ffn_up_exps.weight"},
    {"experts.down_proj", "ffn_down_exps.weight"},
    {"shared_expert_gate", "ffn_gate_inp_shexp.weight"},
}};

// Families whose checkpoints fuse q, k and v (and Phi-3 gate with up) into one matrix, which
// convert_hf_to_gguf.py keeps: gguf-py/gguf/tensor_mapping.py @ 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf
// maps gpt_neox's query_key_value, gpt2's (and starcoder's) c_attn, falcon's query_key_value and
// phi3's qkv_proj to ATTN_QKV, and phi3's gate_up_proj to FFN_UP; src/llama-model.cpp loads
// them as layer.wqkv and a {n_embd, 2 * n_ff} ffn_up. Its rules see one attn_qkv tensor per layer,
// typed as attn_v (llama-quant.cpp category_is_attn_v), where the other families' q and k
// keep the default type: Phi-4 Q4_K_M is 9,055,469,760 B (8.43 GiB, as llama-bench prints) rather
// than 8,886,743,040 B with q, k and v apart (tests/core/model/gguf_weights_test.cpp).
bool fuses_qkv(std::string_view model_type) {
  return model_type == "phi3" || model_type == "falcon" || model_type == "gpt_neox" ||
         model_type == "gpt2" || model_type == "gpt_bigcode";
}

std::string_view gguf_suffix(const TensorGroup& g, const QuantModel& m) {
  if (m.fused_qkv && (g.name == "q_proj" || g.name == "k_proj" || g.name == "v_proj"))
    return "attn_qkv.weight";
  if (m.fused_gate_up && g.name == "gate_proj") return "ffn_up.weight";
  for (const auto& n : kNames)
    if (n.inventory == g.name) return n.gguf;
  if (g.name == "shared_experts.gate_proj") return "ffn_gate_shexp.weight";
  if (g.name == "shared_experts.up_proj") return "ffn_up_shexp.weight";
  if (g.name == "shared_experts.down_proj") return "ffn_down_shexp.weight";
  // Biases of MLPs (mlp_bias, experts.mlp_bias, ...): 1-D, never quantized.
  return "ffn.bias";
}

// The first layer index of a group: dense MLPs fill the leading layers of a MoE model
// (first_dense_layers), experts and routers the rest.
int64_t first_layer(const TensorGroup& g, const Architecture& a) {
  if (!a.moe) return 0;
  switch (g.kind) {
    case TensorKind::expert:
    case TensorKind::shared_expert:
    case TensorKind::router:
      return a.moe->first_dense_layers;
    case TensorKind::bias:
      return g.layers == a.num_layers ? 0 : a.num_layers - g.layers;
    default:
      return 0;
  }
}

// ne[] of one stored tensor (ne[0] = row length = input features). Routed experts are one
// 3-D tensor per layer; several shared experts one 2-D tensor of their summed width.
std::vector<int64_t> dims_of(const TensorGroup& g) {
  if (!g.is_matrix()) return {g.rows * g.cols * g.per_layer};
  if (g.kind == TensorKind::expert) return {g.cols, g.rows, g.per_layer};
  if (g.per_layer > 1) {
    const bool down = g.name.find("down") != std::string_view::npos;
    return down ? std::vector<int64_t>{g.cols * g.per_layer, g.rows}
                : std::vector<int64_t>{g.cols, g.rows * g.per_layer};
  }
  return {g.cols, g.rows};
}

// convert_hf_to_gguf.py (prepare_tensors) writes 1-D tensors, norms, the router
// (FFN_GATE_INP) and learned positions as F32, other matrices in the chosen 16-bit type.
int source_type(const TensorGroup& g) {
  if (!g.is_matrix() || g.kind == TensorKind::router || g.kind == TensorKind::position) return kF32;
  return kF16;
}

void add(std::vector<TypedElements>& v, int type, int64_t elements) {
  for (auto& t : v)
    if (t.type == type) {
      t.elements += elements;
      return;
    }
  v.push_back({type, elements});
}

}  // namespace

QuantModel quant_model_of(const ModelSpec& model) {
  const Architecture& a = model.arch;
  QuantModel m;
  // Only "falcon" changes a rule (output in Q8_0 / attn_output not raised): LLM_ARCH_FALCON,
  // model_type "falcon" (Falcon-H1, "falcon_h1", is an architecture of its own).
  m.arch = model.hf_model_type == "falcon" ? "falcon" : "llama";
  m.fused_qkv = fuses_qkv(model.hf_model_type);
  m.fused_gate_up = model.hf_model_type == "phi3";
  m.n_layer = a.num_layers;
  m.n_head = a.num_heads;
  m.n_head_kv = a.num_kv_heads;
  m.n_expert = a.moe ? a.moe->num_experts : 0;
  m.tied_embeddings = a.tie_word_embeddings;
  // llama-model.cpp load_hparams: LLM_ARCH_LLAMA and LLM_ARCH_QWEN2 with 80 layers are
  // LLM_TYPE_70B (a Llama with n_head == n_head_kv is 65B).
  if (a.num_layers == 80 && a.num_heads != a.num_kv_heads) m.model_type = "70B";
  return m;
}

std::string tensor_name(const TensorGroup& g, int64_t layer, const QuantModel& m) {
  const std::string_view suffix = gguf_suffix(g, m);
  if (g.layers == 0) return std::string(suffix);
  return "blk." + std::to_string(layer) + "." + std::string(suffix);
}

MixLayout apply_mix(const Mix& mix, const QuantModel& model, const Architecture& arch,
                    const std::vector<TensorGroup>& inventory) {
  MixLayout out;
  out.groups.reserve(inventory.size());
  for (const auto& g : inventory) {
    GroupTypes gt;
    gt.group = &g;
    const std::vector<int64_t> dims = dims_of(g);
    const int64_t first = first_layer(g, arch);
    // 1-D tensors are never quantized (not_quantized.max_dims): one look decides every layer.
    const int64_t n = g.is_matrix() ? std::max<int64_t>(1, g.layers) : 1;
    const int64_t per_tensor = g.params() / n;
    for (int64_t k = 0; k < n; ++k) {
      const std::string name = tensor_name(g, first + k, model);
      const auto type = quantized_type(mix, model, QuantTensor{name, dims, source_type(g)});
      if (!type) {
        if (out.refused.empty()) out.refused = name;
        continue;
      }
      add(gt.types, *type, per_tensor);
    }
    std::sort(gt.types.begin(), gt.types.end(),
              [](const TypedElements& x, const TypedElements& y) { return x.type < y.type; });
    out.groups.push_back(std::move(gt));
  }
  return out;
}

}  // namespace llmcalc::gguf
