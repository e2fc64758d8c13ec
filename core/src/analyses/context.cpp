#include "context.hpp"
#include "memory.hpp"

#include "performance.hpp"

#include <algorithm>

namespace llmcalc {

std::vector<int> layer_devices(const Scenario& s) {
  if (!s.offload.enabled) return {};
  // ggml-org/llama.cpp src/llama-model.cpp @ a5410f046c01d01330c8a42f13b64a211fedf2c3,
  // load_tensors: the split weights (tensor_split, default each device's free memory) become
  // their normalised running sums, in float; slot il is on the CPU when il < i_gpu_start or
  // il - i_gpu_start >= act_gpu_layers, else on device upper_bound(splits,
  // float(il - i_gpu_start) / act_gpu_layers): the first whose running sum exceeds it.
  const int L = int(s.model.arch.num_layers);
  const int ngl = s.offload.gpu_layers < 0 ? L + 1 : int(std::min<int64_t>(s.offload.gpu_layers, L + 1));
  const int i_gpu_start = std::max(L + 1 - ngl, 0);
  const int act_gpu_layers = std::min(ngl, L + 1);
  const size_t n = 1 + s.extra_gpus.size();
  std::vector<float> splits(n, 0.0f);
  if (s.offload.tensor_split.size() == n) {
    for (size_t i = 0; i < n; ++i) splits[i] = float(s.offload.tensor_split[i]);
  } else {
    splits[0] = 1.0f;  // one GPU: every GPU slot is on it
  }
  float sum = 0.0f;
  for (float& x : splits) {
    sum += x;
    x = sum;
  }
  for (float& x : splits) x /= sum;
  std::vector<int> out(size_t(L) + 1, -1);
  for (int il = 0; il <= L; ++il) {
    if (il < i_gpu_start || il - i_gpu_start >= act_gpu_layers) continue;
    const auto at = std::upper_bound(splits.begin(), splits.end(), float(il - i_gpu_start) / float(act_gpu_layers));
    out[size_t(il)] = std::min(int(at - splits.begin()), int(n) - 1);
  }
  return out;
}

std::string mtp_unloaded_reason(const Scenario& s) {
  if (!s.options.load_mtp || s.model.arch.mtp_layers <= 0 || s.mode != Mode::inference) return "";
  // llama.cpp creates the nextn layers' tensors with TENSOR_SKIP: a GLM-4.6 load logs "model
  // has unused tensor blk.92.* -- ignoring" for each (code-search id 39156493539).
  if (s.engine.active && s.engine.profile->policy == MemoryPolicy::fixed_context)
    return "llama.cpp and Ollama skip the MTP layers' tensors at load";
  if (s.offload.enabled) return "llama.cpp's offload skips the MTP layers' tensors at load";
  if (!s.precision.gguf_mix.empty() || from_gguf_file(s))
    return "GGUF weights run on llama.cpp, which skips the MTP layers' tensors at load";
  return "";
}

InventoryOptions loaded_inventory(const Scenario& s) {
  const bool mtp = s.options.load_mtp && s.model.arch.mtp_layers > 0 && s.mode == Mode::inference &&
                   mtp_unloaded_reason(s).empty();
  // vLLM v1 (vllm/v1/spec_decode/eagle.py @ f7eef1b6987f4780fe8636077682936fe075aa2f,
  // load_model) replaces an MTP draft's embed_tokens by the target's when the pipeline has one
  // stage; with more, the draft loads its own copy.
  return {mtp, mtp && s.parallelism.pp > 1};
}

Context::Context(const Scenario& scenario, Expressions* arena, Device where, int gpu)
    : s(scenario), a(scenario.model.arch), tensors(tensor_inventory(scenario.model.arch, loaded_inventory(scenario))),
      device(where), gpu_index(where == Device::gpu ? gpu : 0), exprs(arena) {
  counts = count_params(tensors);
  tp = static_cast<double>(s.parallelism.tp);
  pp = static_cast<double>(s.parallelism.pp);
  dp = static_cast<double>(s.parallelism.dp);
  layers_per_stage = (a.num_layers + s.parallelism.pp - 1) / s.parallelism.pp;
  if (s.offload.enabled) {
    // ggml-org/llama.cpp src/llama-model.cpp @ a5410f046c01d01330c8a42f13b64a211fedf2c3,
    // load_tensors: i_gpu_start = max(n_layer + 1 - n_gpu_layers, 0); layer il (the output
    // layer is il = n_layer) goes to a GPU when il >= i_gpu_start, so -ngl 1 offloads the
    // output layer alone and n_layer + 1 everything; dev_input (token embeddings) is the CPU.
    // Negative n_gpu_layers means all (llama_model::n_gpu_layers()).
    const int64_t L = a.num_layers;
    const int64_t ngl = s.offload.gpu_layers < 0 ? L + 1 : std::min(s.offload.gpu_layers, L + 1);
    offloaded = true;
    gpu_layer_start = std::max<int64_t>(L + 1 - ngl, 0);
    output_on_gpu = ngl >= 1;
    // common/common.h @ de93b991682fa46acabb813641f7f6b884ad5dd0: --n-cpu-moe N overrides
    // "blk\.i\.ffn_(up|down|gate)_(ch|)exps" to the CPU buffer for i < N; --cpu-moe all layers.
    cpu_moe_end = s.offload.cpu_moe_layers < 0 ? L : std::min(s.offload.cpu_moe_layers, L);
    layer_begin = std::min(gpu_layer_start, L);
    layer_end = L;
    output_here = output_on_gpu;
    if (!s.extra_gpus.empty() && device == Device::gpu) {  // this GPU's part of the slots
      const std::vector<int> dev = layer_devices(s);
      int64_t first = L, count = 0;
      for (int64_t il = 0; il < L; ++il)
        if (dev[size_t(il)] == gpu_index) {
          first = std::min(first, il);
          ++count;
        }
      layer_begin = first;
      layer_end = first + count;  // contiguous: the device index never decreases with il
      output_here = dev[size_t(L)] == gpu_index;
    }
    layers_per_stage = device == Device::gpu ? layer_end - layer_begin : std::min(gpu_layer_start, L);
  }
  in_flight_micro_batches =
      s.mode == Mode::training ? std::min(s.parallelism.pp, s.workload.grad_accum) : 1;
}

MemoryItem Context::item(MemoryKind kind, const Ex& e, std::string label) const {
  const MemoryKindInfo& info = memory_kind_info(kind);
  MemoryItem i;
  i.kind = kind;
  i.id = info.id;
  i.label = label.empty() ? std::string(info.label) : std::move(label);
  i.bytes = e.v;
  if (exprs != nullptr) {
    i.expression = root_of(*exprs, e);
    i.formula = render_text(*exprs, i.expression);
  }
  return i;
}

FlopItem Context::flop_item(std::string id, std::string label, const Ex& e) const {
  FlopItem i{std::move(id), std::move(label), e.v, {}, Expressions::kNone};
  if (exprs != nullptr) {
    i.expression = root_of(*exprs, e);
    i.formula = render_text(*exprs, i.expression);
  }
  return i;
}

void Context::set_formula(Phase& p, const Ex& time) const {
  if (exprs == nullptr) return;
  p.expression = root_of(*exprs, time);
  p.formula = render_text(*exprs, p.expression);
}

double Context::device_share(const TensorGroup& t) const {
  const bool gpu = device == Device::gpu;
  const double L = static_cast<double>(a.num_layers);
  if (t.layers > 0) {
    if (t.kind == TensorKind::expert && cpu_moe_end > 0) {
      // MoE layers are the last t.layers (leading dense layers first: first_dense_layers).
      const int64_t first = a.num_layers - t.layers;
      const int64_t on_gpu = layer_end - std::max({first, layer_begin, cpu_moe_end});
      const double share = static_cast<double>(std::max<int64_t>(on_gpu, 0)) / static_cast<double>(t.layers);
      return gpu ? share : 1.0 - share;
    }
    const double share = static_cast<double>(layer_end - layer_begin) / L;
    return gpu ? share : 1.0 - share;
  }
  // Outside the layer stack: token embeddings stay in RAM (llama.cpp gets rows on the CPU); a
  // tied table also gets a copy in the output layer's buffer (TENSOR_DUPLICATED) when the
  // output layer is offloaded. Gemma 3n's per-layer table is an input tensor too, and never
  // the output matrix: it gets no copy. lm_head and the final norm go with the output layer.
  // Vision and audio towers (mmproj) are loaded to the GPU by their own loader.
  if (t.kind == TensorKind::embedding || t.kind == TensorKind::position) {
    const bool copy = t.kind == TensorKind::embedding && !t.is_per_layer_table() &&
                      a.tie_word_embeddings && output_here;
    return gpu ? (copy ? 1.0 : 0.0) : 1.0;
  }
  if (t.kind == TensorKind::extra) return gpu && gpu_index == 0 ? 1.0 : 0.0;
  return (output_here == gpu) ? 1.0 : 0.0;
}

double Context::tp_share(const TensorGroup& t) const {
  // An MTP layer's eh_proj is a plain nn.Linear in vLLM's DeepSeekMultiTokenPredictorLayer
  // (vllm/model_executor/models/deepseek_mtp.py @ 03356f8cb59ba27f3d0ce8866d7516b5e32cff65):
  // every rank holds all of it.
  if (t.kind == TensorKind::router || t.kind == TensorKind::mtp) return 1.0;
  return t.is_matrix() || t.kind == TensorKind::bias ? 1.0 / tp : 1.0;
}

int64_t Context::kv_heads_per_gpu() const {
  const int64_t tpi = s.parallelism.tp;
  return std::max<int64_t>(1, (a.num_kv_heads + tpi - 1) / tpi);
}

}  // namespace llmcalc
