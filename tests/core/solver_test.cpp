// Solvers are exact with respect to the estimator: the answer fits, answer + 1 does not.
#include <gtest/gtest.h>

#include "llmcalc/solve.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

bool fits_with(Scenario s, int64_t batch, int64_t prompt, int64_t seq) {
  if (batch) s.workload.batch = batch;
  if (prompt) s.workload.prompt = prompt;
  if (seq) s.workload.seq = seq;
  return estimate(s).memory.fits;
}

TEST(Solver, MaxBatchInference) {
  const Scenario s = scenario(R"({"model":"llama-2-7b","hardware":{"gpu":"a100-80gb"},
      "workload":{"prompt":4096,"generate":512}})");
  const SolveAnswer a = solve_max_batch(s);
  ASSERT_TRUE(a.found);
  EXPECT_TRUE(fits_with(s, a.value, 0, 0));
  EXPECT_FALSE(fits_with(s, a.value + 1, 0, 0));
  EXPECT_GT(a.value, 10);
}

TEST(Solver, MaxBatchTraining) {
  const Scenario s = scenario(R"({"model":"llama-3.2-1b","mode":"training","workload":{"seq":2048}})");
  const SolveAnswer a = solve_max_batch(s);
  ASSERT_TRUE(a.found);
  EXPECT_TRUE(fits_with(s, a.value, 0, 0));
  EXPECT_FALSE(fits_with(s, a.value + 1, 0, 0));
}

TEST(Solver, MaxBatchNotFound) {
  const SolveAnswer a = solve_max_batch(scenario(R"({"model":"llama-2-70b","hardware":{"gpu":"rtx-4090"}})"));
  EXPECT_FALSE(a.found);
  EXPECT_EQ(a.value, 0);
}

TEST(Solver, MaxContext) {
  const Scenario inf = scenario(R"({"model":"llama-3-8b","hardware":{"gpu":"l4"},"workload":{"batch":1,"generate":256}})");
  const SolveAnswer a = solve_max_context(inf);
  ASSERT_TRUE(a.found);
  EXPECT_TRUE(fits_with(inf, 0, a.value, 0));
  EXPECT_FALSE(fits_with(inf, 0, a.value + 1, 0));
  const Scenario tr = scenario(R"({"model":"llama-3.2-1b","mode":"training","training":{"checkpointing":"full"},"workload":{"batch":1}})");
  const SolveAnswer b = solve_max_context(tr);
  ASSERT_TRUE(b.found);
  EXPECT_TRUE(fits_with(tr, 0, 0, b.value));
  EXPECT_FALSE(fits_with(tr, 0, 0, b.value + 1));
}

TEST(Solver, MinGpus) {
  const Scenario s = scenario(R"({"model":"llama-2-70b","hardware":{"gpu":"a100-40gb"},
      "workload":{"batch":1,"prompt":2048,"generate":256}})");
  const SolveAnswer a = solve_min_gpus(s);
  ASSERT_TRUE(a.found);
  EXPECT_TRUE(a.report.memory.fits);
  // No layout with one GPU fewer fits (the solver tries them in order; check n - 1 directly).
  const SolveAnswer fewer = solve_min_gpus(s, a.value - 1);
  EXPECT_FALSE(fewer.found);
  EXPECT_EQ(a.layout.tp * a.layout.pp * a.layout.dp, a.value);
}

TEST(Solver, MinGpusTrainingUsesZero) {
  const Scenario s = scenario(R"({"model":"llama-2-7b","mode":"training","training":{"zero_stage":3},
      "hardware":{"gpu":"a100-40gb"},"workload":{"batch":1,"seq":2048}})");
  const SolveAnswer a = solve_min_gpus(s);
  ASSERT_TRUE(a.found);
  EXPECT_GT(a.value, 1);
  EXPECT_FALSE(solve_min_gpus(s, a.value - 1).found);
}

TEST(Solver, KneeSeparatesMemoryFromComputeBound) {
  // GQA keeps the KV traffic per sequence below the compute per token, so large batches turn
  // compute-bound (an MHA 7B at this context stays memory-bound at any batch that fits).
  const Scenario s = scenario(R"({"model":"llama-3-8b","workload":{"prompt":128,"generate":128}})");
  const KneeAnswer k = solve_knee(s);
  ASSERT_GT(k.knee_batch, 1);
  auto bound = [&](int64_t b) {
    Scenario t = s;
    t.workload.batch = b;
    const Report r = estimate(t);
    for (const auto& p : r.latency.phases)
      if (p.id == "decode_first") return p.bound;
    return Bound::memory;
  };
  EXPECT_EQ(bound(k.knee_batch), Bound::compute);
  EXPECT_EQ(bound(k.knee_batch - 1), Bound::memory);
  EXPECT_FALSE(k.batch.empty());
  for (size_t i = 1; i < k.tokens_per_s_total.size(); ++i)
    EXPECT_GE(k.tokens_per_s_total[i], k.tokens_per_s_total[i - 1]);
}

}  // namespace
}  // namespace llmcalc::test
