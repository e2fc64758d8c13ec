#pragma once
// Reads one JSON object field by field, recording typed errors with JSON-pointer paths.
// The only place (with the writers in report/) that knows nlohmann::json.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "llmcalc/error.hpp"

namespace llmcalc::json_io {

using json = nlohmann::json;

inline constexpr size_t kMaxTextBytes = 4u << 20;  // a config.json is a few KB; 4 MiB is generous
inline constexpr int kMaxDepth = 32;

// Parses text without throwing; rejects oversized or too deeply nested documents on the raw
// text before parsing so that hostile input cannot exhaust the stack or the heap, and
// rejects a key given twice in one object (code duplicate, with its path).
std::optional<json> parse_text(std::string_view text, const std::string& path, Errors& errors);

// Size, NUL and depth checks on raw text (what parse_text runs first); true when it passes.
bool check_raw_text(std::string_view text, const std::string& path, Errors& errors);

std::string type_name(const json& j);

class ObjectReader {
 public:
  // Reports wrong_type when j is not an object (then every getter returns nothing).
  ObjectReader(const json* j, std::string path, Errors& errors);

  bool valid() const { return obj_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string child_path(std::string_view key) const;
  bool has(std::string_view key) const;
  // The value, or nullptr when absent or null (readers that take null for "unset").
  const json* raw(std::string_view key) const;
  // The value, or nullptr when absent; a null is reported as wrong_type (and nullptr returned).
  const json* strict(std::string_view key, std::string_view expected);

  // Each getter returns the value, the default when absent, or nullopt after an error.
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max,
                                 std::optional<int64_t> fallback = std::nullopt);
  std::optional<double> number(std::string_view key, double min, double max,
                               std::optional<double> fallback = std::nullopt);
  std::optional<bool> boolean(std::string_view key, std::optional<bool> fallback = std::nullopt);
  std::optional<std::string> string(std::string_view key,
                                    std::optional<std::string> fallback = std::nullopt);
  // A string that must be one of `choices`; returns its index.
  std::optional<size_t> choice(std::string_view key, std::initializer_list<std::string_view> choices,
                               std::optional<size_t> fallback = std::nullopt);
  std::optional<size_t> choice(std::string_view key, const std::vector<std::string_view>& choices,
                               std::optional<size_t> fallback = std::nullopt);
  ObjectReader object(std::string_view key);  // invalid reader when absent (no error)

  void error(std::string_view key, std::string code, std::string message);
  // Reports every key not in `known` as unknown_field (catches typos such as "bacth").
  void reject_unknown(std::initializer_list<std::string_view> known);

  Errors& errors() { return errors_; }

 private:
  std::optional<size_t> choice(std::string_view key, const std::string_view* choices, size_t n,
                               std::optional<size_t> fallback);
  template <class T, class InRange, class As>
  std::optional<T> ranged(std::string_view key, std::string_view expected, T min, T max,
                          std::optional<T> fallback, InRange in_range, As as);
  const json* obj_;
  bool null_seen_ = false;  // the last strict() lookup found a null (and reported it)
  std::string path_;
  Errors& errors_;
};

// Value checks shared by every reader.
std::optional<int64_t> as_integer(const json& v, const std::string& path, int64_t min,
                                  int64_t max, Errors& errors);
std::optional<double> as_number(const json& v, const std::string& path, double min, double max,
                                Errors& errors);

std::string escape_pointer_token(std::string_view key);

// At most `max` bytes of s, cut at a UTF-8 character boundary, with "..." when cut (user
// text echoed in messages and names must stay valid UTF-8).
std::string shorten(std::string_view s, size_t max);

// User text as it may be echoed in a message: shortened, in double quotes, with control
// characters, quotes and backslashes escaped JSON-style (ESC shows as \u001b, so no escape
// sequence reaches a terminal) and invalid UTF-8 bytes shown as \xNN.
std::string quote(std::string_view s, size_t max = 40);

// Whether s is well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF).
bool valid_utf8(std::string_view s);

}  // namespace llmcalc::json_io
