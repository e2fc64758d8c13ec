// The seed documents' worked numbers (../shared/seeds, copied into docs/seeds.md) as goldens.
#include <gtest/gtest.h>

#include <cmath>

#include "llmcalc/solve.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

double round1(double gib) { return std::round(gib * 10.0) / 10.0; }

// Seed 000: LLaMA-2-7B, batch 4, context 4096, fp16, AdamW, no checkpointing.
TEST(Seed000, TrainingIs128Point4GiB) {
  const Report r = run(R"({"model":"llama-2-7b","mode":"training","method":"seed",
                           "workload":{"batch":4,"seq":4096}})");
  const double params_optimizer = item(r, "weights") + item(r, "gradients") +
                                  item(r, "master_weights") + item(r, "optimizer_states");
  EXPECT_EQ(round1(params_optimizer / kGiB), 100.4);
  EXPECT_EQ(round1(item(r, "activations") / kGiB), 28.0);
  EXPECT_EQ(round1(r.memory.total_bytes / kGiB), 128.4);
  // 4 x 4096 x 32 x 4096 x 2 B x 7 exactly.
  EXPECT_DOUBLE_EQ(item(r, "activations"), 4.0 * 4096 * 32 * 4096 * 2 * 7);
  // 16 B per parameter: 2 weights + 2 gradients + 12 Adam (4 master + 8 moments).
  EXPECT_DOUBLE_EQ(params_optimizer, 6738415616.0 * 16);
}

TEST(Seed000, InferenceIs20Point6GiB) {
  const Report r = run(R"({"model":"llama-2-7b","method":"seed",
                           "workload":{"batch":4,"prompt":4096,"generate":0}})");
  EXPECT_EQ(round1(item(r, "weights") / kGiB), 12.6);
  EXPECT_EQ(round1(item(r, "kv_cache") / kGiB), 8.0);
  EXPECT_EQ(round1(r.memory.total_bytes / kGiB), 20.6);
  // 2 x 32 layers x 32 heads x 128 head_dim x 4 batch x 4096 tokens x 2 B = 8 GiB exactly.
  EXPECT_DOUBLE_EQ(item(r, "kv_cache"), 8.0 * kGiB);
}

// Seed 000's chart: KV cache versus context length, 512 ... 16384 (linear: 1 GiB per 512).
TEST(Seed000, KvCacheSeries) {
  const Scenario s = scenario(R"({"model":"llama-2-7b","method":"seed",
                                  "workload":{"batch":4,"prompt":512,"generate":0}})");
  const std::vector<double> contexts = {512, 1024, 2048, 4096, 8192, 16384};
  const std::vector<double> expected_gib = {1, 2, 4, 8, 16, 32};
  const auto points = sweep(s, SweepVar::prompt, contexts, {});
  ASSERT_EQ(points.size(), contexts.size());
  for (size_t i = 0; i < points.size(); ++i)
    EXPECT_DOUBLE_EQ(item(points[i].report, "kv_cache") / kGiB, expected_gib[i]) << contexts[i];
}

// Seed 001 states the KV cache of LLaMA-2-7B fp16, batch 32, 4096 tokens as "about 16GB".
// Its own formula, 2 x 32 layers x 32 heads x 128 x 32 batch x 4096 x 2 B, is 64 GiB
// (68.7 GB): the seed is off by 4x. We test the correct figure (docs/seeds.md explains).
TEST(Seed001, KvCacheIs64GiBNot16) {
  const Report r = run(R"({"model":"llama-2-7b","precision":{"kv_cache":"fp16"},
                           "workload":{"batch":32,"prompt":4096,"generate":0}})");
  EXPECT_DOUBLE_EQ(item(r, "kv_cache"), 2.0 * 32 * 32 * 128 * 32 * 4096 * 2);
  EXPECT_DOUBLE_EQ(item(r, "kv_cache") / kGiB, 64.0);
  EXPECT_GT(item(r, "kv_cache") / 1e9, 4 * 16.0);  // not "about 16GB"
}

// Seed 002: GPT-2 XL weights in fp16 are "about 3 GB" (1.542e9 x 2 B by the seed's count;
// the architecture gives 1,557,611,200 parameters, 3.115 GB).
TEST(Seed002, Gpt2XlWeightsAbout3GB) {
  const Report r = run(R"({"model":"gpt2-xl","method":"seed","precision":{"weights":"fp16"},
                           "workload":{"batch":1,"prompt":1,"generate":0}})");
  EXPECT_NEAR(item(r, "weights") / 1e9, 3.0, 0.15);
  EXPECT_DOUBLE_EQ(item(r, "weights"), 1557611200.0 * 2);
}

}  // namespace
}  // namespace llmcalc::test
