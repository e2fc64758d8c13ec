#include "json_reader.hpp"

#include <cmath>

#include "../text/number_format.hpp"

namespace llmcalc::json_io {
namespace {

constexpr size_t kMaxTextBytes = 4u << 20;  // a config.json is a few KB; 4 MiB is generous
constexpr int kMaxDepth = 32;

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

std::optional<json> parse_text(std::string_view text, const std::string& path, Errors& errors) {
  if (text.size() > kMaxTextBytes) {
    errors.push_back({path, "too_large",
                      "input is " + std::to_string(text.size()) + " bytes; the limit is " +
                          std::to_string(kMaxTextBytes)});
    return std::nullopt;
  }
  if (text.find('\0') != std::string_view::npos) {
    // The parser would stop at the NUL and accept a prefix of the input.
    errors.push_back({path, "invalid_json", "input contains a NUL byte"});
    return std::nullopt;
  }
  if (nesting_depth(text) > kMaxDepth) {
    errors.push_back({path, "too_deep",
                      "input nests deeper than " + std::to_string(kMaxDepth) + " levels"});
    return std::nullopt;
  }
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    errors.push_back({path, "invalid_json", "input is not valid JSON"});
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

void ObjectReader::error(std::string_view key, std::string code, std::string message) {
  errors_.push_back({child_path(key), std::move(code), std::move(message)});
}

std::optional<int64_t> ObjectReader::integer(std::string_view key, int64_t min, int64_t max,
                                             std::optional<int64_t> fallback) {
  const json* v = raw(key);
  if (v == nullptr) {
    if (!fallback && obj_ != nullptr) error(key, "missing_field", "is required");
    return fallback;
  }
  if (auto i = integer_in_range(*v, min, max)) return i;
  return as_integer(*v, child_path(key), min, max, errors_);
}

std::optional<double> ObjectReader::number(std::string_view key, double min, double max,
                                           std::optional<double> fallback) {
  const json* v = raw(key);
  if (v == nullptr) {
    if (!fallback && obj_ != nullptr) error(key, "missing_field", "is required");
    return fallback;
  }
  if (auto d = number_in_range(*v, min, max)) return d;
  return as_number(*v, child_path(key), min, max, errors_);
}

std::optional<bool> ObjectReader::boolean(std::string_view key, std::optional<bool> fallback) {
  const json* v = raw(key);
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
  const json* v = raw(key);
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
  const json* v = raw(key);
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
  const std::string shown = shorten(v->get_ref<const std::string&>(), 40);
  error(key, "unknown_value", "must be one of: " + list + "; got \"" + shown + "\"");
  return std::nullopt;
}

ObjectReader ObjectReader::object(std::string_view key) {
  return ObjectReader(raw(key), child_path(key), errors_);
}

void ObjectReader::reject_unknown(std::initializer_list<std::string_view> known) {
  if (obj_ == nullptr) return;
  for (auto it = obj_->begin(); it != obj_->end(); ++it) {
    bool found = false;
    for (auto k : known) found = found || k == it.key();
    if (!found) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      const std::string shown = shorten(it.key(), 40);
      errors_.push_back({child_path(it.key()), "unknown_field",
                         "unknown field \"" + shown + "\"; expected one of: " + list});
    }
  }
}

}  // namespace llmcalc::json_io
