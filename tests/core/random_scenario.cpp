#include "random_scenario.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "llmcalc/catalog.hpp"

namespace llmcalc::test {

uint64_t Rng::next() {
  // splitmix64 (Steele, Lea, Flood 2014; the constants of Java's SplittableRandom).
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t Rng::in(int64_t lo, int64_t hi) {
  const uint64_t span = uint64_t(hi - lo) + 1;
  return lo + int64_t(next() % span);  // the modulo bias (< 2^-40 here) does not matter
}

std::string random_scenario_json(Rng& rng) {
  using nlohmann::json;
  const auto& models = model_presets();
  const auto& gpus = gpu_presets();
  const ModelPreset& m = models[size_t(rng.in(0, int64_t(models.size()) - 1))];
  const Architecture& a = m.spec.arch;
  const bool training = rng.chance(50);
  json s = {{"model", m.spec.id}, {"mode", training ? "training" : "inference"}};
  if (rng.chance(10)) s["method"] = "seed";
  json hw = {{"gpu", gpus[size_t(rng.in(0, int64_t(gpus.size()) - 1))].gpu.id}};
  s["hardware"] = hw;

  // Powers of two and odd sizes both: the formulas round (ceil) in places.
  const auto tokens = [&](int64_t hi) { return rng.chance(50) ? int64_t(1) << rng.in(0, hi) : rng.in(1, int64_t(1) << hi); };
  json w = {{"batch", rng.chance(50) ? int64_t(1) << rng.in(0, 8) : rng.in(1, 300)}};
  if (training) {
    w["seq"] = tokens(15);
    w["grad_accum"] = rng.in(1, 16);
  } else {
    w["prompt"] = tokens(15);
    w["generate"] = rng.in(0, 4096);
  }
  s["workload"] = w;

  json p = json::object();
  static const char* const kInferenceWeights[] = {"fp32", "fp16", "bf16", "fp8", "int8", "int4", "nf4", "fp4"};
  static const char* const kKv[] = {"fp32", "fp16", "bf16", "fp8", "int8", "int4"};
  static const char* const kAct[] = {"fp32", "fp16", "bf16"};
  std::string finetune = "full";
  if (training) {
    static const char* const kFinetune[] = {"full", "lora", "qlora"};
    finetune = rng.pick(kFinetune);
    static const char* const kFullWeights[] = {"fp32", "fp16", "bf16"};
    if (finetune == "full") p["weights"] = rng.pick(kFullWeights);
    else if (finetune == "lora") p["weights"] = rng.pick(kInferenceWeights);
    else if (rng.chance(50)) p["weights"] = rng.chance(50) ? "nf4" : "int4";
    p["gradients"] = rng.pick(kAct);
  } else {
    p["weights"] = rng.pick(kInferenceWeights);
    p["kv_cache"] = rng.pick(kKv);
  }
  p["activations"] = rng.pick(kAct);
  s["precision"] = p;

  if (training) {
    static const char* const kOptimizer[] = {"adamw", "adamw-8bit", "adafactor", "sgd", "sgd-momentum", "lion"};
    static const char* const kCheckpointing[] = {"none", "selective", "full"};
    json t = {{"optimizer", rng.pick(kOptimizer)},
              {"checkpointing", rng.pick(kCheckpointing)},
              {"finetune", finetune},
              {"zero_stage", rng.in(0, 3)}};
    if (finetune != "full") t["lora"] = {{"rank", int64_t(1) << rng.in(0, 8)}};
    s["training"] = t;
    static const char* const kMethods[] = {"detailed", "korthikanti", "seed"};
    s["options"] = {{"activation_method", rng.pick(kMethods)}};
  } else {
    s["options"] = {{"flash_attention", rng.chance(80)},
                    {"logits", rng.chance(80) ? "last" : "all"},
                    {"cuda_graphs", rng.chance(30)}};
    if (rng.chance(20)) s["options"]["kv_page_tokens"] = int64_t(1) << rng.in(4, 8);
  }

  // A layout: tp a divisor of the heads (at most 8), pp at most the layers.
  std::vector<int64_t> tps;
  for (int64_t tp = 1; tp <= 8; ++tp)
    if (a.num_heads % tp == 0) tps.push_back(tp);
  const int64_t tp = rng.chance(60) ? 1 : tps[size_t(rng.in(0, int64_t(tps.size()) - 1))];
  const int64_t pp = rng.chance(70) ? 1 : rng.in(1, std::min<int64_t>(a.num_layers, 8));
  const int64_t dp = training && rng.chance(50) ? rng.in(1, 16) : 1;
  s["parallelism"] = {{"tp", tp}, {"pp", pp}, {"dp", dp}};
  return s.dump();
}

}  // namespace llmcalc::test
