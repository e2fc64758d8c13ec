#pragma once
// Builds the "show your work" strings: "2 x 32 layers x 32 kv_heads x 128 head_dim x 2 B".

#include <string>
#include <string_view>

#include "../report/number_format.hpp"

namespace llmcalc {

class Formula {
 public:
  Formula() = default;
  explicit Formula(std::string_view start) { buf_.lit(start); }
  // Appends "x <value> <unit>" (the first term without the operator).
  Formula& times(double value, std::string_view unit = {}) { return op(" x ", value, unit); }
  Formula& over(double value, std::string_view unit = {}) { return op(" / ", value, unit); }
  Formula& plus(double value, std::string_view unit = {}) { return op(" + ", value, unit); }
  // Appends "<value> <unit>" with no operator before it.
  Formula& value(double v, std::string_view unit = {}) { return op({}, v, unit); }
  Formula& text(std::string_view t) {
    buf_.lit(t);
    return *this;
  }
  std::string str() && { return buf_.str(); }  // the text, allocated once

 private:
  Formula& op(std::string_view sep, double value, std::string_view unit) {
    if (!text_enabled()) return *this;
    if (!buf_.empty() && !sep.empty()) buf_.lit(sep);
    buf_.number(value);
    if (!unit.empty()) buf_.lit(" ").lit(unit);
    return *this;
  }
  TextBuffer buf_;
};

}  // namespace llmcalc
