#include "number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace llmcalc {
namespace {

// Every writer below puts its characters at `o` (a buffer of at least kBuf chars) and returns
// the end: formulas are built by appending, with no temporary strings on the hot path.
constexpr int kBuf = 64;
constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12};

char* write_integer(char* o, double v) {
  return std::to_chars(o, o + 32, static_cast<long long>(v)).ptr;
}

char* write_text(char* o, std::string_view t) {
  std::memcpy(o, t.data(), t.size());
  return o + t.size();
}

// v with `decimals` digits after the point, trailing zeros (and a bare point) dropped when
// `trim` is set: "%.{decimals}f" without printf. |v| * 10^decimals must stay below 2^53.
// Writes up to 48 characters at `o` (the callers' buffers hold kBuf): digits are produced
// right to left into a scratch buffer and moved with one fixed-size copy, which compiles to
// a few vector moves instead of a call.
char* write_fixed(char* o, double v, int decimals, bool trim) {
  // Round to nearest as printf does, from the exact product: x - q is exact below 2^52, and
  // x is the double nearest to |v| x 10^decimals, so only when x - q is exactly one half can
  // the true product lie on the other side; fma gives its exact error then (rare).
  const double a = std::fabs(v);
  const double p10 = kPow10[decimals];
  const double x = a * p10;
  unsigned long long q = static_cast<unsigned long long>(x);
  const double frac = x - static_cast<double>(q);
  if (frac > 0.5) {
    ++q;
  } else if (frac == 0.5) {
    const double err = std::fma(a, p10, -x);
    if (err > 0 || (err == 0 && (q & 1))) ++q;  // an exact tie goes to even, as in printf
  }
  const bool negative = v < 0 && q != 0;
  char tmp[96];
  char* const end = tmp + 48;
  char* p = end;
  bool keep = !trim;
  for (int i = 0; i < decimals; ++i) {
    const char d = static_cast<char>('0' + q % 10);
    q /= 10;
    if (keep || d != '0') {
      keep = true;
      *--p = d;
    }
  }
  if (keep && decimals > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + q % 10);
    q /= 10;
  } while (q != 0);
  if (negative) *--p = '-';
  std::memcpy(o, p, 48);  // p >= tmp + 8, so 48 bytes stay inside tmp
  return o + (end - p);
}

// "%.{sig}g": sig significant digits, trailing zeros dropped; exact exponent from comparisons
// in [1e-4, 1e9), printf outside it (rare: huge or tiny values). One difference from printf:
// from 10^sig up to 1e9 the value is rounded to a whole number and printed in full
// ("132122458", not "1.32122e+08"), which reads better inside a formula.
char* write_significant(char* o, double v, int sig) {
  const double a = std::fabs(v);
  if (a == 0) {
    *o++ = '0';
    return o;
  }
  if (a < 1e-4 || a >= 1e9) {
    const int n = std::snprintf(o, kBuf, "%.*g", sig, v);
    return o + (n > 0 ? n : 0);
  }
  int e = 0;  // floor(log10(a))
  if (a >= 1) {
    while (e < 12 && a >= kPow10[e + 1]) ++e;
  } else {
    while (e > -5 && a * kPow10[-e] < 1) --e;
  }
  const int decimals = sig - 1 - e;
  return write_fixed(o, v, decimals > 0 ? decimals : 0, true);
}

char* write_number(char* o, double v) {
  if (std::isnan(v)) return write_text(o, "undefined");
  if (std::isinf(v)) return write_text(o, v > 0 ? "unbounded" : "-unbounded");
  // The common case (counts, sizes): integer conversion, no printf.
  if (std::fabs(v) < 1e15 && static_cast<double>(static_cast<long long>(v)) == v)
    return write_integer(o, v);
  return write_significant(o, v, 6);
}

char* write_bytes(char* o, double bytes, bool decimal) {
  if (!std::isfinite(bytes)) return write_number(o, bytes);
  const double unit = decimal ? 1e9 : 1073741824.0;
  const double a = std::fabs(bytes);
  if (a >= unit * 0.1 || a == 0) {
    o = a / unit >= 1e9 ? write_number(o, bytes / unit) : write_fixed(o, bytes / unit, 2, false);
    return write_text(o, decimal ? " GB" : " GiB");
  }
  o = write_fixed(o, bytes / (decimal ? 1e6 : 1048576.0), 2, false);
  return write_text(o, decimal ? " MB" : " MiB");
}

char* write_seconds(char* o, double s) {
  if (!std::isfinite(s)) return write_number(o, s);
  const double a = std::fabs(s);
  if (a >= 7200) {
    o = a / 3600 >= 1e9 ? write_number(o, s / 3600) : write_fixed(o, s / 3600, 2, false);
    return write_text(o, " h");
  }
  if (a >= 1) return write_text(write_significant(o, s, 3), " s");
  if (a >= 1e-3) return write_text(write_significant(o, s * 1e3, 3), " ms");
  return write_text(write_significant(o, s * 1e6, 3), " us");
}

// The number part of write_si; the prefix is returned through `prefix`.
char* write_si_number(char* o, double v, std::string_view* prefix) {
  static constexpr std::string_view prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int i = 0;
  double a = std::fabs(v);
  while (a >= 1000 && i < 6) {
    a /= 1000;
    v /= 1000;
    ++i;
  }
  *prefix = prefixes[i];
  return write_significant(o, v, 3);
}

char* write_si(char* o, double v, std::string_view unit) {
  if (!std::isfinite(v)) return write_number(o, v);
  std::string_view prefix;
  o = write_si_number(o, v, &prefix);
  *o++ = ' ';
  return write_text(write_text(o, prefix), unit);
}

template <class Write>
std::string string_with(Write write) {
  char buf[kBuf + 16];
  return std::string(buf, static_cast<std::size_t>(write(buf) - buf));
}

}  // namespace

template <class Write>
void append_with(std::string& out, Write write) {
  char buf[kBuf + 16];
  out.append(buf, static_cast<std::size_t>(write(buf) - buf));
}

void append_number(std::string& out, double v) {
  append_with(out, [&](char* o) { return write_number(o, v); });
}
void append_seconds(std::string& out, double s) {
  append_with(out, [&](char* o) { return write_seconds(o, s); });
}
void append_significant(std::string& out, double v, int digits) {
  append_with(out, [&](char* o) { return std::isfinite(v) ? write_significant(o, v, digits) : write_number(o, v); });
}

std::string format_number(double v) {
  return string_with([&](char* o) { return write_number(o, v); });
}
std::string format_bytes(double bytes, bool decimal) {
  return string_with([&](char* o) { return write_bytes(o, bytes, decimal); });
}
std::string format_seconds(double s) {
  return string_with([&](char* o) { return write_seconds(o, s); });
}
std::string format_si(double v, const char* unit) {
  return string_with([&](char* o) { return write_si(o, v, unit); });
}

char* TextBuffer::room(std::size_t n) {
  if (static_cast<std::size_t>(buf_ + kSize - end_) < n) {
    spill_.append(buf_, static_cast<std::size_t>(end_ - buf_));
    end_ = buf_;
    if (n > kSize) {  // a piece longer than the buffer goes straight to the spill
      return nullptr;
    }
  }
  return end_;
}

void TextBuffer::lit_slow(std::string_view t) {
  char* o = room(t.size());
  if (o == nullptr) spill_ += t;
  else end_ = write_text(o, t);
}
TextBuffer& TextBuffer::number(double v) {
  end_ = write_number(room(kReserve), v);
  return *this;
}
TextBuffer& TextBuffer::si(double v, std::string_view unit) {
  end_ = write_si(room(kReserve + unit.size()), v, unit);
  return *this;
}
TextBuffer& TextBuffer::bytes(double v, bool decimal) {
  end_ = write_bytes(room(kReserve), v, decimal);
  return *this;
}
TextBuffer& TextBuffer::seconds(double s) {
  end_ = write_seconds(room(kReserve), s);
  return *this;
}
std::string TextBuffer::str() {
  const std::size_t n = static_cast<std::size_t>(end_ - buf_);
  if (spill_.empty()) return std::string(buf_, n);
  spill_.append(buf_, n);
  end_ = buf_;
  return std::move(spill_);
}

}  // namespace llmcalc
