// A checkpoint's own formats: exact bytes per format, scales included, hand-derived.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hf_fixtures.hpp"
#include "llmcalc/api.hpp"
#include "llmcalc/format.hpp"
#include "test_util.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/weight_bytes.hpp"
#include "model/hf_config.hpp"
#include "model/hf_quant.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

CheckpointQuantization quant(const json& qc) {
  Errors errors;
  auto q = read_quantization_config(qc, "/quantization_config", Dtype::bf16, errors);
  EXPECT_TRUE(q) << (errors.empty() ? "" : errors[0].path + " " + errors[0].message);
  return q.value_or(CheckpointQuantization{});
}

TEST(WeightBytes, MatrixLayouts) {
  // FP8 block 128 x 128 (DeepSeek-V3): 7,168 x 2,048 -> 14,680,064 B + 56 x 16 fp32 scales
  // (3,584 B) = 14,683,648; a 576-row matrix has ceil(576 / 128) = 5 tile rows.
  const auto fp8 = quant({{"quant_method", "fp8"}, {"weight_block_size", {128, 128}}}).quantized;
  EXPECT_DOUBLE_EQ(matrix_bytes(fp8, 7168, 2048), 14683648.0);
  EXPECT_DOUBLE_EQ(matrix_bytes(fp8, 576, 7168), 576.0 * 7168 + 5 * 56 * 4);
  // GPTQ int4 g128, 4,096 x 4,096: 8,388,608 B + fp16 scales 4,096 x 32 x 2 = 262,144 +
  // 4-bit zeros 65,536 + int32 g_idx 4,096 x 4 = 16,384 -> 8,732,672.
  const auto gptq = quant({{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 128}}).quantized;
  EXPECT_DOUBLE_EQ(matrix_bytes(gptq, 4096, 4096), 8732672.0);
  // AWQ: no g_idx -> 8,716,288.
  const auto awq = quant({{"quant_method", "awq"}, {"bits", 4}, {"group_size", 128}}).quantized;
  EXPECT_DOUBLE_EQ(matrix_bytes(awq, 4096, 4096), 8716288.0);
  // bitsandbytes NF4 + double quant: 8,388,608 + 262,144 8-bit absmax + 1,024 fp32 constants
  // (4,096 B) + a 16-entry fp32 code table (64 B) = 8,654,912.
  const auto nf4 = quant({{"quant_method", "bitsandbytes"}, {"load_in_4bit", true},
                          {"bnb_4bit_quant_type", "nf4"}, {"bnb_4bit_use_double_quant", true}})
                       .quantized;
  EXPECT_DOUBLE_EQ(matrix_bytes(nf4, 4096, 4096), 8654912.0);
  EXPECT_EQ(nf4.dtype, Dtype::nf4);
  // Without double quant: fp32 absmax per 64 -> 8,388,608 + 1,048,576 + 64 = 9,437,248.
  const auto fp4 = quant({{"quant_method", "bitsandbytes"}, {"load_in_4bit", true},
                          {"bnb_4bit_quant_type", "fp4"}}).quantized;
  EXPECT_DOUBLE_EQ(matrix_bytes(fp4, 4096, 4096), 9437248.0);
  // LLM.int8: 16,777,216 + 4,096 fp32 row scales = 16,793,600.
  const auto int8 = quant({{"quant_method", "bitsandbytes"}, {"load_in_8bit", true}}).quantized;
  EXPECT_DOUBLE_EQ(matrix_bytes(int8, 4096, 4096), 16793600.0);
  // compressed-tensors int4 g32 W4A16: 8,388,608 + bf16 scales 4,096 x 128 x 2 = 1,048,576 +
  // weight_shape 16 B = 9,437,200.
  const auto ct = quant(json::parse(R"({"quant_method":"compressed-tensors","format":"pack-quantized",
      "config_groups":{"group_0":{"targets":["Linear"],"weights":{"num_bits":4,"type":"int",
      "symmetric":true,"group_size":32,"strategy":"group"}}},"ignore":["lm_head"]})"));
  EXPECT_DOUBLE_EQ(matrix_bytes(ct.quantized, 4096, 4096), 9437200.0);
  EXPECT_EQ(ct.quantized.name, "int4 group g32 (W4A16)");
  // compressed-tensors FP8 W8A8 per channel: 16,777,216 + 4,096 bf16 scales = 16,785,408.
  const auto ct8 = quant(json::parse(R"({"quant_method":"compressed-tensors","config_groups":{"g":{
      "weights":{"num_bits":8,"type":"float","strategy":"channel"},"input_activations":{"num_bits":8,
      "type":"float","dynamic":true}}}})"));
  EXPECT_DOUBLE_EQ(matrix_bytes(ct8.quantized, 4096, 4096), 16785408.0);
  EXPECT_EQ(ct8.quantized.dtype, Dtype::fp8);
}

TEST(WeightBytes, GptOss20bMxfp4OnTheExpertsOnly) {
  Errors errors;
  std::optional<ModelSpec> spec;
  for (const auto& f : hf_fixtures())
    if (f.name == "gpt-oss-20b") spec = import_hf_config_file(f.text, errors);
  ASSERT_TRUE(spec && spec->quantization);
  const auto shares = weight_bytes_by_format(tensor_inventory(spec->arch), *spec->quantization);
  ASSERT_EQ(shares.size(), 2u);
  // Experts: 24 layers x 32 x 3 matrices of 2,880 x 2,880 = 19,110,297,600 params;
  // 4 bits -> 9,555,148,800 B; one E8M0 byte per 32 -> 2,304 matrices x 2,880 x 90 =
  // 597,196,800 B; 10,152,345,600 B in all.
  EXPECT_EQ(shares[0].format, "mxfp4");
  EXPECT_EQ(shares[0].params, 19110297600);
  EXPECT_DOUBLE_EQ(shares[0].scale_bytes, 597196800.0);
  EXPECT_DOUBLE_EQ(shares[0].bytes(), 10152345600.0);
  // The rest (attention, router, sinks, biases, norms, embedding, lm_head) in bf16:
  // 20,914,757,184 - 19,110,297,600 = 1,804,459,584 params x 2 B = 3,608,919,168 B.
  EXPECT_EQ(shares[1].params, 1804459584);
  EXPECT_DOUBLE_EQ(shares[1].bytes(), 3608919168.0);
}

// weights "checkpoint" is the same as leaving weights out (the page always sends a format, so it
// needs a name for "as the checkpoint"); a named format replaces the checkpoint's.
TEST(WeightBytes, WeightsCheckpointIsTheCheckpointsOwnFormats) {
  std::string config;
  for (const auto& f : hf_fixtures())
    if (f.name == "gpt-oss-20b") config = std::string(f.text);
  ASSERT_FALSE(config.empty());
  auto weights_of = [&](const std::string& precision) {
    const Report r = run(R"({"model": {"hf_config": )" + config + "}" + precision +
                         R"(, "hardware": {"gpu": "h100-sxm"}})");
    double w = 0;
    for (const auto& i : r.memory.items)
      if (i.kind == MemoryKind::weights || i.kind == MemoryKind::quantization_scales) w += i.bytes;
    return w;
  };
  const double absent = weights_of("");
  // 10,152,345,600 B MXFP4 experts (their E8M0 scales a separate item) + 3,608,919,168 B bf16
  // (test above).
  EXPECT_DOUBLE_EQ(absent, 10152345600.0 + 3608919168.0);
  EXPECT_DOUBLE_EQ(weights_of(R"(, "precision": {"weights": "checkpoint"})"), absent);
  // bf16 throughout: 20,914,757,184 x 2 B.
  EXPECT_DOUBLE_EQ(weights_of(R"(, "precision": {"weights": "bf16"})"), 41829514368.0);
}

TEST(WeightBytes, Qwen3_30bA3bFp8IsAboutThirtyOneGigabytes) {
  // Qwen/Qwen3-30B-A3B-FP8 quantization_config (block-wise FP8, 128 x 128).
  const auto q = quant(json::parse(R"({"activation_scheme":"dynamic","fmt":"e4m3",
      "quant_method":"fp8","weight_block_size":[128,128]})"));
  const auto shares = weight_bytes_by_format(tensor_inventory(find_model("qwen3-30b-a3b")->spec.arch), q);
  ASSERT_EQ(shares.size(), 2u);
  // Unconverted: embedding + lm_head 2 x 151,936 x 2,048 = 622,329,856; routers 48 x 128 x
  // 2,048 = 12,582,912; norms 48 x (2 x 2,048 + 2 x 128) + 2,048 = 210,944 -> 635,123,712
  // params x 2 B = 1,270,247,424 B.
  EXPECT_EQ(shares[1].params, 635123712);
  // Converted: 30,532,122,624 - 635,123,712 = 29,896,998,912 B, plus fp32 tile scales per
  // layer: attention 512 + 64 + 64 + 512, experts 128 x 3 x 96 = 36,864 -> 38,016 x 48 x 4 B =
  // 7,299,072 B.
  EXPECT_DOUBLE_EQ(shares[0].element_bytes, 29896998912.0);
  EXPECT_DOUBLE_EQ(shares[0].scale_bytes, 7299072.0);
  // 31,174,545,408 B instead of 61,064,245,248 B in bf16.
  EXPECT_DOUBLE_EQ(shares[0].bytes() + shares[1].bytes(), 31174545408.0);
}

TEST(WeightBytes, ModelOptNvfp4AndSafetensorsIndex) {
  ModelSpec spec = find_model("llama-3.1-8b")->spec;
  Errors errors;
  const json hf_quant = json::parse(R"({"producer":{"name":"modelopt","version":"0.29.0"},
      "quantization":{"quant_algo":"NVFP4","kv_cache_quant_algo":"FP8","group_size":16,
      "exclude_modules":["lm_head"]}})");
  const json index = json::parse(R"({"metadata":{"total_size":5670000000},"weight_map":{}})");
  apply_hf_companions(spec, &hf_quant, &index, "", errors);
  ASSERT_TRUE(errors.empty()) << errors[0].path << " " << errors[0].message;
  ASSERT_TRUE(spec.quantization);
  EXPECT_EQ(spec.quantization->source, "hf_quant_config.json");
  EXPECT_EQ(spec.quantization->kv_cache, Dtype::fp8);
  EXPECT_EQ(spec.checkpoint_total_bytes, 5670000000);
  // NVFP4 g16, 4,096 x 4,096: 8,388,608 + an FP8 scale per 16 (1,048,576) + fp32
  // weight_scale_2 and input_scale (8 B) = 9,437,192.
  EXPECT_DOUBLE_EQ(matrix_bytes(spec.quantization->quantized, 4096, 4096), 9437192.0);
}

// The safetensors index's total_size beside the inventory's bytes of the same checkpoint.
TEST(WeightBytes, CheckpointBytesAgainstTheSafetensorsIndex) {
  // Qwen3.5-9B (tests/data/hf_configs/qwen3.5-9b.json): its index says 19,306,216,416 B in bf16;
  // the inventory gives (9,409,813,744 text + vision + MTP 243,290,624) x 2 = 19,306,208,736 B,
  // 7,680 B (0.00004%) short.
  std::string config;
  for (const auto& f : hf_fixtures())
    if (f.name == "qwen3.5-9b") config = std::string(f.text);
  ASSERT_FALSE(config.empty());
  const std::string base = R"({"model": {"hf_config": )" + config +
                           R"(, "safetensors_index": {"metadata": {"total_size": )";
  const std::string rest = R"(}, "weight_map": {}}}, "hardware": {"gpu": "h100-sxm"}})";
  const Report r = run(base + "19306216416" + rest);
  EXPECT_EQ(r.params.checkpoint_bytes, 19306216416);
  EXPECT_DOUBLE_EQ(r.params.checkpoint_computed_bytes, 19306208736.0);
  EXPECT_EQ(r.params.checkpoint_computed_bytes, 2.0 * double(r.params.total + 243290624));
  for (const auto& n : r.notes) EXPECT_EQ(n.find("safetensors index"), std::string::npos) << n;
  const std::string text = format_report_table(r, true);
  EXPECT_NE(text.find("Checkpoint: 19.31 GB (safetensors index), 19.31 GB computed (-0.00%)"),
            std::string::npos)
      << text;
  EXPECT_NE(estimate_json(base + "19306216416" + rest).find(R"("checkpoint_bytes":19306216416)"),
            std::string::npos);

  // A checkpoint 10% larger than the config describes: a note, with both figures.
  const Report off = run(base + "21450000000" + rest);
  bool noted = false;
  for (const auto& n : off.notes)
    noted = noted || n.find("the safetensors index lists 21450000000 B of tensors but this "
                            "config gives 19306208736 B (-10%, beyond 1%)") != std::string::npos;
  EXPECT_TRUE(noted);

  // Without an index, nothing is compared.
  EXPECT_EQ(run(R"({"model": "llama-3.1-8b", "hardware": {"gpu": "h100-sxm"}})").params.checkpoint_bytes, 0);
  // A bad index names its field.
  const Errors e = errors_of(R"({"model": {"preset": "llama-3.1-8b", "safetensors_index": {}},
                                 "hardware": {"gpu": "h100-sxm"}})");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/model/safetensors_index/metadata");
}

TEST(WeightBytes, BadQuantizationConfigsNameTheField) {
  auto first_error = [](const json& qc) {
    Errors errors;
    EXPECT_FALSE(read_quantization_config(qc, "/quantization_config", Dtype::bf16, errors));
    return errors.empty() ? Error{} : errors[0];
  };
  EXPECT_EQ(first_error({{"quant_method", "hqq"}}).path, "/quantization_config/quant_method");
  EXPECT_EQ(first_error({{"quant_method", "fp8"}, {"weight_block_size", {128}}}).path,
            "/quantization_config/weight_block_size");
  EXPECT_EQ(first_error({{"quant_method", "gptq"}, {"bits", 3.5}}).code, "not_integer");
  EXPECT_EQ(first_error({{"quant_method", "bitsandbytes"}}).code, "inconsistent");
  EXPECT_EQ(first_error({{"quant_method", "compressed-tensors"}}).path,
            "/quantization_config/config_groups");
}

TEST(WeightBytes, DeepSeekV3CheckpointWithItsMtpLayerMatchesTheHubCounts) {
  // The Hub API's safetensors counts of deepseek-ai/DeepSeek-V3 (code-search ids 67469160833,
  // 58758039937): F8_E4M3 680,571,043,840, BF16 3,918,786,560, F32 41,555,600.
  const ModelPreset* p = find_model("deepseek-v3");
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->spec.quantization);
  const auto shares =
      weight_bytes_by_format(tensor_inventory(p->spec.arch, {true, true}), *p->spec.quantization);
  ASSERT_EQ(shares.size(), 2u);
  // FP8: 62 MLA blocks (61 + MTP) x 187,105,280 = 11,600,527,360; 3 dense MLPs x 396,361,728
  // = 1,189,085,184; 59 MoE layers (58 + MTP) x 257 x 44,040,192 = 667,781,431,296.
  EXPECT_EQ(shares[0].params, 11600527360 + 1189085184 + 667781431296);
  EXPECT_EQ(shares[0].params, 680571043840);
  // BF16: embedding, head and the MTP layer's copies 4 x 926,679,040; the MTP's eh_proj
  // 102,760,448 (unconverted: no weight_scale_inv in the checkpoint); 59 routers x 1,835,008;
  // norms 62 x 16,384 + 21,504 + 7,168 = 1,044,480. The 59 x 256 = 15,104 router biases
  // (e_score_correction_bias) are F32 in the checkpoint.
  EXPECT_EQ(shares[1].params - 15104, 3706716160 + 102760448 + 108265472 + 1044480);
  EXPECT_EQ(shares[1].params - 15104, 3918786560);
  // F32 block scales, one per 128 x 128 tile: MLA 672 + 2,304 + 280 + 1,024 + 7,168 = 11,448
  // x 62; dense 3 x 8,064 x 3; experts 3 x 896 x 257 x 59: 41,540,496 = 41,555,600 - 15,104.
  EXPECT_DOUBLE_EQ(shares[0].scale_bytes, 4.0 * (11448 * 62 + 3 * 3 * 8064 + 3 * 896 * 257 * 59));
  EXPECT_DOUBLE_EQ(shares[0].scale_bytes, 4.0 * 41540496);
  // The engine's inventory (one pipeline stage) holds one embedding table less.
  EXPECT_EQ(count_params(tensor_inventory(p->spec.arch, {true, false})).total,
            shares[0].params + shares[1].params - 926679040);
  EXPECT_EQ(mtp_params(p->spec.arch), 13463426304);  // 12,536,747,264 + the embedding copy
}

TEST(WeightBytes, DeepSeekR1CheckpointWithItsMtpLayerMatchesTheHubCounts) {
  // The Hub API record of deepseek-ai/DeepSeek-R1 at revision 56d4cbbb (code-search ids
  // 58758039937, 53152611403): BF16 3,918,786,560, F8_E4M3 680,571,043,840, F32 41,555,600,
  // total 684,531,386,000. R1 is V3's architecture with the same MTP layer 61; without it the
  // FP8 share would be 1 MLA block + 1 MoE layer (187,105,280 + 257 x 44,040,192) short.
  const ModelPreset* p = find_model("deepseek-r1");
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->spec.quantization);
  EXPECT_EQ(p->spec.arch.mtp_layers, 1);
  const auto shares =
      weight_bytes_by_format(tensor_inventory(p->spec.arch, {true, true}), *p->spec.quantization);
  ASSERT_EQ(shares.size(), 2u);
  EXPECT_EQ(shares[0].params, 680571043840);
  // BF16 less the 59 x 256 F32 router biases (see DeepSeek-V3 above).
  EXPECT_EQ(shares[1].params - 15104, 3918786560);
  // F32: the block scales (bytes / 4) plus those biases.
  EXPECT_DOUBLE_EQ(shares[0].scale_bytes / 4.0 + 15104, 41555600.0);
  EXPECT_DOUBLE_EQ(double(shares[0].params + shares[1].params) + shares[0].scale_bytes / 4.0,
                   684531386000.0);
}

}  // namespace
}  // namespace llmcalc::test
