#pragma once
// Test helper: GGUF bytes built field by field (shared by the reader and import tests).
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace llmcalc::test {

// Writes GGUF bytes little-endian, field by field (ggml-org/ggml docs/gguf.md).
class GgufBuilder {
 public:
  GgufBuilder& raw(std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  GgufBuilder& u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  GgufBuilder& u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  GgufBuilder& str(std::string_view s) { return u64(s.size()).raw(s); }
  GgufBuilder& header(uint64_t tensors, uint64_t kvs, uint32_t version = 3) {
    return raw("GGUF").u32(version).u64(tensors).u64(kvs);
  }
  GgufBuilder& kv_str(std::string_view k, std::string_view v) { return str(k).u32(8).str(v); }
  GgufBuilder& kv_u32(std::string_view k, uint32_t v) { return str(k).u32(4).u32(v); }
  GgufBuilder& kv_u64(std::string_view k, uint64_t v) { return str(k).u32(10).u64(v); }
  GgufBuilder& kv_f32(std::string_view k, float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return str(k).u32(6).u32(bits);
  }
  GgufBuilder& kv_bool(std::string_view k, bool v) {
    str(k).u32(7);
    b.push_back(v ? 1 : 0);
    return *this;
  }
  GgufBuilder& kv_strings(std::string_view k, const std::vector<std::string>& v) {
    str(k).u32(9).u32(8).u64(v.size());
    for (const auto& s : v) str(s);
    return *this;
  }
  GgufBuilder& kv_i32s(std::string_view k, const std::vector<int32_t>& v) {
    str(k).u32(9).u32(5).u64(v.size());
    for (int32_t x : v) u32(static_cast<uint32_t>(x));
    return *this;
  }
  GgufBuilder& tensor(std::string_view name, std::vector<uint64_t> dims, uint32_t type,
                      uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) u64(d);
    return u32(type).u64(offset);
  }
  std::vector<uint8_t> b;
};

}  // namespace llmcalc::test
