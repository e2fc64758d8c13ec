#include "llmcalc/weight_bytes.hpp"

namespace llmcalc {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 1; }

int64_t scale_count(const WeightFormat& f, int64_t rows, int64_t cols) {
  switch (f.scales) {
    case ScaleLayout::none: return 0;
    case ScaleLayout::per_tensor: return 1;
    case ScaleLayout::per_channel: return rows;
    case ScaleLayout::group: return rows * ceil_div(cols, f.group > 0 ? f.group : cols);
    case ScaleLayout::block:
      return ceil_div(rows, f.group) * ceil_div(cols, f.block_cols > 0 ? f.block_cols : f.group);
  }
  return 0;
}

}  // namespace

bool is_converted(const CheckpointQuantization& q, const TensorGroup& t) {
  return t.is_matrix() && (q.converted_kinds >> static_cast<int>(t.kind) & 1u) != 0;
}

double matrix_bytes(const WeightFormat& f, int64_t rows, int64_t cols) {
  const double elements = double(rows) * double(cols);
  const int64_t scales = scale_count(f, rows, cols);
  double meta = double(scales) * (f.scale_bits + f.zero_bits) / 8.0 + f.tensor_bytes +
                double(cols) * f.input_feature_bytes;
  // bitsandbytes double quantization: the 8-bit absmax values carry one fp32 constant per
  // double_quant_block of them.
  if (f.double_quant_block > 0) meta += 4.0 * double(ceil_div(scales, f.double_quant_block));
  return elements * f.element_bits / 8.0 + meta;
}

std::vector<FormatShare> weight_bytes_by_format(const std::vector<TensorGroup>& tensors,
                                                const CheckpointQuantization& q) {
  FormatShare conv{q.quantized.name, q.quantized.dtype};
  FormatShare base{q.base.name, q.base.dtype};
  for (const TensorGroup& t : tensors) {
    const bool c = is_converted(q, t);
    FormatShare& s = c ? conv : base;
    const WeightFormat& f = c ? q.quantized : q.base;
    s.params += t.params();
    const double all = matrix_bytes(f, t.rows, t.cols) * double(t.count());
    const double elements = double(t.elements()) * f.element_bits / 8.0 * double(t.count());
    s.element_bytes += elements;
    s.scale_bytes += all - elements;
  }
  std::vector<FormatShare> out;
  if (conv.params > 0) out.push_back(conv);
  if (base.params > 0) out.push_back(base);
  return out;
}

double checkpoint_bytes(const ModelSpec& model) {
  const auto tensors = tensor_inventory(model.arch, InventoryOptions{true, true});
  double sum = 0;
  if (model.quantization) {
    for (const FormatShare& f : weight_bytes_by_format(tensors, *model.quantization)) sum += f.bytes();
    return sum;
  }
  for (const TensorGroup& t : tensors) sum += double(t.params());
  return sum * dtype_bytes(model.checkpoint_dtype);
}

}  // namespace llmcalc
