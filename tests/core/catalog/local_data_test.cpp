// Issue 15 data: the new GPU presets load through the catalog with their sources, and the
// unified-memory machines and host-memory presets (not yet read by the catalog) are complete
// and consistent.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "data/embedded_data.hpp"
#include "llmcalc/catalog.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

TEST(LocalData, NewGpuPresetsLoadWithSources) {
  for (const auto& e : catalog_errors()) ADD_FAILURE() << e.path << " " << e.code << ": " << e.message;
  for (const char* id :
       {"rtx-4060", "rtx-4060-ti-16gb", "rtx-4070", "rtx-4070-ti-super", "rtx-4080", "rtx-4080-super",
        "rtx-5060-ti-16gb", "rtx-5070", "rtx-5070-ti", "rtx-5080", "rtx-pro-6000-blackwell",
        "rx-7900-xtx", "rx-7900-xt", "rx-9070-xt", "arc-b580", "a100-pcie-40gb", "a100-pcie-80gb",
        "h20", "l20", "b300", "gb200", "gb300", "mi250x", "mi325x", "mi355x"}) {
    const GpuPreset* g = find_gpu(id);
    ASSERT_NE(g, nullptr) << id;
    EXPECT_GT(g->gpu.memory_bytes, 7e9) << id;
    EXPECT_GT(g->gpu.memory_bandwidth_bytes_per_s, 2e11) << id;
    EXPECT_GT(g->gpu.matmul_peak(Dtype::bf16), 1e13) << id;
    EXPECT_FALSE(g->memory_source.empty() || g->bandwidth_source.empty() ||
                 g->flops_source.empty() || g->efficiency_source.empty())
        << id;
  }
  // Spot checks against the datasheets: RTX 4060 Ti 128-bit x 18 Gbps = 288 GB/s; RTX 5080
  // 84 SMs x 2.617 GHz x 4096 FLOP = 900 TFLOPS dense FP4 (NVIDIA: 1801 AI TOPS sparse).
  EXPECT_DOUBLE_EQ(find_gpu("rtx-4060-ti-16gb")->gpu.memory_bandwidth_bytes_per_s, 288e9);
  EXPECT_NEAR(find_gpu("rtx-5080")->gpu.peak(Dtype::fp4) * 2, 1801e12, 1e12);
  EXPECT_DOUBLE_EQ(find_gpu("rtx-4070")->gpu.memory_bytes, 12282.0 * 1048576);
}

const json parse_entry(const data::Entry& e) {
  json j = json::parse(e.json.begin(), e.json.end(), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << e.id;
  return j;
}

bool has_text(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty();
}

TEST(LocalData, UnifiedMemoryMachinesAreComplete) {
  ASSERT_GE(data::kUnifiedCount, 19u);
  for (std::size_t i = 0; i < data::kUnifiedCount; ++i) {
    const json j = parse_entry(data::kUnified[i]);
    const std::string id(data::kUnified[i].id);
    EXPECT_EQ(j.value("kind", ""), "unified_memory") << id;
    EXPECT_TRUE(has_text(j, "memory_source") && has_text(j, "bandwidth_source") &&
                has_text(j, "flops_source"))
        << id;
    ASSERT_TRUE(j["memory_options_bytes"].is_array()) << id;
    double last = 0;
    for (const auto& m : j["memory_options_bytes"]) {
      EXPECT_GT(m.get<double>(), last) << id;  // ascending, positive
      last = m.get<double>();
    }
    EXPECT_GT(j["memory_bandwidth_bytes_per_s"].get<double>(), 5e10) << id;
    EXPECT_GT(j["peak_flops"]["fp32"].get<double>(), 1e12) << id;
    const json& share = j["gpu_memory_share"];
    EXPECT_TRUE(has_text(share, "source")) << id;
  }
}

TEST(LocalData, MetalShareMatchesLlamaCppLogs) {
  // recommendedMaxWorkingSetSize: 21845.34 MB of 32 GB, 73728.00 MB of 96 GB (the sources in
  // gpu_memory_share). The rule in the data must reproduce both.
  for (std::size_t i = 0; i < data::kUnifiedCount; ++i) {
    const json j = parse_entry(data::kUnified[i]);
    if (j.value("vendor", "") != "apple") continue;
    const json& s = j["gpu_memory_share"];
    auto share = [&](double ram_mib) {
      return ram_mib * 1048576 <= s["up_to_bytes"].get<double>() ? s["share_up_to"].get<double>()
                                                                  : s["share_above"].get<double>();
    };
    EXPECT_NEAR(32768 * share(32768), 21845.34, 2.0) << data::kUnified[i].id;
    EXPECT_NEAR(98304 * share(98304), 73728.00, 0.01) << data::kUnified[i].id;
  }
}

TEST(LocalData, HostMemoryBandwidthIsChannelsTimesRate) {
  const data::Entry* host = nullptr;
  for (std::size_t i = 0; i < data::kLocalCount; ++i)
    if (data::kLocal[i].id == "host-memory") host = &data::kLocal[i];
  ASSERT_NE(host, nullptr);
  const json j = parse_entry(*host);
  ASSERT_GE(j["presets"].size(), 6u);
  for (const auto& p : j["presets"]) {
    // One DDR channel is 64 bits (8 bytes) per transfer.
    const double expected = p["channels"].get<double>() * 8 * p["transfer_rate_mts"].get<double>() * 1e6;
    EXPECT_DOUBLE_EQ(p["bandwidth_bytes_per_s"].get<double>(), expected) << p["id"];
    EXPECT_TRUE(has_text(p, "source")) << p["id"];
  }
}

}  // namespace
}  // namespace llmcalc::test
