#include "json_reader.hpp"

#include <cmath>
#include <unordered_set>

#include "../text/number_format.hpp"

namespace llmcalc::json_io {
namespace {

// Depth of brackets outside strings; stops early once over the limit.
int nesting_depth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > kMaxDepth) break;
    } else if (c == '}' || c == ']') --depth;
  }
  return max_depth;
}

// Builds the DOM (nlohmann's own SAX DOM builder) while remembering the keys of each open
// object, so that a key given twice is an error instead of "the last one wins".
class DuplicateCheckingSax {
 public:
  DuplicateCheckingSax(json& root, const std::string& base, Errors& errors)
      : dom_(root, /*allow_exceptions=*/false), base_(base), errors_(errors) {}

  bool null() { return element() && dom_.null(); }
  bool boolean(bool v) { return element() && dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return element() && dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return element() && dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const std::string& s) {
    return element() && dom_.number_float(v, s);
  }
  bool string(std::string& v) { return element() && dom_.string(v); }
  bool binary(json::binary_t& v) { return element() && dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (!element()) return false;
    frames_.push_back({false, 0, {}, {}});
    return dom_.start_object(n);
  }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) {
      errors_.push_back(make_error(path() + "/" + escape_pointer_token(k), ErrorCode::duplicate,
                                   "key " + quote(k) + " is given twice in this object"));
      return false;  // stops the parse: one report per document is enough
    }
    f.token = escape_pointer_token(k);
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (!element()) return false;
    frames_.push_back({true, 0, {}, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception& e) {
    syntax_error_ = true;
    detail_ = e.what();
    return dom_.parse_error(pos, token, e);
  }

  bool syntax_error() const { return syntax_error_; }
  const std::string& detail() const { return detail_; }

 private:
  struct Frame {
    bool array;
    size_t next;        // arrays: index of the next element
    std::string token;  // the current element's pointer token
    std::unordered_set<std::string> keys;
  };
  // Called at the start of every value: inside an array it is the next element.
  bool element() {
    if (!frames_.empty() && frames_.back().array)
      frames_.back().token = std::to_string(frames_.back().next++);
    return true;
  }
  std::string path() const {
    std::string p = base_;
    for (const auto& f : frames_)
      if (&f != &frames_.back()) p += "/" + f.token;
    return p;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  const std::string& base_;
  Errors& errors_;
  std::vector<Frame> frames_;
  bool syntax_error_ = false;
  std::string detail_;
};

}  // namespace

std::string escape_pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string shorten(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  // Back up over continuation bytes (10xxxxxx) to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 (RFC 3629 table 3-7 ranges).
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return left >= 3 && cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return left >= 4 && cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string quote(std::string_view s, size_t max) {
  std::string out = "\"";
  static const char* hex = "0123456789abcdef";
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = utf8_length(s, i);
    if (i + std::max<size_t>(n, 1) > max) {  // cut before a character that would pass max
      out += "...";
      break;
    }
    if (n == 0) {
      ((out += "\\x") += hex[c >> 4]) += hex[c & 15];
      ++i;
    } else if (c == '"' || c == '\\') {
      (out += '\\') += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      ((out += "\\u00") += hex[c >> 4]) += hex[c & 15];
      ++i;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      // C1 controls U+0080-U+009F (U+009B is a terminal's CSI): the code point is byte 2.
      const unsigned char cp = static_cast<unsigned char>(s[i + 1]);
      ((out += "\\u00") += hex[cp >> 4]) += hex[cp & 15];
      i += 2;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out + "\"";
}

bool check_raw_text(std::string_view text, const std::string& path, Errors& errors) {
  if (text.size() > kMaxTextBytes) {
    errors.push_back(make_error(path, ErrorCode::too_large,
                                "input is larger than the limit of " +
                                    std::to_string(kMaxTextBytes) + " bytes"));
    return false;
  }
  if (text.find('\0') != std::string_view::npos) {
    // The parser would stop at the NUL and accept a prefix of the input.
    errors.push_back(make_error(path, ErrorCode::invalid_json, "input contains a NUL byte"));
    return false;
  }
  if (nesting_depth(text) > kMaxDepth) {
    errors.push_back(make_error(path, ErrorCode::too_deep,
                                "input nests deeper than " + std::to_string(kMaxDepth) + " levels"));
    return false;
  }
  return true;
}

std::optional<json> parse_text(std::string_view text, const std::string& path, Errors& errors) {
  if (!check_raw_text(text, path, errors)) return std::nullopt;
  json j;
  const size_t before = errors.size();
  DuplicateCheckingSax sax(j, path, errors);
  const bool ok = json::sax_parse(text.begin(), text.end(), &sax);
  if (errors.size() != before) return std::nullopt;  // a duplicate key
  if (!ok || sax.syntax_error() || j.is_discarded()) {
    // nlohmann's message names the position and the token ("number overflow parsing '1e400'");
    // it shows control characters as <U+001B>, but copies other bytes of the token as read:
    // quote() escapes invalid UTF-8 and C1 controls (found by tests/fuzz/fuzz_cli_args).
    std::string why = sax.detail();
    const auto at = why.find("] ");
    if (at != std::string::npos) why = why.substr(at + 2);
    why = quote(why, 200);
    why = why.substr(1, why.size() - 2);  // without quote()'s quotation marks
    errors.push_back(make_error(path, ErrorCode::invalid_json,
                                "input is not valid JSON" + (why.empty() ? "" : ": " + shorten(why, 160))));
    return std::nullopt;
  }
  return j;
}

std::string type_name(const json& j) {
  if (j.is_number_integer()) return "integer";
  if (j.is_number_float()) return "number";
  return j.type_name();
}

namespace {

// The checks below run for every field of every request: a valid value returns at once,
// and the path and message strings are built only for an error.
std::optional<int64_t> integer_in_range(const json& v, int64_t min, int64_t max) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(max) && static_cast<int64_t>(u) >= min) return static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i >= min && i <= max) return i;
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(min) &&
        d <= static_cast<double>(max))
      return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> number_in_range(const json& v, double min, double max) {
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  if (std::isfinite(d) && d >= min && d <= max) return d;
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> as_integer(const json& v, const std::string& path, int64_t min,
                                  int64_t max, Errors& errors) {
  if (auto i = integer_in_range(v, min, max)) return i;
  const std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(max) || static_cast<int64_t>(u) < min) {
      errors.push_back({path, "out_of_range", "must be an integer in " + range + ", got " +
                                                  std::to_string(u)});
      return std::nullopt;
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i < min || i > max) {
      errors.push_back({path, "out_of_range", "must be an integer in " + range + ", got " +
                                                  std::to_string(i)});
      return std::nullopt;
    }
    return i;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) {
      errors.push_back({path, "not_integer", "must be a whole number, got " + format_number(d)});
      return std::nullopt;
    }
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
      errors.push_back({path, "out_of_range", "must be an integer in " + range + ", got " +
                                                  format_number(d)});
      return std::nullopt;
    }
    return static_cast<int64_t>(d);
  }
  errors.push_back({path, "wrong_type", "must be an integer, got " + type_name(v)});
  return std::nullopt;
}

std::optional<double> as_number(const json& v, const std::string& path, double min, double max,
                                Errors& errors) {
  if (auto d = number_in_range(v, min, max)) return d;
  if (!v.is_number()) {
    errors.push_back({path, "wrong_type", "must be a number, got " + type_name(v)});
    return std::nullopt;
  }
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    errors.push_back({path, "out_of_range", "must be a number in [" + format_number(min) + ", " +
                                                format_number(max) + "], got " +
                                                format_number(d)});
    return std::nullopt;
  }
  return d;
}

ObjectReader::ObjectReader(const json* j, std::string path, Errors& errors)
    : obj_(nullptr), path_(std::move(path)), errors_(errors) {
  if (j == nullptr) return;
  if (!j->is_object()) {
    errors_.push_back({path_.empty() ? "" : path_, "wrong_type",
                       "must be an object, got " + type_name(*j)});
    return;
  }
  obj_ = j;
}

std::string ObjectReader::child_path(std::string_view key) const {
  return path_ + "/" + escape_pointer_token(key);
}

bool ObjectReader::has(std::string_view key) const {
  return obj_ != nullptr && obj_->find(key) != obj_->end();
}

const json* ObjectReader::raw(std::string_view key) const {
  if (obj_ == nullptr) return nullptr;
  auto it = obj_->find(key);
  if (it == obj_->end() || it->is_null()) return nullptr;
  return &*it;
}

const json* ObjectReader::strict(std::string_view key, std::string_view expected) {
  if (obj_ == nullptr) return nullptr;
  auto it = obj_->find(key);
  if (it == obj_->end()) return nullptr;
  if (it->is_null()) {
    // null is not "use the default": a scenario leaves a field out for that.
    error(key, "wrong_type", "must be " + std::string(expected) + ", got null (leave the field out for its default)");
    null_seen_ = true;
    return nullptr;
  }
  return &*it;
}

void ObjectReader::error(std::string_view key, std::string code, std::string message) {
  errors_.push_back({child_path(key), std::move(code), std::move(message)});
}

// integer() and number() differ only in the range check they run: one body for both.
template <class T, class InRange, class As>
std::optional<T> ObjectReader::ranged(std::string_view key, std::string_view expected, T min, T max,
                                      std::optional<T> fallback, InRange in_range, As as) {
  null_seen_ = false;
  const json* v = strict(key, expected);
  if (null_seen_) return std::nullopt;
  if (v == nullptr) {
    if (!fallback && obj_ != nullptr) error(key, "missing_field", "is required");
    return fallback;
  }
  if (auto x = in_range(*v, min, max)) return x;  // the fast path: no path string built
  return as(*v, child_path(key), min, max, errors_);
}

std::optional<int64_t> ObjectReader::integer(std::string_view key, int64_t min, int64_t max,
                                             std::optional<int64_t> fallback) {
  return ranged<int64_t>(key, "an integer", min, max, fallback, integer_in_range, as_integer);
}

std::optional<double> ObjectReader::number(std::string_view key, double min, double max,
                                           std::optional<double> fallback) {
  return ranged<double>(key, "a number", min, max, fallback, number_in_range, as_number);
}

std::optional<bool> ObjectReader::boolean(std::string_view key, std::optional<bool> fallback) {
  null_seen_ = false;
  const json* v = strict(key, "true or false");
  if (null_seen_) return std::nullopt;
  if (v == nullptr) {
    if (!fallback && obj_ != nullptr) error(key, "missing_field", "is required");
    return fallback;
  }
  if (!v->is_boolean()) {
    error(key, "wrong_type", "must be true or false, got " + type_name(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::string> ObjectReader::string(std::string_view key,
                                                std::optional<std::string> fallback) {
  null_seen_ = false;
  const json* v = strict(key, "a string");
  if (null_seen_) return std::nullopt;
  if (v == nullptr) {
    if (!fallback && obj_ != nullptr) error(key, "missing_field", "is required");
    return fallback;
  }
  if (!v->is_string()) {
    error(key, "wrong_type", "must be a string, got " + type_name(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<size_t> ObjectReader::choice(std::string_view key,
                                           std::initializer_list<std::string_view> choices,
                                           std::optional<size_t> fallback) {
  return choice(key, choices.begin(), choices.size(), fallback);
}

std::optional<size_t> ObjectReader::choice(std::string_view key,
                                           const std::vector<std::string_view>& choices,
                                           std::optional<size_t> fallback) {
  return choice(key, choices.data(), choices.size(), fallback);
}

std::optional<size_t> ObjectReader::choice(std::string_view key, const std::string_view* choices,
                                           size_t n, std::optional<size_t> fallback) {
  null_seen_ = false;
  const json* v = strict(key, "a string");
  if (null_seen_) return std::nullopt;
  if (v == nullptr) {
    if (!fallback && obj_ != nullptr) error(key, "missing_field", "is required");
    return fallback;
  }
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    for (size_t i = 0; i < n; ++i) {
      if (choices[i] == s) return i;
    }
  }
  std::string list;
  for (size_t i = 0; i < n; ++i) list += (list.empty() ? "" : ", ") + std::string(choices[i]);
  if (!v->is_string()) {
    error(key, "wrong_type", "must be one of: " + list + "; got " + type_name(*v));
    return std::nullopt;
  }
  error(key, "unknown_value",
        "must be one of: " + list + "; got " + quote(v->get_ref<const std::string&>()));
  return std::nullopt;
}

ObjectReader ObjectReader::object(std::string_view key) {
  return ObjectReader(strict(key, "an object"), child_path(key), errors_);
}

void ObjectReader::reject_unknown(std::initializer_list<std::string_view> known) {
  if (obj_ == nullptr) return;
  for (auto it = obj_->begin(); it != obj_->end(); ++it) {
    bool found = false;
    for (auto k : known) found = found || k == it.key();
    if (!found) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      errors_.push_back({child_path(it.key()), "unknown_field",
                         "unknown field " + quote(it.key()) + "; expected one of: " + list});
    }
  }
}

}  // namespace llmcalc::json_io
