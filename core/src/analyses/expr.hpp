#pragma once
// How the analyses compute: every report number is an Ex, a value that (when the estimate keeps
// its formulas) also records how it was made in an ExprArena. The arithmetic is the same in both
// modes; without an arena (Detail::numbers: solvers, sweeps) an Ex is just a double, so the
// numbers-only path costs no allocation and cannot compute anything differently.
//
//   Ex kv = c.num(2, "K,V") * c.num(8, "kv_heads") * c.num(128, "head_dim");
//   item.bytes = kv.v;  item.expression = c.tree(kv);

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmcalc/expression.hpp"

namespace llmcalc {

class ExprArena;

struct Ex {
  double v = 0;
  ExprArena* arena = nullptr;  // null: a plain number (numbers-only mode, or a bare constant)
  int32_t node = -1;
  Ex() = default;
  Ex(double x) : v(x) {}  // NOLINT: an unlabeled constant, e.g. `x * 2`
  Ex(double x, ExprArena* a, int32_t n) : v(x), arena(a), node(n) {}
};

// The nodes of the formulas of one estimate. Nodes refer to their operands by index.
class ExprArena {
 public:
  Ex leaf(double v, std::string_view label, std::string_view unit);
  Ex apply(ExprOp op, const Ex* args, size_t n, double value);
  Expression tree(const Ex& e) const;

 private:
  struct Node {
    ExprOp op;
    double value;
    std::string label, unit;
    std::vector<int32_t> args;
  };
  int32_t ensure(const Ex& e);  // the node of e, adding a leaf for a bare constant
  Expression tree_of(int32_t k) const;
  std::vector<Node> nodes_;
};

Ex operator+(const Ex& a, const Ex& b);
Ex operator-(const Ex& a, const Ex& b);
Ex operator*(const Ex& a, const Ex& b);
Ex operator/(const Ex& a, const Ex& b);
inline Ex& operator+=(Ex& a, const Ex& b) { return a = a + b; }
inline Ex& operator*=(Ex& a, const Ex& b) { return a = a * b; }
Ex emax(const Ex& a, const Ex& b);
Ex emin(const Ex& a, const Ex& b);
Ex eceil(const Ex& a);

}  // namespace llmcalc
