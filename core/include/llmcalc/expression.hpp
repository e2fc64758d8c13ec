#pragma once
// A formula as data: numbers with labels and units combined by +, -, x, /, max, min and ceil.
// Every number in a report (memory items, FLOP items, phase times) is the value of one such
// tree, and its text is rendered from the same tree, so the two cannot disagree.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmcalc {

enum class ExprOp : uint8_t { leaf, add, sub, mul, div, max, min, ceil };

struct Expression {
  ExprOp op = ExprOp::leaf;
  double value = 0;   // a leaf's number, or the node's value (what evaluate() returns)
  std::string label;  // leaves: what the number is ("kv_heads"); may be empty
  std::string unit;   // leaves: "B", "FLOP", "FLOP/s", "B/s", "s"; may be empty
  std::vector<Expression> args;  // operands, in order (ceil: one)

  bool empty() const { return op == ExprOp::leaf && args.empty() && label.empty() && unit.empty() && value == 0; }
};

// "+", "-", "*", "/", "max", "min", "ceil" (leaf: "").
std::string_view expr_op_name(ExprOp op);

// Recomputes the value from the leaves (ignores the stored node values).
double evaluate(const Expression& e);

// The formula as a person reads it: "2 x 8 kv_heads x (1024 tokens + 512 tokens) x 2 B",
// with parentheses wherever precedence needs them, so that reading it gives the same number.
// Leaves: the number (bytes of 1 MB or more, FLOP, FLOP/s and B/s with an SI prefix, seconds
// in h/s/ms/us), then the unit, then the label: bare when it is plain words, else in [brackets].
std::string render_text(const Expression& e);

}  // namespace llmcalc
