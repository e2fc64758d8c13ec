// The analyses on per-layer plans: one KV term per cache kind, the recurrent / SSM state as
// its own item constant in the context, and the checkpoint's own weight formats.
#include <gtest/gtest.h>

#include "hf_fixtures.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

std::string fixture_text(std::string_view name) {
  for (const auto& f : hf_fixtures())
    if (f.name == name) return std::string(f.text);
  ADD_FAILURE() << name;
  return "{}";
}

TEST(HybridMemory, GptOss20bKvAtEightAndSixtyFourThousandTokens) {
  // 12 full layers x 1,024 elements x 8,192 tokens x 2 B = 201,326,592; 12 sliding layers x
  // 1,024 x 128 x 2 = 3,145,728.
  const Report r8 = run(R"({"model":"gpt-oss-20b","workload":{"batch":1,"prompt":8191,"generate":1}})");
  EXPECT_DOUBLE_EQ(item(r8, "kv_cache"), 201326592.0 + 3145728.0);
  // 64k: only the full layers grow (x 8).
  const Report r64 = run(R"({"model":"gpt-oss-20b","workload":{"batch":1,"prompt":65535,"generate":1}})");
  EXPECT_DOUBLE_EQ(item(r64, "kv_cache"), 8 * 201326592.0 + 3145728.0);
  EXPECT_FALSE(has_item(r64, "recurrent_state"));
}

TEST(HybridMemory, Qwen3NextStateIsItsOwnConstantItem) {
  // 12 full layers x 1,024 x 4,097 tokens x 2 sequences x 2 B = 201,375,744.
  const Report a = run(R"({"model":"qwen3-next-80b-a3b","workload":{"batch":2,"prompt":4096,"generate":1}})");
  EXPECT_DOUBLE_EQ(item(a, "kv_cache"), 201375744.0);
  // 36 DeltaNet layers x (524,288 + 24,576) x 2 B x 2 sequences = 79,036,416, at any context.
  EXPECT_DOUBLE_EQ(item(a, "recurrent_state"), 79036416.0);
  const Report b = run(R"({"model":"qwen3-next-80b-a3b","workload":{"batch":2,"prompt":65536,"generate":1}})");
  EXPECT_DOUBLE_EQ(item(b, "recurrent_state"), 79036416.0);
  // Tensor parallelism splits the state's heads: tp 2 halves it.
  const Report t = run(R"({"model":"qwen3-next-80b-a3b","parallelism":{"tp":2},
      "workload":{"batch":2,"prompt":4096,"generate":1}})");
  EXPECT_DOUBLE_EQ(item(t, "recurrent_state"), 79036416.0 / 2);
}

TEST(HybridMemory, NemotronStateInFloat32FromTheConfig) {
  std::string config = fixture_text("nemotron-nano-9b-v2");
  config.insert(config.rfind('}'), R"(, "mamba_ssm_cache_dtype": "float32")");
  const Report r = run(R"({"model":{"hf_config":)" + config +
                       R"(},"workload":{"batch":1,"prompt":1000,"generate":1}})");
  // 27 x (1,310,720 x 4 B + 36,864 x 2 B) = 143,548,416 B; KV: 4 layers x 2,048 x 1,001 x 2 B.
  EXPECT_DOUBLE_EQ(item(r, "recurrent_state"), 143548416.0);
  EXPECT_DOUBLE_EQ(item(r, "kv_cache"), 4.0 * 2048 * 1001 * 2);
}

TEST(HybridMemory, CheckpointFormatsUnlessTheScenarioNamesADtype) {
  const std::string config = fixture_text("gpt-oss-20b");
  const Report own = run(R"({"model":{"hf_config":)" + config + R"(},"workload":{"batch":1,"prompt":100,"generate":1}})");
  // 19,110,297,600 mxfp4 params x 0.5 B + 1,804,459,584 bf16 params x 2 B = 13,164,067,968 B;
  // E8M0 scales 597,196,800 B.
  EXPECT_DOUBLE_EQ(item(own, "weights"), 13164067968.0);
  EXPECT_DOUBLE_EQ(item(own, "quantization_scales"), 597196800.0);
  const Report bf16 = run(R"({"model":{"hf_config":)" + config +
                          R"(},"precision":{"weights":"bf16"},"workload":{"batch":1,"prompt":100,"generate":1}})");
  EXPECT_DOUBLE_EQ(item(bf16, "weights"), 20914757184.0 * 2);
}

TEST(HybridMemory, UniformModelsKeepTheirNumbers) {
  // Gemma 3 27B has no explicit plan: the KV item is the pre-plan formula (goldens cover the
  // rest). 10 global layers x 16 x 256 x 2 B per token beyond the 1,024 window.
  const Report a = run(R"({"model":"gemma-3-27b","workload":{"batch":1,"prompt":4095,"generate":1}})");
  const Report b = run(R"({"model":"gemma-3-27b","workload":{"batch":1,"prompt":4096,"generate":1}})");
  EXPECT_DOUBLE_EQ(item(b, "kv_cache") - item(a, "kv_cache"), 10.0 * 16 * 256 * 2);
  EXPECT_FALSE(has_item(a, "recurrent_state"));
}

// Phi-4-mini-flash's Mamba layers are Mamba-1 (mamba.dt_rank > 0): they share the mamba2
// kind's state arithmetic, and the formula names them as what they are. 9 layers x (81,920 state
// + 15,360 conv elements) x 2 B bf16 = 1,751,040 B for one sequence.
TEST(HybridMemory, MambaOneLayersNamedInTheStateFormula) {
  const Report r = run(R"({"model": "phi-4-mini-flash-reasoning"})");
  EXPECT_DOUBLE_EQ(item(r, "recurrent_state"), 1751040.0);
  for (const auto& i : r.memory.items)
    if (i.id == "recurrent_state") {
      EXPECT_NE(i.formula.find("9 mamba1 layers"), std::string::npos) << i.formula;
      EXPECT_EQ(i.formula.find("mamba2"), std::string::npos) << i.formula;
    }
}

}  // namespace
}  // namespace llmcalc::test
