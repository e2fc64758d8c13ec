#pragma once
// Report -> JSON: the one shape shared by `llmcalc estimate --json`, the WASM API and the
// validation harness.

#include <nlohmann/json.hpp>

#include "llmcalc/error.hpp"
#include "llmcalc/report.hpp"

namespace llmcalc {

class JsonWriter;
// Streams the report into w (estimate, full sweeps and solver answers).
void write_report(JsonWriter& w, const Report& r);
nlohmann::json errors_to_json(const Errors& errors);
// Finds a non-finite number anywhere in j (a bug if it happens); returns its JSON pointer.
bool find_non_finite(const nlohmann::json& j, std::string& where);

}  // namespace llmcalc
