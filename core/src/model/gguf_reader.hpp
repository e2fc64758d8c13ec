#pragma once
// Reads the header of a GGUF file (ggml's model format: magic, version, key/value metadata,
// tensor infos) from the first bytes of the file, so that a page can read only a slice of a
// multi-GB file. The layout is ggml-org/ggml docs/gguf.md; the limits are ours.
//
//   GgufRead r = read_gguf_header(bytes, file_size);
//   if (r.need_bytes > 0) { /* read at least r.need_bytes from the start and call again */ }

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llmcalc/error.hpp"

namespace llmcalc {

// GGUF metadata value types (gguf_type in ggml's gguf.h).
enum class GgufValueType : uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8,
  array = 9, u64 = 10, i64 = 11, f64 = 12
};

// One metadata entry. Scalars are kept; strings up to kGgufKeptStringBytes; arrays keep their
// element type and length only (a tokenizer's 150k strings are skipped, not stored).
struct GgufKeyValue {
  std::string key;
  GgufValueType type = GgufValueType::u8;
  std::optional<int64_t> integer;    // integer and bool values
  std::optional<double> number;      // every numeric value (and integers, as double)
  std::optional<std::string> text;   // string values up to the kept length
  GgufValueType array_type = GgufValueType::u8;  // arrays only
  int64_t array_length = 0;                      // arrays only
  std::vector<int64_t> integers;  // integer arrays of up to 1024 elements (per-layer values)
};

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> dims;  // ne[0] (row length) first
  uint32_t type = 0;          // ggml_type id
  uint64_t offset = 0;        // from the start of the data section
  int64_t bytes = 0;          // exact, from the block table (core/data/gguf_types.json)
};

struct GgufHeader {
  uint32_t version = 0;
  std::vector<GgufKeyValue> metadata;
  std::vector<GgufTensorInfo> tensors;
  uint64_t header_bytes = 0;  // bytes up to the end of the tensor infos
  uint64_t data_offset = 0;   // start of tensor data (header_bytes rounded up to alignment)
  uint32_t alignment = 32;    // general.alignment, GGUF_DEFAULT_ALIGNMENT when absent

  // Hyperparameters; 0 (or empty) when the file does not say.
  std::string architecture;    // general.architecture
  std::string name;            // general.name
  int64_t file_type = -1;      // general.file_type (llama_ftype), -1 when absent
  int64_t context_length = 0;  // <arch>.context_length
  int64_t block_count = 0;     // <arch>.block_count
  int64_t embedding_length = 0;
  int64_t feed_forward_length = 0;  // the largest entry when stored per layer (also below)
  int64_t head_count = 0;
  int64_t head_count_kv = 0;
  int64_t expert_count = 0;
  int64_t expert_used_count = 0;
  int64_t vocab_size = 0;  // <arch>.vocab_size, else the length of tokenizer.ggml.tokens

  int64_t weight_bytes = 0;  // sum of every tensor's bytes (exact)
  int64_t weight_elements = 0;

  const GgufKeyValue* find(std::string_view key) const;
};

struct GgufRead {
  std::optional<GgufHeader> header;  // set when the header parsed completely
  // > 0 when the bytes ended inside the header: read at least this many bytes from the start
  // of the file and call again (a lower bound; a long header may need several rounds).
  uint64_t need_bytes = 0;
  Errors errors;  // paths under /gguf; code "truncated" goes with need_bytes
};

// Hard limits: no header, however hostile, allocates more than a few MB or loops for long.
inline constexpr uint64_t kGgufMaxTensors = 1u << 20;
inline constexpr uint64_t kGgufMaxKeyValues = 1u << 20;
inline constexpr uint64_t kGgufMaxKeyBytes = 1u << 16;
inline constexpr uint64_t kGgufMaxStringBytes = 1u << 28;  // skipped strings (chat templates)
inline constexpr uint64_t kGgufMaxArrayLength = 1u << 30;
inline constexpr uint64_t kGgufMaxTensorNameBytes = 63;  // GGML_MAX_NAME (64) with its NUL
inline constexpr uint64_t kGgufKeptStringBytes = 4096;
inline constexpr int kGgufMaxDims = 4;  // GGML_MAX_DIMS

// Parses the header in `bytes` (the first bytes of the file). `file_size` (0 = unknown) lets
// it check that every tensor lies within the file.
GgufRead read_gguf_header(std::span<const uint8_t> bytes, uint64_t file_size = 0);

}  // namespace llmcalc
