#pragma once
// Random valid scenarios for property and equivalence tests: a seeded generator that gives
// the same sequence on every platform (its own integer mapping, not <random>'s distributions,
// whose results differ between standard libraries), so a failure is reproducible from the
// seed and index that the test prints.

#include <cstdint>
#include <string>

namespace llmcalc::test {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();                           // splitmix64
  int64_t in(int64_t lo, int64_t hi);        // uniform in [lo, hi]
  bool chance(int64_t percent) { return in(1, 100) <= percent; }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) { return items[in(0, int64_t(N) - 1)]; }

 private:
  uint64_t state_;
};

// The JSON text of a random scenario that parse_scenario() accepts: any model and GPU preset,
// inference or training, dtypes, workload, optimizer, ZeRO, checkpointing, LoRA/QLoRA and a
// layout whose tp divides the heads and whose pp does not exceed the layers.
std::string random_scenario_json(Rng& rng);

}  // namespace llmcalc::test
