// The GGUF block table and llama.cpp's quantization mixes (core/data/gguf_types.json) against
// published llama-bench model sizes (tests/data/reference/gguf_sizes.json has the citations).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/gguf_types.hpp"

namespace llmcalc::test {
namespace {

using gguf::QuantModel;
using gguf::QuantTensor;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

int type_id(const char* name) {
  const gguf::TypeInfo* t = gguf::find_type(name);
  EXPECT_NE(t, nullptr) << name;
  return t ? t->id : -1;
}

TEST(GgufTypes, DataLoadsWithoutErrors) {
  for (const auto& e : gguf::data_errors()) ADD_FAILURE() << e.path << " " << e.code << ": " << e.message;
  EXPECT_GE(gguf::types().size(), 30u);
  for (const char* mix : {"F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_0", "Q5_1", "Q4_K_M",
                          "Q4_K_S", "Q4_0", "Q4_1", "IQ4_XS", "IQ4_NL", "Q3_K_L", "Q3_K_M", "Q3_K_S",
                          "IQ3_M", "IQ3_S", "IQ3_XS", "IQ3_XXS", "Q2_K", "Q2_K_S", "IQ2_M", "IQ2_S",
                          "IQ2_XS", "IQ2_XXS", "IQ1_M", "IQ1_S", "TQ1_0", "TQ2_0", "MXFP4_MOE"})
    EXPECT_NE(gguf::find_mix(mix), nullptr) << mix;
}

TEST(GgufTypes, BlockSizesFromGgmlCommon) {
  // ggml-common.h: block_q4_K = 2 halves + 12 scale bytes + 256/2 nibbles = 144 B / 256 elements.
  const auto* q4k = gguf::find_type("Q4_K");
  ASSERT_NE(q4k, nullptr);
  EXPECT_EQ(q4k->id, 12);
  EXPECT_EQ(q4k->block_elements, 256);
  EXPECT_EQ(q4k->block_bytes, 144);
  // block_q8_0 = 1 half + 32 int8 = 34 B / 32; block_q6_K = 128 + 64 + 16 + 2 = 210 B / 256.
  EXPECT_EQ(gguf::find_type("Q8_0")->block_bytes, 34);
  EXPECT_EQ(gguf::find_type("Q6_K")->block_bytes, 210);
  // block_tq1_0 = 2 + 4 + (256 - 16) / 5 = 54 B; block_mxfp4 = 1 + 16 = 17 B / 32.
  EXPECT_EQ(gguf::find_type("TQ1_0")->block_bytes, 54);
  EXPECT_EQ(gguf::find_type("MXFP4")->block_bytes, 17);
  EXPECT_EQ(gguf::find_type(39)->name, "MXFP4");
  EXPECT_EQ(gguf::find_type(4), nullptr);  // Q4_2, removed from ggml
}

TEST(GgufTypes, TensorBytesAreExact) {
  const int64_t dims[] = {4096, 4096};
  // 4096 / 256 blocks per row x 144 B x 4096 rows = 9,437,184 B.
  EXPECT_EQ(gguf::tensor_bytes(*gguf::find_type("Q4_K"), dims), 9437184);
  const int64_t odd[] = {100, 3};
  EXPECT_FALSE(gguf::tensor_bytes(*gguf::find_type("Q4_K"), odd).has_value());
  EXPECT_EQ(gguf::tensor_bytes(*gguf::find_type("F32"), odd), 1200);
  const int64_t huge[] = {int64_t{1} << 40, int64_t{1} << 40};
  EXPECT_FALSE(gguf::tensor_bytes(*gguf::find_type("F32"), huge).has_value());
}

// A Llama-style GGUF tensor list (names as convert_hf_to_gguf.py writes them).
struct LlamaShape {
  int64_t layers, hidden, heads, kv_heads, ffn, vocab;
  bool tied = false;
  bool qkv_bias = false;  // Qwen2
  bool rope_freqs = false;  // Llama 3.1+: rope_freqs.weight [head_dim / 2], F32
};

int64_t gguf_bytes(const LlamaShape& s, const char* mix_name, std::string model_type = "") {
  const gguf::Mix* mix = gguf::find_mix(mix_name);
  EXPECT_NE(mix, nullptr) << mix_name;
  if (!mix) return 0;
  QuantModel m;
  m.arch = s.qkv_bias ? "qwen2" : "llama";
  m.n_layer = s.layers;
  m.n_head = s.heads;
  m.n_head_kv = s.kv_heads;
  m.tied_embeddings = s.tied;
  m.model_type = std::move(model_type);
  const int64_t kv = s.hidden / s.heads * s.kv_heads;
  const int f32 = type_id("F32"), bf16 = type_id("BF16");
  int64_t total = 0;
  auto add = [&](const std::string& name, std::vector<int64_t> dims) {
    const int source = dims.size() == 1 ? f32 : bf16;
    const auto type = gguf::quantized_type(*mix, m, QuantTensor{name, dims, source});
    EXPECT_TRUE(type.has_value()) << name;
    const gguf::TypeInfo* info = gguf::find_type(type.value_or(-1));
    EXPECT_NE(info, nullptr) << name;
    if (!info) return;
    total += gguf::tensor_bytes(*info, dims).value_or(0);
  };
  add("token_embd.weight", {s.hidden, s.vocab});
  if (!s.tied) add("output.weight", {s.hidden, s.vocab});
  add("output_norm.weight", {s.hidden});
  if (s.rope_freqs) add("rope_freqs.weight", {s.hidden / s.heads / 2});
  for (int64_t i = 0; i < s.layers; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    add(b + "attn_norm.weight", {s.hidden});
    add(b + "attn_q.weight", {s.hidden, s.hidden});
    add(b + "attn_k.weight", {s.hidden, kv});
    add(b + "attn_v.weight", {s.hidden, kv});
    if (s.qkv_bias) {
      add(b + "attn_q.bias", {s.hidden});
      add(b + "attn_k.bias", {kv});
      add(b + "attn_v.bias", {kv});
    }
    add(b + "attn_output.weight", {s.hidden, s.hidden});
    add(b + "ffn_norm.weight", {s.hidden});
    add(b + "ffn_gate.weight", {s.hidden, s.ffn});
    add(b + "ffn_up.weight", {s.hidden, s.ffn});
    add(b + "ffn_down.weight", {s.ffn, s.hidden});
  }
  return total;
}

// llama-bench prints model_size / 1024^3 (or ^2) with two decimals.
double rounded(double bytes, double unit) { return std::round(bytes / unit * 100.0) / 100.0; }

const LlamaShape kLlama3_8B{32, 4096, 32, 8, 14336, 128256};

TEST(GgufTypes, Llama3_8BMatchesLlamaBench) {
  // Q4_K_M: token_embd, attn_q/k/output, ffn_gate/up in Q4_K; output Q6_K; attn_v and ffn_down
  // Q6_K in the 16 use_more_bits layers (0-3, 28-31, and 6, 9, ..., 27), Q4_K elsewhere.
  // Hand sum: 4,912,898,048 B = 4.5755 GiB -> "4.58 GiB".
  const int64_t q4km = gguf_bytes(kLlama3_8B, "Q4_K_M");
  EXPECT_EQ(q4km, 4912898048);
  EXPECT_EQ(rounded(q4km, kGiB), 4.58);
  // Q8_0 everywhere (output stays Q8_0): 8,532,934,656 B = 7.9469 GiB -> "7.95 GiB".
  const int64_t q8 = gguf_bytes(kLlama3_8B, "Q8_0");
  EXPECT_EQ(q8, 8532934656);
  EXPECT_EQ(rounded(q8, kGiB), 7.95);
  EXPECT_EQ(rounded(gguf_bytes(kLlama3_8B, "Q5_K_M"), kGiB), 5.33);
  EXPECT_EQ(rounded(gguf_bytes(kLlama3_8B, "Q4_0"), kGiB), 4.33);
  EXPECT_EQ(rounded(gguf_bytes(kLlama3_8B, "F16"), kGiB), 14.96);
}

TEST(GgufTypes, MoreModelsMatchLlamaBench) {
  // Sources: tests/data/reference/gguf_sizes.json.
  const LlamaShape llama2_7b{32, 4096, 32, 32, 11008, 32000};
  const LlamaShape llama2_13b{40, 5120, 40, 40, 13824, 32000};
  EXPECT_EQ(rounded(gguf_bytes(llama2_7b, "Q4_0"), kGiB), 3.56);
  EXPECT_EQ(rounded(gguf_bytes(llama2_13b, "Q4_0"), kGiB), 6.86);
  const LlamaShape qwen25_7b{28, 3584, 28, 4, 18944, 152064, false, true};
  EXPECT_EQ(rounded(gguf_bytes(qwen25_7b, "Q4_K_M"), kGiB), 4.36);
  EXPECT_EQ(rounded(gguf_bytes(qwen25_7b, "Q8_0"), kGiB), 7.54);
  const LlamaShape llama32_3b{28, 3072, 24, 8, 8192, 128256, true, false, true};
  EXPECT_EQ(rounded(gguf_bytes(llama32_3b, "Q4_K_M"), kGiB), 1.87);
  const LlamaShape llama32_1b{16, 2048, 32, 8, 8192, 128256, true, false, true};
  EXPECT_EQ(rounded(gguf_bytes(llama32_1b, "Q4_K_M"), kMiB), 762.81);
  const LlamaShape tinyllama{22, 2048, 32, 4, 5632, 32000};
  EXPECT_EQ(rounded(gguf_bytes(tinyllama, "Q4_K_M"), kMiB), 636.18);
  // Llama 3.1 70B: llama.cpp's 70B rule moves attn_v from Q4_K to Q5_K in the 40 layers that
  // are not use_more_bits (+1 MiB each): 39.59 GiB; without it 39.55.
  const LlamaShape llama31_70b{80, 8192, 64, 8, 28672, 128256, false, false, true};
  EXPECT_EQ(rounded(gguf_bytes(llama31_70b, "Q4_K_M", "70B"), kGiB), 39.59);
  EXPECT_EQ(rounded(gguf_bytes(llama31_70b, "Q4_K_M"), kGiB), 39.55);
}

TEST(GgufTypes, RecipeDetails) {
  const gguf::Mix* q2k = gguf::find_mix("Q2_K");
  ASSERT_NE(q2k, nullptr);
  QuantModel m;
  m.n_layer = 32;
  m.n_head = 32;
  const int64_t v_dims[] = {4096, 1024};
  // Q2_K attn_v: Q4_K when n_head / n_head_kv >= 4, else Q3_K.
  m.n_head_kv = 8;
  EXPECT_EQ(gguf::quantized_type(*q2k, m, {"blk.5.attn_v.weight", v_dims, 0}), type_id("Q4_K"));
  m.n_head_kv = 32;
  EXPECT_EQ(gguf::quantized_type(*q2k, m, {"blk.5.attn_v.weight", v_dims, 0}), type_id("Q3_K"));
  // Norms keep their source type; a row of 100 cannot be Q4_K (Q5_0 fallback needs 32 | 100,
  // so F16).
  const gguf::Mix* q4km = gguf::find_mix("Q4_K_M");
  const int64_t norm[] = {4096};
  EXPECT_EQ(gguf::quantized_type(*q4km, m, {"blk.0.attn_norm.weight", norm, 0}), 0);
  const int64_t odd[] = {100, 64};
  EXPECT_EQ(gguf::quantized_type(*q4km, m, {"blk.9.attn_q.weight", odd, 0}), type_id("F16"));
  const int64_t odd32[] = {96, 64};
  EXPECT_EQ(gguf::quantized_type(*q4km, m, {"blk.9.attn_q.weight", odd32, 0}), type_id("Q5_0"));
  // Tied embeddings: token_embd takes the output rule (Q6_K).
  m.tied_embeddings = true;
  const int64_t emb[] = {2048, 1000};
  EXPECT_EQ(gguf::quantized_type(*q4km, m, {"token_embd.weight", emb, 0}), type_id("Q6_K"));
  // MXFP4_MOE: stacked experts MXFP4, everything else Q8_0.
  const gguf::Mix* mx = gguf::find_mix("MXFP4_MOE");
  const int64_t experts[] = {2880, 2880, 32};
  EXPECT_EQ(gguf::quantized_type(*mx, m, {"blk.1.ffn_up_exps.weight", experts, 0}), type_id("MXFP4"));
  EXPECT_EQ(gguf::quantized_type(*mx, m, {"blk.1.attn_q.weight", v_dims, 0}), type_id("Q8_0"));
}

}  // namespace
}  // namespace llmcalc::test
