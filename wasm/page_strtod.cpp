// strtod for the calculator page's module only (wasm/CMakeLists.txt links this object ahead of
// libc, so musl's strtod is never pulled in). musl reads every decimal through __floatscan in
// 128-bit long double, which brings software quad arithmetic (__divtf3, __multf3, ...) and its
// hex-float reader into the module: measured in the commit that added this file.
//
// Same results as musl's: both round correctly (to nearest, ties to even). A number of at most
// 15 significant digits with a power of ten up to 22 is one exact operation on two exactly
// represented doubles (Clinger's fast path: the single rounding is the correct one); any other
// goes to JavaScript's Number(), which ECMAScript and V8/SpiderMonkey/JavaScriptCore round
// correctly too. The callers pass decimal text only: nlohmann/json's lexer (a number it has
// already checked) and scenario/compose.cpp (after json_number_syntax). Hexadecimal floats,
// "inf" and "nan" are read as no number at all (end == text), as a text without digits is.
#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

// Number() of the n ASCII bytes at p.
EM_JS(double, llmcalc_js_number, (const char* p, int n), {
  var s = "";
  for (var i = 0; i < n; ++i) s += String.fromCharCode(HEAPU8[p + i]);
  return Number(s);
});

extern "C" double strtod(const char* __restrict text, char** __restrict end) {
  const char* p = text;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) ++p;
  const char* start = p;
  const bool negative = *p == '-';
  if (*p == '-' || *p == '+') ++p;
  // Digits before and after the point; the mantissa's first 19 significant digits.
  unsigned long long mantissa = 0;
  int significant = 0, exponent = 0, digits = 0;
  const auto digit = [&](char c, bool fraction) {
    ++digits;
    if (significant == 0 && c == '0') {
      if (fraction) --exponent;
      return;
    }
    if (significant < 19) {
      mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
      if (fraction) --exponent;
    } else if (!fraction) {
      ++exponent;
    }
    ++significant;
  };
  for (; *p >= '0' && *p <= '9'; ++p) digit(*p, false);
  if (*p == '.')
    for (++p; *p >= '0' && *p <= '9'; ++p) digit(*p, true);
  if (digits == 0) {
    if (end) *end = const_cast<char*>(text);
    return 0.0;
  }
  if (*p == 'e' || *p == 'E') {
    const char* q = p + 1;
    const bool down = *q == '-';
    if (*q == '-' || *q == '+') ++q;
    if (*q >= '0' && *q <= '9') {
      int e = 0;
      for (; *q >= '0' && *q <= '9'; ++q)
        if (e < 100000) e = e * 10 + (*q - '0');
      exponent += down ? -e : e;
      p = q;
    }
  }
  if (end) *end = const_cast<char*>(p);
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  double v;
  if (mantissa == 0) {
    v = 0.0;
  } else if (significant <= 15 && exponent >= -22 && exponent <= 22) {
    const double m = static_cast<double>(mantissa);  // < 10^15 < 2^53: exact
    v = exponent < 0 ? m / kPow10[-exponent] : m * kPow10[exponent];
  } else {
    v = llmcalc_js_number(start, static_cast<int>(p - start));
    if (std::isinf(v) || v == 0.0) errno = ERANGE;  // overflow, or underflow to zero
    return v;
  }
  return negative ? -v : v;
}

// musl defines strtof and strtold beside strtod (one object), and libc++'s std::stof/stold
// refer to them, so they are defined here too or musl's object comes back. Nothing in the
// module calls them (the core reads doubles only); a call would be a bug, and stops the module.
extern "C" float strtof(const char* __restrict, char** __restrict) { std::abort(); }
extern "C" long double strtold(const char* __restrict, char** __restrict) { std::abort(); }
