#pragma once
// Number formatting for formulas and messages: locale-independent, never "nan" or "inf".

#include <string>

namespace llmcalc {

// Numbers-only estimates (solvers, sweeps drawn as charts) skip all formula text: while a
// TextOff is alive on this thread, the formatters below return empty strings at once.
bool text_enabled();
class TextOff {
 public:
  TextOff();
  ~TextOff();
  TextOff(const TextOff&) = delete;
  TextOff& operator=(const TextOff&) = delete;

 private:
  bool previous_;
};

// Whole numbers below 1e15 print exactly ("6738415616"); others with 6 significant digits.
std::string format_number(double v);
// "12.55 GiB" (binary) or "13.48 GB" (decimal).
std::string format_bytes(double bytes, bool decimal = false);
// "1.23 ms", "45.6 us", "2.5 s", "3.1 h".
std::string format_seconds(double s);
// "1.23 TFLOP" style, decimal.
std::string format_si(double v, const char* unit);

// The same, appended to `out` without a temporary string (the formula hot path).
void append_number(std::string& out, double v);
void append_bytes(std::string& out, double bytes, bool decimal = false);
void append_seconds(std::string& out, double s);
void append_si(std::string& out, double v, const char* unit);

}  // namespace llmcalc
