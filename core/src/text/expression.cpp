#include "llmcalc/expression.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "number_format.hpp"

namespace llmcalc {

std::string_view expr_op_name(ExprOp op) {
  switch (op) {
    case ExprOp::leaf: return "";
    case ExprOp::add: return "+";
    case ExprOp::sub: return "-";
    case ExprOp::mul: return "*";
    case ExprOp::div: return "/";
    case ExprOp::max: return "max";
    case ExprOp::min: return "min";
    case ExprOp::ceil: return "ceil";
  }
  return "";
}

double evaluate(const Expression& e) {
  if (e.op == ExprOp::leaf || e.args.empty()) return e.value;
  double v = evaluate(e.args[0]);
  for (size_t i = 1; i < e.args.size(); ++i) {
    const double x = evaluate(e.args[i]);
    switch (e.op) {
      case ExprOp::add: v += x; break;
      case ExprOp::sub: v -= x; break;
      case ExprOp::mul: v *= x; break;
      case ExprOp::div: v /= x; break;
      case ExprOp::max: v = std::max(v, x); break;
      case ExprOp::min: v = std::min(v, x); break;
      default: break;
    }
  }
  return e.op == ExprOp::ceil ? std::ceil(v) : v;
}

namespace {

// Binding strength: sums bind loosest, products tighter, leaves and calls tightest.
int level(const Expression& e) {
  switch (e.op) {
    case ExprOp::add:
    case ExprOp::sub: return 1;
    case ExprOp::mul:
    case ExprOp::div: return 2;
    default: return 3;
  }
}

// A label reads bare when it is plain words (letters, digits, _ and .), none of them the
// multiplication sign "x"; anything else goes in brackets so it cannot look like arithmetic.
bool bare_label(std::string_view s) {
  bool word_start = true;
  size_t word_begin = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    const char c = i < s.size() ? s[i] : ' ';
    if (c == ' ') {
      if (word_start) return false;  // empty word: leading, trailing or double space
      if (s.substr(word_begin, i - word_begin) == "x") return false;
      word_start = true;
      continue;
    }
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (word_start) {
      if (!letter) return false;
      word_start = false;
      word_begin = i;
    } else if (!letter && !digit && c != '.') {
      return false;
    }
  }
  return !s.empty();
}

// "%.4g" with an SI prefix: "229.4 TFLOP", "2.039 TB/s".
void write_si4(std::string& out, double v, std::string_view unit) {
  static constexpr const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int i = 0;
  while (std::fabs(v) >= 1000 && i < 6) {
    v /= 1000;
    ++i;
  }
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%.4g", v);
  out.append(buf, n > 0 ? size_t(n) : 0).append(" ").append(prefixes[i]).append(unit);
}

void write_leaf(std::string& out, const Expression& e) {
  const double v = e.value;
  const bool negative = v < 0;
  if (negative) out += "(";
  const std::string_view u = e.unit;
  const bool whole = std::fabs(v) < 1e9 && std::floor(v) == v;
  if (u == "s") {
    out += format_seconds(v);
  } else if ((u == "B" || u == "FLOP" || u == "FLOP/s" || u == "B/s") && !whole) {
    write_si4(out, v, u);
  } else {
    out += format_number(v);
    if (!u.empty()) out.append(" ").append(u);
  }
  if (!e.label.empty()) {
    if (bare_label(e.label)) {
      out.append(" ").append(e.label);
    } else {
      std::string l = e.label;
      std::replace(l.begin(), l.end(), '[', '(');
      std::replace(l.begin(), l.end(), ']', ')');
      out.append(" [").append(l).append("]");
    }
  }
  if (negative) out += ")";
}

void write(std::string& out, const Expression& e);

void write_operand(std::string& out, const Expression& e, bool parens) {
  if (parens) out += "(";
  write(out, e);
  if (parens) out += ")";
}

void write(std::string& out, const Expression& e) {
  if (e.op == ExprOp::leaf) {
    write_leaf(out, e);
    return;
  }
  const int own = level(e);
  switch (e.op) {
    case ExprOp::max:
    case ExprOp::min:
    case ExprOp::ceil:
      out.append(expr_op_name(e.op)).append("(");
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out += ", ";
        write(out, e.args[i]);
      }
      out += ")";
      return;
    default: break;
  }
  const char* sep = e.op == ExprOp::add ? " + " : e.op == ExprOp::sub ? " - "
                    : e.op == ExprOp::mul ? " x " : " / ";
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (i > 0) out += sep;
    const int child = level(e.args[i]);
    // Left-associative: the first operand needs parentheses only when it binds looser; a later
    // operand of - or / also when it binds equally (a - (b + c), a / (b x c)).
    bool parens = child < own;
    if (i > 0 && (e.op == ExprOp::sub || e.op == ExprOp::div)) parens = child <= own;
    write_operand(out, e.args[i], parens);
  }
}

}  // namespace

std::string render_text(const Expression& e) {
  std::string out;
  out.reserve(128);
  write(out, e);
  return out;
}

}  // namespace llmcalc
