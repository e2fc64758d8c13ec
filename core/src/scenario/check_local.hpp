#pragma once
// Rules between fields of local (llama.cpp-style) inference: GGUF weights, and later KV cache
// types and offload. parse_scenario() runs them with its other cross-field checks.

#include "llmcalc/error.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

void check_local_inference(const Scenario& s, Errors& errors);

}  // namespace llmcalc
