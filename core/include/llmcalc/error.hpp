#pragma once
// Validation errors: a JSON pointer into the scenario, a stable code, and prose.

#include <string>
#include <vector>

namespace llmcalc {

struct Error {
  std::string path;     // JSON pointer, e.g. "/workload/batch"
  std::string code;     // stable machine code: "out_of_range", "unknown_preset", ...
  std::string message;  // human sentence naming the field and the reason
};

using Errors = std::vector<Error>;

}  // namespace llmcalc
