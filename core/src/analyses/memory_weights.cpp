#include "memory.hpp"
#include "../text/number_format.hpp"
#include "llmcalc/weight_bytes.hpp"

namespace llmcalc {

namespace {

// The checkpoint's own formats (quantization_config / hf_quant_config.json), used unless the
// scenario names a weight dtype: each format's share of the params on this GPU times its
// element bytes, and its scales (and zero points) as their exact bytes per converted param.
void add_checkpoint_weight_items(const Context& c, const CheckpointQuantization& q, Items& out) {
  const auto shares = weight_bytes_by_format(c.tensors, q);
  const double conv = c.per_gpu_elements([&](const TensorGroup& t) { return is_converted(q, t); });
  const double base = c.per_gpu_elements([&](const TensorGroup& t) { return !is_converted(q, t); });
  Ex weights, scales;
  bool any = false;
  for (const FormatShare& f : shares) {
    // weight_bytes_by_format lists the converted share first, under the quantized name.
    const bool converted = f.format == q.quantized.name && f.dtype == q.quantized.dtype;
    const double on_gpu = converted ? conv : base;
    if (on_gpu <= 0) continue;
    const WeightFormat& wf = converted ? q.quantized : q.base;
    std::string what = wf.name + " params";
    if (!converted) what += " (unconverted: embeddings, lm_head, norms, routers)";
    if (c.counts.mtp > 0 && c.text()) what += ", MTP layers included (load_mtp)";
    const Ex term = c.num(on_gpu, what) * c.bytes(wf.element_bits / 8.0, wf.name);
    weights = any ? weights + term : term;
    any = true;
    if (converted && f.scale_bytes > 0)
      scales = c.num(on_gpu, wf.name + " params") *
               c.bytes(f.scale_bytes / double(f.params), "scale bytes per param (" + q.source + ")");
  }
  out.push_back(c.item(MemoryKind::weights, weights, "Weights (checkpoint: " + q.method + ")"));
  if (scales.v > 0) out.push_back(c.item(MemoryKind::quantization_scales, scales));
}

}  // namespace

void add_weight_items(const Context& c, Items& out) {
  if (c.s.model.quantization && c.s.weights_as_checkpoint()) {
    add_checkpoint_weight_items(c, *c.s.model.quantization, out);
    return;
  }
  const Precision& p = c.s.precision;
  if (!p.gguf_mix.empty() || from_gguf_file(c.s)) return add_gguf_weight_items(c, out);  // memory_weights_gguf.cpp
  const bool quantized = is_quantized(p.weights);
  const double all = c.per_gpu_elements([](const TensorGroup&) { return true; });
  // "params on this GPU (tp 2, pp 1)" when the model is split.
  const bool split = c.tp > 1 || c.pp > 1;
  auto on_gpu = [&](std::string what) {
    if (split && c.text())
      what += " on this GPU (tp " + format_number(c.tp) + ", pp " + format_number(c.pp) + ")";
    return what;
  };
  const Ex bytes_per = c.bytes(dtype_bytes(p.weights), dtype_name(p.weights));
  const bool training = c.s.mode == Mode::training;
  const EngineSettings& e = c.s.engine;
  // ZeRO-3 partitions the (trainable) weights over data-parallel ranks; an engine that wraps
  // the whole model in FSDP (torchtune) shards a frozen LoRA/QLoRA base as well.
  const bool zero3 = training && c.s.training.zero_stage == 3 &&
                     (c.s.training.finetune == Finetune::full || e.flag(EngineOption::shard_frozen_base));
  if (training && e.flag(EngineOption::cpu_offload) && c.s.training.zero_stage == 3) {
    // FSDP CPU offload: the GPU holds only the layer being computed and the one prefetched.
    const Ex layers = c.num(2, "layers all-gathered (current + prefetch)") *
                      c.num(largest_layer_elements(c), "params per layer");
    out.push_back(c.item(MemoryKind::weights, layers * bytes_per, "Weights (gathered layers; rest offloaded)"));
    return;
  }
  if (!quantized) {
    // options.load_mtp: the MTP layers as a term of their own.
    const double mtp = c.counts.mtp > 0 ? c.per_gpu_elements([](const TensorGroup& t) { return t.mtp; }) : 0;
    Ex n = mtp > 0 ? c.num(all - mtp, on_gpu("params")) + c.num(mtp, "MTP layer params (load_mtp)")
                   : c.num(all, on_gpu("params"));
    if (zero3) n = n / c.num(c.dp, "dp (ZeRO-3)");
    out.push_back(c.item(MemoryKind::weights, n * bytes_per));
    return;
  }
  // Weight-only quantization converts the linear layers; embeddings, lm_head, norms,
  // biases and routers stay 16-bit (GPTQ, AWQ and bitsandbytes defaults).
  const double q = c.per_gpu_elements([](const TensorGroup& t) { return t.is_quantizable_linear(); });
  const Ex quant = c.num(q, on_gpu(c.counts.mtp > 0 ? "quantized params, MTP layers included (load_mtp)"
                                                    : "quantized params"));
  // peft's prepare_model_for_kbit_training casts every non-quantized parameter to fp32.
  const bool upcast = training && e.flag(EngineOption::kbit_upcast);
  Ex w = quant * bytes_per + c.num(all - q, upcast ? "fp32 params (embeddings, lm_head, norms)"
                                                   : "16-bit params (embeddings, lm_head, norms)") *
                                 c.bytes(upcast ? 4 : 2, upcast ? "fp32 (kbit upcast)" : "");
  if (zero3) w = w / c.num(c.dp, "dp (FSDP-sharded frozen base)");
  out.push_back(c.item(MemoryKind::weights, w));

  // Scales per format. Counts of output channels and of tensors on this GPU are inputs here.
  double channels = 0, tensor_count = 0;
  for (const auto& t : c.tensors) {
    if (!t.is_quantizable_linear()) continue;
    const double n = c.per_gpu_elements([&](const TensorGroup& u) { return &u == &t; });
    channels += n / double(t.cols);
    tensor_count += n / double(t.elements());
  }
  Ex scales;
  switch (p.weights) {
    case Dtype::int4:
    case Dtype::int8: {
      // GPTQ/AWQ layout: an fp16 scale and a packed integer zero point per group of
      // group_size input features (group_size 0: one per output channel).
      const Ex per = c.bytes(2, "fp16 scale") + c.bytes(dtype_bytes(p.weights), "zero point");
      scales = p.group_size > 0 ? quant * per / c.num(double(p.group_size), "group size")
                                : c.num(channels, "output channels") * per;
      break;
    }
    case Dtype::nf4:
      // bitsandbytes double quantization: an 8-bit absmax per 64 weights plus an fp32
      // constant per 256 blocks (Dettmers et al. 2023, QLoRA, section 3: 0.127 bits/param).
      scales = quant * (c.bytes(1, "absmax") / c.num(64, "block") +
                        c.bytes(4, "fp32 constant") / c.num(16384, "params per constant"));
      break;
    case Dtype::fp4:
      // MXFP4: one 8-bit shared exponent per 32 elements (OCP MX spec v1.0).
      scales = quant * c.bytes(1, "shared exponent") / c.num(32, "block");
      break;
    default:  // fp8: one fp32 scale per tensor
      scales = c.num(tensor_count, "tensors") * c.bytes(4, "fp32 scale");
      break;
  }
  if (zero3) scales = scales / c.num(c.dp, "dp");
  out.push_back(c.item(MemoryKind::quantization_scales, scales));
}

}  // namespace llmcalc
