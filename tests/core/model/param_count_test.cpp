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
  // Falcon's published totals are file sizes: the checkpoints store lm_head separately
  // although the config ties it to the embeddings (one vocab x hidden matrix extra).
  if (p.spec.id.rfind("falcon-", 0) == 0)
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
