// Engine profiles: the data loads, bad input names its field, and each mechanism's numbers
// follow from the profile's constants (hand-derived below).
#include <gtest/gtest.h>

#include <cmath>

#include "llmcalc/api.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/engine.hpp"
#include "data/embedded_data.hpp"
#include "json/json_reader.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

bool has_error(const Errors& es, const std::string& path, const std::string& code) {
  for (const auto& e : es)
    if (e.path == path && e.code == code) return true;
  return false;
}

bool has_note(const Report& r, const std::string& part) {
  for (const auto& n : r.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

TEST(Engines, ProfilesLoadWithEveryConstantCited) {
  for (const auto& e : engine_errors()) ADD_FAILURE() << e.path << " " << e.code << ": " << e.message;
  for (const char* id : {"generic", "vllm", "vllm-v0", "sglang", "tensorrt-llm", "llama.cpp", "ollama",
                         "transformers", "torchtune", "deepspeed", "megatron", "gpt-fast"}) {
    const EngineProfile* p = find_engine(id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_FALSE(p->sources.empty()) << id;
    for (const auto& [key, source] : p->sources) EXPECT_FALSE(source.empty()) << id << " " << key;
  }
  // The option table is indexed by the enum.
  for (size_t i = 0; i < engine_options().size(); ++i)
    EXPECT_EQ(static_cast<size_t>(engine_options()[i].option), i);
  // Ollama inherits llama.cpp's compute-buffer constant and sets its own num_ctx.
  EXPECT_EQ(find_engine("ollama")->compute_buffer_other_bytes,
            find_engine("llama.cpp")->compute_buffer_other_bytes);
  EXPECT_EQ(find_engine("ollama")->options.get(EngineOption::num_ctx), 2048);
}

TEST(Engines, GenericNamedOrNotGivesTheSameReport) {
  const std::string body = R"("model":"llama-3-8b","workload":{"batch":4,"prompt":2048,"generate":256})";
  const Report a = run("{" + body + "}");
  const Report b = run(R"({"engine":"generic",)" + body + "}");
  EXPECT_EQ(a.memory.total_bytes, b.memory.total_bytes);
  EXPECT_EQ(a.latency.end_to_end_s, b.latency.end_to_end_s);
  EXPECT_EQ(estimate_json(R"({)" + body + "}"), estimate_json(R"({"engine":"generic",)" + body + "}"));
}

TEST(Engines, BadInputNamesTheField) {
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-3-8b","engine":"vlm"})"), "/engine", "unknown_preset"));
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-3-8b","engine":"llama.cpp",
      "engine_options":{"gpu_memory_utilization":0.9}})"),
                        "/engine_options/gpu_memory_utilization", "unknown_field"));
  for (const char* bad : {"0", "1.5", "-0.1"})
    EXPECT_TRUE(has_error(errors_of(std::string(R"({"model":"llama-3-8b","engine":"vllm",
        "engine_options":{"gpu_memory_utilization":)") + bad + "}}"),
                          "/engine_options/gpu_memory_utilization", "out_of_range"))
        << bad;
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-3-8b","engine":"llama.cpp",
      "engine_options":{"kv_cache_type":"q3_k"}})"),
                        "/engine_options/kv_cache_type", "unknown_value"));
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-3-8b","engine":"vllm","engine_options":3})"),
                        "/engine_options", "wrong_type"));
  // W8A8 needs 8-bit weights too.
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-3-8b","precision":{"activations":"fp8"}})"),
                        "/precision/activations", "inconsistent"));
}

TEST(Engines, AnEngineThatCannotRunTheScenarioSaysSo) {
  const Report amd = run(R"({"model":"llama-3-8b","engine":"tensorrt-llm","hardware":{"gpu":"mi300x"}})");
  EXPECT_FALSE(amd.engine.active);
  EXPECT_EQ(amd.engine.kv_pool_bytes, 0);
  EXPECT_TRUE(has_note(amd, "does not run on amd GPUs"));
  const Report train = run(R"({"model":"llama-3-8b","engine":"vllm","mode":"training"})");
  EXPECT_FALSE(train.engine.active);
  EXPECT_TRUE(has_note(train, "does not run training"));
  const Report zero = run(R"({"model":"llama-3-8b","engine":"llama.cpp","mode":"training",
      "training":{"zero_stage":3},"parallelism":{"dp":2}})");
  EXPECT_FALSE(zero.engine.active);
  // The JSON block says so too, with no pool figures.
  const std::string j = estimate_json(R"({"model":"llama-3-8b","engine":"tensorrt-llm","hardware":{"gpu":"mi300x"}})");
  EXPECT_NE(j.find(R"("active":false)"), std::string::npos);
  EXPECT_EQ(j.find("kv_pool"), std::string::npos);
}

// With load_mtp the command runs the MTP layers as vLLM's speculative draft; k defaults to the
// model's MTP layers (DeepSeek-V3: 1) and follows /options/speculative_tokens.
TEST(Engines, VllmCommandLoadsTheMtpDraft) {
  const std::string base = R"({"model":"deepseek-v3","engine":"vllm","parallelism":{"tp":8},
      "workload":{"prompt":8000,"generate":192},"options":{"load_mtp":)";
  const std::string flag = R"( --speculative-config '{"method":"mtp","num_speculative_tokens":)";
  const Report on = run(base + "true}}");
  EXPECT_NE(on.engine.command.find(flag + "1}'"), std::string::npos) << on.engine.command;
  const Report k2 = run(base + R"(true,"speculative_tokens":2}})");
  EXPECT_NE(k2.engine.command.find(flag + "2}'"), std::string::npos) << k2.engine.command;
  const Report off = run(base + "false}}");
  EXPECT_EQ(off.engine.command.find("--speculative-config"), std::string::npos) << off.engine.command;
  // A model without MTP layers: nothing to draft with.
  const Report none = run(R"({"model":"llama-3-8b","engine":"vllm","options":{"load_mtp":true}})");
  EXPECT_EQ(none.engine.command.find("--speculative-config"), std::string::npos);
}

// vLLM 0.9.0 and earlier (vllm-v0): pool = utilization x total - weights - non-torch - profile
// peak. Llama-3-8B on an H100 SXM (85,520,809,984 B): weights 8,030,261,248 x 2 B; non-torch
// 1.79 GiB at TP1.
TEST(Engines, VllmV0PoolFollowsUtilization) {
  const std::string base = R"({"model":"llama-3-8b","engine":"vllm-v0","workload":{"prompt":8000,"generate":192},
      "engine_options":{"gpu_memory_utilization":)";
  const Report r9 = run(base + "0.9}}");
  const Report r5 = run(base + "0.5}}");
  ASSERT_TRUE(r9.engine.has_pool);
  // Only the utilization term differs: 0.4 x total.
  EXPECT_NEAR(r9.engine.kv_pool_bytes - r5.engine.kv_pool_bytes, 0.4 * 85520809984.0, 1.0);
  const double weights = 8030261248.0 * 2;
  EXPECT_NEAR(r9.engine.kv_pool_bytes,
              0.9 * 85520809984.0 - weights - 1921997865.0 - r9.engine.profile_peak_bytes, 1.0);
  // The sampling step dominates the 8192-token profile: 256 rows x 128256 vocab x 41.21 B.
  EXPECT_NEAR(r9.engine.profile_peak_bytes, 256.0 * 128256 * 41.21, 1.0);
  // 16-token blocks of 32 layers x 2 x 8 kv heads x 128 x 2 B = 131072 B per token.
  EXPECT_EQ(r9.engine.kv_bytes_per_token, 131072.0);
  EXPECT_EQ(r9.engine.kv_pool_blocks, int64_t(std::floor(r9.engine.kv_pool_bytes / (16 * 131072.0))));
  EXPECT_EQ(r9.engine.kv_pool_tokens, r9.engine.kv_pool_blocks * 16);
  EXPECT_EQ(r9.engine.max_model_len, 8192);
  EXPECT_DOUBLE_EQ(r9.engine.max_concurrent_sequences, double(r9.engine.kv_pool_tokens) / 8192);
  EXPECT_TRUE(r9.engine.starts);
  EXPECT_EQ(r9.engine.command,
            "vllm serve meta-llama/Meta-Llama-3-8B --max-model-len 8192 --gpu-memory-utilization 0.9");
  // The formula's tree computes the pool.
  EXPECT_NEAR(evaluate(r9.expressions, r9.engine.kv_pool_expression), r9.engine.kv_pool_bytes, 1e-3);
}

// vLLM V1 (since v0.9.1): the budget starts after the CUDA context, so only the profile run's
// non-torch increase (0.30 GiB) comes out of it; utilization 0.92. Llama-3-8B on an H100 SXM:
// the >= 70 GiB tier, 8192 tokens over 1024 sequences, so the sampler's 1024 x 128256 rows.
TEST(Engines, VllmV1BudgetLeavesTheContextOut) {
  const Report r = run(R"({"model":"llama-3-8b","engine":"vllm","workload":{"prompt":8000,"generate":192}})");
  ASSERT_TRUE(r.engine.has_pool);
  const double total = 85520809984.0, weights = 8030261248.0 * 2;
  EXPECT_EQ(r.engine.profile_tokens, 8192);
  EXPECT_EQ(r.engine.profile_seqs, 1024);
  EXPECT_NEAR(r.engine.profile_peak_bytes, 1024.0 * 128256 * 41.21, 1.0);
  EXPECT_NEAR(r.engine.budget_bytes, 0.92 * total, 1.0);
  EXPECT_NEAR(r.engine.kv_pool_bytes, 0.92 * total - weights - 322122547.0 - r.engine.profile_peak_bytes, 1.0);
  // The context lies before the budget's baseline, in the memory breakdown but not in the pool.
  EXPECT_EQ(r.engine.before_budget_bytes, 483183821.0);
  EXPECT_NEAR(item(r, "runtime_overhead"), 483183821.0 + 322122547.0, 1.0);
  EXPECT_TRUE(r.engine.starts);
  EXPECT_EQ(r.engine.command,
            "vllm serve meta-llama/Meta-Llama-3-8B --max-model-len 8192 --gpu-memory-utilization 0.92");
  EXPECT_NEAR(evaluate(r.expressions, r.engine.kv_pool_expression), r.engine.kv_pool_bytes, 1e-3);
  // The JSON carries the profile run's shape and the budget.
  const std::string j = estimate_json(R"({"model":"llama-3-8b","engine":"vllm"})");
  EXPECT_NE(j.find(R"("profile_run":{"tokens":)"), std::string::npos);
  EXPECT_NE(j.find(R"("before_budget_bytes":)"), std::string::npos);
}

// V1's serving defaults by the GPU (arg_utils.py get_batch_defaults): >= 160 GiB 16384 / 1024,
// >= 70 GiB except an A100 8192 / 1024, else 2048 / 256; tokens at most seqs x max_model_len.
TEST(Engines, VllmV1ProfileRunFollowsTheGpu) {
  using P = std::pair<int64_t, int64_t>;
  const auto shape = [](const std::string& gpu, const std::string& extra = "") {
    const Report r = run(R"({"model":"llama-3-8b","engine":"vllm","hardware":{"gpu":")" + gpu +
                         R"("},"workload":{"prompt":2000,"generate":48})" + extra + "}");
    return std::pair{r.engine.profile_tokens, r.engine.profile_seqs};
  };
  EXPECT_EQ(shape("b200"), P(16384, 1024));
  // The scheduler's cap on running sequences, reported beside the pool's concurrency.
  EXPECT_EQ(run(R"({"model":"qwen2.5-0.5b","engine":"vllm","hardware":{"gpu":"h100-sxm"}})").engine.max_num_seqs, 1024);
  EXPECT_EQ(run(R"({"model":"qwen2.5-0.5b","engine":"vllm","hardware":{"gpu":"rtx-4090"}})").engine.max_num_seqs, 256);
  EXPECT_EQ(run(R"({"model":"qwen2.5-0.5b","engine":"vllm","engine_options":{"max_num_seqs":8,"max_model_len":256}})")
                .engine.max_num_seqs, 8);
  EXPECT_EQ(run(R"({"model":"qwen2.5-0.5b","engine":"sglang"})").engine.max_num_seqs, 0);
  EXPECT_EQ(shape("h100-sxm"), P(8192, 1024));
  EXPECT_EQ(shape("a100-80gb"), P(2048, 256));
  EXPECT_EQ(shape("rtx-4090"), P(2048, 256));
  EXPECT_EQ(shape("rtx-4090", R"(,"engine_options":{"max_num_seqs":32})"), P(2048, 32));
  EXPECT_EQ(shape("rtx-4090", R"(,"engine_options":{"max_num_batched_tokens":4096})"),
            P(4096, 256));
  // A short max_model_len caps the tokens: 4 sequences of 256 tokens.
  EXPECT_EQ(shape("rtx-4090", R"(,"engine_options":{"max_num_seqs":4,"max_model_len":256})"),
            P(1024, 4));
  // A set max_num_seqs is on the command line; the default (0, by the GPU) is not.
  const Report r = run(R"({"model":"llama-3-8b","engine":"vllm","engine_options":{"max_num_seqs":32}})");
  EXPECT_NE(r.engine.command.find("--max-num-seqs 32"), std::string::npos) << r.engine.command;
  EXPECT_EQ(run(R"({"model":"llama-3-8b","engine":"vllm"})").engine.command.find("--max-num-seqs"), std::string::npos);
  EXPECT_NE(run(R"({"model":"llama-3-8b","engine":"vllm","engine_options":{"max_num_batched_tokens":4096}})")
                .engine.command.find("--max-num-batched-tokens 4096"),
            std::string::npos);
}

// Chunked prefill: vLLM V1 and SGLang run at most their token budget per forward step
// (max_num_batched_tokens 8192 on an H100, V1's get_batch_defaults; SGLang's chunked_prefill_size
// 8192 for 60-90 GiB GPUs), so the largest step's activations are those of 8192 tokens, not the
// batch's 16 x 2048, and the prompt takes 4 steps that each read the weights.
// Llama-3-8B, bf16, per token: residual 4096 x 2 x 2 B; attention 32 x 128 x 2 + 2 x 8 x 128 =
// 10240 x 2 B; MLP 14336 x 3 x 2 B (the larger): at 8192 tokens 134217728 + 704643072 B.
TEST(Engines, ChunkedPrefillFollowsTheEngineBudget) {
  const auto acts = [](const Report& r) {
    double b = 0;
    for (const auto& i : r.memory.items)
      if (i.kind == MemoryKind::activations) b += i.bytes;
    return b;
  };
  const auto scenario = [](const std::string& engine, const std::string& extra = "", int batch = 16) {
    return R"({"model":"llama-3-8b","engine":")" + engine + R"(","hardware":{"gpu":"h100-sxm"},
        "workload":{"batch":)" + std::to_string(batch) + R"(,"prompt":2048,"generate":64})" + extra + "}";
  };
  const double per_token = 4096.0 * 2 * 2 + 14336.0 * 3 * 2;
  EXPECT_DOUBLE_EQ(acts(run(scenario("vllm"))), 8192 * per_token);
  EXPECT_DOUBLE_EQ(acts(run(scenario("sglang"))), 8192 * per_token);
  EXPECT_DOUBLE_EQ(acts(run(scenario("sglang", R"(,"engine_options":{"chunked_prefill_size":2048})"))),
                   2048 * per_token);
  // The option sets vLLM's budget; a scenario's own chunk wins (16 x 256 tokens).
  EXPECT_DOUBLE_EQ(acts(run(scenario("vllm", R"(,"engine_options":{"max_num_batched_tokens":4096})"))),
                   4096 * per_token);
  EXPECT_DOUBLE_EQ(acts(run(scenario("vllm", R"(,"options":{"prefill_chunk":256})"))), 16 * 256 * per_token);
  // Within the budget, or on an engine that does not chunk by default: the whole batch.
  EXPECT_DOUBLE_EQ(acts(run(scenario("vllm", "", 2))), 4096 * per_token);
  EXPECT_DOUBLE_EQ(acts(run(scenario("vllm-v0"))), 32768 * per_token);
  EXPECT_DOUBLE_EQ(acts(run(scenario("generic"))), 32768 * per_token);
  // Four steps each read the weights: prefill traffic grows by three weight reads.
  const Report chunked = run(scenario("vllm")), whole = run(scenario("vllm", R"(,"options":{"prefill_chunk":2048})"));
  double weights = 0;
  for (const auto& i : whole.memory.items)
    if (i.kind == MemoryKind::weights) weights += i.bytes;
  ASSERT_GT(weights, 0);
  EXPECT_NEAR(chunked.latency.phases[0].bytes - whole.latency.phases[0].bytes, 3 * weights, 1.0);
  // More sequences than the budget has tokens: steps still hold 8192 tokens, ceil(20000 x 4 /
  // 8192) = 10 of them (nine more weight reads than one step of everything).
  const std::string many = R"({"model":"llama-3-8b","engine":"vllm","hardware":{"gpu":"h100-sxm"},
      "workload":{"batch":20000,"prompt":4,"generate":1})";
  const Report m = run(many + "}");
  EXPECT_DOUBLE_EQ(acts(m), 8192 * per_token);
  const Report m1 = run(many + R"(,"options":{"prefill_chunk":4}})");
  EXPECT_NEAR(m.latency.phases[0].bytes - m1.latency.phases[0].bytes, 9 * weights, 1.0);
}

// V1 refuses to start when the memory left after its context is below utilization x total
// (request_memory): 0.99 of a 24 GB card leaves 0.24 GiB for a 0.45 GiB context.
TEST(Engines, VllmV1WillNotStartWithoutRoomForItsContext) {
  const Report r = run(R"({"model":"qwen2.5-0.5b","engine":"vllm","hardware":{"gpu":"rtx-4090"},
      "engine_options":{"gpu_memory_utilization":0.99}})");
  EXPECT_FALSE(r.engine.starts);
  EXPECT_TRUE(has_note(r, "less than gpu_memory_utilization x total"));
  const Report ok = run(R"({"model":"qwen2.5-0.5b","engine":"vllm","hardware":{"gpu":"rtx-4090"}})");
  EXPECT_TRUE(ok.engine.starts);
  // V0 counted the context inside the budget: no such refusal there.
  EXPECT_TRUE(run(R"({"model":"qwen2.5-0.5b","engine":"vllm-v0","hardware":{"gpu":"rtx-4090"},
      "engine_options":{"gpu_memory_utilization":0.99}})").engine.starts);
}

TEST(Engines, ReportSaysWhichVersionsTheProfileDescribes) {
  // vLLM's accounting changed between V0 and V1: the report carries the profile's basis, in its
  // JSON too, and a generic report has no engine block to carry it.
  const Report r = run(R"({"model":"llama-3-8b","engine":"vllm"})");
  EXPECT_EQ(r.engine.basis, find_engine("vllm")->basis);
  EXPECT_NE(r.engine.basis.find("V1"), std::string::npos);
  EXPECT_NE(run(R"({"model":"llama-3-8b","engine":"vllm-v0"})").engine.basis.find("V0 worker"), std::string::npos);
  const std::string j = estimate_json(R"({"model":"llama-3-8b","engine":"sglang"})");
  EXPECT_NE(j.find(R"("basis":")" + find_engine("sglang")->basis + "\""), std::string::npos);
  EXPECT_EQ(estimate_json(R"({"model":"llama-3-8b"})").find(R"("basis")"), std::string::npos);
}

TEST(Engines, SglangRuleRefusesATermNoOneReads) {
  // A term added to the data with its citation but not read by the code would leave SGLang's
  // derived fraction silently short of it: the reader refuses keys it does not know.
  std::string text;
  for (std::size_t i = 0; i < data::kEnginesCount; ++i)
    if (data::kEngines[i].id == "sglang") text = std::string(data::kEngines[i].json);
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(engine_profile_errors(text).empty());
  Errors parse_errors;
  auto doc = json_io::parse_text(text, "", parse_errors);
  ASSERT_TRUE(doc.has_value());
  (*doc)["mem_fraction_default"]["mib_per_expert"] = 64;
  (*doc)["mem_fraction_default"]["mib_per_expert_source"] = "a citation";
  const Errors e = engine_profile_errors(doc->dump());
  ASSERT_EQ(e.size(), 2u);  // the term and its citation
  EXPECT_EQ(e[0].path, "/engines/test/mem_fraction_default/mib_per_expert");
  EXPECT_EQ(e[1].path, "/engines/test/mem_fraction_default/mib_per_expert_source");
  for (const auto& x : e) EXPECT_EQ(x.code, "unknown_field");
}

TEST(Engines, VllmWillNotStartPastItsPool) {
  const Report r = run(R"({"model":"llama-3-8b","engine":"vllm","hardware":{"gpu":"l4"},
      "engine_options":{"max_model_len":500000}})");
  EXPECT_FALSE(r.engine.starts);
  EXPECT_EQ(r.engine.longest_context, r.engine.kv_pool_tokens);
  EXPECT_TRUE(has_note(r, "will not start at max_model_len 500000"));
}

TEST(Engines, TensorParallelAddsCommunicationBuffers) {
  // vLLM 0.9.0's non-torch memory at TP2 is 3.58 GiB per GPU: 1.79 GiB + the NCCL / custom
  // all-reduce buffers (1.79 GiB), the runtime item's two terms.
  const Report r = run(R"({"model":"llama-3-8b","engine":"vllm-v0","parallelism":{"tp":2}})");
  EXPECT_NEAR(item(r, "runtime_overhead"), 3843995730.0, 1.0);
  // V1: context 0.45 GiB + communicators 0.15 GiB before the budget; inside it the 0.30 GiB
  // workspaces and, at TP > 1, the 1.08 GiB the first collectives add.
  const Report v1 = run(R"({"model":"llama-3-8b","engine":"vllm","parallelism":{"tp":2}})");
  EXPECT_NEAR(item(v1, "runtime_overhead"), 483183821.0 + 161061274.0 + 322122547.0 + 1159641170.0, 1.0);
  EXPECT_NEAR(v1.engine.kv_pool_bytes, v1.engine.budget_bytes - item(v1, "weights") - 322122547.0 - 1159641170.0 -
                                           v1.engine.profile_peak_bytes, 1.0);
  EXPECT_NEAR(v1.engine.before_budget_bytes, 483183821.0 + 161061274.0, 1.0);
  const Report g = run(R"({"model":"llama-3-8b","parallelism":{"tp":2}})");
  EXPECT_NEAR(item(g, "runtime_overhead"), 576.0 * 1048576, 1.0);  // generic: 512 + 64 MiB
}

TEST(Engines, SglangAndTensorRtPools) {
  const Report s = run(R"({"model":"llama-3-8b","engine":"sglang","engine_options":{"mem_fraction_static":0.8}})");
  EXPECT_NEAR(s.engine.kv_pool_bytes,
              0.8 * 85520809984.0 - 8030261248.0 * 2 - item(s, "runtime_overhead"), 1.0);
  EXPECT_EQ(s.engine.block_tokens, 1);
  const Report t = run(R"({"model":"llama-3-8b","engine":"tensorrt-llm"})");
  EXPECT_NEAR(t.engine.kv_pool_bytes,
              0.9 * (85520809984.0 - 8030261248.0 * 2 - item(t, "runtime_overhead") -
                     item(t, "activations") - item(t, "logits")),
              1.0);
  EXPECT_NE(t.engine.command.find("--kv_cache_free_gpu_memory_fraction 0.9"), std::string::npos);
}

// SGLang's own default (server_args.py _handle_gpu_memory_settings; sglang.json
// mem_fraction_default), by hand. H100 80GB = 81559 MiB, bucket < 90 GiB: chunked_prefill_size
// 8192, cuda_graph_max_bs 256 (tp < 4) / 512 (tp >= 4). TP1: reserved = 512 + 8192 x 1.5 +
// 256 x 2 + 1 x 1024 / 8 = 13440 MiB, over the 10240 floor; round((81559 - 13440) / 81559, 3) =
// round(0.835212, 3) = 0.835, as SGLang's docs log prints for tp 1 on an 80 GB card.
// RTX 4090 = 24564 MiB, bucket < 35 GiB: 2048, 24; reserved = 512 + 3072 + 48 + 128 = 3760
// (no floor under 60 GiB): round(20804 / 24564, 3) = round(0.846930, 3) = 0.847.
// TP4 on H100: 512 + 12288 + 512 x 2 + 4 x 128 = 14336: round(67223 / 81559, 3) = 0.824.
TEST(Engines, SglangDerivesItsDefaultMemFraction) {
  const Report h = run(R"({"model":"llama-3-8b","engine":"sglang"})");
  EXPECT_NEAR(h.engine.kv_pool_bytes,
              0.835 * 85520809984.0 - 8030261248.0 * 2 - item(h, "runtime_overhead"), 1.0);
  EXPECT_EQ(h.engine.command.find("--mem-fraction-static"), std::string::npos);  // SGLang derives it too
  EXPECT_NE(h.engine.kv_pool_formula.find("cuda_graph_max_bs"), std::string::npos);
  const Report g = run(R"({"model":"llama-3-8b","engine":"sglang","hardware":{"gpu":"rtx-4090"},"precision":{"weights":"int4"}})");
  EXPECT_NEAR(g.engine.kv_pool_bytes,
              0.847 * 25757220864.0 - item(g, "weights") - item(g, "quantization_scales") -
                  item(g, "runtime_overhead"),
              1.0);
  const Report t = run(R"({"model":"llama-3-70b","engine":"sglang","parallelism":{"tp":4}})");
  EXPECT_NEAR(t.engine.kv_pool_bytes,
              0.824 * 85520809984.0 - item(t, "weights") - item(t, "quantization_scales") -
                  item(t, "runtime_overhead"),
              1.0);
  // Given, it is used as is and printed; 0 asks for the derived default explicitly.
  const Report given = run(R"({"model":"llama-3-8b","engine":"sglang","engine_options":{"mem_fraction_static":0.9}})");
  EXPECT_NE(given.engine.command.find("--mem-fraction-static 0.9"), std::string::npos);
  const Report zero = run(R"({"model":"llama-3-8b","engine":"sglang","engine_options":{"mem_fraction_static":0}})");
  EXPECT_EQ(zero.engine.kv_pool_bytes, h.engine.kv_pool_bytes);
  // (vLLM's gpu_memory_utilization 0 stays an error: BadInputNamesTheField.)
  // A given chunked_prefill_size enters the same reserve: 4096 on an H100 gives 512 + 6144 +
  // 512 + 128 = 7296 MiB, under the 10240 floor: round(71319 / 81559, 3) = round(0.874447) = 0.874;
  // 16384 gives 512 + 24576 + 512 + 128 = 25728: round(55831 / 81559, 3) = 0.685. Printed when set.
  const auto chunked = [](int tokens) {
    return run(R"({"model":"llama-3-8b","engine":"sglang","engine_options":{"chunked_prefill_size":)" +
               std::to_string(tokens) + "}}");
  };
  const Report c4 = chunked(4096), c16 = chunked(16384);
  EXPECT_NEAR(c4.engine.kv_pool_bytes, 0.874 * 85520809984.0 - 8030261248.0 * 2 - item(c4, "runtime_overhead"), 1.0);
  EXPECT_NEAR(c16.engine.kv_pool_bytes, 0.685 * 85520809984.0 - 8030261248.0 * 2 - item(c16, "runtime_overhead"), 1.0);
  EXPECT_NE(c4.engine.command.find("--chunked-prefill-size 4096"), std::string::npos) << c4.engine.command;
  EXPECT_EQ(h.engine.command.find("--chunked-prefill-size"), std::string::npos);
}

// llama.cpp (fedora-copr/logdetective PR #106, Mistral-7B, n_ubatch 512, no flash attention):
// CUDA0 compute buffer at n_ctx 2048 = 32 heads x 2048 x 512 x 4 B (KQ) + 2048 x 512 x 4 B
// (mask) + 32 MiB = 128 + 4 + 32 = 164 MiB; KV f16 = 32 x 2 x 8 x 128 x 2048 x 2 B = 256 MiB.
TEST(Engines, LlamaCppComputeBufferAndFixedContext) {
  const Report r = run(R"({"model":"mistral-7b-v0.1","engine":"llama.cpp","precision":{"weights":"int4","group_size":32},
      "engine_options":{"num_ctx":2048},"workload":{"prompt":100,"generate":10}})");
  EXPECT_EQ(item(r, "activations"), 164.0 * 1048576);
  EXPECT_EQ(item(r, "kv_cache"), 256.0 * 1048576);
  EXPECT_FALSE(has_item(r, "logits"));  // logits go to a host buffer
  // q8_0 blocks: 34 B per 32 values instead of 64 B.
  const Report q = run(R"({"model":"mistral-7b-v0.1","engine":"llama.cpp",
      "engine_options":{"num_ctx":2048,"kv_cache_type":"q8_0"},"workload":{"prompt":100,"generate":10}})");
  EXPECT_EQ(item(q, "kv_cache"), 256.0 * 1048576 * 34 / 64);
  EXPECT_NE(q.engine.command.find("-ctk q8_0"), std::string::npos);
}

TEST(Engines, OllamaAllocatesItsDefaultContext) {
  // Ollama's num_ctx 2048 (api/types.go @86a622cb): the cache holds 2048 tokens whatever the
  // prompt, and a longer prompt is flagged.
  const Report r = run(R"({"model":"mistral-7b-v0.1","engine":"ollama","workload":{"prompt":4000,"generate":100}})");
  EXPECT_EQ(item(r, "kv_cache"), 256.0 * 1048576);
  EXPECT_TRUE(has_note(r, "allocates a context of 2048 tokens"));
}

TEST(Engines, TrainingStackOptions) {
  const std::string lora = R"("model":"llama-3.1-8b","mode":"training","training":{"finetune":"lora",
      "lora":{"rank":8,"targets":["q_proj","v_proj"]}},"workload":{"batch":1,"seq":1024})";
  const Report peft = run(R"({"engine":"transformers",)" + lora + "}");
  const Report tt = run(R"({"engine":"torchtune",)" + lora + "}");
  // torchtune keeps adapters in bf16, peft in fp32.
  EXPECT_DOUBLE_EQ(item(peft, "lora_adapters"), 2 * item(tt, "lora_adapters"));
  const std::string full = R"("model":"llama-3.2-3b","mode":"training","workload":{"batch":1,"seq":1024})";
  const Report plain = run(R"({"engine":"torchtune",)" + full + "}");
  const Report fused = run(R"({"engine":"torchtune","engine_options":{"optimizer_in_backward":true},)" + full + "}");
  // One gradient alive: the largest tensor, the 128256 x 3072 embedding, in bf16.
  EXPECT_EQ(item(fused, "gradients"), 128256.0 * 3072 * 2);
  EXPECT_EQ(item(plain, "gradients"), double(plain.params.total) * 2);  // every gradient, bf16
  const Report paged = run(R"({"engine":"torchtune","engine_options":{"paged_optimizer":true},)" + full + "}");
  EXPECT_EQ(item(paged, "optimizer_states"), 0);
  // torchtune trains in bf16 without an fp32 master copy.
  EXPECT_FALSE(has_item(plain, "master_weights"));
  // Chunked cross-entropy: 2 B + 8 B / 8 chunks per logit instead of 2 + 4 + 4 (logits kept
  // through backward, so the item is the whole loss path).
  const Report kept = run(R"({"engine":"torchtune","engine_options":{"free_logits_before_backward":false},)" + full + "}");
  const Report ce = run(
      R"({"engine":"torchtune","engine_options":{"chunked_cross_entropy":0,"free_logits_before_backward":false},)" +
      full + "}");
  EXPECT_DOUBLE_EQ(item(ce, "logits") / item(kept, "logits"), 10.0 / 3.0);
}

TEST(Engines, PagedOptimizerStatesMigrateWhenTheyDoNotFit) {
  // Llama 2 7B full fine-tune on one RTX 4090 with bitsandbytes' 32-bit PagedAdamW: the fp32
  // m and v (2 x 4 B x 6,738,415,616 params = 53,907,324,928 B) exceed the card, so each step
  // moves them in and out: 2 x 53,907,324,928 B over PCIe 4.0 x16 (31.5 GB/s) = 3.42 s.
  auto scenario = [](const std::string& gpu, bool paged) {
    return std::string(R"({"engine":"torchtune","engine_options":{"optimizer_in_backward":true,"paged_optimizer":)") +
           (paged ? "true" : "false") + R"(},"model":"llama-2-7b","mode":"training",
        "precision":{"optimizer_states":"fp32"},"hardware":{"gpu":")" + gpu + R"("},
        "training":{"finetune":"full","optimizer":"adamw","checkpointing":"full"},"workload":{"batch":4,"seq":2048}})";
  };
  const Report paged = run(scenario("rtx-4090", true));
  const double states = 2.0 * 4.0 * double(paged.params.total);
  EXPECT_EQ(states, 53907324928.0);
  EXPECT_DOUBLE_EQ(paged.training.step.transfer_bytes, 2 * states);
  EXPECT_NEAR(paged.training.step.transfer_s, 2 * states / kPcie4x16BytesPerS, 1e-9);
  // Not overlapped: the step is at least the migration plus the compute.
  EXPECT_GT(paged.training.step.time_s, paged.training.step.transfer_s + paged.training.step.compute_s);
  // On an 80 GB card the 53.9 GB of states fit beside the 19 GB peak: no traffic after the
  // first step.
  const Report fits = run(scenario("a100-80gb", true));
  EXPECT_EQ(fits.training.step.transfer_bytes, 0);
}

TEST(Engines, CpuOffloadStepsTheOptimizerOnTheHost) {
  // torchtune FSDP CPU offload, Llama 3.1 8B full fine-tune on 8 GPUs (bf16 params, grads, m, v):
  // the CPU step reads 2 + 2 + 2 x 2 B and writes 2 + 2 x 2 B per parameter, 14 B in all, over
  // every rank's shard: 14 x params B from host RAM at 0.30 of its peak (torchtune.json).
  auto scenario = [](double ram) {
    return std::string(R"({"engine":"torchtune","engine_options":{"cpu_offload":true},
        "model":"llama-3.1-8b","mode":"training",
        "hardware":{"gpu":"a100-80gb","count":8,"host_bandwidth_bytes_per_s":)") +
           std::to_string(ram) + R"(},"parallelism":{"dp":8},
        "training":{"finetune":"full","optimizer":"adamw","checkpointing":"full","zero_stage":3},
        "workload":{"batch":2,"seq":2048}})";
  };
  const Report slow = run(scenario(100e9));
  const Report fast = run(scenario(200e9));
  const double bytes = 14.0 * double(slow.params.total);
  EXPECT_DOUBLE_EQ(slow.training.step.host_bytes, bytes);
  // Only the host term depends on the RAM: bytes / (0.3 x 100 GB/s) - bytes / (0.3 x 200 GB/s).
  EXPECT_NEAR(slow.training.step.time_s - fast.training.step.time_s, bytes / 30e9 - bytes / 60e9,
              1e-9);
  // Two all-gathers' parameter shards go up (2 x params / 8 x 2 B), hidden by the compute here.
  EXPECT_DOUBLE_EQ(slow.training.step.transfer_bytes, 2.0 * double(slow.params.total) / 8 * 2);
  EXPECT_EQ(slow.training.step.transfer_s, 0);
}

TEST(Engines, LogitsFreedBeforeTheLayersBackward) {
  // Llama 3.2 3B, batch 2 x 4096, full checkpointing: the loss phase (logits) and the layers'
  // backward (gradients + the recomputed layer) are not alive together when the recipe frees
  // its logits (torchtune PR #1235); the peak takes the larger of the two.
  auto scenario = [](const std::string& finetune, bool free) {
    return std::string(R"({"engine":"torchtune","engine_options":{"free_logits_before_backward":)") +
           (free ? "true" : "false") + R"(},"model":"llama-3.2-3b","mode":"training",
        "training":{"checkpointing":"full","finetune":")" + finetune + R"(",
        "lora":{"rank":64,"targets":["q_proj","v_proj"]}},"workload":{"batch":2,"seq":4096}})";
  };
  const Report kept = run(scenario("lora", false));
  const Report freed = run(scenario("lora", true));
  // Kept: 8192 tokens x 128256 vocab x (2 B bf16 + (4 + 4) B / 8 chunks).
  EXPECT_DOUBLE_EQ(item(kept, "logits"), 8192.0 * 128256 * 3);
  // The recomputed layer: activations less the 28 checkpointed inputs (8192 x 3072 x 2 B each).
  const double layer = item(kept, "activations") - 28.0 * 8192 * 3072 * 2;
  const double backward = layer + item(kept, "gradients");
  ASSERT_GT(item(kept, "logits"), backward);  // LoRA: tiny gradients, the loss phase is the peak
  EXPECT_DOUBLE_EQ(item(freed, "logits"), item(kept, "logits") - backward);
  EXPECT_NEAR(kept.memory.total_bytes - freed.memory.total_bytes, backward, 1.0);
  // Full fine-tuning: 6.4 GB of bf16 gradients outweigh 3.2 GB of logits; the loss adds nothing.
  const Report full_freed = run(scenario("full", true));
  EXPECT_EQ(item(full_freed, "logits"), 0);
  EXPECT_GT(item(full_freed, "gradients"), item(kept, "logits"));
}

TEST(Engines, CompileDropsFusedSavedTensors) {
  const std::string full = R"("model":"llama-3.2-3b","mode":"training","training":{"checkpointing":"none"},
      "workload":{"batch":2,"seq":4096})";
  const Report eager = run(R"({"engine":"torchtune",)" + full + "}");
  const Report compiled = run(R"({"engine":"torchtune","engine_options":{"compile":true},)" + full + "}");
  // Per token per layer: 2 norms x 4 B fp32 upcast x 3072 + 2 B SiLU output x 8192 = 40960 B;
  // x 8192 tokens x 28 layers.
  EXPECT_DOUBLE_EQ(item(eager, "activations") - item(compiled, "activations"), 40960.0 * 8192 * 28);
}

TEST(Engines, GptFastKernelsAndGraphFloor) {
  const std::string body = R"("model":"llama-2-7b","hardware":{"gpu":"a100-80gb"},"options":{"cuda_graphs":true},
      "workload":{"batch":1,"prompt":5,"generate":200})";
  const Report bf16 = run(R"({"engine":"gpt-fast","precision":{"weights":"bf16"},)" + body + "}");
  const Report int4 = run(R"({"engine":"gpt-fast","precision":{"weights":"int4","group_size":32},)" + body + "}");
  const Report generic = run(R"({"precision":{"weights":"bf16"},)" + body + "}");
  // CUDA graphs leave gpt-fast's per-layer floor (32 layers x 49.02 us); generic has none.
  ASSERT_FALSE(bf16.latency.phases.empty());
  EXPECT_NEAR(bf16.latency.phases.back().overhead_s, 32 * 4.902e-5, 1e-12);
  EXPECT_EQ(generic.latency.phases.back().overhead_s, 0);
  // The weight kernel's fraction of datasheet bandwidth (2039 GB/s) replaces the GPU's copy
  // efficiency (0.89): memory time = bytes / (bandwidth x fraction).
  const auto streamed = [](const Report& r) {
    const Phase& p = r.latency.phases.back();
    return p.bytes / p.memory_s;
  };
  EXPECT_NEAR(streamed(bf16), 2039e9 * 0.8337, 1e3);
  EXPECT_NEAR(streamed(int4), 2039e9 * 0.6047, 1e3);
  EXPECT_NEAR(streamed(generic), 2039e9 * 0.89, 1e3);
}

TEST(Engines, TensorRtWithoutXqaRereadsGqaKv) {
  // Decode bytes are weights + batch x KV per sequence: two batches give both parts. Without
  // XQA Llama-2-70B's 64 query heads over 8 KV heads read each KV head 8 times, of which the
  // profile's fraction of the 7 extra reads reaches DRAM.
  const auto decode_bytes = [](const std::string& model, int batch, bool xqa) {
    const Report r = run(R"({"engine":"tensorrt-llm","engine_options":{"xqa":)" +
                         std::string(xqa ? "true" : "false") + R"(},"model":")" + model +
                         R"(","hardware":{"gpu":"h100-sxm","count":2},"parallelism":{"tp":2},
        "workload":{"batch":)" + std::to_string(batch) + R"(,"prompt":512,"generate":64}})");
    return r.latency.phases.back().bytes;
  };
  const double f = find_engine("tensorrt-llm")->gqa_kv_reread_without_xqa;
  ASSERT_GT(f, 0);
  const double kv = decode_bytes("llama-2-70b", 2, true) - decode_bytes("llama-2-70b", 1, true);
  const double weights = decode_bytes("llama-2-70b", 1, true) - kv;
  EXPECT_NEAR((decode_bytes("llama-2-70b", 1, false) - weights) / kv, 1 + 7 * f, 1e-9);
  // Llama-2-7B is multi-head (32 KV heads): nothing to re-read.
  EXPECT_EQ(decode_bytes("llama-2-7b", 4, false), decode_bytes("llama-2-7b", 4, true));
  // Only TensorRT-LLM has the option.
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-2-7b","engine":"vllm","engine_options":{"xqa":false}})"),
                        "/engine_options/xqa", "unknown_field"));
}

// TensorRT-LLM v0.5's context phase: compute and memory do not overlap, so prefill time is their
// sum (plus the elementwise traffic); decode keeps the roofline's max. Generic keeps max.
TEST(Engines, TensorRtContextPhaseAddsComputeAndMemory) {
  const auto phases = [](const std::string& engine) {
    return run(R"({"engine":")" + engine + R"(","model":"llama-2-7b","hardware":{"gpu":"a100-80gb"},
        "workload":{"batch":1,"prompt":128,"generate":8}})").latency.phases;
  };
  ASSERT_TRUE(find_engine("tensorrt-llm")->context_serial_roofline);
  const auto trt = phases("tensorrt-llm");
  const Phase& pre = trt.front();
  ASSERT_GT(pre.compute_s, 0);
  ASSERT_GT(pre.memory_s, 0);
  EXPECT_NEAR(pre.time_s, pre.compute_s + pre.memory_s + pre.elementwise_s + pre.overhead_s + pre.comm_s, 1e-12);
  const Phase& dec = trt.back();
  EXPECT_NEAR(dec.time_s, std::max(dec.compute_s, dec.memory_s) + dec.elementwise_s + dec.overhead_s + dec.comm_s,
              1e-12);
  const Phase& gen = phases("generic").front();
  EXPECT_NEAR(gen.time_s, std::max(gen.compute_s, gen.memory_s) + gen.elementwise_s + gen.overhead_s + gen.comm_s,
              1e-12);
}

// The fp8 matmul switch by GPU: TensorRT-LLM's L40S (Ada) builds run fp8 weights on fp8 tensor
// cores, its H100 builds at the bf16 rate (tensorrt-llm.json fp8_compute_by_gpu).
TEST(Engines, TensorRtFp8ComputeByGpu) {
  // Prefill compute time with the engine's default activations and with them given.
  const auto compute = [](const std::string& gpu, const std::string& activations) {
    const std::string given = activations.empty() ? "" : R"(,"activations":")" + activations + R"(")";
    return run(R"({"engine":"tensorrt-llm","model":"llama-2-7b","precision":{"weights":"fp8")" + given + R"(},
        "hardware":{"gpu":")" + gpu + R"("},"workload":{"batch":1,"prompt":2048,"generate":2}})")
        .latency.phases.front().compute_s;
  };
  EXPECT_DOUBLE_EQ(compute("l40s", ""), compute("l40s", "fp8"));
  EXPECT_LT(compute("l40s", ""), compute("l40s", "bf16"));
  EXPECT_DOUBLE_EQ(compute("h100-sxm", ""), compute("h100-sxm", "bf16"));
  EXPECT_LT(compute("h100-sxm", "fp8"), compute("h100-sxm", ""));
}

// llama.cpp's per-layer host overhead is the host CPU's: desktop cards (desktop CPUs) get the
// profile's by-GPU value, datacenter cards the server value; every listed id is a GPU preset.
TEST(Engines, LlamaCppHostOverheadFollowsTheGpusHost) {
  const EngineProfile* p = find_engine("llama.cpp");
  ASSERT_NE(p, nullptr);
  ASSERT_FALSE(p->step_overhead_s_per_layer_by_gpu.empty());
  for (const auto& g : p->step_overhead_s_per_layer_by_gpu) EXPECT_NE(find_gpu(g.gpu_id), nullptr) << g.gpu_id;
  const auto overhead = [](const std::string& gpu) {
    const Report r = run(R"({"engine":"llama.cpp","model":"llama-2-7b","hardware":{"gpu":")" + gpu +
                         R"("},"workload":{"batch":1,"prompt":8,"generate":16}})");
    return r.latency.phases.back().overhead_s;
  };
  // 32 layers x 37.7 us (desktop) and x 148.4 us (server).
  EXPECT_NEAR(overhead("rtx-4090"), 32 * 3.77e-5, 1e-12);
  EXPECT_NEAR(overhead("a100-80gb"), 32 * 1.484e-4, 1e-12);
}

TEST(Engines, FrozenBaseShardedUnderFsdp) {
  const std::string body = R"("model":"llama-3.1-70b","mode":"training","training":{"finetune":"lora",
      "zero_stage":3},"parallelism":{"dp":8},"workload":{"batch":1,"seq":1024})";
  const Report generic = run("{" + body + "}");
  const Report tt = run(R"({"engine":"torchtune",)" + body + "}");
  EXPECT_NEAR(item(generic, "weights") / item(tt, "weights"), 8.0, 1e-9);
}

TEST(Engines, CatalogExportListsOptions) {
  const std::string j = engines_json();
  EXPECT_NE(j.find(R"("id":"vllm")"), std::string::npos);
  EXPECT_NE(j.find(R"("name":"gpu_memory_utilization")"), std::string::npos);
}

}  // namespace
}  // namespace llmcalc::test
