// Bad input is refused at the edge with the field's JSON pointer and a stable code.
#include <gtest/gtest.h>

#include <ostream>

#include "test_util.hpp"

namespace llmcalc::test {
namespace {

struct BadCase {
  const char* json;
  const char* path;
  const char* code;
};

// Test names show the expected path and code instead of raw bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.path << " " << c.code; }

class BadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInput, NamesFieldAndReason) {
  const BadCase& c = GetParam();
  const Errors errors = errors_of(c.json);
  ASSERT_FALSE(errors.empty());
  bool found = false;
  for (const auto& e : errors) {
    found = found || (e.path == c.path && e.code == c.code);
    EXPECT_FALSE(e.message.empty());
  }
  EXPECT_TRUE(found) << "expected " << c.path << " " << c.code << ", got " << errors[0].path << " "
                     << errors[0].code << ": " << errors[0].message;
}

INSTANTIATE_TEST_SUITE_P(
    Core, BadInput,
    ::testing::Values(
        BadCase{R"({"model":"llama-9000"})", "/model", "unknown_preset"},
        BadCase{R"({"model":{"preset":"nope"}})", "/model/preset", "unknown_preset"},
        BadCase{R"({"model":"llama-2-7b")", "", "invalid_json"},
        BadCase{R"([1,2])", "", "wrong_type"},
        BadCase{R"({"mode":"inference"})", "/model", "missing_field"},
        BadCase{R"({"model":"llama-2-7b","workload":{"batch":0}})", "/workload/batch", "out_of_range"},
        BadCase{R"({"model":"llama-2-7b","workload":{"batch":-4}})", "/workload/batch", "out_of_range"},
        BadCase{R"({"model":"llama-2-7b","workload":{"batch":2.5}})", "/workload/batch", "not_integer"},
        BadCase{R"({"model":"llama-2-7b","workload":{"batch":"4"}})", "/workload/batch", "wrong_type"},
        BadCase{R"({"model":"llama-2-7b","workload":{"prompt":1e30}})", "/workload/prompt", "out_of_range"},
        BadCase{R"({"model":"llama-2-7b","workload":{"bacth":4}})", "/workload/bacth", "unknown_field"},
        BadCase{R"({"model":"llama-2-7b","mode":"serve"})", "/mode", "unknown_value"},
        BadCase{R"({"model":"llama-2-7b","precision":{"weights":"int3"}})", "/precision/weights", "unknown_value"},
        BadCase{R"({"model":"llama-2-7b","hardware":{"gpu":"h900"}})", "/hardware/gpu", "unknown_preset"},
        BadCase{R"({"model":"llama-2-7b","hardware":{"count":0}})", "/hardware/count", "out_of_range"},
        BadCase{R"({"model":"llama-2-7b","parallelism":{"tp":3}})", "/parallelism/tp", "inconsistent"},
        BadCase{R"({"model":"llama-2-7b","hardware":{"count":3}})", "/hardware/count", "inconsistent"},
        BadCase{R"({"model":"llama-2-7b","parallelism":{"tp":2},"hardware":{"count":4}})", "/hardware/count", "inconsistent"},
        BadCase{R"({"model":"llama-2-7b","parallelism":{"pp":64}})", "/parallelism/pp", "inconsistent"},
        BadCase{R"({"model":"llama-2-7b","training":{"zero_stage":4}})", "/training/zero_stage", "out_of_range"},
        BadCase{R"({"model":"llama-2-7b","mode":"training","precision":{"weights":"int4"}})", "/precision/weights", "inconsistent"},
        BadCase{R"({"model":"llama-2-7b","mode":"training","training":{"finetune":"qlora"},"precision":{"weights":"bf16"}})", "/precision/weights", "inconsistent"},
        BadCase{R"({"model":"llama-2-7b","training":{"lora":{"targets":["q_proj","wq"]}}})", "/training/lora/targets/1", "unknown_value"},
        BadCase{R"({"model":"llama-2-7b","hardware":{"memory_bytes":-1}})", "/hardware/memory_bytes", "out_of_range"},
        BadCase{R"({"model":"llama-2-7b","hardware":{"gpu":"custom"}})", "/hardware/memory_bytes", "missing_field"},
        BadCase{R"({"model":{"architecture":{"vocab_size":32000,"hidden_size":4096,"num_layers":1e30,"num_heads":32,"intermediate_size":11008}}})", "/model/architecture/num_layers", "out_of_range"},
        BadCase{R"({"model":{"architecture":{"vocab_size":32000,"hidden_size":4000,"num_layers":2,"num_heads":48,"intermediate_size":11008}}})", "/model/architecture/num_heads", "inconsistent"},
        BadCase{R"({"model":{"architecture":{"vocab_size":32000,"hidden_size":4096,"num_layers":2,"num_heads":32,"num_kv_heads":5,"intermediate_size":11008}}})", "/model/architecture/num_kv_heads", "inconsistent"},
        BadCase{R"({"model":{"architecture":{"vocab_size":32000,"hidden_size":4096,"num_layers":2,"num_heads":32}}})", "/model/architecture/intermediate_size", "missing_field"},
        BadCase{R"({"model":{"architecture":{"vocab_size":9000000,"hidden_size":900000,"num_layers":9000,"num_heads":1,"intermediate_size":9000000}}})", "/model/architecture", "out_of_range"},
        BadCase{R"({"model":{"preset":"llama-2-7b","architecture":{}}})", "/model", "invalid_choice"},
        BadCase{R"({"model":{"hf_config":{"model_type":"bert"}}})", "/model/hf_config/model_type", "unknown_value"},
        BadCase{R"({"model":{"hf_config":{"model_type":"llama","hidden_size":4096}}})", "/model/hf_config/vocab_size", "missing_field"},
        BadCase{R"({"model":"llama-2-7b","options":{"logits":"some"}})", "/options/logits", "unknown_value"},
        BadCase{R"({"model":"llama-2-7b","overhead":{"fragmentation_fraction":2}})", "/overhead/fragmentation_fraction", "out_of_range"}));

TEST(Validation, DeepNestingAndHugeInputAreRefused) {
  std::string deep(1000, '[');
  EXPECT_EQ(errors_of(deep)[0].code, "too_deep");
  std::string huge = R"({"model":")" + std::string(5 << 20, 'x') + "\"}";
  EXPECT_EQ(errors_of(huge)[0].code, "too_large");
}

TEST(Validation, EveryErrorHasPathCodeAndMessage) {
  const Errors e = errors_of(R"({"model":"nope","workload":{"batch":0,"seq":-1},"mode":7})");
  EXPECT_GE(e.size(), 3u);
  for (const auto& x : e) {
    EXPECT_FALSE(x.code.empty());
    EXPECT_FALSE(x.message.empty());
  }
}

TEST(Validation, DefaultsAreSensible) {
  const Scenario s = scenario(R"({"model":"llama-2-7b"})");
  EXPECT_EQ(s.mode, Mode::inference);
  EXPECT_EQ(s.method, Method::detailed);
  EXPECT_EQ(s.gpu.id, "h100-sxm");
  EXPECT_EQ(s.gpu_count, 1);
  EXPECT_EQ(s.precision.weights, Dtype::bf16);
  // GPUs without a layout: inference splits the model, training replicates it.
  EXPECT_EQ(scenario(R"({"model":"llama-2-70b","hardware":{"count":4}})").parallelism.tp, 4);
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","mode":"training","hardware":{"count":4}})").parallelism.dp, 4);
}

}  // namespace
}  // namespace llmcalc::test
