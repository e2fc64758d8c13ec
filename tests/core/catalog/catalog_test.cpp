// The embedded catalogs load cleanly and hold what the issues require.
#include <gtest/gtest.h>

#include "llmcalc/catalog.hpp"

namespace llmcalc::test {
namespace {

TEST(Catalog, LoadsWithoutErrors) {
  for (const auto& e : catalog_errors()) ADD_FAILURE() << e.path << " " << e.code << ": " << e.message;
  EXPECT_GE(model_presets().size(), 40u);
}

TEST(Catalog, RequiredGpusWithSourcedNumbers) {
  for (const char* id : {"a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h100-nvl", "h200", "b200",
                         "l4", "l40s", "a10g", "t4", "v100-16gb", "v100-32gb", "rtx-3060-12gb",
                         "rtx-3090", "rtx-4090", "rtx-5090", "rtx-a6000", "mi300x"}) {
    const GpuPreset* g = find_gpu(id);
    ASSERT_NE(g, nullptr) << id;
    EXPECT_GT(g->gpu.memory_bytes, 8e9) << id;
    EXPECT_GT(g->gpu.memory_bandwidth_bytes_per_s, 1e11) << id;
    EXPECT_GT(g->gpu.peak(Dtype::fp32), 1e12) << id;
    EXPECT_GT(g->gpu.matmul_peak(Dtype::bf16), 1e12) << id;
    EXPECT_FALSE(g->memory_source.empty()) << id;
    EXPECT_FALSE(g->flops_source.empty()) << id;
    EXPECT_FALSE(g->bandwidth_source.empty()) << id;
  }
}

TEST(Catalog, DatasheetSpotChecks) {
  // NVIDIA H100 SXM datasheet: 3.35 TB/s, 989 TFLOPS dense bf16; A100: 312 TFLOPS bf16.
  EXPECT_DOUBLE_EQ(find_gpu("h100-sxm")->gpu.memory_bandwidth_bytes_per_s, 3.35e12);
  EXPECT_NEAR(find_gpu("h100-sxm")->gpu.peak(Dtype::bf16), 989e12, 1e12);
  EXPECT_NEAR(find_gpu("a100-80gb")->gpu.peak(Dtype::bf16), 312e12, 1e12);
  // V100 has no bf16 units: bf16 matmuls run at its fp32 rate.
  EXPECT_EQ(find_gpu("v100-32gb")->gpu.peak(Dtype::bf16), 0);
  EXPECT_EQ(find_gpu("v100-32gb")->gpu.matmul_peak(Dtype::bf16), find_gpu("v100-32gb")->gpu.peak(Dtype::fp32));
}

TEST(Catalog, EveryModelCitesItsSource) {
  for (const auto& m : model_presets()) {
    EXPECT_FALSE(m.config_source.empty()) << m.spec.id;
    EXPECT_FALSE(m.params_source.empty()) << m.spec.id;
    EXPECT_GT(m.spec.published_params, 0) << m.spec.id;
  }
}

}  // namespace
}  // namespace llmcalc::test
