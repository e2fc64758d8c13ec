// Unified-memory machines as hardware.gpu (issue 15): the GPU's share of one pool, the wired
// limit override, the pool's bandwidth, and no PCIe copies when part of the model is "offloaded".
#include <gtest/gtest.h>

#include "llmcalc/catalog.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

TEST(UnifiedMemory, EveryMachineLoads) {
  EXPECT_TRUE(catalog_errors().empty());
  EXPECT_EQ(unified_presets().size(), 19u);
  EXPECT_NE(find_unified("apple-m4-max-40c"), nullptr);
}

TEST(UnifiedMemory, MetalWiresTwoThirdsUpTo32GiBAndThreeQuartersAbove) {
  // core/data/unified/apple-*.json: recommendedMaxWorkingSetSize 2/3 (0.6667) of RAM up to
  // 32 GiB, 3/4 above.
  Scenario s = scenario(R"({"model":"llama-3-8b","hardware":{"gpu":"apple-m4-max-40c","host_memory_bytes":68719476736}})");
  EXPECT_DOUBLE_EQ(s.gpu.memory_bytes, 0.75 * 68719476736.0);  // 48 GiB
  EXPECT_DOUBLE_EQ(s.gpu.memory_bandwidth_bytes_per_s, 546e9);
  EXPECT_DOUBLE_EQ(s.host.bandwidth_bytes_per_s, 546e9);  // one pool
  s = scenario(R"({"model":"llama-3-8b","hardware":{"gpu":"apple-m1","host_memory_bytes":17179869184}})");
  EXPECT_DOUBLE_EQ(s.gpu.memory_bytes, 0.6667 * 17179869184.0);  // ~10.92 GB, as ggml_metal_init logs
  // Without a RAM size: the machine's smallest option (M4 Max 40-core: 48 GiB -> 36 GiB).
  s = scenario(R"({"model":"llama-3-8b","hardware":{"gpu":"apple-m4-max-40c"}})");
  EXPECT_DOUBLE_EQ(s.gpu.memory_bytes, 0.75 * 51539607552.0);
  // iogpu.wired_limit_mb raised to 60 GiB.
  s = scenario(R"({"model":"llama-3-8b","hardware":{"gpu":"apple-m4-max-40c","host_memory_bytes":68719476736,
                   "gpu_memory_limit_bytes":64424509440}})");
  EXPECT_DOUBLE_EQ(s.gpu.memory_bytes, 64424509440.0);
  // DGX Spark: CUDA allocates from the whole 128 GB pool.
  EXPECT_DOUBLE_EQ(scenario(R"({"model":"llama-3-8b","hardware":{"gpu":"nvidia-dgx-spark"}})").gpu.memory_bytes,
                   137438953472.0);
}

TEST(UnifiedMemory, OffloadCopiesNothingOverPcie) {
  const Report r = run(R"({"model":"llama-3-8b","precision":{"weights":"fp16"},
      "hardware":{"gpu":"apple-m2-max","host_memory_bytes":34359738368},"offload":{"gpu_layers":17}})");
  ASSERT_EQ(r.devices.size(), 2u);
  const Phase* p = phase(r, "prefill");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->transfer_bytes, 0);
  // The RAM device holds what the GPU's share leaves of the pool: 32 GiB x (1 - 0.6667).
  EXPECT_DOUBLE_EQ(r.devices[1].capacity_bytes, 34359738368.0 - 0.6667 * 34359738368.0);
}

TEST(UnifiedMemory, BadLimitsNameTheirField) {
  auto e = errors_of(R"({"model":"llama-3-8b","hardware":{"gpu":"rtx-4090","gpu_memory_limit_bytes":1e10}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/hardware/gpu_memory_limit_bytes");
  EXPECT_EQ(e[0].code, "inconsistent");
  e = errors_of(R"({"model":"llama-3-8b","hardware":{"gpu":"apple-m1","host_memory_bytes":8589934592,
                    "gpu_memory_limit_bytes":1e10}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].code, "out_of_range");
  // Strix Halo's default share depends on the OS: the scenario must give it.
  e = errors_of(R"({"model":"llama-3-8b","hardware":{"gpu":"amd-ryzen-ai-max-395"}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/hardware/gpu_memory_limit_bytes");
  EXPECT_EQ(e[0].code, "missing_field");
}

}  // namespace
}  // namespace llmcalc::test
