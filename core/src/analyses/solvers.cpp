#include <algorithm>

#include "llmcalc/catalog.hpp"
#include "llmcalc/estimate.hpp"
#include "llmcalc/solve.hpp"
#include "llmcalc/workload_limits.hpp"

namespace llmcalc {
namespace {

bool fits(const Scenario& s) { return estimate(s, Detail::numbers).memory.fits; }

// Largest x in [1, hi] with ok(x), assuming ok is monotone (true then false); 0 if !ok(1).
template <typename F>
int64_t largest_true(int64_t hi, F ok) {
  if (!ok(1)) return 0;
  int64_t lo = 1;  // ok(lo) holds
  int64_t step = 1;
  while (lo < hi) {  // gallop to bracket the boundary, then bisect
    const int64_t probe = std::min(hi, lo + step);
    if (ok(probe)) {
      lo = probe;
      step *= 2;
    } else {
      hi = probe - 1;
      break;
    }
  }
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

}  // namespace

void set_sweep_var(Workload& w, SweepVar var, int64_t value) {
  switch (var) {
    case SweepVar::batch: w.batch = value; break;
    case SweepVar::seq: w.seq = value; break;
    case SweepVar::prompt: w.prompt = value; break;
    case SweepVar::generate: w.generate = value; break;
    case SweepVar::grad_accum: w.grad_accum = value; break;
    case SweepVar::gpu: break;
  }
}

std::vector<SweepPoint> sweep(const Scenario& base, SweepVar var, const std::vector<double>& numbers,
                              const std::vector<std::string>& gpu_ids, Detail detail) {
  std::vector<SweepPoint> out;
  if (var == SweepVar::gpu) {
    out.reserve(gpu_ids.size());
    for (const auto& id : gpu_ids) {
      Scenario s = base;
      if (const GpuPreset* g = find_gpu(id)) s.gpu = g->gpu;
      out.push_back({0, id, estimate(s, detail)});
    }
    return out;
  }
  out.reserve(numbers.size());
  for (double v : numbers) {
    Scenario s = base;
    const auto n = static_cast<int64_t>(v);
    set_sweep_var(s.workload, var, n);
    out.push_back({v, std::to_string(n), estimate(s, detail)});
  }
  return out;
}

SolveAnswer solve_max_batch(const Scenario& base) {
  SolveAnswer a;
  a.question = "max-batch";
  Scenario s = base;
  a.value = largest_true(kMaxBatch, [&](int64_t b) {
    s.workload.batch = b;
    return fits(s);
  });
  a.found = a.value > 0;
  s.workload.batch = std::max<int64_t>(a.value, 1);
  a.report = estimate(s);
  a.layout = s.parallelism;
  a.explanation = a.found ? "largest batch that fits; batch " + std::to_string(a.value + 1) +
                                " does not" + (a.value == kMaxBatch ? " (search limit reached)" : "")
                          : "batch 1 does not fit";
  return a;
}

SolveAnswer solve_max_context(const Scenario& base) {
  SolveAnswer a;
  a.question = "max-context";
  Scenario s = base;
  const bool training = s.mode == Mode::training;
  // Inference varies the prompt (generated tokens kept); training varies the sequence.
  const int64_t hi = training ? kMaxTokens : kMaxTokens - s.workload.generate;
  a.value = largest_true(hi, [&](int64_t n) {
    (training ? s.workload.seq : s.workload.prompt) = n;
    return fits(s);
  });
  a.found = a.value > 0;
  (training ? s.workload.seq : s.workload.prompt) = std::max<int64_t>(a.value, 1);
  a.report = estimate(s);
  a.layout = s.parallelism;
  const int64_t ctx = training ? a.value : a.value + s.workload.generate;
  a.explanation = !a.found ? "one token does not fit"
                           : std::string(training ? "longest training sequence" : "longest prompt") +
                                 " that fits (context " + std::to_string(ctx) + " tokens)";
  const int64_t limit = s.model.arch.max_position_embeddings;
  if (a.found && limit > 0 && ctx > limit)
    a.explanation += "; beyond the model's max_position_embeddings (" + std::to_string(limit) + ")";
  return a;
}

SolveAnswer solve_min_gpus(const Scenario& base, int64_t max_gpus) {
  SolveAnswer a;
  a.question = "min-gpus";
  const Architecture& arch = base.model.arch;
  const bool training = base.mode == Mode::training;
  const int64_t layers = std::max<int64_t>(arch.num_layers, 1);
  Scenario s = base;
  bool stopped = false;  // the estimate budget ran out before the search finished
  auto fits_at = [&](int64_t tp, int64_t pp, int64_t dp) {
    if (a.estimates >= kMaxSolveEstimates) {
      stopped = true;
      return false;
    }
    ++a.estimates;
    s.parallelism.tp = tp;
    s.parallelism.pp = pp;
    s.parallelism.dp = dp;
    s.gpu_count = tp * pp * dp;
    return fits(s);
  };
  // The fewest GPUs over layouts (tp, pp, dp), tp within a node (at most 8, dividing the
  // heads), inference with dp 1. Ties go to the larger tp, then the smaller pp, as a scan of
  // every n from 1 would find them. Two facts of the memory model keep the search small and
  // exact (tests/core/solver_test.cpp checks it against that scan):
  // - per-GPU memory depends on pp through the busiest stage's layers, ceil(L / pp), and the
  //   micro-batches in flight, min(pp, grad_accum), which only grows with pp: of the pp that
  //   share a stage size, the smallest is best, so only ~2 sqrt(L) values of pp are tried;
  // - it never grows with dp (ZeRO shards over dp), so the smallest dp that fits is found by
  //   bisection.
  int64_t best = max_gpus + 1;
  for (int64_t tp = std::min<int64_t>(max_gpus, 8); tp >= 1 && !stopped; --tp) {
    if (arch.num_heads % tp != 0) continue;
    for (int64_t pp = 1; !stopped;) {
      if (tp * pp >= best) break;  // dp >= 1: no fewer GPUs from here on
      const int64_t dp_max = training ? (best - 1) / (tp * pp) : 1;
      if (fits_at(tp, pp, dp_max)) {
        int64_t lo = 1, hi = dp_max;  // fits at hi; find the smallest such dp
        while (lo < hi && !stopped) {
          const int64_t mid = lo + (hi - lo) / 2;
          if (fits_at(tp, pp, mid)) hi = mid;
          else lo = mid + 1;
        }
        if (!stopped) {
          best = tp * pp * hi;
          a.layout = {tp, pp, hi, base.parallelism.sequence_parallel};
        }
      }
      const int64_t stage = (layers + pp - 1) / pp;  // next pp with a smaller busiest stage
      if (stage == 1) break;
      pp = (layers + stage - 2) / (stage - 1);
    }
  }
  a.found = best <= max_gpus;
  const std::string limit =
      stopped ? " (the search stopped at its limit of " + std::to_string(kMaxSolveEstimates) +
                    " estimates; a layout with fewer GPUs may exist)"
              : "";
  if (!a.found) {
    a.report = estimate(base);
    a.explanation = "does not fit on " + std::to_string(max_gpus) + " GPUs with any layout tried" + limit;
    return a;
  }
  a.value = best;
  s.parallelism = a.layout;
  s.gpu_count = best;
  a.report = estimate(s);
  a.explanation = "fewest " + base.gpu.name + " GPUs that fit: tp " + std::to_string(a.layout.tp) +
                  ", pp " + std::to_string(a.layout.pp) + ", dp " + std::to_string(a.layout.dp) + limit;
  return a;
}

KneeAnswer solve_knee(const Scenario& base) {
  KneeAnswer k;
  Scenario s = base;
  k.max_batch = solve_max_batch(base).value;
  const int64_t limit = std::max<int64_t>(std::min<int64_t>(k.max_batch, 4096), 1);
  for (int64_t b = 1;; b *= 2) {
    const int64_t batch = std::min(b, limit);
    s.workload.batch = batch;
    const Report r = estimate(s, Detail::numbers);
    double step = 0;
    bool compute = false;
    for (const auto& p : r.latency.phases)
      if (p.id == "decode_first") {
        step = p.time_s;
        compute = p.bound == Bound::compute;
      }
    k.batch.push_back(batch);
    k.decode_step_s.push_back(step);
    k.tokens_per_s_total.push_back(step > 0 ? double(batch) * double(s.parallelism.dp) / step : 0);
    k.compute_bound.push_back(compute);
    k.fits.push_back(r.memory.fits);
    if (batch >= limit) break;
  }
  // The knee: smallest batch whose first decode step is compute-bound (monotone in batch).
  auto bound_at = [&](int64_t b) {
    s.workload.batch = b;
    for (const auto& p : estimate(s, Detail::numbers).latency.phases)
      if (p.id == "decode_first") return p.bound == Bound::compute;
    return false;
  };
  const int64_t search = std::max<int64_t>(limit, 1);
  if (bound_at(search)) {
    int64_t lo = 1, hi = search;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (bound_at(mid)) hi = mid;
      else lo = mid + 1;
    }
    k.knee_batch = lo;
  }
  return k;
}

}  // namespace llmcalc
