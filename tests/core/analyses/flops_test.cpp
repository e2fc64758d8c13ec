// Hand-checked FLOP counts (seed 002's walk-through: 2 FLOPs per weight per token).
#include <gtest/gtest.h>

#include "analyses/context.hpp"
#include "analyses/performance.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

TEST(Flops, Llama2_7bMatmulPerToken) {
  const Scenario s = scenario(R"({"model":"llama-2-7b"})");
  const Context c(s, nullptr);
  // Per layer: q,k,v,o 4 x 4096 x 4096 + gate,up,down 3 x 4096 x 11008 = 202,375,168 weights;
  // x 32 layers + lm_head 32000 x 4096 = 6,607,077,376 matmul weights; x 2 FLOPs each.
  const double weights = 32.0 * (4.0 * 4096 * 4096 + 3.0 * 4096 * 11008) + 32000.0 * 4096;
  EXPECT_DOUBLE_EQ(weights, 6607077376.0);
  EXPECT_DOUBLE_EQ(matmul_flops_per_token(c), 2 * weights);
  // Attention at 4096 tokens of context: QK^T and AV, 2 x 32 heads x (128 + 128) x 4096
  // per layer, x 32 layers = 2.147 GFLOP.
  EXPECT_DOUBLE_EQ(attention_flops_per_token(c, 4096), 2.0 * 32 * 256 * 4096 * 32);
  // Causal prefill of 4 tokens: contexts 1 + 2 + 3 + 4 = 10.
  EXPECT_DOUBLE_EQ(attention_flops_causal(c, 0, 4), 2.0 * 32 * 256 * 10 * 32);
}

TEST(Flops, Gpt2XlMatmulPerToken) {
  const Scenario s = scenario(R"({"model":"gpt2-xl"})");
  const Context c(s, nullptr);
  // 48 layers x (4 x 1600^2 attention + 2 x 1600 x 6400 MLP) + tied head 50257 x 1600
  // = 1,555,126,400 weights in matmuls (embeddings lookups and biases do no matmul).
  const double weights = 48.0 * (4.0 * 1600 * 1600 + 2.0 * 1600 * 6400) + 50257.0 * 1600;
  EXPECT_DOUBLE_EQ(matmul_flops_per_token(c), 2 * weights);
  EXPECT_NEAR(matmul_flops_per_token(c) / 1e9, 3.11, 0.01);  // ~3.1 GFLOP per token
}

TEST(Flops, MoeCountsOnlyRoutedAndSharedExperts) {
  const Scenario s = scenario(R"({"model":"mixtral-8x7b"})");
  const Context c(s, nullptr);
  // Active matmul weights: attention 4096 x (4096 + 2 x 1024 + 4096) + router 8 x 4096 +
  // 2 experts x 3 x 4096 x 14336, per layer, x 32, + lm_head 32000 x 4096.
  const double layer = 4096.0 * (4096 + 1024 + 1024 + 4096) + 8.0 * 4096 + 2.0 * 3 * 4096 * 14336;
  EXPECT_DOUBLE_EQ(matmul_flops_per_token(c), 2 * (32 * layer + 32000.0 * 4096));
}

TEST(Flops, SlidingWindowCapsAttention) {
  const Scenario s = scenario(R"({"model":"mistral-7b-v0.1"})");
  const Context c(s, nullptr);
  EXPECT_DOUBLE_EQ(attention_flops_per_token(c, 32768), attention_flops_per_token(c, 4096));
}

TEST(Flops, TrainingStepIsThreeForwardsPlusRecompute) {
  const std::string base = R"({"model":"llama-2-7b","mode":"training","workload":{"batch":1,"seq":2048},)";
  const Report none = run(base + R"("training":{"checkpointing":"none"}})");
  const Report full = run(base + R"("training":{"checkpointing":"full"}})");
  const Report sel = run(base + R"("training":{"checkpointing":"selective"}})");
  EXPECT_DOUBLE_EQ(full.training.step.flops, none.training.step.flops * 4.0 / 3.0);
  EXPECT_NEAR(full.training.recompute_overhead, 1.0 / 3.0, 1e-12);  // the seed's ~33%
  EXPECT_GT(sel.training.recompute_overhead, 0.0);
  EXPECT_LT(sel.training.recompute_overhead, 0.1);
}

}  // namespace
}  // namespace llmcalc::test
