#pragma once
// What every fuzz target asks of an API answer: a JSON envelope ({"ok":...}) that is not an
// internal error (the API reports a non-finite number or an escaped exception as one: a bug).
#include <cstdlib>
#include <string>

namespace llmcalc::fuzz {

inline void check_envelope(const std::string& out) {
  if (out.rfind("{\"", 0) != 0 || out.find("\"internal\"") != std::string::npos) std::abort();
}

}  // namespace llmcalc::fuzz
