// The fit plan (core/src/analyses/plan_*.cpp): known cases, the ranking, the context search's
// exactness, the commands, and its bounded cost.
#include <gtest/gtest.h>

#include <algorithm>

#include "llmcalc/estimate.hpp"
#include "llmcalc/plan.hpp"
#include "test_util.hpp"

namespace llmcalc {
namespace {

using test::kGiB;

PlanGoals goals(int64_t context, int floor_bits = 0) {
  PlanGoals g;
  g.context = context;
  g.min_quality_bits = floor_bits;
  return g;
}

const char* kLlama8bOn3060 =
    R"({"model":"llama-3.1-8b","engine":"llama.cpp","hardware":{"gpu":"rtx-3060-12gb"}})";

TEST(NominalBits, FromNames) {
  EXPECT_EQ(nominal_bits("Q4_K_M"), 4);
  EXPECT_EQ(nominal_bits("IQ4_XS"), 4);
  EXPECT_EQ(nominal_bits("IQ3_XXS"), 3);
  EXPECT_EQ(nominal_bits("Q8_0"), 8);
  EXPECT_EQ(nominal_bits("q6_k"), 6);
  EXPECT_EQ(nominal_bits("TQ1_0"), 1);
  EXPECT_EQ(nominal_bits("F16"), 16);
  EXPECT_EQ(nominal_bits("bf16"), 16);
  EXPECT_EQ(nominal_bits("int4"), 4);
  EXPECT_EQ(nominal_bits("fp8"), 8);
  EXPECT_EQ(nominal_bits("Q4"), 4);
  EXPECT_EQ(nominal_bits("Q9"), 0);
  EXPECT_EQ(nominal_bits("Q45"), 0);
  EXPECT_EQ(nominal_bits("banana"), 0);
}

// Llama 3.1 8B on a 12 GiB RTX 3060 at 8k, no lower than Q4. By hand: F16 weights alone are
// 16.06e9 B (14.96 GiB) > 12 GiB; Q8_0 is 8,532,934,656 B (7.95 GiB, llama-bench) and the f16 KV
// cache 32 layers x 2 x 8 heads x 128 x 2 B x 8192 = 1 GiB, so Q8_0 with f16 KV leaves room for
// the compute buffers and the 1 GiB margin: the highest quality that fits.
TEST(Plan, Llama8bOn3060PicksQ8AtEightK) {
  const PlanAnswer a = make_plan(test::scenario(kLlama8bOn3060), goals(8192, 4));
  ASSERT_TRUE(a.found) << a.explanation;
  const PlanCandidate& b = a.ranked.front();
  EXPECT_EQ(b.weights, "Q8_0");
  EXPECT_EQ(b.kv_cache, "f16");
  EXPECT_EQ(b.context, 8192);
  EXPECT_NEAR(b.weight_bytes, 8532934656.0, 1.0);
  ASSERT_EQ(b.devices.size(), 1u);
  const PlanDevice& d = b.devices[0];
  EXPECT_EQ(d.capacity_bytes, 12.0 * kGiB);
  EXPECT_EQ(d.margin_bytes, kDefaultPlanMarginBytes);
  EXPECT_LE(d.used_bytes + d.margin_bytes, d.capacity_bytes);
  EXPECT_GT(d.used_bytes, 8532934656.0 + kGiB);  // weights + KV at least
  EXPECT_GT(b.decode_tokens_per_s, 0);
  // 360 GB/s over 8.5 GB read per token bounds decode at ~42 tokens/s.
  EXPECT_LT(b.decode_tokens_per_s, 360e9 / 8532934656.0);
  EXPECT_NE(b.why.find("Q8_0"), std::string::npos);
  for (const auto& c : a.ranked) {
    EXPECT_NE(c.weights, "F16");  // does not fit
    EXPECT_GE(c.quality_bits, 4);  // the floor
    EXPECT_TRUE(c.fits);
  }
  // Ranked by quality: bits never increase down the list.
  for (size_t i = 1; i < a.ranked.size(); ++i)
    EXPECT_LE(a.ranked[i].quality_bits, a.ranked[i - 1].quality_bits);
  EXPECT_EQ(a.ranked.size(), 6u);  // the best and 5 alternatives
  EXPECT_GT(a.fitting, 6);
}

TEST(Plan, NoFloorStillPrefersQualityAndSpeedPrefersSmall) {
  PlanGoals g = goals(8192);
  const PlanAnswer q = make_plan(test::scenario(kLlama8bOn3060), g);
  ASSERT_TRUE(q.found);
  EXPECT_EQ(q.ranked.front().weights, "Q8_0");
  g.prefer = PlanPrefer::speed;
  const PlanAnswer s = make_plan(test::scenario(kLlama8bOn3060), g);
  ASSERT_TRUE(s.found);
  // Decode reads every weight once per token: the smallest file is the fastest.
  EXPECT_LT(s.ranked.front().weight_bytes, q.ranked.front().weight_bytes);
  for (size_t i = 1; i < s.ranked.size(); ++i)
    EXPECT_LE(s.ranked[i].decode_tokens_per_s, s.ranked[i - 1].decode_tokens_per_s);
}

// "max": the context found fits and one token more does not (or it is the model's own limit).
TEST(Plan, MaxContextIsExact) {
  const Scenario s = test::scenario(
      R"({"model":"llama-3.1-8b","engine":"llama.cpp","hardware":{"gpu":"rtx-3060-12gb"}})");
  PlanGoals g = goals(0, 8);
  g.weights = {"Q8_0"};
  g.kv_cache = {"f16"};
  const PlanAnswer a = make_plan(s, g);
  ASSERT_TRUE(a.found) << a.explanation;
  const int64_t ctx = a.ranked.front().context;
  EXPECT_GT(ctx, 8192);      // 8k fits with room to spare (above)
  EXPECT_LT(ctx, 131072);    // 128k of f16 KV is 16 GiB: more than the card
  PlanGoals at = g;
  at.context = ctx;
  const PlanAnswer fits = make_plan(s, at);
  ASSERT_TRUE(fits.found);
  EXPECT_FALSE(fits.ranked.front().offloaded);
  // One token more does not fit the GPU alone: only a split with system RAM does.
  at.context = ctx + 1;
  const PlanAnswer over = make_plan(s, at);
  ASSERT_TRUE(over.found);
  EXPECT_TRUE(over.ranked.front().offloaded);
  EXPECT_EQ(over.ranked.front().gpu_layers, 32);  // all but one of the 33 slots
  // A quantized KV cache holds about twice the tokens in the same memory.
  g.kv_cache = {"q8_0"};
  const PlanAnswer q = make_plan(s, g);
  ASSERT_TRUE(q.found);
  EXPECT_GT(q.ranked.front().context, ctx * 3 / 2);
}

// A 70B on one 24 GB card: even the smallest 4-bit mix (IQ4_XS, ~4.25 bits x 70.6e9 = ~37 GB)
// is larger than the card, so the plan splits the model with system RAM (64 GiB by default):
// the highest quality that fits both with their margins is Q8_0 (~75 GB: ~22 GiB on the GPU,
// the rest in RAM), with the most GPU layers that fit (-ngl), as llama-server runs it.
TEST(Plan, SeventyBOn24GbOffloadsLayers) {
  const std::string base = R"({"model":"llama-3.1-70b","engine":"llama.cpp","hardware":{"gpu":"rtx-4090")";
  const Scenario s = test::scenario(base + "}}");
  const PlanAnswer a = make_plan(s, goals(8192, 4));
  ASSERT_TRUE(a.found) << a.explanation;
  const PlanCandidate& b = a.ranked.front();
  EXPECT_EQ(b.weights, "Q8_0");
  EXPECT_TRUE(b.offloaded);
  EXPECT_EQ(b.cpu_moe_layers, 0);  // a dense model: whole layers
  EXPECT_GT(b.gpu_layers, 0);
  EXPECT_LT(b.gpu_layers, 81);     // 80 layers + the output layer = all
  ASSERT_EQ(b.devices.size(), 2u);
  EXPECT_EQ(b.devices[1].device, "ram");
  for (const auto& d : b.devices) EXPECT_GE(d.headroom_bytes, 0) << d.name;
  // The most GPU layers that fit: one more leaves the GPU short of its margin.
  Scenario more = b.scenario;
  more.offload.gpu_layers = b.gpu_layers + 1;
  const Report r = estimate(more, Detail::numbers);
  EXPECT_GT(r.memory.total_bytes + kDefaultPlanMarginBytes, r.memory.capacity_bytes);
  EXPECT_NE(b.report.engine.command.find("-ngl " + std::to_string(b.gpu_layers)), std::string::npos)
      << b.report.engine.command;
  EXPECT_NE(a.explanation.find("system RAM"), std::string::npos) << a.explanation;
  const auto cmds = plan_commands(b);
  EXPECT_NE(std::find(cmds[1].lines.begin(), cmds[1].lines.end(),
                      "PARAMETER num_gpu " + std::to_string(b.gpu_layers)),
            cmds[1].lines.end());
  // Speed first: a 4-bit mix keeps more layers on the GPU and reads fewer bytes per token.
  PlanGoals fast = goals(8192, 4);
  fast.prefer = PlanPrefer::speed;
  const PlanAnswer f = make_plan(s, fast);
  ASSERT_TRUE(f.found);
  EXPECT_GT(f.ranked.front().decode_tokens_per_s, b.decode_tokens_per_s);

  // With 8 GiB of RAM even IQ4_XS (~37 GB) does not fit 24 + 8 GiB: nothing fits, and the
  // plan says it tried the RAM.
  const Scenario small = test::scenario(base + R"(,"host_memory_bytes":8589934592}})");
  const PlanAnswer n = make_plan(small, goals(8192, 4));
  EXPECT_FALSE(n.found);
  ASSERT_TRUE(n.has_closest_miss);
  EXPECT_EQ(n.closest_miss.weights, "IQ4_XS");
  EXPECT_TRUE(n.closest_miss.offloaded);
  EXPECT_GT(n.shortfall_bytes, 1e9);
  EXPECT_NE(n.explanation.find("Nothing fits"), std::string::npos);
  EXPECT_NE(n.explanation.find("system RAM were tried"), std::string::npos) << n.explanation;
}

// An MoE model larger than the card: keeping the routed experts of the first layers in RAM
// (--n-cpu-moe) frees nearly as much as offloading whole layers while the RAM's part of a
// token reads only the 8 active experts of 128, so the plan picks it; the fewest such layers.
TEST(Plan, MoeOffloadsExpertsFirst) {
  const Scenario s = test::scenario(
      R"({"model":"qwen3-30b-a3b","engine":"llama.cpp","hardware":{"gpu":"rtx-3060-12gb"}})");
  PlanGoals g = goals(8192);
  g.weights = {"Q4_K_M"};
  g.kv_cache = {"f16"};
  const PlanAnswer a = make_plan(s, g);
  ASSERT_TRUE(a.found) << a.explanation;
  const PlanCandidate& b = a.ranked.front();
  EXPECT_TRUE(b.offloaded);
  EXPECT_EQ(b.gpu_layers, -1);
  EXPECT_GT(b.cpu_moe_layers, 0);
  EXPECT_LT(b.cpu_moe_layers, 48);
  Scenario fewer = b.scenario;
  fewer.offload.cpu_moe_layers = b.cpu_moe_layers - 1;
  const Report r = estimate(fewer, Detail::numbers);
  EXPECT_GT(r.memory.total_bytes + kDefaultPlanMarginBytes, r.memory.capacity_bytes);
  // The best whole-layer split of the same weights is slower.
  Scenario layers = b.scenario;
  layers.offload.cpu_moe_layers = 0;
  for (int64_t ngl = 49; ngl >= 0; --ngl) {
    layers.offload.gpu_layers = ngl;
    const Report l = estimate(layers, Detail::numbers);
    if (l.memory.total_bytes + kDefaultPlanMarginBytes > l.memory.capacity_bytes) continue;
    EXPECT_LT(1.0 / l.latency.decode_first_s, b.decode_tokens_per_s) << "-ngl " << ngl;
    break;
  }
  EXPECT_NE(b.report.engine.command.find("--n-cpu-moe " + std::to_string(b.cpu_moe_layers)),
            std::string::npos) << b.report.engine.command;
}

TEST(Plan, FourHundredFiveBOnEightGbFitsNothing) {
  const Scenario s = test::scenario(
      R"({"model":"llama-3.1-405b","engine":"llama.cpp","hardware":{"gpu":"rtx-4060"}})");
  const PlanAnswer a = make_plan(s, goals(0));
  EXPECT_FALSE(a.found);
  ASSERT_TRUE(a.has_closest_miss);
  EXPECT_EQ(a.closest_miss.weights, "IQ1_S");  // the smallest file tried
  // ~1.56 bits x 405e9 = ~79 GB against 8 GiB of GPU and 64 GiB of RAM: short in RAM.
  EXPECT_TRUE(a.closest_miss.offloaded);
  EXPECT_GT(a.shortfall_bytes, 1e9);
}

TEST(Plan, ServingEngineChoosesDtypesAndKeepsItsOwnMargin) {
  const Scenario s = test::scenario(
      R"({"model":"llama-3.1-8b","engine":"vllm","hardware":{"gpu":"h100-sxm"}})");
  const PlanAnswer a = make_plan(s, goals(32768));
  ASSERT_TRUE(a.found) << a.explanation;
  const PlanCandidate& b = a.ranked.front();
  EXPECT_EQ(b.weights, "bf16");
  EXPECT_EQ(b.kv_cache, "bf16");
  EXPECT_EQ(b.devices[0].margin_bytes, 0);  // gpu_memory_utilization is vLLM's margin
  EXPECT_TRUE(b.report.engine.starts);
  EXPECT_EQ(b.report.engine.max_model_len, 32768);
  const auto cmds = plan_commands(b);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].engine, "vllm");
  EXPECT_NE(cmds[0].command.find("vllm serve"), std::string::npos);
  EXPECT_NE(cmds[0].command.find("--max-model-len 32768"), std::string::npos);
}

TEST(Plan, CommandsForLlamaCppOllamaAndLmStudio) {
  PlanGoals g = goals(16384);
  g.weights = {"Q4_K_M"};
  g.kv_cache = {"q8_0"};
  const PlanAnswer a = make_plan(test::scenario(kLlama8bOn3060), g);
  ASSERT_TRUE(a.found);
  const auto cmds = plan_commands(a.ranked.front());
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0].engine, "llama.cpp");
  const std::string& l = cmds[0].command;
  EXPECT_NE(l.find("llama-server -m llama-3.1-8b-Q4_K_M.gguf"), std::string::npos) << l;
  EXPECT_NE(l.find("-c 16384"), std::string::npos) << l;
  EXPECT_NE(l.find("-ngl 99"), std::string::npos) << l;
  EXPECT_NE(l.find("-fa on"), std::string::npos) << l;
  EXPECT_NE(l.find("-ctk q8_0 -ctv q8_0"), std::string::npos) << l;
  EXPECT_EQ(cmds[1].engine, "ollama");
  EXPECT_NE(cmds[1].command.find("OLLAMA_KV_CACHE_TYPE=q8_0"), std::string::npos) << cmds[1].command;
  EXPECT_NE(cmds[1].command.find("OLLAMA_FLASH_ATTENTION=1"), std::string::npos);
  // 32 repeating layers + the output layer.
  EXPECT_NE(std::find(cmds[1].lines.begin(), cmds[1].lines.end(), "PARAMETER num_gpu 33"),
            cmds[1].lines.end());
  EXPECT_NE(std::find(cmds[1].lines.begin(), cmds[1].lines.end(), "PARAMETER num_ctx 16384"),
            cmds[1].lines.end());
  EXPECT_EQ(cmds[2].engine, "lm-studio");
  EXPECT_EQ(cmds[2].command, "lms load llama-3.1-8b-Q4_K_M.gguf --context-length 16384 --gpu max");
  EXPECT_NE(std::find(cmds[2].lines.begin(), cmds[2].lines.end(), "llamaVCacheQuantizationType: q8_0"),
            cmds[2].lines.end());
}

TEST(Plan, NoEngineGivesMlx) {
  const Scenario s = test::scenario(R"({"model":"llama-3.1-8b","hardware":{"gpu":"rtx-3060-12gb"}})");
  PlanGoals g = goals(8192);
  g.weights = {"int4"};
  const PlanAnswer a = make_plan(s, g);
  ASSERT_TRUE(a.found) << a.explanation;
  const auto cmds = plan_commands(a.ranked.front());
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].engine, "mlx");
  EXPECT_EQ(cmds[0].command, "mlx_lm.generate --model llama-3.1-8b-4bit --max-kv-size 8192 --max-tokens 256");
}

TEST(Plan, FlashAttentionOffSkipsQuantizedKv) {
  const Scenario s = test::scenario(
      R"({"model":"llama-3.1-8b","engine":"llama.cpp","options":{"flash_attention":false},
          "hardware":{"gpu":"rtx-3060-12gb"}})");
  const PlanAnswer a = make_plan(s, goals(8192, 4));
  ASSERT_TRUE(a.found);
  for (const auto& c : a.ranked) EXPECT_EQ(c.kv_cache, "f16");
  EXPECT_FALSE(a.ranked.front().flash_attention);
  EXPECT_FALSE(a.notes.empty());
}

// The search's cost is bounded: the default lists at "max" on a model with a 10M-token
// context, and the largest lists a request may give.
TEST(Plan, BoundedWork) {
  const Scenario s = test::scenario(
      R"({"model":"llama-3.1-8b","engine":"llama.cpp","hardware":{"gpu":"h100-sxm"}})");
  const PlanAnswer a = make_plan(s, goals(0));
  EXPECT_TRUE(a.found);
  EXPECT_FALSE(a.stopped);
  // 18 formats x 3 KV types, each at most 2 + 2 log2(131072) estimates.
  EXPECT_LE(a.estimates, 18 * 3 * (2 + 2 * 17));
  const Scenario big = test::scenario(
      R"({"model":"llama-4-scout","engine":"llama.cpp","hardware":{"gpu":"b200"}})");
  PlanGoals g = goals(0);
  // F32 and BF16 (436 and 218 GB) miss at the first estimate; Q4_0 and TQ1_0 each search a
  // 10M-token range per KV type: gallop (~12) + bisection (~22).
  g.weights = {"F32", "BF16", "Q4_0", "TQ1_0"};
  g.kv_cache = {"f32", "f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"};
  const PlanAnswer b = make_plan(big, g);
  EXPECT_TRUE(b.found);
  EXPECT_FALSE(b.stopped);
  EXPECT_LE(b.estimates, 2 * 9 + 2 * 9 * (1 + 2 * 24));
}

}  // namespace
}  // namespace llmcalc
