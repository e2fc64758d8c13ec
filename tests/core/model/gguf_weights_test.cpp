// GGUF weights through the full estimate: precision.weights = a llama.cpp mix, each tensor typed
// by llama.cpp's recipe, against published llama-bench model sizes
// (tests/data/reference/gguf_sizes.json has each source).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "llmcalc/schema.hpp"
#include "model/gguf_types.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

constexpr double kMiB = 1048576.0;

double weights_of(const std::string& model, const std::string& mix) {
  const Report r = run(R"({"model":")" + model + R"(","precision":{"weights":")" + mix + R"("}})");
  EXPECT_FALSE(has_item(r, "quantization_scales")) << "GGUF scales live inside the blocks";
  return item(r, "weights");
}

// llama-bench prints model_size / 2^30 (or 2^20) with two decimals.
double rounded(double bytes, double unit) { return std::round(bytes / unit * 100.0) / 100.0; }

TEST(GgufWeights, Llama3_8BExactBytes) {
  // Same hand sum as GgufTypes.Llama3_8BMatchesLlamaBench: 4,912,898,048 B = 4.58 GiB and
  // 8,532,934,656 B = 7.95 GiB (llama-bench "llama 8B Q4_K - Medium" / "Q8_0").
  EXPECT_EQ(weights_of("llama-3-8b", "Q4_K_M"), 4912898048.0);
  EXPECT_EQ(weights_of("llama-3-8b", "Q8_0"), 8532934656.0);
}

struct Published {
  const char* preset;
  const char* mix;
  double size;  // as printed
  double unit;
};

TEST(GgufWeights, PublishedLlamaBenchSizes) {
  const Published cases[] = {
      {"llama-3-8b", "Q4_K_M", 4.58, kGiB},     {"llama-3-8b", "Q8_0", 7.95, kGiB},
      {"llama-3.1-8b", "Q5_K_M", 5.33, kGiB},   {"llama-3.1-70b", "Q4_K_M", 39.59, kGiB},
      {"llama-2-7b", "Q4_0", 3.56, kGiB},       {"llama-2-13b", "Q4_0", 6.86, kGiB},
      {"qwen2.5-7b", "Q4_K_M", 4.36, kGiB},     {"qwen2.5-7b", "Q8_0", 7.54, kGiB},
      {"llama-3.2-3b", "Q4_K_M", 1.87, kGiB},   {"llama-3.2-1b", "Q4_K_M", 762.81, kMiB},
      {"qwen3-8b", "Q4_K_M", 4.68, kGiB},       {"gemma-3-27b", "Q4_K_M", 15.40, kGiB},
      {"phi-4", "Q4_K_M", 8.43, kGiB},          {"phi-4", "Q6_K", 11.20, kGiB},
      {"phi-4", "Q8_0", 14.51, kGiB},
      // Hybrid and multimodal (stop 20): Mamba-2, DeltaNet, Gemma 3n per-layer embeddings, the
      // vision tower in an mmproj file (all 16-bit or counted before).
      {"nemotron-nano-9b-v2", "Q4_K_M", 6.07, kGiB}, {"nemotron-nano-9b-v2", "Q6_K", 8.50, kGiB},
      {"qwen3.5-9b", "Q8_0", 8.86, kGiB},        {"qwen3.5-35b-a3b", "Q8_0", 34.36, kGiB},
      {"gemma-3n-e4b", "Q8_0", 6.84, kGiB},
  };
  for (const auto& c : cases)
    EXPECT_EQ(rounded(weights_of(c.preset, c.mix), c.unit), c.size) << c.preset << " " << c.mix;
}

TEST(GgufWeights, Phi4FusesQkvAsLlamaCppStoresIt) {
  // Phi-3's checkpoints fuse q, k and v (qkv_proj) and the GGUF keeps one blk.N.attn_qkv.weight
  // of 5120 x (5120 + 2 x 1280) = 39,321,600 params per layer, typed as attn_v: Q6_K in the 20
  // use_more_bits layers of 40 (0-4, 35-39, 7, 10, ..., 34). Q6_K: output 100,352 x 5120 =
  // 513,802,240 + ffn_down 20 x 17920 x 5120 = 1,835,008,000 + attn_qkv 20 x 39,321,600 =
  // 786,432,000 = 3,135,242,240; F32 (norms) 414,720; Q4_K the other 14,659,507,200 - 3,135,242,240
  // - 414,720 = 11,523,850,240. Bytes: 11,523,850,240 x 144 / 256 + 3,135,242,240 x 210 / 256
  // + 414,720 x 4 = 6,482,165,760 + 2,571,878,400 + 1,658,880 = 9,055,703,040 (8.43 GiB, as
  // llama-bench prints it). With q, k and v apart (only v raised) it was 8,886,743,040 B = 8.28 GiB.
  EXPECT_EQ(weights_of("phi-4", "Q4_K_M"), 9055703040.0);
  // Falcon-H1 is not Falcon: its output takes Q6_K (Falcon's is Q8_0).
  const Report h1 = run(R"({"model":"falcon-h1-1.5b","precision":{"weights":"Q4_K_M"}})");
  for (const auto& i : h1.memory.items)
    if (i.kind == MemoryKind::weights) EXPECT_EQ(i.formula.find("Q8_0"), std::string::npos) << i.formula;
  const Report f = run(R"({"model":"falcon-7b","precision":{"weights":"Q4_K_M"}})");
  for (const auto& i : f.memory.items)
    if (i.kind == MemoryKind::weights) EXPECT_NE(i.formula.find("Q8_0"), std::string::npos) << i.formula;
}

TEST(GgufWeights, AMultimodalModelsFileHoldsItsTextModel) {
  // Qwen2.5-VL-7B's language model is Qwen2.5-7B's: its GGUF (the vision tower in a separate
  // mmproj file) weighs the same, 4.36 GiB as llama-bench prints Qwen2.5-7B's Q4_K_M.
  EXPECT_EQ(weights_of("qwen2.5-vl-7b", "Q4_K_M"), weights_of("qwen2.5-7b", "Q4_K_M"));
  const Report r = run(R"({"model":"qwen2.5-vl-7b","precision":{"weights":"Q4_K_M"}})");
  bool noted = false;
  for (const auto& n : r.notes) noted = noted || n.find("mmproj") != std::string::npos;
  EXPECT_TRUE(noted);
  // A safetensors checkpoint served whole keeps the tower in its weights.
  EXPECT_GT(item(run(R"({"model":"qwen2.5-vl-7b"})"), "weights"), item(run(R"({"model":"qwen2.5-7b"})"), "weights"));
}

TEST(GgufWeights, FormulaShowsTheMix) {
  const Report r = run(R"({"model":"llama-3-8b","precision":{"weights":"Q4_K_M"}})");
  const MemoryItem* w = nullptr;
  for (const auto& i : r.memory.items)
    if (i.kind == MemoryKind::weights) w = &i;
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->label, "Weights (GGUF Q4_K_M)");
  // Q4_K in most tensors, Q6_K in output and half of attn_v / ffn_down, F32 norms.
  EXPECT_NE(w->formula.find("Q4_K params x 144 B Q4_K block / 256 params per block"), std::string::npos)
      << w->formula;
  EXPECT_NE(w->formula.find("Q6_K params x 210 B"), std::string::npos) << w->formula;
  EXPECT_NE(w->formula.find("F32 params x 4 B"), std::string::npos) << w->formula;
  EXPECT_DOUBLE_EQ(evaluate(r.expressions, w->expression), w->bytes);
}

TEST(GgufWeights, SchemaNamesEqualTheData) {
  std::vector<std::string> schema;
  for (const auto& e : gguf_mix_names()) schema.emplace_back(e.name);
  EXPECT_EQ(schema, gguf::mix_names());
}

TEST(GgufWeights, BadInputNamesTheField) {
  auto e = errors_of(R"({"model":"llama-3-8b","precision":{"weights":"Q4_K_X"}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/precision/weights");
  EXPECT_EQ(e[0].code, "unknown_value");
  e = errors_of(R"({"model":"llama-3-8b","mode":"training","precision":{"weights":"Q4_K_M"}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/precision/weights");
  EXPECT_EQ(e[0].code, "inconsistent");
}

TEST(GgufWeights, MoeExpertsAreStackedPerLayer) {
  // MXFP4_MOE: routed experts MXFP4 (17 B / 32), everything else quantizable Q8_0.
  const Report r = run(R"({"model":"qwen3-30b-a3b","precision":{"weights":"MXFP4_MOE"}})");
  const double w = item(r, "weights");
  // Experts: 48 layers x 128 x 3 x 768 x 2048 = 28,991,029,248 params x 17 / 32.
  const double experts = 28991029248.0 * 17 / 32;
  EXPECT_GT(w, experts);
  EXPECT_LT(w, experts + 2.0 * kGiB);
}

}  // namespace
}  // namespace llmcalc::test
