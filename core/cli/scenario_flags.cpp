#include "scenario_flags.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

namespace llmcalc::cli {
namespace {

struct Flag {
  const char* name;
  const char* pointer;
  const char* help;
};

const std::vector<Flag> kFlags = {
    {"--model", "/model", "model preset id (see `llmcalc list models`)"},
    {"--engine", "/engine", "engine profile: generic (default), vllm, sglang, tensorrt-llm, llama.cpp, ollama, transformers, torchtune, deepspeed, megatron"},
    {"--mode", "/mode", "inference | training"},
    {"--method", "/method", "detailed (default) | seed"},
    {"--batch", "/workload/batch", "sequences per forward pass (training: micro-batch)"},
    {"--seq", "/workload/seq", "training sequence length (tokens)"},
    {"--prompt", "/workload/prompt", "inference prompt tokens"},
    {"--gen", "/workload/generate", "inference generated tokens"},
    {"--grad-accum", "/workload/grad_accum", "gradient-accumulation steps"},
    {"--tokens-budget", "/workload/tokens_budget", "training tokens, for run time and cost"},
    {"--weights", "/precision/weights", "fp32|fp16|bf16|fp8|int8|int4|nf4|fp4"},
    {"--group-size", "/precision/group_size", "int4/int8 scale group size (0 = per channel)"},
    {"--kv", "/precision/kv_cache", "KV cache dtype: fp32|fp16|bf16|fp8|int8|int4"},
    {"--activations", "/precision/activations", "fp32|fp16|bf16"},
    {"--gradients", "/precision/gradients", "fp32|fp16|bf16"},
    {"--master-weights", "/precision/master_weights", "fp32 | none"},
    {"--optimizer-states", "/precision/optimizer_states", "fp32 | bf16"},
    {"--optimizer", "/training/optimizer", "adamw|adamw-8bit|adafactor|sgd|sgd-momentum|lion"},
    {"--checkpointing", "/training/checkpointing", "none | selective | full"},
    {"--finetune", "/training/finetune", "full | lora | qlora"},
    {"--lora-rank", "/training/lora/rank", "LoRA rank"},
    {"--zero", "/training/zero_stage", "ZeRO stage 0-3"},
    {"--tp", "/parallelism/tp", "tensor-parallel degree"},
    {"--pp", "/parallelism/pp", "pipeline-parallel degree"},
    {"--dp", "/parallelism/dp", "data-parallel degree"},
    {"--sp", "/parallelism/sequence_parallel", "sequence parallel: true | false"},
    {"--gpu", "/hardware/gpu", "GPU preset id (see `llmcalc list gpus`)"},
    {"--gpus", "/hardware/count", "number of GPUs"},
    {"--memory-bytes", "/hardware/memory_bytes", "custom GPU capacity in bytes"},
    {"--activation-method", "/options/activation_method", "detailed | korthikanti | seed"},
    {"--flash", "/options/flash_attention", "fused attention: true (default) | false"},
    {"--logits", "/options/logits", "inference logits for: last (default) | all positions"},
    {"--prefill-chunk", "/options/prefill_chunk", "prompt tokens per prefill step"},
    {"--kv-page", "/options/kv_page_tokens", "paged KV block size in tokens"},
    {"--cuda-graphs", "/options/cuda_graphs", "decode under CUDA graphs: true | false"},
    {"--price", "/options/price_per_gpu_hour", "price per GPU-hour, for cost figures"},
    {"--training-efficiency", "/options/training_efficiency", "end-to-end training efficiency (default 0.70)"},
    {"--step-overhead", "/overhead/step_overhead_s", "fixed seconds per forward step"},
};

// A flag's text as JSON: a number or boolean when it is one, else a string, so the core's
// validator reports type errors with the same codes as for JSON input.
nlohmann::json to_json_value(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (!text.empty()) {
    char* end = nullptr;
    const long long i = std::strtoll(text.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && text.find_first_of("eE.") == std::string::npos) return i;
    const double d = std::strtod(text.c_str(), &end);
    if (end != nullptr && *end == '\0') return d;
  }
  return text;
}

bool read_json_file(const std::string& path, nlohmann::json& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << path << "\n";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  out = nlohmann::json::parse(ss.str(), nullptr, false);
  if (out.is_discarded()) {
    std::cerr << "error: " << path << " is not valid JSON\n";
    return false;
  }
  return true;
}

}  // namespace

void add_scenario_flags(CLI::App& cmd, ScenarioFlags& flags) {
  cmd.add_option("--scenario", flags.scenario_file, "scenario JSON file (flags override it)");
  cmd.add_option("--hf-config", flags.hf_config_file, "Hugging Face config.json to import");
  for (const auto& f : kFlags) {
    const std::string pointer = f.pointer;
    cmd.add_option_function<std::string>(
        f.name, [&flags, pointer](const std::string& v) { flags.values[pointer] = v; }, f.help);
  }
  cmd.add_flag("--json", flags.json, "print JSON instead of a table");
  cmd.add_flag("--gb", flags.gb, "decimal GB (1e9 bytes) instead of GiB (2^30 bytes)");
}

bool build_scenario(const ScenarioFlags& flags, nlohmann::json& out) {
  out = nlohmann::json::object();
  if (!flags.scenario_file.empty() && !read_json_file(flags.scenario_file, out)) return false;
  if (!out.is_object()) {
    std::cerr << "error: " << flags.scenario_file << " must hold a JSON object\n";
    return false;
  }
  if (!flags.hf_config_file.empty()) {
    nlohmann::json config;
    if (!read_json_file(flags.hf_config_file, config)) return false;
    out["model"] = {{"hf_config", config}};
  }
  for (const auto& [pointer, text] : flags.values) {
    if (pointer == "/model" && out.contains("model") && out["model"].is_object() &&
        flags.hf_config_file.empty())
      out.erase("model");
    out[nlohmann::json::json_pointer(pointer)] = to_json_value(text);
  }
  return true;
}

std::string flag_for_path(const std::string& path) {
  for (const auto& f : kFlags)
    if (path == f.pointer) return f.name;
  return "";
}

}  // namespace llmcalc::cli
