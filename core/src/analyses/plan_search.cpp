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

PlanDevice plan_device(std::string id, std::string name, double used, double capacity, double margin) {
  PlanDevice d;
  d.device = std::move(id);
  d.name = std::move(name);
  d.used_bytes = used;
  d.capacity_bytes = capacity;
  d.margin_bytes = margin;
  d.headroom_bytes = capacity - margin - used;
  return d;
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
    // Offloaded: each device (GPU, system RAM) with its own verdict; else the busiest GPU.
    // A serving engine keeps its own margin (gpu_memory_utilization and the like) and fills
    // the rest with its KV pool: it fits when the pool holds one sequence of the context.
    const double margin = family == PlanFamily::serving ? 0.0 : goals.margin_bytes;
    c.devices.clear();
    if (r.devices.empty()) {
      c.devices.push_back(plan_device("gpu", base.gpu.name, r.memory.total_bytes, r.memory.capacity_bytes, margin));
    } else {
      for (const auto& dm : r.devices)
        c.devices.push_back(plan_device(dm.id, dm.name, dm.total_bytes, dm.capacity_bytes, margin));
    }
    c.fits = family == PlanFamily::serving ? (r.engine.starts && r.memory.fits) : true;
    if (family != PlanFamily::serving)
      for (const auto& d : c.devices) c.fits = c.fits && d.headroom_bytes >= 0;
    c.offloaded = c.scenario.offload.enabled;
    c.gpu_layers = c.scenario.offload.gpu_layers;
    c.cpu_moe_layers = c.scenario.offload.cpu_moe_layers;
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
    double miss = -c.devices[0].headroom_bytes;
    for (const auto& d : c.devices) miss = std::max(miss, -d.headroom_bytes);
    return miss;
  }

  bool offload_pass = false;  // the second pass: candidates split with system RAM

  // llama.cpp's offload may help: GGUF engines on one GPU, and the user did not fix a split.
  bool can_offload() const {
    const Parallelism& l = base.parallelism;
    return family == PlanFamily::gguf && !base.offload.enabled && l.tp * l.pp * l.dp == 1 &&
           base.model.arch.num_layers > 0;
  }

  // The GPU's memory only: what a split search bisects on (it falls as layers leave the GPU).
  static bool gpu_fits(const PlanCandidate& c) { return c.devices.front().headroom_bytes >= 0; }

  // The fastest llama.cpp split of `s` at `ctx` that fits the GPU and the RAM: all layers with
  // the fewest MoE layers' experts in RAM (--n-cpu-moe), or the most GPU layers (-ngl) with no
  // or all experts in RAM. Each is a bisection (the GPU's memory is monotone in either count);
  // the fastest by decode speed wins, as fewer bytes read from RAM per token is faster. False
  // when no split fits the GPU; `best` then holds the closest miss.
  bool find_split(const Scenario& s, int64_t ctx, PlanCandidate& best) {
    const int64_t L = base.model.arch.num_layers;
    const bool moe = base.model.arch.moe.has_value();
    bool found = false, tried = false;
    auto try_split = [&](int64_t ngl, int64_t n_cpu_moe, PlanCandidate& out) {
      Scenario t = s;
      apply_offload(t, ngl, n_cpu_moe);
      return evaluate(t, ctx, out);
    };
    auto take = [&](PlanCandidate& c) {
      if (c.fits && (!found || c.decode_tokens_per_s > best.decode_tokens_per_s)) {
        best = c;
        found = true;
      } else if (!found && (!tried || shortfall(c) < shortfall(best))) {
        best = c;
      }
      tried = true;
    };
    // Bisection for the least of `lo..hi` whose split fits the GPU (fits(hi) is checked first).
    auto least_fitting = [&](int64_t lo, int64_t hi, auto split, PlanCandidate& out) {
      if (!try_split(split(hi).first, split(hi).second, out)) return false;
      if (!gpu_fits(out)) return false;
      PlanCandidate probe = out;
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (!try_split(split(mid).first, split(mid).second, probe)) return false;
        if (gpu_fits(probe)) {
          hi = mid;
          out = probe;
        } else {
          lo = mid + 1;
        }
      }
      return true;
    };
    PlanCandidate c = best;
    if (moe) {  // all layers on the GPU, experts of the first n layers in RAM
      if (least_fitting(1, L, [](int64_t n) { return std::pair<int64_t, int64_t>(-1, n); }, c)) take(c);
      else if (c.report.memory.total_bytes > 0) take(c);
    }
    // -ngl: the fewest layers left in RAM, i.e. the least k = L + 1 - ngl that fits.
    const int64_t expert_choices[] = {0, -1};  // MoE: also with every layer's experts in RAM
    for (int i = 0; i < (moe ? 2 : 1); ++i) {
      const int64_t experts = expert_choices[i];
      PlanCandidate d = best;
      if (answer.stopped) break;
      if (least_fitting(1, L + 1, [&](int64_t k) { return std::pair<int64_t, int64_t>(L + 1 - k, experts); }, d))
        take(d);
      else if (d.report.memory.total_bytes > 0) take(d);
    }
    return found;
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
      if (!c.fits && offload_pass) {
        PlanCandidate split = proto;
        if (find_split(s, goals.context, split)) c = std::move(split);
        else if (split.report.memory.total_bytes > 0) consider_miss(split);
      }
      if (c.fits) fitting.push_back(std::move(c));
      else consider_miss(c);
      return;
    }
    // "max": the shortest acceptable context first; then gallop and bisect up to the model's
    // trained length (or the schema's limit when the model does not state one).
    const int64_t hi_limit = limit > 0 ? std::max(limit, goals.min_context) : kMaxTokens;
    PlanCandidate lo_c = proto;
    if (!evaluate(s, goals.min_context, lo_c)) return;
    Scenario split_s;
    const Scenario* at = &s;
    if (!lo_c.fits && offload_pass) {
      // The split that fits the shortest context, kept while the context grows (a longer
      // context moves no layer: it only adds KV cache on each device).
      PlanCandidate split = proto;
      if (find_split(s, goals.min_context, split)) {
        lo_c = std::move(split);
        split_s = lo_c.scenario;
        at = &split_s;
      } else if (split.report.memory.total_bytes > 0) {
        consider_miss(split);
      }
    }
    if (!lo_c.fits) {
      consider_miss(lo_c);
      return;
    }
    int64_t lo = goals.min_context, hi = hi_limit;
    PlanCandidate probe = proto;
    for (int64_t step = lo; lo < hi;) {  // gallop: double until a context fails
      const int64_t next = std::min(hi, lo + step);
      if (!evaluate(*at, next, probe)) break;
      if (probe.fits) {
        lo = next;
        lo_c = probe;
        step *= 2;
      } else {
        hi = next - 1;
        break;
      }
    }
    while (lo < hi && !answer.stopped) {
      const int64_t mid = lo + (hi - lo + 1) / 2;
      if (!evaluate(*at, mid, probe)) break;
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

// llama.cpp's flags for a split: "-ngl 20", "--n-cpu-moe 12", "-ngl 30 --cpu-moe".
std::string split_text(const PlanCandidate& c) {
  std::string t;
  if (c.gpu_layers >= 0) t = "-ngl " + std::to_string(c.gpu_layers);
  if (c.cpu_moe_layers != 0)
    t += (t.empty() ? "" : " ") + (c.cpu_moe_layers < 0 ? std::string("--cpu-moe")
                                                        : "--n-cpu-moe " + std::to_string(c.cpu_moe_layers));
  return t;
}

// The machine's GPUs: hardware.gpu and any extra_gpus llama.cpp splits the layers over.
std::string gpus_text(const Scenario& s) {
  std::string t = s.gpu.name;
  for (const Gpu& g : s.extra_gpus) t += " + " + g.name;
  return t;
}

// " (-ngl 40)" after "system RAM", or nothing when the split has no flags (extra_gpus alone).
std::string split_suffix(const PlanCandidate& c) {
  const std::string t = split_text(c);
  return t.empty() ? t : " (" + t + ")";
}

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
  if (c.offloaded) {
    for (size_t i = 1; i < c.devices.size(); ++i)
      w += "; " + format_bytes(c.devices[i].used_bytes) + " of " + format_bytes(c.devices[i].capacity_bytes) +
           " " + (c.devices[i].device == "ram" ? std::string("system RAM") : c.devices[i].name);
    w += split_suffix(c);
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
  // Pass 0: everything on the GPU. Pass 1, only when nothing fits there: the same candidates
  // split with system RAM (llama.cpp's -ngl / --n-cpu-moe), so a model that fits the GPU is
  // never planned slower in RAM for a few more bits.
  for (int pass = 0; pass < 2 && !a.stopped; ++pass) {
    if (pass == 1 && (!fitting.empty() || !search.can_offload())) break;
    search.offload_pass = pass == 1;
    for (const auto& w : weights) {
      const int bits = nominal_bits(w);
      if (goals.min_quality_bits > 0 && bits < goals.min_quality_bits) {
        skipped_floor += pass == 0;
        continue;
      }
      for (const auto& kv : kvs) {
        if (kv_quantized(family, kv) && !fa) {
          skipped_fa += pass == 0;
          continue;
        }
        Scenario s = base;
        if (!apply_choice(s, family, w, kv, fa)) continue;
        Errors errs;
        check_local_inference(s, errs);  // e.g. a mix llama-quantize refuses for these shapes
        if (!errs.empty()) {
          refused += pass == 0;
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
                    " of " + count_text(a.fitting) + " choices that fit on " + gpus_text(base) +
                    (b.offloaded ? " and system RAM" + split_suffix(b) : "") +
                    (family == PlanFamily::serving ? "" : " with a " + format_bytes(goals.margin_bytes) + " margin");
    if (goals.context == 0 && limit > 0 && b.context >= limit)
      a.explanation += " (the model's own maximum context, " + count_text(limit) + " tokens)";
    return a;
  }
  a.explanation = "Nothing fits on " + gpus_text(base) + " at " + ctx_goal;
  if (a.has_closest_miss) {
    PlanCandidate& m = a.closest_miss;
    m.why = why_text(m, family, goals);
    a.explanation += ": the closest is " + m.weights + " weights with a " + m.kv_cache + " KV cache" +
                     (m.offloaded ? split_suffix(m) : "") + ", " +
                     format_bytes(a.shortfall_bytes) + " short" +
                     (family == PlanFamily::serving ? "" : " (counting the " + format_bytes(goals.margin_bytes) + " margin)");
  } else {
    a.explanation += ": no candidate could be tried";
  }
  a.explanation += search.can_offload()
                       ? ". A lower quality floor, a shorter context, more system RAM or more GPUs "
                         "would be needed (layers and experts in system RAM were tried)."
                       : ". A lower quality floor, a shorter context, more GPUs or offloading layers to "
                         "system memory would be needed.";
  return a;
}

}  // namespace llmcalc
