// Solvers are exact with respect to the estimator: the answer fits, answer + 1 does not.
#include <gtest/gtest.h>

#include "llmcalc/solve.hpp"
#include "random_scenario.hpp"
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

// The search min-gpus used before it was bounded: every n from 1, every layout of n GPUs (tp
// descending, then pp ascending). Quadratic in max_gpus, so only for small ones; the bounded
// search must give the same answers.
SolveAnswer min_gpus_by_scan(const Scenario& base, int64_t max_gpus) {
  SolveAnswer a;
  const Architecture& arch = base.model.arch;
  const bool training = base.mode == Mode::training;
  for (int64_t n = 1; n <= max_gpus; ++n)
    for (int64_t tp = std::min<int64_t>(n, 8); tp >= 1; --tp) {
      if (n % tp != 0 || arch.num_heads % tp != 0) continue;
      const int64_t rest = n / tp;
      for (int64_t pp = training ? 1 : rest; pp <= rest; ++pp) {
        if (rest % pp != 0 || pp > arch.num_layers) continue;
        Scenario s = base;
        s.parallelism = {tp, pp, rest / pp, base.parallelism.sequence_parallel};
        s.gpu_count = n;
        if (estimate(s, Detail::numbers).memory.fits) {
          a.found = true;
          a.value = n;
          a.layout = s.parallelism;
          return a;
        }
      }
    }
  return a;
}

TEST(Solver, MinGpusMatchesTheFullScan) {
  Rng rng(20261127);
  int found = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string text = random_scenario_json(rng);
    Scenario s = scenario(text);
    // Heavier workloads than the generator's, so that many need several GPUs.
    if (rng.chance(50)) s.workload.batch *= 8;
    const int64_t max_gpus = rng.in(1, 96);
    const SolveAnswer want = min_gpus_by_scan(s, max_gpus);
    const SolveAnswer got = solve_min_gpus(s, max_gpus);
    SCOPED_TRACE("scenario " + std::to_string(i) + " max_gpus " + std::to_string(max_gpus) + ": " + text);
    ASSERT_EQ(got.found, want.found);
    if (!want.found) continue;
    ++found;
    EXPECT_EQ(got.value, want.value);
    EXPECT_EQ(got.layout.tp, want.layout.tp);
    EXPECT_EQ(got.layout.pp, want.layout.pp);
    EXPECT_EQ(got.layout.dp, want.layout.dp);
    EXPECT_TRUE(got.report.memory.fits);
  }
  EXPECT_GT(found, 100);  // the comparison covered answers, not only "does not fit"
}

// The cost is bounded whatever the input: the worst cases measured, far under the cap.
TEST(Solver, MinGpusCostIsBounded) {
  // Nothing fits (a 64 x 65536-token training batch): every layout up to 65,536 GPUs is
  // ruled out. The scan took 6-20 s here.
  const Scenario none = scenario(R"({"model":"llama-3.1-8b","mode":"training",
      "workload":{"batch":64,"seq":65536}})");
  const SolveAnswer a = solve_min_gpus(none, 65536);
  EXPECT_FALSE(a.found);
  EXPECT_LE(a.estimates, 200);
  // 10,000 layers (the architecture's limit), 1.3e14 parameters and ZeRO-3: ~27,000 GPUs,
  // many stage sizes each bisected over dp (the costliest case found: 1,067 estimates).
  const Scenario deep = scenario(R"({"model":{"architecture":{"vocab_size":32000,
      "hidden_size":32768,"num_layers":10000,"num_heads":64,"intermediate_size":98304}},
      "mode":"training","training":{"zero_stage":3},"workload":{"batch":1,"seq":16}})");
  for (const int64_t max_gpus : {int64_t(1), int64_t(4096), int64_t(65536)}) {
    const SolveAnswer b = solve_min_gpus(deep, max_gpus);
    EXPECT_LE(b.estimates, 2000) << max_gpus;
    EXPECT_EQ(b.found, max_gpus == 65536);
    EXPECT_EQ(b.explanation.find("stopped"), std::string::npos) << b.explanation;
  }
  Scenario inference = deep;
  inference.mode = Mode::inference;
  EXPECT_LT(solve_min_gpus(inference, 65536).estimates, kMaxSolveEstimates);
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
