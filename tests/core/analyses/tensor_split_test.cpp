// llama.cpp's --tensor-split over unequal GPUs in one machine (issue 15): the layer slots by
// the normalised running sum of the split weights, one device entry per GPU with its own
// verdict, and a decode step that runs the GPUs' layers one after the other.
#include <gtest/gtest.h>

#include <string>

#include "analyses/context.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/format.hpp"
#include "llmcalc/plan.hpp"
#include "llmcalc/solve.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

// Llama 3 8B (core/data/models/llama-3-8b.json), as in offload_test.cpp: 218,112,000 params
// per layer, token_embd = output = 128256 x 4096, output_norm 4096. fp16: 2 B each.
constexpr double kLayer = 218112000.0;
constexpr double kTable = 128256.0 * 4096.0;
constexpr double kNorm = 4096.0;

std::string llama(const std::string& gpu, const std::string& offload, const std::string& extra = "") {
  return R"({"model":"llama-3-8b","precision":{"weights":"fp16","kv_cache":"fp16"},
             "hardware":{"gpu":")" + gpu + "\"" + (extra.empty() ? "" : ",\"extra_gpus\":" + extra) +
         "},\"offload\":" + offload + "}";
}
const std::string k3090And3060 = R"(["rtx-3060-12gb"])";

double device_item(const DeviceMemory& d, const std::string& id) {
  for (const auto& i : d.items)
    if (i.id == id) return i.bytes;
  return 0;
}

// Slots per device: layers 0..31 and the output layer (slot 32).
std::vector<int> count_slots(const std::vector<int>& dev) {
  std::vector<int> n(3, 0);  // GPU 0, GPU 1, CPU
  for (int d : dev) ++n[d < 0 ? 2 : size_t(d)];
  return n;
}

TEST(TensorSplit, ThreeToOneByRunningSum) {
  // splits [3, 1] -> running sums [0.75, 1]; 33 slots (act_gpu_layers = 33): slot il goes to
  // the first GPU whose sum exceeds il / 33, so il <= 24 (24/33 = 0.727) on the 3090 and
  // il 25..32 (25/33 = 0.758) on the 3060: 25 layers, then 7 layers + the output layer.
  const Scenario s = scenario(llama("rtx-3090", R"({"tensor_split":[3,1]})", k3090And3060));
  const std::vector<int> dev = layer_devices(s);
  ASSERT_EQ(dev.size(), 33u);
  EXPECT_EQ(dev[24], 0);
  EXPECT_EQ(dev[25], 1);
  EXPECT_EQ(dev[32], 1);
  EXPECT_EQ(count_slots(dev), (std::vector<int>{25, 8, 0}));

  const Report r = run(llama("rtx-3090", R"({"tensor_split":[3,1]})", k3090And3060));
  ASSERT_EQ(r.devices.size(), 3u);
  EXPECT_EQ(r.devices[0].id, "gpu");
  EXPECT_EQ(r.devices[1].id, "gpu1");
  EXPECT_EQ(r.devices[2].id, "ram");
  EXPECT_EQ(r.devices[1].name, find_gpu("rtx-3060-12gb")->gpu.name);
  EXPECT_DOUBLE_EQ(item(r, "weights"), 25 * kLayer * 2);                            // 10,905,600,000 B
  EXPECT_DOUBLE_EQ(device_item(r.devices[1], "weights"), (7 * kLayer + kTable + kNorm) * 2);  // 4,104,264,192 B
  EXPECT_DOUBLE_EQ(device_item(r.devices[2], "weights"), kTable * 2);               // token_embd stays in RAM
  // KV of 1024 + 256 tokens at 2 x 8 heads x 128 x 2 B = 4096 B per token and layer.
  EXPECT_DOUBLE_EQ(item(r, "kv_cache"), 25 * 1280 * 4096.0);
  EXPECT_DOUBLE_EQ(device_item(r.devices[1], "kv_cache"), 7 * 1280 * 4096.0);
  EXPECT_DOUBLE_EQ(device_item(r.devices[2], "kv_cache"), 0);
  // Each GPU counts its own compute buffers and CUDA context.
  EXPECT_GT(device_item(r.devices[1], "runtime_overhead"), 0);
  EXPECT_DOUBLE_EQ(r.devices[1].capacity_bytes, 12884901888.0);
  EXPECT_TRUE(r.devices[0].fits);
  EXPECT_TRUE(r.devices[1].fits);
}

TEST(TensorSplit, DefaultSplitIsTheMemorySizes) {
  // No tensor_split: 24 GiB and 12 GiB -> running sums [2/3, 1] (float). Slot 21: 21/33 =
  // 0.636 < 2/3, on the 3090; slot 22: 22/33 is the same float as 24/36, and upper_bound wants
  // a sum strictly above it, so the 3060: 22 layers, then 10 layers + the output layer.
  const Scenario s = scenario(llama("rtx-3090", R"({"gpu_layers":-1})", k3090And3060));
  ASSERT_EQ(s.offload.tensor_split.size(), 2u);
  EXPECT_DOUBLE_EQ(s.offload.tensor_split[0], 25769803776.0);
  EXPECT_EQ(count_slots(layer_devices(s)), (std::vector<int>{22, 11, 0}));
  const Report r = run(llama("rtx-3090", R"({"gpu_layers":-1})", k3090And3060));
  EXPECT_DOUBLE_EQ(item(r, "weights"), 22 * kLayer * 2);
  EXPECT_DOUBLE_EQ(device_item(r.devices[1], "weights"), (10 * kLayer + kTable + kNorm) * 2);
}

TEST(TensorSplit, GpuLayersLeaveTheFirstLayersInRam) {
  // -ngl 17: i_gpu_start = 16, act_gpu_layers = 17; [1, 1]: (il - 16) / 17 < 0.5 -> il 16..24
  // on the 3090 (9 slots), il 25..32 on the 3060 (7 layers + output), layers 0..15 in RAM.
  const Scenario s = scenario(llama("rtx-3090", R"({"gpu_layers":17,"tensor_split":[1,1]})", k3090And3060));
  EXPECT_EQ(count_slots(layer_devices(s)), (std::vector<int>{9, 8, 16}));
  const Report r = run(llama("rtx-3090", R"({"gpu_layers":17,"tensor_split":[1,1]})", k3090And3060));
  EXPECT_DOUBLE_EQ(device_item(r.devices[2], "weights"), (16 * kLayer + kTable) * 2);
  EXPECT_DOUBLE_EQ(device_item(r.devices[2], "kv_cache"), 16 * 1280 * 4096.0);
}

TEST(TensorSplit, EachGpuHasItsOwnVerdict) {
  // [1, 9]: il / 33 < 0.1 -> il 0..3 on the 3090; 28 layers + output on the 3060:
  // (28 x 218,112,000 + 525,336,576 + 4,096) x 2 = 13,264,953,344 B of weights > 12 GiB.
  const Report r = run(llama("rtx-3090", R"({"tensor_split":[1,9]})", k3090And3060));
  ASSERT_EQ(r.devices.size(), 3u);
  EXPECT_DOUBLE_EQ(device_item(r.devices[1], "weights"), 13264953344.0);
  EXPECT_TRUE(r.devices[0].fits);
  EXPECT_FALSE(r.devices[1].fits);
  EXPECT_LT(r.devices[1].headroom_bytes, 0);
  // The report's verdict is every device's: the 3090 fits (its headroom stays positive), the
  // 3060 does not, so the run does not fit; the [3, 1] split of the same model does.
  EXPECT_GE(r.memory.headroom_bytes, 0);
  EXPECT_FALSE(r.memory.fits);
  EXPECT_TRUE(run(llama("rtx-3090", R"({"tensor_split":[3,1]})", k3090And3060)).memory.fits);
}

TEST(TensorSplit, SolversHoldEveryGpu) {
  // [1, 2]: sums [1/3, 1]; slot 11 (11/33 is the float of 1/3) goes on, so the 3090 holds 11
  // layers and the 3060 21 layers + the output layer: (21 x 218,112,000 + 525,336,576 + 4,096)
  // x 2 = 10,211,385,344 B of weights. The 3060 also takes twice the 3090's KV per token, so
  // it runs out first: the longest prompt fits it and one more token does not, while the
  // 3090 still has room.
  const Scenario s = scenario(llama("rtx-3090", R"({"tensor_split":[1,2]})", k3090And3060));
  const SolveAnswer a = solve_max_context(s);
  ASSERT_TRUE(a.found);
  EXPECT_DOUBLE_EQ(device_item(a.report.devices[1], "weights"), 10211385344.0);
  Scenario over = s;
  over.workload.prompt = a.value + 1;
  const Report r1 = estimate(over);
  EXPECT_TRUE(a.report.memory.fits);
  EXPECT_FALSE(r1.memory.fits);
  EXPECT_TRUE(r1.devices[0].fits);
  EXPECT_FALSE(r1.devices[1].fits);
}

TEST(TensorSplit, DecodeRunsTheGpusInTurn) {
  // All 33 slots on one GPU (-ngl all, the token table in RAM either way) against the split:
  // a decode step reads the 3090's layers at its bandwidth and then the 3060's at its own, so
  // it takes longer than on the 3090 alone and less than on the 3060 alone.
  const Report fast = run(llama("rtx-3090", R"({"gpu_layers":-1})"));
  const Report slow = run(llama("rtx-3060-12gb", R"({"gpu_layers":-1})"));
  const Report split = run(llama("rtx-3090", R"({"tensor_split":[3,1]})", k3090And3060));
  ASSERT_GT(fast.latency.decode_first_s, 0);
  EXPECT_GT(split.latency.decode_first_s, fast.latency.decode_first_s);
  EXPECT_LT(split.latency.decode_first_s, slow.latency.decode_first_s);
  // The 3060's part: at least its weights over 360 GB/s x 0.85 (its preset's efficiency).
  const Phase& p = split.latency.phases[1];
  const double w1 = device_item(split.devices[1], "weights");
  EXPECT_GT(p.other_gpus_s, w1 / (360e9 * 0.85));
  EXPECT_LT(p.other_gpus_s, 1.1 * w1 / (360e9 * 0.85));
  // The 3090's part: only its 25 layers (10.9 GB) and their KV at the first step (1024 + 1
  // tokens) over 936 GB/s x 0.85.
  EXPECT_NEAR(p.memory_s, (item(split, "weights") + 25 * 1025 * 4096.0) / (936e9 * 0.85), 1e-9);
}

TEST(TensorSplit, LlamaServerGetsTheSplit) {
  const Report given = run(R"({"model":"llama-3-8b","engine":"llama.cpp","hardware":{"gpu":"rtx-3090",
      "extra_gpus":["rtx-3060-12gb"]},"offload":{"tensor_split":[3,1]}})");
  EXPECT_NE(given.engine.command.find("--tensor-split 3,1"), std::string::npos) << given.engine.command;
  const Report memory = run(R"({"model":"llama-3-8b","engine":"llama.cpp","hardware":{"gpu":"rtx-3090",
      "extra_gpus":["rtx-3060-12gb"]}})");
  EXPECT_NE(memory.engine.command.find("--tensor-split 24,12"), std::string::npos) << memory.engine.command;
}

TEST(TensorSplit, InputsAreChecked) {
  auto first = [](const Errors& e) { return e.empty() ? std::string() : e[0].path; };
  EXPECT_EQ(first(errors_of(llama("rtx-3090", R"({"tensor_split":[1,1,1]})", k3090And3060))),
            "/offload/tensor_split");
  EXPECT_EQ(first(errors_of(llama("rtx-3090", R"({"tensor_split":[0,0]})", k3090And3060))),
            "/offload/tensor_split");
  EXPECT_EQ(first(errors_of(llama("rtx-3090", R"({"tensor_split":[1,-1]})", k3090And3060))),
            "/offload/tensor_split/1");
  EXPECT_EQ(first(errors_of(llama("rtx-3090", R"({"gpu_layers":-1})", R"(["rtx-9999"])"))),
            "/hardware/extra_gpus/0");
  EXPECT_EQ(first(errors_of(llama("rtx-3090", R"({"gpu_layers":-1})", R"("rtx-3060-12gb")"))),
            "/hardware/extra_gpus");
  EXPECT_EQ(first(errors_of(R"({"model":"llama-3-8b","mode":"training","hardware":{"gpu":"rtx-3090",
      "extra_gpus":["rtx-3060-12gb"]}})")), "/hardware/extra_gpus");
}

TEST(TensorSplit, TextReportListsEachDevice) {
  const std::string t = format_report_table(run(llama("rtx-3090", R"({"tensor_split":[1,9]})", k3090And3060)), false);
  EXPECT_NE(t.find("NVIDIA GeForce RTX 3060"), std::string::npos) << t;
  EXPECT_NE(t.find("DOES NOT FIT\n"), std::string::npos) << t;
  // The verdict names the device that overflows (the 3090 itself has room).
  EXPECT_NE(t.find("DOES NOT FIT: NVIDIA GeForce RTX 3060 12GB short by"), std::string::npos) << t;
  EXPECT_EQ(t.find("FITS, headroom"), std::string::npos) << t;
}

TEST(TensorSplit, PlanChecksEveryGpu) {
  // The plan keeps the split and holds each GPU to its own capacity and margin.
  PlanGoals g;
  g.context = 8192;
  const PlanAnswer a = make_plan(scenario(R"({"model":"llama-3-8b","engine":"llama.cpp",
      "hardware":{"gpu":"rtx-3090","extra_gpus":["rtx-3060-12gb"]}})"), g);
  ASSERT_FALSE(a.ranked.empty());
  EXPECT_NE(a.explanation.find("RTX 3090 24GB + NVIDIA GeForce RTX 3060 12GB"), std::string::npos) << a.explanation;
  for (const auto& c : a.ranked) {
    ASSERT_EQ(c.devices.size(), 3u);
    for (const auto& d : c.devices) EXPECT_GE(d.headroom_bytes, 0) << d.name;
  }
}

}  // namespace
}  // namespace llmcalc::test
