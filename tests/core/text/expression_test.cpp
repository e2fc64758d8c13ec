// Formulas are data: every report number is the value of its expression tree, and the text a
// person reads gives the same number. The text is checked by an evaluator written here, apart
// from the core's renderer: it parses the rendered formula, turns each printed number into the
// interval its rounding allows, and computes with intervals; the reported value must lie inside.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "llmcalc/expression.hpp"
#include "llmcalc/parse.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

// Builds small trees by hand in one store.
struct Trees {
  Expressions x;
  int32_t leaf(double v, std::string_view label = {}, std::string_view unit = {}) {
    return x.leaf(v, label, unit);
  }
  int32_t node(ExprOp op, std::vector<int32_t> args) {
    // The node's value as evaluate() computes it from the operands' values.
    Expressions tmp = x;
    const int32_t probe = tmp.node(op, 0, args);
    return x.node(op, evaluate(tmp, probe), args);
  }
  std::string text(int32_t i) const { return render_text(x, i); }
};

TEST(ExpressionText, ParenthesesFollowPrecedence) {
  Trees t;
  // The bug this replaced: "T x h x 2 + T x w x 3 x 2 B" printed for (2Th + 3Tw) x 2.
  const int32_t sum = t.node(ExprOp::add, {t.node(ExprOp::mul, {t.leaf(2), t.leaf(3)}),
                                           t.node(ExprOp::mul, {t.leaf(4), t.leaf(5)})});
  EXPECT_EQ(t.text(t.node(ExprOp::mul, {sum, t.leaf(2, "", "B")})), "(2 x 3 + 4 x 5) x 2 B");
  EXPECT_EQ(t.text(t.node(ExprOp::div, {t.leaf(8), t.node(ExprOp::mul, {t.leaf(2), t.leaf(2)})})),
            "8 / (2 x 2)");
  EXPECT_EQ(t.text(t.node(ExprOp::div, {t.node(ExprOp::div, {t.leaf(8), t.leaf(2)}), t.leaf(2)})),
            "8 / 2 / 2");
  EXPECT_EQ(t.text(t.node(ExprOp::sub, {t.leaf(8), t.node(ExprOp::add, {t.leaf(2), t.leaf(1)})})),
            "8 - (2 + 1)");
  EXPECT_EQ(t.text(t.node(ExprOp::max, {t.leaf(1), t.node(ExprOp::add, {t.leaf(2), t.leaf(1)})})),
            "max(1, 2 + 1)");
  EXPECT_EQ(t.text(t.node(ExprOp::ceil, {t.node(ExprOp::div, {t.leaf(7), t.leaf(2)})})), "ceil(7 / 2)");
  // (a + b) + c is spliced into one sum; a + (b + c) keeps its operand.
  const int32_t flat = t.node(ExprOp::add, {t.node(ExprOp::add, {t.leaf(1), t.leaf(2)}), t.leaf(3)});
  EXPECT_EQ(t.x.at(flat).args_size, 3u);
  EXPECT_EQ(t.text(flat), "1 + 2 + 3");
}

TEST(ExpressionText, LabelsThatCouldReadAsArithmeticAreBracketed) {
  Trees t;
  EXPECT_EQ(t.text(t.leaf(8, "kv_heads")), "8 kv_heads");
  EXPECT_EQ(t.text(t.leaf(2, "K,V")), "2 [K,V]");
  EXPECT_EQ(t.text(t.leaf(2, "x")), "2 [x]");
  EXPECT_EQ(t.text(t.leaf(2, "residual + norm")), "2 [residual + norm]");
  EXPECT_EQ(t.text(t.leaf(2, "bf16", "B")), "2 B bf16");
  EXPECT_EQ(t.text(t.leaf(2.5e14, "matmul", "FLOP")), "250 TFLOP matmul");
  EXPECT_EQ(t.text(t.leaf(0.00064, "fixed overhead", "s")), "640 us fixed overhead");
}

TEST(ExpressionText, EvaluateRecomputesFromLeaves) {
  Trees t;
  const int32_t e = t.node(ExprOp::min, {t.leaf(3), t.node(ExprOp::ceil, {t.leaf(1.5)})});
  EXPECT_EQ(evaluate(t.x, e), 2);
  EXPECT_EQ(expr_op_name(ExprOp::mul), "*");
}

// ---- An independent reader of rendered formulas, with interval arithmetic ----

struct Interval {
  double lo, hi;
};

Interval mul(Interval a, Interval b) {
  const double p[] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  return {*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
}
Interval divide(Interval a, Interval b) {
  if (b.lo <= 0 && b.hi >= 0) return {-INFINITY, INFINITY};
  return mul(a, {1 / b.hi, 1 / b.lo});
}

class Reader {
 public:
  explicit Reader(std::string text) : s_(std::move(text)) {}

  Interval parse() {
    Interval v = expr();
    skip_spaces();
    if (i_ != s_.size()) fail("trailing text");
    return v;
  }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  void fail(const std::string& what) {
    if (error_.empty()) error_ = what + " at " + std::to_string(i_) + " in: " + s_;
  }
  void skip_spaces() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool eat(const std::string& t) {
    skip_spaces();
    if (s_.compare(i_, t.size(), t) == 0) {
      i_ += t.size();
      return true;
    }
    return false;
  }
  // " x " is the multiplication sign only as a separate word.
  bool eat_times() {
    skip_spaces();
    if (i_ + 1 < s_.size() && s_[i_] == 'x' && s_[i_ + 1] == ' ') {
      i_ += 2;
      return true;
    }
    return false;
  }
  Interval expr() {
    Interval v = term();
    for (;;) {
      if (eat("+")) {
        const Interval t = term();
        v = {v.lo + t.lo, v.hi + t.hi};
      } else if (eat("- ")) {
        const Interval t = term();
        v = {v.lo - t.hi, v.hi - t.lo};
      } else {
        return v;
      }
    }
  }
  Interval term() {
    Interval v = factor();
    for (;;) {
      if (eat_times()) v = mul(v, factor());
      else if (eat("/ ")) v = divide(v, factor());
      else return v;
    }
  }
  Interval call(bool is_max, bool is_ceil) {
    Interval v = expr();
    while (!is_ceil && eat(",")) {
      const Interval w = expr();
      v = is_max ? Interval{std::max(v.lo, w.lo), std::max(v.hi, w.hi)}
                 : Interval{std::min(v.lo, w.lo), std::min(v.hi, w.hi)};
    }
    if (!eat(")")) fail("expected )");
    if (is_ceil) v = {std::ceil(v.lo), std::ceil(v.hi)};
    return v;
  }
  Interval factor() {
    if (eat("max(")) return call(true, false);
    if (eat("min(")) return call(false, false);
    if (eat("ceil(")) return call(false, true);
    if (eat("(")) {
      skip_spaces();
      if (i_ < s_.size() && s_[i_] == '-') {  // a negative leaf "(-5)"
        Interval v = number();
        if (!eat(")")) fail("expected )");
        return v;
      }
      Interval v = expr();
      if (!eat(")")) fail("expected )");
      return v;
    }
    return number();
  }
  // A printed number: its interval is the rounding its display rule allows (the rules of
  // render_text: seconds to 3 significant digits, hours to 2 decimals, SI-prefixed quantities
  // to 4 significant digits, other whole numbers exactly, other numbers to 6 digits).
  Interval number() {
    skip_spaces();
    const size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    bool integer_literal = true;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                              s_[i_] == 'e' || s_[i_] == 'E' ||
                              ((s_[i_] == '+' || s_[i_] == '-') && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E')))) {
      if (!std::isdigit(static_cast<unsigned char>(s_[i_]))) integer_literal = false;
      ++i_;
    }
    if (i_ == start) {
      fail("expected a number");
      i_ = s_.size();
      return {0, 0};
    }
    const double v = std::strtod(s_.substr(start, i_ - start).c_str(), nullptr);
    const auto significant = [&](int digits) {
      return v == 0 ? 0.0 : 0.5 * std::pow(10.0, std::floor(std::log10(std::fabs(v))) - (digits - 1));
    };
    const Unit u = unit();
    double half = 0;
    if (u.kind == Unit::time) half = significant(3);
    else if (u.kind == Unit::hours) half = 0.005;
    // write_leaf prints a non-whole B / FLOP quantity to 4 digits with or without a prefix
    // ("0.0002442 B" of scale bytes per param).
    else if (u.scale != 1 || (u.quantity && !integer_literal)) half = significant(4);
    else if (!integer_literal) half = significant(6);
    else half = 0.5;  // whole numbers print exactly, or rounded to whole from 1e6 up
    label();
    return {(v - half) * u.scale, (v + half) * u.scale};
  }
  struct Unit {
    enum Kind { plain, time, hours } kind = plain;
    double scale = 1;
    bool quantity = false;  // B, FLOP, B/s or FLOP/s, SI-prefixed or not
  };
  // Units with SI prefixes: the factor to base units (B, FLOP, B/s, FLOP/s, s).
  Unit unit() {
    skip_spaces();
    static const char* kBase[] = {"FLOP/s", "FLOP", "B/s", "B"};
    static const std::pair<const char*, double> kPrefix[] = {
        {"", 1}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}};
    for (const auto& [p, f] : kPrefix)
      for (const char* b : kBase) {
        const std::string u = std::string(p) + b;
        if (s_.compare(i_, u.size(), u) == 0 && (i_ + u.size() == s_.size() || s_[i_ + u.size()] == ' ' ||
                                                 s_[i_ + u.size()] == ')' || s_[i_ + u.size()] == ',')) {
          i_ += u.size();
          return {Unit::plain, f, true};
        }
      }
    static const std::pair<const char*, double> kTime[] = {{"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"h", 3600}};
    for (const auto& [u, f] : kTime) {
      const size_t n = std::char_traits<char>::length(u);
      if (s_.compare(i_, n, u) == 0 && (i_ + n == s_.size() || s_[i_ + n] == ' ' || s_[i_ + n] == ')' ||
                                        s_[i_ + n] == ',')) {
        i_ += n;
        return {f == 3600 ? Unit::hours : Unit::time, f};
      }
    }
    return {};
  }
  // Words after a number up to the next operator, or one [bracketed] label.
  void label() {
    skip_spaces();
    if (i_ < s_.size() && s_[i_] == '[') {
      const size_t end = s_.find(']', i_);
      if (end == std::string::npos) fail("unclosed [");
      i_ = end == std::string::npos ? s_.size() : end + 1;
      return;
    }
    for (;;) {
      skip_spaces();
      if (i_ >= s_.size()) return;
      const char c = s_[i_];
      if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_')) return;
      if (c == 'x' && (i_ + 1 == s_.size() || s_[i_ + 1] == ' ')) return;  // the times sign
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                                s_[i_] == '.'))
        ++i_;
    }
  }

  std::string s_;
  size_t i_ = 0;
  std::string error_;
};

// The checks for one expression with its reported value and text.
void expect_consistent(const std::string& where, double reported, const Expressions& x, int32_t e,
                       const std::string& text) {
  ASSERT_FALSE(text.empty()) << where;
  ASSERT_NE(e, Expressions::kNone) << where;
  const double v = evaluate(x, e);
  EXPECT_NEAR(v, reported, 1e-12 * std::max(1.0, std::fabs(reported))) << where << ": " << text;
  EXPECT_EQ(render_text(x, e), text) << where;
  Reader reader(text);
  const Interval range = reader.parse();
  ASSERT_FALSE(reader.failed()) << where << ": " << reader.error();
  const double slack = 1e-9 * std::max(1.0, std::fabs(reported));
  EXPECT_LE(range.lo, reported + slack) << where << ": " << text;
  EXPECT_GE(range.hi, reported - slack) << where << ": " << text;
}

int check_report(const Report& r, const std::string& name) {
  int n = 0;
  for (const auto& i : r.memory.items) {
    expect_consistent(name + " memory " + i.id, i.bytes, r.expressions, i.expression, i.formula);
    ++n;
  }
  for (const auto& i : r.flops.items) {
    expect_consistent(name + " flops " + i.id, i.flops, r.expressions, i.expression, i.formula);
    ++n;
  }
  for (const auto& p : r.latency.phases) {
    expect_consistent(name + " phase " + p.id, p.time_s, r.expressions, p.expression, p.formula);
    ++n;
  }
  if (r.has_performance && r.mode == Mode::training) {
    expect_consistent(name + " train_step", r.training.step.time_s, r.expressions,
                      r.training.step.expression, r.training.step.formula);
    ++n;
  }
  return n;
}

TEST(ReportExpressions, GoldenExamplesAreConsistent) {
  // The same scenarios as examples/*.scenario.json, whose formulas the README shows.
  const char* scenarios[] = {
      R"({"model":"deepseek-v3","precision":{"weights":"fp8"},"hardware":{"gpu":"h200","count":8},"workload":{"batch":16,"prompt":8192,"generate":1024}})",
      R"({"model":"llama-2-70b","precision":{"weights":"int4"},"hardware":{"gpu":"a100-80gb"},"workload":{"batch":8,"prompt":1024,"generate":256}})",
      R"({"model":"llama-3-70b","mode":"training","training":{"zero_stage":3},"parallelism":{"tp":8,"dp":64,"sequence_parallel":true},"options":{"activation_method":"korthikanti"},"workload":{"seq":8192,"grad_accum":16}})",
      R"({"model":"mistral-7b-v0.3","mode":"training","training":{"finetune":"qlora","optimizer":"adamw-8bit"},"hardware":{"gpu":"rtx-4090"},"workload":{"batch":4,"seq":2048,"grad_accum":8}})",
      R"({"model":"llama-2-7b","method":"seed","workload":{"batch":4,"prompt":4000,"generate":96}})",
  };
  int n = 0;
  for (const char* s : scenarios) n += check_report(run(s), s);
  EXPECT_GT(n, 30);
}

// A few thousand random valid scenarios over both modes, every method, parallel layouts,
// quantized weights, LoRA/QLoRA, MoE, MLA and sliding windows.
TEST(ReportExpressions, RandomScenariosAreConsistent) {
  std::mt19937 rng(12345);
  auto pick = [&](std::initializer_list<const char*> l) {
    return std::string(*(l.begin() + std::uniform_int_distribution<size_t>(0, l.size() - 1)(rng)));
  };
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int valid = 0, checked = 0;
  for (int k = 0; k < 3000; ++k) {
    const bool training = between(0, 1) == 1;
    std::string j = "{\"model\":\"" +
                    pick({"llama-2-7b", "llama-3-8b", "mixtral-8x7b", "deepseek-v3", "gemma-2-9b",
                          "mistral-7b-v0.1", "qwen3-30b-a3b", "gpt2", "falcon-7b", "phi-3-mini-4k",
                          "qwen1.5-moe-a2.7b", "gemma-3-4b"}) +
                    "\",\"mode\":\"" + (training ? "training" : "inference") + "\"";
    if (between(0, 5) == 0) j += ",\"method\":\"seed\"";
    j += ",\"hardware\":{\"gpu\":\"" + pick({"h100-sxm", "a100-80gb", "rtx-4090", "l40s", "mi300x", "t4"}) + "\"}";
    j += ",\"precision\":{\"weights\":\"" +
         (training ? pick({"bf16", "fp16", "fp32"}) : pick({"bf16", "fp8", "int8", "int4", "nf4", "fp4"})) +
         "\",\"kv_cache\":\"" + pick({"bf16", "fp8", "int8"}) + "\"}";
    j += ",\"workload\":{\"batch\":" + std::to_string(between(1, 64)) + ",\"prompt\":" +
         std::to_string(between(1, 32768)) + ",\"generate\":" + std::to_string(between(0, 4096)) +
         ",\"seq\":" + std::to_string(between(128, 16384)) + ",\"grad_accum\":" + std::to_string(between(1, 8)) + "}";
    j += ",\"parallelism\":{\"tp\":" + pick({"1", "1", "2", "4", "8"}) + ",\"pp\":" + pick({"1", "1", "2", "4"}) +
         ",\"dp\":" + pick({"1", "2", "8"}) + ",\"sequence_parallel\":" + pick({"false", "true"}) + "}";
    if (training) {
      const std::string ft = pick({"full", "lora", "qlora"});
      j += ",\"training\":{\"finetune\":\"" + ft + "\",\"zero_stage\":" + pick({"0", "1", "2", "3"}) +
           ",\"checkpointing\":\"" + pick({"none", "selective", "full"}) + "\",\"optimizer\":\"" +
           pick({"adamw", "adamw-8bit", "adafactor", "sgd", "lion"}) + "\"}";
      if (ft == "qlora") {  // QLoRA's base is 4-bit (nf4 by default)
        const size_t w = j.find("\"weights\":\"");
        j.replace(w, j.find('"', w + 11) - w + 2, "");
      }
    }
    j += ",\"options\":{\"flash_attention\":" + pick({"true", "false"}) + ",\"activation_method\":\"" +
         pick({"detailed", "korthikanti", "seed"}) + "\",\"logits\":\"" + pick({"last", "all"}) +
         "\",\"prefill_chunk\":" + pick({"0", "512"}) + ",\"kv_page_tokens\":" + pick({"0", "16"}) +
         ",\"price_per_gpu_hour\":2}";
    j += "}";
    const ScenarioResult parsed = parse_scenario(j);
    if (!parsed.scenario) {
      (void)k;
      continue;
    }  // an invalid combination (tp not dividing heads, ...)
    ++valid;
    checked += check_report(estimate(*parsed.scenario), j);
    if (::testing::Test::HasFailure()) break;  // the first broken scenario is enough to read
  }
  EXPECT_GT(valid, 1000);
  EXPECT_GT(checked, 8000);
}

}  // namespace
}  // namespace llmcalc::test
