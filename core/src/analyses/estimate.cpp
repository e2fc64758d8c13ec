#include "llmcalc/estimate.hpp"

#include <cmath>
#include <optional>

#include "context.hpp"
#include "memory.hpp"
#include "performance.hpp"
#include "../text/number_format.hpp"
#include "llmcalc/weight_bytes.hpp"
#include "warnings.hpp"

namespace llmcalc {

namespace {

// A safetensors index's total_size beside the bytes the inventory gives for the same
// checkpoint. Tensors the inventory does not model (rotary buffers, fp32 router biases, a
// tower estimated from its config) stay well under 1% in the checkpoints the tests check
// (Qwen3.5-9B: 0.00004%; GLM-4.5: 0.4% when its MTP embedding copy is not declared);
// beyond that the config probably does not describe the checkpoint.
constexpr double kCheckpointTolerance = 0.01;

void compare_checkpoint(const ModelSpec& m, Report& r) {
  if (m.checkpoint_total_bytes <= 0) return;
  r.params.checkpoint_bytes = m.checkpoint_total_bytes;
  r.params.checkpoint_computed_bytes = checkpoint_bytes(m);
  const double given = double(m.checkpoint_total_bytes);
  const double off = (r.params.checkpoint_computed_bytes - given) / given;
  if (std::fabs(off) <= kCheckpointTolerance) return;
  r.notes.push_back("the safetensors index lists " + format_number(given) +
                    " B of tensors but this config gives " +
                    format_number(std::round(r.params.checkpoint_computed_bytes)) + " B (" + (off > 0 ? "+" : "") +
                    format_number(std::round(off * 1000) / 10) +
                    "%, beyond 1%): the config may not describe this checkpoint");
}

}  // namespace

Report estimate(const Scenario& s, Detail detail) {
  // The formulas are recorded only for a full report; a numbers-only estimate computes the
  // same values with plain doubles (no arena, no text).
  Report r;
  if (detail == Detail::full) r.expressions.reserve(512, 8192);
  const Context c(s, detail == Detail::full ? &r.expressions : nullptr);
  r.model_id = s.model.id;
  r.model_name = s.model.name;
  r.mode = s.mode;
  r.method = s.method;
  r.notes = s.input_notes;  // inputs that do not apply (see parse_scenario)
  // What the model's importer assumed (a config read generically, modules left out): a user who
  // pasted a config sees it with the numbers, not only from import-hf-config.
  for (const auto& n : s.model.notes) r.notes.push_back("/model: " + n);
  if (!s.precision.gguf_mix.empty() && c.counts.extra > 0)
    r.notes.push_back("/precision/weights: a GGUF holds the text model; the vision/audio tower (" +
                      format_number(double(c.counts.extra)) + " params) is a separate mmproj file, loaded with --mmproj");
  if (s.options.load_mtp && s.mode == Mode::inference) {
    const int64_t n = s.model.arch.mtp_layers;
    const std::string why = mtp_unloaded_reason(s);
    if (n <= 0)
      r.notes.push_back("/options/load_mtp: " + s.model.name + " has no MTP layers");
    else if (!why.empty())
      r.notes.push_back("/options/load_mtp: " + why + ", so they are not counted");
    else {
      const int64_t k = s.options.speculative_tokens > 0 ? s.options.speculative_tokens : n;
      r.notes.push_back("/options/load_mtp: weights and params include " + format_number(double(n)) +
                        " MTP layer" + (n > 1 ? "s" : "") + " (" + format_number(double(c.counts.mtp)) +
                        " params), run as the speculative draft: " + format_number(double(k)) +
                        " draft token" + (k > 1 ? "s" : "") + " per decode step, each accepted with "
                        "probability " + format_number(s.options.acceptance_rate) +
                        " (/options/acceptance_rate); the KV cache holds their layers too");
    }
  }
  if (s.mode == Mode::inference && c.counts.mtp == 0 &&
      (s.options.speculative_tokens > 0 || s.options.acceptance_rate != kDefaultAcceptanceRate))
    r.notes.push_back("/options/speculative_tokens, /options/acceptance_rate: no MTP draft is loaded "
                      "(/options/load_mtp), so they change nothing");
  r.gpu_id = s.gpu.id;
  r.gpu_name = s.gpu.name;
  r.gpu_count = s.gpu_count;
  r.params.total = c.counts.total;
  r.params.active = c.counts.active;
  r.params.published = s.model.published_params;
  r.params.trainable = s.mode == Mode::training ? trainable_params(c) : 0;
  compare_checkpoint(s.model, r);

  Items items;
  items.reserve(12);  // the most a report holds, so the vector never regrows
  if (s.method == Method::seed) {
    add_seed_items(c, items);
  } else if (s.mode == Mode::inference) {
    add_weight_items(c, items);
    add_kv_cache_item(c, items);
    add_recurrent_state_item(c, items);
    add_inference_activation_items(c, items);
    add_runtime_overhead_items(c, items);
  } else {
    add_weight_items(c, items);
    add_training_state_items(c, items);
    add_training_activation_items(c, items);
    add_runtime_overhead_items(c, items);
  }
  r.memory = assemble_memory(c, std::move(items));
  if (c.offloaded) add_offload_devices(c, r);
  r.flops.items.reserve(2);
  r.latency.phases.reserve(3);
  add_performance(c, r);
  add_engine_report(c, r);
  add_notes(c, r);
  // Warnings re-estimate changed scenarios (numbers only, which never come back here).
  if (detail == Detail::full) add_warnings(s, r);
  return r;
}

}  // namespace llmcalc
