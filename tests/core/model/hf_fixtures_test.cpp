// Real config.json files (tests/data/hf_configs, sources in SOURCES.md) against the
// parameter counts their publishers give, in the publisher's convention.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "hf_fixtures.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/tensors.hpp"
#include "model/hf_config.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

ModelSpec load(std::string_view name) {
  for (const auto& f : hf_fixtures()) {
    if (f.name != name) continue;
    Errors errors;
    auto spec = import_hf_config_file(f.text, errors);
    EXPECT_TRUE(spec) << name << ": " << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
    return spec.value_or(ModelSpec{});
  }
  ADD_FAILURE() << "no fixture " << name;
  return {};
}

ParamCounts counts(const ModelSpec& s) { return count_params(tensor_inventory(s.arch)); }

TEST(HfFixtures, EveryFixtureImports) {
  EXPECT_GE(hf_fixtures().size(), 7u);
  for (const auto& f : hf_fixtures()) {
    Errors errors;
    EXPECT_TRUE(import_hf_config_file(f.text, errors)) << f.name;
  }
}

TEST(HfFixtures, GptOss20bMatchesTheModelCard) {
  const ParamCounts c = counts(load("gpt-oss-20b"));
  // Card: 20.91B total; 3.61B active, counting the unembedding but not the embedding.
  EXPECT_EQ(c.total, 20914757184);
  EXPECT_NEAR(double(c.total) / 1e9, 20.91, 0.005);
  EXPECT_NEAR(double(c.active_excluding_input_embedding) / 1e9, 3.61, 0.005);
}

TEST(HfFixtures, Qwen25Vl7bExactWithItsVisionTower) {
  const ModelSpec s = load("qwen2.5-vl-7b");
  const ParamCounts c = counts(s);
  // 7,615,616,512 language + 676,550,144 vision = 8,292,166,656 as transformers loads it.
  EXPECT_EQ(c.total, 8292166656);
  EXPECT_EQ(c.extra, 676550144);
  EXPECT_EQ(c.active, 7615616512);  // a text token does not run the tower
}

TEST(HfFixtures, Qwen3Vl8bExactWithDeepstackMergers) {
  EXPECT_EQ(counts(load("qwen3-vl-8b")).total, 8767123696);  // Hub safetensors total
}

TEST(HfFixtures, Qwen35_9bTextVisionAndMtpMakeTheCheckpoint) {
  const ModelSpec s = load("qwen3.5-9b");
  const ParamCounts c = counts(s);
  // index.json total_size 19,306,216,416 B / 2 = 9,653,108,208 parameters, MTP included.
  // Ours: 9,409,813,744 + MTP 243,290,624 = 9,653,104,368; 3,840 (0.00004%) unexplained.
  const double ours = double(c.total + mtp_params(s.arch));
  EXPECT_LE(std::fabs(ours - 9653108208.0) / 9653108208.0, 1e-6);
  EXPECT_EQ(s.arch.mtp_layers, 1);
}

TEST(HfFixtures, NemotronNano9bV2) {
  const ModelSpec s = load("nemotron-nano-9b-v2");
  // Card: 9B; computed 8,888,227,328 (within the card's rounding).
  EXPECT_NEAR(double(counts(s).total) / 1e9, 9.0, 0.5);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::full), 4);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::mamba2), 27);
  EXPECT_EQ(s.arch.norms_per_layer, 1);
}

// Nemotron 3 Nano 30B-A3B (nemotron-3-nano-30b-a3b.json): 23 Mamba-2, 23 MoE, 6 attention blocks.
//   Mamba-2 (64 heads of 64 -> inner 4,096; 8 groups of state 128): in_proj 2,688 x (2 x 4,096 +
//     2 x 8 x 128 + 64) = 27,697,152; conv 6,144 x 4 + bias 6,144 = 30,720; A_log, D, dt_bias
//     3 x 64 = 192; gated norm 4,096; out_proj 4,096 x 2,688 = 11,010,048; block norm 2,688
//     -> 38,744,896
//   attention (32 heads, 2 KV heads of 128): q, o 2 x 2,688 x 4,096 = 22,020,096; k, v 2 x 2,688 x
//     256 = 1,376,256; norm 2,688 -> 23,399,040
//   MoE (squared ReLU: up, down): expert 2 x 2,688 x 1,856 = 9,977,856; x 128 = 1,277,165,568;
//     shared 2 x 2,688 x 3,712 = 19,955,712; router 128 x 2,688 + 128 bias = 344,192; norm 2,688
//     -> 1,297,468,160
//   embedding + untied head 2 x 131,072 x 2,688 = 704,643,072; final norm 2,688
//   total 23 x 38,744,896 + 6 x 23,399,040 + 23 x 1,297,468,160 + 704,643,072 + 2,688
//     = 31,577,940,288 (report: 31.6B)
//   active: 6 experts -> 23 x (59,867,136 + 19,955,712 + 344,192 + 2,688) = 1,843,903,744;
//     + 891,132,608 + 140,394,240 + 704,643,072 + 2,688 = 3,580,076,352 (report: 3.6B with the
//     embeddings); without the input embedding 3,227,754,816 (report: 3.2B).
// Nemotron 3 Nano technical report (arXiv:2512.20848): "31.6B parameters out of which only 3.2B
// are activated per forward pass (3.6B including embeddings)".
TEST(HfFixtures, Nemotron3Nano30bA3bMatchesItsReport) {
  const ModelSpec s = load("nemotron-3-nano-30b-a3b");
  const ParamCounts c = counts(s);
  EXPECT_EQ(c.total, 31577940288);
  EXPECT_EQ(c.active, 3580076352);
  EXPECT_EQ(c.active_excluding_input_embedding, 3227754816);
  EXPECT_NEAR(double(c.total) / 1e9, 31.6, 0.05);
  EXPECT_NEAR(double(c.active) / 1e9, 3.6, 0.05);
  EXPECT_NEAR(double(c.active_excluding_input_embedding) / 1e9, 3.2, 0.05);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::full), 6);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::mamba2), 23);
  EXPECT_EQ(s.arch.moe_layers(), 23);
}

// Newer Nemotron-H configs spell the pattern as layers_block_type (transformers'
// NemotronHConfig) and may leave num_hidden_layers out (it is the list's length); the legacy
// names "mamba" and "attention" mean linear_attention and full_attention. The same model.
TEST(HfFixtures, NemotronHLayersBlockTypeIsThePattern) {
  json cfg;
  for (const auto& f : hf_fixtures())
    if (f.name == "nemotron-3-nano-30b-a3b") cfg = json::parse(f.text);
  ASSERT_FALSE(cfg.is_null());
  const std::string pattern = cfg["hybrid_override_pattern"];
  json types = json::array(), legacy = json::array();
  for (char ch : pattern) {
    types.push_back(ch == 'M' ? "linear_attention" : ch == '*' ? "full_attention" : ch == '-' ? "mlp" : "moe");
    legacy.push_back(ch == 'M' ? "mamba" : ch == '*' ? "attention" : ch == '-' ? "mlp" : "moe");
  }
  cfg.erase("hybrid_override_pattern");
  cfg.erase("num_hidden_layers");
  for (const json& list : {types, legacy}) {
    json c = cfg;
    c["layers_block_type"] = list;
    Errors errors;
    const auto s = import_hf_config(c, "/model/hf_config", errors);
    ASSERT_TRUE(s) << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
    EXPECT_EQ(counts(*s).total, 31577940288);
    EXPECT_EQ(s->arch.num_layers, 52);
    EXPECT_EQ(s->arch.layers_of(AttentionKind::mamba2), 23);
  }
  // An unknown entry names its index; a list that disagrees with num_hidden_layers is named.
  json bad = cfg;
  bad["layers_block_type"] = types;
  bad["layers_block_type"][3] = "sliding_attention";
  Errors e1;
  EXPECT_FALSE(import_hf_config(bad, "/model/hf_config", e1));
  ASSERT_FALSE(e1.empty());
  EXPECT_EQ(e1[0].path, "/model/hf_config/layers_block_type/3");
  EXPECT_EQ(e1[0].code, "invalid_choice");
  json longer = cfg;
  longer["layers_block_type"] = types;
  longer["num_hidden_layers"] = 50;
  Errors e2;
  EXPECT_FALSE(import_hf_config(longer, "/model/hf_config", e2));
  ASSERT_FALSE(e2.empty());
  EXPECT_EQ(e2[0].path, "/model/hf_config/layers_block_type");
  EXPECT_EQ(e2[0].code, "inconsistent");
}

// gpt-oss-120b (gpt-oss-120b-bf16.json, its config.json without the mxfp4 block): 36 layers, 128
// experts. Per layer: attention q, o 2 x 2,880 x 4,096 + k, v 2 x 2,880 x 512 + biases 4,096 +
// 2 x 512 + 2,880 + 64 sinks = 26,549,184; expert 2,880 x 5,760 + 5,760 + 2,880^2 + 2,880 =
// 24,891,840, x 128 = 3,186,155,520; router 2,880 x 128 + 128 = 368,768; 2 norms 5,760.
// Total 36 x 3,213,079,232 + 2 x 201,088 x 2,880 + 2,880 = 116,829,156,672 (card 116.83B);
// active without the input embedding: 36 x (26,549,184 + 4 x 24,891,840 + 368,768 + 5,760) +
// 201,088 x 2,880 + 2,880 = 5,132,849,472 (card 5.13B).
TEST(HfFixtures, GptOss120bMatchesTheModelCard) {
  const ParamCounts c = counts(load("gpt-oss-120b-bf16"));
  EXPECT_EQ(c.total, 116829156672);
  EXPECT_EQ(c.active_excluding_input_embedding, 5132849472);
  EXPECT_NEAR(double(c.total) / 1e9, 116.83, 0.005);
  EXPECT_NEAR(double(c.active_excluding_input_embedding) / 1e9, 5.13, 0.005);
}

// DeepSeek-V3.2 (deepseek-v3.2-bf16.json, its config.json without the fp8 block) imports to the
// deepseek-v3.2 preset's architecture: the same parameter count, MTP layer included.
TEST(HfFixtures, DeepSeekV32ConfigIsThePreset) {
  const ModelSpec s = load("deepseek-v3.2-bf16");
  const ModelPreset* p = find_model("deepseek-v3.2");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(counts(s).total, counts(p->spec).total);
  EXPECT_EQ(mtp_params(s.arch), mtp_params(p->spec.arch));
  EXPECT_EQ(s.arch.mtp_layers, 1);
  EXPECT_EQ(s.arch.layer_plan().attention[0].indexer_heads, 64);
}

TEST(HfFixtures, Llama4MaverickTwoLayerPlan) {
  const ModelSpec s = load("llama-4-maverick-2layer");
  const LayerPlan p = s.arch.layer_plan();
  ASSERT_EQ(p.layer_attention.size(), 2u);
  // no_rope_layer_interval 2: layer 0 uses RoPE (chunked, 8,192), layer 1 is NoPE (global);
  // interleave_moe_layer_step 2: layer 1 is MoE, layer 0 dense 16,384 wide.
  EXPECT_EQ(p.attention[p.layer_attention[0]].kind, AttentionKind::chunked);
  EXPECT_EQ(p.attention[p.layer_attention[0]].window, 8192);
  EXPECT_EQ(p.attention[p.layer_attention[1]].kind, AttentionKind::full);
  EXPECT_EQ(p.mlp[p.layer_mlp[0]].kind, LayerMlpKind::dense);
  EXPECT_EQ(p.mlp[p.layer_mlp[0]].intermediate_size, 16384);
  EXPECT_EQ(p.mlp[p.layer_mlp[1]].kind, LayerMlpKind::moe);
  // The vision tower has num_hidden_layers 0 in this cut-down config: not counted, noted.
  EXPECT_TRUE(s.arch.extra_modules.empty());
  EXPECT_FALSE(s.notes.empty());
}

// GLM-4.5-Air's config (glm-4.5-air.json) and GLM-4.6's (glm-4.6.json): the 46- and 92-layer
// stacks of param_count_test's HandCheckedGlm45, read from config.json.
TEST(HfFixtures, Glm45AirAndGlm46) {
  const ModelSpec air = load("glm-4.5-air");
  // 45 MoE layers x 2,341,492,864 + 1 dense 243,554,304 + 2 x 151,552 x 4,096 + 4,096.
  EXPECT_EQ(counts(air).total, 106852251264);
  EXPECT_EQ(air.arch.mtp_layers, 1);
  EXPECT_EQ(air.arch.moe_layers(), 45);
  // The MTP block: one MoE layer + eh_proj 2 x 4,096^2 + 3 norms (the config does not say
  // that this checkpoint also stores an embedding and head in layer 46).
  EXPECT_EQ(mtp_params(air.arch), 2341492864 + 2 * 4096 * 4096 + 3 * 4096);
  const ModelSpec g46 = load("glm-4.6");
  EXPECT_EQ(counts(g46).total, 352797829024);
  EXPECT_EQ(counts(g46).total + mtp_params(g46.arch), 356785898816);  // llama.cpp: 356.786 B
  EXPECT_EQ(g46.arch.max_position_embeddings, 202752);
  EXPECT_TRUE(g46.arch.qk_norm);
  EXPECT_FALSE(air.arch.qk_norm);
}

// Qwen3.5-35B-A3B: 30 Gated DeltaNet + 10 gated attention layers, each with 256 experts.
TEST(HfFixtures, Qwen35MoeTextVisionAndMtp) {
  const ModelSpec s = load("qwen3.5-35b-a3b");
  const ParamCounts c = counts(s);
  const int64_t h = 2048;
  // DeltaNet: in_proj_qkvz (2 x 2,048 + 2 x 4,096) x h + in_proj_ba 64 x h + conv1d 8,192 x 4
  // + dt_bias, A_log 64 + norm 128 + out_proj h x 4,096.
  const int64_t linear = 12288 * h + 64 * h + 8192 * 4 + 64 + 128 + h * 4096;
  EXPECT_EQ(linear, 33718464);
  // Gated attention: q_proj 2 x 16 x 256, k and v 2 x 256, o_proj, q/k norms 2 x 256.
  const int64_t attention = 8192 * h + 2 * 512 * h + h * 4096 + 512;
  // MoE: router 256 x h, 256 experts and the shared one (3 x h x 512 each), shared gate h.
  const int64_t moe = 256 * h + 257 * 3 * h * 512 + h;
  const int64_t text = 30 * linear + 10 * attention + 40 * (moe + 2 * h) + 2 * 248320 * h + h;
  EXPECT_EQ(text, 34660610688);
  // Vision: patch Conv3d 3x2x16x16 -> 1,152 (+ bias), 2,304 positions, 27 blocks (2 LayerNorms,
  // qkv, proj, fc1 4,304, fc2, all with biases), merger LayerNorm + 4,608 -> 4,608 -> 2,048.
  const int64_t d = 1152;
  const int64_t block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4304 + 4304) + (4304 * d + d);
  const int64_t vision = (1536 * d + d) + 2304 * d + 27 * block + 2 * d + (4608 * 4608 + 4608) +
                         (4608 * h + h);
  EXPECT_EQ(vision, 446571248);
  EXPECT_EQ(c.extra, vision);
  EXPECT_EQ(c.total, text + vision);  // 35.1B: the card's "35B"
  // MTP: a last-layer copy (attention + MoE + 2 norms) + fc 2h -> h + 3 norms.
  EXPECT_EQ(mtp_params(s.arch), attention + moe + 2 * h + 2 * h * h + 3 * h);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::linear), 30);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::full), 10);
  EXPECT_EQ(s.arch.state_dtype, Dtype::fp32);
  // Active with embedding and head: 8 of 256 experts, 3.45B (the card's "3B").
  EXPECT_EQ(c.active, text - 40 * 248 * 3 * h * 512);
  // The config has no intermediate_size: fine while every layer has experts, an error naming
  // the field once a layer is dense (mlp_only_layers).
  json j;
  for (const auto& f : hf_fixtures())
    if (f.name == "qwen3.5-35b-a3b") j = json::parse(f.text);
  ASSERT_FALSE(j.contains("intermediate_size") || j["text_config"].contains("intermediate_size"));
  j["text_config"]["mlp_only_layers"] = {0};
  Errors e;
  EXPECT_FALSE(import_hf_config(j, "", e));
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/text_config/intermediate_size");
  EXPECT_EQ(e[0].code, "missing_field");
}

// Granite-4.0-H-Tiny: 36 Mamba-2 + 4 attention layers, a MoE (64 x 512, top-6) plus a shared
// MLP (1,024) in every layer; the GGUF's 666 tensors add up to the same count.
TEST(HfFixtures, Granite40HTiny) {
  const ModelSpec s = load("granite-4.0-h-tiny");
  const int64_t h = 1536;
  // Mamba-2: in_proj (3,072 + 3,328 + 48) x h, conv1d 3,328 x (4 + 1 bias), A_log/D/dt_bias
  // 3 x 48, gated norm 3,072, out_proj h x 3,072 (ssm_in 1536 x 6448 in the GGUF).
  const int64_t mamba = 6448 * h + 3328 * 5 + 3 * 48 + 3072 + h * 3072;
  EXPECT_EQ(mamba, 14642576);
  const int64_t attention = 2 * h * h + 2 * h * 512;  // q, o 12 x 128; k, v 4 x 128
  // Router 64 x h, 64 experts 3 x h x 512, shared 3 x h x 1,024, two norms.
  const int64_t ffn = 64 * h + 64 * 3 * h * 512 + 3 * h * 1024 + 2 * h;
  const int64_t total = 36 * mamba + 4 * attention + 40 * ffn + 100352 * h + h;  // tied head
  EXPECT_EQ(total, 6939037248);  // the card's "7B"
  const ParamCounts c = counts(s);
  EXPECT_EQ(c.total, total);
  EXPECT_EQ(c.active, total - 40 * 58 * 3 * h * 512);  // 6 of 64 experts: 1.46B
  EXPECT_EQ(s.arch.layers_of(AttentionKind::mamba2), 36);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::full), 4);
  // Cache of one 8,192-token sequence in bf16: only the 4 attention layers grow, 2 (K, V) x 4
  // KV heads x 128 x 2 B = 4,096 B per token; the 36 Mamba layers hold a constant state of
  // 48 x 64 x 128 (SSM, bf16: the config sets no mamba_ssm_dtype) + 3 x 3,328 (conv) elements.
  double kv = 0, state = 0;
  for (const auto& b : cache_bytes_per_sequence(s.arch, 8192, Dtype::bf16)) {
    kv += b.kv;
    state += b.state;
  }
  EXPECT_DOUBLE_EQ(kv, 4.0 * 2 * 4 * 128 * 2 * 8192);
  EXPECT_DOUBLE_EQ(state, 36.0 * (48 * 64 * 128 + 3 * 3328) * 2);
  // The same count as the preset built from the same geometry.
  EXPECT_EQ(count_params(tensor_inventory(find_model("granite-4.0-h-tiny")->spec.arch)).total, total);
  EXPECT_EQ(count_params(tensor_inventory(find_model("qwen3.5-35b-a3b")->spec.arch)).total,
            counts(load("qwen3.5-35b-a3b")).total);
}

// Kimi-Linear-48B-A3B-Instruct: 20 Kimi Delta Attention layers (1-based kda_layers), 7 MLA.
TEST(HfFixtures, KimiLinear48bExactAndItsState) {
  const ModelSpec s = load("kimi-linear-48b-a3b-instruct");
  EXPECT_EQ(s.arch.layers_of(AttentionKind::linear), 20);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::mla), 7);
  // 1-based: kda_layers starts at 1, so layer index 0 is KDA and index 3 (layer 4) MLA.
  const LayerPlan p = s.arch.layer_plan();
  EXPECT_EQ(p.attention[p.layer_attention[0]].kind, AttentionKind::linear);
  EXPECT_EQ(p.attention[p.layer_attention[3]].kind, AttentionKind::mla);
  EXPECT_EQ(p.attention[p.layer_attention[26]].kind, AttentionKind::mla);
  // h = 2304, V = 163840; KDA q = k = v = 32 x 128 = 4096, kernel 4.
  // embed + head 2 x 163840 x 2304 = 754,974,720; final norm 2,304; 27 x 2 norms 124,416.
  // KDA layer: qkv 3 x 4096 x 2304 = 28,311,552; convs 3 x 4096 x 4 = 49,152; A_log 32 +
  //   dt_bias 4096; f_a 128 x 2304 = 294,912; f_b 4096 x 128 = 524,288; b_proj 32 x 2304 =
  //   73,728; g_a 294,912; g_b 524,288; o_norm 128; o_proj 9,437,184 = 39,514,272; x 20 =
  //   790,285,440.
  // MLA layer (no q_lora): q 32 x 192 x 2304 = 14,155,776; kv_a (512 + 64) x 2304 = 1,327,104;
  //   kv_a norm 512; kv_b 32 x 256 x 512 = 4,194,304; o 2304 x 4096 = 9,437,184 = 29,114,880;
  //   x 7 = 203,804,160.
  // Layer 0 dense 3 x 9216 x 2304 = 63,700,992. MoE layer: router 256 x 2304 + bias 256 =
  //   590,080; experts 256 x 3 x 1024 x 2304 = 1,811,939,328; shared 7,077,888 =
  //   1,819,607,296; x 26 = 47,309,789,696.
  // Sum 49,122,681,728 = the checkpoint's model.safetensors.index.json metadata
  // total_parameters (SOURCES.md).
  const ParamCounts c = counts(s);
  EXPECT_EQ(c.total, 49122681728);
  // Card: 48B total, 3B activated (rounded labels).
  EXPECT_NEAR(double(c.active) / 1e9, 3.0, 0.5);
  // State per sequence, constant in context: recurrent 20 x 32 x 128 x 128 x 4 B (float32) =
  // 41,943,040; conv 20 x (4 - 1) x 3 x 4096 x 2 B = 1,474,560. MLA: 7 x (512 + 64) x 2 B =
  // 8,064 B per token; at 8,192 tokens 66,060,288.
  double state = 0, kv = 0;
  for (const auto& b : cache_bytes_per_sequence(s.arch, 8192, Dtype::bf16)) {
    state += b.state;
    kv += b.kv;
  }
  EXPECT_EQ(state, 41943040.0 + 1474560.0);
  EXPECT_EQ(kv, 66060288.0);
}

// LFM2-1.2B: 10 short-conv layers, 6 GQA layers at full_attn_idxs (0-based), tied embedding.
TEST(HfFixtures, Lfm2_1_2bExactAndItsConvState) {
  const ModelSpec s = load("lfm2-1.2b");
  EXPECT_EQ(s.arch.layers_of(AttentionKind::conv), 10);
  EXPECT_EQ(s.arch.layers_of(AttentionKind::full), 6);
  // Dense width from block_ff_dim: int(2 x 12288 / 3) = 8192, x 1.0, rounded up to 256: 8192.
  EXPECT_EQ(s.arch.intermediate_size, 8192);
  // h = 2048: embedding 65536 x 2048 = 134,217,728 (tied); final norm 2,048; 16 x 2 norms
  // 65,536; MLP 16 x 3 x 8192 x 2048 = 805,306,368; conv layer in_proj 3 x 2048 x 2048 +
  // conv 2048 x 3 + out_proj 2048 x 2048 = 16,783,360, x 10 = 167,833,600; attention layer
  // q 2048 x 2048 + k, v 512 x 2048 each + o 2048 x 2048 + q/k norms 2 x 64 = 10,485,888,
  // x 6 = 62,915,328. Sum 1,170,340,608 = the published count (SOURCES.md).
  EXPECT_EQ(counts(s).total, 1170340608);
  // Cache of one 8,192-token sequence in bf16: 6 layers x 2 x 8 x 64 x 2 B = 12,288 B per
  // token; conv state 10 x (3 - 1) x 2048 x 2 B = 81,920 B, constant.
  double kv = 0, state = 0;
  for (const auto& b : cache_bytes_per_sequence(s.arch, 8192, Dtype::bf16)) {
    kv += b.kv;
    state += b.state;
  }
  EXPECT_EQ(kv, 12288.0 * 8192);
  EXPECT_EQ(state, 81920.0);
}

TEST(HfFixtures, PythonInfinityAndNaNAreAcceptedInConfigFiles) {
  // NemotronH writes time_step_limit = (0.0, inf) as [0.0, Infinity].
  std::string text;
  for (const auto& f : hf_fixtures())
    if (f.name == "nemotron-nano-9b-v2") text = std::string(f.text);
  text.insert(text.rfind('}'), R"(, "time_step_limit": [0.0, Infinity], "x": -Infinity, "y": NaN,
      "note": "Infinity stays text \" NaN")");
  Errors errors;
  auto spec = import_hf_config_file(text, errors);
  ASSERT_TRUE(spec) << errors[0].path << " " << errors[0].message;
  // A size that is not finite is still an error naming the field.
  std::string bad = text;
  bad.replace(bad.find("\"vocab_size\": 131072"), 20, "\"vocab_size\": Infinity");
  Errors e2;
  EXPECT_FALSE(import_hf_config_file(bad, e2));
  ASSERT_FALSE(e2.empty());
  EXPECT_EQ(e2[0].path, "/vocab_size");
  EXPECT_EQ(e2[0].code, "wrong_type");
  EXPECT_EQ(python_json_to_json(R"({"a":"NaN \"Infinity\"","b":[NaN,-Infinity]})"),
            R"({"a":"NaN \"Infinity\"","b":["NaN","-Infinity"]})");
}

// Issue 16: a 3 KB qwen3_moe config with 1e9 layers and a long mlp_only_layers list ran ~1e12
// loop iterations before any check. Sizes are bounded before any loop that scales with them.
TEST(HfFixtures, HostileSizesAreRejectedAtOnce) {
  std::string only = "[";
  for (int i = 0; i < 400; ++i) only += std::to_string(i * 1000) + (i + 1 < 400 ? "," : "]");
  const std::string config = R"({"model_type":"qwen3_moe","hidden_size":2048,"num_hidden_layers":1000000000,
      "num_attention_heads":32,"num_key_value_heads":4,"head_dim":128,"vocab_size":151936,
      "intermediate_size":6144,"moe_intermediate_size":768,"num_experts":128,"num_experts_per_tok":8,
      "decoder_sparse_step":1,"mlp_only_layers":)" + only + "}";
  const auto start = std::chrono::steady_clock::now();
  Errors errors;
  EXPECT_FALSE(import_hf_config_file(config, errors));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 0.5);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].path, "/num_hidden_layers");
  EXPECT_EQ(errors[0].code, "out_of_range");
  // Within the layer limit, a list longer than the layers is refused before it is read.
  json j = json::parse(R"({"model_type":"qwen3_moe","hidden_size":64,"num_hidden_layers":4,
      "num_attention_heads":4,"num_key_value_heads":4,"vocab_size":100,"intermediate_size":64,
      "moe_intermediate_size":32,"num_experts":4,"num_experts_per_tok":2})");
  j["mlp_only_layers"] = json::array();
  for (int i = 0; i < 100000; ++i) j["mlp_only_layers"].push_back(0);
  Errors e2;
  EXPECT_FALSE(import_hf_config(j, "", e2));
  EXPECT_EQ(e2[0].path, "/mlp_only_layers");
  EXPECT_EQ(e2[0].code, "out_of_range");
  // HF limits are the architecture limits: 1e9 vocab or head_dim are refused by both.
  for (const char* key : {"vocab_size", "head_dim", "hidden_size"}) {
    json big = j;
    big.erase("mlp_only_layers");
    big[key] = 1000000000;
    Errors e3;
    EXPECT_FALSE(import_hf_config(big, "", e3)) << key;
    EXPECT_EQ(e3[0].path, std::string("/") + key);
  }
}

// Gemma 3n E2B, every tensor group of HF's Gemma3nTextModel (h 2,048, 30 layers, 8 heads and
// 2 KV heads of 256, MLP 8,192, PLE width p 256, AltUp n 4, LAuReL rank 64):
//   per layer:
//     q 2,048 x 2,048 + k 512 x 2,048 + v 512 x 2,048 + o 2,048 x 2,048 = 10,485,760
//     q_norm + k_norm 2 x 256 = 512 (v_norm has no weight)
//     gate + up + down 3 x 2,048 x 8,192 = 50,331,648
//     4 RMSNorms 4 x 2,048 = 8,192
//     AltUp: modality_router 4 x 2,048 = 8,192; correction 4 x 4 + prediction 16 x 4 = 80;
//            correct_output_scale + router_norm 2 x 2,048 = 4,096           -> 12,368
//     LAuReL: 2 x 2,048 x 64 = 262,144 + post_laurel_norm 2,048             -> 264,192
//     per-layer input: gate 256 x 2,048 + projection 2,048 x 256 = 1,048,576
//                      + post_per_layer_input_norm 2,048                    -> 1,050,624
//     sum 62,153,296; x 30 = 1,864,598,880
//   model:
//     embed_tokens 262,400 x 2,048 = 537,395,200 (tied with lm_head)
//     embed_tokens_per_layer 262,144 x (30 x 256) = 2,013,265,920
//     per_layer_model_projection 7,680 x 2,048 = 15,728,640; its norm 256; final norm 2,048
//     altup_projections + altup_unembed_projections 2 x 3 x 2,048 x 2,048 = 25,165,824
//     sum 2,591,557,888
//   total 4,456,156,768 (Ollama: 4.46B); without the two tables 1,905,495,648 ("2B effective").
// Audio tower (HF Gemma3nAudioEncoder + embed_audio; D 1,536, 8 heads of 192, 12 blocks):
//   subsampling: conv 128 x 1 x 3 x 3 = 1,152 + norm 128; conv 32 x 128 x 3 x 3 = 36,864 +
//     norm 32; frequency 128 -> (130 - 3) / 2 + 1 = 64 -> (66 - 3) / 2 + 1 = 32;
//     input_proj 32 x 32 x 1,536 = 1,572,864                                  -> 1,611,040
//   block: 2 feed-forwards 2 x (8 D^2 + 2 D); attention q, k, v, pos_proj, post 5 D^2 +
//     2 norms 2 D + per_dim_scale 192; light conv 3 D^2 + 2 norms 2 D + conv 5 D; norm D
//     = 24 x 2,359,296 + 9 x 1,536 + 192 + 7,680 = 56,644,800; x 12 = 679,737,600
//   embedder: 128 x 1,536 + 2 x 1,536 + 1,536 x 2,048 = 3,345,408
//   audio total 684,694,048.
// Vision tower: timm's mobilenetv5_300m_enc 294,284,096 (KerasHub's count, hf_vision.cpp) +
//   embedder 128 x 2,048 + 2 x 2,048 + 2,048 x 2,048 = 4,460,544 -> 298,744,640.
// Whole checkpoint: 4,456,156,768 + 684,694,048 + 298,744,640 = 5,439,595,456, KerasHub's
//   gemma3n_e2b preset "params" exactly (keras-team/keras-hub,
//   keras_hub/src/models/gemma3n/gemma3n_presets.py @ ccdd2c393605a1465492c5cee151c4920acbe704).
TEST(HfFixtures, Gemma3nE2BTermsWrittenOut) {
  const ModelSpec s = load("gemma-3n-e2b");
  const ParamCounts c = counts(s);
  EXPECT_EQ(c.extra, int64_t{684694048} + 298744640);
  EXPECT_EQ(c.total, 5439595456);
  EXPECT_EQ(c.total - c.extra, 4456156768);
  EXPECT_EQ(c.embedding, int64_t{537395200} + 2013265920);
  EXPECT_EQ(c.lm_head, 0);
  EXPECT_EQ(c.active_excluding_embeddings, 1905495648);
  // The per-layer table is a lookup, not a matmul: matrices 30 x (10,485,760 + 50,331,648 +
  // 8,192 + 80 + 262,144 + 1,048,576) = 1,864,092,000, + 15,728,640 + 25,165,824 model-level
  // projections + the 537,395,200 output projection = 2,442,381,664.
  EXPECT_EQ(c.matmul_active, 2442381664);
  int vision_notes = 0;
  for (const auto& n : s.notes)
    vision_notes += n.find("mobilenetv5_300m_enc counted as timm's encoder") != std::string::npos;
  EXPECT_EQ(vision_notes, 1);
  // Any other named encoder has no count: left out, noted.
  json other;
  for (const auto& f : hf_fixtures())
    if (f.name == "gemma-3n-e2b") other = json::parse(f.text);
  other["vision_config"]["architecture"] = "mobilenetv5_base";
  Errors errors;
  const auto o = import_hf_config(other, "/model/hf_config", errors);
  ASSERT_TRUE(o);
  EXPECT_EQ(counts(*o).extra, 684694048);
  // The preset is the same decoder, without the towers.
  EXPECT_EQ(count_params(tensor_inventory(find_model("gemma-3n-e2b")->spec.arch)).total,
            c.total - c.extra);
}

// E4B: per layer as E2B with an MLP of 3 x 2,048 x 16,384 = 100,663,296 -> 112,484,944;
// x 35 = 3,936,973,040. Model: 537,395,200 + 262,144 x 8,960 = 2,348,810,240 + 8,960 x 2,048
// = 18,350,080 + 256 + 2,048 + 25,165,824 = 2,929,723,648. Total 6,866,696,688 (Ollama 6.87B);
// effective 6,866,696,688 - 537,395,200 - 2,348,810,240 = 3,980,491,248 ("E4B"). With the same
// towers as E2B's (audio 684,694,048, vision 298,744,640): 7,850,135,376, KerasHub's gemma3n_e4b
// preset "params" exactly (the same file as E2B's).
TEST(HfFixtures, Gemma3nE4BTermsWrittenOut) {
  const ParamCounts c = counts(load("gemma-3n-e4b"));
  EXPECT_EQ(c.total - c.extra, 6866696688);
  EXPECT_EQ(c.extra, int64_t{684694048} + 298744640);
  EXPECT_EQ(c.total, 7850135376);
  EXPECT_EQ(c.active_excluding_embeddings, 3980491248);
  EXPECT_EQ(count_params(tensor_inventory(find_model("gemma-3n-e4b")->spec.arch)).total,
            c.total - c.extra);
}

// Phi-4-mini-flash-reasoning (SambaY, phi4flash; SOURCES.md): h 2,560, 32 layers, 40 heads of
// 64, 20 KV heads, window 512, d_inner 5,120, state 16, conv 4, dt_rank 160, MLP 10,240,
// vocab 200,064 tied. Shapes from modeling_phi4flash.py (same commit).
TEST(HfFixtures, Phi4MiniFlashExactAgainstItsCheckpointAndItsCache) {
  const ModelSpec s = load("phi-4-mini-flash-reasoning");
  EXPECT_EQ(s.arch.layers_of(AttentionKind::mamba2), 9);   // 0, 2, ..., 16
  EXPECT_EQ(s.arch.layers_of(AttentionKind::sliding), 8);  // 1, 3, ..., 15
  EXPECT_EQ(s.arch.layers_of(AttentionKind::full), 1);     // 17
  EXPECT_EQ(s.arch.layers_of(AttentionKind::none), 7);     // 18, ..., 30: gated memory units
  EXPECT_EQ(s.arch.layers_of(AttentionKind::shared), 7);   // 19, ..., 31: read layer 17's KV
  const LayerPlan p = s.arch.layer_plan();
  EXPECT_EQ(p.attention[p.layer_attention[16]].kind, AttentionKind::mamba2);
  EXPECT_EQ(p.attention[p.layer_attention[17]].kind, AttentionKind::full);
  // Embedding 200,064 x 2,560 = 512,163,840 (tied); final LayerNorm 5,120; 32 x 2 LayerNorms
  //   (weight + bias) 327,680; 32 MLPs fc1 2 x 10,240 x 2,560 + fc2 = 2,516,582,400.
  // Mamba-1 x 9: 41,241,600 each (ModelPlan.MambaOneWeightsAndStateByHand) = 371,174,400.
  // Self-attention x 9: Wqkv 2,560 -> 2,560 + 2 x 1,280 with bias 13,112,320; out_proj with
  //   bias 6,556,160 = 19,668,480 (+ 384 below) = 177,016,320.
  // GMU x 7: in_proj 2,560 x 5,120 + out_proj 5,120 x 2,560 = 26,214,400 = 183,500,800.
  // Cross-attention x 7: Wqkv 2,560 -> 2,560 with bias 6,556,160; out_proj 6,556,160 =
  //   13,112,320 = 91,786,240.
  // Sum 3,852,556,800. Not modelled: differential attention's lambda_q1/k1/q2/k2 (4 x 64) and
  // subln (RMSNorm over 2 x 64) on each of the 16 attention layers: 16 x 384 = 6,144.
  const ParamCounts c = counts(s);
  EXPECT_EQ(c.total, 3852556800);
  // The preset holds the same plan: the same count, and its published figure is the
  // checkpoint's (below), 6,144 apart.
  const ModelPreset* preset = find_model("phi-4-mini-flash-reasoning");
  ASSERT_NE(preset, nullptr);
  EXPECT_EQ(count_params(tensor_inventory(preset->spec.arch)).total, c.total);
  EXPECT_EQ(preset->spec.published_params, c.total + 16 * 384);
  const int64_t checkpoint_params = c.total + 16 * 384;  // 3,852,562,944
  // model.safetensors.index.json metadata.total_size 7,706,608,640 B. fp32 in the checkpoint:
  // A_log 9 x 5,120 x 16 = 737,280 ("Keep A_log in fp32") and the lambdas 16 x 4 x 64 = 4,096
  // (created float32): 741,376 elements at 4 B, the other 3,851,821,568 at 2 B (D, though
  // created fp32, is stored bf16: only this split gives the total).
  const int64_t fp32 = 9 * 5120 * 16 + 16 * 4 * 64;
  EXPECT_EQ(2 * (checkpoint_params - fp32) + 4 * fp32, 7706608640);
  // Cache per sequence in bf16, vLLM's layout (phi4flash.py _get_mamba_cache_shape: conv
  // d_inner x (d_conv - 1), SSM d_inner x d_state, both in the model dtype):
  //   Mamba x 9: (5,120 x 16 + 5,120 x 3) x 2 B = 194,560 B -> 1,751,040 B, constant;
  //   sliding x 8: 2 (K, V) x 20 x 64 x 2 B = 5,120 B per token, at most 512 tokens ->
  //     8 x 512 x 5,120 = 20,971,520 B;
  //   full (layer 17): 5,120 B per token: 41,943,040 B at 8,192, 335,544,320 B at 65,536;
  //   GMU and cross-attention layers cache nothing of their own.
  for (const auto& [tokens, full_kv] : {std::pair<int64_t, double>{8192, 41943040.0},
                                        std::pair<int64_t, double>{65536, 335544320.0}}) {
    double full = 0, sliding = 0, state = 0, other = 0;
    for (const auto& b : cache_bytes_per_sequence(s.arch, tokens, Dtype::bf16)) {
      if (b.kind == AttentionKind::full) full += b.kv;
      else if (b.kind == AttentionKind::sliding) sliding += b.kv;
      else other += b.kv;
      state += b.state;
    }
    EXPECT_DOUBLE_EQ(full, full_kv) << tokens;
    EXPECT_DOUBLE_EQ(sliding, 20971520.0) << tokens;
    EXPECT_DOUBLE_EQ(state, 1751040.0) << tokens;
    EXPECT_DOUBLE_EQ(other, 0.0) << tokens;
  }
}

}  // namespace
}  // namespace llmcalc::test
