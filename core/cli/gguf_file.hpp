#pragma once
// --gguf FILE: reads only the header of a (multi-GB) GGUF file and returns the scenario's model
// object (llmcalc::import_gguf_json), or prints the errors naming the flag.

#include <optional>
#include <string>

namespace llmcalc::cli {

// The model object as JSON text; nullopt after printing the errors.
std::optional<std::string> read_gguf_model(const std::string& path);

}  // namespace llmcalc::cli
