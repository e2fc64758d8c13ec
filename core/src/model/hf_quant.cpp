#include "hf_quant.hpp"

#include <algorithm>
#include <utility>

#include "limits.hpp"
#include "llmcalc/tensors.hpp"

namespace llmcalc {

using json_io::ObjectReader;
using nlohmann::json;

namespace {

constexpr uint32_t bit(TensorKind k) { return 1u << static_cast<int>(k); }

// What weight-only and FP8 quantizers convert by default: the linear layers of attention
// (and recurrent mixers) and MLPs. Embeddings, lm_head, routers, norms and biases stay in the
// checkpoint dtype (GPTQ, AWQ, bitsandbytes, DeepSeek FP8 and ModelOpt defaults).
constexpr uint32_t kLinear = bit(TensorKind::attention) | bit(TensorKind::mlp) |
                             bit(TensorKind::expert) | bit(TensorKind::shared_expert);

// A quantized format: elements of `bits` bits, one scale of `scale_bits` bits per `group`
// inputs (group / block layouts) or per row / matrix.
WeightFormat scaled(std::string name, Dtype dtype, double bits, ScaleLayout scales, int64_t group,
                    double scale_bits) {
  WeightFormat f;
  f.name = std::move(name);
  f.dtype = dtype;
  f.element_bits = bits;
  f.scales = scales;
  f.group = group;
  f.scale_bits = scale_bits;
  return f;
}

// Two integers [a, b] (block shapes: weight_block_size, block_structure), unchecked in range.
std::optional<std::pair<int64_t, int64_t>> int_pair(const json* v) {
  if (v == nullptr || !v->is_array() || v->size() != 2 || !(*v)[0].is_number_integer() ||
      !(*v)[1].is_number_integer())
    return std::nullopt;
  return std::pair{(*v)[0].get<int64_t>(), (*v)[1].get<int64_t>()};
}

WeightFormat plain(Dtype d) {
  WeightFormat f;
  f.dtype = d;
  f.name = std::string(dtype_name(d));
  f.element_bits = dtype_bits(d);
  return f;
}

// Module patterns of modules_to_not_convert / ignore / exclude_modules -> tensor kinds left
// unconverted. Patterns name HF modules ("model.layers.*.self_attn", "lm_head",
// "re:.*mlp.gate$"); a pattern naming one layer only is treated as naming them all (noted by
// the caller's format name as approximate).
uint32_t excluded_kinds(const std::vector<std::string>& patterns) {
  uint32_t out = 0;
  for (const std::string& p : patterns) {
    auto has = [&](std::string_view s) { return p.find(s) != std::string::npos; };
    if (has("lm_head")) out |= bit(TensorKind::lm_head);
    if (has("embed")) out |= bit(TensorKind::embedding);
    if (has("self_attn") || has("attention") || has(".attn") || has("linear_attn") || has("mixer"))
      out |= bit(TensorKind::attention);
    if (has("router") || has("mlp.gate") || has("block_sparse_moe.gate")) out |= bit(TensorKind::router);
    if (has("shared_expert")) out |= bit(TensorKind::shared_expert);
    else if (has("experts")) out |= bit(TensorKind::expert);
    else if (has("mlp") && !has("mlp.gate")) out |= bit(TensorKind::mlp);
  }
  return out;
}

std::vector<std::string> string_list(ObjectReader& r, std::string_view key) {
  std::vector<std::string> out;
  const json* v = r.raw(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    r.error(key, "wrong_type", "must be an array of module names, got " + json_io::type_name(*v));
    return out;
  }
  if (static_cast<int64_t>(v->size()) > 100'000) {
    r.error(key, "out_of_range", "has more than 100000 entries");
    return out;
  }
  for (const auto& e : *v)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

// The exclusion list under `key` and the linear kinds it leaves converted.
void read_exclusions(ObjectReader& r, std::string_view key, CheckpointQuantization& q) {
  q.not_converted = string_list(r, key);
  q.converted_kinds = kLinear & ~excluded_kinds(q.not_converted);
}

// GPTQ / AWQ: packed integers, an fp16 scale per group and output row, a packed zero point per
// group (GPTQ stores qzeros even when symmetric), and GPTQ's g_idx (int32 per input feature).
// Layouts of AutoGPTQ/GPTQModel and AutoAWQ as loaded by transformers.
WeightFormat integer_groups(const std::string& method, int64_t bits, int64_t group, bool zeros,
                            bool g_idx) {
  WeightFormat f = scaled(
      "int" + std::to_string(bits) + (group > 0 ? " g" + std::to_string(group) : " per-channel") +
          " (" + method + ")",
      bits <= 4 ? Dtype::int4 : Dtype::int8, double(bits),
      group > 0 ? ScaleLayout::group : ScaleLayout::per_channel, group > 0 ? group : 0, 16);
  f.zero_bits = zeros ? double(bits) : 0;
  f.input_feature_bytes = g_idx ? 4 : 0;
  return f;
}

WeightFormat nvfp4(int64_t group) {
  // NVFP4 (NVIDIA ModelOpt): E2M1 elements, an FP8 E4M3 scale per 16, and per matrix an fp32
  // weight_scale_2 plus an fp32 input_scale.
  WeightFormat f =
      scaled("nvfp4 g" + std::to_string(group), Dtype::fp4, 4, ScaleLayout::group, group, 8);
  f.tensor_bytes = 8;
  return f;
}

WeightFormat fp8_per_tensor(bool input_scale) {
  WeightFormat f = scaled("fp8 per-tensor", Dtype::fp8, 8, ScaleLayout::per_tensor, 0, 32);
  f.tensor_bytes = input_scale ? 4 : 0;
  return f;
}

std::optional<CheckpointQuantization> compressed_tensors(ObjectReader& r, CheckpointQuantization q) {
  const json* groups = r.raw("config_groups");
  if (groups == nullptr || !groups->is_object() || groups->empty()) {
    r.error("config_groups", "missing_field", "is required (one scheme at least)");
    return std::nullopt;
  }
  if (groups->size() > 1)
    q.method += " (first of " + std::to_string(groups->size()) + " config groups)";
  const json& g = groups->begin().value();
  ObjectReader gr(&g, r.child_path("config_groups") + "/" + json_io::escape_pointer_token(groups->begin().key()),
                  r.errors());
  ObjectReader w = gr.object("weights");
  if (!w.valid()) {
    gr.error("weights", "missing_field", "is required");
    return std::nullopt;
  }
  const int64_t bits = w.integer("num_bits", 2, 16).value_or(0);
  const std::string type = w.string("type", "int").value_or("int");
  const std::string strategy = w.string("strategy", "tensor").value_or("tensor");
  const bool symmetric = w.boolean("symmetric", true).value_or(true);
  const int64_t group = w.integer("group_size", 1, limits::kMaxFfnWidth, 0).value_or(0);
  if (bits == 0) return std::nullopt;
  WeightFormat f;
  f.element_bits = double(bits);
  // compressed-tensors keeps weight_scale (and zero points) in the checkpoint's dtype.
  f.scale_bits = 16;
  if (type == "float" && bits == 4) {
    f = nvfp4(group > 0 ? group : 16);
    f.tensor_bytes = 4;  // weight_global_scale
  } else if (type == "float") {
    f.dtype = Dtype::fp8;
    f.name = "fp8 " + strategy;
  } else {
    f.dtype = bits <= 4 ? Dtype::int4 : Dtype::int8;
    f.name = "int" + std::to_string(bits) + " " + strategy +
             (group > 0 ? " g" + std::to_string(group) : "");
    f.zero_bits = symmetric ? 0 : 8;
    f.tensor_bytes = 16;  // weight_shape: int64[2] per packed matrix
  }
  if (!(type == "float" && bits == 4)) {
    if (strategy == "tensor") f.scales = ScaleLayout::per_tensor;
    else if (strategy == "channel") f.scales = ScaleLayout::per_channel;
    else if (strategy == "group") {
      f.scales = ScaleLayout::group;
      f.group = group;
      if (group == 0) {
        w.error("group_size", "missing_field", "is required with strategy group");
        return std::nullopt;
      }
    } else if (strategy == "block") {
      f.scales = ScaleLayout::block;
      f.group = f.block_cols = 128;
      if (auto bs = int_pair(w.raw("block_structure"))) {
        f.group = std::clamp<int64_t>(bs->first, 1, limits::kMaxWidth);
        f.block_cols = std::clamp<int64_t>(bs->second, 1, limits::kMaxWidth);
      }
      f.name += " " + std::to_string(f.group) + "x" + std::to_string(f.block_cols);
    } else {
      w.error("strategy", "invalid_choice", "must be tensor, channel, group or block, got \"" +
                                                json_io::shorten(strategy, 30) + "\"");
      return std::nullopt;
    }
  }
  ObjectReader acts = gr.object("input_activations");
  if (acts.valid()) f.name += " (W" + std::to_string(bits) + "A" +
                              std::to_string(acts.integer("num_bits", 1, 64, 16).value_or(16)) + ")";
  else f.name += " (W" + std::to_string(bits) + "A16)";
  q.quantized = f;
  read_exclusions(r, "ignore", q);
  return q;
}

}  // namespace

Dtype checkpoint_dtype(const json& config) {
  for (const char* k : {"torch_dtype", "dtype"}) {
    auto it = config.find(k);
    if (it == config.end() || !it->is_string()) continue;
    const std::string& s = it->get_ref<const std::string&>();
    if (s == "float32") return Dtype::fp32;
    if (s == "float16") return Dtype::fp16;
    if (s == "bfloat16") return Dtype::bf16;
  }
  return Dtype::bf16;
}

std::optional<CheckpointQuantization> read_quantization_config(const json& qc, const std::string& path,
                                                               Dtype base, Errors& errors) {
  ObjectReader r(&qc, path, errors);
  if (!r.valid()) return std::nullopt;
  const size_t before = errors.size();
  CheckpointQuantization q;
  q.source = "quantization_config";
  q.base = plain(base);
  const auto method = r.choice("quant_method", {"fp8", "mxfp4", "gptq", "awq", "bitsandbytes",
                                                "compressed-tensors", "modelopt", "fbgemm_fp8"});
  if (!method) return std::nullopt;
  q.method = std::string(std::initializer_list<std::string_view>{
      "fp8", "mxfp4", "gptq", "awq", "bitsandbytes", "compressed-tensors", "modelopt",
      "fbgemm_fp8"}.begin()[*method]);
  q.converted_kinds = kLinear;
  if (q.method == "fp8" || q.method == "fbgemm_fp8") {
    if (const json* block = r.raw("weight_block_size")) {
      const auto shape = int_pair(block);
      auto in_range = [](int64_t v) { return v >= 1 && v <= limits::kMaxWidth; };
      if (!shape || !in_range(shape->first) || !in_range(shape->second)) {
        r.error("weight_block_size", "wrong_type", "must be two positive integers, e.g. [128, 128]");
        return std::nullopt;
      }
      // DeepSeek-V3 FP8: one fp32 weight_scale_inv per 128 x 128 tile.
      WeightFormat f = scaled("fp8 block " + std::to_string(shape->first) + "x" +
                                  std::to_string(shape->second),
                              Dtype::fp8, 8, ScaleLayout::block, shape->first, 32);
      f.block_cols = shape->second;
      q.quantized = f;
    } else {
      const bool static_acts = r.string("activation_scheme", "dynamic").value_or("dynamic") == "static";
      q.quantized = fp8_per_tensor(static_acts);
    }
    q.not_converted = string_list(r, "modules_to_not_convert");
  } else if (q.method == "mxfp4") {
    // OCP MX: E2M1 elements, one E8M0 (8-bit) scale per 32 along the input dimension.
    q.quantized = scaled("mxfp4", Dtype::fp4, 4, ScaleLayout::group, 32, 8);
    q.not_converted = string_list(r, "modules_to_not_convert");
  } else if (q.method == "gptq" || q.method == "awq") {
    const int64_t bits = r.integer(q.method == "awq" && r.has("w_bit") ? "w_bit" : "bits", 2, 8).value_or(0);
    const char* group_key = q.method == "awq" && r.has("q_group_size") ? "q_group_size" : "group_size";
    const int64_t group = r.integer(group_key, -1, limits::kMaxFfnWidth, 128).value_or(0);
    const bool zeros = q.method == "gptq" || r.boolean("zero_point", true).value_or(true);
    if (bits == 0) return std::nullopt;
    q.quantized = integer_groups(q.method, bits, group > 0 ? group : 0, zeros, q.method == "gptq");
    q.not_converted = string_list(r, "modules_to_not_convert");
  } else if (q.method == "bitsandbytes") {
    const bool four = r.boolean("load_in_4bit", false).value_or(false);
    const bool eight = r.boolean("load_in_8bit", false).value_or(false);
    if (four == eight) {
      r.error("load_in_4bit", "inconsistent", "exactly one of load_in_4bit and load_in_8bit must be true");
      return std::nullopt;
    }
    WeightFormat f;
    if (four) {
      // bitsandbytes Params4bit: blocksize 64; absmax fp32 per block, or with double
      // quantization an 8-bit absmax per block plus an fp32 constant per 256 blocks
      // (QLoRA, Dettmers et al. 2023, section 3); a 16-entry fp32 code table per matrix.
      const auto type = r.choice("bnb_4bit_quant_type", {"nf4", "fp4"}, 0).value_or(0);
      const bool dq = r.boolean("bnb_4bit_use_double_quant", false).value_or(false);
      f = scaled(std::string(type == 0 ? "nf4" : "fp4") + (dq ? " + double quant" : "") +
                     " (bitsandbytes)",
                 type == 0 ? Dtype::nf4 : Dtype::fp4, 4, ScaleLayout::group, 64, dq ? 8 : 32);
      f.double_quant_block = dq ? 256 : 0;
      f.tensor_bytes = 16 * 4;
    } else {
      // LLM.int8(): int8 weights with an fp32 scale (SCB) per output row.
      f = scaled("int8 (bitsandbytes LLM.int8)", Dtype::int8, 8, ScaleLayout::per_channel, 0, 32);
    }
    q.quantized = f;
    q.not_converted = string_list(r, "llm_int8_skip_modules");
  } else if (q.method == "compressed-tensors") {
    auto out = compressed_tensors(r, q);
    if (!out || errors.size() != before) return std::nullopt;
    return out;
  } else if (q.method == "modelopt") {
    return read_modelopt_config(qc, path, base, errors);
  }
  if (errors.size() != before) return std::nullopt;
  q.converted_kinds = kLinear & ~excluded_kinds(q.not_converted);
  return q;
}

std::optional<CheckpointQuantization> read_modelopt_config(const json& config, const std::string& path,
                                                           Dtype base, Errors& errors) {
  ObjectReader top(&config, path, errors);
  if (!top.valid()) return std::nullopt;
  const size_t before = errors.size();
  // hf_quant_config.json nests the fields in "quantization"; config.json's
  // quantization_config (quant_method modelopt) has them at the top.
  ObjectReader nested = top.object("quantization");
  ObjectReader& r = nested.valid() ? nested : top;
  CheckpointQuantization q;
  q.source = nested.valid() ? "hf_quant_config.json" : "quantization_config";
  q.method = "modelopt";
  q.base = plain(base);
  const auto algo = r.choice("quant_algo", {"NVFP4", "FP8", "W4A16_AWQ", "W4A8_AWQ", "MIXED_PRECISION"});
  if (!algo) return std::nullopt;
  if (*algo == 0) {
    q.quantized = nvfp4(r.integer("group_size", 1, 1024, 16).value_or(16));
  } else if (*algo == 1) {
    q.quantized = fp8_per_tensor(true);
  } else if (*algo == 2 || *algo == 3) {
    q.quantized = integer_groups("modelopt awq", 4, r.integer("group_size", 1, 1024, 128).value_or(128),
                                 false, false);
  } else {
    r.error("quant_algo", "unsupported", "MIXED_PRECISION (per-layer formats) is not modelled");
    return std::nullopt;
  }
  q.quantized.name = "modelopt " + q.quantized.name;
  if (const json* kv = r.raw("kv_cache_quant_algo"); kv != nullptr && kv->is_string()) {
    if (kv->get<std::string>() == "FP8") q.kv_cache = Dtype::fp8;
    else if (kv->get<std::string>() == "NVFP4") q.kv_cache = Dtype::fp4;
  }
  read_exclusions(r, "exclude_modules", q);
  if (errors.size() != before) return std::nullopt;
  return q;
}

}  // namespace llmcalc
