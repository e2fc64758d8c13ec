#pragma once
// Number formatting for formulas and messages: locale-independent, never "nan" or "inf".

#include <cstring>
#include <string>
#include <string_view>

namespace llmcalc {

// Whole numbers below 1e15 print exactly ("6738415616"); others with 6 significant digits.
std::string format_number(double v);
// "12.55 GiB" (binary) or "13.48 GB" (decimal).
std::string format_bytes(double bytes, bool decimal = false);
// "1.23 ms", "45.6 us", "2.5 s", "3.1 h".
std::string format_seconds(double s);
// "1.23 TFLOP" style, decimal.
std::string format_si(double v, const char* unit);

// The same writers appending to a string (no temporary): for renderers that build long texts.
void append_number(std::string& out, double v);
void append_seconds(std::string& out, double s);
// "%.{digits}g" with trailing zeros dropped (whole from 10^digits up to 1e9).
void append_significant(std::string& out, double v, int digits);

// Builds one text in a stack buffer and hands it over as a string with a single allocation:
// formulas are assembled from dozens of short pieces on every estimate, and appending each
// piece to a std::string costs more than formatting the numbers. Longer texts spill into a
// string; nothing is ever cut.
class TextBuffer {
 public:
  // Inline so that a literal's length is a constant and the copy a few moves.
  TextBuffer& lit(std::string_view t) {
    if (t.size() <= static_cast<std::size_t>(buf_ + kSize - end_)) {
      std::memcpy(end_, t.data(), t.size());
      end_ += t.size();
    } else {
      lit_slow(t);
    }
    return *this;
  }
  TextBuffer& number(double v);
  TextBuffer& si(double v, std::string_view unit);
  TextBuffer& bytes(double v, bool decimal = false);
  TextBuffer& seconds(double s);
  bool empty() const { return end_ == buf_ && spill_.empty(); }
  std::string str();

 private:
  static constexpr std::size_t kSize = 512;
  static constexpr std::size_t kReserve = 96;  // the longest single number write, with margin
  char* room(std::size_t n);  // a place for n more characters (spills the buffer if full)
  void lit_slow(std::string_view t);
  char buf_[kSize];
  char* end_ = buf_;
  std::string spill_;
};

}  // namespace llmcalc
