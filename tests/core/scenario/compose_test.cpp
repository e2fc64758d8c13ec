// The CLI's inputs -> scenario text (core/src/scenario/compose.cpp): strict flag typing.
#include <gtest/gtest.h>

#include "llmcalc/schema.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

Errors flag_errors(const std::string& flag, const std::string& text) {
  ScenarioSources in;
  in.flags = {{"--model", "llama-2-7b"}, {flag, text}};
  TextResult r = compose_scenario(in);
  EXPECT_FALSE(r.text.has_value()) << flag << " " << text;
  return r.errors;
}

TEST(Compose, FlagsAreTypedStrictly) {
  for (const char* bad : {"nan", "inf", "-inf", "0x10", "+1", " 4", "4 ", "", "1,000", "four"})
    for (const char* flag : {"--batch", "--memory-bytes", "--price"}) {
      const Errors e = flag_errors(flag, bad);
      ASSERT_EQ(e.size(), 1u) << flag << " " << bad;
      EXPECT_EQ(e[0].path, find_flag(flag)->pointer) << flag << " " << bad;
      EXPECT_EQ(e[0].code, "wrong_type") << flag << " " << bad;
    }
  EXPECT_EQ(flag_errors("--memory-bytes", "1e400").at(0).code, "out_of_range");
  EXPECT_EQ(flag_errors("--batch", "2.5").at(0).code, "not_integer");
  // Past 2^63 the value is echoed as typed, never saturated.
  const Errors big = flag_errors("--batch", "99999999999999999999");
  EXPECT_EQ(big.at(0).code, "out_of_range");
  EXPECT_NE(big.at(0).message.find("got 99999999999999999999"), std::string::npos) << big.at(0).message;
  EXPECT_EQ(flag_errors("--sp", "1").at(0).code, "wrong_type");
  EXPECT_EQ(flag_errors("--gpu", "h\xff").at(0).code, "invalid_utf8");
}

TEST(Compose, FileThenFlagsAndConflicts) {
  ScenarioSources in;
  const std::string file = R"({"model":"llama-2-7b","workload":{"batch":2,"prompt":64}})";
  in.scenario_text = file;
  in.flags = {{"--batch", "8"}, {"--sp", "true"}};
  TextResult r = compose_scenario(in);
  ASSERT_TRUE(r.text.has_value());
  const Scenario s = scenario(*r.text);
  EXPECT_EQ(s.workload.batch, 8);
  EXPECT_EQ(s.workload.prompt, 64);
  EXPECT_TRUE(s.parallelism.sequence_parallel);
  // --hf-config and --model together: an error, never a silent choice.
  ScenarioSources both;
  both.hf_config_text = std::string_view(R"({"model_type":"llama"})");
  both.flags = {{"--model", "llama-2-7b"}};
  const TextResult c = compose_scenario(both);
  ASSERT_FALSE(c.text.has_value());
  EXPECT_EQ(c.errors.at(0).code, "invalid_choice");
  // The file is checked raw: duplicates and depth.
  ScenarioSources dup;
  dup.scenario_text = std::string_view(R"({"model":"llama-2-7b","model":"gpt2"})");
  EXPECT_EQ(compose_scenario(dup).errors.at(0).code, "duplicate");
  const std::string deep = "{\"model\":" + std::string(75000, '[') + "}";
  ScenarioSources d;
  d.scenario_text = deep;
  EXPECT_EQ(compose_scenario(d).errors.at(0).code, "too_deep");
}

}  // namespace
}  // namespace llmcalc::test
