// The plan's search: every candidate weight format x KV type, at the requested context (one
// estimate) or at the longest that fits (a bisection on the context, memory being monotone in
// it), numbers-only, under kMaxPlanEstimates; then the fitting ones ranked.
#include <algorithm>
#include <cmath>

#include "llmcalc/estimate.hpp"
#include "llmcalc/plan.hpp"
#include "llmcalc/schema.hpp"
#include "plan_candidates.hpp"
#include "../scenario/check_local.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {
namespace {

std::string count_text(int64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

double weight_bytes_of(const Report& r) {
  double b = 0;
  for (const auto& i : r.memory.items)
    if (i.kind == MemoryKind::weights || i.kind == MemoryKind::quantization_scales) b += i.bytes;
  return b;
}

double kv_bytes_of(const Report& r) {
  double b = 0;
  for (const auto& i : r.memory.items)
    if (i.kind == MemoryKind::kv_cache) b += i.bytes;
  return b;
}

struct Search {
  const Scenario& base;
  const PlanGoals& goals;
  PlanFamily family;
  PlanAnswer& answer;

  // One numbers-only estimate of `s` at `ctx`; false when the budget is spent.
  bool evaluate(Scenario s, int64_t ctx, PlanCandidate& c) {
    if (answer.estimates >= kMaxPlanEstimates) {
      answer.stopped = true;
      return false;
    }
    ++answer.estimates;
    apply_context(s, family, ctx);
    c.context = ctx;
    c.report = estimate(s, Detail::numbers);
    c.scenario = std::move(s);
    const Report& r = c.report;
    PlanDevice d;
    d.device = "gpu";
    d.name = base.gpu.name;
    d.used_bytes = r.memory.total_bytes;
    d.capacity_bytes = r.memory.capacity_bytes;
    // A serving engine keeps its own margin (gpu_memory_utilization and the like) and fills
    // the rest with its KV pool: it fits when the pool holds one sequence of the context.
    d.margin_bytes = family == PlanFamily::serving ? 0.0 : goals.margin_bytes;
    d.headroom_bytes = d.capacity_bytes - d.margin_bytes - d.used_bytes;
    c.fits = family == PlanFamily::serving ? (r.engine.starts && r.memory.fits)
                                           : d.headroom_bytes >= 0;
    c.devices = {d};
    c.weight_bytes = weight_bytes_of(r);
    c.decode_tokens_per_s = r.latency.decode_first_s > 0 ? 1.0 / r.latency.decode_first_s : 0;
    c.ttft_s = r.latency.ttft_s;
    return true;
  }

  // How far a candidate misses (bytes); for a serving engine, the KV the pool lacks.
  double shortfall(const PlanCandidate& c) const {
    if (family == PlanFamily::serving) {
      const EngineReport& e = c.report.engine;
      const double kv = double(std::max<int64_t>(e.max_model_len - e.kv_pool_tokens, 0)) * e.kv_bytes_per_token;
      return std::max(kv, c.report.memory.total_bytes - c.report.memory.capacity_bytes);
    }
    return -c.devices[0].headroom_bytes;
  }

  void consider_miss(const PlanCandidate& c) {
    const double miss = shortfall(c);
    if (!answer.has_closest_miss || miss < answer.shortfall_bytes) {
      answer.has_closest_miss = true;
      answer.closest_miss = c;
      answer.shortfall_bytes = miss;
    }
  }

  // The candidate at the goal's context, or at the longest context that fits.
  void run(const Scenario& s, PlanCandidate proto, std::vector<PlanCandidate>& fitting) {
    const int64_t limit = base.model.arch.max_position_embeddings;
    if (goals.context > 0) {
      PlanCandidate c = proto;
      if (!evaluate(s, goals.context, c)) return;
      if (c.fits) fitting.push_back(std::move(c));
      else consider_miss(c);
      return;
    }
    // "max": the shortest acceptable context first; then gallop and bisect up to the model's
    // trained length (or the schema's limit when the model does not state one).
    const int64_t hi_limit = limit > 0 ? std::max(limit, goals.min_context) : kMaxTokens;
    PlanCandidate lo_c = proto;
    if (!evaluate(s, goals.min_context, lo_c)) return;
    if (!lo_c.fits) {
      consider_miss(lo_c);
      return;
    }
    int64_t lo = goals.min_context, hi = hi_limit;
    PlanCandidate probe = proto;
    for (int64_t step = lo; lo < hi;) {  // gallop: double until a context fails
      const int64_t at = std::min(hi, lo + step);
      if (!evaluate(s, at, probe)) break;
      if (probe.fits) {
        lo = at;
        lo_c = probe;
        step *= 2;
      } else {
        hi = at - 1;
        break;
      }
    }
    while (lo < hi && !answer.stopped) {
      const int64_t mid = lo + (hi - lo + 1) / 2;
      if (!evaluate(s, mid, probe)) break;
      if (probe.fits) {
        lo = mid;
        lo_c = probe;
      } else {
        hi = mid - 1;
      }
    }
    fitting.push_back(std::move(lo_c));
  }
};

std::string why_text(const PlanCandidate& c, PlanFamily f, const PlanGoals& g) {
  const PlanDevice& d = c.devices[0];
  std::string w = c.weights + " weights (" + format_bytes(c.weight_bytes) + ") + " + c.kv_cache +
                  " KV cache for " + count_text(c.context) + " tokens (" +
                  format_bytes(kv_bytes_of(c.report)) + "): " + format_bytes(d.used_bytes) +
                  " of " + format_bytes(d.capacity_bytes);
  if (f == PlanFamily::serving) {
    w += "; the engine's KV pool holds " + count_text(c.report.engine.kv_pool_tokens) + " tokens (" +
         format_number(std::floor(c.report.engine.max_concurrent_sequences * 10) / 10) +
         " sequences of this context)";
  } else {
    w += d.headroom_bytes >= 0 ? ", " + format_bytes(d.headroom_bytes) + " spare after a " +
                                     format_bytes(g.margin_bytes) + " margin"
                               : ", " + format_bytes(-d.headroom_bytes) + " over with a " +
                                     format_bytes(g.margin_bytes) + " margin";
  }
  if (c.decode_tokens_per_s > 0) {
    std::string tps;
    append_significant(tps, c.decode_tokens_per_s, 3);
    w += "; about " + tps + " tokens/s decode";
  }
  return w;
}

}  // namespace

PlanAnswer make_plan(const Scenario& base, const PlanGoals& goals) {
  PlanAnswer a;
  a.engine = std::string(base.engine.id());
  const PlanFamily family = plan_family(base);
  const auto weights = goals.weights.empty() ? default_weights(family) : goals.weights;
  const auto kvs = goals.kv_cache.empty() ? default_kv(family) : goals.kv_cache;
  // The user's attention kernel when stated; else on, as llama.cpp's "-fa auto" turns it on
  // where the backend has it (common/common.h @001d906a: flash_attn_type = AUTO).
  const bool fa = base.gave("/options/flash_attention") ? base.options.flash_attention : true;
  Search search{base, goals, family, a};
  std::vector<PlanCandidate> fitting;
  int64_t skipped_floor = 0, skipped_fa = 0, refused = 0;
  for (const auto& w : weights) {
    const int bits = nominal_bits(w);
    if (goals.min_quality_bits > 0 && bits < goals.min_quality_bits) {
      ++skipped_floor;
      continue;
    }
    for (const auto& kv : kvs) {
      if (kv_quantized(family, kv) && !fa) {
        ++skipped_fa;
        continue;
      }
      Scenario s = base;
      if (!apply_choice(s, family, w, kv, fa)) continue;
      Errors errs;
      check_local_inference(s, errs);  // e.g. a mix llama-quantize refuses for these shapes
      if (!errs.empty()) {
        ++refused;
        continue;
      }
      PlanCandidate proto;
      proto.weights = w;
      proto.kv_cache = kv;
      proto.flash_attention = s.options.flash_attention;
      proto.quality_bits = bits;
      search.run(s, proto, fitting);
      if (a.stopped) break;
    }
    if (a.stopped) break;
  }
  const int64_t limit = base.model.arch.max_position_embeddings;
  auto kv_bits = [](const PlanCandidate& c) { return nominal_bits(c.kv_cache); };
  auto ctx_value = [&](const PlanCandidate& c) {
    return limit > 0 ? std::min(c.context, limit) : c.context;
  };
  // Quality first (the floor already rules out what the user will not accept): the most bits
  // per weight, then the larger file of a tier (more tensors kept at higher precision), then
  // (asked for "max") the longer context up to the model's own, then the finer KV cache, then
  // speed. "speed" puts decode tokens/s first.
  auto better = [&](const PlanCandidate& x, const PlanCandidate& y) {
    if (goals.prefer == PlanPrefer::speed && x.decode_tokens_per_s != y.decode_tokens_per_s)
      return x.decode_tokens_per_s > y.decode_tokens_per_s;
    if (x.quality_bits != y.quality_bits) return x.quality_bits > y.quality_bits;
    if (x.weight_bytes != y.weight_bytes) return x.weight_bytes > y.weight_bytes;
    if (goals.context == 0 && ctx_value(x) != ctx_value(y)) return ctx_value(x) > ctx_value(y);
    if (kv_bits(x) != kv_bits(y)) return kv_bits(x) > kv_bits(y);
    return x.decode_tokens_per_s > y.decode_tokens_per_s;
  };
  // Indices are sorted, not candidates: each holds a scenario and a report.
  std::vector<size_t> order(fitting.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return better(fitting[x], fitting[y]); });
  a.fitting = int64_t(fitting.size());
  a.found = !fitting.empty();
  const size_t keep = std::min<size_t>(fitting.size(), size_t(1 + goals.alternatives));
  for (size_t i = 0; i < keep; ++i) {
    PlanCandidate& c = fitting[order[i]];
    c.why = why_text(c, family, goals);
    a.ranked.push_back(std::move(c));
  }
  if (skipped_floor > 0)
    a.notes.push_back(count_text(skipped_floor) + " weight formats below the quality floor (" +
                      std::to_string(goals.min_quality_bits) + " bits) were not tried.");
  if (skipped_fa > 0)
    a.notes.push_back("Quantized KV types were not tried: llama.cpp needs flash attention for a "
                      "quantized V cache and the scenario turns it off.");
  if (refused > 0)
    a.notes.push_back(count_text(refused) + " candidates were skipped: llama-quantize cannot store "
                      "some of this model's tensors in those mixes.");
  if (a.stopped)
    a.notes.push_back("The search stopped at its limit of " + count_text(kMaxPlanEstimates) +
                      " estimates; a better plan may exist among the candidates not tried.");
  const std::string ctx_goal =
      goals.context > 0 ? count_text(goals.context) + " tokens"
                        : "at least " + count_text(goals.min_context) + " tokens";
  if (a.found) {
    const PlanCandidate& b = a.ranked.front();
    a.explanation = b.weights + " weights, " + b.kv_cache + " KV cache, " + count_text(b.context) +
                    " tokens: " +
                    (goals.prefer == PlanPrefer::speed ? "the fastest" : "the highest quality") +
                    " of " + count_text(a.fitting) + " choices that fit on " + base.gpu.name +
                    (family == PlanFamily::serving ? "" : " with a " + format_bytes(goals.margin_bytes) + " margin");
    if (goals.context == 0 && limit > 0 && b.context >= limit)
      a.explanation += " (the model's own maximum context, " + count_text(limit) + " tokens)";
    return a;
  }
  a.explanation = "Nothing fits on " + base.gpu.name + " at " + ctx_goal;
  if (a.has_closest_miss) {
    PlanCandidate& m = a.closest_miss;
    m.why = why_text(m, family, goals);
    a.explanation += ": the closest is " + m.weights + " weights with a " + m.kv_cache + " KV cache, " +
                     format_bytes(a.shortfall_bytes) + " short" +
                     (family == PlanFamily::serving ? "" : " (counting the " + format_bytes(goals.margin_bytes) + " margin)");
  } else {
    a.explanation += ": no candidate could be tried";
  }
  a.explanation += ". A lower quality floor, a shorter context, more GPUs or offloading layers to "
                   "system memory would be needed.";
  return a;
}

}  // namespace llmcalc
