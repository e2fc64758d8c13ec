#pragma once
// A GGUF header -> the scenario's model object: the architecture read from the tensor shapes
// (and the head counts from the metadata), and the elements stored in each ggml type, so that
// the estimate's weights are the file's bytes exactly.
//
//   {"architecture": {...}, "name": "Llama 3.1 8B", "gguf": {"file_type": "Q4_K_M",
//    "tensor_types": {"Q4_K": 6498025472, "Q6_K": 1531969536, "F32": 266240}}}

#include <nlohmann/json.hpp>
#include <optional>

#include "json/json_reader.hpp"
#include "llmcalc/architecture.hpp"
#include "llmcalc/error.hpp"
#include "model/gguf_reader.hpp"

namespace llmcalc::gguf {

struct ModelObject {
  std::optional<nlohmann::json> model;  // the scenario's /model value
  Errors errors;                        // paths under /gguf
};

ModelObject model_from_header(const GgufHeader& h);

// The scenario's /model/gguf object (what model_from_header writes), validated.
std::optional<GgufStorage> read_storage(json_io::ObjectReader& r);

}  // namespace llmcalc::gguf
