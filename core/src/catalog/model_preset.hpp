#pragma once
// One model preset file read on its own (core/data/models/*.json): what the catalog does for
// each embedded file, open to tests that feed it a broken record.

#include <optional>
#include <string>
#include <string_view>

#include "llmcalc/catalog.hpp"
#include "llmcalc/error.hpp"

namespace llmcalc {

// "" when `date` is a release date as the presets write it: "YYYY-MM-DD", or "YYYY-MM" where
// only the month is public, a real calendar day from 1990 to 2099; else why not.
std::string release_date_problem(std::string_view date);

// The preset in `text` (one data file), or nullopt with its problems added to `errors`, each at
// `path` + the field's JSON pointer.
std::optional<ModelPreset> read_model_preset(std::string_view text, const std::string& path,
                                             Errors& errors);

}  // namespace llmcalc
