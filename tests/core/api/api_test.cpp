// The JSON boundary: envelopes, no exceptions, no non-finite numbers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llmcalc/api.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

TEST(Api, EstimateEnvelope) {
  const json ok = json::parse(estimate_json(R"({"model":"llama-2-7b"})"));
  EXPECT_TRUE(ok["ok"].get<bool>());
  EXPECT_EQ(ok["report"]["model"]["id"], "llama-2-7b");
  for (const char* id : {"weights", "kv_cache", "activations", "runtime_overhead"}) {
    bool found = false;
    for (const auto& i : ok["report"]["memory"]["items"]) found = found || i["id"] == id;
    EXPECT_TRUE(found) << id;
  }
  const json bad = json::parse(estimate_json(R"({"model":"x"})"));
  EXPECT_FALSE(bad["ok"].get<bool>());
  EXPECT_EQ(bad["errors"][0]["path"], "/model");
  EXPECT_EQ(bad["errors"][0]["code"], "unknown_preset");
}

TEST(Api, TrainingReportHasRequiredItems) {
  const json r = json::parse(estimate_json(R"({"model":"llama-2-7b","mode":"training"})"))["report"];
  for (const char* id : {"weights", "gradients", "optimizer_states", "master_weights", "activations",
                         "runtime_overhead"}) {
    bool found = false;
    for (const auto& i : r["memory"]["items"]) found = found || i["id"] == id;
    EXPECT_TRUE(found) << id;
  }
  EXPECT_TRUE(r["training"].is_object());
  EXPECT_TRUE(r["latency"].is_null());
}

TEST(Api, SweepCompactAndFull) {
  const json s = json::parse(sweep_json(R"({"model":"llama-2-7b"})",
                                        R"({"vary":"prompt","values":[512,1024,2048],"compact":true})"));
  ASSERT_TRUE(s["ok"].get<bool>()) << s.dump();
  EXPECT_EQ(s["series"]["total_bytes"].size(), 3u);
  EXPECT_LT(s["series"]["total_bytes"][0].get<double>(), s["series"]["total_bytes"][2].get<double>());
  const json g = json::parse(sweep_json(R"({"model":"llama-2-7b"})", R"({"vary":"gpu","values":["h100-sxm","l4"]})"));
  ASSERT_TRUE(g["ok"].get<bool>());
  EXPECT_EQ(g["points"][1]["report"]["gpu"]["id"], "l4");
  const json bad = json::parse(sweep_json(R"({"model":"llama-2-7b"})", R"({"vary":"batch","values":[1,0,"x"]})"));
  EXPECT_FALSE(bad["ok"].get<bool>());
  EXPECT_EQ(bad["errors"][0]["path"], "/sweep/values/1");
  EXPECT_EQ(bad["errors"][1]["path"], "/sweep/values/2");
}

TEST(Api, SolveQuestions) {
  for (const char* q : {"max-batch", "max-context", "min-gpus", "knee"}) {
    const json r = json::parse(solve_json(R"({"model":"llama-2-7b"})", std::string(R"({"question":")") + q + "\"}"));
    EXPECT_TRUE(r["ok"].get<bool>()) << q << r.dump();
  }
  const json bad = json::parse(solve_json(R"({"model":"llama-2-7b"})", R"({"question":"min-cost"})"));
  EXPECT_EQ(bad["errors"][0]["path"], "/question/question");
}

TEST(Api, CatalogsAndVersion) {
  EXPECT_GE(json::parse(models_json())["models"].size(), 40u);
  EXPECT_GE(json::parse(gpus_json())["gpus"].size(), 19u);
  EXPECT_FALSE(version().empty());
  const json cfg = json::parse(export_hf_config_json("llama-3-8b"));
  EXPECT_EQ(cfg["config"]["num_key_value_heads"], 8);
}

TEST(Api, Utf8IsNeverCutAndNulIsRefused) {
  // An unknown id of 2-byte characters: the echoed excerpt must stay valid UTF-8.
  std::string id;
  for (int i = 0; i < 30; ++i) id += "\xc3\xa9";  // U+00E9
  const json bad = json::parse(estimate_json("{\"model\":\"a" + id + "\"}"));
  EXPECT_EQ(bad["errors"][0]["code"], "unknown_preset");
  // 40 bytes would end inside a character: the cut backs up to 'a' + 19 of them. (The
  // serializer would replace a broken character with U+FFFD, so check for that too.)
  std::string kept = "a";
  for (int i = 0; i < 19; ++i) kept += "\xc3\xa9";
  const std::string message = bad["errors"][0]["message"].get<std::string>();
  EXPECT_NE(message.find("\"" + kept + "...\""), std::string::npos) << message;
  EXPECT_EQ(message.find("\xef\xbf\xbd"), std::string::npos) << message;
  const std::string nul = std::string(R"({"model":"llama-2-7b"})") + '\0' + "garbage";
  const json refused = json::parse(estimate_json(nul));
  EXPECT_FALSE(refused["ok"].get<bool>());
  EXPECT_EQ(refused["errors"][0]["code"], "invalid_json");
}

TEST(Api, HostileInputNeverThrows) {
  const char* inputs[] = {"", "null", "[]", "{", "\"x\"", "1e999", "{\"model\":{}}",
                          "{\"model\":\"llama-2-7b\",\"workload\":{\"batch\":1e308}}",
                          "{\"model\":\"llama-2-7b\",\"hardware\":{\"memory_bytes\":1e-300}}",
                          "{\"model\":{\"hf_config\":[]}}", "{\"model\":{\"architecture\":null}}"};
  for (const char* in : inputs) {
    std::string out;
    EXPECT_NO_THROW(out = estimate_json(in)) << in;
    const json j = json::parse(out);
    EXPECT_FALSE(j["ok"].get<bool>()) << in;
  }
}

}  // namespace
}  // namespace llmcalc::test
