// options.load_mtp as speculative decoding: the MTP layers' own KV cache (vLLM allocates it for
// the draft's attention layers) and the decode speed from the draft length and the acceptance
// rate. Bytes and tokens per step by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"

namespace llmcalc::test {
namespace {

const std::string kV3 =
    R"("model":"deepseek-v3","hardware":{"gpu":"h200","count":8},)"
    R"("parallelism":{"tp":8},"workload":{"prompt":1024,"generate":64})";

std::string with(const std::string& base, const std::string& options) {
  return "{" + base + R"(,"options":{)" + options + "}}";
}

std::string formula(const Report& r, const std::string& id) {
  for (const auto& i : r.memory.items)
    if (i.id == id) return i.formula;
  return "";
}

bool noted(const Report& r, const std::string& text) {
  for (const auto& n : r.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

TEST(SpeculativeDecoding, DeepSeekV3MtpLayerHoldsItsOwnMlaCache) {
  // MLA caches kv_lora_rank 512 + rope 64 = 576 elements per token per layer on every tp rank;
  // 1,024 + 64 = 1,088 tokens, bf16: 61 layers 576 x 61 x 1,088 x 2 = 76,455,936 B; with the
  // MTP layer 62 layers: 77,709,312 B (one layer more: 1,253,376 B).
  const Report off = run("{" + kV3 + "}");
  const Report on = run(with(kV3, R"("load_mtp":true)"));
  EXPECT_DOUBLE_EQ(item(off, "kv_cache"), 576.0 * 61 * 1088 * 2);
  EXPECT_DOUBLE_EQ(item(on, "kv_cache"), 77709312.0);
  EXPECT_DOUBLE_EQ(item(on, "kv_cache") - item(off, "kv_cache"), 1253376.0);
  EXPECT_NE(formula(on, "kv_cache").find("MTP layers (draft)"), std::string::npos) << formula(on, "kv_cache");
  // llama.cpp never loads the MTP layers: no draft, no cache for it.
  const std::string cpp = R"("model":"deepseek-v3","engine":"llama.cpp","workload":{"prompt":1024,"generate":64})";
  EXPECT_DOUBLE_EQ(item(run(with(cpp, R"("load_mtp":true)")), "kv_cache"), item(run("{" + cpp + "}"), "kv_cache"));
}

TEST(SpeculativeDecoding, HybridPlanGivesTheMtpLayerTheFullAttentionGeometry) {
  // Qwen3.5-9B: 8 full-attention layers of 4 KV heads x (256 + 256), 24 Gated DeltaNet layers
  // (constant state, not KV). 1,088 tokens in bf16: 2,048 x 1,088 x 2 = 4,456,448 B a layer;
  // 8 layers 35,651,584 B; the MTP layer (a full-attention layer) one more: 40,108,032 B.
  const std::string q = R"("model":"qwen3.5-9b","workload":{"prompt":1024,"generate":64})";
  const Report off = run("{" + q + "}");
  const Report on = run(with(q, R"("load_mtp":true)"));
  EXPECT_DOUBLE_EQ(item(off, "kv_cache"), 35651584.0);
  EXPECT_DOUBLE_EQ(item(on, "kv_cache"), 40108032.0);
  EXPECT_DOUBLE_EQ(item(on, "recurrent_state"), item(off, "recurrent_state"));
}

TEST(SpeculativeDecoding, TokensPerStepDivideTheVerifyStep) {
  // k = 1 (one MTP layer), acceptance 0.85 (default): (1 - 0.85^2) / (1 - 0.85) = 1.85 tokens
  // per step, so each output token costs the verify step / 1.85.
  const Report on = run(with(kV3, R"("load_mtp":true)"));
  for (const char* id : {"decode_first", "decode_last"}) {
    const Phase* p = phase(on, id);
    ASSERT_NE(p, nullptr);
    const double step = std::max(p->compute_s, p->memory_s) + p->elementwise_s + p->comm_s + p->overhead_s;
    EXPECT_NEAR(p->time_s * 1.85, step, 1e-12 * step) << id;
    EXPECT_NE(p->formula.find("acceptance_rate"), std::string::npos) << p->formula;
  }
  // k = 3, acceptance 0.8: (1 - 0.8^4) / 0.2 = 0.5904 / 0.2 = 2.952.
  const Report k3 = run(with(kV3, R"("load_mtp":true,"speculative_tokens":3,"acceptance_rate":0.8)"));
  const Phase* p = phase(k3, "decode_first");
  ASSERT_NE(p, nullptr);
  const double step = std::max(p->compute_s, p->memory_s) + p->elementwise_s + p->comm_s + p->overhead_s;
  EXPECT_NEAR(p->time_s * 2.952, step, 1e-12 * step);
  // All accepted: k + 1 = 4 tokens per step.
  const Phase* all = phase(run(with(kV3, R"("load_mtp":true,"speculative_tokens":3,"acceptance_rate":1)")), "decode_first");
  ASSERT_NE(all, nullptr);
  EXPECT_NEAR(all->time_s * 4.0, std::max(all->compute_s, all->memory_s) + all->elementwise_s + all->comm_s + all->overhead_s,
              1e-12 * all->time_s * 4.0);
}

TEST(SpeculativeDecoding, TheVerifyStepRunsKPlusOneTokensAndTheDrafts) {
  // Batch 1, k = 1: the target runs 2 tokens (twice the matmul and attention FLOPs of a plain
  // step) and the draft one MTP pass: 2 x (one MoE layer's active weights 187,107,328 + 14,336
  // + 9 x 44,040,192 + 1,835,264 = 585,318,656, eh_proj 102,760,448, norms 21,504, its head
  // 926,679,040) = 2 x 1,614,779,648 = 3,229,559,296 FLOPs, over tp 8 = 403,694,912; its
  // attention is the model's mean layer (the plain step's attention / 61).
  const Report off = run("{" + kV3 + "}");
  const Report on = run(with(kV3, R"("load_mtp":true)"));
  const Phase* a = phase(off, "decode_first");
  const Phase* b = phase(on, "decode_first");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const double draft = b->flops - 2.0 * a->flops - a->attention_flops / 61.0;
  EXPECT_NEAR(draft, 3229559296.0 / 8.0, 1.0);
  EXPECT_NEAR(b->attention_flops, a->attention_flops * (2.0 + 1.0 / 61.0), 1e-6 * b->attention_flops);
  // Throughput follows the per-token time. At batch 1 the step is memory-bound, but the second
  // token routes to experts of its own (256 x (1 - (1 - 8/256)^2) = 15.75 touched, not 8), so
  // the verify step reads more than a plain one and the gain stays under 1.85x.
  EXPECT_GT(on.latency.tokens_per_s_per_sequence, off.latency.tokens_per_s_per_sequence);
  EXPECT_LT(on.latency.tokens_per_s_per_sequence, 1.85 * off.latency.tokens_per_s_per_sequence);
  EXPECT_GT(b->bytes, a->bytes);
  EXPECT_NEAR(on.latency.decode_first_s, b->time_s, 0);
  EXPECT_TRUE(noted(on, "run as the speculative draft"));
}

TEST(SpeculativeDecoding, DraftOptionsWithoutALoadedDraftAreNoted) {
  const Report r = run(with(kV3, R"("speculative_tokens":2)"));
  EXPECT_TRUE(noted(r, "no MTP draft is loaded"));
  const Report plain = run("{" + kV3 + "}");
  EXPECT_DOUBLE_EQ(r.latency.decode_total_s, plain.latency.decode_total_s);
  EXPECT_FALSE(noted(plain, "no MTP draft is loaded"));
  // Out of range: a field error naming the pointer.
  EXPECT_FALSE(errors_of(with(kV3, R"("load_mtp":true,"acceptance_rate":1.5)")).empty());
  EXPECT_FALSE(errors_of(with(kV3, R"("load_mtp":true,"speculative_tokens":17)")).empty());
}

}  // namespace
}  // namespace llmcalc::test
