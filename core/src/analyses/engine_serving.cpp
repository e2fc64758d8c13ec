// The engine block of a report: how the named serving engine sizes its KV cache (vLLM's
// utilization of total memory, SGLang's static fraction, TensorRT-LLM's fraction of free
// memory, llama.cpp's fixed context), what that pool holds, whether the server starts at the
// requested context, and the command line that runs it.
#include <algorithm>
#include <cmath>

#include "llmcalc/catalog.hpp"
#include "engine_command.hpp"
#include "memory.hpp"
#include "prefill_step.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {
namespace {

using O = EngineOption;

double item_bytes(const Report& r, MemoryKind k) {
  double b = 0;
  for (const auto& i : r.memory.items)
    if (i.kind == k) b += i.bytes;
  return b;
}

std::string int_text(double v) { return std::to_string(static_cast<long long>(v)); }

// SGLang's mem_fraction_static when none is given (server_args.py _handle_gpu_memory_settings;
// the rule and its source in core/data/engines/sglang.json, mem_fraction_default): the memory
// it keeps outside weights and the KV pool for prefill activations, CUDA graphs and parallel
// slack, as a fraction of the GPU's, rounded to 3 decimals as SGLang rounds it.
Ex derived_fraction(const Context& c, const Scenario& s, const DerivedFraction& d, const Ex& total) {
  constexpr double kMiB = 1048576.0;
  // A profile with option 0 and no rule is refused when the catalog loads (engine_errors()).
  if (d.buckets.empty()) return c.num(0, "mem_fraction_static (no rule in the profile)");
  const double gpu_mib = s.gpu.memory_bytes / kMiB;
  const FractionBucket* b = fraction_bucket(d, s.gpu);
  const int64_t tp = s.parallelism.tp, ranks = tp * s.parallelism.pp;
  const double graph_bs = double(tp < 4 ? b->cuda_graph_max_bs : b->cuda_graph_max_bs_tp4);
  Ex reserved =
      c.bytes(d.base_mib * kMiB, "SGLang constant reserve") +
      c.num(double(std::max(sglang_chunked_prefill_size(s), d.min_prefill_tokens)), "chunked_prefill_size") *
          c.bytes(d.mib_per_prefill_token * kMiB, "per prefill token") +
      c.num(graph_bs, "cuda_graph_max_bs") * c.bytes(d.mib_per_graph_batch * kMiB, "per graph batch") +
      c.num(double(ranks), "tp x pp") * c.bytes(d.mib_per_rank * kMiB, "per rank");
  if (gpu_mib > d.floor_above_mib) reserved = emax(reserved, c.bytes(d.floor_mib * kMiB, "reserve floor"));
  // round(x, 3) as ceil(1000 x - 0.5) / 1000 (the expression ops have ceil, not round).
  return eceil((total - reserved) / total * c.num(1000, "round to 3 decimals") - 0.5) / 1000;
}

// The model as the command line names it: the Hugging Face repo of a preset, else its id.
std::string model_arg(const Scenario& s, std::string_view fallback) {
  if (const ModelPreset* p = find_model(s.model.id); p != nullptr && !p->hf_repo.empty())
    return p->hf_repo;
  return std::string(fallback);
}

std::string vllm_command(const Scenario& s, const EngineReport& e) {
  std::string cmd = "vllm serve " + model_arg(s, s.model.id);
  if (s.parallelism.tp > 1) cmd += " --tensor-parallel-size " + int_text(double(s.parallelism.tp));
  if (s.parallelism.pp > 1) cmd += " --pipeline-parallel-size " + int_text(double(s.parallelism.pp));
  cmd += " --max-model-len " + int_text(double(e.max_model_len));
  cmd += " --gpu-memory-utilization " + format_number(s.engine.get(O::gpu_memory_utilization, 0.9));
  if (s.precision.kv_cache == Dtype::fp8) cmd += " --kv-cache-dtype fp8";
  if (s.precision.weights == Dtype::fp8) cmd += " --quantization fp8";
  // Options printed only where they differ from the engine's defaults.
  const EngineOptionValues& d = s.engine.profile->options;
  if (s.engine.get(O::max_num_seqs, 256) != d.get(O::max_num_seqs))
    cmd += " --max-num-seqs " + int_text(s.engine.get(O::max_num_seqs, 256));
  if (const double t = s.engine.get(O::max_num_batched_tokens, 0); t > 0 && t != d.get(O::max_num_batched_tokens))
    cmd += " --max-num-batched-tokens " + int_text(t);
  if (s.engine.get(O::block_size, 16) != d.get(O::block_size))
    cmd += " --block-size " + int_text(s.engine.get(O::block_size, 16));
  // The model's MTP layers as the speculative draft, when they are loaded: vLLM's MTP method
  // (docs.vllm.ai/en/v0.19.1/features/speculative_decoding/mtp/: --speculative_config
  // '{"method":"mtp","num_speculative_tokens":1}'; the dashed spelling as in
  // docs.vllm.ai/projects/speculators, serve_vllm). k as the estimate uses it.
  const int64_t mtp = s.model.arch.mtp_layers;
  if (s.options.load_mtp && s.mode == Mode::inference && mtp > 0 && mtp_unloaded_reason(s).empty()) {
    const int64_t k = s.options.speculative_tokens > 0 ? s.options.speculative_tokens : mtp;
    cmd += " --speculative-config '{\"method\":\"mtp\",\"num_speculative_tokens\":" +
           int_text(double(k)) + "}'";
  }
  return cmd;
}

std::string sglang_command(const Scenario& s, const EngineReport& e) {
  std::string cmd = "python -m sglang.launch_server --model-path " + model_arg(s, s.model.id);
  if (s.parallelism.tp > 1) cmd += " --tp " + int_text(double(s.parallelism.tp));
  cmd += " --context-length " + int_text(double(e.max_model_len));
  // Left out when SGLang derives it (option 0): the command then gets the same default.
  if (const double f = s.engine.get(O::mem_fraction_static, 0); f > 0)
    cmd += " --mem-fraction-static " + format_number(f);
  if (s.precision.kv_cache == Dtype::fp8) cmd += " --kv-cache-dtype fp8_e5m2";
  if (const double t = s.engine.get(O::chunked_prefill_size, 0); t > 0)
    cmd += " --chunked-prefill-size " + int_text(t);
  return cmd;
}

std::string trtllm_command(const Scenario& s, const EngineReport& e) {
  std::string cmd = "trtllm-serve " + model_arg(s, s.model.id);
  if (s.parallelism.tp > 1) cmd += " --tp_size " + int_text(double(s.parallelism.tp));
  cmd += " --max_seq_len " + int_text(double(e.max_model_len));
  cmd += " --kv_cache_free_gpu_memory_fraction " +
         format_number(s.engine.get(O::free_gpu_memory_fraction, 0.9));
  return cmd;
}

std::string llamacpp_command(const Scenario& s, const EngineReport& e) {
  const bool ollama = s.engine.id() == "ollama";
  const double ctx = s.engine.get(O::num_ctx, 0) > 0 ? s.engine.get(O::num_ctx, 0) : double(e.max_model_len);
  const double np = s.engine.get(O::num_parallel, 1);
  if (ollama) {
    std::string cmd = "OLLAMA_CONTEXT_LENGTH=" + int_text(ctx) + " OLLAMA_NUM_PARALLEL=" + int_text(np);
    if (s.options.flash_attention) cmd += " OLLAMA_FLASH_ATTENTION=1";
    const size_t kv = size_t(s.engine.get(O::kv_cache_type, 0));
    if (kv > 0) cmd += " OLLAMA_KV_CACHE_TYPE=" + std::string(engine_option_info(O::kv_cache_type).choices[kv]);
    return cmd + " ollama serve";
  }
  // The file llama-quantize names after its mix (e.g. llama-3.1-8b-Q4_K_M.gguf).
  const std::string file = s.model.id + (s.precision.gguf_mix.empty() ? "" : "-" + s.precision.gguf_mix);
  // -ngl: the scenario's GPU layer slots when it offloads (offload.gpu_layers, -1 = all), else
  // every layer (99 is llama.cpp's documented "all" idiom).
  const bool partial = s.offload.enabled && s.offload.gpu_layers >= 0;
  std::string cmd = "llama-server -m " + file + ".gguf -ngl " +
                    (partial ? int_text(double(s.offload.gpu_layers)) : std::string("99")) + " -c " +
                    int_text(ctx * np);
  if (s.offload.enabled && s.offload.cpu_moe_layers != 0)
    cmd += s.offload.cpu_moe_layers < 0 ? std::string(" --cpu-moe")
                                        : " --n-cpu-moe " + int_text(double(s.offload.cpu_moe_layers));
  // --tensor-split: the weights as given, or the memory sizes in GiB that stand in for
  // llama.cpp's free-memory default (only their ratio matters: common/arg.cpp normalises).
  if (!s.extra_gpus.empty()) {
    cmd += " --tensor-split ";
    for (size_t i = 0; i < s.offload.tensor_split.size(); ++i) {
      const double w = s.offload.tensor_split[i];
      cmd += (i > 0 ? "," : "") + format_number(s.gave("/offload/tensor_split") ? w : w / 1073741824.0);
    }
  }
  if (np > 1) cmd += " -np " + int_text(np);
  cmd += " -ub " + int_text(s.engine.get(O::n_ubatch, 512));
  // -fa takes on|off|auto (tools/server/README.md @00dc8057): a bare -fa would swallow the
  // next argument.
  cmd += s.options.flash_attention ? " -fa on" : " -fa off";
  const size_t kv = size_t(s.engine.get(O::kv_cache_type, 0));
  if (kv > 0) {
    const std::string t(engine_option_info(O::kv_cache_type).choices[kv]);
    cmd += " -ctk " + t + " -ctv " + t;
  }
  return cmd;
}

struct ProfileShape {
  int64_t tokens = 0, seqs = 0;
  int64_t max_num_seqs = 0;  // the scheduler's cap on running sequences (seqs is the run's, at most tokens)
};

// vLLM's profiling run: max_num_batched_tokens spread over min(tokens, max_num_seqs) dummy
// sequences. V0: tokens max(max_model_len, floor), 256 sequences. V1: its serving defaults by
// the GPU (chunked prefill on), tokens at most max_num_seqs x max_model_len.
ProfileShape vllm_profile_shape(const Scenario& s, int64_t max_model_len) {
  const EngineSettings& e = s.engine;
  const EngineProfile& p = *e.profile;
  const BatchDefaultTier* tier = batch_default_tier(p, s.gpu);
  ProfileShape out;
  out.tokens = int64_t(e.get(O::max_num_batched_tokens, 0));
  out.seqs = int64_t(e.get(O::max_num_seqs, 0));
  if (out.seqs <= 0) out.seqs = tier != nullptr ? tier->max_num_seqs : 256;
  out.max_num_seqs = out.seqs;
  if (out.tokens <= 0) {
    out.tokens = tier != nullptr ? std::min(tier->max_num_batched_tokens, out.seqs * std::max<int64_t>(1, max_model_len))
                                 : std::max<int64_t>(max_model_len, p.min_batched_tokens);
  }
  out.seqs = std::clamp<int64_t>(out.seqs, 1, std::max<int64_t>(1, out.tokens));
  return out;
}

// The profile run's peak: the forward's activations at that shape, or the dummy sampling step
// after it, which works on one fp32 row of the full vocabulary per sequence (gathered on every
// tensor-parallel rank) and can exceed the forward's.
Ex vllm_profile_peak(const Context& c, const ProfileShape& run, std::string* shape) {
  const EngineSettings& e = c.s.engine;
  const int64_t tokens = run.tokens, seqs = run.seqs;
  Scenario ps = c.s;
  ps.workload.batch = seqs;
  ps.workload.prompt = (tokens + seqs - 1) / seqs;
  ps.workload.generate = 0;
  ps.options.prefill_chunk = ps.workload.prompt;  // the run's shape is the step: not re-chunked
  ps.options.logits = LogitsScope::last;
  const Context pc(ps, nullptr);
  Items items;
  add_inference_activation_items(pc, items);
  double forward = 0;
  for (const auto& i : items) forward += i.bytes;
  if (shape != nullptr)
    *shape = "profile-run activations (" + int_text(double(seqs)) + " seqs x " +
             int_text(double(ps.workload.prompt)) + " tokens)";
  const Ex fwd = c.bytes(forward, shape != nullptr ? *shape : std::string());
  if (e.profile->sampler_bytes_per_logit <= 0) return fwd;
  return emax(fwd, c.num(double(seqs), "sampled rows") * c.num(double(c.a.vocab_size), "vocab") *
                       c.bytes(e.profile->sampler_bytes_per_logit, "sampler working set per logit"));
}

}  // namespace

// Context allocated by a fixed-context engine (llama.cpp, Ollama): num_ctx x num_parallel,
// or the workload's batch x (prompt + generate) when num_ctx is 0.
int64_t fixed_context_tokens(const Context& c) {
  const EngineSettings& e = c.s.engine;
  const int64_t ctx = int64_t(e.get(O::num_ctx, 0));
  const int64_t np = int64_t(e.get(O::num_parallel, 1));
  if (ctx > 0) return ctx * np;
  return (c.s.workload.prompt + c.s.workload.generate) * std::max(c.s.workload.batch, np);
}

void add_engine_report(const Context& c, Report& r) {
  const Scenario& s = c.s;
  EngineReport& E = r.engine;
  E.id = std::string(s.engine.id());
  E.name = s.engine.profile != nullptr ? s.engine.profile->name : "Generic";
  E.active = s.engine.active;
  // Which versions the numbers describe: an engine's memory accounting changes between
  // releases (vLLM V0 -> V1), so the report says which one its profile follows.
  if (s.engine.profile != nullptr) E.basis = s.engine.profile->basis;
  if (!s.engine.active) {
    if (!s.engine.inactive_reason.empty()) r.notes.push_back(s.engine.inactive_reason);
    return;
  }
  const EngineProfile& p = *s.engine.profile;
  E.policy = std::string(memory_policy_name(p.policy));
  const int64_t requested = int64_t(s.engine.get(O::max_model_len, 0));
  E.max_model_len = requested > 0 ? requested : s.workload.prompt + s.workload.generate;
  if (p.policy == MemoryPolicy::none) return;
  if (p.policy == MemoryPolicy::fixed_context) {
    const int64_t ctx = fixed_context_tokens(c);
    const int64_t np = int64_t(s.engine.get(O::num_parallel, 1));
    E.max_model_len = s.engine.get(O::num_ctx, 0) > 0 ? int64_t(s.engine.get(O::num_ctx, 0)) : ctx;
    E.kv_pool_tokens = ctx;
    E.block_tokens = 1;
    E.kv_pool_blocks = ctx;
    E.kv_pool_bytes = item_bytes(r, MemoryKind::kv_cache);
    E.kv_bytes_per_token = ctx > 0 ? E.kv_pool_bytes / double(ctx) : 0;
    E.max_concurrent_sequences = double(np);
    E.longest_context = E.max_model_len;
    E.starts = r.memory.fits;
    if (s.workload.prompt + s.workload.generate > E.max_model_len)
      r.notes.push_back(E.name + " allocates a context of " + int_text(double(E.max_model_len)) +
                        " tokens per sequence; a longer prompt + generation is truncated or "
                        "shifted (raise num_ctx).");
    E.command = engine_command(s, E);
    return;
  }
  // A pool engine: the KV cache takes what its policy leaves.
  E.has_pool = true;
  const Ex total = c.bytes(s.gpu.memory_bytes, "GPU memory");
  const Ex weights = c.bytes(item_bytes(r, MemoryKind::weights) + item_bytes(r, MemoryKind::quantization_scales),
                             "weights");
  const Ex runtime = c.bytes(item_bytes(r, MemoryKind::runtime_overhead), "non-torch memory");
  Ex pool;
  switch (p.policy) {
    case MemoryPolicy::utilization_of_total: {
      std::string shape;
      const ProfileShape run = vllm_profile_shape(s, E.max_model_len);
      const Ex peak = vllm_profile_peak(c, run, &shape);
      E.profile_peak_bytes = peak.v;
      E.profile_tokens = run.tokens;
      E.profile_seqs = run.seqs;
      E.max_num_seqs = run.max_num_seqs;
      const Ex budget = c.num(s.engine.get(O::gpu_memory_utilization, 0.9), "gpu_memory_utilization") * total;
      if (!p.context_outside_budget) {  // V0: every non-torch byte counts inside the budget
        pool = budget - weights - runtime - peak;
        break;
      }
      // V1: the budget starts after the context and the communicators; what the profile run
      // adds outside torch (cuBLAS workspaces, allocator slack) counts. Its CUDA-graph estimate
      // is left out: 7 of 9 published V1 logs do not subtract it (docs/engines.md).
      const Ex inside = c.bytes(s.overhead.workspace_bytes, "non-torch increase in the profile run");
      pool = budget - weights - inside - peak;
      E.budget_bytes = budget.v;
      E.before_budget_bytes = s.overhead.cuda_context_bytes + s.overhead.comm_buffer_bytes;
      break;
    }
    case MemoryPolicy::static_fraction: {
      const double given = s.engine.get(O::mem_fraction_static, 0);
      const Ex fraction = given > 0 ? c.num(given, "mem_fraction_static")
                                    : derived_fraction(c, s, p.mem_fraction_default, total);
      pool = fraction * total - weights - runtime;
      break;
    }
    default: {  // fraction_of_free
      const Ex acts = c.bytes(item_bytes(r, MemoryKind::activations) + item_bytes(r, MemoryKind::logits),
                              "activations");
      pool = c.num(s.engine.get(O::free_gpu_memory_fraction, 0.9), "free_gpu_memory_fraction") *
             (total - weights - runtime - acts);
      break;
    }
  }
  pool = emax(c.bytes(0), pool);
  E.kv_pool_bytes = pool.v;
  if (c.text()) {
    E.kv_pool_expression = root_of(*c.exprs, pool);
    E.kv_pool_formula = render_text(*c.exprs, E.kv_pool_expression);
  }
  E.block_tokens = std::max<int64_t>(1, int64_t(s.engine.get(O::block_size, 1)));
  const double block_bytes = kv_cache_bytes_per_gpu(c, 1, E.block_tokens);
  E.kv_bytes_per_token = block_bytes / double(E.block_tokens);
  E.kv_pool_blocks = block_bytes > 0 ? int64_t(std::floor(E.kv_pool_bytes / block_bytes)) : 0;
  E.kv_pool_tokens = E.kv_pool_blocks * E.block_tokens;
  E.longest_context = E.kv_pool_tokens;
  E.max_concurrent_sequences = E.max_model_len > 0 ? double(E.kv_pool_tokens) / double(E.max_model_len) : 0;
  E.starts = E.kv_pool_tokens > 0 && E.max_model_len <= E.kv_pool_tokens;
  // V1 refuses to start when the memory free after its context and communicators is below
  // the budget (vllm/v1/worker/utils.py request_memory).
  if (E.budget_bytes > 0 && s.gpu.memory_bytes - E.before_budget_bytes < E.budget_bytes) {
    E.starts = false;
    r.notes.push_back(E.name + " will not start: " + format_bytes(E.before_budget_bytes, false) +
                      " of CUDA context and communicators leave " +
                      format_bytes(s.gpu.memory_bytes - E.before_budget_bytes, false) +
                      " free, less than gpu_memory_utilization x total = " + format_bytes(E.budget_bytes, false) +
                      " (\"Free memory on device ... is less than desired GPU memory utilization\"); "
                      "lower gpu_memory_utilization.");
  } else if (!E.starts) {
    r.notes.push_back(E.name + " will not start at max_model_len " + int_text(double(E.max_model_len)) +
                      ": its KV pool holds " + int_text(double(E.kv_pool_tokens)) +
                      " tokens (\"max seq len is larger than the maximum number of tokens that can be "
                      "stored in KV cache\"); the longest that starts is " +
                      int_text(double(E.longest_context)) + ".");
  }
  E.command = engine_command(s, E);
}

std::string engine_command(const Scenario& s, const EngineReport& e) {
  if (!s.engine.active || s.engine.profile == nullptr) return {};
  switch (s.engine.profile->policy) {
    case MemoryPolicy::fixed_context: return llamacpp_command(s, e);
    case MemoryPolicy::utilization_of_total: return vllm_command(s, e);
    case MemoryPolicy::static_fraction: return sglang_command(s, e);
    case MemoryPolicy::fraction_of_free: return trtllm_command(s, e);
    case MemoryPolicy::none: break;
  }
  return {};
}

}  // namespace llmcalc
