// Presets released quantized carry their config.json's quantization_config: leaving the
// weights out prices the released checkpoint, naming a dtype prices that dtype.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmcalc/catalog.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

Report weights_of(const std::string& model, const std::string& precision = "") {
  return run(R"({"model":")" + model + R"(",)" + precision +
             R"("workload":{"batch":1,"prompt":100,"generate":1}})");
}

TEST(PresetQuantization, GptOss120bIsPricedInMxfp4) {
  const Report own = weights_of("gpt-oss-120b");
  // Experts: 36 layers x 128 x 3 matrices of 2,880 x 2,880 = 114,661,785,600 params at 4 bits
  // = 57,330,892,800 B; the other 116,829,156,672 - 114,661,785,600 = 2,167,371,072 params
  // (attention, router, embeddings, lm_head, norms, biases) in bf16 = 4,334,742,144 B;
  // 61,665,634,944 B in all (57.43 GiB). One E8M0 byte per 32 inputs: 13,824 matrices x
  // 2,880 rows x 90 = 3,583,180,800 B.
  EXPECT_DOUBLE_EQ(item(own, "weights"), 61665634944.0);
  EXPECT_DOUBLE_EQ(item(own, "quantization_scales"), 3583180800.0);
  // Naming bf16 prices every one of the 116,829,156,672 params at 2 B, with no scales.
  const Report bf16 = weights_of("gpt-oss-120b", R"("precision":{"weights":"bf16"},)");
  EXPECT_DOUBLE_EQ(item(bf16, "weights"), 116829156672.0 * 2);
  EXPECT_FALSE(has_item(bf16, "quantization_scales"));
}

TEST(PresetQuantization, DeepSeekV3IsPricedInBlockFp8) {
  const Report own = weights_of("deepseek-v3");
  // Converted (fp8, 1 B): attention per layer q_a 7,168 x 1,536 + q_b 1,536 x 24,576 + kv_a
  // 7,168 x 576 + kv_b 512 x 32,768 + o 16,384 x 7,168 = 187,105,280, x 61 = 11,413,422,080;
  // dense MLP 3 layers x 3 x 7,168 x 18,432 = 1,189,085,184; experts 58 layers x 257 (256
  // routed + 1 shared) x 3 x 7,168 x 2,048 = 656,463,101,952: 669,065,609,216.
  // bf16 (2 B): embedding + lm_head 2 x 129,280 x 7,168 = 1,853,358,080; routers 58 x 256 x
  // 7,168 = 106,430,464 + correction biases 14,848; norms 61 x 16,384 + 7,168 = 1,006,592:
  // 1,960,809,984 -> 3,921,619,968 B. Weights 672,987,229,184 B (626.77 GiB).
  EXPECT_DOUBLE_EQ(item(own, "weights"), 672987229184.0);
  // fp32 per 128 x 128 tile: per layer 56x12 + 12x192 + 56x5 + 4x256 + 128x56 = 11,448 tiles
  // (x 61 = 698,328); dense 3 x 3 x 56 x 144 = 72,576; experts 58 x 257 x 3 x 56 x 16 =
  // 40,067,328: 40,838,232 tiles x 4 B = 163,352,928 B.
  EXPECT_DOUBLE_EQ(item(own, "quantization_scales"), 163352928.0);
  // bf16: 671,026,419,200 params (669,065,609,216 + 1,960,809,984) x 2 B.
  const Report bf16 = weights_of("deepseek-v3", R"("precision":{"weights":"bf16"},)");
  EXPECT_DOUBLE_EQ(item(bf16, "weights"), 671026419200.0 * 2);
  EXPECT_FALSE(has_item(bf16, "quantization_scales"));
}

TEST(PresetQuantization, TheQuantizedReleases) {
  // gpt-oss (3), DeepSeek V3 / R1 / V3.1 / V3.2, Kimi K2 and K2 Thinking, MiniMax M2; each
  // file's notes cite where its quantization_config comes from.
  std::vector<std::string> quantized;
  for (const ModelPreset& p : model_presets())
    if (p.spec.quantization) quantized.push_back(p.spec.id + " " + p.spec.quantization->method);
  EXPECT_EQ(quantized, (std::vector<std::string>{
                           "deepseek-r1 fp8", "deepseek-v3.1 fp8", "deepseek-v3.2 fp8",
                           "deepseek-v3 fp8", "gpt-oss-120b mxfp4", "gpt-oss-20b mxfp4",
                           "gpt-oss-safeguard-20b mxfp4", "kimi-k2-thinking compressed-tensors",
                           "kimi-k2 fp8", "minimax-m2 fp8"}));
  const ModelPreset* llama = find_model("llama-3.1-8b");  // a bf16 release stays unquantized
  ASSERT_NE(llama, nullptr);
  EXPECT_FALSE(llama->spec.quantization.has_value());
}

}  // namespace
}  // namespace llmcalc::test
