#pragma once
// Solvers and sweeps over the estimator: exact with respect to it (binary search over
// monotone memory), so the answer fits and answer + 1 does not.

#include <cstdint>
#include <string>
#include <vector>

#include "llmcalc/estimate.hpp"
#include "llmcalc/report.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

enum class SweepVar { batch, seq, prompt, generate, grad_accum, gpu };

struct SweepPoint {
  double value = 0;   // the varied number (0 for gpu sweeps)
  std::string label;  // the value as text (the gpu id for gpu sweeps)
  Report report;
};

// Sets the workload field a numeric sweep varies (gpu sweeps change the GPU instead).
void set_sweep_var(Workload& w, SweepVar var, int64_t value);

// Runs the estimator once per value; values were validated by the caller (sweep_json checks
// each point as a scenario, and limits a request's points).
std::vector<SweepPoint> sweep(const Scenario& base, SweepVar var,
                              const std::vector<double>& numbers,
                              const std::vector<std::string>& gpu_ids,
                              Detail detail = Detail::full);

struct SolveAnswer {
  std::string question;
  int64_t value = 0;  // the answer: batch, tokens or GPUs; 0 when even the minimum fails
  bool found = false;
  Parallelism layout;  // min-gpus: the layout used
  std::string explanation;
  Report report;       // the scenario at the answer (or at the minimum when not found)
  int64_t estimates = 0;  // min-gpus: numbers-only estimates the search evaluated (its cost)
};

SolveAnswer solve_max_batch(const Scenario& s);
SolveAnswer solve_max_context(const Scenario& s);
// min-gpus evaluates at most this many estimates, whatever max_gpus and the model (the
// search's worst case under today's limits, 10,000 layers and 65,536 GPUs, is ~27,000); if
// it ever stops there, the explanation says that fewer GPUs may fit.
constexpr int64_t kMaxSolveEstimates = 32'768;
SolveAnswer solve_min_gpus(const Scenario& s, int64_t max_gpus = 4096);

// Decode throughput versus batch (powers of two up to the largest batch that fits, at most
// 4096) and the smallest batch whose decode step is compute-bound (the roofline knee).
struct KneeAnswer {
  std::vector<int64_t> batch;
  std::vector<double> decode_step_s;
  std::vector<double> tokens_per_s_total;
  std::vector<bool> compute_bound;
  std::vector<bool> fits;
  int64_t knee_batch = 0;  // 0 when no batch up to the limit is compute-bound
  int64_t max_batch = 0;
};
KneeAnswer solve_knee(const Scenario& s);

}  // namespace llmcalc
