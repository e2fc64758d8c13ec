#include "gguf_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#include "gguf_types.hpp"
#include "json/json_reader.hpp"

namespace llmcalc {

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
// Integer values of metadata arrays kept for per-layer hyperparameters (head_count_kv of
// OpenELM, feed_forward_length of some hybrids): short arrays only, and a cap per file.
constexpr uint64_t kKeptArrayLength = 1024;
constexpr uint64_t kKeptArrayValuesPerFile = 1u << 20;

uint64_t scalar_size(GgufValueType t) {
  switch (t) {
    case GgufValueType::u8:
    case GgufValueType::i8:
    case GgufValueType::boolean:
      return 1;
    case GgufValueType::u16:
    case GgufValueType::i16:
      return 2;
    case GgufValueType::u32:
    case GgufValueType::i32:
    case GgufValueType::f32:
      return 4;
    case GgufValueType::u64:
    case GgufValueType::i64:
    case GgufValueType::f64:
      return 8;
    case GgufValueType::string:
    case GgufValueType::array:
      break;
  }
  return 0;
}

const char* type_label(GgufValueType t) {
  static constexpr const char* kNames[] = {"uint8", "int8",   "uint16", "int16", "uint32",
                                           "int32", "float32", "bool",  "string", "array",
                                           "uint64", "int64", "float64"};
  const auto i = static_cast<uint32_t>(t);
  return i < 13 ? kNames[i] : "unknown";
}

bool is_integer(GgufValueType t) {
  return t == GgufValueType::u8 || t == GgufValueType::i8 || t == GgufValueType::u16 ||
         t == GgufValueType::i16 || t == GgufValueType::u32 || t == GgufValueType::i32 ||
         t == GgufValueType::u64 || t == GgufValueType::i64;
}

std::string hex_bytes(const uint8_t* p, size_t n) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, i ? " %02X" : "%02X", p[i]);
    s += buf;
  }
  return s;
}

// Reads little-endian fields, recording the first problem (and, when the bytes run out, how
// many bytes from the start of the file the next read needs).
class Parser {
 public:
  Parser(std::span<const uint8_t> bytes, uint64_t file_size, GgufRead& out)
      : b_(bytes), file_size_(file_size), out_(out) {}

  uint64_t pos() const { return pos_; }

  bool fail(std::string path, std::string code, std::string message) {
    out_.errors.push_back({std::move(path), std::move(code), std::move(message)});
    return false;
  }

  // True when n more bytes are available; otherwise records why not.
  bool have(uint64_t n, const std::string& path) {
    if (n <= b_.size() - pos_) return true;
    const uint64_t need = pos_ + n;  // no overflow: n is capped by the callers' limits
    if (file_size_ > 0 && need > file_size_) {
      return fail(path, "truncated_file",
                  "the file ends at byte " + std::to_string(file_size_) +
                      " but its header continues to byte " + std::to_string(need) +
                      " (an incomplete download?)");
    }
    out_.need_bytes = need;
    return fail(path, "truncated",
                "the header continues past the " + std::to_string(b_.size()) +
                    " bytes given; read at least " + std::to_string(need) + " bytes");
  }

  bool u32(uint32_t& v, const std::string& path) {
    if (!have(4, path)) return false;
    v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | b_[pos_ + i];
    pos_ += 4;
    return true;
  }

  bool u64(uint64_t& v, const std::string& path) {
    if (!have(8, path)) return false;
    v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b_[pos_ + i];
    pos_ += 8;
    return true;
  }

  bool skip(uint64_t n, const std::string& path) {
    if (!have(n, path)) return false;
    pos_ += n;
    return true;
  }

  // A gguf_string: u64 length, then bytes. Keeps up to `keep` bytes in *out (when given).
  bool string(uint64_t max, std::string* out, uint64_t keep, const std::string& path,
              uint64_t* length = nullptr) {
    uint64_t n = 0;
    if (!u64(n, path)) return false;
    if (n > max) {
      return fail(path, "too_long",
                  "string of " + std::to_string(n) + " bytes; the limit is " + std::to_string(max));
    }
    if (!have(n, path)) return false;
    if (out && n <= keep) out->assign(reinterpret_cast<const char*>(b_.data() + pos_), n);
    if (length) *length = n;
    pos_ += n;
    return true;
  }

  // A scalar of type t at the cursor, as integer and/or double.
  bool scalar(GgufValueType t, GgufKeyValue& kv, const std::string& path) {
    const uint64_t n = scalar_size(t);
    if (!have(n, path)) return false;
    uint64_t raw = 0;
    for (int64_t i = static_cast<int64_t>(n) - 1; i >= 0; --i) raw = (raw << 8) | b_[pos_ + i];
    pos_ += n;
    switch (t) {
      case GgufValueType::u8:
      case GgufValueType::u16:
      case GgufValueType::u32:
      case GgufValueType::boolean:
        kv.integer = static_cast<int64_t>(raw);
        break;
      case GgufValueType::i8:
        kv.integer = static_cast<int8_t>(raw);
        break;
      case GgufValueType::i16:
        kv.integer = static_cast<int16_t>(raw);
        break;
      case GgufValueType::i32:
        kv.integer = static_cast<int32_t>(raw);
        break;
      case GgufValueType::i64:
        kv.integer = static_cast<int64_t>(raw);
        break;
      case GgufValueType::u64:
        if (raw <= static_cast<uint64_t>(kInt64Max)) kv.integer = static_cast<int64_t>(raw);
        kv.number = static_cast<double>(raw);
        return true;
      case GgufValueType::f32: {
        float f;
        const auto bits = static_cast<uint32_t>(raw);
        std::memcpy(&f, &bits, 4);
        kv.number = f;
        return true;
      }
      case GgufValueType::f64: {
        double d;
        std::memcpy(&d, &raw, 8);
        kv.number = d;
        return true;
      }
      case GgufValueType::string:
      case GgufValueType::array:
        return false;
    }
    kv.number = static_cast<double>(*kv.integer);
    return true;
  }

  const uint8_t* at(uint64_t p) const { return b_.data() + p; }
  uint64_t size() const { return b_.size(); }

  uint64_t kept_array_values = 0;

 private:
  std::span<const uint8_t> b_;
  uint64_t pos_ = 0;
  uint64_t file_size_;
  GgufRead& out_;
};

bool read_value(Parser& p, GgufKeyValue& kv, const std::string& path) {
  const GgufValueType t = kv.type;
  if (t == GgufValueType::string) {
    std::string s;
    uint64_t len = 0;
    if (!p.string(kGgufMaxStringBytes, &s, kGgufKeptStringBytes, path, &len)) return false;
    if (len <= kGgufKeptStringBytes) kv.text = std::move(s);
    return true;
  }
  if (t != GgufValueType::array) return p.scalar(t, kv, path);

  uint32_t et = 0;
  uint64_t n = 0;
  if (!p.u32(et, path + "/element_type")) return false;
  if (et > 12) {
    return p.fail(path + "/element_type", "unknown_value_type",
                  "array element type must be 0..12, found " + std::to_string(et));
  }
  kv.array_type = static_cast<GgufValueType>(et);
  if (kv.array_type == GgufValueType::array) {
    return p.fail(path + "/element_type", "nested_array",
                  "arrays of arrays are not supported (ggml's gguf.cpp rejects them too)");
  }
  if (!p.u64(n, path + "/length")) return false;
  if (n > kGgufMaxArrayLength) {
    return p.fail(path + "/length", "too_long",
                  "array of " + std::to_string(n) + " elements; the limit is " +
                      std::to_string(kGgufMaxArrayLength));
  }
  kv.array_length = static_cast<int64_t>(n);
  if (kv.array_type == GgufValueType::string) {
    // Each element carries its length: walk them (bounded by the bytes given, 8+ per element).
    for (uint64_t i = 0; i < n; ++i) {
      if (!p.string(kGgufMaxStringBytes, nullptr, 0, path + "/" + std::to_string(i))) return false;
    }
    return true;
  }
  const uint64_t size = scalar_size(kv.array_type);
  if (is_integer(kv.array_type) && n <= kKeptArrayLength &&
      p.kept_array_values + n <= kKeptArrayValuesPerFile) {
    if (!p.have(size * n, path)) return false;
    p.kept_array_values += n;
    kv.integers.reserve(n);
    GgufKeyValue one;
    one.type = kv.array_type;
    for (uint64_t i = 0; i < n; ++i) {
      one.integer.reset();
      if (!p.scalar(kv.array_type, one, path)) return false;
      if (!one.integer) {  // a uint64 past int64: keep none rather than a partial list
        kv.integers.clear();
        return p.skip(size * (n - i - 1), path);
      }
      kv.integers.push_back(*one.integer);
    }
    return true;
  }
  return p.skip(size * n, path);  // n <= 2^30, size <= 8: no overflow
}

std::string kv_path(const std::string& key) {
  return "/gguf/metadata/" + json_io::escape_pointer_token(key);
}

// A non-negative integer hyperparameter: 0 when absent, the first entry of a per-layer array.
bool hyper(Parser& p, const GgufHeader& h, const std::string& key, int64_t& out) {
  const GgufKeyValue* kv = h.find(key);
  if (!kv) return true;
  int64_t v = 0;
  if (kv->type == GgufValueType::array && is_integer(kv->array_type)) {
    if (kv->integers.empty()) return true;
    v = *std::max_element(kv->integers.begin(), kv->integers.end());
  } else if (is_integer(kv->type) && kv->integer) {
    v = *kv->integer;
  } else {
    return p.fail(kv_path(key), "wrong_type",
                  std::string("must be an integer, found ") + type_label(kv->type));
  }
  if (v < 0) {
    return p.fail(kv_path(key), "out_of_range",
                  "must be >= 0, found " + std::to_string(v));
  }
  out = v;
  return true;
}

bool read_metadata(Parser& p, uint64_t count, GgufHeader& h) {
  for (uint64_t i = 0; i < count; ++i) {
    const std::string at = "/gguf/metadata/" + std::to_string(i);
    GgufKeyValue kv;
    if (!p.string(kGgufMaxKeyBytes, &kv.key, kGgufMaxKeyBytes, at + "/key")) return false;
    if (kv.key.empty()) return p.fail(at + "/key", "empty_key", "metadata key " + std::to_string(i) + " is empty");
    const std::string path = kv_path(kv.key);
    uint32_t t = 0;
    if (!p.u32(t, path + "/type")) return false;
    if (t > 12) {
      return p.fail(path + "/type", "unknown_value_type",
                    "value type must be 0..12, found " + std::to_string(t));
    }
    kv.type = static_cast<GgufValueType>(t);
    if (!read_value(p, kv, path + "/value")) return false;
    h.metadata.push_back(std::move(kv));
  }
  // Duplicate keys make the file ambiguous (gguf.cpp rejects them as well).
  std::vector<const std::string*> keys;
  keys.reserve(h.metadata.size());
  for (const auto& kv : h.metadata) keys.push_back(&kv.key);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  for (size_t i = 1; i < keys.size(); ++i) {
    if (*keys[i] == *keys[i - 1])
      return p.fail(kv_path(*keys[i]), "duplicate_key", "key \"" + *keys[i] + "\" appears twice");
  }
  return true;
}

bool read_tensor_infos(Parser& p, uint64_t count, GgufHeader& h) {
  for (uint64_t i = 0; i < count; ++i) {
    const std::string at = "/gguf/tensors/" + std::to_string(i);
    GgufTensorInfo ti;
    uint64_t name_len = 0;
    if (!p.string(kGgufMaxStringBytes, &ti.name, kGgufMaxTensorNameBytes, at + "/name", &name_len))
      return false;
    if (name_len > kGgufMaxTensorNameBytes) {
      return p.fail(at + "/name", "too_long",
                    "tensor name of " + std::to_string(name_len) + " bytes; ggml allows " +
                        std::to_string(kGgufMaxTensorNameBytes));
    }
    uint32_t n_dims = 0;
    if (!p.u32(n_dims, at + "/n_dims")) return false;
    if (n_dims > static_cast<uint32_t>(kGgufMaxDims)) {
      return p.fail(at + "/n_dims", "too_many_dims",
                    "tensor '" + ti.name + "' has " + std::to_string(n_dims) +
                        " dimensions; ggml allows " + std::to_string(kGgufMaxDims));
    }
    for (uint32_t d = 0; d < n_dims; ++d) {
      uint64_t ne = 0;
      if (!p.u64(ne, at + "/dims/" + std::to_string(d))) return false;
      if (ne > static_cast<uint64_t>(kInt64Max)) {
        return p.fail(at + "/dims/" + std::to_string(d), "out_of_range",
                      "tensor '" + ti.name + "' dimension " + std::to_string(d) + " is " +
                          std::to_string(ne) + ", past int64");
      }
      ti.dims.push_back(static_cast<int64_t>(ne));
    }
    if (!p.u32(ti.type, at + "/type")) return false;
    if (!p.u64(ti.offset, at + "/offset")) return false;
    const gguf::TypeInfo* type = gguf::find_type(static_cast<int>(std::min<uint32_t>(ti.type, 1u << 20)));
    if (!type) {
      return p.fail(at + "/type", "unknown_tensor_type",
                    "tensor '" + ti.name + "' has ggml type " + std::to_string(ti.type) +
                        ", which is not in the type table (core/data/gguf_types.json)");
    }
    const auto bytes = gguf::tensor_bytes(*type, ti.dims);
    int64_t elements = 1;
    bool elements_ok = true;
    for (int64_t ne : ti.dims) {
      if (ne > 0 && elements > kInt64Max / ne) elements_ok = false;
      if (elements_ok) elements *= ne;
    }
    if (!bytes || !elements_ok) {
      std::string shape;
      for (size_t d = 0; d < ti.dims.size(); ++d) shape += (d ? " x " : "") + std::to_string(ti.dims[d]);
      return p.fail(at + "/dims", "bad_shape",
                    "tensor '" + ti.name + "' of type " + type->name + " has shape [" + shape +
                        "]: its row length must be a multiple of " +
                        std::to_string(type->block_elements) + " and its size must fit in int64");
    }
    ti.bytes = *bytes;
    if (h.weight_bytes > kInt64Max - ti.bytes || h.weight_elements > kInt64Max - elements) {
      return p.fail(at, "out_of_range", "the tensors' total size does not fit in int64");
    }
    h.weight_bytes += ti.bytes;
    h.weight_elements += elements;
    h.tensors.push_back(std::move(ti));
  }
  std::vector<const std::string*> names;
  names.reserve(h.tensors.size());
  for (const auto& t : h.tensors) names.push_back(&t.name);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });
  for (size_t i = 1; i < names.size(); ++i) {
    if (*names[i] == *names[i - 1])
      return p.fail("/gguf/tensors", "duplicate_tensor", "tensor '" + *names[i] + "' appears twice");
  }
  return true;
}

bool finish(Parser& p, GgufHeader& h, uint64_t file_size) {
  if (const GgufKeyValue* a = h.find("general.alignment")) {
    if (a->type != GgufValueType::u32 || !a->integer || *a->integer == 0 ||
        (*a->integer & (*a->integer - 1)) != 0) {
      return p.fail(kv_path("general.alignment"), "bad_alignment",
                    "must be a uint32 power of two, found " + std::string(type_label(a->type)) +
                        (a->integer ? " " + std::to_string(*a->integer) : ""));
    }
    h.alignment = static_cast<uint32_t>(*a->integer);
  }
  h.header_bytes = p.pos();
  h.data_offset = (h.header_bytes + h.alignment - 1) / h.alignment * h.alignment;
  for (size_t i = 0; i < h.tensors.size(); ++i) {
    const GgufTensorInfo& t = h.tensors[i];
    const std::string at = "/gguf/tensors/" + std::to_string(i) + "/offset";
    if (t.offset % h.alignment != 0) {
      return p.fail(at, "misaligned",
                    "tensor '" + t.name + "' starts at data offset " + std::to_string(t.offset) +
                        ", not a multiple of the alignment " + std::to_string(h.alignment));
    }
    const uint64_t room = file_size > h.data_offset ? file_size - h.data_offset : 0;
    if (file_size > 0 && (t.offset > room || static_cast<uint64_t>(t.bytes) > room - t.offset)) {
      return p.fail(at, "out_of_file",
                    "tensor '" + t.name + "' (" + std::to_string(t.bytes) + " bytes at data offset " +
                        std::to_string(t.offset) + ") ends past the end of the " +
                        std::to_string(file_size) + "-byte file");
    }
  }

  const GgufKeyValue* arch = h.find("general.architecture");
  if (!arch) {
    return p.fail(kv_path("general.architecture"), "missing_key",
                  "a model file names its architecture; this one does not");
  }
  if (arch->type != GgufValueType::string || !arch->text || arch->text->empty()) {
    return p.fail(kv_path("general.architecture"), "wrong_type",
                  std::string("must be a non-empty string, found ") + type_label(arch->type));
  }
  h.architecture = *arch->text;
  if (const GgufKeyValue* n = h.find("general.name"); n && n->text) h.name = *n->text;
  if (const GgufKeyValue* f = h.find("general.file_type"); f && f->integer) h.file_type = *f->integer;
  const std::string& a = h.architecture;
  if (!hyper(p, h, a + ".context_length", h.context_length) ||
      !hyper(p, h, a + ".block_count", h.block_count) ||
      !hyper(p, h, a + ".embedding_length", h.embedding_length) ||
      !hyper(p, h, a + ".feed_forward_length", h.feed_forward_length) ||
      !hyper(p, h, a + ".attention.head_count", h.head_count) ||
      !hyper(p, h, a + ".attention.head_count_kv", h.head_count_kv) ||
      !hyper(p, h, a + ".expert_count", h.expert_count) ||
      !hyper(p, h, a + ".expert_used_count", h.expert_used_count) ||
      !hyper(p, h, a + ".vocab_size", h.vocab_size)) {
    return false;
  }
  if (h.vocab_size == 0) {
    if (const GgufKeyValue* t = h.find("tokenizer.ggml.tokens");
        t && t->type == GgufValueType::array)
      h.vocab_size = t->array_length;
  }
  return true;
}

}  // namespace

const GgufKeyValue* GgufHeader::find(std::string_view key) const {
  for (const auto& kv : metadata)
    if (kv.key == key) return &kv;
  return nullptr;
}

GgufRead read_gguf_header(std::span<const uint8_t> bytes, uint64_t file_size) {
  GgufRead out;
  Parser p(bytes, file_size, out);
  if (file_size > 0 && file_size < 4) {
    p.fail("/gguf/magic", "not_gguf",
           "a GGUF file starts with the 4 bytes 'GGUF'; this file has only " +
               std::to_string(file_size) + " bytes");
    return out;
  }
  if (!p.have(4, "/gguf/magic")) return out;
  if (std::memcmp(p.at(0), "GGUF", 4) != 0) {
    std::string shown;
    for (int i = 0; i < 4; ++i) {
      const uint8_t c = *p.at(i);
      shown += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
    }
    p.fail("/gguf/magic", "not_gguf",
           "a GGUF file starts with 'GGUF' (47 47 55 46); this one starts with '" + shown +
               "' (" + hex_bytes(p.at(0), 4) + ")");
    return out;
  }
  (void)p.skip(4, "/gguf/magic");
  GgufHeader h;
  if (!p.u32(h.version, "/gguf/version")) return out;
  if (h.version != 2 && h.version != 3) {
    if ((h.version & 0xFFFFu) == 0 && (h.version >> 16) != 0) {
      p.fail("/gguf/version", "big_endian",
             "the version reads as " + std::to_string(h.version) +
                 ": a big-endian GGUF, which this reader does not support");
    } else if (h.version == 1) {
      p.fail("/gguf/version", "unsupported_version",
             "GGUF version 1 (32-bit counts, 2023) is no longer read; convert the file again");
    } else {
      p.fail("/gguf/version", "unsupported_version",
             "supported GGUF versions are 2 and 3, found " + std::to_string(h.version));
    }
    return out;
  }
  uint64_t n_tensors = 0, n_kv = 0;
  if (!p.u64(n_tensors, "/gguf/tensor_count") || !p.u64(n_kv, "/gguf/metadata_count")) return out;
  if (n_tensors > kGgufMaxTensors) {
    p.fail("/gguf/tensor_count", "too_many",
           std::to_string(n_tensors) + " tensors; the limit is " + std::to_string(kGgufMaxTensors));
    return out;
  }
  if (n_kv > kGgufMaxKeyValues) {
    p.fail("/gguf/metadata_count", "too_many",
           std::to_string(n_kv) + " metadata entries; the limit is " +
               std::to_string(kGgufMaxKeyValues));
    return out;
  }
  if (!read_metadata(p, n_kv, h) || !read_tensor_infos(p, n_tensors, h) || !finish(p, h, file_size))
    return out;
  out.header = std::move(h);
  return out;
}

}  // namespace llmcalc
