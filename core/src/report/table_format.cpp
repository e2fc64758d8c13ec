#include <cstdio>

#include "llmcalc/format.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {
namespace {

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string lpad(std::string s, size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}

std::string phase_line(const Phase& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3g FLOP/B", p.arithmetic_intensity);
  return "  " + pad(p.label, 32) + lpad(format_seconds(p.time_s), 10) + "  " +
         pad(std::string(bound_name(p.bound)) + "-bound", 15) + buf + "\n      " + p.formula + "\n";
}

}  // namespace

std::string format_report_table(const Report& r, bool decimal) {
  std::string out;
  out += r.model_name + " (" + r.model_id + "), " + std::string(mode_name(r.mode)) + ", method " +
         std::string(method_name(r.method)) + "\n";
  out += "GPU: " + std::to_string(r.gpu_count) + " x " + r.gpu_name + "\n";
  out += "Parameters: " + format_number(double(r.params.total)) + " total, " +
         format_number(double(r.params.active)) + " active";
  if (r.params.trainable > 0) out += ", " + format_number(double(r.params.trainable)) + " trainable";
  if (r.params.checkpoint_bytes > 0) {
    // The index's exact byte count beside the inventory's, as a signed difference.
    const double given = double(r.params.checkpoint_bytes);
    const double diff = r.params.checkpoint_computed_bytes - given;
    char pct[32];
    std::snprintf(pct, sizeof pct, "%+.2f%%", diff / given * 100);
    out += "\nCheckpoint: " + format_bytes(given, decimal) + " (safetensors index), " +
           format_bytes(r.params.checkpoint_computed_bytes, decimal) + " computed (" + pct + ")";
  }
  out += "\n\nMemory per GPU\n";
  for (const auto& i : r.memory.items) {
    out += "  " + pad(i.label, 34) + lpad(format_bytes(i.bytes, decimal), 12) + "\n";
    out += "      = " + i.formula + "\n";
  }
  out += "  " + pad("Total", 34) + lpad(format_bytes(r.memory.total_bytes, decimal), 12) + "\n";
  out += "  " + pad("Capacity", 34) + lpad(format_bytes(r.memory.capacity_bytes, decimal), 12) + "\n";
  if (r.memory.fits || r.memory.headroom_bytes < 0) {
    out += std::string("  ") + (r.memory.fits ? "FITS, headroom " : "DOES NOT FIT, short by ") +
           format_bytes(r.memory.fits ? r.memory.headroom_bytes : -r.memory.headroom_bytes, decimal) + "\n";
  } else {  // this GPU fits, another device does not (listed below)
    for (const auto& d : r.devices)
      if (!d.fits)
        out += "  DOES NOT FIT: " + d.name + " short by " + format_bytes(-d.headroom_bytes, decimal) + "\n";
  }
  if (!r.devices.empty()) {  // offload / extra_gpus: each device's total and verdict
    out += "\nDevices (llama.cpp's split)\n";
    for (const auto& d : r.devices)
      out += "  " + pad(d.name, 34) + lpad(format_bytes(d.total_bytes, decimal), 12) + " of " +
             format_bytes(d.capacity_bytes, decimal) + (d.fits ? ", fits" : ", DOES NOT FIT") + "\n";
  }
  if (r.has_performance && r.mode == Mode::inference) {
    const LatencyReport& L = r.latency;
    out += "\nLatency and throughput\n";
    for (const auto& p : L.phases) out += phase_line(p);
    out += "  Time to first token             " + lpad(format_seconds(L.ttft_s), 10) + "\n";
    out += "  Decode, all generated tokens    " + lpad(format_seconds(L.decode_total_s), 10) + "\n";
    out += "  End to end                      " + lpad(format_seconds(L.end_to_end_s), 10) + "\n";
    char buf[160];
    std::snprintf(buf, sizeof buf, "  Decode: %.1f tokens/s per sequence, %.1f tokens/s total\n",
                  L.tokens_per_s_per_sequence, L.tokens_per_s_total);
    out += buf;
    if (L.cost_per_million_tokens > 0) {
      std::snprintf(buf, sizeof buf, "  Cost: %.4g per million generated tokens\n",
                    L.cost_per_million_tokens);
      out += buf;
    }
  }
  if (r.has_performance && r.mode == Mode::training) {
    const TrainingPerfReport& T = r.training;
    out += "\nTraining throughput\n" + phase_line(T.step);
    char buf[200];
    std::snprintf(buf, sizeof buf, "  %.0f tokens/s, MFU %.1f%%, recompute +%.0f%%, bubble %.1f%%\n",
                  T.tokens_per_s, T.mfu * 100, T.recompute_overhead * 100, T.pipeline_bubble * 100);
    out += buf;
    if (T.run_time_s > 0) {
      out += "  Token budget: " + format_seconds(T.run_time_s) + ", " + format_number(T.gpu_hours) +
             " GPU-hours";
      if (T.run_cost > 0) out += ", cost " + format_number(T.run_cost);
      out += "\n";
    }
  }
  if (r.engine.active && r.engine.id != "generic" && !r.engine.command.empty()) {
    const EngineReport& E = r.engine;
    out += "\nEngine: " + E.name + "\n";
    if (!E.basis.empty()) out += "  Profile basis: " + E.basis + "\n";
    out += "  KV pool per GPU                 " + lpad(format_bytes(E.kv_pool_bytes, decimal), 10) + "  " +
           format_number(double(E.kv_pool_tokens)) + " tokens";
    if (E.block_tokens > 1)
      out += " (" + format_number(double(E.kv_pool_blocks)) + " blocks of " + format_number(double(E.block_tokens)) + ")";
    out += "\n";
    if (!E.kv_pool_formula.empty()) out += "      = " + E.kv_pool_formula + "\n";
    char buf[200];
    std::snprintf(buf, sizeof buf, "  Max concurrent sequences at %lld tokens: %.2f",
                  static_cast<long long>(E.max_model_len), E.max_concurrent_sequences);
    out += buf;
    // What the pool holds, as vLLM logs it; its scheduler still runs at most max_num_seqs.
    if (E.max_num_seqs > 0 && E.max_concurrent_sequences > double(E.max_num_seqs))
      out += " (KV cache); the scheduler runs at most " + format_number(double(E.max_num_seqs)) +
             " at once (max_num_seqs)";
    out += "\n";
    if (E.profile_tokens > 0) {
      out += "  Profiling run: " + format_number(double(E.profile_tokens)) + " tokens over " +
             format_number(double(E.profile_seqs)) + " sequences, peak " + format_bytes(E.profile_peak_bytes, decimal);
      if (E.budget_bytes > 0)
        out += "; before the " + format_bytes(E.budget_bytes, decimal) + " budget: " +
               format_bytes(E.before_budget_bytes, decimal) + " (CUDA context, communicators)";
      out += "\n";
    }
    // A V1 server can fail to start with a pool that holds the context (no room for its
    // context outside the budget): the notes say why.
    const std::string no = E.longest_context >= E.max_model_len
                               ? std::string("NO (see the notes)")
                               : "NO, longest that fits " + format_number(double(E.longest_context));
    out += std::string("  Starts at max_model_len ") + format_number(double(E.max_model_len)) + ": " +
           (E.starts ? "yes" : no) + "\n";
    out += "  Command: " + E.command + "\n";
  }
  if (!r.notes.empty()) {
    out += "\nNotes\n";
    for (const auto& n : r.notes) out += "  - " + n + "\n";
  }
  return out;
}

}  // namespace llmcalc
