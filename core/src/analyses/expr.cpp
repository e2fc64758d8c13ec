#include "expr.hpp"

#include <algorithm>
#include <cmath>

namespace llmcalc {

int32_t root_of(Expressions& store, const Ex& e) {
  if (e.store == &store && e.node != Expressions::kNone) return e.node;
  return store.leaf(e.v);
}

namespace {

Ex combine(ExprOp op, const Ex& a, const Ex& b, double value) {
  Expressions* s = a.store != nullptr ? a.store : b.store;
  if (s == nullptr) return Ex(value);
  const int32_t args[2] = {root_of(*s, a), root_of(*s, b)};
  return Ex(value, s, s->node(op, value, args));
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
  if (a.store == nullptr) return Ex(value);
  const int32_t arg = a.node;
  return Ex(value, a.store, a.store->node(ExprOp::ceil, value, std::span<const int32_t>(&arg, 1)));
}

}  // namespace llmcalc
