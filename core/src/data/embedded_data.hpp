#pragma once
// The preset data files as embedded by cmake/EmbedData.cmake: one JSON text per file, with
// its id, in file-name order. The catalog parses an entry only when it is first needed. The
// lowest layer (data, no code): model/ (gguf_types.cpp) and catalog/ both read it.

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
// core/data/*.json (gguf_types.json, host_memory.json) and core/data/unified/ (issue 15).
extern const Entry kLocal[];
extern const std::size_t kLocalCount;
extern const Entry kUnified[];
extern const std::size_t kUnifiedCount;
extern const Entry kEngines[];
extern const std::size_t kEnginesCount;

}  // namespace llmcalc::data
