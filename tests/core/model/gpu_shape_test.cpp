// A GPU has one shape: a data file, a scenario's hardware overrides and the GPU listing take
// the same keys and ranges, read by one function (core/src/model/gpu_shape.hpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "llmcalc/api.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"
#include "model/gpu_shape.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

// Every preset, as the listing writes it, given back as a custom GPU's hardware object is the
// same GPU: the listing's keys are the scenario's keys, and nothing is lost on the way.
TEST(GpuShape, ListingRoundTripsThroughScenarioHardware) {
  const json listing = json::parse(gpus_json());
  ASSERT_TRUE(listing["ok"].get<bool>());
  ASSERT_GE(listing["gpus"].size(), 40u);
  for (const json& entry : listing["gpus"]) {
    const std::string id = entry["id"];
    json hw = {{"gpu", "custom"}};
    for (const GpuNumber& n : gpu_numbers()) hw[std::string(n.key())] = entry.at(std::string(n.key()));
    hw["peak_flops"] = entry.at("peak_flops");
    const json scenario = {{"model", "llama-2-7b"}, {"hardware", hw}};
    const ScenarioResult r = parse_scenario(scenario.dump());
    ASSERT_TRUE(r.scenario) << id << ": " << (r.errors.empty() ? "" : r.errors[0].path + " " + r.errors[0].message);
    const Gpu& custom = r.scenario->gpu;
    const Gpu& preset = find_gpu(id)->gpu;
    for (const GpuNumber& n : gpu_numbers()) EXPECT_EQ(custom.*n.member, preset.*n.member) << id << " " << n.key();
    EXPECT_EQ(custom.peak_flops, preset.peak_flops) << id;
  }
}

// The schema's /hardware fields are the shape's: same pointer, range and unit, and they are
// read with the GPU rather than by a store of their own.
TEST(GpuShape, SchemaFieldsComeFromTheShape) {
  for (const GpuNumber& n : gpu_numbers()) {
    const Field* f = find_field(n.pointer);
    ASSERT_NE(f, nullptr) << n.pointer;
    EXPECT_TRUE(f->gpu_shape) << n.pointer;
    EXPECT_EQ(f->min, n.min) << n.pointer;
    EXPECT_EQ(f->max, n.max) << n.pointer;
    EXPECT_EQ(f->unit, n.unit) << n.pointer;
    EXPECT_EQ(f->store, nullptr) << n.pointer;
  }
  const Field* flops = find_field(kGpuPeakFlopsPointer);
  ASSERT_NE(flops, nullptr);
  EXPECT_TRUE(flops->gpu_shape);
  EXPECT_EQ(flops->min, kMinFlops);
  EXPECT_EQ(flops->max, kMaxFlops);
}

// The same bad value gets the same error from a data file and from a scenario's overrides.
TEST(GpuShape, OneReaderOneError) {
  struct Case {
    json hardware;
    std::string path, code;
  };
  const Case cases[] = {
      {{{"memory_bytes", 10}}, "/hardware/memory_bytes", "out_of_range"},
      {{{"matmul_efficiency", 1.5}}, "/hardware/matmul_efficiency", "out_of_range"},
      {{{"bandwidth_efficiency", "high"}}, "/hardware/bandwidth_efficiency", "wrong_type"},
      {{{"memory_bandwidth_bytes_per_s", nullptr}}, "/hardware/memory_bandwidth_bytes_per_s", "wrong_type"},
      {{{"peak_flops", {{"bf17", 1e15}}}}, "/hardware/peak_flops/bf17", "unknown_field"},
      {{{"peak_flops", {{"bf16", 5}}}}, "/hardware/peak_flops/bf16", "out_of_range"},
      {{{"peak_flops", 3}}, "/hardware/peak_flops", "wrong_type"},
  };
  for (const Case& c : cases) {
    // As a scenario's overrides of a preset.
    json hw = c.hardware;
    hw["gpu"] = "h100-sxm";
    const ScenarioResult r = parse_scenario(json({{"model", "llama-2-7b"}, {"hardware", hw}}).dump());
    ASSERT_EQ(r.errors.size(), 1u) << c.hardware.dump();
    EXPECT_EQ(r.errors[0].path, c.path);
    EXPECT_EQ(r.errors[0].code, c.code);
    // As a data file: the H100's own file with the same key replaced.
    json file = json::parse(gpus_json())["gpus"][0];
    for (auto it = c.hardware.begin(); it != c.hardware.end(); ++it) file[it.key()] = it.value();
    Errors errors;
    json_io::ObjectReader reader(&file, "/hardware", errors);
    Gpu g;
    read_gpu_shape(reader, g, GpuRead::complete);
    ASSERT_EQ(errors.size(), 1u) << c.hardware.dump();
    EXPECT_EQ(errors[0].path, c.path);
    EXPECT_EQ(errors[0].code, c.code);
    EXPECT_EQ(errors[0].message, r.errors[0].message);
  }
}

// A data file must give every number; a scenario's overrides may give any subset.
TEST(GpuShape, DataFilesNeedEveryNumber) {
  json file = json::parse(gpus_json())["gpus"][0];
  file.erase("matmul_efficiency");
  file.erase("peak_flops");
  Errors errors;
  json_io::ObjectReader reader(&file, "/f", errors);
  Gpu g;
  read_gpu_shape(reader, g, GpuRead::complete);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "/f/peak_flops");
  EXPECT_EQ(errors[1].path, "/f/matmul_efficiency");
  EXPECT_EQ(errors[0].code, "missing_field");
}

}  // namespace
}  // namespace llmcalc::test
