#include "number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace llmcalc {
namespace {
thread_local bool g_text = true;
}  // namespace

bool text_enabled() { return g_text; }
TextOff::TextOff() : previous_(g_text) { g_text = false; }
TextOff::~TextOff() { g_text = previous_; }

namespace {

// Every writer below puts its characters at `o` (a buffer of at least kBuf chars) and returns
// the end: formulas are built by appending, with no temporary strings on the hot path.
constexpr int kBuf = 64;
constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12};

char* write_integer(char* o, double v) {
  return std::to_chars(o, o + 32, static_cast<long long>(v)).ptr;
}

char* write_text(char* o, const char* t) {
  const std::size_t n = std::strlen(t);
  std::memcpy(o, t, n);
  return o + n;
}

// v with `decimals` digits after the point, trailing zeros (and a bare point) dropped when
// `trim` is set: "%.{decimals}f" without printf. |v| * 10^decimals must stay below 2^53.
char* write_fixed(char* o, double v, int decimals, bool trim) {
  const long long scaled = std::llround(std::fabs(v) * kPow10[decimals]);
  char digits[24];
  const int n = static_cast<int>(std::to_chars(digits, digits + sizeof digits, scaled).ptr - digits);
  if (v < 0 && scaled != 0) *o++ = '-';
  // Integer part: the digits before the last `decimals` (at least "0").
  const int int_digits = n - decimals;
  if (int_digits <= 0) {
    *o++ = '0';
  } else {
    std::memcpy(o, digits, static_cast<std::size_t>(int_digits));
    o += int_digits;
  }
  if (decimals == 0) return o;
  char* point = o;
  *o++ = '.';
  for (int i = 0; i < decimals; ++i) {
    const int idx = n - decimals + i;
    *o++ = idx >= 0 ? digits[idx] : '0';
  }
  if (trim) {
    while (o[-1] == '0') --o;
    if (o - 1 == point) --o;
  }
  return o;
}

// "%.{sig}g": sig significant digits, trailing zeros dropped; exact exponent from comparisons
// in [1e-4, 1e9), printf outside it (rare: huge or tiny values).
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
  if (v == std::floor(v) && std::fabs(v) < 1e15) return write_integer(o, v);
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

// The number part of format_si; the prefix is returned through `prefix`.
char* write_si_number(char* o, double v, const char** prefix) {
  static const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
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

template <class Write>
void append_with(std::string& out, Write write) {
  char buf[kBuf + 16];
  out.append(buf, static_cast<std::size_t>(write(buf) - buf));
}

template <class Write>
std::string string_with(Write write) {
  char buf[kBuf + 16];
  return std::string(buf, static_cast<std::size_t>(write(buf) - buf));
}

}  // namespace

void append_number(std::string& out, double v) {
  if (g_text) append_with(out, [&](char* o) { return write_number(o, v); });
}
void append_bytes(std::string& out, double bytes, bool decimal) {
  if (g_text) append_with(out, [&](char* o) { return write_bytes(o, bytes, decimal); });
}
void append_seconds(std::string& out, double s) {
  if (g_text) append_with(out, [&](char* o) { return write_seconds(o, s); });
}
void append_si(std::string& out, double v, const char* unit) {
  if (!g_text) return;
  if (!std::isfinite(v)) return append_number(out, v);
  append_with(out, [&](char* o) {
    const char* prefix = "";
    o = write_text(write_si_number(o, v, &prefix), " ");
    return write_text(write_text(o, prefix), unit);  // units are short literals ("FLOP/s")
  });
}

std::string format_number(double v) {
  if (!g_text) return {};
  return string_with([&](char* o) { return write_number(o, v); });
}
std::string format_bytes(double bytes, bool decimal) {
  if (!g_text) return {};
  return string_with([&](char* o) { return write_bytes(o, bytes, decimal); });
}
std::string format_seconds(double s) {
  if (!g_text) return {};
  return string_with([&](char* o) { return write_seconds(o, s); });
}
std::string format_si(double v, const char* unit) {
  std::string out;
  append_si(out, v, unit);
  return out;
}

}  // namespace llmcalc
