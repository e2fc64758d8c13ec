#pragma once
// Architecture <-> JSON: the explicit `architecture` object of a scenario and of a preset.

#include <optional>

#include "../json/json_reader.hpp"
#include "llmcalc/architecture.hpp"

namespace llmcalc {

// Reads an explicit architecture object (unknown keys are errors), then validates it.
std::optional<Architecture> read_architecture(json_io::ObjectReader& r);

// Checks ranges and consistency (heads divide hidden, kv heads divide heads, ...);
// errors are reported at `path` + the field's key.
void validate_architecture(const Architecture& a, const std::string& path, Errors& errors);

// With an explicit plan, sets the uniform fields the older analyses read (sliding_window,
// moe.first_dense_layers) from it.
void sync_uniform_fields(Architecture& a);

nlohmann::json architecture_to_json(const Architecture& a);

// How an error names letter i of a per-layer pattern string: "letter 3 ('Q')". One spelling
// for the architecture's attention_pattern / mlp_pattern and HF hybrid_override_pattern.
std::string pattern_letter(const std::string& pattern, size_t i);

}  // namespace llmcalc
