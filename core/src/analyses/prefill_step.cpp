#include "prefill_step.hpp"

#include <algorithm>
#include <cctype>
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
  out.chunk = std::max<int64_t>(1, w.prompt);
  if (s.options.prefill_chunk > 0) {
    out.chunk = std::min(s.options.prefill_chunk, out.chunk);
    return out;
  }
  if (!s.engine.active || s.engine.profile == nullptr) return out;
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
  if (budget <= 0 || double(w.batch) * double(out.chunk) <= double(budget)) return out;
  out.chunk = std::clamp<int64_t>(budget / std::max<int64_t>(1, w.batch), 1, out.chunk);
  out.budget = budget;
  return out;
}

}  // namespace llmcalc
