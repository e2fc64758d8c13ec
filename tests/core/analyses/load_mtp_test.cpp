// options.load_mtp: the next-token-prediction layers join the weights and the parameter total
// only when asked for, as speculative-decoding engines load them; exact bytes by hand.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace llmcalc::test {
namespace {

// DeepSeek-V3 (h 7,168, V 129,280, 61 layers: 3 dense, 58 MoE; one MTP layer):
//   MLA attention 1536x7168 + 1536 + 24576x1536 + 576x7168 + 512 + 32768x512 + 7168x16384
//     = 187,107,328; layer norms 2 x 7,168 = 14,336
//   expert 3 x 7,168 x 2,048 = 44,040,192; 257 (256 routed + 1 shared) = 11,318,329,344
//   router 256 x 7,168 + 256 bias = 1,835,264
//   MoE layer 187,107,328 + 14,336 + 11,318,329,344 + 1,835,264 = 11,507,286,272
//   dense layer 187,107,328 + 14,336 + 3 x 7,168 x 18,432 = 583,483,392
//   main: 2 x 129,280 x 7,168 (embedding, head) + 7,168 (final norm) + 3 x 583,483,392
//     + 58 x 11,507,286,272 = 671,026,419,200
// The MTP layer as vLLM loads it with one pipeline stage: one MoE layer + eh_proj 2 x 7,168^2
// (102,760,448) + enorm, hnorm, shared_head.norm (21,504) + its shared_head.head (926,679,040);
// its embedding copy is shared with the main model: 12,536,747,264.
constexpr int64_t kMain = 671026419200;
constexpr int64_t kMtpLoaded = 12536747264;
constexpr int64_t kEmbedding = 129280LL * 7168;  // 926,679,040

const std::string kBase =
    R"("model":"deepseek-v3","precision":{"weights":"bf16"},"workload":{"prompt":1024,"generate":1})";

TEST(LoadMtp, OffByDefaultAsEnginesLoadTheModel) {
  const Report r = run("{" + kBase + "}");
  EXPECT_EQ(r.params.total, kMain);
  EXPECT_DOUBLE_EQ(item(r, "weights"), 2.0 * double(kMain));
}

TEST(LoadMtp, DeepSeekV3WeightsAndParamsIncludeTheMtpLayer) {
  static_assert(11507286272 + 102760448 + 21504 + kEmbedding == kMtpLoaded);
  const Report r = run("{" + kBase + R"(,"options":{"load_mtp":true}})");
  EXPECT_EQ(r.params.total, kMain + kMtpLoaded);  // 683,563,166,464
  // 2 B x 683,563,166,464 = 1,367,126,332,928.
  EXPECT_DOUBLE_EQ(item(r, "weights"), 1367126332928.0);
  // The weights formula shows the MTP layers as a term of their own.
  for (const auto& i : r.memory.items)
    if (i.id == "weights") EXPECT_NE(i.formula.find("MTP layer params"), std::string::npos) << i.formula;
  bool noted = false;
  for (const auto& n : r.notes) noted = noted || n.find("/options/load_mtp") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(LoadMtp, TensorParallelSplitsAllButEhProjAndVectors) {
  // tp 8: the MTP layer's matrices (attention 187,105,280 + experts 11,318,329,344 + head
  // 926,679,040 = 12,432,113,664) are split 8 ways: 1,554,014,208; the router (1,835,008 +
  // 256 bias), the norms (16,384 + 21,504) and vLLM's unsplit eh_proj (102,760,448) are on
  // every rank: 104,633,600. Per GPU 1,658,647,808 params, 3,317,295,616 B in bf16.
  const std::string tp = R"(,"parallelism":{"tp":8},"hardware":{"gpu":"h200","count":8})";
  const Report off = run("{" + kBase + tp + "}");
  const Report on = run("{" + kBase + tp + R"(,"options":{"load_mtp":true}})");
  EXPECT_DOUBLE_EQ(item(on, "weights") - item(off, "weights"), 3317295616.0);
}

TEST(LoadMtp, PipelineParallelLoadsTheEmbeddingCopyToo) {
  // pp > 1: vLLM loads the draft's own embed_tokens (eagle.py shares it only with one stage):
  // 683,563,166,464 + 926,679,040 = 684,489,845,504, every tensor the checkpoint stores.
  const Report r = run("{" + kBase +
                       R"(,"parallelism":{"pp":2},"hardware":{"gpu":"h200","count":2},"options":{"load_mtp":true}})");
  EXPECT_EQ(r.params.total, kMain + kMtpLoaded + kEmbedding);
}

TEST(LoadMtp, LlamaCppAndTrainingLeaveThemOut) {
  const Report cpp = run("{" + kBase + R"(,"engine":"llama.cpp","options":{"load_mtp":true}})");
  EXPECT_EQ(cpp.params.total, kMain);
  bool noted = false;
  for (const auto& n : cpp.notes) noted = noted || n.find("skip the MTP") != std::string::npos;
  EXPECT_TRUE(noted);
  const Report train = run(
      R"({"model":"deepseek-v3","mode":"training","options":{"load_mtp":true},"workload":{"seq":512}})");
  EXPECT_EQ(train.params.total, kMain);
}

TEST(LoadMtp, AModelWithoutMtpLayersIsUnchangedAndNoted) {
  const Report a = run(R"({"model":"llama-3.1-8b","options":{"load_mtp":true}})");
  const Report b = run(R"({"model":"llama-3.1-8b"})");
  EXPECT_EQ(a.params.total, b.params.total);
  EXPECT_DOUBLE_EQ(item(a, "weights"), item(b, "weights"));
  bool noted = false;
  for (const auto& n : a.notes) noted = noted || n.find("has no MTP layers") != std::string::npos;
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace llmcalc::test
