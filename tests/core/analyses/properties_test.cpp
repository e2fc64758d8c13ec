// Properties of the estimator over thousands of random valid scenarios (a seeded generator:
// tests/core/random_scenario.hpp; a failure prints the scenario): every number finite and
// non-negative, the total the sum of its items, memory monotone in batch, tensor parallelism
// and ZeRO stage, and every latency positive.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "llmcalc/estimate.hpp"
#include "random_scenario.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

constexpr int kScenarios = 3000;
constexpr uint64_t kSeed = 16;  // issue 16

// Sums of a dozen doubles: equal to a few ulps.
::testing::AssertionResult near(double a, double b) {
  if (std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " != " << b;
}

// Every number of the report finite and >= 0 (headroom is capacity - total: signed).
void expect_finite_non_negative(const Report& r, const std::string& what) {
  auto check = [&](double v, const std::string& name) {
    EXPECT_TRUE(std::isfinite(v) && v >= 0) << name << " = " << v << " in " << what;
  };
  for (const auto& i : r.memory.items) check(i.bytes, "memory/" + i.id);
  check(r.memory.total_bytes, "memory/total_bytes");
  check(r.memory.capacity_bytes, "memory/capacity_bytes");
  EXPECT_TRUE(std::isfinite(r.memory.headroom_bytes)) << what;
  check(r.flops.per_token_forward, "flops/per_token_forward");
  for (const auto& i : r.flops.items) check(i.flops, "flops/" + i.id);
  auto phase = [&](const Phase& p) {
    for (const auto& [v, n] : {std::pair{p.flops, "flops"}, {p.attention_flops, "attention_flops"},
                               {p.bytes, "bytes"}, {p.elementwise_bytes, "elementwise_bytes"},
                               {p.arithmetic_intensity, "arithmetic_intensity"}, {p.compute_s, "compute_s"},
                               {p.memory_s, "memory_s"}, {p.elementwise_s, "elementwise_s"},
                               {p.comm_s, "comm_s"}, {p.overhead_s, "overhead_s"}, {p.time_s, "time_s"}})
      check(v, p.id + "/" + n);
  };
  const LatencyReport& l = r.latency;
  for (const auto& p : l.phases) phase(p);
  for (double v : {l.ttft_s, l.decode_first_s, l.decode_last_s, l.decode_total_s, l.end_to_end_s,
                   l.tokens_per_s_per_sequence, l.tokens_per_s_total, l.cost_per_million_tokens})
    check(v, "latency");
  const TrainingPerfReport& t = r.training;
  phase(t.step);
  for (double v : {t.tokens_per_step, t.tokens_per_s, t.mfu, t.recompute_overhead, t.pipeline_bubble,
                   t.run_time_s, t.gpu_hours, t.run_cost})
    check(v, "training");
  EXPECT_GE(r.params.total, r.params.active) << what;
  EXPECT_GT(r.params.active, 0) << what;
}

double total(Scenario s) { return estimate(s, Detail::numbers).memory.total_bytes; }

TEST(Properties, RandomScenarios) {
  Rng rng(kSeed);
  int training = 0, with_latency = 0, tp_checked = 0, zero_checked = 0;
  for (int i = 0; i < kScenarios; ++i) {
    const std::string text = random_scenario_json(rng);
    const std::string what = "scenario " + std::to_string(i) + ": " + text;
    const Scenario s = scenario(text);
    const Report r = estimate(s);
    expect_finite_non_negative(r, what);

    double sum = 0;
    for (const auto& item : r.memory.items) sum += item.bytes;
    EXPECT_TRUE(near(r.memory.total_bytes, sum)) << what;
    EXPECT_EQ(r.memory.fits, r.memory.total_bytes <= r.memory.capacity_bytes) << what;

    if (r.has_performance) {
      ++with_latency;
      if (s.mode == Mode::inference) {
        EXPECT_GT(r.latency.ttft_s, 0) << what;
        // The prefill makes the first token: decode steps start with the second.
        if (s.workload.generate >= 2) {
          EXPECT_GT(r.latency.decode_first_s, 0) << what;
          EXPECT_GE(r.latency.decode_last_s, r.latency.decode_first_s) << what;
        }
      } else {
        EXPECT_GT(r.training.step.time_s, 0) << what;
        EXPECT_GT(r.training.tokens_per_s, 0) << what;
      }
      for (const auto& p : r.latency.phases) EXPECT_GT(p.time_s, 0) << p.id << " " << what;
    }

    // More batch never needs less memory.
    Scenario more = s;
    more.workload.batch = s.workload.batch + 1 + int64_t(rng.in(0, 64));
    EXPECT_LE(r.memory.total_bytes, total(more)) << "batch " << more.workload.batch << ", " << what;

    // More tensor parallelism never needs more memory per GPU.
    const int64_t tp2 = s.parallelism.tp * 2;
    if (tp2 <= 8 && s.model.arch.num_heads % tp2 == 0) {
      Scenario wider = s;
      wider.parallelism.tp = tp2;
      wider.gpu_count = tp2 * s.parallelism.pp * s.parallelism.dp;
      EXPECT_LE(total(wider), r.memory.total_bytes) << "tp " << tp2 << ", " << what;
      ++tp_checked;
    }

    if (s.mode == Mode::training) {
      ++training;
      // A higher ZeRO stage never needs more memory; with dp 1 it changes nothing.
      for (int64_t z = s.training.zero_stage + 1; z <= 3; ++z) {
        Scenario higher = s;
        higher.training.zero_stage = z;
        EXPECT_LE(total(higher), r.memory.total_bytes) << "zero " << z << ", " << what;
        if (s.parallelism.dp == 1) EXPECT_TRUE(near(total(higher), r.memory.total_bytes)) << what;
        ++zero_checked;
      }
      // More data parallelism never needs more memory per GPU (ZeRO shards over dp).
      Scenario wider = s;
      wider.parallelism.dp = s.parallelism.dp * 2;
      wider.gpu_count *= 2;
      EXPECT_LE(total(wider), r.memory.total_bytes) << "dp " << wider.parallelism.dp << ", " << what;
    }
    if (::testing::Test::HasFailure()) break;  // one scenario's failures are enough to read
  }
  // The generator covered what the properties are about.
  EXPECT_GT(training, kScenarios / 3);
  EXPECT_GT(with_latency, kScenarios / 2);
  EXPECT_GT(tp_checked, kScenarios / 4);
  EXPECT_GT(zero_checked, kScenarios / 4);
}

}  // namespace
}  // namespace llmcalc::test
