#include <algorithm>

#include "memory.hpp"
#include "../text/number_format.hpp"

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
Ex optimizer_bytes(const Context& c, const Ex& trainable) {
  const Optimizer o = c.s.training.optimizer;
  const Ex sb = c.bytes(dtype_bytes(c.s.precision.optimizer_states),
                        dtype_name(c.s.precision.optimizer_states));
  switch (o) {
    case Optimizer::adamw:
      return trainable * c.num(2, "states (m, v)") * sb;
    case Optimizer::adamw_8bit:
      // bitsandbytes blockwise 8-bit states: 1 B each plus an fp32 absmax per 2048 values
      // (Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization").
      return trainable * c.num(2, "states") *
             (c.bytes(1, "8-bit state") + c.bytes(4, "fp32 absmax") / c.num(2048, "block"));
    case Optimizer::lion:
    case Optimizer::sgd_momentum:
      return trainable * c.num(1, "state (momentum)") * sb;
    case Optimizer::sgd:
      return trainable * c.num(0, "states");
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
      return c.num(elems, "factored second-moment values (rows + cols per matrix)") *
             c.bytes(4, "fp32");
    }
  }
  return Ex(0);
}

}  // namespace

// LoRA adapter (and its gradient) element size: peft keeps adapters in fp32
// (autocast_adapter_dtype); an engine may keep them in bf16 (torchtune).
Ex adapter_bytes(const Context& c) {
  if (c.s.engine.is(EngineOption::adapter_dtype) && c.s.engine.get(EngineOption::adapter_dtype, 0) == 1)
    return c.bytes(2, "bf16");
  return c.bytes(4, "fp32");
}

// Elements of the largest single tensor on one GPU (the embedding or lm_head in an LLM).
double largest_tensor_elements(const Context& c) {
  double most = 0;
  for (const auto& t : c.tensors) most = std::max(most, double(t.elements()) * c.tp_share(t));
  return most;
}

// Elements of one transformer layer on one GPU.
double largest_layer_elements(const Context& c) {
  double layer = 0;
  for (const auto& t : c.tensors)
    if (t.layers > 0) layer += double(t.params()) / double(c.a.num_layers) * c.tp_share(t);
  return layer;
}

double paged_optimizer_bytes(const Context& c) {
  if (c.s.mode != Mode::training || !c.s.engine.flag(EngineOption::paged_optimizer)) return 0;
  const double trainable = c.s.training.finetune == Finetune::full
                               ? c.per_gpu_elements([](const TensorGroup&) { return true; })
                               : lora_elements_per_gpu(c, nullptr);
  double bytes = optimizer_bytes(c, c.num(trainable)).v;
  // ZeRO-1 and up shard the states over dp, as add_training_state_items does.
  if (c.s.training.zero_stage >= 1 && c.dp > 1) bytes /= c.dp;
  return bytes;
}

double cpu_optimizer_step_bytes(const Context& c) {
  if (c.s.mode != Mode::training || c.s.training.finetune != Finetune::full ||
      c.s.training.zero_stage != 3 || !c.s.engine.flag(EngineOption::cpu_offload))
    return 0;
  // The shards of all the machine's GPUs: the full model of each tp/pp stage.
  const double stage = c.per_gpu_elements([](const TensorGroup&) { return true; });
  const Ex params = c.num(stage * c.tp * c.pp);
  const Precision& p = c.s.precision;
  // Reads each parameter, its gradient and its states; writes the parameter and the states.
  const double per =
      2.0 * dtype_bytes(p.weights) + dtype_bytes(p.gradients) + (p.master_weights ? 8.0 : 0.0);
  return params.v * per + 2.0 * optimizer_bytes(c, params).v;
}

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
  Ex trainable;
  if (full) {
    trainable = c.num(c.per_gpu_elements([](const TensorGroup&) { return true; }), "trainable params");
  } else {
    // peft keeps adapters in fp32 over a 16-bit or 4-bit base (autocast_adapter_dtype).
    std::string what;
    if (c.text())
      what = "adapter params (rank " + format_number(double(c.s.training.lora.rank)) + ", " +
             format_number(double(c.s.training.lora.targets.size())) + " target modules)";
    trainable = c.num(lora_elements_per_gpu(c, nullptr), what);
    out.push_back(c.item(MemoryKind::lora_adapters, trainable * adapter_bytes(c)));
  }
  auto sharded = [&](int64_t stage, const Ex& e) {
    if (zero < stage || c.dp <= 1) return e;
    return e / c.num(c.dp, stage >= 2 ? "dp (ZeRO-2)" : "dp (ZeRO-1)");
  };
  const Ex grad_bytes = full ? c.bytes(dtype_bytes(p.gradients), dtype_name(p.gradients))
                             : adapter_bytes(c);
  const EngineSettings& e = c.s.engine;
  // FSDP/ZeRO CPU offload keeps parameters' fp32 copies, gradients and optimizer states in
  // host memory: on the GPU only the layer being reduced holds its gradient.
  const bool offload = e.flag(EngineOption::cpu_offload);
  if (offload) {
    const Ex layer = c.num(largest_layer_elements(c), "one layer's params (gradient before offload)");
    out.push_back(c.item(MemoryKind::gradients, layer * grad_bytes, "Gradients (one layer, rest offloaded)"));
    return;
  }
  if (e.flag(EngineOption::optimizer_in_backward) && full) {
    // The optimizer steps each parameter as soon as its gradient is ready and frees it:
    // at most the largest tensor's gradient is alive (torchtune optimizer_in_bwd).
    const Ex one = c.num(largest_tensor_elements(c), "largest tensor (one gradient alive)");
    out.push_back(c.item(MemoryKind::gradients, one * grad_bytes, "Gradients (optimizer in backward)"));
  } else {
    out.push_back(c.item(MemoryKind::gradients, sharded(2, trainable * grad_bytes)));
  }
  if (full && p.master_weights)
    out.push_back(c.item(MemoryKind::master_weights,
                         sharded(1, trainable * c.bytes(4, "fp32 master copy"))));
  std::string label;
  if (c.text()) label = "Optimizer states (" + std::string(optimizer_name(c.s.training.optimizer)) + ")";
  if (e.flag(EngineOption::paged_optimizer)) {
    // bitsandbytes paged optimizers allocate their states with cudaMallocManaged: outside
    // PyTorch's allocator peak, paged to host memory when the GPU runs short.
    out.push_back(c.item(MemoryKind::optimizer_states,
                         c.num(0, "paged to unified memory") * sharded(1, optimizer_bytes(c, trainable)),
                         c.text() ? label + ", paged" : ""));
    return;
  }
  out.push_back(c.item(MemoryKind::optimizer_states, sharded(1, optimizer_bytes(c, trainable)),
                       std::move(label)));
}

void add_runtime_overhead_items(const Context& c, Items& out) {
  const RuntimeOverhead& o = c.s.overhead;
  Ex runtime = c.bytes(o.cuda_context_bytes, "CUDA context") + c.bytes(o.workspace_bytes, "library workspaces");
  if (o.comm_buffer_bytes > 0) runtime = runtime + c.bytes(o.comm_buffer_bytes, "NCCL / all-reduce buffers");
  out.push_back(c.item(MemoryKind::runtime_overhead, runtime));
  if (o.fragmentation_fraction > 0) {
    double tensors = 0;
    for (const auto& i : out)
      if (i.kind != MemoryKind::runtime_overhead) tensors += i.bytes;
    out.push_back(c.item(MemoryKind::fragmentation, c.num(o.fragmentation_fraction, "fraction") *
                                                        c.bytes(tensors, "of tensors")));
  }
}

void add_seed_items(const Context& c, Items& out) {
  // Seed 000 ("Simplified LLM Memory Requirements"): params x bytes for weights, the KV
  // formula 2 x layers x batch x heads x seq x head_dim x bytes, and for training
  // params x (2 + 2 + 12) plus batch x seq x layers x hidden x 2 B x 7.
  const Ex params = c.num(c.per_gpu_elements([](const TensorGroup&) { return true; }), "params");
  const Ex wb = c.bytes(dtype_bytes(c.s.precision.weights), dtype_name(c.s.precision.weights));
  out.push_back(c.item(MemoryKind::weights, params * wb));
  if (c.s.mode == Mode::inference) {
    add_kv_cache_item(c, out);
    return;
  }
  auto shard = [&](const Ex& e) {
    return c.s.training.zero_stage >= 1 && c.dp > 1 ? e / c.num(c.dp, "dp (ZeRO)") : e;
  };
  out.push_back(c.item(MemoryKind::gradients, params * wb));
  out.push_back(c.item(MemoryKind::master_weights,
                       shard(params * c.bytes(4, "fp32 master, part of the 12 B-per-parameter Adam rule"))));
  out.push_back(c.item(MemoryKind::optimizer_states,
                       shard(params * c.bytes(8, "Adam m + v, the rest of the 12 B rule")),
                       "Optimizer states (adamw)"));
  add_training_activation_items(c, out);
}

MemoryReport assemble_memory(const Context& c, Items items) {
  MemoryReport m;
  m.items = std::move(items);
  for (const auto& i : m.items) m.total_bytes += i.bytes;
  m.capacity_bytes = c.gpu().memory_bytes;
  m.headroom_bytes = m.capacity_bytes - m.total_bytes;
  m.fits = m.headroom_bytes >= 0;
  return m;
}

}  // namespace llmcalc
