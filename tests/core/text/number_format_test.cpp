// Number formatting for formulas: the hand-written fixed and significant-digit writers are
// checked against printf over many values, and the stack TextBuffer against the string API.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "text/number_format.hpp"

namespace llmcalc {
namespace {

std::string printf_g6(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

TEST(NumberFormat, BufferAndFormatAgree) {
  for (double v : {0.0, 1.0, -3.0, 0.5, 123456.789, 1.23456789e-7, 9.995, 6738415616.0, 1e20,
                   -2.5e-5, 0.1, 999999.5}) {
    TextBuffer appended;
    appended.lit("x").number(v);
    EXPECT_EQ(appended.str(), "x" + format_number(v)) << v;
  }
  EXPECT_EQ(format_number(6738415616.0), "6738415616");
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(123456.789), "123457");
  EXPECT_EQ(format_number(1.5e-7), "1.5e-07");
  EXPECT_EQ(format_si(312e12, "FLOP/s"), "312 TFLOP/s");
  EXPECT_EQ(format_si(1999.0, "B"), "2 KB");
  EXPECT_EQ(format_bytes(13476839424.0), "12.55 GiB");
  EXPECT_EQ(format_bytes(13476839424.0, true), "13.48 GB");
  EXPECT_EQ(format_bytes(1048576.0 * 3.5), "3.50 MiB");
  EXPECT_EQ(format_seconds(0.0123), "12.3 ms");
  EXPECT_EQ(format_seconds(2.5e-5), "25 us");
  EXPECT_EQ(format_seconds(9000), "2.50 h");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "unbounded");
}

TEST(NumberFormat, SignificantDigitsMatchPrintf) {
  // format_number uses "%.6g" semantics without printf for [1e-4, 1e9); a digit-order,
  // rounding or trimming slip shows up here. Random values over every decade, both signs.
  std::mt19937_64 rng(20261122);
  std::uniform_real_distribution<double> mantissa(1.0, 10.0);
  std::uniform_int_distribution<int> decade(-4, 8);
  for (int i = 0; i < 200000; ++i) {
    double v = mantissa(rng) * std::pow(10.0, decade(rng));
    if (i % 2) v = -v;
    if (v == std::floor(v)) continue;  // integers print in full, not as %.6g
    if (std::fabs(v) >= 999999.5) {  // rounds to 1e6 or more at 6 digits
      // By design, not printf: from 1e6 to 1e9 the value is rounded to a whole number and
      // printed in full ("132122458", not "1.32122e+08"), as formulas read better that way.
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.0f", v);
      ASSERT_EQ(format_number(v), buf) << "value " << v;
      continue;
    }
    ASSERT_EQ(format_number(v), printf_g6(v)) << "value " << v;
  }
  // Near and exact ties: 99999.95 is 99999.94999... in binary (printf: "99999.9"), and
  // 123456.5, 0.000123455 style exact halves go to even as in printf.
  for (double v : {0.5, 0.25, 1.5, 2.5, 0.0001, 0.00012345675, 99999.95, 123456.5, 123457.5,
                   9.9999996, 0.1, 0.3, 1e-4, 123.0001, 1234.5625, 0.015625})
    EXPECT_EQ(format_number(v), printf_g6(v)) << v;
  EXPECT_EQ(format_number(999999.5), "1000000");  // rounds up to 1e6, printed in full
}

TEST(NumberFormat, FixedTwoDecimalsMatchPrintf) {
  // format_bytes prints GiB with "%.2f" semantics without printf.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> gib(0.1, 5000.0);
  for (int i = 0; i < 100000; ++i) {
    const double g = gib(rng);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f GiB", g);
    ASSERT_EQ(format_bytes(g * 1073741824.0), buf) << g;
  }
  // Exact halves of a cent round to even, as printf does.
  for (double g : {1.125, 1.375, 2.005, 0.125, 4095.995}) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f GiB", g);
    EXPECT_EQ(format_bytes(g * 1073741824.0), buf) << g;
  }
}

TEST(TextBuffer, EqualsTheStringFormatters) {
  TextBuffer t;
  t.lit("max(").si(159e12, "FLOP").lit(" / ").number(0.803).lit(", ").bytes(19.92e9, true);
  t.lit(" + ").seconds(640e-6).lit(" / ").number(6738415616.0);
  EXPECT_EQ(t.str(), "max(" + format_si(159e12, "FLOP") + " / " + format_number(0.803) + ", " +
                         format_bytes(19.92e9, true) + " + " + format_seconds(640e-6) + " / " +
                         format_number(6738415616.0));
}

TEST(TextBuffer, SpillsPastItsBufferWithoutLosingText) {
  // Longer than the 512-character stack buffer, with numbers straddling the boundary.
  TextBuffer t;
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    t.lit(" x ").number(i + 0.5);
    expected += " x " + format_number(i + 0.5);
  }
  const std::string long_piece(2000, 'q');
  t.lit(long_piece);
  expected += long_piece;
  EXPECT_EQ(t.str(), expected);
}

}  // namespace
}  // namespace llmcalc
