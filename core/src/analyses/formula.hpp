#pragma once
// Builds the "show your work" strings: "2 x 32 layers x 32 kv_heads x 128 head_dim x 2 B".

#include <string>
#include <string_view>

#include "../report/number_format.hpp"

namespace llmcalc {

class Formula {
 public:
  Formula() = default;
  explicit Formula(std::string start) : text_(std::move(start)) {}
  // Appends "x <value> <unit>" (the first term without the operator).
  Formula& times(double value, std::string_view unit = {}) { return op(" x ", value, unit); }
  Formula& over(double value, std::string_view unit = {}) { return op(" / ", value, unit); }
  Formula& plus(double value, std::string_view unit = {}) { return op(" + ", value, unit); }
  Formula& text(std::string_view t) {
    if (text_enabled()) text_ += t;
    return *this;
  }
  const std::string& str() const& { return text_; }
  std::string str() && { return std::move(text_); }  // hands the text over, no copy

 private:
  Formula& op(std::string_view sep, double value, std::string_view unit) {
    if (!text_enabled()) return *this;
    if (text_.empty()) text_.reserve(160);
    else text_ += sep;
    append_number(text_, value);
    if (!unit.empty()) {
      text_ += ' ';
      text_ += unit;
    }
    return *this;
  }
  std::string text_;
};

}  // namespace llmcalc
