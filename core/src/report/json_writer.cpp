#include "json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
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
  out_.resize(8192);  // a full report is about 5 KB: written in place, grown by doubling
  first_.reserve(8);
}

// The writer keeps its own length inside out_ and writes through a pointer: appends to a
// std::string are out-of-line calls in the WebAssembly build, and a report is some 600
// small pieces (measured: ~30% of a WASM estimate before this).
char* JsonWriter::room(size_t n) {
  if (len_ + n > out_.size()) out_.resize(std::max(out_.size() * 2, len_ + n));
  return out_.data() + len_;
}

void JsonWriter::commit(char* end) { len_ = static_cast<size_t>(end - out_.data()); }

std::string JsonWriter::take() {
  out_.resize(len_);
  len_ = 0;
  return std::move(out_);
}

// Writes the comma an element needs (at most one byte), returns the end.
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

JsonWriter& JsonWriter::open(char bracket) {
  char* p = separator(room(2));
  *p++ = bracket;
  commit(p);
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  *room(1) = bracket;
  ++len_;
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_object() { return open('{'); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() { return open('['); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view k) {
  // Keys are the writer's own identifiers ("total_bytes"): nothing to escape.
  char* p = separator(room(k.size() + 4));
  *p++ = '"';
  std::memcpy(p, k.data(), k.size());
  p += k.size();
  *p++ = '"';
  *p++ = ':';
  commit(p);
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  char* p = separator(room(80));
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
  commit(p);
  return *this;
}

JsonWriter& JsonWriter::value(long long v) {
  char* p = separator(room(32));
  commit(std::to_chars(p, p + 24, v).ptr);
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  const std::string_view t = v ? "true" : "false";
  char* p = separator(room(8));
  std::memcpy(p, t.data(), t.size());
  commit(p + t.size());
  return *this;
}

JsonWriter& JsonWriter::null() {
  char* p = separator(room(8));
  std::memcpy(p, "null", 4);
  commit(p + 4);
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  // Worst case every byte becomes \u00XX (6 bytes), plus the comma and the quotes.
  char* p = separator(room(6 * s.size() + 3));
  *p++ = '"';
  size_t i = 0;
  // Formulas are long and almost never need escaping: copy clean 8-byte blocks at once.
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t block;
    std::memcpy(&block, s.data() + i, 8);
    if (any_escape(block)) break;
  }
  std::memcpy(p, s.data(), i);
  p += i;
  static constexpr char kHex[] = "0123456789abcdef";
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kEscape[c]) {
      *p++ = static_cast<char>(c);
      continue;
    }
    *p++ = '\\';
    switch (c) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\n': *p++ = 'n'; break;
      case '\r': *p++ = 'r'; break;
      case '\t': *p++ = 't'; break;
      default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 15];
    }
  }
  *p++ = '"';
  commit(p);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  char* p = separator(room(json.size() + 1));
  std::memcpy(p, json.data(), json.size());
  commit(p + json.size());
  return *this;
}

}  // namespace llmcalc
