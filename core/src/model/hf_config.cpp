#include "hf_config.hpp"

#include <algorithm>

#include "architecture_json.hpp"

namespace llmcalc {

using json_io::ObjectReader;
using nlohmann::json;

namespace {

constexpr int64_t kBig = 1'000'000'000;

const std::vector<std::string_view> kTypes = {
    "llama",   "mistral", "mixtral", "qwen2",        "qwen2_moe", "qwen3",  "qwen3_moe",
    "gemma",   "gemma2",  "gemma3",  "gemma3_text",  "phi3",      "gpt2",   "gpt_neox",
    "falcon",  "deepseek_v3"};

bool is(const std::string& t, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), t) != names.end();
}

// Reads the fields shared by llama-like configs.
void read_llama_like(ObjectReader& r, Architecture& a) {
  a.vocab_size = r.integer("vocab_size", 1, kBig).value_or(0);
  a.hidden_size = r.integer("hidden_size", 1, kBig).value_or(0);
  a.num_layers = r.integer("num_hidden_layers", 1, kBig).value_or(0);
  a.num_heads = r.integer("num_attention_heads", 1, kBig).value_or(0);
  a.num_kv_heads = r.integer("num_key_value_heads", 1, kBig, a.num_heads).value_or(0);
  a.head_dim = r.integer("head_dim", 1, kBig, 0).value_or(0);
  a.intermediate_size = r.integer("intermediate_size", 1, kBig).value_or(0);
  a.max_position_embeddings = r.integer("max_position_embeddings", 0, kBig, 0).value_or(0);
  a.attention_bias = r.boolean("attention_bias", false).value_or(false);
  a.mlp_bias = r.boolean("mlp_bias", false).value_or(false);
}

int64_t count_layer_type(const json* types, std::string_view name) {
  if (types == nullptr || !types->is_array()) return -1;
  int64_t n = 0;
  for (const auto& t : *types) n += (t.is_string() && t.get<std::string>() == name) ? 1 : 0;
  return n;
}

void read_window(ObjectReader& r, Architecture& a, int64_t global_every) {
  a.sliding_window = r.integer("sliding_window", 0, kBig, 0).value_or(0);
  a.global_attention_every = a.sliding_window > 0 ? global_every : 0;
}

}  // namespace

const std::vector<std::string_view>& supported_hf_model_types() { return kTypes; }

std::optional<ModelSpec> import_hf_config(const json& config, const std::string& path,
                                          Errors& errors) {
  ObjectReader r(&config, path, errors);
  if (!r.valid()) return std::nullopt;
  const size_t before = errors.size();
  auto type_index = r.choice("model_type", kTypes);
  if (!type_index) return std::nullopt;
  std::string type(kTypes[*type_index]);

  // Multimodal Gemma 3 wraps the language model in text_config.
  if (type == "gemma3") {
    const json* text = r.raw("text_config");
    if (text == nullptr) {
      r.error("text_config", "missing_field", "is required for model_type gemma3");
      return std::nullopt;
    }
    json inner = *text;
    if (inner.is_object()) {
      inner["model_type"] = "gemma3_text";
      if (!inner.contains("tie_word_embeddings") && config.contains("tie_word_embeddings"))
        inner["tie_word_embeddings"] = config["tie_word_embeddings"];
    }
    return import_hf_config(inner, r.child_path("text_config"), errors);
  }

  Architecture a;
  a.tie_word_embeddings = false;
  if (is(type, {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi3",
                "gemma", "gemma2", "gemma3_text"})) {
    read_llama_like(r, a);
    const bool gemma = is(type, {"gemma", "gemma2", "gemma3_text"});
    a.tie_word_embeddings = r.boolean("tie_word_embeddings", gemma).value_or(gemma);
    if (is(type, {"qwen2", "qwen2_moe"})) a.attention_bias = true;  // hard-wired in Qwen2Attention
    if (is(type, {"qwen3", "qwen3_moe", "gemma3_text"})) a.qk_norm = true;
    if (is(type, {"gemma2", "gemma3_text"})) a.norms_per_layer = 4;
    if (type == "mistral" || type == "mixtral" || type == "phi3") read_window(r, a, 0);
    if (type == "gemma2") read_window(r, a, 2);
    if (type == "gemma3_text") {
      const json* types = r.raw("layer_types");
      int64_t every = r.integer("sliding_window_pattern", 1, kBig, 6).value_or(6);
      if (types != nullptr && types->is_array()) {
        const int64_t full = count_layer_type(types, "full_attention");
        every = full > 0 ? static_cast<int64_t>(types->size()) / full : 0;
      }
      read_window(r, a, every);
    }
    if ((type == "qwen2" || type == "qwen3") && r.boolean("use_sliding_window", false).value_or(false))
      read_window(r, a, 0);
    if (type == "mixtral") {
      MoeConfig m;
      m.num_experts = r.integer("num_local_experts", 1, kBig).value_or(0);
      m.top_k = r.integer("num_experts_per_tok", 1, kBig).value_or(0);
      m.expert_intermediate_size = a.intermediate_size;
      a.moe = m;
    }
    if (type == "qwen2_moe" || type == "qwen3_moe") {
      MoeConfig m;
      m.num_experts = r.integer("num_experts", 1, kBig).value_or(0);
      m.top_k = r.integer("num_experts_per_tok", 1, kBig).value_or(0);
      m.expert_intermediate_size = r.integer("moe_intermediate_size", 1, kBig).value_or(0);
      if (type == "qwen2_moe") {
        m.shared_expert_intermediate_size =
            r.integer("shared_expert_intermediate_size", 0, kBig, 0).value_or(0);
        m.num_shared_experts = m.shared_expert_intermediate_size > 0 ? 1 : 0;
        m.shared_expert_gate = m.num_shared_experts > 0;
      }
      // Dense layers: those listed in mlp_only_layers, or off the decoder_sparse_step grid.
      const int64_t step = r.integer("decoder_sparse_step", 1, kBig, 1).value_or(1);
      const json* only = r.raw("mlp_only_layers");
      int64_t dense = 0;
      for (int64_t i = 0; i < a.num_layers; ++i) {
        bool listed = false;
        if (only != nullptr && only->is_array())
          for (const auto& v : *only) listed = listed || (v.is_number_integer() && v.get<int64_t>() == i);
        dense += (listed || (i + 1) % step != 0) ? 1 : 0;
      }
      m.first_dense_layers = dense;
      a.moe = m;
    }
  } else if (type == "gpt2") {
    a.vocab_size = r.integer("vocab_size", 1, kBig).value_or(0);
    a.hidden_size = r.integer("n_embd", 1, kBig).value_or(0);
    a.num_layers = r.integer("n_layer", 1, kBig).value_or(0);
    a.num_heads = r.integer("n_head", 1, kBig).value_or(0);
    a.num_kv_heads = a.num_heads;
    a.intermediate_size = r.integer("n_inner", 1, kBig, 4 * a.hidden_size).value_or(0);
    a.max_position_embeddings = r.integer("n_positions", 1, kBig).value_or(0);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    a.attention_bias = a.attention_out_bias = a.mlp_bias = true;
    a.position = PositionKind::learned;
    a.tie_word_embeddings = r.boolean("tie_word_embeddings", true).value_or(true);
  } else if (type == "gpt_neox") {
    read_llama_like(r, a);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    const bool bias = r.boolean("attention_bias", true).value_or(true);
    a.attention_bias = a.attention_out_bias = bias;
    a.mlp_bias = true;
    a.tie_word_embeddings = r.boolean("tie_word_embeddings", false).value_or(false);
  } else if (type == "falcon") {
    a.vocab_size = r.integer("vocab_size", 1, kBig).value_or(0);
    a.hidden_size = r.integer("hidden_size", 1, kBig).value_or(0);
    a.num_layers = r.integer("num_hidden_layers", 1, kBig).value_or(0);
    a.num_heads = r.integer("num_attention_heads", 1, kBig).value_or(0);
    const bool new_arch = r.boolean("new_decoder_architecture", false).value_or(false);
    const bool multi_query = r.boolean("multi_query", true).value_or(true);
    if (new_arch) a.num_kv_heads = r.integer("num_kv_heads", 1, kBig, a.num_heads).value_or(0);
    else a.num_kv_heads = multi_query ? 1 : a.num_heads;
    a.intermediate_size = r.integer("ffn_hidden_size", 1, kBig, 4 * a.hidden_size).value_or(0);
    a.max_position_embeddings = r.integer("max_position_embeddings", 0, kBig, 2048).value_or(0);
    a.mlp = MlpKind::standard;
    a.norm = NormKind::layernorm;
    const bool parallel = r.boolean("parallel_attn", true).value_or(true);
    a.norms_per_layer = new_arch ? 2 : (parallel ? 1 : 2);
    const bool bias = r.boolean("bias", false).value_or(false);
    a.attention_bias = a.attention_out_bias = a.mlp_bias = bias;
    a.position = r.boolean("alibi", false).value_or(false) ? PositionKind::alibi : PositionKind::rope;
    a.tie_word_embeddings = r.boolean("tie_word_embeddings", true).value_or(true);
  } else if (type == "deepseek_v3") {
    read_llama_like(r, a);
    a.num_kv_heads = a.num_heads;
    MlaConfig mla;
    mla.q_lora_rank = r.integer("q_lora_rank", 0, kBig, 0).value_or(0);
    mla.kv_lora_rank = r.integer("kv_lora_rank", 1, kBig).value_or(0);
    mla.qk_nope_head_dim = r.integer("qk_nope_head_dim", 0, kBig).value_or(0);
    mla.qk_rope_head_dim = r.integer("qk_rope_head_dim", 0, kBig).value_or(0);
    mla.v_head_dim = r.integer("v_head_dim", 1, kBig).value_or(0);
    a.mla = mla;
    a.head_dim = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
    MoeConfig m;
    m.num_experts = r.integer("n_routed_experts", 1, kBig).value_or(0);
    m.top_k = r.integer("num_experts_per_tok", 1, kBig).value_or(0);
    m.expert_intermediate_size = r.integer("moe_intermediate_size", 1, kBig).value_or(0);
    m.num_shared_experts = r.integer("n_shared_experts", 0, kBig, 0).value_or(0);
    m.shared_expert_intermediate_size = m.expert_intermediate_size;
    m.first_dense_layers = r.integer("first_k_dense_replace", 0, kBig, 0).value_or(0);
    m.router_bias = true;  // e_score_correction_bias
    a.moe = m;
    a.tie_word_embeddings = r.boolean("tie_word_embeddings", false).value_or(false);
  }
  if (errors.size() != before) return std::nullopt;
  if (a.head_dim == 0 && a.num_heads > 0 && a.hidden_size % a.num_heads == 0)
    a.head_dim = a.hidden_size / a.num_heads;
  validate_architecture(a, path, errors);
  if (errors.size() != before) return std::nullopt;

  ModelSpec spec;
  spec.arch = a;
  const json* name = r.raw("_name_or_path");
  spec.id = "hf:" + type;
  spec.name = (name != nullptr && name->is_string() && !name->get<std::string>().empty())
                  ? json_io::shorten(name->get<std::string>(), 120)
                  : "Hugging Face " + type + " config";
  return spec;
}

json export_hf_config(const ModelSpec& model) {
  const Architecture& a = model.arch;
  json j;
  if (a.mlp == MlpKind::standard && a.position == PositionKind::learned) {
    j = {{"model_type", "gpt2"},         {"architectures", {"GPT2LMHeadModel"}},
         {"vocab_size", a.vocab_size},   {"n_embd", a.hidden_size},
         {"n_layer", a.num_layers},      {"n_head", a.num_heads},
         {"n_inner", a.intermediate_size}, {"n_positions", a.max_position_embeddings},
         {"tie_word_embeddings", a.tie_word_embeddings}};
    return j;
  }
  j = {{"vocab_size", a.vocab_size},
       {"hidden_size", a.hidden_size},
       {"num_hidden_layers", a.num_layers},
       {"num_attention_heads", a.num_heads},
       {"num_key_value_heads", a.num_kv_heads},
       {"head_dim", a.head_dim},
       {"intermediate_size", a.intermediate_size},
       {"max_position_embeddings", a.max_position_embeddings > 0 ? a.max_position_embeddings : 4096},
       {"tie_word_embeddings", a.tie_word_embeddings},
       {"rms_norm_eps", 1e-6},
       {"torch_dtype", "bfloat16"}};
  if (a.mla) {
    j["model_type"] = "deepseek_v3";
    j["architectures"] = {"DeepseekV3ForCausalLM"};
    j["q_lora_rank"] = a.mla->q_lora_rank > 0 ? json(a.mla->q_lora_rank) : json(nullptr);
    j["kv_lora_rank"] = a.mla->kv_lora_rank;
    j["qk_nope_head_dim"] = a.mla->qk_nope_head_dim;
    j["qk_rope_head_dim"] = a.mla->qk_rope_head_dim;
    j["v_head_dim"] = a.mla->v_head_dim;
    if (a.moe) {
      j["n_routed_experts"] = a.moe->num_experts;
      j["num_experts_per_tok"] = a.moe->top_k;
      j["moe_intermediate_size"] = a.moe->expert_intermediate_size;
      j["n_shared_experts"] = a.moe->num_shared_experts;
      j["first_k_dense_replace"] = a.moe->first_dense_layers;
      j["n_group"] = 1;
      j["topk_group"] = 1;
    }
  } else if (a.moe && a.moe->num_shared_experts > 0) {
    j["model_type"] = "qwen2_moe";
    j["architectures"] = {"Qwen2MoeForCausalLM"};
    j["num_experts"] = a.moe->num_experts;
    j["num_experts_per_tok"] = a.moe->top_k;
    j["moe_intermediate_size"] = a.moe->expert_intermediate_size;
    j["shared_expert_intermediate_size"] = a.moe->shared_expert_intermediate_size;
  } else if (a.moe) {
    j["model_type"] = a.qk_norm ? "qwen3_moe" : "mixtral";
    j["architectures"] = {a.qk_norm ? "Qwen3MoeForCausalLM" : "MixtralForCausalLM"};
    j[a.qk_norm ? "num_experts" : "num_local_experts"] = a.moe->num_experts;
    j["num_experts_per_tok"] = a.moe->top_k;
    if (a.qk_norm) j["moe_intermediate_size"] = a.moe->expert_intermediate_size;
  } else if (a.norms_per_layer == 4) {
    j["model_type"] = a.qk_norm ? "gemma3_text" : "gemma2";
    j["architectures"] = {a.qk_norm ? "Gemma3ForCausalLM" : "Gemma2ForCausalLM"};
    j["sliding_window"] = a.sliding_window;
    if (a.qk_norm) j["sliding_window_pattern"] = a.global_attention_every;
  } else if (a.qk_norm) {
    j["model_type"] = "qwen3";
    j["architectures"] = {"Qwen3ForCausalLM"};
  } else if (a.attention_bias) {
    j["model_type"] = "qwen2";
    j["architectures"] = {"Qwen2ForCausalLM"};
  } else if (a.sliding_window > 0) {
    j["model_type"] = "mistral";
    j["architectures"] = {"MistralForCausalLM"};
    j["sliding_window"] = a.sliding_window;
  } else {
    j["model_type"] = "llama";
    j["architectures"] = {"LlamaForCausalLM"};
  }
  return j;
}

}  // namespace llmcalc
