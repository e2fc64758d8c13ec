#include "number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace llmcalc {
namespace {
thread_local bool g_text = true;
}  // namespace

bool text_enabled() { return g_text; }
TextOff::TextOff() : previous_(g_text) { g_text = false; }
TextOff::~TextOff() { g_text = previous_; }

namespace {

constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12};

// v with `decimals` digits after the point, trailing zeros (and a bare point) dropped when
// `trim` is set: "%.{decimals}f" without printf. |v| * 10^decimals must stay below 2^53.
std::string fixed(double v, int decimals, bool trim) {
  const long long scaled = std::llround(std::fabs(v) * kPow10[decimals]);
  char digits[32];
  char* d_end = std::to_chars(digits, digits + sizeof digits, scaled).ptr;
  int n = static_cast<int>(d_end - digits);
  char out[48];
  char* o = out;
  if (v < 0 && scaled != 0) *o++ = '-';
  // Integer part: the digits before the last `decimals` (at least "0").
  const int int_digits = n - decimals;
  if (int_digits <= 0) {
    *o++ = '0';
  } else {
    for (int i = 0; i < int_digits; ++i) *o++ = digits[i];
  }
  if (decimals > 0) {
    char frac[24];
    for (int i = 0; i < decimals; ++i) {
      const int idx = n - decimals + i;
      frac[i] = idx >= 0 ? digits[idx] : '0';
    }
    int len = decimals;
    if (trim)
      while (len > 0 && frac[len - 1] == '0') --len;
    if (len > 0) {
      *o++ = '.';
      for (int i = 0; i < len; ++i) *o++ = frac[i];
    }
  }
  return std::string(out, o);
}

// "%.{sig}g" for magnitudes in [1e-4, 1e9): sig significant digits, trailing zeros dropped.
std::string significant(double v, int sig) {
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a < 1e-4 || a >= 1e9) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", sig, v);
    return buf;
  }
  int e = 0;  // floor(log10(a)), from exact comparisons
  if (a >= 1) {
    while (e < 12 && a >= kPow10[e + 1]) ++e;
  } else {
    while (e > -5 && a * kPow10[-e] < 1) --e;
  }
  const int decimals = sig - 1 - e;
  if (decimals <= 0) return fixed(v, 0, true);
  // Rounding can carry into a new digit (9.995 -> 10.0); printf then shows one decimal less.
  std::string out = fixed(v, decimals, true);
  return out;
}

}  // namespace

void append_number(std::string& out, double v) {
  if (!g_text) return;
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v)).ptr);
    return;
  }
  out += format_number(v);
}

std::string format_number(double v) {
  if (!g_text) return {};
  if (std::isnan(v)) return "undefined";
  if (std::isinf(v)) return v > 0 ? "unbounded" : "-unbounded";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    // The common case (counts, sizes): integer conversion, no printf.
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    return std::string(buf, r.ptr);
  }
  return significant(v, 6);
}

std::string format_bytes(double bytes, bool decimal) {
  if (!g_text) return {};
  if (!std::isfinite(bytes)) return format_number(bytes);
  const double unit = decimal ? 1e9 : 1073741824.0;
  const double a = std::fabs(bytes);
  if (a >= unit * 0.1 || a == 0) {
    if (a / unit >= 1e9) return format_number(bytes / unit) + (decimal ? " GB" : " GiB");
    return fixed(bytes / unit, 2, false) + (decimal ? " GB" : " GiB");
  }
  const double small = decimal ? 1e6 : 1048576.0;
  return fixed(bytes / small, 2, false) + (decimal ? " MB" : " MiB");
}

std::string format_seconds(double s) {
  if (!g_text) return {};
  if (!std::isfinite(s)) return format_number(s);
  const double a = std::fabs(s);
  if (a >= 7200) return (a / 3600 >= 1e9 ? format_number(s / 3600) : fixed(s / 3600, 2, false)) + " h";
  if (a >= 1) return significant(s, 3) + " s";
  if (a >= 1e-3) return significant(s * 1e3, 3) + " ms";
  return significant(s * 1e6, 3) + " us";
}

std::string format_si(double v, const char* unit) {
  if (!g_text) return {};
  if (!std::isfinite(v)) return format_number(v);
  static const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int i = 0;
  double a = std::fabs(v);
  while (a >= 1000 && i < 6) {
    a /= 1000;
    v /= 1000;
    ++i;
  }
  return significant(v, 3) + " " + prefixes[i] + unit;
}

}  // namespace llmcalc
