#pragma once
// How many prompt tokens one prefill forward step holds. The scenario's options.prefill_chunk
// when it gives one; else, for an engine that chunks prefill by default, its token budget per
// step spread over the batch (vLLM V1's max_num_batched_tokens, chunked prefill always on;
// SGLang's chunked_prefill_size); else every prompt token of the batch in one step.

#include <cstdint>
#include <string_view>

#include "llmcalc/engine.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

struct PrefillStep {
  int64_t chunk = 0;             // prompt tokens per sequence in one step (1..prompt)
  int64_t tokens = 0;            // tokens of the largest step, all sequences
  double steps = 1;              // forward steps the batch's prompts take
  int64_t budget = 0;            // the engine's tokens per step when it set the chunk, else 0
  std::string_view budget_name;  // the engine's name for that budget
};

PrefillStep prefill_step(const Scenario& s);

// vLLM V1's serving defaults for this GPU (the first tier it reaches and is not excluded
// from), or null for a profile without tiers (V0).
const BatchDefaultTier* batch_default_tier(const EngineProfile& p, const Gpu& gpu);
// SGLang's bucket of defaults for this GPU's memory; null when the profile has none.
const FractionBucket* fraction_bucket(const DerivedFraction& d, const Gpu& gpu);
// SGLang's chunked_prefill_size: the option, else its bucket's default (0 without buckets).
int64_t sglang_chunked_prefill_size(const Scenario& s);

}  // namespace llmcalc
