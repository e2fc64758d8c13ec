// The GGUF header reader on hand-built files: a complete header, every truncation of it,
// files that are not GGUF, and hostile headers that must fail fast with a named field.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gguf_builder.hpp"
#include "model/gguf_reader.hpp"

namespace llmcalc::test {
namespace {

// A small Llama-style header: 11 metadata entries of most value types, 3 tensors.
std::vector<uint8_t> llama_header(uint32_t version = 3) {
  GgufBuilder g;
  g.header(3, 11, version)
      .kv_str("general.architecture", "llama")
      .kv_str("general.name", "tiny test")
      .kv_u32("general.file_type", 15)
      .kv_u32("llama.context_length", 8192)
      .kv_u32("llama.block_count", 2)
      .kv_u64("llama.embedding_length", 256)
      .kv_u32("llama.feed_forward_length", 512)
      .kv_i32s("llama.attention.head_count", {4, 4})
      .kv_f32("llama.rope.freq_base", 500000.0f)
      .kv_bool("tokenizer.ggml.add_bos_token", true)
      .kv_strings("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b", "c"});
  // Q4_K [256, 5]: 1 block x 144 B x 5 rows = 720 B; F32 [256] = 1024 B; Q8_0 [64, 3]:
  // 2 blocks x 34 B x 3 rows = 204 B. Total 1948 B.
  g.tensor("token_embd.weight", {256, 5}, 12, 0)
      .tensor("output_norm.weight", {256}, 0, 736)
      .tensor("blk.0.attn_k.weight", {64, 3}, 8, 1760);
  return g.b;
}

GgufRead parse(const std::vector<uint8_t>& b, uint64_t file_size = 0) {
  return read_gguf_header(std::span<const uint8_t>(b.data(), b.size()), file_size);
}

std::string first_code(const GgufRead& r) { return r.errors.empty() ? "" : r.errors[0].code; }
std::string first_path(const GgufRead& r) { return r.errors.empty() ? "" : r.errors[0].path; }

TEST(GgufReader, ReadsACompleteHeader) {
  for (uint32_t version : {2u, 3u}) {
    const auto bytes = llama_header(version);
    const GgufRead r = parse(bytes);
    ASSERT_TRUE(r.header) << first_path(r) << " " << first_code(r);
    const GgufHeader& h = *r.header;
    EXPECT_EQ(h.version, version);
    EXPECT_EQ(h.architecture, "llama");
    EXPECT_EQ(h.name, "tiny test");
    EXPECT_EQ(h.file_type, 15);
    EXPECT_EQ(h.context_length, 8192);
    EXPECT_EQ(h.block_count, 2);
    EXPECT_EQ(h.embedding_length, 256);
    EXPECT_EQ(h.feed_forward_length, 512);
    EXPECT_EQ(h.head_count, 4);      // from a per-layer array
    EXPECT_EQ(h.head_count_kv, 0);   // absent
    EXPECT_EQ(h.vocab_size, 5);      // length of tokenizer.ggml.tokens
    ASSERT_EQ(h.tensors.size(), 3u);
    EXPECT_EQ(h.tensors[0].name, "token_embd.weight");
    EXPECT_EQ(h.tensors[0].dims, (std::vector<int64_t>{256, 5}));
    EXPECT_EQ(h.tensors[0].bytes, 720);
    EXPECT_EQ(h.tensors[1].bytes, 1024);
    EXPECT_EQ(h.tensors[2].bytes, 204);
    EXPECT_EQ(h.weight_bytes, 1948);
    EXPECT_EQ(h.weight_elements, 256 * 5 + 256 + 64 * 3);
    EXPECT_EQ(h.header_bytes, bytes.size());
    EXPECT_EQ(h.data_offset % 32, 0u);
    EXPECT_LT(h.data_offset - h.header_bytes, 32u);
    const GgufKeyValue* base = h.find("llama.rope.freq_base");
    ASSERT_NE(base, nullptr);
    EXPECT_EQ(base->number, 500000.0);
    EXPECT_EQ(h.find("tokenizer.ggml.add_bos_token")->integer, 1);
    EXPECT_EQ(h.find("tokenizer.ggml.tokens")->array_length, 5);
  }
}

TEST(GgufReader, EveryTruncationAsksForMoreBytes) {
  const auto full = llama_header();
  for (size_t n = 0; n < full.size(); ++n) {
    const std::vector<uint8_t> part(full.begin(), full.begin() + n);
    const GgufRead r = parse(part);
    ASSERT_FALSE(r.header) << n;
    ASSERT_EQ(first_code(r), "truncated") << n;
    EXPECT_GT(r.need_bytes, n) << n;
    EXPECT_LE(r.need_bytes, full.size()) << n;
  }
  // Growing the slice to what the reader asks for reaches the full header.
  size_t have = 16, rounds = 0;
  for (;;) {
    const GgufRead r = parse(std::vector<uint8_t>(full.begin(), full.begin() + have));
    if (r.header) break;
    ASSERT_GT(r.need_bytes, have);
    have = r.need_bytes;
    ASSERT_LT(++rounds, 200u);
  }
}

TEST(GgufReader, TruncatedFileIsNotATruncatedSlice) {
  const auto full = llama_header();
  const std::vector<uint8_t> part(full.begin(), full.begin() + 100);
  const GgufRead r = parse(part, /*file_size=*/100);
  EXPECT_EQ(first_code(r), "truncated_file");
  EXPECT_EQ(r.need_bytes, 0u);
}

TEST(GgufReader, RejectsFilesThatAreNotGguf) {
  const std::vector<uint8_t> zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0};
  GgufRead r = parse(zip);
  EXPECT_EQ(first_path(r), "/gguf/magic");
  EXPECT_EQ(first_code(r), "not_gguf");
  EXPECT_NE(r.errors[0].message.find("50 4B 03 04"), std::string::npos) << r.errors[0].message;
  // A safetensors file starts with an 8-byte header length, then '{'.
  GgufBuilder st;
  st.u64(120).raw("{\"__metadata__\":{}}");
  EXPECT_EQ(first_code(parse(st.b)), "not_gguf");
  EXPECT_EQ(first_code(parse({}, 2)), "not_gguf");
}

TEST(GgufReader, RejectsUnsupportedVersions) {
  GgufBuilder v1, v9, be;
  v1.header(0, 0, 1);
  v9.header(0, 0, 9);
  be.raw("GGUF").u32(0x03000000u).u64(0).u64(0);
  EXPECT_EQ(first_code(parse(v1.b)), "unsupported_version");
  EXPECT_EQ(first_code(parse(v9.b)), "unsupported_version");
  EXPECT_EQ(first_code(parse(be.b)), "big_endian");
  EXPECT_EQ(first_path(parse(be.b)), "/gguf/version");
}

TEST(GgufReader, HostileCountsAndLengthsFailFast) {
  GgufBuilder many_tensors, many_kvs, long_key, long_string, long_array, nested, bad_vtype;
  many_tensors.header(uint64_t{1} << 40, 0);
  EXPECT_EQ(first_path(parse(many_tensors.b)), "/gguf/tensor_count");
  EXPECT_EQ(first_code(parse(many_tensors.b)), "too_many");
  many_kvs.header(0, ~uint64_t{0});
  EXPECT_EQ(first_code(parse(many_kvs.b)), "too_many");
  long_key.header(0, 1).u64(uint64_t{1} << 62);
  EXPECT_EQ(first_code(parse(long_key.b)), "too_long");
  EXPECT_EQ(first_path(parse(long_key.b)), "/gguf/metadata/0/key");
  long_string.header(0, 1).str("general.name").u32(8).u64(~uint64_t{0});
  EXPECT_EQ(first_path(parse(long_string.b)), "/gguf/metadata/general.name/value");
  EXPECT_EQ(first_code(parse(long_string.b)), "too_long");
  long_array.header(0, 1).str("tokenizer.ggml.scores").u32(9).u32(6).u64(uint64_t{1} << 50);
  EXPECT_EQ(first_code(parse(long_array.b)), "too_long");
  nested.header(0, 1).str("x").u32(9).u32(9).u64(1);
  EXPECT_EQ(first_code(parse(nested.b)), "nested_array");
  bad_vtype.header(0, 1).str("x").u32(13);
  EXPECT_EQ(first_code(parse(bad_vtype.b)), "unknown_value_type");
  EXPECT_EQ(first_path(parse(bad_vtype.b)), "/gguf/metadata/x/type");
}

TEST(GgufReader, HugeDeclaredArraysStopAtTheBytesGiven) {
  // 2^30 strings claimed, 3 present: the reader walks what is there and asks for more.
  GgufBuilder g;
  g.header(0, 1).str("tokenizer.ggml.tokens").u32(9).u32(8).u64(uint64_t{1} << 30);
  g.str("a").str("b").str("c");
  GgufRead r = parse(g.b);
  EXPECT_EQ(first_code(r), "truncated");
  EXPECT_EQ(r.need_bytes, g.b.size() + 8);
  // Told the file is this short, it is a broken file instead.
  EXPECT_EQ(first_code(parse(g.b, g.b.size())), "truncated_file");
}

GgufBuilder with_arch(uint64_t tensors) {
  GgufBuilder g;
  g.header(tensors, 1).kv_str("general.architecture", "llama");
  return g;
}

TEST(GgufReader, BadTensorInfosNameTheField) {
  GgufBuilder unknown = with_arch(1), dims = with_arch(1), shape = with_arch(1), name = with_arch(1),
              dup = with_arch(2), misaligned = with_arch(1), overflow = with_arch(1);
  unknown.tensor("a.weight", {32}, 99, 0);
  EXPECT_EQ(first_code(parse(unknown.b)), "unknown_tensor_type");
  EXPECT_EQ(first_path(parse(unknown.b)), "/gguf/tensors/0/type");
  dims.str("a.weight").u32(5);
  EXPECT_EQ(first_code(parse(dims.b)), "too_many_dims");
  shape.tensor("a.weight", {100, 2}, 12, 0);  // Q4_K rows must be multiples of 256
  EXPECT_EQ(first_code(parse(shape.b)), "bad_shape");
  EXPECT_EQ(first_path(parse(shape.b)), "/gguf/tensors/0/dims");
  name.tensor(std::string(64, 'x'), {32}, 0, 0);
  EXPECT_EQ(first_code(parse(name.b)), "too_long");
  dup.tensor("a.weight", {32}, 0, 0).tensor("a.weight", {32}, 0, 128);
  EXPECT_EQ(first_code(parse(dup.b)), "duplicate_tensor");
  misaligned.tensor("a.weight", {32}, 0, 4);
  EXPECT_EQ(first_code(parse(misaligned.b)), "misaligned");
  overflow.tensor("a.weight", {uint64_t{1} << 40, uint64_t{1} << 40}, 0, 0);
  EXPECT_EQ(first_code(parse(overflow.b)), "bad_shape");
}

TEST(GgufReader, TensorsMustLieInTheFile) {
  const auto bytes = llama_header();
  const uint64_t data = (bytes.size() + 31) / 32 * 32;
  // The last tensor ends at data offset 1760 + 204 = 1964.
  EXPECT_TRUE(parse(bytes, data + 1964).header);
  const GgufRead r = parse(bytes, data + 1963);
  EXPECT_EQ(first_code(r), "out_of_file");
  EXPECT_EQ(first_path(r), "/gguf/tensors/2/offset");
}

TEST(GgufReader, BadMetadataNamesTheKey) {
  GgufBuilder none, wrong, dup, ctx, align;
  none.header(0, 1).kv_u32("llama.block_count", 2);
  EXPECT_EQ(first_code(parse(none.b)), "missing_key");
  EXPECT_EQ(first_path(parse(none.b)), "/gguf/metadata/general.architecture");
  wrong.header(0, 1).kv_u32("general.architecture", 2);
  EXPECT_EQ(first_code(parse(wrong.b)), "wrong_type");
  dup.header(0, 2).kv_str("general.architecture", "llama").kv_str("general.architecture", "qwen2");
  EXPECT_EQ(first_code(parse(dup.b)), "duplicate_key");
  ctx.header(0, 2).kv_str("general.architecture", "llama").kv_str("llama.context_length", "8k");
  EXPECT_EQ(first_code(parse(ctx.b)), "wrong_type");
  EXPECT_EQ(first_path(parse(ctx.b)), "/gguf/metadata/llama.context_length");
  align.header(0, 2).kv_str("general.architecture", "llama").kv_u32("general.alignment", 24);
  EXPECT_EQ(first_code(parse(align.b)), "bad_alignment");
}

TEST(GgufReader, AlignmentMovesTheDataSection) {
  GgufBuilder g;
  g.header(1, 2).kv_str("general.architecture", "llama").kv_u32("general.alignment", 64);
  g.tensor("a.weight", {16}, 0, 0);
  const GgufRead r = parse(g.b);
  ASSERT_TRUE(r.header) << first_code(r);
  EXPECT_EQ(r.header->alignment, 64u);
  EXPECT_EQ(r.header->data_offset % 64, 0u);
}

}  // namespace
}  // namespace llmcalc::test
