// Warnings with the verdict (core/src/analyses/warnings.cpp): a context beyond the model's
// positions, a fit above 90% of capacity, and a cheaper change that fits, whose bytes are
// those of the changed scenario's own estimate.
#include <gtest/gtest.h>

#include <string>

#include "analyses/warnings.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

const Warning* find(const Report& r, const std::string& code) {
  for (const auto& w : r.warnings)
    if (w.code == code) return &w;
  return nullptr;
}

std::string inference(const std::string& model, const std::string& gpu, int batch, int prompt,
                      int generate, const std::string& weights = "bf16") {
  return R"({"model": ")" + model + R"(", "hardware": {"gpu": ")" + gpu +
         R"("}, "precision": {"weights": ")" + weights + R"("}, "workload": {"batch": )" +
         std::to_string(batch) + R"(, "prompt": )" + std::to_string(prompt) +
         R"(, "generate": )" + std::to_string(generate) + "}}";
}

std::string training(const std::string& finetune, const std::string& ckpt) {
  return R"({"model": "llama-2-7b", "mode": "training", "hardware": {"gpu": "rtx-4090"},
             "workload": {"batch": 4, "seq": 2048},
             "training": {"finetune": ")" + finetune + R"(", "checkpointing": ")" + ckpt + R"("}})";
}

TEST(Warnings, ContextBeyondMaxPositionEmbeddings) {
  // Llama 2 was trained on 4096 positions: 3840 + 256 = 4096 is within, 3841 + 256 is not.
  EXPECT_EQ(find(run(inference("llama-2-7b", "h100-sxm", 1, 3840, 256)), "context_beyond_max_positions"), nullptr);
  const Report r = run(inference("llama-2-7b", "h100-sxm", 1, 3841, 256));
  const Warning* w = find(r, "context_beyond_max_positions");
  ASSERT_NE(w, nullptr);
  EXPECT_NE(w->message.find("4097 tokens"), std::string::npos) << w->message;
  EXPECT_NE(w->message.find("(4096)"), std::string::npos) << w->message;
}

TEST(Warnings, NearCapacityExactlyWhenAFitIsAbove90Percent) {
  // Each 4096-token Llama 2 7B sequence adds 2 GiB of KV cache (4096 x 32 layers x 2 x 4096
  // x 2 B), so batches 1..40 on an 80 GB H100 cross 90% and then capacity.
  int near = 0, plain = 0, over = 0;
  for (int b = 1; b <= 40; ++b) {
    const Report r = run(inference("llama-2-7b", "h100-sxm", b, 3840, 256));
    const bool expected = r.memory.fits && r.memory.total_bytes > 0.9 * r.memory.capacity_bytes;
    EXPECT_EQ(find(r, "near_capacity") != nullptr, expected) << "batch " << b;
    near += expected;
    plain += r.memory.fits && !expected;
    over += !r.memory.fits;
  }
  EXPECT_GT(near, 0);
  EXPECT_GT(plain, 0);
  EXPECT_GT(over, 0);
}

TEST(Warnings, CheckpointingThatFitsIsSuggestedWithItsOwnTotal) {
  // QLoRA 7B on a 24 GB card without checkpointing does not fit; with it, it does.
  const Report none = run(training("qlora", "none"));
  ASSERT_FALSE(none.memory.fits);
  const Report full = run(training("qlora", "full"));
  ASSERT_TRUE(full.memory.fits);
  const Warning* w = find(none, "fits_with_checkpointing");
  ASSERT_NE(w, nullptr);
  EXPECT_DOUBLE_EQ(w->bytes, full.memory.total_bytes);
  EXPECT_TRUE(full.warnings.empty() || find(full, "fits_with_checkpointing") == nullptr);
  // QLoRA's base is already 4-bit: no weight quantization is suggested for it.
  EXPECT_EQ(find(none, "fits_with_int8_weights"), nullptr);
}

TEST(Warnings, Int8WeightsThatFitAreSuggestedForInference) {
  // Llama 2 13B in bf16 is 26 GB of weights: over a 24 GB card; int8 halves them.
  const Report bf16 = run(inference("llama-2-13b", "rtx-4090", 1, 1024, 256));
  ASSERT_FALSE(bf16.memory.fits);
  const Report int8 = run(inference("llama-2-13b", "rtx-4090", 1, 1024, 256, "int8"));
  ASSERT_TRUE(int8.memory.fits);
  const Warning* w = find(bf16, "fits_with_int8_weights");
  ASSERT_NE(w, nullptr);
  EXPECT_DOUBLE_EQ(w->bytes, int8.memory.total_bytes);
  EXPECT_NE(w->message.find("one GPU"), std::string::npos) << w->message;
  // Nothing cheaper fits 70B on one 24 GB card: no suggestion at all.
  const Report big = run(inference("llama-2-70b", "rtx-4090", 1, 1024, 256));
  EXPECT_EQ(find(big, "fits_with_int8_weights"), nullptr);
  EXPECT_EQ(find(big, "fits_with_int4_weights"), nullptr);
}

TEST(Warnings, NumbersOnlyEstimatesCarryNone) {
  const Report r = estimate(scenario(training("qlora", "none")), Detail::numbers);
  EXPECT_TRUE(r.warnings.empty());
}

// What an importer assumed comes with the report's notes: an unknown model_type is read as a
// llama-like decoder, and the estimate says so (it once said so only in import-hf-config).
TEST(ReportNotes, ImportAssumptionsReachTheEstimate) {
  const Report r = run(R"({"model": {"hf_config": {"model_type": "brand_new_lm", "hidden_size": 1024,
      "intermediate_size": 4096, "num_hidden_layers": 4, "num_attention_heads": 16,
      "vocab_size": 32000}}})");
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].rfind("/model: model_type \"brand_new_lm\" has no reader of its own", 0), 0u)
      << r.notes[0];
  // A preset has nothing assumed: no such note.
  for (const auto& n : run(R"({"model": "llama-2-7b"})").notes) EXPECT_NE(n.rfind("/model:", 0), 0u) << n;
}

}  // namespace
}  // namespace llmcalc::test
