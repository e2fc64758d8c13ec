// llama.cpp's KV cache types (-ctk/-ctv): bytes per element from the ggml block table, and the
// flash-attention rule for a quantized V cache.
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"

namespace llmcalc::test {
namespace {

double kv(const std::string& type) {
  return item(run(R"({"model":"llama-3-8b","engine":"llama.cpp","engine_options":{"kv_cache_type":")" +
                  type + R"("}})"),
              "kv_cache");
}

TEST(LocalKv, EveryLlamaCppCacheTypeByItsBlock) {
  const double f16 = kv("f16");
  ASSERT_GT(f16, 0);
  // Bytes per element / 2 B of f16: q8_0 34/32, q4_0 18/32, q4_1 20/32, q5_0 22/32,
  // q5_1 24/32, iq4_nl 18/32 (ggml-common.h block sizes), bf16 2, f32 4.
  EXPECT_DOUBLE_EQ(kv("q8_0") / f16, 34.0 / 32 / 2);
  EXPECT_DOUBLE_EQ(kv("q4_0") / f16, 18.0 / 32 / 2);
  EXPECT_DOUBLE_EQ(kv("q4_1") / f16, 20.0 / 32 / 2);
  EXPECT_DOUBLE_EQ(kv("q5_0") / f16, 22.0 / 32 / 2);
  EXPECT_DOUBLE_EQ(kv("q5_1") / f16, 24.0 / 32 / 2);
  EXPECT_DOUBLE_EQ(kv("iq4_nl") / f16, 18.0 / 32 / 2);
  EXPECT_DOUBLE_EQ(kv("bf16") / f16, 1.0);
  EXPECT_DOUBLE_EQ(kv("f32") / f16, 2.0);
}

TEST(LocalKv, QuantizedVCacheNeedsFlashAttention) {
  auto e = errors_of(R"({"model":"llama-3-8b","engine":"llama.cpp","options":{"flash_attention":false},
                        "engine_options":{"kv_cache_type":"q8_0"}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/engine_options/kv_cache_type");
  EXPECT_EQ(e[0].code, "inconsistent");
  // f16 without flash attention is fine; an unknown type names the field.
  run(R"({"model":"llama-3-8b","engine":"llama.cpp","options":{"flash_attention":false}})");
  e = errors_of(R"({"model":"llama-3-8b","engine":"llama.cpp","engine_options":{"kv_cache_type":"q3_k"}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/engine_options/kv_cache_type");
}

}  // namespace
}  // namespace llmcalc::test
