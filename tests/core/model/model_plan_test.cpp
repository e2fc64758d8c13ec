// The per-layer plan at the model layer: which layers cache what, per attention kind, with the
// arithmetic done by hand in each comment (bf16 = 2 B, fp32 = 4 B).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hf_fixtures.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/tensors.hpp"
#include "model/architecture_json.hpp"
#include "model/hf_config.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

Architecture fixture(std::string_view name) {
  for (const auto& f : hf_fixtures()) {
    if (f.name != name) continue;
    Errors errors;
    auto spec = import_hf_config_file(f.text, errors);
    EXPECT_TRUE(spec) << name << ": " << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
    return spec ? spec->arch : Architecture{};
  }
  ADD_FAILURE() << "no fixture " << name;
  return {};
}

Architecture imported(const json& config) {
  Errors errors;
  auto spec = import_hf_config(config, "", errors);
  EXPECT_TRUE(spec) << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
  return spec ? spec->arch : Architecture{};
}

// The group of kind k (a test failure and an empty group when there is none).
const CacheGroup* group(const std::vector<CacheGroup>& gs, AttentionKind k) {
  static const CacheGroup none;
  for (const auto& g : gs)
    if (g.kind == k) return &g;
  ADD_FAILURE() << "no cache group of kind " << attention_kind_name(k);
  return &none;
}
// A pointer into a temporary would dangle (valgrind caught one: read after free).
const CacheGroup* group(std::vector<CacheGroup>&&, AttentionKind) = delete;

// Sum of one component over the groups of a kind.
double bytes(const Architecture& a, int64_t tokens, AttentionKind k, double CacheBytes::*field,
             Dtype kv = Dtype::bf16) {
  double sum = 0;
  for (const auto& b : cache_bytes_per_sequence(a, tokens, kv))
    if (b.kind == k) sum += b.*field;
  return sum;
}

double total_bytes(const Architecture& a, int64_t tokens, Dtype kv = Dtype::bf16) {
  double sum = 0;
  for (const auto& b : cache_bytes_per_sequence(a, tokens, kv)) sum += b.kv + b.indexer + b.state;
  return sum;
}

TEST(ModelPlan, GptOss20bOnlyTheTwelveFullLayersGrow) {
  const Architecture a = fixture("gpt-oss-20b");
  const auto gs = a.cache_groups();
  ASSERT_EQ(gs.size(), 2u);
  // layer_types alternate sliding/full: 12 + 12; 8 KV heads x (64 + 64) = 1,024 elements.
  EXPECT_EQ(group(gs, AttentionKind::full)->layers, 12);
  EXPECT_EQ(group(gs, AttentionKind::full)->kv_elements_per_token, 1024);
  EXPECT_EQ(group(gs, AttentionKind::sliding)->layers, 12);
  EXPECT_EQ(group(gs, AttentionKind::sliding)->window, 128);
  // Growth per token beyond the window: 12 x 1,024 x 2 B = 24,576 B.
  EXPECT_DOUBLE_EQ(total_bytes(a, 8193) - total_bytes(a, 8192), 24576.0);
  // 8k: full 12 x 1,024 x 8,192 x 2 = 201,326,592; sliding 12 x 1,024 x 128 x 2 = 3,145,728.
  EXPECT_DOUBLE_EQ(bytes(a, 8192, AttentionKind::full, &CacheBytes::kv), 201326592.0);
  EXPECT_DOUBLE_EQ(bytes(a, 8192, AttentionKind::sliding, &CacheBytes::kv), 3145728.0);
  // 64k: full x 8 = 1,610,612,736; sliding unchanged.
  EXPECT_DOUBLE_EQ(bytes(a, 65536, AttentionKind::full, &CacheBytes::kv), 1610612736.0);
  EXPECT_DOUBLE_EQ(bytes(a, 65536, AttentionKind::sliding, &CacheBytes::kv), 3145728.0);
  EXPECT_EQ(a.windowed_layers(), 12);  // the accessor the analyses use today
  EXPECT_EQ(a.sliding_window, 128);
}

TEST(ModelPlan, Qwen3NextTwelveFullLayersPlusConstantDeltaNetState) {
  const Architecture a = imported(json::parse(R"({"model_type":"qwen3_next","hidden_size":2048,
      "num_hidden_layers":48,"num_attention_heads":16,"num_key_value_heads":2,"head_dim":256,
      "vocab_size":151936,"intermediate_size":5120,"moe_intermediate_size":512,"num_experts":512,
      "num_experts_per_tok":10,"shared_expert_intermediate_size":512,"full_attention_interval":4,
      "linear_num_key_heads":16,"linear_num_value_heads":32,"linear_key_head_dim":128,
      "linear_value_head_dim":128,"linear_conv_kernel_dim":4})"));
  const auto gs = a.cache_groups();
  // 12 full layers: 2 KV heads x (256 + 256) = 1,024 elements per token.
  EXPECT_EQ(group(gs, AttentionKind::full)->layers, 12);
  EXPECT_EQ(group(gs, AttentionKind::full)->kv_elements_per_token, 1024);
  // 36 Gated DeltaNet layers: recurrent 32 x 128 x 128 = 524,288; conv 3 x (2 x 16 x 128 +
  // 32 x 128) = 3 x 8,192 = 24,576.
  const CacheGroup* lin = group(gs, AttentionKind::linear);
  ASSERT_NE(lin, nullptr);
  EXPECT_EQ(lin->layers, 36);
  EXPECT_EQ(lin->state_elements, 524288);
  EXPECT_EQ(lin->conv_state_elements, 24576);
  // bf16 state: 36 x (524,288 + 24,576) x 2 = 39,518,208 B at any context.
  EXPECT_DOUBLE_EQ(bytes(a, 1, AttentionKind::linear, &CacheBytes::state), 39518208.0);
  EXPECT_DOUBLE_EQ(bytes(a, 262144, AttentionKind::linear, &CacheBytes::state), 39518208.0);
  // Growth: 12 x 1,024 x 2 = 24,576 B per token.
  EXPECT_DOUBLE_EQ(total_bytes(a, 100001) - total_bytes(a, 100000), 24576.0);
}

TEST(ModelPlan, Qwen35StateInFloat32PerMambaSsmDtype) {
  const Architecture a = fixture("qwen3.5-9b");
  EXPECT_EQ(a.state_dtype, Dtype::fp32);  // "mamba_ssm_dtype": "float32"
  // 24 DeltaNet layers: recurrent 32 x 128 x 128 x 4 B = 2,097,152; conv 24,576 x 2 B =
  // 49,152; x 24 = 51,511,296 B.
  EXPECT_DOUBLE_EQ(bytes(a, 4096, AttentionKind::linear, &CacheBytes::state), 51511296.0);
  // 8 full layers: 4 KV heads x 512 = 2,048 elements; 8 x 2,048 x 2 = 32,768 B per token.
  EXPECT_DOUBLE_EQ(total_bytes(a, 4097) - total_bytes(a, 4096), 32768.0);
}

TEST(ModelPlan, Llama4ScoutChunksOfEightThousandOnThreeOfFourLayers) {
  const Architecture a = imported(json::parse(R"({"model_type":"llama4","text_config":{
      "model_type":"llama4_text","hidden_size":5120,"num_hidden_layers":48,"num_attention_heads":40,
      "num_key_value_heads":8,"head_dim":128,"vocab_size":202048,"intermediate_size":8192,
      "intermediate_size_mlp":16384,"num_local_experts":16,"num_experts_per_tok":1,
      "interleave_moe_layer_step":1,"attention_chunk_size":8192,"no_rope_layers":[]}})"));
  const auto gs = a.cache_groups();
  // Every 4th layer is NoPE and global: 12 full, 36 chunked; 8 x 256 = 2,048 elements.
  EXPECT_EQ(group(gs, AttentionKind::full)->layers, 12);
  EXPECT_EQ(group(gs, AttentionKind::chunked)->layers, 36);
  EXPECT_EQ(group(gs, AttentionKind::chunked)->window, 8192);
  // 32k: full 12 x 2,048 x 32,768 x 2 = 1,610,612,736; chunked 36 x 2,048 x 8,192 x 2 =
  // 1,207,959,552. Beyond 8,192 tokens only the 12 global layers grow: 49,152 B per token.
  EXPECT_DOUBLE_EQ(bytes(a, 32768, AttentionKind::full, &CacheBytes::kv), 1610612736.0);
  EXPECT_DOUBLE_EQ(bytes(a, 32768, AttentionKind::chunked, &CacheBytes::kv), 1207959552.0);
  EXPECT_DOUBLE_EQ(total_bytes(a, 9001) - total_bytes(a, 9000), 49152.0);
  EXPECT_DOUBLE_EQ(total_bytes(a, 4001) - total_bytes(a, 4000), 4.0 * 49152.0);
}

TEST(ModelPlan, NemotronHMamba2StateInFloat32) {
  json config;
  for (const auto& f : hf_fixtures())
    if (f.name == "nemotron-nano-9b-v2") config = json::parse(f.text);
  // vLLM's --mamba-ssm-cache-dtype float32, as a config field.
  config["mamba_ssm_cache_dtype"] = "float32";
  const Architecture a = imported(config);
  EXPECT_EQ(a.layers_of(AttentionKind::mamba2), 27);
  EXPECT_EQ(a.layers_of(AttentionKind::full), 4);
  EXPECT_EQ(a.layers_of(LayerMlpKind::dense), 25);
  const auto gs = a.cache_groups();
  const CacheGroup* m = group(gs, AttentionKind::mamba2);
  ASSERT_NE(m, nullptr);
  // SSM 128 heads x 80 x 128 = 1,310,720; conv 3 x (10,240 + 2 x 8 x 128) = 36,864.
  EXPECT_EQ(m->state_elements, 1310720);
  EXPECT_EQ(m->conv_state_elements, 36864);
  // 27 x (1,310,720 x 4 B + 36,864 x 2 B) = 27 x 5,316,608 = 143,548,416 B.
  EXPECT_DOUBLE_EQ(bytes(a, 1000, AttentionKind::mamba2, &CacheBytes::state), 143548416.0);
  // Only the 4 attention layers grow: 4 x 8 x 256 x 2 B = 16,384 B per token.
  EXPECT_DOUBLE_EQ(total_bytes(a, 1001) - total_bytes(a, 1000), 16384.0);
}

TEST(ModelPlan, FalconH1AttentionAndMambaSideBySide) {
  json config;
  for (const auto& f : hf_fixtures())
    if (f.name == "falcon-h1-fixture") config = json::parse(f.text);
  config["mamba_ssm_cache_dtype"] = "float32";
  const Architecture a = imported(config);
  const auto gs = a.cache_groups();
  ASSERT_EQ(gs.size(), 1u);
  // 24 layers, each: KV 2 x 256 = 512 elements per token, SSM 48 x 64 x 256 = 786,432,
  // conv 3 x (3,072 + 2 x 256) = 10,752.
  EXPECT_EQ(gs[0].layers, 24);
  EXPECT_EQ(gs[0].kv_elements_per_token, 512);
  EXPECT_EQ(gs[0].state_elements, 786432);
  EXPECT_EQ(gs[0].conv_state_elements, 10752);
  // State: 24 x (786,432 x 4 + 10,752 x 2) = 24 x 3,167,232 = 76,013,568 B.
  EXPECT_DOUBLE_EQ(bytes(a, 10, AttentionKind::full, &CacheBytes::state), 76013568.0);
  // Growth: 24 x 512 x 2 = 24,576 B per token.
  EXPECT_DOUBLE_EQ(total_bytes(a, 11) - total_bytes(a, 10), 24576.0);
}

TEST(ModelPlan, Gemma4KEqualsVOnGlobalLayers) {
  // 35 layers, 28 sliding (512) + 7 global; global layers: head_dim 512, K = V stored once.
  json types = json::array();
  for (int i = 0; i < 35; ++i) types.push_back((i + 1) % 5 == 0 ? "full_attention" : "sliding_attention");
  const Architecture a = imported({{"model_type", "gemma4_text"}, {"hidden_size", 1536},
                                   {"num_hidden_layers", 35}, {"num_attention_heads", 8},
                                   {"num_key_value_heads", 1}, {"head_dim", 256},
                                   {"global_head_dim", 512}, {"attention_k_eq_v", true},
                                   {"intermediate_size", 6144}, {"vocab_size", 262144},
                                   {"sliding_window", 512}, {"layer_types", types}});
  const auto gs = a.cache_groups();
  // Global: 1 head x 512 (K only) = 512 elements; sliding: 1 x (256 + 256) = 512.
  EXPECT_EQ(group(gs, AttentionKind::full)->kv_elements_per_token, 512);
  EXPECT_EQ(group(gs, AttentionKind::full)->layers, 7);
  EXPECT_EQ(group(gs, AttentionKind::sliding)->kv_elements_per_token, 512);
  // Growth beyond the window: 7 x 512 x 2 = 7,168 B per token.
  EXPECT_DOUBLE_EQ(total_bytes(a, 2001) - total_bytes(a, 2000), 7168.0);
}

TEST(ModelPlan, DeepSeekV32MlaPlusIndexerKeys) {
  const ModelPreset* p = find_model("deepseek-v3.2");
  ASSERT_NE(p, nullptr);
  const auto gs = p->spec.arch.cache_groups();
  ASSERT_EQ(gs.size(), 1u);
  // 61 MLA layers: latent 512 + rope 64 = 576 elements; indexer keys 128 per token.
  EXPECT_EQ(gs[0].layers, 61);
  EXPECT_EQ(gs[0].kv_elements_per_token, 576);
  EXPECT_EQ(gs[0].indexer_elements_per_token, 128);
  // Per token: 61 x (576 x 2 B + 128 x 1 B fp8 + 4 B scale) = 61 x 1,284 = 78,324 B.
  EXPECT_DOUBLE_EQ(total_bytes(p->spec.arch, 1001) - total_bytes(p->spec.arch, 1000), 78324.0);
  // DeepSeek-V3 (no indexer): 61 x 1,152 = 70,272 B.
  const ModelPreset* v3 = find_model("deepseek-v3");
  EXPECT_DOUBLE_EQ(total_bytes(v3->spec.arch, 1001) - total_bytes(v3->spec.arch, 1000), 70272.0);
}

TEST(ModelPlan, Gemma3nSharedLayersCacheNothing) {
  json types = json::array();
  for (int i = 0; i < 35; ++i) types.push_back((i + 1) % 5 == 0 ? "full_attention" : "sliding_attention");
  const Architecture a = imported({{"model_type", "gemma3n_text"}, {"hidden_size", 2048},
                                   {"num_hidden_layers", 35}, {"num_attention_heads", 8},
                                   {"num_key_value_heads", 2}, {"head_dim", 256},
                                   {"intermediate_size", json::array({16384})},
                                   {"vocab_size", 262400}, {"sliding_window", 512},
                                   {"num_kv_shared_layers", 15}, {"layer_types", types}});
  // The first 20 layers cache: 4 full (layers 4, 9, 14, 19) + 16 sliding; the last 15 reuse.
  EXPECT_EQ(a.layers_of(AttentionKind::shared), 15);
  const auto gs = a.cache_groups();
  EXPECT_EQ(group(gs, AttentionKind::full)->layers, 4);
  EXPECT_EQ(group(gs, AttentionKind::sliding)->layers, 16);
  // Growth: 4 x 2 x 512 x 2 B = 8,192 B per token.
  EXPECT_DOUBLE_EQ(total_bytes(a, 1001) - total_bytes(a, 1000), 8192.0);
}

TEST(ModelPlan, Gemma3nE2BSharedLayersAddNoKv) {
  // E2B: 30 layers, full where i % 5 == 4; the last 10 (layers 20-29) reuse earlier KV, so the
  // cache owners are layers 0-19: 4 full + 16 sliding (512). Per layer 2 KV heads x (256 K +
  // 256 V) = 1,024 elements = 2,048 B in bf16.
  const Architecture a = fixture("gemma-3n-e2b");
  EXPECT_EQ(a.layers_of(AttentionKind::shared), 10);
  const auto gs = a.cache_groups();
  ASSERT_EQ(gs.size(), 2u);
  EXPECT_EQ(group(gs, AttentionKind::full)->layers, 4);
  EXPECT_EQ(group(gs, AttentionKind::sliding)->layers, 16);
  // 8,192 tokens: full 4 x 8,192 x 2,048 = 67,108,864 B; sliding 16 x 512 x 2,048 = 16,777,216 B.
  EXPECT_DOUBLE_EQ(bytes(a, 8192, AttentionKind::full, &CacheBytes::kv), 67108864.0);
  EXPECT_DOUBLE_EQ(bytes(a, 8192, AttentionKind::sliding, &CacheBytes::kv), 16777216.0);
  // Without sharing all 30 cache: 6 full + 24 sliding = 6 x 8,192 x 2,048 + 24 x 512 x 2,048
  // = 100,663,296 + 25,165,824 = 125,829,120 B against 83,886,080 B.
  Architecture unshared = a;
  uint8_t full = 0, sliding = 0;
  for (size_t v = 0; v < a.plan.attention.size(); ++v) {
    if (a.plan.attention[v].kind == AttentionKind::full) full = uint8_t(v);
    if (a.plan.attention[v].kind == AttentionKind::sliding) sliding = uint8_t(v);
  }
  for (size_t i = 20; i < 30; ++i) unshared.plan.layer_attention[i] = i % 5 == 4 ? full : sliding;
  EXPECT_DOUBLE_EQ(total_bytes(a, 8192), 83886080.0);
  EXPECT_DOUBLE_EQ(total_bytes(unshared, 8192), 125829120.0);
}

double attention_per_token(const Report& r) {
  for (const auto& i : r.flops.items)
    if (i.id == "attention_per_token") return i.flops;
  ADD_FAILURE() << "no attention_per_token item";
  return 0;
}

TEST(ModelPlan, Gemma3nSharedSlidingLayersAttendOverTheirWindow) {
  // E2B: of the 10 shared layers (20-29), 24 and 29 read a full layer's KV, the other 8 a
  // sliding layer's (window 512): 16 + 8 = 24 windowed layers, 4 + 2 = 6 global; every layer
  // 8 heads of 256 (q and v).
  const auto groups = fixture("gemma-3n-e2b").attention_flop_groups();
  ASSERT_EQ(groups.size(), 2u);
  const auto& windowed = groups[0].window > 0 ? groups[0] : groups[1];
  const auto& global = groups[0].window > 0 ? groups[1] : groups[0];
  EXPECT_EQ(windowed.layers, 24);
  EXPECT_EQ(windowed.window, 512);
  EXPECT_EQ(global.layers, 6);
  EXPECT_EQ(global.heads, 8);
  EXPECT_EQ(global.qk_dim, 256);
  // The preset splits its shared layers the same way.
  const auto preset = find_model("gemma-3n-e2b")->spec.arch.attention_flop_groups();
  ASSERT_EQ(preset.size(), 2u);
  EXPECT_EQ(preset[0].layers + preset[1].layers, 30);
  EXPECT_EQ((preset[0].window > 0 ? preset[0] : preset[1]).layers, 24);
  // Prompt 1,000, generate 1: mean context 1,000.5. Per layer and token 2 x 8 x (256 + 256) =
  // 8,192 FLOP per context token: 8,192 x (6 x 1,000.5 + 24 x 512) = 8,192 x 18,291 =
  // 149,839,872 (with the shared layers counted global: 8,192 x (14 x 1,000.5 + 16 x 512) =
  // 181,854,208).
  const Report r = run(R"({"model":"gemma-3n-e2b","workload":{"batch":1,"prompt":1000,"generate":1}})");
  EXPECT_DOUBLE_EQ(attention_per_token(r), 149839872.0);
}

TEST(ModelPlan, Gemma4GlobalLayersUseTheirWiderHeads) {
  // 6 layers, sliding (512) / full as listed; global_head_dim 512 against head_dim 256; the
  // last 3 layers share KV (sliding, sliding, full).
  const json config = json::parse(R"({"model_type":"gemma4_text","vocab_size":1000,
      "hidden_size":1024,"num_hidden_layers":6,"num_attention_heads":8,"num_key_value_heads":2,
      "head_dim":256,"global_head_dim":512,"intermediate_size":4096,"max_position_embeddings":8192,
      "sliding_window":512,"num_kv_shared_layers":3,"layer_types":["sliding_attention",
      "sliding_attention","full_attention","sliding_attention","sliding_attention","full_attention"]})");
  const auto groups = imported(config).attention_flop_groups();
  ASSERT_EQ(groups.size(), 2u);
  const auto& global = groups[0].window > 0 ? groups[1] : groups[0];
  EXPECT_EQ(global.layers, 2);
  EXPECT_EQ(global.qk_dim, 512);
  EXPECT_EQ(global.v_dim, 512);
  // Mean context 1,000.5: sliding 2 x 8 x (256 + 256) x 4 layers x 512 = 16,777,216; global
  // 2 x 8 x (512 + 512) x 2 layers x 1,000.5 = 32,784,384; 49,561,600 in all (the uniform
  // 256-wide formula gave 8,192 x (4 x 1,000.5 + 2 x 512) = 41,172,992).
  const Report r = run(R"({"model":{"hf_config":)" + config.dump() +
                       R"(},"workload":{"batch":1,"prompt":1000,"generate":1}})");
  EXPECT_DOUBLE_EQ(attention_per_token(r), 49561600.0);
}

TEST(ModelPlan, UniformFieldsExpandAsBefore) {
  // Gemma 3 27B: 62 layers, every 6th global -> 10 global, 52 windowed (1,024).
  const Architecture& g = find_model("gemma-3-27b")->spec.arch;
  EXPECT_TRUE(g.plan.empty());
  EXPECT_EQ(g.windowed_layers(), 52);
  EXPECT_EQ(g.layers_of(AttentionKind::sliding), 52);
  EXPECT_EQ(g.layers_of(AttentionKind::full), 10);
  // DeepSeek-V3: 3 dense + 58 MoE layers, all MLA.
  const Architecture& d = find_model("deepseek-v3")->spec.arch;
  EXPECT_EQ(d.layers_of(LayerMlpKind::dense), 3);
  EXPECT_EQ(d.moe_layers(), 58);
  EXPECT_EQ(d.layers_of(AttentionKind::mla), 61);
}

TEST(ModelPlan, ArchitectureJsonRoundTripsThePlan) {
  for (const auto& p : model_presets()) {
    const json j = architecture_to_json(p.spec.arch);
    Errors errors;
    json_io::ObjectReader r(&j, "/a", errors);
    auto back = read_architecture(r);
    ASSERT_TRUE(back) << p.spec.id << ": " << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
    EXPECT_EQ(count_params(tensor_inventory(*back)).total, count_params(tensor_inventory(p.spec.arch)).total)
        << p.spec.id;
    EXPECT_EQ(architecture_to_json(*back), j) << p.spec.id;
  }
}

// Mamba-1 (dt_rank > 0 in the mamba object) at Phi-4-mini-flash-reasoning's geometry
// (config.json and configuration_phi4flash.py defaults in franciskamande-ai/cloned_models @
// 711ebe7d74126666d14c391aac7625115438411e): hidden 2,560, d_inner = expand 2 x 2,560 = 5,120
// (one "head" per channel), mamba_d_state 16, mamba_d_conv 4, dt_rank ceil(2,560 / 16) = 160.
TEST(ModelPlan, MambaOneWeightsAndStateByHand) {
  json arch = {{"vocab_size", 1000}, {"hidden_size", 2560}, {"num_layers", 2}, {"num_heads", 40},
               {"num_kv_heads", 20}, {"intermediate_size", 128},
               {"layers", {{"attention", {{"M", {{"kind", "mamba2"},
                                                 {"mamba", {{"num_heads", 5120}, {"head_dim", 1},
                                                            {"state_size", 16}, {"conv_kernel", 4},
                                                            {"dt_rank", 160}}}}},
                                          {"F", {{"kind", "full"}}}}},
                           {"attention_pattern", "MF"}}}};
  Errors errors;
  json_io::ObjectReader r(&arch, "/model/architecture", errors);
  const auto a = read_architecture(r);
  ASSERT_TRUE(a) << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
  EXPECT_EQ(a->plan.attention[a->plan.layer_attention[0]].mamba.n_groups, 0);  // Mamba-1: none
  int64_t mixer = 0;
  for (const auto& t : tensor_inventory(*a))
    if (t.name.substr(0, 6) == "mamba.") mixer += t.params();
  // in_proj 2,560 x 10,240 = 26,214,400; conv1d 5,120 x (4 + 1) = 25,600; x_proj 5,120 x
  // (160 + 32) = 983,040; dt_proj 5,120 x (160 + 1) = 824,320; A_log 5,120 x 16 = 81,920 and D
  // 5,120; out_proj 5,120 x 2,560 = 13,107,200: 41,241,600 for the one layer.
  EXPECT_EQ(mixer, 41241600);
  const auto gs = a->cache_groups();
  // State d_inner x state = 5,120 x 16 = 81,920; conv state (4 - 1) x 5,120 = 15,360.
  EXPECT_EQ(group(gs, AttentionKind::mamba2)->state_elements, 81920);
  EXPECT_EQ(group(gs, AttentionKind::mamba2)->conv_state_elements, 15360);
  EXPECT_TRUE(group(gs, AttentionKind::mamba2)->mamba1);
  // Mamba-1 has no groups: n_groups 1 beside dt_rank is refused at its path.
  arch["layers"]["attention"]["M"]["mamba"]["n_groups"] = 1;
  Errors e2;
  json_io::ObjectReader r2(&arch, "/model/architecture", e2);
  EXPECT_FALSE(read_architecture(r2));
  ASSERT_FALSE(e2.empty());
  EXPECT_EQ(e2[0].path, "/model/architecture/layers/attention/M/mamba/n_groups");
}

// SambaY's two layer shapes without a kind of their own: a gated memory unit is a `none` layer
// carrying a mamba width (in_proj h -> d_inner, out_proj back, no cache), a cross-attention
// layer a `shared` one with num_kv_heads 0 (queries only). Both survive the JSON round trip;
// num_kv_heads 0 elsewhere is refused at its path.
TEST(ModelPlan, GatedMemoryUnitAndQueryOnlySharedRoundTrip) {
  const Architecture a = fixture("phi-4-mini-flash-reasoning");
  const json j = architecture_to_json(a);
  Errors errors;
  json_io::ObjectReader r(&j, "/a", errors);
  const auto back = read_architecture(r);
  ASSERT_TRUE(back) << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
  EXPECT_EQ(count_params(tensor_inventory(*back)).total, 3852556800);
  EXPECT_EQ(architecture_to_json(*back), j);
  int64_t gmu = 0;
  for (const auto& t : tensor_inventory(a))
    if (t.name.substr(0, 4) == "gmu.") gmu += t.params();
  EXPECT_EQ(gmu, 7 * 2 * 2560 * 5120);  // 7 layers x (in_proj + out_proj) = 183,500,800
  json bad = j;
  bad["layers"]["attention"][std::string(1, bad["layers"]["attention_pattern"].get<std::string>()[17])]
     ["num_kv_heads"] = 0;  // layer 17 is full attention: it must project its K and V
  Errors e2;
  json_io::ObjectReader r2(&bad, "/a", e2);
  EXPECT_FALSE(read_architecture(r2));
  ASSERT_FALSE(e2.empty());
  EXPECT_EQ(e2[0].path.substr(e2[0].path.size() - 13), "/num_kv_heads");
}

TEST(ModelPlan, PlanErrorsNameTheField) {
  auto error_of = [](const json& arch) {
    Errors errors;
    json_io::ObjectReader r(&arch, "/model/architecture", errors);
    auto a = read_architecture(r);
    EXPECT_FALSE(a);
    return errors.empty() ? Error{} : errors[0];
  };
  json base = {{"vocab_size", 1000}, {"hidden_size", 64}, {"num_layers", 4}, {"num_heads", 4},
               {"intermediate_size", 128}};
  json bad_letter = base;
  bad_letter["layers"] = {{"attention", {{"S", {{"kind", "sliding"}, {"window", 8}}}, {"F", {{"kind", "full"}}}}},
                          {"attention_pattern", "SFX"}};
  Error e = error_of(bad_letter);
  EXPECT_EQ(e.path, "/model/architecture/layers/attention_pattern");
  EXPECT_EQ(e.code, "invalid_choice");
  json too_long = base;
  too_long["layers"] = {{"attention", {{"F", {{"kind", "full"}}}}}, {"attention_pattern", "FFFFF"}};
  EXPECT_EQ(error_of(too_long).code, "out_of_range");
  json no_window = base;
  no_window["layers"] = {{"attention", {{"S", {{"kind", "sliding"}}}}}, {"attention_pattern", "S"}};
  EXPECT_EQ(error_of(no_window).path, "/model/architecture/layers/attention/S/window");
  json no_mamba = base;
  no_mamba["layers"] = {{"attention", {{"M", {{"kind", "mamba2"}}}}}, {"attention_pattern", "M"}};
  EXPECT_EQ(error_of(no_mamba).path, "/model/architecture/layers/attention/M/mamba");
  json moe_without = base;
  moe_without["layers"] = {{"mlp", {{"E", {{"kind", "moe"}}}}}, {"mlp_pattern", "E"}};
  EXPECT_EQ(error_of(moe_without).path, "/model/architecture/layers/mlp/E/kind");
  // Gemma 3n's per-layer embeddings need both the width and the table's vocabulary.
  json ple_half = base;
  ple_half["per_layer_input_width"] = 256;
  const Error ple = error_of(ple_half);
  EXPECT_EQ(ple.path, "/model/architecture/per_layer_input_vocab");
  EXPECT_EQ(ple.code, "inconsistent");
}

}  // namespace
}  // namespace llmcalc::test
