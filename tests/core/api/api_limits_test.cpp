// Limits of one request at the JSON boundary: every sweep point is validated as a scenario
// with that value would be, a request's work and answer are bounded, and the errors of a
// long list of bad points stay short.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "llmcalc/api.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

std::string values(int64_t from, int64_t count) {
  std::string out = "[";
  for (int64_t i = 0; i < count; ++i) out += (i ? "," : "") + std::to_string(from + i);
  return out + "]";
}

TEST(ApiLimits, SweepPointsAreValidatedAsScenarios) {
  // 99,999,000 + 2,000 generated tokens exceed the 100M-token limit that a single estimate
  // enforces; the sweep names the point.
  const std::string base = R"({"model":"llama-2-7b","workload":{"prompt":99999000}})";
  const json single = json::parse(
      estimate_json(R"({"model":"llama-2-7b","workload":{"prompt":99999000,"generate":2000}})"));
  ASSERT_FALSE(single["ok"].get<bool>());
  EXPECT_EQ(single["errors"][0]["path"], "/workload/generate");
  const json s = json::parse(sweep_json(base, R"({"vary":"generate","values":[10,2000,1000]})"));
  ASSERT_FALSE(s["ok"].get<bool>());
  ASSERT_EQ(s["errors"].size(), 1u);
  EXPECT_EQ(s["errors"][0]["path"], "/sweep/values/1");
  EXPECT_EQ(s["errors"][0]["code"], "out_of_range");
  // The same point from the other side: prompt swept with generate fixed.
  const json p = json::parse(sweep_json(R"({"model":"llama-2-7b","workload":{"generate":5000}})",
                                        R"({"vary":"prompt","values":[99990000,99996000]})"));
  ASSERT_FALSE(p["ok"].get<bool>());
  EXPECT_EQ(p["errors"][0]["path"], "/sweep/values/1");
  // Points a scenario accepts pass.
  EXPECT_TRUE(json::parse(sweep_json(base, R"({"vary":"generate","values":[0,1000]})"))["ok"].get<bool>());
}

TEST(ApiLimits, SweepWorkIsCapped) {
  const std::string base = R"({"model":"llama-2-7b"})";
  // Full reports: at most 100 points (~11 KB of JSON each); compact: 10,000.
  const json full = json::parse(sweep_json(base, R"({"vary":"batch","values":)" + values(1, 101) + "}"));
  ASSERT_FALSE(full["ok"].get<bool>());
  EXPECT_EQ(full["errors"][0]["path"], "/sweep/values");
  EXPECT_EQ(full["errors"][0]["code"], "too_large");
  const std::string at_limit = sweep_json(base, R"({"vary":"batch","values":)" + values(1, 100) + "}");
  EXPECT_TRUE(json::parse(at_limit)["ok"].get<bool>());
  EXPECT_LT(at_limit.size(), size_t(2) << 20);
  const json compact = json::parse(
      sweep_json(base, R"({"vary":"batch","compact":true,"values":)" + values(1, 10001) + "}"));
  EXPECT_EQ(compact["errors"][0]["code"], "too_large");
  const std::string compact_ok =
      sweep_json(base, R"({"vary":"batch","compact":true,"values":)" + values(1, 10000) + "}");
  EXPECT_TRUE(json::parse(compact_ok)["ok"].get<bool>());
  EXPECT_LT(compact_ok.size(), size_t(4) << 20);
}

TEST(ApiLimits, ManyBadPointsGiveAShortAnswer) {
  std::string zeros = "[";
  for (int i = 0; i < 5000; ++i) zeros += i ? ",0" : "0";
  zeros += "]";
  const json r = json::parse(sweep_json(R"({"model":"llama-2-7b"})", R"({"vary":"batch","compact":true,"values":)" + zeros + "}"));
  ASSERT_FALSE(r["ok"].get<bool>());
  ASSERT_EQ(r["errors"].size(), 21u);
  EXPECT_EQ(r["errors"][0]["path"], "/sweep/values/0");
  EXPECT_EQ(r["errors"][19]["path"], "/sweep/values/19");
  EXPECT_EQ(r["errors"][20]["path"], "/sweep/values");
  EXPECT_EQ(r["errors"][20]["code"], "more_errors");
  EXPECT_NE(r["errors"][20]["message"].get<std::string>().find("5000"), std::string::npos);
}

TEST(ApiLimits, MinGpusAtTheLargestMaxGpusAnswersQuickly) {
  // Nothing fits: the old search scanned all 65,536 counts (6-20 s); bounded now.
  const json r = json::parse(solve_json(
      R"({"model":"llama-3.1-8b","mode":"training","workload":{"batch":64,"seq":65536}})",
      R"({"question":"min-gpus","max_gpus":65536})"));
  ASSERT_TRUE(r["ok"].get<bool>());
  EXPECT_FALSE(r["found"].get<bool>());
}

}  // namespace
}  // namespace llmcalc::test
