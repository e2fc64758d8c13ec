// The 2025-26 family readers: layouts read from each family's fields, wrappers unwrapped,
// unknown types read generically with a note, and malformed configs refused with a path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llmcalc/tensors.hpp"
#include "model/hf_config.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

const json kDecoder = json::parse(R"({"hidden_size":64,"num_hidden_layers":4,"num_attention_heads":4,
    "num_key_value_heads":2,"vocab_size":1000,"intermediate_size":128})");

json with(json base, const json& extra) {
  for (auto it = extra.begin(); it != extra.end(); ++it) base[it.key()] = it.value();
  return base;
}

std::optional<ModelSpec> import(const json& config, Errors& errors) {
  return import_hf_config(config, "/model/hf_config", errors);
}

Error first_error(const json& config) {
  Errors errors;
  EXPECT_FALSE(import(config, errors)) << config.dump();
  return errors.empty() ? Error{} : errors[0];
}

TEST(HfFamilies, RequiredModelTypesHaveReaders) {
  const auto& types = supported_hf_model_types();
  for (const char* t :
       {"gpt_oss", "llama4", "llama4_text", "qwen3_next", "qwen3_5", "qwen3_5_moe", "qwen3_vl",
        "qwen3_vl_moe", "qwen2_5_vl", "glm4_moe", "glm4_moe_lite", "glm_moe_dsa", "deepseek_v32",
        "kimi_k2", "minimax_m2", "mimo_v2_flash", "gemma3n", "gemma4", "gemma4_text", "mistral3",
        "ministral", "olmo2", "olmo3", "smollm3", "exaone4", "ernie4_5_moe", "hunyuan_v1_moe",
        "nemotron_h", "falcon_h1", "granitemoehybrid", "jamba", "nemotron-nas", "gpt_bigcode",
        "gptj", "mpt", "phimoe", "phi4flash"})
    EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
}

TEST(HfFamilies, UnknownTypeWithDecoderFieldsIsReadGenericallyWithANote) {
  Errors errors;
  auto spec = import(with(kDecoder, {{"model_type", "step3p7"}}), errors);
  ASSERT_TRUE(spec) << errors[0].message;
  ASSERT_EQ(spec->notes.size(), 1u);
  EXPECT_NE(spec->notes[0].find("step3p7"), std::string::npos);
  EXPECT_NE(spec->notes[0].find("llama-like"), std::string::npos);
  // Missing what memory needs: the type is named first, then the missing field.
  Errors e2;
  EXPECT_FALSE(import({{"model_type", "step3p7"}, {"hidden_size", 64}}, e2));
  EXPECT_EQ(e2[0].path, "/model/hf_config/model_type");
  EXPECT_EQ(e2[1].path, "/model/hf_config/vocab_size");
  EXPECT_EQ(e2[1].code, "missing_field");
}

TEST(HfFamilies, AnyTextConfigWrapperIsUnwrapped) {
  Errors errors;
  auto spec = import({{"model_type", "some_vlm"}, {"text_config", with(kDecoder, {{"model_type", "llama"}})},
                      {"tie_word_embeddings", true}}, errors);
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->arch.tie_word_embeddings);  // carried from the wrapper
  EXPECT_EQ(spec->id, "hf:some_vlm");
  EXPECT_EQ(spec->arch.num_layers, 4);
}

TEST(HfFamilies, LayerTypesAndPatternsAreChecked) {
  // layer_types must give every layer.
  Error e = first_error(with(kDecoder, {{"model_type", "olmo3"}, {"sliding_window", 16},
                                        {"layer_types", {"full_attention", "sliding_attention"}}}));
  EXPECT_EQ(e.path, "/model/hf_config/layer_types");
  EXPECT_EQ(e.code, "inconsistent");
  // Unknown layer type names its index.
  e = first_error(with(kDecoder, {{"model_type", "olmo3"}, {"sliding_window", 16},
                                  {"layer_types", {"full_attention", "x", "full_attention", "full_attention"}}}));
  EXPECT_EQ(e.path, "/model/hf_config/layer_types/1");
  EXPECT_EQ(e.code, "invalid_choice");
  // A linear or mamba layer in a family that has no such geometry is refused, not left
  // pointing at no variant (gpt_oss, gemma4 and gemma3n read layer_types without one).
  for (const char* type : {"gpt_oss", "gemma4_text", "gemma3n_text"}) {
    json moe = std::string(type) == "gpt_oss"
                   ? json{{"num_local_experts", 4}, {"num_experts_per_tok", 2}}
                   : json::object();
    e = first_error(with(with(kDecoder, moe), {{"model_type", type}, {"sliding_window", 16},
                                               {"head_dim", 16}, {"num_kv_shared_layers", 2},
                                               {"layer_types", {"sliding_attention", "full_attention",
                                                                "sliding_attention",
                                                                "linear_attention"}}}));
    EXPECT_EQ(e.path, "/model/hf_config/layer_types") << type;
    EXPECT_EQ(e.code, "invalid_choice") << type;
  }
  // Gemma 3n's attention_bias puts a bias on q, k, v and o: per layer 4 x 16 + 2 x (2 x 16) +
  // 64 = 192, x 4 layers = 768 parameters.
  const json g3n = with(kDecoder, {{"model_type", "gemma3n_text"}, {"sliding_window", 16},
                                   {"head_dim", 16},
                                   {"layer_types", {"sliding_attention", "full_attention",
                                                    "sliding_attention", "full_attention"}}});
  Errors ge;
  const auto plain = import(g3n, ge), biased = import(with(g3n, {{"attention_bias", true}}), ge);
  ASSERT_TRUE(plain && biased);
  EXPECT_EQ(count_params(tensor_inventory(biased->arch)).total -
                count_params(tensor_inventory(plain->arch)).total,
            768);
  // Gemma 3n's per-layer MLP widths must give every layer.
  e = first_error(with(kDecoder, {{"model_type", "gemma3n_text"}, {"sliding_window", 16},
                                  {"head_dim", 16}, {"intermediate_size", {128, 128, 64}},
                                  {"layer_types", {"sliding_attention", "full_attention",
                                                   "sliding_attention", "full_attention"}}}));
  EXPECT_EQ(e.path, "/model/hf_config/intermediate_size");
  EXPECT_EQ(e.code, "inconsistent");
  // A pattern string with an unknown letter.
  e = first_error(with(kDecoder, {{"model_type", "nemotron_h"}, {"hybrid_override_pattern", "M*-Q"},
                                  {"mamba_num_heads", 8}, {"mamba_head_dim", 16}, {"ssm_state_size", 16}}));
  EXPECT_EQ(e.path, "/model/hf_config/hybrid_override_pattern");
  EXPECT_EQ(e.code, "invalid_choice");
  // ... or of the wrong length.
  e = first_error(with(kDecoder, {{"model_type", "nemotron_h"}, {"hybrid_override_pattern", "M*-"},
                                  {"mamba_num_heads", 8}, {"mamba_head_dim", 16}, {"ssm_state_size", 16}}));
  EXPECT_EQ(e.code, "inconsistent");
  // Experts per token above the experts.
  e = first_error(with(kDecoder, {{"model_type", "qwen3_moe"}, {"num_experts", 4},
                                  {"num_experts_per_tok", 8}, {"moe_intermediate_size", 32}}));
  EXPECT_EQ(e.path, "/model/hf_config/num_experts_per_tok");
  EXPECT_EQ(e.code, "inconsistent");
  // MiMo's per-layer lists must give every layer.
  e = first_error(with(kDecoder, {{"model_type", "mimo_v2_flash"}, {"n_routed_experts", 4},
                                  {"num_experts_per_tok", 2}, {"moe_intermediate_size", 32},
                                  {"hybrid_layer_pattern", {0, 1}}, {"moe_layer_freq", {0, 1, 1, 1}}}));
  EXPECT_EQ(e.path, "/model/hf_config/hybrid_layer_pattern");
}

TEST(HfFamilies, QwenMoePlacementFollowsMlpOnlyLayersAndSparseStep) {
  Errors errors;
  auto spec = import(with(kDecoder, {{"model_type", "qwen3_moe"}, {"num_experts", 4},
                                     {"num_experts_per_tok", 2}, {"moe_intermediate_size", 32},
                                     {"decoder_sparse_step", 2}, {"mlp_only_layers", {3}}}), errors);
  ASSERT_TRUE(spec);
  // Step 2: layers 1 and 3 sparse; layer 3 listed dense -> only layer 1 is MoE.
  EXPECT_EQ(spec->arch.moe_layers(), 1);
  const LayerPlan p = spec->arch.layer_plan();
  EXPECT_EQ(p.mlp[p.layer_mlp[1]].kind, LayerMlpKind::moe);
  EXPECT_EQ(p.mlp[p.layer_mlp[3]].kind, LayerMlpKind::dense);
}

TEST(HfFamilies, MimoV2FlashSwaHeadsAndMoeFreq) {
  Errors errors;
  auto spec = import(with(kDecoder, {{"model_type", "mimo_v2_flash"}, {"n_routed_experts", 4},
                                     {"num_experts_per_tok", 2}, {"moe_intermediate_size", 32},
                                     {"head_dim", 16}, {"v_head_dim", 8},
                                     {"hybrid_layer_pattern", {0, 1, 1, 1}},
                                     {"moe_layer_freq", {0, 1, 1, 1}}, {"sliding_window_size", 128},
                                     {"swa_num_key_value_heads", 4}, {"swa_head_dim", 16},
                                     {"swa_v_head_dim", 8}, {"add_swa_attention_sink_bias", true}}),
                     errors);
  ASSERT_TRUE(spec) << errors[0].path << errors[0].message;
  const auto gs = spec->arch.cache_groups();
  ASSERT_EQ(gs.size(), 2u);
  // Full layer: 2 KV heads x (16 + 8) = 48; SWA layers: 4 x (16 + 8) = 96, window 128.
  EXPECT_EQ(gs[0].kv_elements_per_token, 48);
  EXPECT_EQ(gs[1].kv_elements_per_token, 96);
  EXPECT_EQ(gs[1].layers, 3);
  EXPECT_EQ(gs[1].window, 128);
  EXPECT_EQ(spec->arch.moe_layers(), 3);
}

TEST(HfFamilies, NemotronNasBlockConfigs) {
  json blocks = json::array();
  blocks.push_back({{"attention", {{"n_heads_in_group", 2}}}, {"ffn", {{"ffn_mult", 1.5}}}});
  blocks.push_back({{"attention", {{"no_op", true}}}, {"ffn", {{"ffn_mult", 3.0}}}});
  blocks.push_back({{"attention", {{"n_heads_in_group", 4}}}, {"ffn", {{"no_op", true}}}});
  blocks.push_back({{"attention", {{"n_heads_in_group", 2}}}, {"ffn", {{"ffn_mult", 1.5}}}});
  Errors errors;
  auto spec = import(with(kDecoder, {{"model_type", "nemotron-nas"}, {"block_configs", blocks}}), errors);
  ASSERT_TRUE(spec) << errors[0].path << errors[0].message;
  EXPECT_EQ(spec->arch.layers_of(AttentionKind::none), 1);
  EXPECT_EQ(spec->arch.layers_of(LayerMlpKind::none), 1);
  const LayerPlan p = spec->arch.layer_plan();
  // ffn_mult 1.5 x 64 x 2 / 3 = 64 -> rounded up to 256; 3.0 -> 128 -> 256.
  EXPECT_EQ(p.mlp[p.layer_mlp[0]].intermediate_size, 256);
  // KV heads: 4 heads / groups of 2 = 2; of 4 = 1.
  EXPECT_EQ(p.attention[p.layer_attention[0]].num_kv_heads, 2);
  EXPECT_EQ(p.attention[p.layer_attention[2]].num_kv_heads, 1);
}

TEST(HfFamilies, GraniteHybridAndJambaLayouts) {
  json types = {"mamba", "attention", "mamba", "mamba"};
  Errors errors;
  auto g = import(with(kDecoder, {{"model_type", "granitemoehybrid"}, {"layer_types", types},
                                  {"num_local_experts", 4}, {"num_experts_per_tok", 2},
                                  {"intermediate_size", 32}, {"shared_intermediate_size", 128},
                                  {"mamba_n_heads", 8}, {"mamba_d_head", 16}, {"mamba_d_state", 16}}),
                  errors);
  ASSERT_TRUE(g) << errors[0].path << errors[0].message;
  EXPECT_EQ(g->arch.layers_of(AttentionKind::mamba2), 3);
  EXPECT_EQ(g->arch.moe_layers(), 4);
  EXPECT_EQ(g->arch.moe->shared_expert_intermediate_size, 128);
  auto j = import(with(kDecoder, {{"model_type", "jamba"}, {"num_hidden_layers", 8}, {"num_experts", 4},
                                  {"num_experts_per_tok", 2}, {"attn_layer_period", 8},
                                  {"attn_layer_offset", 4}, {"expert_layer_period", 2},
                                  {"expert_layer_offset", 1}}),
                  errors);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->arch.layers_of(AttentionKind::full), 1);
  EXPECT_EQ(j->arch.layers_of(AttentionKind::mamba2), 7);
  EXPECT_EQ(j->arch.moe_layers(), 4);
}

TEST(HfFamilies, OlderDecodersOfTheList) {
  Errors errors;
  auto bigcode = import({{"model_type", "gpt_bigcode"}, {"n_embd", 64}, {"n_layer", 2}, {"n_head", 4},
                         {"n_positions", 128}, {"vocab_size", 1000}, {"multi_query", true}}, errors);
  ASSERT_TRUE(bigcode);
  EXPECT_EQ(bigcode->arch.num_kv_heads, 1);
  auto mpt = import({{"model_type", "mpt"}, {"d_model", 64}, {"n_layers", 2}, {"n_heads", 4},
                     {"vocab_size", 1000}, {"expansion_ratio", 4}, {"no_bias", true}}, errors);
  ASSERT_TRUE(mpt);
  EXPECT_EQ(mpt->arch.intermediate_size, 256);
  EXPECT_FALSE(mpt->arch.attention_bias);
  auto gptj = import({{"model_type", "gptj"}, {"n_embd", 64}, {"n_layer", 2}, {"n_head", 4},
                      {"vocab_size", 1000}}, errors);
  ASSERT_TRUE(gptj);
  EXPECT_EQ(gptj->arch.norms_per_layer, 1);
}

}  // namespace
}  // namespace llmcalc::test

namespace llmcalc::test {
namespace {

// SambaY (phi4flash) configs its reader cannot lay out are refused at the field
// (tests/data/hf_configs/phi-4-mini-flash-reasoning.json is the real one, read in
// hf_fixtures_test). SambaYCache fixes Mamba on even layers and needs L divisible by 4.
TEST(HfFamilies, SambaYInconsistentLayoutsNameTheirField) {
  const json phi4flash = json::parse(R"({"hidden_size":2560,"intermediate_size":10240,
      "mb_per_layer":2,"model_type":"phi4flash","num_attention_heads":40,"num_hidden_layers":32,
      "num_key_value_heads":20,"sliding_window":512,"vocab_size":200064})");
  Errors ok;
  ASSERT_TRUE(import(phi4flash, ok)) << (ok.empty() ? "" : ok[0].path + " " + ok[0].message);
  json bad = phi4flash;
  bad["mb_per_layer"] = 3;  // Mamba every third layer: not the cache layout SambaY has
  EXPECT_EQ(first_error(bad).path, "/model/hf_config/mb_per_layer");
  EXPECT_EQ(first_error(bad).code, "inconsistent");
  bad = phi4flash;
  bad["num_hidden_layers"] = 30;  // 30 % 4 != 0
  EXPECT_EQ(first_error(bad).path, "/model/hf_config/num_hidden_layers");
  EXPECT_EQ(first_error(bad).code, "inconsistent");
  bad = phi4flash;
  bad["mamba_proj_bias"] = true;  // biased Mamba projections are not modelled
  EXPECT_EQ(first_error(bad).path, "/model/hf_config/mamba_proj_bias");
  bad = phi4flash;
  bad["mamba_dt_rank"] = "big";
  EXPECT_EQ(first_error(bad).path, "/model/hf_config/mamba_dt_rank");
  // Another model_type spelling with SambaY's field is read by the same reader.
  bad = phi4flash;
  bad["model_type"] = "sambay";
  bad["mb_per_layer"] = 1;
  EXPECT_EQ(first_error(bad).path, "/model/hf_config/mb_per_layer");
}

// Kimi Linear (model_type kimi_linear): linear_attn_config lists the Kimi Delta Attention
// layers, 1-based; the others are MLA. Bad lists are refused with their path.
TEST(HfFamilies, KimiLinearReadsKdaLayersOneBased) {
  const json kimi = with(kDecoder, json::parse(R"({"model_type":"kimi_linear","kv_lora_rank":32,
      "qk_nope_head_dim":16,"qk_rope_head_dim":8,"v_head_dim":16,"linear_attn_config":
      {"kda_layers":[1,2,3],"full_attn_layers":[4],"num_heads":4,"head_dim":16,"short_conv_kernel_size":4}})"));
  Errors errors;
  auto spec = import(kimi, errors);
  ASSERT_TRUE(spec) << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
  EXPECT_TRUE(spec->notes.empty());
  const LayerPlan p = spec->arch.layer_plan();
  EXPECT_EQ(p.attention[p.layer_attention[0]].kind, AttentionKind::linear);
  EXPECT_TRUE(p.attention[p.layer_attention[0]].linear.kda);
  EXPECT_EQ(p.attention[p.layer_attention[3]].kind, AttentionKind::mla);
  EXPECT_EQ(spec->arch.state_dtype, Dtype::fp32);
  // One KDA layer's state: 4 x 16 x 16 = 1,024 recurrent; (4 - 1) x 3 x 64 = 576 conv.
  for (const auto& g : spec->arch.cache_groups())
    if (g.kind == AttentionKind::linear) {
      EXPECT_EQ(g.layers, 3);
      EXPECT_EQ(g.state_elements, 1024);
      EXPECT_EQ(g.conv_state_elements, 576);
    }

  json zero = kimi;
  zero["linear_attn_config"]["kda_layers"] = json::array({0, 1});
  Error e = first_error(zero);
  EXPECT_EQ(e.path, "/model/hf_config/linear_attn_config/kda_layers/0");
  json both = kimi;
  both["linear_attn_config"]["full_attn_layers"] = json::array({3, 4});
  e = first_error(both);
  EXPECT_EQ(e.path, "/model/hf_config/linear_attn_config/full_attn_layers");
  EXPECT_EQ(e.code, "inconsistent");
  json missing = kimi;
  missing.erase("linear_attn_config");
  e = first_error(missing);
  EXPECT_EQ(e.path, "/model/hf_config/linear_attn_config");
  EXPECT_EQ(e.code, "missing_field");
  json full_rank = kimi;
  full_rank["linear_attn_config"]["use_full_rank_gate"] = true;
  EXPECT_EQ(first_error(full_rank).path, "/model/hf_config/linear_attn_config/use_full_rank_gate");
  json no_heads = kimi;
  no_heads["linear_attn_config"].erase("num_heads");
  EXPECT_EQ(first_error(no_heads).path, "/model/hf_config/linear_attn_config/num_heads");
}

// Another model_type borrowing the layout is still refused by the generic reader.
TEST(HfFamilies, KdaLayersUnderAnUnknownTypeAreRefused) {
  const json other = with(kDecoder, json::parse(R"({"model_type":"kimi_other","linear_attn_config":
      {"kda_layers":[1,2,3],"num_heads":4,"head_dim":16}})"));
  Errors refused;
  EXPECT_FALSE(import(other, refused));
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[1].path, "/model/hf_config/linear_attn_config");
}

// LFM2 with layer_types ("conv" / "full_attention"), and LFM2-MoE: intermediate_size as is
// for its num_dense_layers leading dense layers, MoE after with a router bias per expert.
TEST(HfFamilies, Lfm2ConvLayersAndLfm2MoeExperts) {
  const json lfm2 = with(kDecoder, json::parse(R"({"model_type":"lfm2","conv_L_cache":3,
      "layer_types":["conv","conv","full_attention","conv"],"block_auto_adjust_ff_dim":false})"));
  Errors errors;
  auto spec = import(lfm2, errors);
  ASSERT_TRUE(spec) << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
  EXPECT_EQ(spec->arch.layers_of(AttentionKind::conv), 3);
  EXPECT_EQ(spec->arch.softmax_layers(), 1);
  // One conv layer: in_proj 3 x 64 x 64 = 12,288 + conv 64 x 3 = 192 + out_proj 4,096.
  int64_t conv_params = 0;
  for (const auto& g : tensor_inventory(spec->arch))
    if (g.name.rfind("conv.", 0) == 0) conv_params += g.rows * g.cols * g.layers * g.per_layer;
  EXPECT_EQ(conv_params, 3 * (12288 + 192 + 4096));

  json moe = lfm2;
  moe["model_type"] = "lfm2_moe";
  moe["num_experts"] = 8;
  moe["num_experts_per_tok"] = 2;
  moe["moe_intermediate_size"] = 32;
  moe["num_dense_layers"] = 2;
  Errors e2;
  auto m = import(moe, e2);
  ASSERT_TRUE(m) << (e2.empty() ? "" : e2[0].path + " " + e2[0].message);
  EXPECT_EQ(m->arch.layers_of(LayerMlpKind::moe), 2);
  EXPECT_EQ(m->arch.layers_of(LayerMlpKind::dense), 2);
  EXPECT_TRUE(m->arch.moe->router_bias);

  json missing = lfm2;
  missing.erase("conv_L_cache");
  EXPECT_EQ(first_error(missing).path, "/model/hf_config/conv_L_cache");
  json none = lfm2;
  none.erase("layer_types");
  EXPECT_EQ(first_error(none).path, "/model/hf_config/layer_types");
  // A conv layer under a type without a reader for it is refused, not read as attention.
  json other = lfm2;
  other["model_type"] = "lfm3_unknown";
  Errors e3;
  EXPECT_FALSE(import(other, e3));
  ASSERT_EQ(e3.size(), 2u);
  EXPECT_EQ(e3[0].path, "/model/hf_config/model_type");
  EXPECT_EQ(e3[1].path, "/model/hf_config/layer_types");
}

}  // namespace
}  // namespace llmcalc::test
