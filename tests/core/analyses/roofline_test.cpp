// Roofline invariants: no phase beats the hardware's limits.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"

namespace llmcalc::test {
namespace {

const char* kDecode = R"({"model":"llama-2-7b","hardware":{"gpu":"h100-sxm"},
    "workload":{"batch":1,"prompt":512,"generate":256}})";

TEST(Roofline, DecodeNoFasterThanStreamingTheWeights) {
  const Report r = run(kDecode);
  const double weights = item(r, "weights");
  const double bw = 3.35e12;  // H100 SXM datasheet
  EXPECT_GE(phase(r, "decode_first")->time_s, weights / bw);
  EXPECT_GE(phase(r, "decode_last")->time_s, phase(r, "decode_first")->time_s);  // KV grows
  EXPECT_EQ(phase(r, "decode_first")->bound, Bound::memory);
  // Tokens/s of a 7B bf16 model at batch 1 stays below bandwidth / weight bytes (~249/s).
  EXPECT_LT(r.latency.tokens_per_s_per_sequence, bw / weights);
}

TEST(Roofline, Gemma3nDecodeReadsRowsOfThePerLayerTableNotTheTable) {
  const Report r = run(R"({"model":"gemma-3n-e2b","hardware":{"gpu":"h100-sxm"},
      "workload":{"batch":1,"prompt":100,"generate":2}})");
  // Weights 4,456,156,768 x 2 B = 8,912,313,536 B; the per-layer table 262,144 x 7,680 is
  // looked up, one 7,680-wide row per sequence: (2,013,265,920 - 7,680) x 2 B = 4,026,516,480 B
  // are not streamed -> 4,885,797,056 B. KV: 20 caching layers x 2,048 B = 40,960 B per token.
  EXPECT_DOUBLE_EQ(item(r, "weights"), 8912313536.0);
  const double kv = phase(r, "decode_first")->bytes - 4885797056.0;
  EXPECT_GE(kv, 100 * 40960.0);
  EXPECT_LE(kv, 101 * 40960.0);
  EXPECT_DOUBLE_EQ(std::fmod(kv, 40960.0), 0.0);
}

TEST(Roofline, Gemma3nOffloadedDecodeReadsRowsOfThePerLayerTableToo) {
  // The same rule with the model in RAM (-ngl 0): the CPU reads every RAM weight (the token
  // table too: tied, it is the output matrix) except the per-layer table, of which it reads one
  // 7,680-wide row per sequence: (2,013,265,920 - 7,680) x 2 B = 4,026,516,480 B left unread.
  // Plus the RAM's KV at context 101: 20 caching layers x 2,048 B x 101 tokens.
  const Report r = run(R"({"model":"gemma-3n-e2b","hardware":{"gpu":"rtx-4090"},
      "offload":{"gpu_layers":0},"workload":{"batch":1,"prompt":100,"generate":2}})");
  ASSERT_EQ(r.devices.size(), 2u);
  double ram_weights = 0;
  for (const auto& i : r.devices[1].items)
    if (i.id == "weights") ram_weights = i.bytes;
  ASSERT_GT(ram_weights, 4026516480.0);
  const double host = ram_weights - 4026516480.0 + 101 * 40960.0;
  EXPECT_NEAR(phase(r, "decode_first")->host_bytes, host, host * 1e-12);

  // Everything on the GPU (-ngl -1): the tied token table gets its copy for the output layer,
  // the per-layer table (an input tensor, never the output matrix) stays in RAM only.
  // GPU: (4,456,156,768 - 2,013,265,920) x 2 B = 4,885,781,696 B; RAM: (537,395,200 +
  // 2,013,265,920) x 2 B = 5,101,322,240 B.
  const Report all = run(R"({"model":"gemma-3n-e2b","hardware":{"gpu":"rtx-4090"},
      "precision":{"weights":"bf16"},"offload":{"gpu_layers":-1}})");
  ASSERT_EQ(all.devices.size(), 2u);
  EXPECT_DOUBLE_EQ(item(all, "weights"), 4885781696.0);
  double ram_all = 0;
  for (const auto& i : all.devices[1].items)
    if (i.id == "weights") ram_all = i.bytes;
  EXPECT_DOUBLE_EQ(ram_all, 5101322240.0);
}

TEST(Roofline, PrefillNoFasterThanPeakCompute) {
  const Report r = run(R"({"model":"llama-2-7b","workload":{"batch":8,"prompt":4096,"generate":1}})");
  const Phase* p = phase(r, "prefill");
  EXPECT_GE(p->time_s, p->flops / 989.4e12);
  EXPECT_EQ(p->bound, Bound::compute);
}

TEST(Roofline, DoublingBandwidthLowersOnlyMemoryBoundPhases) {
  const std::string s = R"({"model":"llama-2-7b","workload":{"batch":8,"prompt":4096,"generate":64},
      "hardware":{"gpu":"h100-sxm","memory_bandwidth_bytes_per_s":)";
  const Report slow = run(s + "3.35e12}}");
  const Report fast = run(s + "6.7e12}}");
  EXPECT_LT(phase(fast, "decode_first")->time_s, phase(slow, "decode_first")->time_s);
  // The compute-bound prefill keeps its roofline term; only its (sequential) elementwise
  // kernels, which stream memory, get faster.
  const Phase* pf = phase(fast, "prefill");
  const Phase* ps = phase(slow, "prefill");
  EXPECT_EQ(ps->bound, Bound::compute);
  EXPECT_DOUBLE_EQ(pf->compute_s, ps->compute_s);
  EXPECT_NEAR(ps->time_s - pf->time_s, ps->elementwise_s - pf->elementwise_s, 1e-12);
}

TEST(Roofline, BatchingRaisesIntensityAndThroughput) {
  const std::string s = R"({"model":"llama-2-7b","workload":{"prompt":512,"generate":128,"batch":)";
  const Report b1 = run(s + "1}}");
  const Report b64 = run(s + "64}}");
  EXPECT_GT(phase(b64, "decode_first")->arithmetic_intensity, phase(b1, "decode_first")->arithmetic_intensity);
  EXPECT_GT(b64.latency.tokens_per_s_total, 10 * b1.latency.tokens_per_s_total);
}

TEST(Roofline, CudaGraphsRemoveTheFixedStepOverhead) {
  const Report eager = run(kDecode);
  const Report graphs = run(R"({"model":"llama-2-7b","options":{"cuda_graphs":true},
      "workload":{"batch":1,"prompt":512,"generate":256}})");
  EXPECT_GT(phase(eager, "decode_first")->overhead_s, 0);
  EXPECT_EQ(phase(graphs, "decode_first")->overhead_s, 0);
  EXPECT_LT(graphs.latency.decode_total_s, eager.latency.decode_total_s);
}

TEST(Roofline, TensorParallelAddsCommunication) {
  const Report tp = run(R"({"model":"llama-2-70b","parallelism":{"tp":4},"workload":{"batch":1,"prompt":512,"generate":16}})");
  EXPECT_GT(phase(tp, "decode_first")->comm_s, 0);
}

TEST(Roofline, PipelineBubble) {
  const Report r = run(R"({"model":"llama-2-7b","mode":"training","parallelism":{"pp":4},
      "workload":{"batch":1,"seq":2048,"grad_accum":4}})");
  EXPECT_DOUBLE_EQ(r.training.pipeline_bubble, 3.0 / 7.0);  // (pp-1)/(m+pp-1)
}

TEST(Roofline, CostAndRunTime) {
  const Report r = run(R"({"model":"llama-2-7b","mode":"training","options":{"price_per_gpu_hour":2},
      "workload":{"batch":1,"seq":2048,"tokens_budget":1e9},"hardware":{"count":8}})");
  EXPECT_NEAR(r.training.run_time_s, 1e9 / r.training.tokens_per_s, 1e-6);
  EXPECT_NEAR(r.training.gpu_hours, r.training.run_time_s * 8 / 3600, 1e-9);
  EXPECT_NEAR(r.training.run_cost, r.training.gpu_hours * 2, 1e-9);
  const Report inf = run(R"({"model":"llama-2-7b","options":{"price_per_gpu_hour":2}})");
  EXPECT_NEAR(inf.latency.cost_per_million_tokens, 2.0 / 3600 / inf.latency.tokens_per_s_total * 1e6, 1e-9);
}

}  // namespace
}  // namespace llmcalc::test
