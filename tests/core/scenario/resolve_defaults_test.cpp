// Derived defaults (core/src/scenario/resolve_defaults.cpp) and the notes on inputs that do
// not apply (core/src/scenario/parse_scenario.cpp).
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace llmcalc::test {
namespace {

bool has_note(const Scenario& s, const std::string& part) {
  for (const auto& n : s.input_notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

TEST(ResolveDefaults, DerivedDefaults) {
  // QLoRA means an nf4 base without master weights.
  const Scenario q = scenario(R"({"model":"llama-2-7b","mode":"training","training":{"finetune":"qlora"}})");
  EXPECT_EQ(q.precision.weights, Dtype::nf4);
  EXPECT_FALSE(q.precision.master_weights);
  // QLoRA in inference is not a training run: the weights stay bf16.
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","training":{"finetune":"qlora"}})").precision.weights, Dtype::bf16);
  // int4/int8: 128-weight groups unless stated.
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","precision":{"weights":"int4"}})").precision.group_size, 128);
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","precision":{"weights":"int8","group_size":0}})").precision.group_size, 0);
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","precision":{"weights":"fp8"}})").precision.group_size, 0);
  // fp32 weights: fp32 gradients, no master copy even when asked.
  const Scenario w = scenario(R"({"model":"llama-2-7b","mode":"training","precision":{"weights":"fp32","master_weights":"fp32"}})");
  EXPECT_EQ(w.precision.gradients, Dtype::fp32);
  EXPECT_FALSE(w.precision.master_weights);
  // hardware.count implies a layout: tp in inference, dp in training; a layout implies a count.
  EXPECT_EQ(scenario(R"({"model":"llama-2-70b","hardware":{"count":8}})").parallelism.tp, 8);
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","mode":"training","hardware":{"count":8}})").parallelism.dp, 8);
  EXPECT_EQ(scenario(R"({"model":"llama-2-70b","parallelism":{"tp":2,"pp":2}})").gpu_count, 4);
  // The rules of thumb count tensors only, with the seed's activation formula.
  const Scenario r = scenario(R"({"model":"llama-2-7b","method":"rules-of-thumb"})");
  EXPECT_EQ(r.method, Method::rules_of_thumb);
  EXPECT_EQ(r.options.activation_method, ActivationMethod::rules_of_thumb);
  EXPECT_EQ(r.overhead.cuda_context_bytes, 0);
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","method":"seed"})").method, Method::rules_of_thumb);
  // Launch overhead: 20 us per layer, none under CUDA graphs.
  EXPECT_DOUBLE_EQ(scenario(R"({"model":"llama-2-7b"})").overhead.step_overhead_s, 32 * 20e-6);
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","options":{"cuda_graphs":true}})").overhead.step_overhead_s, 0);
}

TEST(InputNotes, InputsThatDoNotApplyAreNoted) {
  const Scenario i = scenario(R"({"model":"llama-2-7b","training":{"zero_stage":3,"finetune":"lora","optimizer":"lion"}})");
  EXPECT_TRUE(has_note(i, "/training/zero_stage (--zero) applies only to training"));
  EXPECT_TRUE(has_note(i, "/training/finetune"));
  EXPECT_TRUE(has_note(i, "/training/optimizer"));
  const Scenario t = scenario(R"({"model":"llama-2-7b","mode":"training","options":{"logits":"all"}})");
  EXPECT_TRUE(has_note(t, "/options/logits (--logits) applies only to inference"));
  // Defaults restated are not worth a note (the page sends some in every mode).
  EXPECT_TRUE(scenario(R"({"model":"llama-2-7b","training":{"zero_stage":0}})").input_notes.empty());
  // The notes reach the report.
  const Report rep = run(R"({"model":"llama-2-7b","training":{"zero_stage":3}})");
  ASSERT_FALSE(rep.notes.empty());
  EXPECT_NE(rep.notes[0].find("zero_stage"), std::string::npos);
}

TEST(InputNotes, LoraTargets) {
  // Llama has no MLA projections: noted, and they add nothing.
  const std::string base = R"({"model":"llama-2-7b","mode":"training","training":{"finetune":"lora","lora":{"targets":)";
  const Scenario s = scenario(base + R"(["q_proj","kv_b_proj"]}}})");
  EXPECT_TRUE(has_note(s, "LoRA target kv_b_proj"));
  EXPECT_FALSE(has_note(s, "LoRA target q_proj"));
  EXPECT_EQ(run(base + R"(["q_proj","kv_b_proj"]}}})").params.trainable,
            run(base + R"(["q_proj"]}}})").params.trainable);
  // "all-linear" is the model's linear modules: no note.
  EXPECT_TRUE(scenario(base + R"("all-linear"}}})").input_notes.empty());
  // Listed twice: an error, with the second one's path.
  const Errors e = errors_of(base + R"(["q_proj","v_proj","q_proj"]}}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/training/lora/targets/2");
  EXPECT_EQ(e[0].code, "duplicate");
}

}  // namespace
}  // namespace llmcalc::test
