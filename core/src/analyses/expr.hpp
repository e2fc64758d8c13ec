#pragma once
// How the analyses compute: every report number is an Ex, a value that (when the estimate keeps
// its formulas) also records how it was made in the report's Expressions store. The arithmetic is
// the same in both modes; without a store (Detail::numbers: solvers, sweeps) an Ex is just a
// double, so the numbers-only path allocates nothing and cannot compute anything differently.
//
//   Ex kv = c.num(2, "K,V") * c.num(8, "kv_heads") * c.num(128, "head_dim");
//   item.bytes = kv.v;  item.expression = kv.node;

#include <cstdint>

#include "llmcalc/expression.hpp"

namespace llmcalc {

struct Ex {
  double v = 0;
  Expressions* store = nullptr;  // null: a plain number (numbers-only mode, or a bare constant)
  int32_t node = Expressions::kNone;
  Ex() = default;
  Ex(double x) : v(x) {}  // NOLINT: an unlabeled constant, e.g. `x * 2`
  Ex(double x, Expressions* s, int32_t n) : v(x), store(s), node(n) {}
};

Ex operator+(const Ex& a, const Ex& b);
Ex operator-(const Ex& a, const Ex& b);
Ex operator*(const Ex& a, const Ex& b);
Ex operator/(const Ex& a, const Ex& b);
Ex emax(const Ex& a, const Ex& b);
Ex emin(const Ex& a, const Ex& b);
Ex eceil(const Ex& a);

// The root node of e in `store`, adding a leaf when e is a bare number.
int32_t root_of(Expressions& store, const Ex& e);

}  // namespace llmcalc
