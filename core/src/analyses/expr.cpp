#include "expr.hpp"

#include <algorithm>
#include <cmath>

namespace llmcalc {

Ex ExprArena::leaf(double v, std::string_view label, std::string_view unit) {
  nodes_.push_back({ExprOp::leaf, v, std::string(label), std::string(unit), {}});
  return Ex(v, this, static_cast<int32_t>(nodes_.size() - 1));
}

int32_t ExprArena::ensure(const Ex& e) {
  if (e.arena == this && e.node >= 0) return e.node;
  return leaf(e.v, {}, {}).node;
}

Ex ExprArena::apply(ExprOp op, const Ex* args, size_t n, double value) {
  Node node{op, value, {}, {}, {}};
  for (size_t i = 0; i < n; ++i) {
    const int32_t k = ensure(args[i]);
    // (a + b) + c is one sum of three terms, as it is read; only the left operand is spliced so
    // that evaluating the flat list left to right repeats the same floating-point operations.
    const bool splice = i == 0 && (op == ExprOp::add || op == ExprOp::mul) && nodes_[k].op == op;
    if (splice) {
      const std::vector<int32_t> inner = nodes_[k].args;
      node.args.insert(node.args.end(), inner.begin(), inner.end());
    } else {
      node.args.push_back(k);
    }
  }
  nodes_.push_back(std::move(node));
  return Ex(value, this, static_cast<int32_t>(nodes_.size() - 1));
}

Expression ExprArena::tree(const Ex& e) const {
  if (e.arena != this || e.node < 0) {
    Expression out;
    out.value = e.v;
    return out;
  }
  return tree_of(e.node);
}

Expression ExprArena::tree_of(int32_t k) const {
  const Node& n = nodes_[static_cast<size_t>(k)];
  Expression out;
  out.op = n.op;
  out.value = n.value;
  out.label = n.label;
  out.unit = n.unit;
  out.args.reserve(n.args.size());
  for (const int32_t a : n.args) out.args.push_back(tree_of(a));
  return out;
}

namespace {

Ex combine(ExprOp op, const Ex& a, const Ex& b, double value) {
  ExprArena* arena = a.arena != nullptr ? a.arena : b.arena;
  if (arena == nullptr) return Ex(value);
  const Ex args[2] = {a, b};
  return arena->apply(op, args, 2, value);
}

}  // namespace

Ex operator+(const Ex& a, const Ex& b) { return combine(ExprOp::add, a, b, a.v + b.v); }
Ex operator-(const Ex& a, const Ex& b) { return combine(ExprOp::sub, a, b, a.v - b.v); }
Ex operator*(const Ex& a, const Ex& b) { return combine(ExprOp::mul, a, b, a.v * b.v); }
Ex operator/(const Ex& a, const Ex& b) { return combine(ExprOp::div, a, b, a.v / b.v); }
Ex emax(const Ex& a, const Ex& b) { return combine(ExprOp::max, a, b, std::max(a.v, b.v)); }
Ex emin(const Ex& a, const Ex& b) { return combine(ExprOp::min, a, b, std::min(a.v, b.v)); }
Ex eceil(const Ex& a) {
  const double value = std::ceil(a.v);
  if (a.arena == nullptr) return Ex(value);
  return a.arena->apply(ExprOp::ceil, &a, 1, value);
}

}  // namespace llmcalc
