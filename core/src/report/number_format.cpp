#include "number_format.hpp"

#include <cmath>
#include <cstdio>

namespace llmcalc {
namespace {
thread_local bool g_text = true;
}  // namespace

bool text_enabled() { return g_text; }
TextOff::TextOff() : previous_(g_text) { g_text = false; }
TextOff::~TextOff() { g_text = previous_; }

std::string format_number(double v) {
  if (!g_text) return {};
  if (std::isnan(v)) return "undefined";
  if (std::isinf(v)) return v > 0 ? "unbounded" : "-unbounded";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

std::string format_bytes(double bytes, bool decimal) {
  if (!g_text) return {};
  if (!std::isfinite(bytes)) return format_number(bytes);
  const double unit = decimal ? 1e9 : 1073741824.0;
  const double a = std::fabs(bytes);
  char buf[64];
  if (a >= unit * 0.1 || a == 0) {
    std::snprintf(buf, sizeof buf, "%.2f %s", bytes / unit, decimal ? "GB" : "GiB");
  } else {
    const double small = decimal ? 1e6 : 1048576.0;
    std::snprintf(buf, sizeof buf, "%.2f %s", bytes / small, decimal ? "MB" : "MiB");
  }
  return buf;
}

std::string format_seconds(double s) {
  if (!g_text) return {};
  if (!std::isfinite(s)) return format_number(s);
  char buf[64];
  const double a = std::fabs(s);
  if (a >= 7200) std::snprintf(buf, sizeof buf, "%.2f h", s / 3600);
  else if (a >= 1) std::snprintf(buf, sizeof buf, "%.3g s", s);
  else if (a >= 1e-3) std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  return buf;
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
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g %s%s", v, prefixes[i], unit);
  return buf;
}

}  // namespace llmcalc
