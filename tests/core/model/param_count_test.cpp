// Parameter counts computed from the architecture reproduce the published figures.
#include <gtest/gtest.h>

#include <cmath>

#include "llmcalc/catalog.hpp"
#include "llmcalc/tensors.hpp"

namespace llmcalc::test {
namespace {

ParamCounts counts(const std::string& id) {
  const ModelPreset* p = find_model(id);
  EXPECT_NE(p, nullptr) << id;
  return p ? count_params(tensor_inventory(p->spec.arch)) : ParamCounts{};
}

double rel(double a, double b) { return std::fabs(a - b) / b; }

// Published active counts are rounded ("12.9B", "37B"): the unit of their last digit.
double rounding_unit(int64_t published) {
  double unit = 1;
  while (published % static_cast<int64_t>(unit * 10) == 0) unit *= 10;
  return unit;
}

// The counts a preset's published figures are compared with, in the publisher's convention.
struct Compared {
  double total = 0;
  double active = 0;
};

Compared compared(const ModelPreset& p) {
  const ParamCounts c = count_params(tensor_inventory(p.spec.arch));
  Compared out;
  out.total = double(c.total);
  // Falcon (7B/40B)'s published totals are file sizes: the checkpoints store lm_head separately
  // although the config ties it to the embeddings (one vocab x hidden matrix extra).
  if (p.family == "falcon")
    out.total += double(p.spec.arch.vocab_size) * double(p.spec.arch.hidden_size);
  if (p.published_includes_mtp) out.total += double(mtp_params(p.spec.arch));
  switch (p.active_convention) {
    case ActiveConvention::all: out.active = double(c.active); break;
    case ActiveConvention::excluding_input_embedding:
      out.active = double(c.active_excluding_input_embedding);
      break;
    case ActiveConvention::excluding_embeddings:
      out.active = double(c.active_excluding_embeddings);
      break;
  }
  return out;
}

// Within 0.5% where the card is exact; within half the unit of its last digit where the card
// rounds ("109B": 108.5B to 109.5B; "1 trillion": 0.5T to 1.5T).
double total_tolerance(const ModelPreset& p) {
  const double pub = double(p.spec.published_params);
  if (!p.published_rounded) return 0.005 * pub;
  return std::max(0.005 * pub, rounding_unit(p.spec.published_params) / 2.0);
}

TEST(ParamCount, EveryPresetWithinHalfAPercentOfItsPublishedTotal) {
  ASSERT_GE(model_presets().size(), 80u);
  for (const auto& p : model_presets()) {
    const double computed = compared(p).total;
    EXPECT_LE(std::fabs(computed - double(p.spec.published_params)), total_tolerance(p))
        << p.spec.id << ": computed " << int64_t(computed) << " vs published "
        << p.spec.published_params;
  }
}

TEST(ParamCount, MoeActiveCountsWithinThePublishedRounding) {
  int checked = 0;
  for (const auto& p : model_presets()) {
    if (p.spec.published_active_params == 0) continue;
    const double active = compared(p).active;
    const double unit = rounding_unit(p.spec.published_active_params);
    EXPECT_LE(std::fabs(active - double(p.spec.published_active_params)),
              std::max(unit, 0.005 * double(p.spec.published_active_params)))
        << p.spec.id << ": computed active " << int64_t(active) << " vs published "
        << p.spec.published_active_params;
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(ParamCount, NamedModels) {
  EXPECT_EQ(counts("llama-2-7b").total, 6738415616);  // "6.74B"
  EXPECT_LE(rel(double(counts("llama-3-8b").total), 8.03e9), 0.005);
  EXPECT_LE(rel(double(counts("mistral-7b-v0.1").total), 7.24e9), 0.005);
  EXPECT_LE(rel(double(counts("mixtral-8x7b").total), 46.7e9), 0.005);
  EXPECT_LE(rel(double(counts("mixtral-8x7b").active), 12.9e9), 0.005);
  EXPECT_LE(rel(double(counts("gpt2-xl").total), 1.56e9), 0.005);
  EXPECT_LE(rel(double(counts("deepseek-v3").total), 671e9), 0.005);
  // DeepSeek-V3's "37B activated" (arXiv:2412.19437): ours is 37.55B counting the 0.93B
  // embedding table; 36.62B without it. The paper's rounding allows either reading.
  EXPECT_NEAR(double(counts("deepseek-v3").active) / 1e9, 37.0, 1.0);
}

TEST(ParamCount, HandCheckedLlama2_7b) {
  // 32 layers x (4 x 4096^2 attention + 3 x 4096 x 11008 MLP + 2 x 4096 norms)
  // + 2 x 32000 x 4096 (embeddings, untied head) + 4096 final norm.
  const int64_t layer = 4LL * 4096 * 4096 + 3LL * 4096 * 11008 + 2 * 4096;
  EXPECT_EQ(counts("llama-2-7b").total, 32 * layer + 2LL * 32000 * 4096 + 4096);
}

// GLM-4.5 (355B card) and GLM-4.5-Air (106B card): which count the cards round. Per layer,
// h = hidden, attention = q 96x128 + k, v 8x128 + o, with q/k/v biases; MoE = routed experts
// (gate, up, down) + 1 shared expert + router (+ e_score_correction_bias); 2 norms per layer.
TEST(ParamCount, HandCheckedGlm45) {
  const ModelPreset* p = find_model("glm-4.5");
  ASSERT_NE(p, nullptr);
  const ParamCounts c = counts("glm-4.5");
  const int64_t h = 5120, V = 151552;
  // attention 2*5120*12288 + 2*5120*1024 = 136,314,880; biases 12288 + 2*1024 = 14,336;
  // qk norm 2*128; norms 2*5120.
  const int64_t attn = 2 * h * 12288 + 2 * h * 1024 + 14336 + 256 + 2 * h;
  EXPECT_EQ(attn, 136339712);
  const int64_t expert = 3 * h * 1536;  // 23,592,960
  const int64_t moe_layer = attn + 160 * expert + expert + 160 * h + 160;   // 3,935,625,632
  const int64_t dense_layer = attn + 3 * h * 12288;                          // 325,083,392
  const int64_t main = 89 * moe_layer + 3 * dense_layer + 2 * V * h + h;
  EXPECT_EQ(c.total, main);
  EXPECT_EQ(c.total, 352797829024);
  // MTP layer 92: one MoE layer + eh_proj (2h -> h) + enorm, hnorm, shared_head.norm, and in
  // this checkpoint its own embed_tokens and shared_head.head (2 V h).
  const int64_t mtp_block = moe_layer + 2 * h * h + 3 * h;  // 3,988,069,792
  EXPECT_EQ(mtp_params(p->spec.arch), mtp_block + 2 * V * h);
  // llama.cpp's BF16 load: "model params = 358.338 B".
  EXPECT_EQ(c.total + mtp_params(p->spec.arch), 358337791296);
  // The card's 355B: everything but the main input embedding, output head and final norm,
  // MTP block included (llama.cpp "repeating layers = 355.234 B" for GLM-4.6).
  EXPECT_EQ(main - 2 * V * h - h + mtp_block, 355234001216);
  // The card's 32B active: 8 of 160 routed experts, without embedding and head.
  EXPECT_EQ(c.active_excluding_embeddings, 89 * (moe_layer - 152 * expert) + 3 * dense_layer + h);
  EXPECT_EQ(c.active_excluding_embeddings, 32080373664);

  // GLM-4.5-Air: h 4096, 46 layers (1 dense), 128 experts of 1408, dense FFN 10944, no qk norm.
  const ModelPreset* air = find_model("glm-4.5-air");
  ASSERT_NE(air, nullptr);
  const int64_t ha = 4096;
  const int64_t attn_a = 2 * ha * 12288 + 2 * ha * 1024 + 14336 + 2 * ha;  // 109,074,432
  const int64_t expert_a = 3 * ha * 1408;                                  // 17,301,504
  const int64_t moe_a = attn_a + 129 * expert_a + 128 * ha + 128;           // 2,341,492,864
  const int64_t main_a = 45 * moe_a + attn_a + 3 * ha * 10944 + 2 * V * ha + ha;
  EXPECT_EQ(counts("glm-4.5-air").total, main_a);
  EXPECT_EQ(main_a, 106852251264);
  // llama.cpp: "model params = 110.47 B" = main + MTP block + its own embedding and head.
  EXPECT_EQ(main_a + mtp_params(air->spec.arch), 110468824832);
  // The card's 106B rounds the main stack without embedding and head: 105.61B.
  EXPECT_EQ(main_a - 2 * V * ha - ha, 105610733184);

  // GLM-4.6: GLM-4.5's stack; its MTP layer stores no embedding or head of its own.
  const ModelPreset* g46 = find_model("glm-4.6");
  ASSERT_NE(g46, nullptr);
  EXPECT_EQ(counts("glm-4.6").total + mtp_params(g46->spec.arch), main + mtp_block);
  EXPECT_EQ(main + mtp_block, 356785898816);  // llama.cpp: "model params = 356.786 B"
}

// Falcon-H1 1.5B: every layer has attention and a Mamba-2 mixer side by side, then a gated MLP.
TEST(ParamCount, HandCheckedFalconH1) {
  const int64_t h = 2048;
  const int64_t attention = h * 1024 + 2 * h * 256 + 1024 * h;  // q 8x128, k/v 2x128, o
  // Mamba-2: in_proj h -> 3,072 + (3,072 + 2 x 256) + 48, conv1d 3,584 x (4 + bias), 3 x 48
  // (dt_bias, A_log, D), gated RMSNorm 3,072, out_proj 3,072 -> h.
  const int64_t mamba = (3072 + 3584 + 48) * h + 3584 * 5 + 3 * 48 + 3072 + 3072 * h;
  EXPECT_EQ(mamba, 20042384);
  const int64_t layer = attention + mamba + 3 * h * 4608 + 2 * h;
  const int64_t total = 24 * layer + 2 * 65537 * h + h;
  EXPECT_EQ(counts("falcon-h1-1.5b").total, total);
  // The MLX conversion counts 1,554,859,392: two 2,048-wide vocabulary rows fewer.
  EXPECT_EQ(total - 1554859392, 2 * h);
}

TEST(ParamCount, HandCheckedGpt2Small) {
  // 12 layers x (4h^2 + 4h attention incl. biases, 8h^2 + 5h MLP incl. biases, 2 x 2h LN)
  // + 50257 x 768 tokens + 1024 x 768 positions + 2h final LN; tied head.
  const int64_t h = 768;
  const int64_t layer = 4 * h * h + 4 * h + 8 * h * h + 5 * h + 4 * h;
  EXPECT_EQ(counts("gpt2").total, 12 * layer + 50257 * h + 1024 * h + 2 * h);
  EXPECT_EQ(counts("gpt2").total, 124439808);
}

}  // namespace
}  // namespace llmcalc::test
