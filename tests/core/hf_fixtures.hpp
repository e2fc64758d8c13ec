#pragma once
// The config.json fixtures of tests/data/hf_configs, embedded at build time.
#include <string_view>
#include <vector>

namespace llmcalc::test {

struct Fixture {
  std::string_view name;  // file name without .json
  std::string_view text;
};

const std::vector<Fixture>& hf_fixtures();

}  // namespace llmcalc::test
