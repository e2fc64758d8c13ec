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

uint32_t Expressions::keep(std::string_view s) {
  const auto at = static_cast<uint32_t>(text_.size());
  text_.append(s);
  return at;
}

void Expressions::reserve(size_t nodes, size_t text) {
  nodes_.reserve(nodes);
  args_.reserve(nodes + nodes / 2);
  text_.reserve(text);
}

int32_t Expressions::leaf(double value, std::string_view label, std::string_view unit) {
  ExprNode n;
  n.value = value;
  n.label_size = static_cast<uint32_t>(label.size());
  n.label_begin = keep(label);
  n.unit_size = static_cast<uint32_t>(unit.size());
  n.unit_begin = keep(unit);
  nodes_.push_back(n);
  return static_cast<int32_t>(nodes_.size() - 1);
}

int32_t Expressions::node(ExprOp op, double value, std::span<const int32_t> args) {
  ExprNode n;
  n.op = op;
  n.value = value;
  n.args_begin = static_cast<uint32_t>(args_.size());
  for (size_t i = 0; i < args.size(); ++i) {
    const ExprNode& a = nodes_[static_cast<size_t>(args[i])];
    if (i == 0 && (op == ExprOp::add || op == ExprOp::mul) && a.op == op) {
      for (uint32_t k = 0; k < a.args_size; ++k) args_.push_back(args_[a.args_begin + k]);
    } else {
      args_.push_back(args[i]);
    }
  }
  n.args_size = static_cast<uint32_t>(args_.size()) - n.args_begin;
  nodes_.push_back(n);
  return static_cast<int32_t>(nodes_.size() - 1);
}

double evaluate(const Expressions& x, int32_t root) {
  const ExprNode& e = x.at(root);
  const auto args = x.args(e);
  if (e.op == ExprOp::leaf || args.empty()) return e.value;
  double v = evaluate(x, args[0]);
  for (size_t i = 1; i < args.size(); ++i) {
    const double a = evaluate(x, args[i]);
    switch (e.op) {
      case ExprOp::add: v += a; break;
      case ExprOp::sub: v -= a; break;
      case ExprOp::mul: v *= a; break;
      case ExprOp::div: v /= a; break;
      case ExprOp::max: v = std::max(v, a); break;
      case ExprOp::min: v = std::min(v, a); break;
      default: break;
    }
  }
  return e.op == ExprOp::ceil ? std::ceil(v) : v;
}

namespace {

// Binding strength: sums bind loosest, products tighter, leaves and calls tightest.
int level(const ExprNode& e) {
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

// 4 significant digits with an SI prefix: "229.4 TFLOP", "2.039 TB/s".
void write_si4(std::string& out, double v, std::string_view unit) {
  static constexpr const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int i = 0;
  while (std::fabs(v) >= 1000 && i < 6) {
    v /= 1000;
    ++i;
  }
  append_significant(out, v, 4);
  out.append(" ").append(prefixes[i]).append(unit);
}

void write_leaf(std::string& out, const Expressions& x, const ExprNode& e) {
  const double v = e.value;
  const bool negative = v < 0;
  if (negative) out += "(";
  const std::string_view u = x.unit(e);
  const bool whole = std::fabs(v) < 1e9 && std::floor(v) == v;
  if (u == "s") {
    append_seconds(out, v);
  } else if ((u == "B" || u == "FLOP" || u == "FLOP/s" || u == "B/s") && !whole) {
    write_si4(out, v, u);
  } else {
    append_number(out, v);
    if (!u.empty()) out.append(" ").append(u);
  }
  const std::string_view label = x.label(e);
  if (!label.empty()) {
    if (bare_label(label)) {
      out.append(" ").append(label);
    } else {
      out.append(" [");
      for (const char c : label) out += c == '[' ? '(' : c == ']' ? ')' : c;
      out.append("]");
    }
  }
  if (negative) out += ")";
}

void write(std::string& out, const Expressions& x, int32_t i) {
  const ExprNode& e = x.at(i);
  if (e.op == ExprOp::leaf) {
    write_leaf(out, x, e);
    return;
  }
  const auto args = x.args(e);
  const int own = level(e);
  switch (e.op) {
    case ExprOp::max:
    case ExprOp::min:
    case ExprOp::ceil:
      out.append(expr_op_name(e.op)).append("(");
      for (size_t k = 0; k < args.size(); ++k) {
        if (k > 0) out += ", ";
        write(out, x, args[k]);
      }
      out += ")";
      return;
    default: break;
  }
  const char* sep = e.op == ExprOp::add ? " + " : e.op == ExprOp::sub ? " - "
                    : e.op == ExprOp::mul ? " x " : " / ";
  for (size_t k = 0; k < args.size(); ++k) {
    if (k > 0) out += sep;
    const int child = level(x.at(args[k]));
    // Left-associative: the first operand needs parentheses only when it binds looser; a later
    // operand of - or / also when it binds equally (a - (b + c), a / (b x c)).
    bool parens = child < own;
    if (k > 0 && (e.op == ExprOp::sub || e.op == ExprOp::div)) parens = child <= own;
    if (parens) out += "(";
    write(out, x, args[k]);
    if (parens) out += ")";
  }
}

}  // namespace

std::string render_text(const Expressions& x, int32_t root) {
  std::string out;
  if (root < 0) return out;
  out.reserve(160);
  write(out, x, root);
  return out;
}

}  // namespace llmcalc
