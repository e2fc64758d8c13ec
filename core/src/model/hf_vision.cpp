#include "hf_vision.hpp"

#include "limits.hpp"

namespace llmcalc {

using nlohmann::json;

namespace {

// A bounded non-negative integer field, or `fallback`.
int64_t field(const json& j, std::initializer_list<const char*> keys, int64_t fallback,
              int64_t max = limits::kMaxFfnWidth) {
  for (const char* k : keys) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer()) continue;
    const int64_t v = it->get<int64_t>();
    if (v >= 0 && v <= max) return v;
  }
  return fallback;
}

// Qwen2.5-VL vision (HF Qwen2_5_VisionTransformerPretrainedModel): Conv3d patch embedding
// without bias; blocks of two RMSNorms, qkv and proj with bias, a gated MLP with bias; the
// merger's RMSNorm and two linear layers over merge^2 patches.
int64_t qwen2_5_vl(const json& v, int64_t text_hidden) {
  const int64_t h = field(v, {"hidden_size"}, 0), i = field(v, {"intermediate_size"}, 0);
  const int64_t depth = field(v, {"depth"}, 0, limits::kMaxLayers);
  const int64_t p = field(v, {"patch_size"}, 14), t = field(v, {"temporal_patch_size"}, 2);
  const int64_t c = field(v, {"in_chans", "in_channels"}, 3), m = field(v, {"spatial_merge_size"}, 2);
  const int64_t out = field(v, {"out_hidden_size"}, text_hidden);
  if (h == 0 || i == 0 || depth == 0) return 0;
  const int64_t block = 2 * h + (3 * h * h + 3 * h) + (h * h + h) + 2 * (h * i + i) + (i * h + h);
  const int64_t mh = h * m * m;
  return c * t * p * p * h + depth * block + h + (mh * mh + mh) + (mh * out + out);
}

// Qwen3-VL vision (HF Qwen3VLVisionModel): Conv3d patch embedding with bias, learned position
// embeddings, blocks of two LayerNorms, qkv/proj with bias and a two-layer MLP with bias; the
// merger (LayerNorm over h) and one deepstack merger (LayerNorm over h x merge^2) per
// deepstack_visual_indexes entry.
int64_t qwen3_vl(const json& v, int64_t text_hidden) {
  const int64_t h = field(v, {"hidden_size"}, 0), i = field(v, {"intermediate_size"}, 0);
  const int64_t depth = field(v, {"depth"}, 0, limits::kMaxLayers);
  const int64_t p = field(v, {"patch_size"}, 16), t = field(v, {"temporal_patch_size"}, 2);
  const int64_t c = field(v, {"in_channels", "in_chans"}, 3), m = field(v, {"spatial_merge_size"}, 2);
  const int64_t out = field(v, {"out_hidden_size"}, text_hidden);
  const int64_t pos = field(v, {"num_position_embeddings"}, 0, limits::kMaxTokens);
  if (h == 0 || i == 0 || depth == 0) return 0;
  int64_t deepstack = 0;
  if (auto it = v.find("deepstack_visual_indexes"); it != v.end() && it->is_array())
    deepstack = std::min<int64_t>(int64_t(it->size()), limits::kMaxLayers);
  const int64_t block = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + (h * i + i) + (i * h + h);
  const int64_t mh = h * m * m;
  const int64_t mlp = (mh * mh + mh) + (mh * out + out);
  return c * t * p * p * h + h + pos * h + depth * block + (2 * h + mlp) + deepstack * (2 * mh + mlp);
}

// A plain ViT (SigLIP, CLIP, Pixtral-like): patch embedding, position table, blocks of two
// LayerNorms, attention and a two-layer MLP with biases, and a linear projector.
int64_t generic_vit(const json& v, int64_t text_hidden) {
  const int64_t h = field(v, {"hidden_size", "d_model", "width"}, 0);
  const int64_t i = field(v, {"intermediate_size", "encoder_ffn_dim"}, 4 * h);
  const int64_t depth = field(v, {"num_hidden_layers", "depth", "encoder_layers"}, 0, limits::kMaxLayers);
  const int64_t p = field(v, {"patch_size"}, 14), c = field(v, {"num_channels", "in_channels"}, 3);
  const int64_t image = field(v, {"image_size"}, 0, limits::kMaxTokens);
  if (h == 0 || depth == 0) return 0;
  const int64_t positions = p > 0 && image > 0 ? (image / p) * (image / p) : 0;
  const int64_t block = 4 * h + 4 * (h * h + h) + (h * i + i) + (i * h + h);
  return c * p * p * h + h + positions * h + depth * block + 2 * h + h * text_hidden + text_hidden;
}

}  // namespace

std::optional<ExtraModule> estimate_tower(const json& sub, std::string_view key,
                                          const std::string& wrapper_type, int64_t text_hidden,
                                          std::vector<std::string>& notes) {
  ExtraModule m;
  const bool audio = key == "audio_config";
  m.kind = audio ? ExtraModuleKind::audio : ExtraModuleKind::vision;
  m.name = audio ? "audio_tower" : "vision_tower";
  if (!audio && (wrapper_type == "qwen2_5_vl")) {
    m.params = qwen2_5_vl(sub, text_hidden);
  } else if (!audio && (wrapper_type == "qwen3_vl" || wrapper_type == "qwen3_vl_moe" ||
                        wrapper_type == "qwen3_5" || wrapper_type == "qwen3_5_moe")) {
    m.params = qwen3_vl(sub, text_hidden);
  } else {
    m.params = generic_vit(sub, text_hidden);
    if (m.params > 0)
      notes.push_back(std::string(key) + ": parameters estimated as a plain ViT with a linear "
                      "projector (this tower has no exact reader)");
  }
  if (m.params <= 0) {
    notes.push_back(std::string(key) + ": not counted (its size fields are missing)");
    return std::nullopt;
  }
  return m;
}

}  // namespace llmcalc
