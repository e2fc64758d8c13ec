// How a preset's tensors are laid out in a GGUF file (core/src/model/gguf_layout.cpp): each
// inventory group's GGUF tensors and the ggml types a mix gives them. The sizes these imply are
// tested against published files in gguf_weights_test.cpp.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "llmcalc/catalog.hpp"
#include "llmcalc/tensors.hpp"
#include "model/gguf_layout.hpp"
#include "model/gguf_types.hpp"

namespace llmcalc::test {
namespace {

// Elements per ggml type name, for each inventory group of `preset` under `mix`.
using Types = std::map<std::string, int64_t>;
std::map<std::string, Types> layout(const char* preset, const char* mix) {
  std::map<std::string, Types> out;
  const ModelPreset* p = find_model(preset);
  const gguf::Mix* m = gguf::find_mix(mix);
  EXPECT_NE(p, nullptr) << preset;
  EXPECT_NE(m, nullptr) << mix;
  if (p == nullptr || m == nullptr) return out;
  const auto inventory = tensor_inventory(p->spec.arch);
  const auto l = gguf::apply_mix(*m, gguf::quant_model_of(p->spec, p->family), p->spec.arch, inventory);
  EXPECT_EQ(l.refused, "") << preset;
  for (const auto& g : l.groups) {
    Types& t = out[std::string(g.group->name)];
    int64_t sum = 0;
    for (const auto& e : g.types) {
      t[gguf::find_type(e.type)->name] += e.elements;
      sum += e.elements;
    }
    // Every element is typed once, except a multimodal tower's (not in the model file).
    if (g.group->kind != TensorKind::extra) EXPECT_EQ(sum, g.group->params()) << preset << " " << g.group->name;
  }
  return out;
}

TEST(GgufLayout, FamiliesThatFuseQkv) {
  const auto quant = [](const char* id) { return gguf::quant_model_of(find_model(id)->spec, find_model(id)->family); };
  EXPECT_TRUE(quant("phi-4").fused_qkv);
  EXPECT_TRUE(quant("falcon-7b").fused_qkv);
  EXPECT_TRUE(quant("gpt-neox-20b").fused_qkv);
  EXPECT_TRUE(quant("gpt2").fused_qkv);
  EXPECT_FALSE(quant("llama-3-8b").fused_qkv);
  EXPECT_FALSE(quant("falcon-h1-1.5b").fused_qkv);
  EXPECT_EQ(quant("falcon-7b").arch, "falcon");
  EXPECT_EQ(quant("falcon-h1-1.5b").arch, "llama");  // LLM_ARCH_FALCON_H1, not LLM_ARCH_FALCON
  // Phi-4 Q4_K_M: q, k and v are one attn_qkv per layer, Q6_K in the 20 use_more_bits layers.
  const auto phi = layout("phi-4", "Q4_K_M");
  EXPECT_EQ(phi.at("q_proj"), (Types{{"Q4_K", 20LL * 5120 * 5120}, {"Q6_K", 20LL * 5120 * 5120}}));
  EXPECT_EQ(phi.at("k_proj"), (Types{{"Q4_K", 20LL * 1280 * 5120}, {"Q6_K", 20LL * 1280 * 5120}}));
  EXPECT_EQ(phi.at("v_proj"), (Types{{"Q4_K", 20LL * 1280 * 5120}, {"Q6_K", 20LL * 1280 * 5120}}));
  // Llama 3 8B keeps them apart: q and k stay Q4_K, v takes Q6_K in half the layers.
  const auto llama = layout("llama-3-8b", "Q4_K_M");
  EXPECT_EQ(llama.at("q_proj"), (Types{{"Q4_K", 32LL * 4096 * 4096}}));
  EXPECT_EQ(llama.at("v_proj"), (Types{{"Q4_K", 16LL * 1024 * 4096}, {"Q6_K", 16LL * 1024 * 4096}}));
}

TEST(GgufLayout, MambaMixersAreQuantizedAndTheirConvKeptInF32) {
  // Nemotron Nano 9B v2 (hidden 4480: not a multiple of 256, so Q4_K falls back to Q5_0).
  // Before stop 20 in_proj and out_proj had no GGUF name and stayed F16: 4.0 B of 8.9 B params.
  for (const char* preset : {"nemotron-nano-9b-v2", "granite-4.0-h-tiny", "falcon-h1-1.5b"}) {
    const auto l = layout(preset, "Q4_K_M");
    for (const char* g : {"mamba.in_proj", "mamba.out_proj"}) {
      ASSERT_TRUE(l.count(g)) << preset << " " << g;
      EXPECT_EQ(l.at(g).count("F16"), 0u) << preset << " " << g;
      EXPECT_EQ(l.at(g).count("F32"), 0u) << preset << " " << g;
    }
    // ssm_conv1d (weight and bias): F32 in the converted file and never quantized.
    ASSERT_TRUE(l.count("mamba.conv1d")) << preset;
    EXPECT_EQ(l.at("mamba.conv1d").size(), 1u) << preset;
    EXPECT_EQ(l.at("mamba.conv1d").begin()->first, "F32") << preset;
  }
}

TEST(GgufLayout, DeltaNetProjectionsByFamily) {
  // The converter splits Qwen3-Next's in_proj_qkvz into attn_qkv (the attn_v rules: Q6_K in the
  // use_more_bits layers) and attn_gate (Q4_K); its in_proj_ba stays one ssm_ba.
  const auto next = layout("qwen3-next-80b-a3b", "Q4_K_M");
  EXPECT_GT(next.at("linear_attn.in_proj_qkvz").at("Q6_K"), 0);
  EXPECT_EQ(next.at("linear_attn.in_proj_ba").count("F16"), 0u);
  // Qwen3.5 stores in_proj_qkv and in_proj_z apart: the same two tensors.
  const auto q35 = layout("qwen3.5-9b", "Q4_K_M");
  const Types& qkvz = q35.at("linear_attn.in_proj_qkvz");
  EXPECT_GT(qkvz.at("Q6_K"), 0);
  EXPECT_GT(qkvz.at("Q4_K"), qkvz.at("Q6_K"));  // the gate and the other layers' qkv
  for (const char* g : {"linear_attn.in_proj_ba", "linear_attn.out_proj"})
    EXPECT_EQ(q35.at(g).count("F16"), 0u) << g;
  EXPECT_EQ(q35.at("linear_attn.conv1d"), (Types{{"F32", q35.at("linear_attn.conv1d").at("F32")}}));
}

TEST(GgufLayout, Gemma3nPerLayerEmbeddingsTakeTheTokenTableRules) {
  // Tied embeddings: token_embd and per_layer_token_embd take the output rules (Q6_K in Q4_K_M).
  const auto l = layout("gemma-3n-e4b", "Q4_K_M");
  EXPECT_EQ(l.at("embed_tokens_per_layer").size(), 1u);
  EXPECT_EQ(l.at("embed_tokens_per_layer").begin()->first, "Q6_K");
  EXPECT_EQ(l.at("per_layer_input_gate").count("F16"), 0u);
  EXPECT_EQ(l.at("per_layer_projection").count("F16"), 0u);
  // altup, laurel and per_layer_model_proj are never quantized.
  for (const char* g : {"altup_projections", "laurel.linear_left", "per_layer_model_projection"})
    EXPECT_EQ(l.at(g).begin()->first, "F16") << g;
}

TEST(GgufLayout, MultimodalTowersAreNotInTheModelFile) {
  const auto l = layout("qwen2.5-vl-7b", "Q4_K_M");
  ASSERT_TRUE(l.count("vision_tower"));
  EXPECT_TRUE(l.at("vision_tower").empty());
}

}  // namespace
}  // namespace llmcalc::test
