// Real config.json files (tests/data/hf_configs, sources in SOURCES.md) against the
// parameter counts their publishers give, in the publisher's convention.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "hf_fixtures.hpp"
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

}  // namespace
}  // namespace llmcalc::test
