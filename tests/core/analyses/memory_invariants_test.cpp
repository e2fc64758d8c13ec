// Properties every estimate must keep, whatever the model.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"

namespace llmcalc::test {
namespace {

std::string inf(const std::string& model, int batch, int prompt, const std::string& extra = "") {
  return R"({"model":")" + model + R"(","workload":{"batch":)" + std::to_string(batch) +
         R"(,"prompt":)" + std::to_string(prompt) + R"(,"generate":128})" + extra + "}";
}

std::string train(const std::string& model, const std::string& training, const std::string& extra = "") {
  return R"({"model":")" + model + R"(","mode":"training","workload":{"batch":2,"seq":2048},)" +
         R"("training":)" + training + extra + "}";
}

TEST(Invariants, MemoryGrowsWithBatchAndSequence) {
  for (const char* m : {"llama-2-7b", "mixtral-8x7b", "gemma-2-9b", "deepseek-v3", "gpt2-xl"}) {
    EXPECT_LT(run(inf(m, 1, 1024)).memory.total_bytes, run(inf(m, 2, 1024)).memory.total_bytes) << m;
    EXPECT_LT(run(inf(m, 1, 1024)).memory.total_bytes, run(inf(m, 1, 2048)).memory.total_bytes) << m;
  }
  const auto t = [](int b, int s) {
    return run(R"({"model":"llama-3-8b","mode":"training","workload":{"batch":)" + std::to_string(b) +
               R"(,"seq":)" + std::to_string(s) + "}}").memory.total_bytes;
  };
  EXPECT_LT(t(1, 1024), t(2, 1024));
  EXPECT_LT(t(1, 1024), t(1, 2048));
}

TEST(Invariants, ZeroStagesShardMore) {
  double prev = 0;
  for (int stage = 3; stage >= 0; --stage) {
    const Report r = run(train("llama-2-7b", R"({"zero_stage":)" + std::to_string(stage) + "}",
                               R"(,"parallelism":{"dp":8})"));
    EXPECT_GT(r.memory.total_bytes, prev) << "stage " << stage;  // ZeRO-3 < 2 < 1 < 0
    prev = r.memory.total_bytes;
  }
}

TEST(Invariants, WeightBytesOrderedByPrecision) {
  auto w = [](const std::string& dt) {
    const Report r = run(R"({"model":"llama-2-7b","precision":{"weights":")" + dt + R"("}})");
    return item(r, "weights") + item(r, "quantization_scales");
  };
  EXPECT_LT(w("int4"), w("int8"));
  EXPECT_LT(w("int8"), w("bf16"));
  EXPECT_LT(w("bf16"), w("fp32"));
  EXPECT_LT(w("nf4"), w("int8"));
}

TEST(Invariants, GqaKvIsMhaKvTimesKvHeadsOverHeads) {
  // Llama-3-8B (8 of 32 heads) against the same architecture with 32 KV heads.
  const std::string arch = R"({"vocab_size":128256,"hidden_size":4096,"num_layers":32,"num_heads":32,
      "intermediate_size":14336,"num_kv_heads":)";
  const Report gqa = run(R"({"model":{"architecture":)" + arch + "8}}}");
  const Report mha = run(R"({"model":{"architecture":)" + arch + "32}}}");
  EXPECT_DOUBLE_EQ(item(gqa, "kv_cache"), item(mha, "kv_cache") * 8.0 / 32.0);
  EXPECT_DOUBLE_EQ(item(run(R"({"model":"llama-3-8b"})"), "kv_cache"), item(gqa, "kv_cache"));
}

TEST(Invariants, MlaKvFarBelowMha) {
  // DeepSeek-V3 caches 512 + 64 values per token per layer instead of 2 x 128 heads x 192.
  const Report mla = run(inf("deepseek-v3", 1, 4096));
  const double per_token_layer = item(mla, "kv_cache") / (4096.0 + 128) / 61 / 2;  // bf16
  EXPECT_DOUBLE_EQ(per_token_layer, 576.0);
  EXPECT_LT(per_token_layer * 20, 2.0 * 128 * 192);
}

TEST(Invariants, SlidingWindowCapsKvOfWindowedLayers) {
  const Report small = run(inf("mistral-7b-v0.1", 1, 2048));
  const Report big = run(inf("mistral-7b-v0.1", 1, 32768));
  // Every layer is windowed at 4096 tokens: the cache stops growing past the window.
  EXPECT_DOUBLE_EQ(item(big, "kv_cache"), 2.0 * 8 * 128 * 32 * 4096 * 2);
  EXPECT_LT(item(small, "kv_cache"), item(big, "kv_cache"));
  // Gemma 2: half the layers are global, so the cache keeps growing, but slower.
  const double g1 = item(run(inf("gemma-2-9b", 1, 16384)), "kv_cache");
  const double g2 = item(run(inf("gemma-2-9b", 1, 32768)), "kv_cache");
  EXPECT_GT(g2, g1);
  EXPECT_LT(g2, 2 * g1);
}

TEST(Invariants, CheckpointingLowersActivations) {
  for (const char* method : {"detailed", "korthikanti", "seed"}) {
    const std::string opts = std::string(R"(,"options":{"activation_method":")") + method + "\"}";
    const double none = item(run(train("llama-2-7b", R"({"checkpointing":"none"})", opts)), "activations");
    const double full = item(run(train("llama-2-7b", R"({"checkpointing":"full"})", opts)), "activations");
    EXPECT_LT(full, none) << method;
    if (std::string(method) != "seed") {
      const double sel = item(run(train("llama-2-7b", R"({"checkpointing":"selective"})",
                                        opts + R"(,"precision":{"activations":"bf16"})")),
                              "activations");
      EXPECT_LE(sel, none) << method;
      EXPECT_LT(full, sel) << method;
    }
  }
}

TEST(Invariants, EagerAttentionAddsScoreMatrix) {
  const std::string eager = R"(,"options":{"flash_attention":false})";
  EXPECT_GT(item(run(train("llama-2-7b", "{}", eager)), "activations"),
            item(run(train("llama-2-7b", "{}")), "activations"));
  // Selective recomputation drops exactly the score matrix eager attention added (MHA, so
  // no repeat_kv expansion either).
  EXPECT_DOUBLE_EQ(item(run(train("llama-2-7b", R"({"checkpointing":"selective"})", eager)), "activations"),
                   item(run(train("llama-2-7b", "{}")), "activations"));
}

TEST(Invariants, GradientAccumulationKeepsMicroBatchMemory) {
  const double one = run(train("llama-2-7b", "{}")).memory.total_bytes;
  const double eight = run(R"({"model":"llama-2-7b","mode":"training","workload":{"batch":2,"seq":2048,"grad_accum":8}})")
                           .memory.total_bytes;
  EXPECT_DOUBLE_EQ(one, eight);
}

TEST(Invariants, TensorParallelShardsWeightsAndKv) {
  const Report one = run(inf("llama-2-70b", 1, 4096));
  const Report four = run(inf("llama-2-70b", 1, 4096, R"(,"parallelism":{"tp":4})"));
  EXPECT_NEAR(item(four, "weights") / item(one, "weights"), 0.25, 0.01);
  EXPECT_DOUBLE_EQ(item(four, "kv_cache"), item(one, "kv_cache") / 4);  // 8 KV heads / 4
  // With more ranks than KV heads, each rank keeps one head (replication).
  const Report sixteen = run(R"({"model":"llama-2-70b","hardware":{"count":16},"parallelism":{"tp":16}})");
  const Report eight = run(R"({"model":"llama-2-70b","parallelism":{"tp":8}})");
  EXPECT_DOUBLE_EQ(item(sixteen, "kv_cache"), item(eight, "kv_cache"));
}

TEST(Invariants, PipelineSplitsLayers) {
  const Report one = run(train("llama-2-7b", "{}"));
  const Report four = run(train("llama-2-7b", "{}", R"(,"parallelism":{"pp":4})"));
  EXPECT_LT(item(four, "weights"), item(one, "weights") / 3);
  EXPECT_GT(item(four, "weights"), item(one, "weights") / 5);
}

TEST(Invariants, LoraTrainsFewParamsAndQloraQuantizesTheBase) {
  const Report full = run(train("llama-2-7b", "{}"));
  const Report lora = run(train("llama-2-7b", R"({"finetune":"lora","lora":{"rank":16}})"));
  const Report qlora = run(train("llama-2-7b", R"({"finetune":"qlora","lora":{"rank":16}})"));
  // Rank 16 on all 7 linear projections of 32 layers: 16 x (in + out) each.
  const double expected = 32.0 * 16 * (4 * (4096 + 4096) + 3 * (4096 + 11008));
  EXPECT_EQ(lora.params.trainable, static_cast<int64_t>(expected));
  EXPECT_DOUBLE_EQ(item(lora, "lora_adapters"), expected * 4);
  EXPECT_LT(lora.memory.total_bytes, full.memory.total_bytes / 2);
  EXPECT_LT(item(qlora, "weights"), item(lora, "weights") / 3);
  EXPECT_GT(item(qlora, "quantization_scales"), 0);
  EXPECT_FALSE(has_item(lora, "master_weights"));
}

TEST(Invariants, OptimizerStateBytes) {
  auto opt = [](const std::string& o) {
    return item(run(train("llama-2-7b", R"({"optimizer":")" + o + "\"}")), "optimizer_states");
  };
  const double P = 6738415616.0;
  EXPECT_DOUBLE_EQ(opt("adamw"), P * 8);
  EXPECT_DOUBLE_EQ(opt("sgd"), 0);
  EXPECT_DOUBLE_EQ(opt("lion"), P * 4);
  EXPECT_DOUBLE_EQ(opt("sgd-momentum"), P * 4);
  EXPECT_NEAR(opt("adamw-8bit") / P, 2.0, 0.01);
  EXPECT_LT(opt("adafactor"), P * 0.01 * 4);  // factored: rows + cols per matrix
}

TEST(Invariants, LogitsForAllPositionsCostMore) {
  const double last = item(run(inf("llama-3-8b", 1, 4096)), "logits");
  const double all = item(run(inf("llama-3-8b", 1, 4096, R"(,"options":{"logits":"all"})")), "logits");
  EXPECT_DOUBLE_EQ(all, 4096 * 128256.0 * 2 + 128256.0 * 4);  // bf16 rows + fp32 last row
  EXPECT_DOUBLE_EQ(last, 128256.0 * (2 + 4));
}

TEST(Invariants, PagedKvRoundsUpToBlocks) {
  const double plain = item(run(inf("llama-2-7b", 1, 1000)), "kv_cache");
  const double paged = item(run(inf("llama-2-7b", 1, 1000, R"(,"options":{"kv_page_tokens":16})")), "kv_cache");
  // 1000 + 128 = 1128 tokens -> 71 blocks of 16 = 1136 tokens.
  EXPECT_DOUBLE_EQ(paged, plain / 1128 * 1136);
}

TEST(Invariants, NoItemIsNegativeOrNonFinite) {
  for (const char* m : {"llama-2-7b", "mixtral-8x22b", "deepseek-v3", "gemma-3-27b", "gpt2", "falcon-7b"}) {
    for (const Report& r : {run(inf(m, 3, 777)), run(train(m, R"({"finetune":"lora"})"))}) {
      for (const auto& i : r.memory.items) {
        EXPECT_TRUE(std::isfinite(i.bytes)) << m << " " << i.id;
        EXPECT_GE(i.bytes, 0) << m << " " << i.id;
        EXPECT_FALSE(i.formula.empty()) << m << " " << i.id;
      }
    }
  }
}

}  // namespace
}  // namespace llmcalc::test
