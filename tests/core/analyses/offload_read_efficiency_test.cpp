// The RAM read efficiency of server platforms (8/12-channel DDR5; issue 15), measured on
// published llama.cpp CPU-only decode speeds (tests/data/reference/offload_server_cpu.json),
// and the scenario's own figure (hardware.ram_read_efficiency) in its place.
#include <gtest/gtest.h>

#include <string>

#include "llmcalc/catalog.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

// llama-bench tg on the CPU alone: -ngl 0 keeps every layer, the output layer and the token
// table in RAM, so the step is the RAM's reading (the GPU named here holds nothing).
std::string cpu_only(const std::string& model, const std::string& weights, const std::string& hardware) {
  return R"({"model":")" + model + R"(","precision":{"weights":")" + weights + R"("},
      "workload":{"prompt":1,"generate":128},
      "hardware":{"gpu":"rtx-4090",)" + hardware + R"(},"offload":{"gpu_layers":0}})";
}
double tokens_per_s(const std::string& json) { return 1.0 / run(json).latency.decode_first_s; }

// host_memory.json's server figure, fitted on the EPYC 9554's Phi-4 Q8_0 row below.
constexpr double kServerEfficiency = 0.638;

TEST(ReadEfficiency, ServerPresetsCarryTheMeasuredEfficiency) {
  for (const char* id : {"ddr5-4800-8ch", "ddr5-5200-8ch", "ddr5-4800-12ch", "ddr5-6400-12ch"}) {
    const HostMemoryPreset* h = find_host_memory(id);
    ASSERT_NE(h, nullptr) << id;
    EXPECT_DOUBLE_EQ(h->cpu_read_efficiency, kServerEfficiency) << id;
  }
  // Desktops keep their own generation's figures.
  EXPECT_DOUBLE_EQ(find_host_memory("ddr5-6000-2ch")->cpu_read_efficiency, 0.643);
  EXPECT_DOUBLE_EQ(find_host_memory("ddr4-3200-4ch")->cpu_read_efficiency, 0.463);
}

// One socket of AMD EPYC 9554, 12 x DDR5 at 4800 MT/s (460.8 GB/s: ddr5-4800-12ch), llama-bench
// CPU only, Phi-4 14B (ahelpme.com/?p=6685). Fitted on Q8_0, the largest read per token and
// byte-exact here (14.51 GiB, as published): 15.03 GB read per token (all but token_embd) and
// 0.99 ms of the step besides (the generic 20 us a layer of launches, 0.8 ms, and the rest):
// 15.03e9 / ((1/19.194 - 0.000989) s x 460.8e9) = 0.638.
// Checked, not fitted on: Q6_K 24.71 modelled against 23.246 (+6%, byte-exact too); Q4_K_M 32.6
// against 28.74 (+13%; byte-exact since stop 20, 8.43 GiB, with Phi-3's fused attn_qkv: it was
// 33.2 at 8.28 GiB); Q5_0 29.2 against 25.444 (+15%), whose published 9.87 GiB is not a Q5_0 of
// Phi-4 (9.45 GiB) but the size of bartowski's Q5_K_M file (10.60 GB; modelled as Q5_K_M: 28.2,
// +11%; tests/data/reference/gguf_sizes.json). Fewer bits per weight cost the CPU more work per
// byte read: the model is fast on all three, a lower-bit quant on a server reads at less than 0.638.
TEST(ReadEfficiency, PublishedEpycGenoaCpuOnlySpeeds) {
  const std::string genoa = R"("host_memory":"ddr5-4800-12ch")";
  const double q8 = tokens_per_s(cpu_only("phi-4", "Q8_0", genoa));
  EXPECT_NEAR(q8 / 19.194, 1.0, 0.01) << q8;
  struct Row { const char* weights; double measured; double lo, hi; };
  const Row rows[] = {{"Q6_K", 23.246, 1.03, 1.09}, {"Q5_0", 25.444, 1.12, 1.18},
                      {"Q4_K_M", 28.74, 1.10, 1.16}};
  for (const Row& r : rows) {
    const double tg = tokens_per_s(cpu_only("phi-4", r.weights, genoa));
    EXPECT_GE(tg / r.measured, r.lo) << r.weights << ": " << tg << " modelled, " << r.measured << " measured";
    EXPECT_LE(tg / r.measured, r.hi) << r.weights << ": " << tg << " modelled, " << r.measured << " measured";
  }
}

// Two sockets: llama.cpp reads both sockets' RAM at once only when each thread's weights are
// in its own node's memory. ggml-org/llama.cpp issue #11744: dual EPYC 9175F (Turin), 16 x
// DDR5-6400 (8 channels a socket: 2 x 8 x 8 B x 6400 MT/s = 819.2 GB/s), Llama 3.1 70B F16,
// llama-bench -p 0 --numa distribute with the page cache dropped first (so the generation run
// places the pages): 4.31 tok/s (2.4 without). Modelled as one RAM at two sockets' bandwidth
// and the server efficiency: 139.0 GB per token and 80 layers x 20 us of step overhead -> 3.72
// tok/s, 14% slow (not fitted on: the 9175F's one core per CCD is an unusual server; 4.31
// implies 0.736 of peak).
TEST(ReadEfficiency, DualSocketTurinWithNumaPlacement) {
  const double tg = tokens_per_s(cpu_only("llama-3.1-70b", "F16",
      R"("host_memory":"ddr5-6400-12ch","host_bandwidth_bytes_per_s":819.2e9)"));
  EXPECT_GE(tg / 4.31, 0.84) << tg;
  EXPECT_LE(tg / 4.31, 0.90) << tg;
}

// The user's own figure (hardware.ram_read_efficiency): it replaces the preset's in the RAM's
// part of a step, and only there; the preset's stays the default.
TEST(ReadEfficiency, TheScenarioGivesItsOwn) {
  const std::string genoa = R"("host_memory":"ddr5-4800-12ch")";
  EXPECT_DOUBLE_EQ(scenario(cpu_only("phi-4", "Q8_0", genoa)).host.read_efficiency, kServerEfficiency);
  const std::string own = genoa + R"(,"ram_read_efficiency":0.5)";
  EXPECT_DOUBLE_EQ(scenario(cpu_only("phi-4", "Q8_0", own)).host.read_efficiency, 0.5);
  const Report preset = run(cpu_only("phi-4", "Q8_0", genoa));
  const Report mine = run(cpu_only("phi-4", "Q8_0", own));
  const Phase* d = phase(mine, "decode_first");
  ASSERT_NE(d, nullptr);
  EXPECT_DOUBLE_EQ(d->host_s, d->host_bytes / (460.8e9 * 0.5));
  // Only the RAM's time moves: 0.638 / 0.5 of it.
  const Phase* d0 = phase(preset, "decode_first");
  ASSERT_NE(d0, nullptr);
  EXPECT_DOUBLE_EQ(d->host_bytes, d0->host_bytes);
  EXPECT_NEAR(d->time_s - d0->time_s, d0->host_s * (kServerEfficiency / 0.5 - 1), 1e-12);
  // It goes with a bandwidth the scenario states, too (peak x own fraction).
  const Phase* b = phase(run(cpu_only("phi-4", "Q8_0",
      R"("host_bandwidth_bytes_per_s":100e9,"ram_read_efficiency":0.8)")), "decode_first");
  ASSERT_NE(b, nullptr);
  EXPECT_DOUBLE_EQ(b->host_s, b->host_bytes / (100e9 * 0.8));
}

TEST(ReadEfficiency, BadValuesNameTheField) {
  for (const char* bad : {"0", "-0.5", "1.5", "\"high\"", "null"}) {
    const Errors e = errors_of(R"({"model":"phi-4","hardware":{"ram_read_efficiency":)" +
                               std::string(bad) + "}}");
    ASSERT_FALSE(e.empty()) << bad;
    EXPECT_EQ(e[0].path, "/hardware/ram_read_efficiency") << bad;
  }
  EXPECT_EQ(errors_of(R"({"model":"phi-4","hardware":{"ram_read_efficiency":0}})")[0].code, "out_of_range");
  EXPECT_EQ(errors_of(R"({"model":"phi-4","hardware":{"ram_read_efficiency":"high"}})")[0].code, "wrong_type");
  EXPECT_DOUBLE_EQ(scenario(R"({"model":"phi-4","hardware":{"ram_read_efficiency":1}})").host.read_efficiency, 1);
}

}  // namespace
}  // namespace llmcalc::test
