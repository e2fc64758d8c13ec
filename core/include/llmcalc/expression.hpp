#pragma once
// A formula as data: numbers with labels and units combined by +, -, x, /, max, min and ceil.
// Every number in a report (memory items, FLOP items, phase times) is the value of one such
// tree, and its text is rendered from the same tree, so the two cannot disagree.
//
// The trees of one report live in one flat store (Expressions): nodes refer to their operands
// by index and labels sit in one text buffer, so building a report's ~300 terms costs a few
// allocations, not one per term. An item refers to its tree by the index of the root.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace llmcalc {

enum class ExprOp : uint8_t { leaf, add, sub, mul, div, max, min, ceil };

struct ExprNode {
  ExprOp op = ExprOp::leaf;
  double value = 0;  // a leaf's number, or the node's value (what evaluate() returns)
  uint32_t label_begin = 0, label_size = 0;  // leaves: what the number is ("kv_heads")
  uint32_t unit_begin = 0, unit_size = 0;    // leaves: "B", "FLOP", "FLOP/s", "B/s", "s"
  uint32_t args_begin = 0, args_size = 0;    // operands, in order (ceil: one)
};

class Expressions {
 public:
  static constexpr int32_t kNone = -1;

  int32_t leaf(double value, std::string_view label = {}, std::string_view unit = {});
  // A node over `args`. For + and x a first operand of the same op is spliced in, so that
  // (a + b) + c is one sum of three terms, evaluated left to right as it was computed.
  int32_t node(ExprOp op, double value, std::span<const int32_t> args);

  const ExprNode& at(int32_t i) const { return nodes_[static_cast<size_t>(i)]; }
  std::span<const int32_t> args(const ExprNode& n) const {
    return {args_.data() + n.args_begin, n.args_size};
  }
  std::string_view label(const ExprNode& n) const { return {text_.data() + n.label_begin, n.label_size}; }
  std::string_view unit(const ExprNode& n) const { return {text_.data() + n.unit_begin, n.unit_size}; }
  size_t size() const { return nodes_.size(); }
  void reserve(size_t nodes, size_t text);

 private:
  uint32_t keep(std::string_view s);
  std::vector<ExprNode> nodes_;
  std::vector<int32_t> args_;
  std::string text_;
};

// "+", "-", "*", "/", "max", "min", "ceil" (leaf: "").
std::string_view expr_op_name(ExprOp op);

// Recomputes the value of the tree at `root` from its leaves (ignores stored node values).
double evaluate(const Expressions& e, int32_t root);

// The formula as a person reads it: "2 x 8 kv_heads x (1024 tokens + 512 tokens) x 2 B",
// with parentheses wherever precedence needs them, so that reading it gives the same number.
// Leaves: the number (bytes of 10^9 or more or fractional, FLOP, FLOP/s and B/s with an SI
// prefix and 4 significant digits; seconds as h/s/ms/us with 3), then the unit, then the
// label: bare when it is plain words, else in [brackets].
std::string render_text(const Expressions& e, int32_t root);

}  // namespace llmcalc
