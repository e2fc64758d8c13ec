// A GGUF header -> a model object -> a scenario -> weights equal to the file's tensor bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gguf_builder.hpp"
#include "llmcalc/api.hpp"
#include "model/gguf_types.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

struct Built {
  std::vector<uint8_t> bytes;
  int64_t tensor_bytes = 0;  // sum of every tensor's exact bytes
};

// A 2-layer Llama-style Q4_K_M file: hidden 256, 4 heads, 2 KV heads (head_dim 64), FFN 512,
// vocab 32, untied output.
Built tiny_llama() {
  struct T {
    std::string name;
    std::vector<uint64_t> dims;
    const char* type;
  };
  std::vector<T> ts = {{"token_embd.weight", {256, 32}, "Q4_K"},
                       {"output_norm.weight", {256}, "F32"},
                       {"output.weight", {256, 32}, "Q6_K"}};
  for (int i = 0; i < 2; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    ts.push_back({b + "attn_norm.weight", {256}, "F32"});
    ts.push_back({b + "attn_q.weight", {256, 256}, "Q4_K"});
    ts.push_back({b + "attn_k.weight", {256, 128}, "Q4_K"});
    ts.push_back({b + "attn_v.weight", {256, 128}, "Q6_K"});
    ts.push_back({b + "attn_output.weight", {256, 256}, "Q4_K"});
    ts.push_back({b + "ffn_norm.weight", {256}, "F32"});
    ts.push_back({b + "ffn_gate.weight", {256, 512}, "Q4_K"});
    ts.push_back({b + "ffn_up.weight", {256, 512}, "Q4_K"});
    ts.push_back({b + "ffn_down.weight", {512, 256}, "Q6_K"});
  }
  GgufBuilder g;
  g.header(ts.size(), 9)
      .kv_str("general.architecture", "llama")
      .kv_str("general.name", "tiny llama")
      .kv_u32("general.file_type", 15)  // LLAMA_FTYPE_MOSTLY_Q4_K_M
      .kv_u32("llama.context_length", 4096)
      .kv_u32("llama.block_count", 2)
      .kv_u32("llama.embedding_length", 256)
      .kv_u32("llama.feed_forward_length", 512)
      .kv_u32("llama.attention.head_count", 4)
      .kv_u32("llama.attention.head_count_kv", 2);
  Built out;
  uint64_t offset = 0;
  for (const auto& t : ts) {
    const gguf::TypeInfo* info = gguf::find_type(t.type);
    std::vector<int64_t> d(t.dims.begin(), t.dims.end());
    const int64_t bytes = gguf::tensor_bytes(*info, d).value();
    g.tensor(t.name, t.dims, static_cast<uint32_t>(info->id), offset);
    out.tensor_bytes += bytes;
    offset += (static_cast<uint64_t>(bytes) + 31) / 32 * 32;  // GGUF_DEFAULT_ALIGNMENT
  }
  out.bytes = g.b;
  return out;
}

std::string as_text(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

TEST(GgufImport, HeaderToModelToExactWeights) {
  const Built f = tiny_llama();
  const json r = json::parse(import_gguf_json(as_text(f.bytes), 0));
  ASSERT_TRUE(r["ok"].get<bool>()) << r.dump();
  const json& m = r["model"];
  EXPECT_EQ(m["name"], "tiny llama");
  EXPECT_EQ(m["gguf"]["file_type"], "Q4_K_M");
  const json& a = m["architecture"];
  EXPECT_EQ(a["hidden_size"], 256);
  EXPECT_EQ(a["num_layers"], 2);
  EXPECT_EQ(a["num_heads"], 4);
  EXPECT_EQ(a["num_kv_heads"], 2);
  EXPECT_EQ(a["head_dim"], 64);
  EXPECT_EQ(a["intermediate_size"], 512);
  EXPECT_EQ(a["vocab_size"], 32);
  EXPECT_EQ(a["tie_word_embeddings"], false);
  EXPECT_EQ(r["gguf"]["weight_bytes"], f.tensor_bytes);

  // The model object goes into a scenario as is; the weights are the file's bytes.
  const json scenario = {{"model", m}};
  const Report rep = run(scenario.dump());
  EXPECT_EQ(item(rep, "weights"), static_cast<double>(f.tensor_bytes));
  // Hand sum: Q4_K 256 x (32 + 2 x (256 + 128 + 256 + 512 + 512)) = 860,160 elements x 144/256
  // = 483,840 B; Q6_K 256 x (32 + 2 x (128 + 512)) = 335,872 x 210/256 = 275,520 B;
  // F32 5 x 256 = 1,280 x 4 = 5,120 B. Total 764,480 B.
  EXPECT_EQ(f.tensor_bytes, 764480);
  // Parameter count from the architecture equals the file's elements.
  EXPECT_EQ(rep.params.total, 860160 + 335872 + 1280);

  // Re-quantizing the same architecture: precision.weights given wins over the file.
  json what_if = scenario;
  what_if["precision"] = {{"weights", "Q8_0"}};
  EXPECT_NE(item(run(what_if.dump()), "weights"), static_cast<double>(f.tensor_bytes));
}

TEST(GgufImport, TruncatedHeaderAsksForMoreBytes) {
  const Built f = tiny_llama();
  const std::string part = as_text(f.bytes).substr(0, f.bytes.size() / 2);
  const json r = json::parse(import_gguf_json(part, 0));
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_GT(r["need_bytes"].get<double>(), static_cast<double>(part.size()));
  EXPECT_EQ(r["errors"][0]["code"], "truncated");
}

TEST(GgufImport, NotGgufAndBadScenarioInputNameTheField) {
  json r = json::parse(import_gguf_json("PK\x03\x04 this is a zip file", 0));
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_EQ(r["errors"][0]["path"], "/gguf/magic");
  EXPECT_EQ(r["errors"][0]["code"], "not_gguf");
  r = json::parse(import_gguf_json("", -1));
  EXPECT_EQ(r["errors"][0]["path"], "/file_size");

  const Built f = tiny_llama();
  json m = json::parse(import_gguf_json(as_text(f.bytes), 0))["model"];
  m["gguf"]["tensor_types"]["Q4_K"] = 100;  // not a whole number of 256-element blocks
  Errors e = errors_of(json{{"model", m}}.dump());
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/model/gguf/tensor_types/Q4_K");
  m["gguf"]["tensor_types"] = {{"Q9_Z", 256}};
  e = errors_of(json{{"model", m}}.dump());
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].path, "/model/gguf/tensor_types/Q9_Z");
  EXPECT_EQ(e[0].code, "unknown_value");
}

}  // namespace
}  // namespace llmcalc::test
