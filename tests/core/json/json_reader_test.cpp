// The JSON edge (core/src/scenario/json_reader.cpp): raw-text limits, duplicate keys, null,
// echoed text.
#include <gtest/gtest.h>

#include "json/json_reader.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

Errors parse_errors(std::string_view text) {
  Errors e;
  json_io::parse_text(text, "", e);
  return e;
}

TEST(JsonReader, DuplicateKeysAreRefusedWithTheirPath) {
  Errors e = parse_errors(R"({"a":1,"a":2})");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].path, "/a");
  EXPECT_EQ(e[0].code, "duplicate");
  e = parse_errors(R"({"x":[{"k":1},{"k":1,"k":2}]})");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].path, "/x/1/k");
  e = parse_errors(R"({"p/q":{"a~b":{"z":1,"z":2}}})");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].path, "/p~1q/a~0b/z");
  // The same key in sibling objects is fine; so is an escaped spelling of another key.
  EXPECT_TRUE(parse_errors(R"({"a":{"k":1},"b":{"k":1},"c":[1,1]})").empty());
  // A key spelled two ways is still the same key.
  EXPECT_EQ(parse_errors(R"({"ab":1,"\u0061b":2})").at(0).code, "duplicate");
  // Through the scenario reader.
  const Errors s = errors_of(R"({"model":"llama-2-7b","workload":{"batch":2,"batch":4}})");
  EXPECT_EQ(s.at(0).path, "/workload/batch");
  EXPECT_EQ(s.at(0).code, "duplicate");
}

TEST(JsonReader, RawTextLimitsRunBeforeParsing) {
  EXPECT_EQ(parse_errors(std::string(75000, '[')).at(0).code, "too_deep");
  EXPECT_EQ(parse_errors(std::string(json_io::kMaxTextBytes + 1, ' ')).at(0).code, "too_large");
  const Errors e = parse_errors(R"({"n":1e400})");
  EXPECT_EQ(e.at(0).code, "invalid_json");
  EXPECT_NE(e.at(0).message.find("1e400"), std::string::npos) << e.at(0).message;
}

TEST(JsonReader, NullIsWrongTypeInTheScenario) {
  const Errors e = errors_of(R"({"model":"llama-2-7b","hardware":{"memory_bytes":null}})");
  EXPECT_EQ(e.at(0).path, "/hardware/memory_bytes");
  EXPECT_EQ(e.at(0).code, "wrong_type");
  EXPECT_EQ(errors_of(R"({"model":"llama-2-7b","workload":null})").at(0).code, "wrong_type");
  EXPECT_EQ(errors_of(R"({"model":null})").at(0).code, "wrong_type");
  // In a Hugging Face config null means unset, as HF writes it.
  scenario(R"({"model":{"hf_config":{"model_type":"llama","vocab_size":32000,"hidden_size":4096,
    "num_hidden_layers":32,"num_attention_heads":32,"intermediate_size":11008,"rope_scaling":null,
    "num_key_value_heads":null}}})");
}

TEST(JsonReader, EchoedTextIsEscaped) {
  EXPECT_EQ(json_io::quote("a\x1b[31mb"), "\"a\\u001b[31mb\"");
  EXPECT_EQ(json_io::quote("\xc2\x9b"), "\"\\u009b\"");  // C1 CSI
  EXPECT_EQ(json_io::quote("x\xff"), "\"x\\xff\"");
  EXPECT_EQ(json_io::quote("q\"\\"), "\"q\\\"\\\\\"");
  EXPECT_EQ(json_io::quote(std::string(50, 'a'), 4), "\"aaaa...\"");
  EXPECT_TRUE(json_io::valid_utf8("\xc3\xa9\xf0\x9f\x98\x80"));
  EXPECT_FALSE(json_io::valid_utf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(json_io::valid_utf8("\xed\xa0\x80"));  // a UTF-16 surrogate
  EXPECT_FALSE(json_io::valid_utf8("\xe2\x82"));      // cut short
  const Errors e = errors_of("{\"model\":\"llama\\u001b[2J\"}");
  EXPECT_EQ(e.at(0).message.find('\x1b'), std::string::npos) << e.at(0).message;
  EXPECT_NE(e.at(0).message.find("\\u001b[2J"), std::string::npos) << e.at(0).message;
}

}  // namespace
}  // namespace llmcalc::test
