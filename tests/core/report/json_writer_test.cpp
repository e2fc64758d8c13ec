// The report's JSON writer: escaping, separators and growth, checked by parsing its output
// back with nlohmann (an independent parser) and by exact text where the form matters.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <limits>
#include <string>

#include "report/json_writer.hpp"
#include "text/number_format.hpp"

namespace llmcalc {
namespace {

std::string one_string(std::string_view s) {
  JsonWriter w;
  w.begin_array().value(s).end_array();
  return w.take();
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(one_string("a\"b\\c"), R"(["a\"b\\c"])");
  EXPECT_EQ(one_string("tab\there\nnew\rline"), R"(["tab\there\nnew\rline"])");
  EXPECT_EQ(one_string(std::string("\x01\x1f", 2)), R"(["\u0001\u001f"])");
  EXPECT_EQ(one_string(std::string("nul\0x", 5)), R"(["nul\u0000x"])");
  EXPECT_EQ(one_string("caf\xc3\xa9 \xe2\x82\xac"), "[\"caf\xc3\xa9 \xe2\x82\xac\"]");  // UTF-8 kept
  EXPECT_EQ(one_string(""), R"([""])");
}

TEST(JsonWriter, EscapesAtEveryPositionOfTheBlockScan) {
  // The clean-block scan reads 8 bytes at a time: put the one escape at each offset of
  // strings of several lengths and parse the result back.
  for (size_t len = 1; len <= 40; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (char special : {'"', '\\', '\n', '\x02'}) {
        std::string s(len, 'x');
        s[at] = special;
        const auto parsed = nlohmann::json::parse(one_string(s));
        ASSERT_EQ(parsed.at(0).get<std::string>(), s) << "len " << len << " at " << at;
      }
    }
  }
}

TEST(JsonWriter, SeparatorsKeysNumbersAndNesting) {
  JsonWriter w;
  w.begin_object()
      .field("a", 1)
      .field("b", 2.5)
      .field("c", true)
      .key("d").null()
      .key("e").begin_array().value(1e300).value(-0.125).value(9007199254740992.0).end_array()  // 2^53: not exact, so not as an integer
      .key("f").begin_object().end_object()
      .key("g").raw(R"({"x":[1,2]})")
      .end_object();
  EXPECT_EQ(w.take(),
            R"({"a":1,"b":2.5,"c":true,"d":null,"e":[1e+300,-0.125,9.007199254740992e+15],"f":{},)"
            R"("g":{"x":[1,2]}})");
}

TEST(JsonWriter, NonFiniteNumbersAreNullAndFlagged) {
  JsonWriter w;
  w.begin_array().value(1.0).end_array();
  EXPECT_FALSE(w.saw_non_finite());
  JsonWriter bad;
  bad.begin_array().value(std::numeric_limits<double>::quiet_NaN()).end_array();
  EXPECT_TRUE(bad.saw_non_finite());
  EXPECT_EQ(bad.take(), "[null]");
}

TEST(JsonWriter, GrowsPastItsInitialBuffer) {
  // 8 KB are reserved up front; write far more, in small and large pieces.
  JsonWriter w;
  w.begin_array();
  std::string big(100000, 'y');
  big[50000] = '"';
  w.value(big);
  for (int i = 0; i < 5000; ++i) w.value(static_cast<long long>(i));
  w.end_array();
  const auto parsed = nlohmann::json::parse(w.take());
  ASSERT_EQ(parsed.size(), 5001u);
  EXPECT_EQ(parsed[0].get<std::string>(), big);
  EXPECT_EQ(parsed[5000].get<int>(), 4999);
}

}  // namespace
}  // namespace llmcalc
