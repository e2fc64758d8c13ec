#include "warnings.hpp"

#include <string>

#include "llmcalc/estimate.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {
namespace {

int64_t context_tokens(const Scenario& s) {
  return s.mode == Mode::inference ? s.workload.prompt + s.workload.generate : s.workload.seq;
}

std::string per_gpu(const MemoryReport& m) {
  return format_bytes(m.total_bytes) + " of " + format_bytes(m.capacity_bytes) + " per GPU";
}

// A changed scenario's memory, numbers only.
MemoryReport memory_of(const Scenario& changed) { return estimate(changed, Detail::numbers).memory; }

bool wide_weights(Dtype d) { return d == Dtype::fp32 || d == Dtype::fp16 || d == Dtype::bf16; }

void suggest_cheaper(const Scenario& s, Report& r) {
  // Training: full activation checkpointing keeps one activation per layer boundary
  // (recomputing the rest in the backward pass), the first change frameworks offer.
  if (s.mode == Mode::training && s.training.checkpointing != Checkpointing::full) {
    Scenario t = s;
    t.training.checkpointing = Checkpointing::full;
    const MemoryReport m = memory_of(t);
    if (m.fits) {
      r.warnings.push_back({"fits_with_checkpointing",
                            "Turn on full activation checkpointing to fit: " + per_gpu(m) +
                                " (slower: the forward pass runs again in the backward pass).",
                            m.total_bytes});
      return;
    }
  }
  // Weight-only quantization of 16/32-bit weights (not a checkpoint's own format, not
  // QLoRA's 4-bit base): int8, else int4, with the usual 128-weight scale groups.
  const bool own_format = s.model.quantization.has_value() && s.weights_as_checkpoint();
  const bool frozen_4bit = s.mode == Mode::training && s.training.finetune == Finetune::qlora;
  if (!wide_weights(s.precision.weights) || own_format || frozen_4bit) return;
  if (s.mode == Mode::training && s.training.finetune == Finetune::full) return;  // trains the weights
  for (const Dtype d : {Dtype::int8, Dtype::int4}) {
    Scenario q = s;
    q.precision.weights = d;
    if (!s.gave("/precision/group_size")) q.precision.group_size = 128;
    const MemoryReport m = memory_of(q);
    if (!m.fits) continue;
    const std::string where = s.gpu_count == 1 ? "one GPU" : std::to_string(s.gpu_count) + " GPUs";
    r.warnings.push_back({d == Dtype::int8 ? "fits_with_int8_weights" : "fits_with_int4_weights",
                          std::string(dtype_name(d)) + " weights would fit on " + where + ": " +
                              per_gpu(m) + " (quantization can cost some accuracy).",
                          m.total_bytes});
    return;
  }
}

}  // namespace

void add_warnings(const Scenario& s, Report& r) {
  const int64_t limit = s.model.arch.max_position_embeddings;
  const int64_t ctx = context_tokens(s);
  if (limit > 0 && ctx > limit)
    r.warnings.push_back({"context_beyond_max_positions",
                          "The context of " + format_number(double(ctx)) +
                              " tokens is beyond the model's max_position_embeddings (" +
                              format_number(double(limit)) +
                              "): the memory is computed, but the model was not trained for it."});
  const MemoryReport& m = r.memory;
  if (m.capacity_bytes <= 0) return;
  // A serving engine sizes its KV pool to its own share of the GPU: full by design.
  if (m.fits && !s.engine.serving() && m.total_bytes > kNearCapacityFraction * m.capacity_bytes)
    r.warnings.push_back({"near_capacity",
                          "Above 90% of GPU memory: allocator fragmentation and engine "
                          "reservations (vLLM uses 90% of the GPU by default) can make it fail."});
  if (!m.fits) suggest_cheaper(s, r);
}

}  // namespace llmcalc
