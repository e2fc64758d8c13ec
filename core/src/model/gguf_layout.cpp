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
// constants.py (MODEL_TENSOR names) @ 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf. A matrix left
// without a name here is kept in 16 bits by every mix (named "ffn.bias" below, which no rule
// quantizes): before stop 20 the Mamba, DeltaNet and Gemma 3n matrices were, 4.0 of Nemotron
// Nano 9B v2's 8.9 B parameters in a "Q4_K_M". Groups the inventory merges (qkv bias, the norms of a
// layer) get one name: they are 1-D and stay F32 whatever their name.
constexpr std::array<NameMap, 37> kNames{{
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
    // Mamba mixers (jamba, falcon-h1, granite-hybrid, nemotron-h): SSM_IN, SSM_X, SSM_OUT.
    {"mamba.in_proj", "ssm_in.weight"},
    {"mamba.x_proj", "ssm_x.weight"},
    {"mamba.out_proj", "ssm_out.weight"},
    // Qwen3-Next's gated DeltaNet: in_proj_ba is SSM_BETA_ALPHA ("ssm_ba"); in_proj_qkvz is
    // split into attn_qkv and attn_gate by the converter (parts_of below), as Qwen3.5's are.
    {"linear_attn.in_proj_ba", "ssm_ba.weight"},
    {"linear_attn.out_proj", "ssm_out.weight"},
    // Gemma 3n (constants.py TENSOR_NAMES): per_layer_token_embd takes token_embd's rules.
    // Its altup, laurel and per_layer_model_proj matrices are never quantized (gguf_types.json
    // not_quantized), as the unnamed groups below are not: left out of this table (page size).
    {"embed_tokens_per_layer", "per_layer_token_embd.weight"},
    {"per_layer_input_gate", "inp_gate.weight"},
    {"per_layer_projection", "proj.weight"},
}};

// Families whose checkpoints fuse q, k and v (and Phi-3 gate with up) into one matrix, which
// convert_hf_to_gguf.py keeps: gguf-py/gguf/tensor_mapping.py @ 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf
// maps gpt_neox's query_key_value, gpt2's (and starcoder's) c_attn, falcon's query_key_value and
// phi3's qkv_proj to ATTN_QKV (and phi3's gate_up_proj to FFN_UP, which every mix types as it
// would gate and up: not modelled); src/llama-model.cpp loads layer.wqkv. Its rules see one attn_qkv tensor per layer,
// typed as attn_v (llama-quant.cpp category_is_attn_v), where the other families' q and k
// keep the default type: Phi-4 Q4_K_M is 9,055,703,040 B (8.43 GiB, as llama-bench prints) rather
// than 8,886,743,040 B with q, k and v apart (tests/core/model/gguf_weights_test.cpp).
bool fuses_qkv(std::string_view model_type) {
  return model_type == "phi3" || model_type == "falcon" || model_type == "gpt_neox" ||
         model_type == "gpt2" || model_type == "gpt_bigcode";
}

std::string_view gguf_suffix(const TensorGroup& g, const QuantModel& m) {
  if (m.fused_qkv && (g.name == "q_proj" || g.name == "k_proj" || g.name == "v_proj"))
    return "attn_qkv.weight";
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

// convert_hf_to_gguf.py (prepare_tensors) writes 1-D tensors, norms, the router
// (FFN_GATE_INP) and learned positions as F32, other matrices in the chosen 16-bit type.
int source_type(const TensorGroup& g) {
  if (!g.is_matrix() || g.kind == TensorKind::router || g.kind == TensorKind::position) return kF32;
  return kF16;
}

// One stored tensor of a group, per layer copy: the GGUF name after "blk.N.", ne[], the type
// the converted file holds it in, and its elements.
struct Part {
  std::string_view suffix;
  std::array<int64_t, 3> ne{};
  size_t n_dims = 0;
  int source = kF16;
  int64_t elements = 0;
};
// Up to two tensors a group is stored as (fixed size: no allocation, little code in the page's module).
struct Parts {
  std::array<Part, 2> at{};
  size_t size = 0;
  void add(std::string_view suffix, int64_t rows, int64_t cols, int source = kF16) {
    at[size++] = rows == 1 ? Part{suffix, {cols}, 1, kF32, cols} : Part{suffix, {cols, rows}, 2, source, rows * cols};
  }
};

// The value width of Qwen3.5's gated DeltaNet (num_v_heads x v_head_dim), whose in_proj_qkvz
// group (2 key + 2 value rows) the checkpoint stores as in_proj_qkv and in_proj_z.
int64_t deltanet_value_width(const Architecture& a, int64_t qkvz_rows) {
  for (const auto& v : a.plan.attention) {  // a DeltaNet hybrid has an explicit plan
    const LinearAttentionConfig& l = v.linear;
    const int64_t key = l.num_k_heads * l.k_head_dim, value = l.num_v_heads * l.v_head_dim;
    if (value > 0 && !l.kda && 2 * key + 2 * value == qkvz_rows) return value;
  }
  return 0;
}

// The tensors a group is stored as. The inventory keeps a Mamba conv1d or dt_proj with its
// bias, and A_log with D, as one group; the converter writes them apart (conv1d in F32 always,
// SSM_CONV1D in prepare_tensors' float32 list; A and D without a ".weight" suffix, so F32 and
// never quantized; src/llama-model.cpp loads ssm_conv1d {d_conv, channels} + bias, ssm_dt
// {dt_rank, d_inner} + bias, ssm_a, ssm_d). The gated DeltaNet's in_proj_qkvz is ATTN_QKV (typed
// by the attn_v rules) and ATTN_GATE: Qwen3.5 checkpoints store them apart (tensor_mapping.py
// "qwen3.5"), and llama.cpp's converter splits Qwen3-Next's fused one the same way
// (Qwen3NextModel.modify_tensors, conversion/qwen.py: "yield ATTN_QKV ... yield ATTN_GATE"; the
// code index's file 54945480918; tensor_mapping.py's SSM_IN entry for it goes unused). Qwen3.5's
// in_proj_b and in_proj_a are SSM_BETA and SSM_ALPHA; Qwen3-Next's in_proj_ba stays one ssm_ba.
Parts parts_of(const TensorGroup& g, const QuantModel& m, const Architecture& a) {
  const int64_t r = g.rows, c = g.cols;
  Parts p;
  if (g.per_layer == 1 && g.is_matrix()) {
    const std::string_view n = g.name;
    if (n == "mamba.conv1d" || n == "mamba.dt_proj" || n == "mamba.A_log_D") {
      // The last column is the bias (D for A_log).
      const bool conv = n == "mamba.conv1d", dt = n == "mamba.dt_proj";
      p.add(conv ? "ssm_conv1d.weight" : dt ? "ssm_dt.weight" : "ssm_a", r, c - 1, dt ? kF16 : kF32);
      p.add(conv ? "ssm_conv1d.bias" : dt ? "ssm_dt.bias" : "ssm_d", 1, r);
      return p;
    }
    if (n == "linear_attn.conv1d") {  // Qwen3-Next's conv has no bias
      p.add("ssm_conv1d.weight", r, c, kF32);
      return p;
    }
    const int64_t value = n == "linear_attn.in_proj_qkvz" ? deltanet_value_width(a, r) : 0;
    if (value > 0) {
      p.add("attn_qkv.weight", r - value, c);
      p.add("attn_gate.weight", value, c);
      return p;
    }
    if (m.split_deltanet_projections && n == "linear_attn.in_proj_ba" && r % 2 == 0) {
      p.add("ssm_beta.weight", r / 2, c);
      p.add("ssm_alpha.weight", r / 2, c);
      return p;
    }
  }
  // ne[] of one stored tensor (ne[0] = row length = input features). Routed experts are one
  // 3-D tensor per layer; several shared experts one 2-D tensor of their summed width.
  Part& d = p.at[p.size++];
  d.suffix = gguf_suffix(g, m);
  d.source = source_type(g);
  d.elements = g.params() / (g.is_matrix() ? std::max<int64_t>(1, g.layers) : 1);
  if (!g.is_matrix()) {
    d.ne = {g.rows * g.cols * g.per_layer};
    d.n_dims = 1;
  } else if (g.kind == TensorKind::expert) {
    d.ne = {g.cols, g.rows, g.per_layer};
    d.n_dims = 3;
  } else {
    const bool down = g.per_layer > 1 && g.name.find("down") != std::string_view::npos;
    d.ne = {down ? g.cols * g.per_layer : g.cols, down ? g.rows : g.rows * g.per_layer};
    d.n_dims = 2;
  }
  return p;
}

std::string layer_name(const TensorGroup& g, int64_t layer, std::string_view suffix) {
  if (g.layers == 0) return std::string(suffix);
  return "blk." + std::to_string(layer) + "." + std::string(suffix);
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

QuantModel quant_model_of(const ModelSpec& model, std::string_view type) {
  const Architecture& a = model.arch;
  QuantModel m;
  // Only "falcon" changes a rule (output in Q8_0 / attn_output not raised): LLM_ARCH_FALCON,
  // model_type "falcon" (Falcon-H1, "falcon_h1", is an architecture of its own).
  m.arch = type == "falcon" ? "falcon" : "llama";
  m.fused_qkv = fuses_qkv(type);
  m.split_deltanet_projections = type == "qwen3_5" || type == "qwen3_5_moe";
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

MixLayout apply_mix(const Mix& mix, const QuantModel& model, const Architecture& arch,
                    const std::vector<TensorGroup>& inventory) {
  MixLayout out;
  out.groups.reserve(inventory.size());
  for (const auto& g : inventory) {
    GroupTypes gt;
    gt.group = &g;
    // A multimodal checkpoint's vision or audio tower and projector are not in the model's GGUF:
    // convert_hf_to_gguf.py writes them to a separate mmproj file (--mmproj, MmprojModel), which
    // llama-server loads only when given --mmproj. Their group has no elements in the file.
    if (g.kind == TensorKind::extra) {
      out.groups.push_back(std::move(gt));
      continue;
    }
    const Parts parts = parts_of(g, model, arch);
    const int64_t first = first_layer(g, arch);
    // 1-D tensors are never quantized (not_quantized.max_dims): one look decides every layer.
    const int64_t n = g.is_matrix() ? std::max<int64_t>(1, g.layers) : 1;
    for (int64_t k = 0; k < n; ++k) {
      for (size_t i = 0; i < parts.size; ++i) {
        const Part& p = parts.at[i];
        const std::string name = layer_name(g, first + k, p.suffix);
        const auto type = quantized_type(mix, model, QuantTensor{name, {p.ne.data(), p.n_dims}, p.source});
        if (!type) {
          if (out.refused.empty()) out.refused = name;
          continue;
        }
        add(gt.types, *type, p.elements);
      }
    }
    std::sort(gt.types.begin(), gt.types.end(),
              [](const TypedElements& x, const TypedElements& y) { return x.type < y.type; });
    out.groups.push_back(std::move(gt));
  }
  return out;
}

}  // namespace llmcalc::gguf
