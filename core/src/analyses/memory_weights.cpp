#include "memory.hpp"

namespace llmcalc {
namespace {

// Bytes of scale/zero-point metadata per quantized weight element.
double scale_bytes_per_element(const Precision& p, const TensorGroup& t) {
  switch (p.weights) {
    case Dtype::int4:
    case Dtype::int8: {
      // GPTQ/AWQ layout: an fp16 scale and a packed integer zero point per group of
      // group_size input features (group_size 0: one per output channel).
      const double group = p.group_size > 0 ? double(p.group_size) : double(t.cols);
      return (2.0 + dtype_bytes(p.weights)) / group;
    }
    case Dtype::nf4:
      // bitsandbytes double quantization: an 8-bit absmax per 64 weights plus an fp32
      // constant per 256 blocks (Dettmers et al. 2023, QLoRA, section 3: 0.127 bits/param).
      return 1.0 / 64.0 + 4.0 / (64.0 * 256.0);
    case Dtype::fp4:
      return 1.0 / 32.0;  // MXFP4: one 8-bit shared exponent per 32 elements (OCP MX spec)
    case Dtype::fp8:
      return 4.0 / double(t.elements());  // one fp32 scale per tensor
    default:
      return 0.0;
  }
}

}  // namespace

void add_weight_items(const Context& c, Items& out) {
  const Precision& p = c.s.precision;
  const bool quantized = is_quantized(p.weights);
  const double all = c.per_gpu_elements([](const TensorGroup&) { return true; });
  // " on this GPU (tp 2, pp 1)" after the parameter count when the model is split.
  auto where = [&](Formula& f) {
    if (c.tp > 1 || c.pp > 1) f.text(" on this GPU (tp ").value(c.tp).text(", pp ").value(c.pp).text(")");
  };
  auto dtype = [&](Formula& f) { f.text(" (").text(dtype_name(p.weights)).text(")"); };
  if (!quantized) {
    double n = all;
    // ZeRO-3 partitions the (trainable) weights over data-parallel ranks.
    const bool zero3 = c.s.mode == Mode::training && c.s.training.zero_stage == 3 &&
                       c.s.training.finetune == Finetune::full;
    if (zero3) n /= c.dp;
    Formula f;
    f.times(all, "params");
    where(f);
    if (zero3) f.over(c.dp, "dp (ZeRO-3)");
    f.times(dtype_bytes(p.weights), "B");
    dtype(f);
    out.push_back({"weights", "Weights", n * dtype_bytes(p.weights), std::move(f).str()});
    return;
  }
  // Weight-only quantization converts the linear layers; embeddings, lm_head, norms,
  // biases and routers stay 16-bit (GPTQ, AWQ and bitsandbytes defaults).
  const double q = c.per_gpu_elements([](const TensorGroup& t) { return t.is_quantizable_linear(); });
  const double rest = all - q;
  const double qb = dtype_bytes(p.weights);
  Formula f;
  f.times(q, "quantized params");
  where(f);
  f.times(qb, "B");
  dtype(f);
  f.plus(rest, "16-bit params (embeddings, lm_head, norms)").times(2, "B");
  out.push_back({"weights", "Weights", q * qb + rest * 2.0, std::move(f).str()});

  double scales = 0;
  for (const auto& t : c.tensors) {
    if (!t.is_quantizable_linear()) continue;
    scales += c.per_gpu_elements([&](const TensorGroup& u) { return &u == &t; }) *
              scale_bytes_per_element(p, t);
  }
  Formula sf;
  sf.value(q, "quantized params x ");
  switch (p.weights) {
    case Dtype::int4:
    case Dtype::int8:
      if (p.group_size > 0)
        sf.text("(2 B fp16 scale + ").value(qb, "B zero) / group of ").value(double(p.group_size));
      else
        sf.text("(2 B scale + ").value(qb, "B zero) per output channel");
      break;
    case Dtype::nf4: sf.text("(1/64 B absmax + 4/16384 B) per param (double quantization)"); break;
    case Dtype::fp4: sf.text("1 B shared exponent / 32 params"); break;
    default: sf.text("one fp32 scale per tensor"); break;
  }
  out.push_back({"quantization_scales", "Quantization scales", scales, std::move(sf).str()});
}

}  // namespace llmcalc
