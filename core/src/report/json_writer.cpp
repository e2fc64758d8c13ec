#include "json_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

namespace llmcalc {
namespace {

// Bytes a JSON string must escape: control characters, the quote and the backslash.
constexpr std::array<bool, 256> kEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// Whether any of the 8 bytes in x needs escaping (SWAR: < 0x20, '"' or '\\'). Each test is
// exact as "any byte" (borrows only spread above a byte that already matches).
bool any_escape(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const uint64_t quote = x ^ (kOnes * '"'), slash = x ^ (kOnes * '\\');
  const uint64_t control = (x - kOnes * 0x20) & ~x;
  const uint64_t is_quote = (quote - kOnes) & ~quote;
  const uint64_t is_slash = (slash - kOnes) & ~slash;
  return ((control | is_quote | is_slash) & kHigh) != 0;
}

}  // namespace

JsonWriter::JsonWriter() {
  out_.reserve(8192);  // a full report is about 5 KB: one allocation, no regrowth
  first_.reserve(8);
}

// Every write below appends once where it can: a comma, a key and a number are put together
// in a stack buffer first. Appends are calls into the standard library (not inlined in the
// WebAssembly build), and a report is some 600 small pieces.
char* JsonWriter::separator(char* p) {
  if (after_key_) {
    after_key_ = false;
    return p;
  }
  if (!first_.empty()) {
    if (!first_.back()) *p++ = ',';
    first_.back() = false;
  }
  return p;
}

// append(const char*, size_t): the (first, last) iterator overload is a slower template.
void JsonWriter::put(const char* begin, const char* end) {
  out_.append(begin, static_cast<size_t>(end - begin));
}

void JsonWriter::separate() {
  char buf[1];
  put(buf, separator(buf));
}

JsonWriter& JsonWriter::open(char bracket) {
  char buf[2];
  char* p = separator(buf);
  *p++ = bracket;
  put(buf, p);
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_object() { return open('{'); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() { return open('['); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view k) {
  // Keys are the writer's own identifiers ("total_bytes"): nothing to escape.
  char buf[80];
  if (k.size() > sizeof buf - 4) {
    separate();
    out_ += '"';
    out_ += k;
    out_ += "\":";
  } else {
    char* p = separator(buf);
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    put(buf, p);
  }
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  char buf[80];
  char* p = separator(buf);
  if (!std::isfinite(v)) {
    non_finite_ = true;
    std::memcpy(p, "null", 4);
    p += 4;
  } else if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    // Integral values (exact below 2^53) print as integers.
    p = std::to_chars(p, p + 24, static_cast<long long>(v)).ptr;
  } else {
    p = nlohmann::detail::to_chars(p, p + 64, v);
  }
  put(buf, p);
  return *this;
}

JsonWriter& JsonWriter::value(long long v) {
  char buf[32];
  char* p = separator(buf);
  put(buf, std::to_chars(p, p + 24, v).ptr);
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  char buf[8];
  char* p = separator(buf);
  const std::string_view t = v ? "true" : "false";
  std::memcpy(p, t.data(), t.size());
  put(buf, p + t.size());
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  char buf[2];
  char* p = separator(buf);
  *p++ = '"';
  put(buf, p);
  size_t run = 0;  // start of the pending run of characters that need no escaping
  size_t i = 0;
  // Formulas are long and almost never need escaping: skip clean 8-byte blocks at once.
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t block;
    std::memcpy(&block, s.data() + i, 8);
    if (any_escape(block)) break;
  }
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kEscape[c]) continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out_ += buf;
      }
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::null() {
  char buf[8];
  char* p = separator(buf);
  std::memcpy(p, "null", 4);
  put(buf, p + 4);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

}  // namespace llmcalc
