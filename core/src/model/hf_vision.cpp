#include "hf_vision.hpp"

#include <algorithm>

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

// The fields both Qwen vision towers read: width, MLP width, depth, temporal patch, merge size
// and the width handed to the language model.
struct QwenVision {
  int64_t h, i, depth, t, m, out;
  bool complete() const { return h != 0 && i != 0 && depth != 0; }
  // The patch merger's two linear layers with bias: (h m^2 -> h m^2) and (h m^2 -> out).
  int64_t merger_mlp() const {
    const int64_t mh = h * m * m;
    return (mh * mh + mh) + (mh * out + out);
  }
};

QwenVision qwen_vision(const json& v, int64_t text_hidden) {
  return {field(v, {"hidden_size"}, 0),        field(v, {"intermediate_size"}, 0),
          field(v, {"depth"}, 0, limits::kMaxLayers), field(v, {"temporal_patch_size"}, 2),
          field(v, {"spatial_merge_size"}, 2), field(v, {"out_hidden_size"}, text_hidden)};
}

// Qwen2.5-VL vision (HF Qwen2_5_VisionTransformerPretrainedModel): Conv3d patch embedding
// without bias; blocks of two RMSNorms, qkv and proj with bias, a gated MLP with bias; the
// merger's RMSNorm and two linear layers over merge^2 patches.
int64_t qwen2_5_vl(const json& v, int64_t text_hidden) {
  const QwenVision q = qwen_vision(v, text_hidden);
  const int64_t p = field(v, {"patch_size"}, 14), c = field(v, {"in_chans", "in_channels"}, 3);
  if (!q.complete()) return 0;
  const int64_t h = q.h, i = q.i;
  const int64_t block = 2 * h + (3 * h * h + 3 * h) + (h * h + h) + 2 * (h * i + i) + (i * h + h);
  return c * q.t * p * p * h + q.depth * block + h + q.merger_mlp();
}

// Qwen3-VL vision (HF Qwen3VLVisionModel): Conv3d patch embedding with bias, learned position
// embeddings, blocks of two LayerNorms, qkv/proj with bias and a two-layer MLP with bias; the
// merger (LayerNorm over h) and one deepstack merger (LayerNorm over h x merge^2) per
// deepstack_visual_indexes entry.
int64_t qwen3_vl(const json& v, int64_t text_hidden) {
  const QwenVision q = qwen_vision(v, text_hidden);
  const int64_t p = field(v, {"patch_size"}, 16), c = field(v, {"in_channels", "in_chans"}, 3);
  const int64_t pos = field(v, {"num_position_embeddings"}, 0, limits::kMaxTokens);
  if (!q.complete()) return 0;
  const int64_t h = q.h, i = q.i;
  int64_t deepstack = 0;
  if (auto it = v.find("deepstack_visual_indexes"); it != v.end() && it->is_array())
    deepstack = std::min<int64_t>(int64_t(it->size()), limits::kMaxLayers);
  const int64_t block = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + (h * i + i) + (i * h + h);
  const int64_t mh = h * q.m * q.m;
  const int64_t mlp = q.merger_mlp();
  return c * q.t * p * p * h + h + pos * h + q.depth * block + (2 * h + mlp) +
         deepstack * (2 * mh + mlp);
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

// Element [i][j] of a list of integer pairs (sscp_conv_kernel_size [[3, 3], [3, 3]]), or
// `fallback`.
int64_t pair_at(const json& v, const char* key, size_t i, size_t j, int64_t fallback, int64_t max) {
  auto it = v.find(key);
  if (it == v.end() || !it->is_array() || it->size() <= i) return fallback;
  const json& row = (*it)[i];
  if (row.is_number_integer() && j == 0) return std::clamp<int64_t>(row.get<int64_t>(), 1, max);
  if (!row.is_array() || row.size() <= j || !row[j].is_number_integer()) return fallback;
  return std::clamp<int64_t>(row[j].get<int64_t>(), 1, max);
}

// Gemma3nMultimodalEmbedder (huggingface/transformers
// src/transformers/models/gemma3n/modeling_gemma3n.py @ 00aa0f5dc1ccd968335257cb871d41ee9c0bc21e):
// embedding vocab_size x D, hard and soft embedding norms (D each), projection D -> text; the
// post-projection norm has no weight (with_scale=False).
int64_t gemma3n_embedder(int64_t vocab, int64_t d, int64_t text_hidden) {
  return vocab * d + 2 * d + d * text_hidden;
}

// Gemma 3n audio encoder plus its embedder, as HF builds them (huggingface/transformers
// src/transformers/models/gemma3n/modeling_gemma3n.py @ 00aa0f5dc1ccd968335257cb871d41ee9c0bc21e):
// Gemma3nAudioSubSampleConvProjection (two bias-free Conv2d with a per-channel norm, the
// frequency axis padded 1 + 1, then input_proj_linear), conf_num_hidden_layers Conformer
// blocks of D = hidden_size (two feed-forwards D -> 4D -> D with pre/post norms; attention
// with q, k, v, the relative-position pos_proj and post, each D x D, per_dim_scale over the
// head width and pre/post norms; light conv: linear_start D -> 2D, depthwise conv of
// conf_conv_kernel_size, conv_norm, linear_end D x D, pre norm; a final norm), and
// Gemma3nMultimodalEmbedder (embedding vocab_size x D, two norms, projection D -> text).
int64_t gemma3n_audio(const json& v, int64_t text_hidden) {
  const int64_t d = field(v, {"hidden_size"}, 0, limits::kMaxWidth);
  const int64_t layers = field(v, {"conf_num_hidden_layers"}, 0, limits::kMaxLayers);
  const int64_t heads = field(v, {"conf_num_attention_heads"}, 0, limits::kMaxHeads);
  const int64_t kernel = field(v, {"conf_conv_kernel_size"}, 5, limits::kMaxStateSize);
  const int64_t vocab = field(v, {"vocab_size"}, 128, limits::kMaxVocab);
  int64_t f = field(v, {"input_feat_size"}, 128, limits::kMaxWidth);
  if (d == 0 || layers == 0 || heads == 0 || d % heads != 0) return 0;
  int64_t sscp = 0, channels = 1;
  for (size_t k = 0; k < 2; ++k) {
    const int64_t out =
        pair_at(v, "sscp_conv_channel_size", k, 0, k == 0 ? 128 : 32, limits::kMaxWidth);
    const int64_t kh = pair_at(v, "sscp_conv_kernel_size", k, 0, 3, 64);
    const int64_t kw = pair_at(v, "sscp_conv_kernel_size", k, 1, 3, 64);
    const int64_t sw = pair_at(v, "sscp_conv_stride_size", k, 1, 2, 64);
    if (f + 2 < kw) return 0;
    sscp += out * channels * kh * kw + out;  // conv weight + CumulativeGroupNorm weight
    f = (f + 2 - kw) / sw + 1;               // frequency bins after this conv
    channels = out;
  }
  sscp += channels * f * d;  // input_proj_linear
  const int64_t block = 24 * d * d + 9 * d + d / heads + d * kernel;
  return sscp + layers * block + gemma3n_embedder(vocab, d, text_hidden);
}

// timm's mobilenetv5_300m_enc (Gemma 3n's vision encoder; HF wraps it in TimmWrapperModel), as
// a count, since the config names the layout rather than giving it: 294,284,096 parameters,
// KerasHub's port of that encoder (keras-team/keras-hub,
// keras_hub/src/models/mobilenetv5/mobilenetv5_presets.py @
// b93373ada9594791c890a664ef0bd6205e8e81f4, "mobilenetv5_300m_enc_gemma3n").
constexpr int64_t kMobileNetV5_300mEnc = 294284096;

// The vision tower plus its embedder; 0 for any other named encoder (no count for it).
int64_t gemma3n_vision(const json& v, int64_t text_hidden) {
  const auto arch = v.find("architecture");
  if (arch != v.end() && !(arch->is_string() && arch->get<std::string>() == "mobilenetv5_300m_enc"))
    return 0;
  // Gemma3nVisionConfig's defaults: hidden_size 2,048, vocab_size 128.
  const int64_t d = field(v, {"hidden_size"}, 2048, limits::kMaxWidth);
  const int64_t vocab = field(v, {"vocab_size"}, 128, limits::kMaxVocab);
  return kMobileNetV5_300mEnc + gemma3n_embedder(vocab, d, text_hidden);
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
  } else if (wrapper_type == "gemma3n" && audio) {
    m.params = gemma3n_audio(sub, text_hidden);
  } else if (wrapper_type == "gemma3n") {
    m.params = gemma3n_vision(sub, text_hidden);
    if (m.params <= 0) {
      notes.push_back("vision_config: only Gemma 3n's mobilenetv5_300m_enc vision encoder has a "
                      "count; this one is not counted");
      return std::nullopt;
    }
    notes.push_back("vision_config: mobilenetv5_300m_enc counted as timm's encoder (294,284,096 "
                    "parameters, as KerasHub ports it) plus its embedder; the config names the "
                    "layout, it does not give it");
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
