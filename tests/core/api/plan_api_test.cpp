// plan_json: the envelope, the goals' field errors (JSON pointer and code) and the answer's
// shape.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llmcalc/api.hpp"
#include "llmcalc/plan.hpp"

namespace llmcalc {
namespace {

using nlohmann::json;

const char* kScenario =
    R"({"model":"llama-3.1-8b","engine":"llama.cpp","hardware":{"gpu":"rtx-3060-12gb"}})";

json plan(const std::string& scenario, const std::string& goals) {
  return json::parse(plan_json(scenario, goals));
}

// The first error's path and code.
std::pair<std::string, std::string> first_error(const json& out) {
  EXPECT_FALSE(out["ok"].get<bool>()) << out.dump();
  if (out["ok"].get<bool>() || out["errors"].empty()) return {};
  return {out["errors"][0]["path"].get<std::string>(), out["errors"][0]["code"].get<std::string>()};
}

TEST(PlanApi, Answer) {
  const json out = plan(kScenario, R"({"context":8192,"min_quality":"Q4"})");
  ASSERT_TRUE(out["ok"].get<bool>()) << out.dump();
  EXPECT_TRUE(out["found"].get<bool>());
  EXPECT_EQ(out["engine"], "llama.cpp");
  EXPECT_EQ(out["goals"]["context"], 8192);
  EXPECT_EQ(out["goals"]["min_quality_bits"], 4);
  const json& best = out["ranked"][0];
  EXPECT_EQ(best["weights"], "Q8_0");
  EXPECT_EQ(best["scenario_changes"]["precision"]["weights"], "Q8_0");
  EXPECT_EQ(best["scenario_changes"]["engine_options"]["num_ctx"], 8192);
  EXPECT_EQ(best["scenario_changes"]["engine_options"]["kv_cache_type"], "f16");
  EXPECT_EQ(out["commands"][0]["engine"], "llama.cpp");
  EXPECT_EQ(out["commands"][1]["engine"], "ollama");
  EXPECT_FALSE(out.contains("closest_miss"));
}

// Applying a candidate's scenario_changes to the scenario reproduces its memory in estimate_json.
TEST(PlanApi, ScenarioChangesReproduceTheCandidate) {
  const json out = plan(kScenario, R"({"context":8192})");
  ASSERT_TRUE(out["ok"].get<bool>());
  for (const auto& c : out["ranked"]) {
    json s = json::parse(kScenario);
    s.merge_patch(c["scenario_changes"]);
    const json r = json::parse(estimate_json(s.dump()));
    ASSERT_TRUE(r["ok"].get<bool>()) << r.dump();
    EXPECT_DOUBLE_EQ(r["report"]["memory"]["total_bytes"].get<double>(),
                     c["devices"][0]["used_bytes"].get<double>())
        << c["weights"] << " " << c["kv_cache"];
  }
}

TEST(PlanApi, NothingFitsGivesTheClosestMiss) {
  const json out = plan(R"({"model":"llama-3.1-405b","engine":"llama.cpp","hardware":{"gpu":"rtx-4060"}})",
                        R"({"context":"max"})");
  ASSERT_TRUE(out["ok"].get<bool>()) << out.dump();
  EXPECT_FALSE(out["found"].get<bool>());
  EXPECT_TRUE(out["ranked"].empty());
  EXPECT_GT(out["shortfall_bytes"].get<double>(), 0);
  EXPECT_EQ(out["closest_miss"]["weights"], "IQ1_S");
  EXPECT_FALSE(out.contains("commands"));
}

TEST(PlanApi, GoalErrorsNameTheField) {
  EXPECT_EQ(first_error(plan(kScenario, R"({"context":"long"})")),
            std::make_pair(std::string("/goals/context"), std::string("unknown_value")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"context":0})")),
            std::make_pair(std::string("/goals/context"), std::string("out_of_range")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"min_quality":"Q9"})")),
            std::make_pair(std::string("/goals/min_quality"), std::string("unknown_value")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"margin_bytes":-1})")),
            std::make_pair(std::string("/goals/margin_bytes"), std::string("out_of_range")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"alternatives":51})")),
            std::make_pair(std::string("/goals/alternatives"), std::string("out_of_range")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"prefer":"cheap"})")),
            std::make_pair(std::string("/goals/prefer"), std::string("unknown_value")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"bogus":1})")),
            std::make_pair(std::string("/goals/bogus"), std::string("unknown_field")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"weights":["Q4_K_Z"]})")),
            std::make_pair(std::string("/goals/weights/0"), std::string("unknown_value")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"weights":["Q4_K_M","Q4_K_M"]})")),
            std::make_pair(std::string("/goals/weights/1"), std::string("duplicate")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"weights":["int4"]})")),
            std::make_pair(std::string("/goals/weights/0"), std::string("inconsistent")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"kv_cache":"q8_0"})")),
            std::make_pair(std::string("/goals/kv_cache"), std::string("wrong_type")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"kv_cache":["fp8"]})")),
            std::make_pair(std::string("/goals/kv_cache/0"), std::string("inconsistent")));
  EXPECT_EQ(first_error(plan(kScenario, R"({"context":8192,"min_context":2048})")),
            std::make_pair(std::string("/goals/min_context"), std::string("inconsistent")));
  EXPECT_EQ(first_error(plan(R"({"model":"llama-3.1-8b","engine":"vllm"})", R"({"weights":["Q4_K_M"]})")),
            std::make_pair(std::string("/goals/weights/0"), std::string("inconsistent")));
  EXPECT_EQ(first_error(plan(R"({"model":"llama-3.1-8b","mode":"training"})", "{}")),
            std::make_pair(std::string("/scenario/mode"), std::string("inconsistent")));
  EXPECT_EQ(first_error(plan(R"({"model":"nope"})", "{}")).first, "/scenario/model");
  EXPECT_EQ(first_error(plan(kScenario, "[1]")),
            std::make_pair(std::string("/goals"), std::string("wrong_type")));
  EXPECT_EQ(first_error(plan(kScenario, "{")).second, "invalid_json");
}

TEST(PlanApi, GoalTableListsEveryKey) {
  // The reader's keys and the table (CLI flags, docs) are the same list.
  std::vector<std::string> keys;
  for (const auto& f : plan_goal_fields()) {
    keys.emplace_back(f.key);
    EXPECT_EQ(f.flag.substr(0, 2), "--");
    EXPECT_FALSE(f.help.empty());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"context", "min_context", "min_quality", "margin_bytes",
                                            "weights", "kv_cache", "prefer", "alternatives"}));
  for (const auto& k : keys) {
    // Each key is known to the reader: a wrong-typed value gives a type error, never unknown_field.
    const json out = plan(kScenario, json{{k, json::object()}}.dump());
    ASSERT_FALSE(out["ok"].get<bool>());
    EXPECT_NE(out["errors"][0]["code"], "unknown_field") << k;
  }
}

}  // namespace
}  // namespace llmcalc
