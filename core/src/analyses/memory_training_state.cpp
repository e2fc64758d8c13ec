#include <algorithm>

#include "memory.hpp"

namespace llmcalc {
namespace {

bool is_lora_target(const Context& c, const TensorGroup& t) {
  if (!(t.kind == TensorKind::attention || t.kind == TensorKind::mlp ||
        t.kind == TensorKind::shared_expert) ||
      !t.is_matrix())
    return false;
  std::string_view name = t.name;
  const std::string_view prefix = "shared_experts.";
  if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  const auto& targets = c.s.training.lora.targets;
  return std::find(targets.begin(), targets.end(), name) != targets.end();
}

// Adapter elements on one GPU: A (rank x in) and B (out x rank) per targeted matrix.
double lora_elements_per_gpu(const Context& c, double* total) {
  const double r = double(c.s.training.lora.rank);
  const double stage = double(c.layers_per_stage) / double(c.a.num_layers);
  double per_gpu = 0, all = 0;
  for (const auto& t : c.tensors) {
    if (!is_lora_target(c, t)) continue;
    const double n = r * double(t.rows + t.cols) * double(t.count());
    all += n;
    per_gpu += n * stage / c.tp;
  }
  if (total) *total = all;
  return per_gpu;
}

// Optimizer state bytes over the trainable tensors of one GPU.
// Appends " x <what each state costs>" to `how`.
double optimizer_bytes(const Context& c, double trainable, Formula& how) {
  const Optimizer o = c.s.training.optimizer;
  const double sb = dtype_bytes(c.s.precision.optimizer_states);
  switch (o) {
    case Optimizer::adamw:
      how.text(" x 2 states (m, v)").times(sb, "B");
      return trainable * 2.0 * sb;
    case Optimizer::adamw_8bit:
      // bitsandbytes blockwise 8-bit states: 1 B each plus an fp32 absmax per 2048 values
      // (Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization").
      how.text(" x 2 states x (1 B + 4 B / 2048-block)");
      return trainable * 2.0 * (1.0 + 4.0 / 2048.0);
    case Optimizer::lion:
    case Optimizer::sgd_momentum:
      how.text(" x 1 state (momentum)").times(sb, "B");
      return trainable * sb;
    case Optimizer::sgd:
      how.text(" x no state");
      return 0.0;
    case Optimizer::adafactor: {
      // Shazeer & Stern 2018: a matrix keeps row and column second-moment sums (rows +
      // cols fp32 values), a vector its full second moment; no first moment (beta1 off,
      // the Hugging Face default).
      double elems = 0;
      const double stage = double(c.layers_per_stage) / double(c.a.num_layers);
      if (c.s.training.finetune == Finetune::full) {
        for (const auto& t : c.tensors) {
          const double copies = double(t.count()) * (t.layers > 0 ? stage : 1.0);
          elems += copies * (t.is_matrix() ? double(t.rows + t.cols) : double(t.elements()));
        }
        elems /= c.tp;
      } else {
        const double r = double(c.s.training.lora.rank);
        for (const auto& t : c.tensors)
          if (is_lora_target(c, t))
            elems += double(t.count()) * stage * (r + double(t.cols) + double(t.rows) + r);
      }
      how.text(" x factored second moment: (rows + cols) per matrix x 4 B");
      return elems * 4.0;
    }
  }
  return 0.0;
}

}  // namespace

int64_t trainable_params(const Context& c) {
  if (c.s.training.finetune == Finetune::full) return c.counts.total;
  double total = 0;
  lora_elements_per_gpu(c, &total);
  return static_cast<int64_t>(total);
}

void add_training_state_items(const Context& c, Items& out) {
  const Precision& p = c.s.precision;
  const int64_t zero = c.s.training.zero_stage;
  const bool full = c.s.training.finetune == Finetune::full;
  double trainable = 0;
  if (full) {
    trainable = c.per_gpu_elements([](const TensorGroup&) { return true; });
  } else {
    trainable = lora_elements_per_gpu(c, nullptr);
    // peft keeps adapters in fp32 over a 16-bit or 4-bit base (autocast_adapter_dtype).
    Formula f;
    f.times(trainable, "adapter params (rank ").value(double(c.s.training.lora.rank)).text(", ");
    f.value(double(c.s.training.lora.targets.size()), "target modules)").times(4, "B (fp32)");
    out.push_back({"lora_adapters", "LoRA adapters", trainable * 4.0, std::move(f).str()});
  }
  auto sharded = [&](int64_t stage) { return zero >= stage && c.dp > 1; };

  const double grad_bytes = full ? dtype_bytes(p.gradients) : 4.0;
  Formula gf;
  gf.times(trainable, "trainable params").times(grad_bytes, "B");
  if (sharded(2)) gf.over(c.dp, "dp (ZeRO-2)");
  out.push_back({"gradients", "Gradients",
                 trainable * grad_bytes / (sharded(2) ? c.dp : 1.0), std::move(gf).str()});

  if (full && p.master_weights) {
    Formula mf;
    mf.times(trainable, "trainable params").times(4, "B (fp32 master copy)");
    if (sharded(1)) mf.over(c.dp, "dp (ZeRO-1)");
    out.push_back({"master_weights", "Master weights (fp32)",
                   trainable * 4.0 / (sharded(1) ? c.dp : 1.0), std::move(mf).str()});
  }

  Formula of;
  of.times(trainable, "trainable params");
  const double opt = optimizer_bytes(c, trainable, of);
  if (sharded(1)) of.over(c.dp, "dp (ZeRO-1)");
  std::string label = "Optimizer states (";
  (label += optimizer_name(c.s.training.optimizer)) += ')';
  out.push_back({"optimizer_states", std::move(label), opt / (sharded(1) ? c.dp : 1.0),
                 std::move(of).str()});
}

void add_runtime_overhead_items(const Context& c, Items& out) {
  const RuntimeOverhead& o = c.s.overhead;
  const double fixed = o.cuda_context_bytes + o.workspace_bytes;
  Formula f;
  f.times(o.cuda_context_bytes, "B CUDA context").plus(o.workspace_bytes, "B library workspaces");
  out.push_back({"runtime_overhead", "Runtime overhead", fixed, std::move(f).str()});
  if (o.fragmentation_fraction > 0) {
    double tensors = 0;
    for (const auto& i : out)
      if (i.id != "runtime_overhead") tensors += i.bytes;
    Formula ff;
    ff.times(o.fragmentation_fraction, "fraction").times(tensors, "B of tensors");
    out.push_back({"fragmentation", "Allocator fragmentation",
                   o.fragmentation_fraction * tensors, std::move(ff).str()});
  }
}

void add_seed_items(const Context& c, Items& out) {
  // Seed 000 ("Simplified LLM Memory Requirements"): params x bytes for weights, the KV
  // formula 2 x layers x batch x heads x seq x head_dim x bytes, and for training
  // params x (2 + 2 + 12) plus batch x seq x layers x hidden x 2 B x 7.
  const double per_gpu = c.per_gpu_elements([](const TensorGroup&) { return true; });
  const double wb = dtype_bytes(c.s.precision.weights);
  Formula wf;
  wf.times(per_gpu, "params").times(wb, "B");
  out.push_back({"weights", "Weights", per_gpu * wb, std::move(wf).str()});
  if (c.s.mode == Mode::inference) {
    add_kv_cache_item(c, out);
    return;
  }
  const double shard = c.s.training.zero_stage >= 1 && c.dp > 1 ? c.dp : 1.0;
  Formula gf;
  gf.times(per_gpu, "params").times(wb, "B");
  out.push_back({"gradients", "Gradients", per_gpu * wb, std::move(gf).str()});
  Formula mf;
  mf.times(per_gpu, "params").times(4, "B (fp32 master, part of the seed's 12 B Adam overhead)");
  if (shard > 1) mf.over(shard, "dp (ZeRO)");
  out.push_back({"master_weights", "Master weights (fp32)", per_gpu * 4.0 / shard, std::move(mf).str()});
  Formula of;
  of.times(per_gpu, "params").times(8, "B (Adam m + v, the rest of the seed's 12 B)");
  if (shard > 1) of.over(shard, "dp (ZeRO)");
  out.push_back({"optimizer_states", "Optimizer states (adamw)", per_gpu * 8.0 / shard, std::move(of).str()});
  add_training_activation_items(c, out);
}

MemoryReport assemble_memory(const Context& c, Items items) {
  MemoryReport m;
  m.items = std::move(items);
  for (const auto& i : m.items) m.total_bytes += i.bytes;
  m.capacity_bytes = c.s.gpu.memory_bytes;
  m.headroom_bytes = m.capacity_bytes - m.total_bytes;
  m.fits = m.headroom_bytes >= 0;
  return m;
}

}  // namespace llmcalc
