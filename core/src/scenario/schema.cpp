// The scenario schema's tables: every enum's names and every field (see llmcalc/schema.hpp).
#include "llmcalc/schema.hpp"

#include <algorithm>
#include <array>

#include "../model/gpu_shape.hpp"
#include "../text/number_format.hpp"
#include "llmcalc/parse.hpp"

namespace llmcalc {
namespace {
// The page's module compiles this file a second time without the help texts
// (LLMCALC_WASM_PAGE, wasm/CMakeLists.txt): only `llmcalc schema`, --help and the docs show
// them, and the page takes its schema from the build (web/build.mjs), not from its module.
// Measured (single page, gzip -9): 303.4 -> 301.3 KiB; the derived-default texts, 300.5 -> 300.3.
#ifdef LLMCALC_WASM_PAGE
constexpr bool kHelpTexts = false;
#else
constexpr bool kHelpTexts = true;
#endif
constexpr std::string_view help_text(std::string_view help) { return kHelpTexts ? help : std::string_view{}; }
}  // namespace

namespace enums {
namespace {

template <class E>
constexpr EnumName n(E value, std::string_view name, std::string_view help = {}) {
  return {static_cast<int>(value), name, help_text(help)};
}

constexpr EnumName kDtypes[] = {
    n(Dtype::fp32, "fp32"), n(Dtype::tf32, "tf32"), n(Dtype::fp16, "fp16"),
    n(Dtype::bf16, "bf16"), n(Dtype::fp8, "fp8"),   n(Dtype::int8, "int8"),
    n(Dtype::int4, "int4"), n(Dtype::nf4, "nf4"),   n(Dtype::fp4, "fp4")};
// llama-quantize's file types (core/data/gguf_types.json "mixes"; llama.cpp
// tools/quantize/quantize.cpp QUANT_OPTIONS), stored per tensor by llama.cpp's recipe.
constexpr EnumName g(int i, std::string_view name, std::string_view help = {}) {
  return {kGgufMixBase + i, name, help_text(help)};
}
constexpr EnumName kGgufMixes[] = {
    g(0, "F32"), g(1, "F16"), g(2, "BF16"), g(3, "Q4_0"), g(4, "Q4_1"), g(5, "Q5_0"),
    g(6, "Q5_1"), g(7, "Q8_0"), g(8, "Q2_K"), g(9, "Q2_K_S"), g(10, "Q3_K_S"), g(11, "Q3_K_M"),
    g(12, "Q3_K_L"), g(13, "Q4_K_S"), g(14, "Q4_K_M", "GGUF Q4_K_M: Q4_K, with Q6_K in half of attn_v/ffn_down and output"),
    g(15, "Q5_K_S"), g(16, "Q5_K_M"), g(17, "Q6_K"), g(18, "IQ1_S"), g(19, "IQ1_M"), g(20, "IQ2_XXS"),
    g(21, "IQ2_XS"), g(22, "IQ2_S"), g(23, "IQ2_M"), g(24, "IQ3_XXS"), g(25, "IQ3_XS"),
    g(26, "IQ3_S"), g(27, "IQ3_M"), g(28, "IQ4_NL"), g(29, "IQ4_XS"), g(30, "TQ1_0"),
    g(31, "TQ2_0"), g(32, "MXFP4_MOE")};
// Generic dtypes first, then the checkpoint's own formats, then the GGUF mixes (one dropdown,
// one JSON field).
constexpr EnumName kAsCheckpoint{
    kWeightsAsCheckpoint, "checkpoint",
    help_text("the checkpoint's own formats (quantization_config, hf_quant_config.json, a GGUF's tensor "
              "types; bf16 when it has none), as when weights is left out")};
constexpr auto kWeightFormats = [] {
  std::array<EnumName, std::size(kDtypes) + 1 + std::size(kGgufMixes)> out{};
  size_t i = 0;
  for (const auto& e : kDtypes) out[i++] = e;
  out[i++] = kAsCheckpoint;
  for (const auto& e : kGgufMixes) out[i++] = e;
  return out;
}();
constexpr EnumName kKvDtypes[] = {n(Dtype::fp32, "fp32"), n(Dtype::fp16, "fp16"),
                                  n(Dtype::bf16, "bf16"), n(Dtype::fp8, "fp8"),
                                  n(Dtype::int8, "int8"), n(Dtype::int4, "int4")};
constexpr EnumName kWideDtypes[] = {n(Dtype::fp32, "fp32"), n(Dtype::fp16, "fp16"),
                                    n(Dtype::bf16, "bf16")};
// fp8 activations are W8A8 (fp8 weights too): fp8 matmuls on fp8 tensor cores.
constexpr EnumName kActivationDtypes[] = {n(Dtype::fp32, "fp32"), n(Dtype::fp16, "fp16"),
                                          n(Dtype::bf16, "bf16"), n(Dtype::fp8, "fp8")};
constexpr EnumName kStateDtypes[] = {n(Dtype::fp32, "fp32"), n(Dtype::bf16, "bf16")};
constexpr EnumName kMaster[] = {{1, "fp32", help_text("an fp32 copy of the trainable weights")},
                                {0, "none", help_text("no copy (fp32 weights, QLoRA)")}};
constexpr EnumName kModes[] = {n(Mode::inference, "inference"), n(Mode::training, "training")};
constexpr EnumName kMethods[] = {
    n(Method::detailed, "detailed", "every tensor counted, runtime overhead included"),
    n(Method::rules_of_thumb, "rules-of-thumb",
      "the seed documents' rules of thumb exactly (tensors only, no runtime overhead)")};
constexpr EnumName kSeedAlias[] = {{static_cast<int>(Method::rules_of_thumb), "seed"}};
constexpr EnumName kActivationMethods[] = {
    n(ActivationMethod::detailed, "detailed", "a count of every saved tensor"),
    n(ActivationMethod::korthikanti, "korthikanti", "Korthikanti et al. 2022, eq. 1-4"),
    n(ActivationMethod::rules_of_thumb, "rules-of-thumb", "the seed's batch x seq x L x h x 2 B x 7")};
constexpr EnumName kOptimizers[] = {
    n(Optimizer::adamw, "adamw"),         n(Optimizer::adamw_8bit, "adamw-8bit"),
    n(Optimizer::adafactor, "adafactor"), n(Optimizer::sgd, "sgd"),
    n(Optimizer::sgd_momentum, "sgd-momentum"), n(Optimizer::lion, "lion")};
constexpr EnumName kCheckpointing[] = {n(Checkpointing::none, "none"),
                                       n(Checkpointing::selective, "selective"),
                                       n(Checkpointing::full, "full")};
constexpr EnumName kFinetune[] = {n(Finetune::full, "full"), n(Finetune::lora, "lora"),
                                  n(Finetune::qlora, "qlora")};
constexpr EnumName kLogits[] = {n(LogitsScope::all, "all", "every prompt position"),
                                n(LogitsScope::last, "last", "the last position only")};
constexpr EnumName kGpuBackends[] = {
    n(GpuBackend::cuda, "cuda", "CUDA, or ROCm (ggml-hip builds the ggml-cuda sources)"),
    n(GpuBackend::vulkan, "vulkan", "Vulkan"),
    n(GpuBackend::sycl, "sycl", "SYCL (Intel oneAPI)")};
// Module names of llmcalc/tensors.hpp that LoRA can adapt (attention and MLP matrices).
constexpr EnumName kLoraModules[] = {
    {0, "q_proj"},   {1, "k_proj"},   {2, "v_proj"},   {3, "o_proj"},
    {4, "gate_proj"}, {5, "up_proj"}, {6, "down_proj"}, {7, "q_a_proj"},
    {8, "q_b_proj"}, {9, "kv_a_proj_with_mqa"}, {10, "kv_b_proj"}};

}  // namespace

const EnumTable dtype{"Dtype", kDtypes};
const EnumTable weight_format{"WeightFormat", kWeightFormats};
const EnumTable kv_dtype{"KvDtype", kKvDtypes};
const EnumTable wide_dtype{"WideDtype", kWideDtypes};
const EnumTable activation_dtype{"ActivationDtype", kActivationDtypes};
const EnumTable state_dtype{"StateDtype", kStateDtypes};
const EnumTable master_weights{"MasterWeights", kMaster};
const EnumTable mode{"Mode", kModes};
const EnumTable method{"Method", kMethods, kSeedAlias};
const EnumTable activation_method{"ActivationMethod", kActivationMethods, kSeedAlias};
const EnumTable optimizer{"Optimizer", kOptimizers};
const EnumTable checkpointing{"Checkpointing", kCheckpointing};
const EnumTable finetune{"Finetune", kFinetune};
const EnumTable logits{"LogitsScope", kLogits};
const EnumTable gpu_backend{"GpuBackend", kGpuBackends};
const EnumTable lora_module{"LoraModule", kLoraModules};

}  // namespace enums

std::span<const EnumName> gguf_mix_names() { return enums::kGgufMixes; }

std::optional<int> EnumTable::parse(std::string_view name) const {
  for (const auto& e : names)
    if (e.name == name) return e.value;
  for (const auto& e : aliases)
    if (e.name == name) return e.value;
  return std::nullopt;
}

std::string_view EnumTable::name_of(int value) const {
  for (const auto& e : names)
    if (e.value == value) return e.name;
  return {};
}

std::string EnumTable::list() const {
  std::string out;
  for (const auto& e : names) (out += out.empty() ? "" : ", ") += e.name;
  return out;
}

std::string Field::default_text() const {
  if (required) return "required";
  if (!derived.empty()) return std::string(derived);
  switch (type) {
    case FieldType::integer:
    case FieldType::number: return format_number(default_number);
    case FieldType::boolean: return default_number != 0 ? "true" : "false";
    default: return std::string(default_name);
  }
}

namespace {

// Builders that keep each row of the table on a few readable lines.
using Store = void (*)(Scenario&, const FieldValue&);

constexpr Field integer(std::string_view ptr, std::string_view flag, double lo, double hi,
                        double def, std::string_view unit, std::string_view help, Store store) {
  Field f{ptr, flag, FieldType::integer, lo, hi};
  f.default_number = def;
  f.unit = unit;
  f.help = help_text(help);
  f.store = store;
  return f;
}
constexpr Field number(std::string_view ptr, std::string_view flag, double lo, double hi,
                       double def, std::string_view unit, std::string_view help, Store store) {
  Field f = integer(ptr, flag, lo, hi, def, unit, help, store);
  f.type = FieldType::number;
  return f;
}
constexpr Field boolean(std::string_view ptr, std::string_view flag, bool def,
                        std::string_view help, Store store) {
  Field f = integer(ptr, flag, 0, 1, def ? 1 : 0, "", help, store);
  f.type = FieldType::boolean;
  return f;
}
constexpr Field choice(std::string_view ptr, std::string_view flag, const EnumTable& t,
                       std::string_view def, std::string_view help, Store store) {
  Field f = integer(ptr, flag, 0, 0, 0, "", help, store);
  f.type = FieldType::choice;
  f.choices = &t;
  f.default_name = def;
  return f;
}
constexpr Field required(Field f) {
  f.required = true;
  return f;
}
constexpr Field derived(Field f, std::string_view how) {
  f.derived = kHelpTexts ? how : std::string_view("derived");  // the page only asks whether
  return f;
}
constexpr Field only(Field f, Applies a) {
  f.applies = a;
  return f;
}
constexpr Field special(std::string_view ptr, std::string_view flag, FieldType type,
                        std::string_view help, std::string_view def = {}) {
  Field f{ptr, flag, type};
  f.help = help_text(help);
  f.default_name = def;
  return f;
}

// A number of the GPU shape as a scenario field (its key, range, unit and help come from the
// shape; the value is read with the GPU, so the field has no store of its own).
constexpr Field gpu_number(const GpuNumber& n, std::string_view flag) {
  Field f = number(n.pointer, flag, n.min, n.max, n.fallback, n.unit, n.help, nullptr);
  f.gpu_shape = true;
  return f;
}

const Field kFields[] = {
    required(special("/model", "--model", FieldType::model,
                     "a preset id (`llmcalc list models`), {\"preset\"}, {\"architecture\"} or "
                     "{\"hf_config\"} (+ optional \"name\")")),
    choice("/mode", "--mode", enums::mode, "inference", "what the GPUs do",
           [](Scenario& s, const FieldValue& v) { s.mode = Mode(v.choice); }),
    special("/engine", "--engine", FieldType::engine,
            "the engine the scenario runs on (`llmcalc list engines`): generic, vllm (V1, 0.9.1 and later), "
            "vllm-v0 (0.9.0 and earlier), sglang, "
            "tensorrt-llm, llama.cpp, ollama, transformers, torchtune, deepspeed, megatron, gpt-fast",
            "generic"),
    special("/engine_options", "--engine-options", FieldType::engine_options,
            "the engine's own options, e.g. {\"gpu_memory_utilization\": 0.92} for vllm, on the "
            "command line gpu_memory_utilization=0.92,max_num_seqs=32 (docs/engines.md lists each engine's)"),
    choice("/method", "--method", enums::method, "detailed",
           "how memory is counted (`seed` is accepted for rules-of-thumb)",
           [](Scenario& s, const FieldValue& v) { s.method = Method(v.choice); }),

    derived(choice("/precision/weights", "--weights", enums::weight_format, "bf16",
                   "weight storage; int/nf/fp formats keep embeddings, lm_head and norms in "
                   "16-bit; GGUF mixes (Q4_K_M ...) type each tensor by llama.cpp's recipe",
                   [](Scenario& s, const FieldValue& v) {
                     const bool gguf = v.choice >= kGgufMixBase;
                     s.precision.as_checkpoint = v.choice == kWeightsAsCheckpoint;
                     s.precision.gguf_mix = gguf ? enums::weight_format.name_of(v.choice) : "";
                     s.precision.weights = gguf ? Dtype::fp16
                                           : s.precision.as_checkpoint ? Dtype::bf16
                                                                       : Dtype(v.choice);
                   }),
            "bf16 (nf4 for QLoRA)"),
    derived(integer("/precision/group_size", "--group-size", 0, 65536, 0, "weights",
                    "int4/int8 scale group size (GPTQ/AWQ g128); 0 = one scale per output channel",
                    [](Scenario& s, const FieldValue& v) { s.precision.group_size = v.integer; }),
            "128 for int4/int8, else 0"),
    choice("/precision/kv_cache", "--kv", enums::kv_dtype, "bf16", "KV cache storage",
           [](Scenario& s, const FieldValue& v) { s.precision.kv_cache = Dtype(v.choice); }),
    derived(choice("/precision/activations", "--activations", enums::activation_dtype, "bf16",
           "activations; also the matmul dtype whose peak FLOP/s apply (fp8: W8A8, fp8 weights)",
           [](Scenario& s, const FieldValue& v) { s.precision.activations = Dtype(v.choice); }),
            "bf16 (fp8 with fp8 weights on an engine that runs W8A8)"),
    only(derived(choice("/precision/gradients", "--gradients", enums::wide_dtype, "bf16",
                        "gradient storage",
                        [](Scenario& s, const FieldValue& v) { s.precision.gradients = Dtype(v.choice); }),
                 "fp32 with fp32 weights, else bf16"),
         Applies::training),
    only(derived(choice("/precision/master_weights", "--master-weights", enums::master_weights,
                        "fp32", "mixed precision's fp32 copy of the trainable weights",
                        [](Scenario& s, const FieldValue& v) { s.precision.master_weights = v.choice != 0; }),
                 "fp32, none with fp32 weights or QLoRA"),
         Applies::training),
    only(choice("/precision/optimizer_states", "--optimizer-states", enums::state_dtype, "fp32",
                "optimizer state storage",
                [](Scenario& s, const FieldValue& v) { s.precision.optimizer_states = Dtype(v.choice); }),
         Applies::training),

    integer("/workload/batch", "--batch", 1, kMaxBatch, 1, "sequences",
            "sequences per forward pass per model replica (training: the micro-batch)",
            [](Scenario& s, const FieldValue& v) { s.workload.batch = v.integer; }),
    only(integer("/workload/seq", "--seq", 1, kMaxTokens, 2048, "tokens", "training sequence length",
                 [](Scenario& s, const FieldValue& v) { s.workload.seq = v.integer; }),
         Applies::training),
    only(integer("/workload/prompt", "--prompt", 1, kMaxTokens, 1024, "tokens",
                 "inference prompt tokens (the KV cache holds prompt + generate)",
                 [](Scenario& s, const FieldValue& v) { s.workload.prompt = v.integer; }),
         Applies::inference),
    only(integer("/workload/generate", "--gen", 0, kMaxTokens, 256, "tokens",
                 "inference generated tokens",
                 [](Scenario& s, const FieldValue& v) { s.workload.generate = v.integer; }),
         Applies::inference),
    only(integer("/workload/grad_accum", "--grad-accum", 1, kMaxBatch, 1, "micro-batches",
                 "micro-batches per optimizer step",
                 [](Scenario& s, const FieldValue& v) { s.workload.grad_accum = v.integer; }),
         Applies::training),
    only(number("/workload/tokens_budget", "--tokens-budget", 0, 1e16, 0, "tokens",
                "tokens to train on, for run time, GPU-hours and cost (0 = none)",
                [](Scenario& s, const FieldValue& v) { s.workload.tokens_budget = v.number; }),
         Applies::training),

    only(choice("/training/optimizer", "--optimizer", enums::optimizer, "adamw", "optimizer",
                [](Scenario& s, const FieldValue& v) { s.training.optimizer = Optimizer(v.choice); }),
         Applies::training),
    only(choice("/training/checkpointing", "--checkpointing", enums::checkpointing, "none",
                "activation checkpointing",
                [](Scenario& s, const FieldValue& v) { s.training.checkpointing = Checkpointing(v.choice); }),
         Applies::training),
    only(choice("/training/finetune", "--finetune", enums::finetune, "full",
                "full fine-tuning, or LoRA/QLoRA adapters",
                [](Scenario& s, const FieldValue& v) { s.training.finetune = Finetune(v.choice); }),
         Applies::training),
    only(integer("/training/lora/rank", "--lora-rank", 1, 65536, 16, "", "LoRA rank",
                 [](Scenario& s, const FieldValue& v) { s.training.lora.rank = v.integer; }),
         Applies::training),
    only(derived(special("/training/lora/targets", "", FieldType::lora_targets,
                         "\"all-linear\" or distinct module names"),
                 "all-linear"),
         Applies::training),
    only(integer("/training/zero_stage", "--zero", 0, 3, 0, "",
                 "ZeRO stage: 1 shards optimizer states over dp, 2 also gradients, 3 also weights",
                 [](Scenario& s, const FieldValue& v) { s.training.zero_stage = v.integer; }),
         Applies::training),

    integer("/parallelism/tp", "--tp", 1, kMaxDegree, 1, "GPUs", "tensor-parallel degree",
            [](Scenario& s, const FieldValue& v) { s.parallelism.tp = v.integer; }),
    integer("/parallelism/pp", "--pp", 1, kMaxDegree, 1, "GPUs", "pipeline-parallel degree",
            [](Scenario& s, const FieldValue& v) { s.parallelism.pp = v.integer; }),
    integer("/parallelism/dp", "--dp", 1, kMaxDegree, 1, "GPUs", "data-parallel degree",
            [](Scenario& s, const FieldValue& v) { s.parallelism.dp = v.integer; }),
    boolean("/parallelism/sequence_parallel", "--sp", false, "sequence parallelism (with tp)",
            [](Scenario& s, const FieldValue& v) { s.parallelism.sequence_parallel = v.boolean; }),

    derived(special("/hardware/gpu", "--gpu", FieldType::gpu,
                    "GPU preset id (`llmcalc list gpus`), a unified-memory machine "
                    "(apple-m4-max-40c, amd-ryzen-ai-max-395, nvidia-dgx-spark, ...) or custom"),
            "h100-sxm (custom when memory_bytes is given)"),
    derived(integer("/hardware/count", "--gpus", 1, kMaxGpus, 1, "GPUs",
                    "number of GPUs; must equal tp x pp x dp",
                    [](Scenario& s, const FieldValue& v) { s.gpu_count = v.integer; }),
            "tp x pp x dp"),
    derived([] {
      Field f = special("/hardware/name", "", FieldType::text, "display name of the GPU");
      f.max = 120;
      f.store = [](Scenario& s, const FieldValue& v) { s.gpu.name = std::string(v.text); };
      return f;
    }(), "the preset's"),
    // The GPU's numbers: declared once in the GPU shape (model/gpu_shape.hpp) and read with the
    // GPU by the same function that reads a GPU data file.
    derived(gpu_number(kGpuMemory, "--memory-bytes"), "the preset's"),
    derived(gpu_number(kGpuBandwidth, ""), "the preset's"),
    derived([] {
      Field f = special(kGpuPeakFlopsPointer, "", FieldType::rates, kGpuPeakFlopsHelp);
      f.min = kMinFlops;
      f.max = kMaxFlops;
      f.unit = "FLOP/s";
      f.choices = &enums::dtype;
      f.gpu_shape = true;
      return f;
    }(), "the preset's"),
    derived(gpu_number(kGpuInterconnect, ""), "the preset's"),
    derived(gpu_number(kGpuMatmulEfficiency, ""), "the preset's (custom: 0.7)"),
    derived(gpu_number(kGpuBandwidthEfficiency, ""), "the preset's (custom: 0.85)"),

    [] {
      Field f = special("/hardware/extra_gpus", "--extra-gpu", FieldType::gpu_list,
                        "llama.cpp / Ollama: more GPUs in the same machine (GPU preset ids), in device "
                        "order after hardware.gpu; the layers are split over them by "
                        "offload.tensor_split and run one GPU after the other (no tensor parallelism)",
                        "none");
      f.max = 15;  // GGML_CUDA_MAX_DEVICES is 16
      return f;
    }(),
    [] {
      Field f = special("/hardware/host_memory", "--host-memory", FieldType::text,
                        "system RAM preset (core/data/host_memory.json: ddr4-3200-2ch, ddr5-5600-2ch, "
                        "ddr5-6000-2ch, ddr5-5600-4ch, ddr5-4800-8ch, ddr5-4800-12ch, ...): its bandwidth",
                        "ddr5-5600-2ch");
      f.max = 64;
      f.store = [](Scenario& s, const FieldValue& v) { s.host.id = std::string(v.text); };
      return f;
    }(),
    derived(number("/hardware/host_memory_bytes", "--ram-bytes", 1e6, 1e15, kDefaultHostMemoryBytes, "B",
                   "system RAM size: the capacity offloaded tensors (offload) are checked against; "
                   "a unified machine's memory size",
                   [](Scenario& s, const FieldValue& v) { s.host.memory_bytes = v.number; }),
            "64 GiB (unified: the machine's smallest memory option)"),
    derived(number("/hardware/host_bandwidth_bytes_per_s", "", kMinBandwidth, kMaxBandwidth, 0, "B/s",
                   "system RAM bandwidth (peak); layers and experts kept in RAM are read at it",
                   [](Scenario& s, const FieldValue& v) { s.host.bandwidth_bytes_per_s = v.number; }),
            "the host_memory preset's"),
    derived(number("/hardware/ram_read_efficiency", "--ram-read-efficiency", 0.01, 1, 0, "",
                   "fraction of the RAM's peak bandwidth llama.cpp's CPU part of a step reads at "
                   "(your own measurement: bytes read per token x tokens/s / peak)",
                   [](Scenario& s, const FieldValue& v) { s.host.read_efficiency = v.number; }),
            "the host_memory preset's (measured per platform: core/data/host_memory.json)"),
    [] {
      Field f = special("/hardware/cpu", "--cpu", FieldType::text,
                        "CPU preset (core/data/host_memory.json cpus: core-i9-10900x, ryzen-9-7950x, "
                        "ryzen-9-9950x, epyc-9654): its FP32 FMA peak bounds the matmuls llama.cpp "
                        "runs on the CPU (layers and experts in RAM)",
                        "");
      f.max = 64;
      f.store = [](Scenario& s, const FieldValue& v) { s.host.cpu_id = std::string(v.text); };
      return f;
    }(),
    derived(number("/hardware/cpu_flops", "--cpu-flops", 0, 1e15, 0, "FLOP/s",
                   "CPU matmul peak: prompt batches under 32 tokens and decode of the layers and "
                   "experts in RAM take at least their FLOPs over it (0 = not bounded: bandwidth only)",
                   [](Scenario& s, const FieldValue& v) { s.host.cpu_flops = v.number; }),
            "the cpu preset's, else 0"),
    number("/hardware/gpu_memory_limit_bytes", "--gpu-memory-limit", 0, 1e15, 0, "B",
           "unified-memory machines: the memory the GPU may wire (macOS: iogpu.wired_limit_mb x "
           "1 MiB); 0 = the default share of host_memory_bytes (Metal: 2/3 up to 32 GiB, 3/4 above)",
           [](Scenario& s, const FieldValue& v) { s.host.gpu_limit_bytes = v.number; }),
    number("/hardware/pcie_bandwidth_bytes_per_s", "", 1e8, kMaxBandwidth, kPcie4x16BytesPerS, "B/s",
           "host-to-GPU link, one direction (PCIe 4.0 x16); llama.cpp copies RAM-resident weights "
           "over it for prompt batches of 32+ tokens",
           [](Scenario& s, const FieldValue& v) { s.host.pcie_bandwidth_bytes_per_s = v.number; }),

    only(integer("/offload/gpu_layers", "--gpu-layers", -1, 100000, -1, "layers",
                 "llama.cpp -ngl: layer slots on the GPU, the output layer counting as one "
                 "(num_layers + 1 or -1 = all); the other layers stay in system RAM",
                 [](Scenario& s, const FieldValue& v) { s.offload.gpu_layers = v.integer; }),
         Applies::inference),
    only([] {
           Field f = special("/offload/tensor_split", "--tensor-split", FieldType::numbers,
                             "llama.cpp --tensor-split: one weight per GPU (hardware.gpu, then "
                             "extra_gpus); each GPU gets that share of the layer slots, in order",
                             "each GPU's memory size");
           f.min = 0;
           f.max = 1e15;
           return f;
         }(),
         Applies::inference),
    only(integer("/offload/cpu_moe_layers", "--n-cpu-moe", -1, 100000, 0, "layers",
                 "llama.cpp --n-cpu-moe N: the routed experts of layers 0..N-1 stay in system RAM "
                 "(-1 = every layer, --cpu-moe)",
                 [](Scenario& s, const FieldValue& v) { s.offload.cpu_moe_layers = v.integer; }),
         Applies::inference),
    only(derived(choice("/offload/backend", "--backend", enums::gpu_backend, "cuda",
                        "the GPU backend llama.cpp was built with: the latency of each hand-over "
                        "between the GPU and the CPU (--n-cpu-moe) or the next GPU",
                        [](Scenario& s, const FieldValue& v) { s.offload.backend = GpuBackend(v.choice); }),
                 "cuda (Intel GPUs: vulkan)"),
         Applies::inference),

    only(derived(choice("/options/activation_method", "--activation-method",
                        enums::activation_method, "detailed", "training activation formula",
                        [](Scenario& s, const FieldValue& v) {
                          s.options.activation_method = ActivationMethod(v.choice);
                        }),
                 "detailed (rules-of-thumb with method rules-of-thumb)"),
         Applies::training),
    boolean("/options/flash_attention", "--flash", true,
            "fused attention; false: eager attention materializes the score matrix",
            [](Scenario& s, const FieldValue& v) { s.options.flash_attention = v.boolean; }),
    only(choice("/options/logits", "--logits", enums::logits, "last",
                "inference logits for the last position only, or for every prompt position",
                [](Scenario& s, const FieldValue& v) { s.options.logits = LogitsScope(v.choice); }),
         Applies::inference),
    only(integer("/options/prefill_chunk", "--prefill-chunk", 0, kMaxTokens, 0, "tokens",
                 "prompt tokens per sequence per prefill step (0 = the engine's: vLLM's max_num_batched_tokens or SGLang's chunked_prefill_size shared by the batch; else the whole prompt)",
                 [](Scenario& s, const FieldValue& v) { s.options.prefill_chunk = v.integer; }),
         Applies::inference),
    only(integer("/options/kv_page_tokens", "--kv-page", 0, 65536, 0, "tokens",
                 "paged KV cache block size (vLLM: 16; 0 = not paged)",
                 [](Scenario& s, const FieldValue& v) { s.options.kv_page_tokens = v.integer; }),
         Applies::inference),
    // Off as engines default: vLLM's main model skips the MTP weights (vllm-project/vllm
    // vllm/model_executor/models/deepseek_v2.py @ b863fe5bf4e19680572603b4e166faefc5725551,
    // load_weights: "skip spec decode layers for main model") and loads them only as the draft
    // of speculative decoding; llama.cpp never loads them (context.cpp).
    only(boolean("/options/load_mtp", "--load-mtp", false,
                 "load the model's MTP (next-token-prediction) layers, as an engine does for "
                 "speculative decoding (vLLM --speculative-config method mtp); weights and params "
                 "include them",
                 [](Scenario& s, const FieldValue& v) { s.options.load_mtp = v.boolean; }),
         Applies::inference),
    // vLLM sets num_speculative_tokens to the model's num_nextn_predict_layers when the
    // speculative config leaves it out (vllm/config/speculative.py, method "mtp").
    only(derived(integer("/options/speculative_tokens", "--spec-tokens", 0, 16, 0, "tokens",
                         "draft tokens the MTP layers propose per decode step (load_mtp)",
                         [](Scenario& s, const FieldValue& v) { s.options.speculative_tokens = v.integer; }),
                 "one per MTP layer"),
         Applies::inference),
    only(number("/options/acceptance_rate", "--acceptance", 0, 1, kDefaultAcceptanceRate, "",
                "chance each draft token is accepted (load_mtp; DeepSeek-V3 report: 0.85-0.9)",
                [](Scenario& s, const FieldValue& v) { s.options.acceptance_rate = v.number; }),
         Applies::inference),
    boolean("/options/cuda_graphs", "--cuda-graphs", false,
            "steps launched as a CUDA graph: no per-step launch overhead",
            [](Scenario& s, const FieldValue& v) { s.options.cuda_graphs = v.boolean; }),
    number("/options/price_per_gpu_hour", "--price", 0, 1e6, 0, "USD/GPU-hour",
           "price of one GPU-hour, for cost figures (0 = no cost)",
           [](Scenario& s, const FieldValue& v) { s.options.price_per_gpu_hour = v.number; }),
    only(number("/options/training_efficiency", "--training-efficiency", 0.05, 1,
                kDefaultTrainingEfficiency, "",
                "end-to-end fraction of the roofline step rate a training framework reaches "
                "(calibrated, see docs/methodology.md)",
                [](Scenario& s, const FieldValue& v) { s.options.training_efficiency = v.number; }),
         Applies::training),

    derived(number("/overhead/cuda_context_bytes", "", 0, 1e12, kDefaultCudaContextBytes, "B",
                   "driver context and kernels loaded by the framework",
                   [](Scenario& s, const FieldValue& v) { s.overhead.cuda_context_bytes = v.number; }),
            "512 MiB (0 with rules-of-thumb)"),
    derived(number("/overhead/workspace_bytes", "", 0, 1e12, kDefaultWorkspaceBytes, "B",
                   "cuBLAS and attention library workspaces",
                   [](Scenario& s, const FieldValue& v) { s.overhead.workspace_bytes = v.number; }),
            "64 MiB (0 with rules-of-thumb)"),
    derived(number("/overhead/comm_buffer_bytes", "", 0, 1e12, 0, "B",
                   "NCCL and custom all-reduce buffers",
                   [](Scenario& s, const FieldValue& v) { s.overhead.comm_buffer_bytes = v.number; }),
            "the engine's with tp > 1, else 0"),
    number("/overhead/fragmentation_fraction", "", 0, 1, 0, "",
           "caching-allocator slack, as a fraction of tensor bytes",
           [](Scenario& s, const FieldValue& v) { s.overhead.fragmentation_fraction = v.number; }),
    derived(number("/overhead/step_overhead_s", "--step-overhead", 0, 10, 0, "s",
                   "fixed time per forward step: kernel launches, framework",
                   [](Scenario& s, const FieldValue& v) { s.overhead.step_overhead_s = v.number; }),
            "layers x 20 us (0 with cuda_graphs)"),
};

constexpr std::string_view kObjects[] = {"/precision",  "/workload", "/training", "/training/lora",
                                         "/parallelism", "/hardware", "/offload",  "/options",
                                         "/overhead"};

}  // namespace

std::span<const Field> scenario_fields() { return kFields; }
std::span<const std::string_view> scenario_objects() { return kObjects; }

const Field* find_field(std::string_view pointer) {
  for (const auto& f : kFields)
    if (f.pointer == pointer) return &f;
  return nullptr;
}

const Field* find_flag(std::string_view flag) {
  if (flag.empty()) return nullptr;
  for (const auto& f : kFields)
    if (f.flag == flag) return &f;
  return nullptr;
}

bool Scenario::gave(std::string_view pointer) const {
  return std::find(given.begin(), given.end(), pointer) != given.end();
}

bool Scenario::weights_as_checkpoint() const {
  return precision.as_checkpoint || !gave("/precision/weights");
}

std::string_view mode_name(Mode m) { return enums::mode.name_of(int(m)); }
std::string_view method_name(Method m) { return enums::method.name_of(int(m)); }
std::string_view activation_method_name(ActivationMethod m) {
  return enums::activation_method.name_of(int(m));
}
std::string_view optimizer_name(Optimizer o) { return enums::optimizer.name_of(int(o)); }
std::string_view checkpointing_name(Checkpointing c) {
  return enums::checkpointing.name_of(int(c));
}
std::string_view finetune_name(Finetune f) { return enums::finetune.name_of(int(f)); }

}  // namespace llmcalc
