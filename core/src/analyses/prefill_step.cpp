#include "prefill_step.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace llmcalc {

const BatchDefaultTier* batch_default_tier(const EngineProfile& p, const Gpu& gpu) {
  auto lower = [](std::string t) {
    for (char& ch : t) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return t;
  };
  for (const auto& t : p.batch_defaults) {
    if (gpu.memory_bytes < t.min_memory_bytes) continue;
    if (!t.except_name.empty() && lower(gpu.name).find(lower(t.except_name)) != std::string::npos) continue;
    return &t;
  }
  return nullptr;
}

const FractionBucket* fraction_bucket(const DerivedFraction& d, const Gpu& gpu) {
  if (d.buckets.empty()) return nullptr;
  const double gpu_mib = gpu.memory_bytes / 1048576.0;
  for (const auto& x : d.buckets)
    if (x.below_mib == 0 || gpu_mib < x.below_mib) return &x;
  return &d.buckets.back();
}

int64_t sglang_chunked_prefill_size(const Scenario& s) {
  if (const double given = s.engine.get(EngineOption::chunked_prefill_size, 0); given > 0) return int64_t(given);
  const FractionBucket* b = fraction_bucket(s.engine.profile->mem_fraction_default, s.gpu);
  return b != nullptr ? b->chunked_prefill_size : 0;
}

PrefillStep prefill_step(const Scenario& s) {
  const Workload& w = s.workload;
  PrefillStep out;
  const int64_t prompt = std::max<int64_t>(1, w.prompt), batch = std::max<int64_t>(1, w.batch);
  const auto per_sequence = [&](int64_t chunk) {
    out.chunk = chunk;
    out.tokens = batch * chunk;
    out.steps = std::ceil(double(prompt) / double(chunk));
    return out;
  };
  if (s.options.prefill_chunk > 0) return per_sequence(std::min(s.options.prefill_chunk, prompt));
  if (!s.engine.active || s.engine.profile == nullptr) return per_sequence(prompt);
  const EngineProfile& p = *s.engine.profile;
  int64_t budget = 0;
  // vLLM V1 (a profile with serving tiers): the option, else the GPU's default. V0 chunked
  // prefill only past 32K of context by default: left whole.
  if (const BatchDefaultTier* tier = batch_default_tier(p, s.gpu)) {
    budget = int64_t(s.engine.get(EngineOption::max_num_batched_tokens, 0));
    if (budget <= 0) budget = tier->max_num_batched_tokens;
    out.budget_name = "max_num_batched_tokens";
  } else if (s.engine.is(EngineOption::chunked_prefill_size)) {
    budget = sglang_chunked_prefill_size(s);
    out.budget_name = "chunked_prefill_size";
  }
  if (budget <= 0 || double(batch) * double(prompt) <= double(budget)) return per_sequence(prompt);
  // The engine fills each step with up to `budget` prompt tokens, whole or partial prompts.
  out.chunk = std::clamp<int64_t>(budget / batch, 1, prompt);
  out.tokens = std::min(batch * out.chunk, budget);
  out.steps = std::ceil(double(batch) * double(prompt) / double(budget));
  out.budget = budget;
  return out;
}

}  // namespace llmcalc
