#pragma once
// The preset data files as embedded by cmake/EmbedData.cmake: one JSON text per file, with
// its id, in file-name order. The catalog parses an entry only when it is first needed.

#include <cstddef>
#include <string_view>

namespace llmcalc::data {

struct Entry {
  std::string_view id;
  std::string_view json;
};

extern const Entry kModels[];
extern const std::size_t kModelsCount;
extern const Entry kGpus[];
extern const std::size_t kGpusCount;

}  // namespace llmcalc::data
