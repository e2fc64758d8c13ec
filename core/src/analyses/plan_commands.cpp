// The commands that run a plan's candidate, one per engine that reads its weights. The
// llama-server, Ollama-server and vLLM/SGLang/TensorRT-LLM lines come from the engine block's
// own renderer (engine_command, engine_serving.cpp); this file adds what that renderer has no
// engine profile for: the Ollama Modelfile, LM Studio's load settings and MLX.
//
// Flags, each from the engine's docs or source:
// - llama-server: -m, -c, -ngl, -ctk/-ctv, -fa on|off|auto (ggml-org/llama.cpp
//   tools/server/README.md @00dc8057ab28c9cb4c79a6dd6dfce07fe779f63b).
// - Ollama: Modelfile FROM and PARAMETER num_ctx (docs/modelfile.mdx), num_gpu = layers sent to
//   the GPU (api/types.go NumGPU), OLLAMA_FLASH_ATTENTION and OLLAMA_KV_CACHE_TYPE f16|q8_0|q4_0
//   as server-wide settings (docs/faq.mdx; envconfig/config.go), all at ollama/ollama
//   @fb30760996871fa9460115c753afd2c60d4ab0f7.
// - LM Studio: `lms load <model> --context-length N --gpu max` (lmstudio.ai/docs/cli/load); the
//   load config keys contextLength, gpuOffload.ratio "max", flashAttention,
//   llamaKCacheQuantizationType / llamaVCacheQuantizationType (lmstudio-ai/lmstudio-js
//   packages/lms-shared-types/src/llm/LLMLoadModelConfig.ts).
// - MLX: mlx_lm.convert --hf-path -q --q-bits --mlx-path (ml-explore/mlx-lm mlx_lm/convert.py
//   @04494c99), mlx_lm.generate --model --max-kv-size --max-tokens (mlx_lm/generate.py @0024613b).
// - vLLM: --max-model-len, --gpu-memory-utilization, --tensor-parallel-size, --kv-cache-dtype,
//   --quantization (docs.vllm.ai/en/v0.8.5/serving/engine_args.html).
#include "llmcalc/catalog.hpp"
#include "llmcalc/plan.hpp"
#include "engine_command.hpp"
#include "plan_candidates.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {
namespace {

using O = EngineOption;

std::string int_text(int64_t v) { return std::to_string(v); }

// The Hugging Face repo of a preset, else the model id (as engine_serving.cpp names models).
std::string model_name(const Scenario& s) {
  if (const ModelPreset* p = find_model(s.model.id); p != nullptr && !p->hf_repo.empty())
    return p->hf_repo;
  return s.model.id;
}

// The candidate under another engine of the same kind, for that engine's own command line.
std::string command_for(const PlanCandidate& c, std::string_view engine_id) {
  const EngineProfile* p = find_engine(engine_id);
  if (p == nullptr) return {};
  Scenario s = c.scenario;
  s.engine.profile = p;
  s.engine.active = true;
  return engine_command(s, c.report.engine);
}

}  // namespace

std::vector<PlanCommand> plan_commands(const PlanCandidate& c) {
  std::vector<PlanCommand> out;
  const Scenario& s = c.scenario;
  const PlanFamily family = plan_family(s);
  const std::string ctx = int_text(c.context);
  // llama.cpp counts the output layer as one more offloadable layer: a 32-layer Llama logs
  // "offloading 32 repeating layers to GPU ... offloading output layer to GPU ... offloaded
  // 33/33 layers to GPU" (llama.cpp load_tensors).
  const int64_t all_layers = s.model.arch.num_layers + 1;
  if (family == PlanFamily::gguf) {
    const std::string file = s.model.id + "-" + c.weights + ".gguf";
    const bool quant_kv = kv_quantized(family, c.kv_cache);
    out.push_back({"llama.cpp", command_for(c, "llama.cpp"), {}, {}});
    PlanCommand ollama{"ollama", command_for(c, "ollama"), {}, {}};
    // num_gpu is llama.cpp's -ngl (Ollama passes it as n_gpu_layers); Ollama has no
    // --n-cpu-moe, so an expert split is a llama-server plan only.
    const int64_t ngl = c.offloaded && c.gpu_layers >= 0 ? c.gpu_layers : all_layers;
    ollama.lines = {"FROM ./" + file, "PARAMETER num_ctx " + ctx, "PARAMETER num_gpu " + int_text(ngl)};
    ollama.note = "Modelfile lines; then `ollama create " + s.model.id + "-" + c.weights +
                  " -f Modelfile`. Flash attention and the KV cache type are server-wide "
                  "(environment of `ollama serve`).";
    if (c.offloaded && c.cpu_moe_layers != 0)
      ollama.note += " Ollama cannot keep only the experts in RAM (llama.cpp's --n-cpu-moe); this "
                     "Modelfile puts whole layers on the GPU instead and needs a split that fits "
                     "that way.";
    out.push_back(std::move(ollama));
    // lms load --gpu takes "max", "off" or a ratio 0..1 of the layers (lmstudio.ai/docs/cli/load).
    const bool partial = c.offloaded && c.gpu_layers >= 0 && c.gpu_layers < all_layers;
    std::string ratio = "max";
    if (partial) {
      ratio.clear();
      append_significant(ratio, double(c.gpu_layers) / double(all_layers), 3);
    }
    PlanCommand lms{"lm-studio", "lms load " + file + " --context-length " + ctx + " --gpu " + ratio, {}, {}};
    lms.lines = {"contextLength: " + ctx,
                 partial ? "gpuOffload.ratio: " + ratio + " (" + int_text(c.gpu_layers) + " of " + int_text(all_layers) + " layers)"
                         : "gpuOffload.ratio: max (all " + int_text(all_layers) + " layers)",
                 std::string("flashAttention: ") + (c.flash_attention ? "true" : "false")};
    if (c.kv_cache != "f16") {
      lms.lines.push_back("llamaKCacheQuantizationType: " + c.kv_cache);
      lms.lines.push_back("llamaVCacheQuantizationType: " + c.kv_cache);
    }
    lms.note = quant_kv ? "The KV cache types are load settings (the app's K/V cache quantization "
                          "fields), not lms flags."
                        : "";
    if (c.offloaded && c.cpu_moe_layers != 0)
      lms.note += std::string(lms.note.empty() ? "" : " ") +
                  "The experts-in-RAM split (--n-cpu-moe) is llama-server's; the ratio above moves "
                  "whole layers.";
    out.push_back(std::move(lms));
    return out;
  }
  if (family == PlanFamily::serving) {
    PlanCommand e{std::string(s.engine.id()), c.report.engine.command, {}, {}};
    if (c.weights == "int4")
      e.note = "int4 means an AWQ or GPTQ checkpoint of the model; the engine reads the method "
               "from its config.";
    out.push_back(std::move(e));
    return out;
  }
  // An engine without a command line of its own (Hugging Face transformers): nothing to print.
  if (s.engine.id() != "generic") return out;
  // No engine: MLX on a Mac, the plan's weights as an MLX conversion.
  const std::string repo = model_name(s);
  PlanCommand mlx{"mlx", {}, {}, {}};
  std::string model = repo;
  if (c.weights == "int4" || c.weights == "int8") {
    const std::string bits = c.weights == "int4" ? "4" : "8";
    model = s.model.id + "-" + bits + "bit";
    mlx.lines = {"mlx_lm.convert --hf-path " + repo + " -q --q-bits " + bits + " --mlx-path " + model};
    mlx.note = "MLX quantizes with one scale and bias per 64 weights by default (the estimate "
               "assumes " + (s.precision.group_size > 0 ? int_text(s.precision.group_size) : std::string("per-channel")) +
               "); --max-kv-size keeps a rotating cache of that many tokens.";
  } else {
    mlx.note = "--max-kv-size keeps a rotating cache of that many tokens.";
  }
  mlx.command = "mlx_lm.generate --model " + model + " --max-kv-size " + ctx + " --max-tokens " +
                int_text(s.workload.generate);
  out.push_back(std::move(mlx));
  return out;
}

}  // namespace llmcalc
