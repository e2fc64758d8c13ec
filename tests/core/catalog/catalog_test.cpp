// The embedded catalogs load cleanly and hold what the issues require.
#include <gtest/gtest.h>

#include <string>

#include "catalog/model_preset.hpp"
#include "data/embedded_data.hpp"
#include "llmcalc/catalog.hpp"

namespace llmcalc::test {
namespace {

TEST(Catalog, LoadsWithoutErrors) {
  for (const auto& e : catalog_errors()) ADD_FAILURE() << e.path << " " << e.code << ": " << e.message;
  EXPECT_GE(model_presets().size(), 40u);
}

TEST(Catalog, RequiredGpusWithSourcedNumbers) {
  for (const char* id : {"a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h100-nvl", "h200", "b200",
                         "l4", "l40s", "a10g", "t4", "v100-16gb", "v100-32gb", "rtx-3060-12gb",
                         "rtx-3090", "rtx-4090", "rtx-5090", "rtx-a6000", "mi300x"}) {
    const GpuPreset* g = find_gpu(id);
    ASSERT_NE(g, nullptr) << id;
    EXPECT_GT(g->gpu.memory_bytes, 8e9) << id;
    EXPECT_GT(g->gpu.memory_bandwidth_bytes_per_s, 1e11) << id;
    EXPECT_GT(g->gpu.peak(Dtype::fp32), 1e12) << id;
    EXPECT_GT(g->gpu.matmul_peak(Dtype::bf16), 1e12) << id;
    EXPECT_FALSE(g->memory_source.empty()) << id;
    EXPECT_FALSE(g->flops_source.empty()) << id;
    EXPECT_FALSE(g->bandwidth_source.empty()) << id;
  }
}

TEST(Catalog, DatasheetSpotChecks) {
  // NVIDIA H100 SXM datasheet: 3.35 TB/s, 989 TFLOPS dense bf16; A100: 312 TFLOPS bf16.
  EXPECT_DOUBLE_EQ(find_gpu("h100-sxm")->gpu.memory_bandwidth_bytes_per_s, 3.35e12);
  EXPECT_NEAR(find_gpu("h100-sxm")->gpu.peak(Dtype::bf16), 989e12, 1e12);
  EXPECT_NEAR(find_gpu("a100-80gb")->gpu.peak(Dtype::bf16), 312e12, 1e12);
  // V100 has no bf16 units: bf16 matmuls run at its fp32 rate.
  EXPECT_EQ(find_gpu("v100-32gb")->gpu.peak(Dtype::bf16), 0);
  EXPECT_EQ(find_gpu("v100-32gb")->gpu.matmul_peak(Dtype::bf16), find_gpu("v100-32gb")->gpu.peak(Dtype::fp32));
}

TEST(Catalog, EveryModelCitesItsSource) {
  for (const auto& m : model_presets()) {
    EXPECT_FALSE(m.config_source.empty()) << m.spec.id;
    EXPECT_FALSE(m.params_source.empty()) << m.spec.id;
    EXPECT_GT(m.spec.published_params, 0) << m.spec.id;
  }
}

// Issue 17: each preset's release date, read from its announcement.
TEST(Catalog, KnownReleaseDates) {
  // Meta's Llama 3.1 post, 23 July 2024; the model card says "Model Release Date: July 23, 2024".
  EXPECT_EQ(find_model("llama-3.1-8b")->released, "2024-07-23");
  EXPECT_EQ(find_model("llama-3.1-8b")->released_source, "https://ai.meta.com/blog/meta-llama-3-1/");
  // Only the month where the sources disagree on the day (Qwen2.5-VL: 26, 27 or 28 January 2025).
  EXPECT_EQ(find_model("qwen2.5-vl-7b")->released, "2025-01");
  // The last seven, found in a second search (docs/models.md): OpenAI's follow-up post gives
  // GPT-2 Medium's month; the Qwen3-VL README's news list gives the 8B's day.
  EXPECT_EQ(find_model("gpt2-medium")->released, "2019-05");
  EXPECT_EQ(find_model("qwen3-vl-8b")->released, "2025-10-15");
}

TEST(Catalog, EveryReleaseDateIsValidAndSourced) {
  // Every preset carries a sourced date (since stop 16); a new preset brings its own.
  for (const auto& m : model_presets()) {
    EXPECT_FALSE(m.released.empty()) << m.spec.id << " has no release date (docs/models.md)";
    EXPECT_EQ(release_date_problem(m.released), "") << m.spec.id;
    EXPECT_EQ(m.released_source.rfind("https://", 0), 0u) << m.spec.id << " " << m.released_source;
  }
}

TEST(Catalog, ReleaseDateProblem) {
  for (const char* good : {"2024-07-23", "2024-07", "2024-02-29", "2000-02-29", "1990-01-01", "2099-12-31"})
    EXPECT_EQ(release_date_problem(good), "") << good;
  // Not on the calendar: 2023 and 1900 are not leap years; April has 30 days.
  for (const char* bad : {"2023-02-29", "1900-02-29", "2024-04-31", "2024-13", "2024-00", "2024-07-00",
                          "1989-12", "2100-01", "2024-7", "2024/07/23", "24-07-23", "2024-07-23T00",
                          "July 2024", ""})
    EXPECT_NE(release_date_problem(bad), "") << bad;
}

// A preset file as the catalog reads it, with `from` replaced by `to`.
std::string edited_preset(const std::string& id, const std::string& from, const std::string& to) {
  for (std::size_t i = 0; i < data::kModelsCount; ++i) {
    if (data::kModels[i].id != id) continue;
    std::string text(data::kModels[i].json);
    const auto at = text.find(from);
    if (at == std::string::npos) return "";
    return text.replace(at, from.size(), to);
  }
  return "";
}

TEST(Catalog, BadReleaseDateIsAnErrorNamingTheFileAndField) {
  const std::string text = edited_preset("llama-3.1-8b", "\"2024-07-23\"", "\"2024-07-32\"");
  ASSERT_FALSE(text.empty());
  Errors errors;
  EXPECT_FALSE(read_model_preset(text, "/models/43", errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "/models/43/released");
  EXPECT_EQ(errors[0].code, "out_of_range");
  EXPECT_NE(errors[0].message.find("core/data/models/llama-3.1-8b.json"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("\"2024-07-32\""), std::string::npos) << errors[0].message;
  // The untouched file reads cleanly.
  Errors none;
  ASSERT_TRUE(read_model_preset(edited_preset("llama-3.1-8b", "", ""), "/models/43", none).has_value());
  EXPECT_TRUE(none.empty());
}

TEST(Catalog, ReleaseDateNeedsItsSource) {
  const std::string text = edited_preset("llama-3.1-8b",
      "\"released_source\": \"https://ai.meta.com/blog/meta-llama-3-1/\",", "");
  ASSERT_FALSE(text.empty());
  Errors errors;
  EXPECT_FALSE(read_model_preset(text, "/models/43", errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "/models/43/released_source");
  EXPECT_EQ(errors[0].code, "missing_field");
}

}  // namespace
}  // namespace llmcalc::test
