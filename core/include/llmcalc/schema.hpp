#pragma once
// The scenario schema: one table of fields (JSON pointer, CLI flag, type, range, default,
// unit, help) and one name table per enum. The scenario reader runs on it; the CLI's flags
// and --help, docs/scenario.md's field table, the Scenario declarations in
// wasm/js/llmcalc.d.ts, `llmcalc schema --json` and the page's input ranges come from it.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "llmcalc/error.hpp"
#include "llmcalc/scenario.hpp"

namespace llmcalc {

// One enum value and its name in JSON, CLI flags and reports.
struct EnumName {
  int value;
  std::string_view name;
  std::string_view help = {};
};

// An enum's names. Aliases are accepted on input (old links and scenarios) and never written.
struct EnumTable {
  std::string_view id;  // the TypeScript type name: "Dtype", "Optimizer", ...
  std::span<const EnumName> names;
  std::span<const EnumName> aliases = {};

  std::optional<int> parse(std::string_view name) const;
  std::string_view name_of(int value) const;  // "" for a value outside the table
  std::string list() const;                   // "fp32, fp16, bf16" for messages
};

namespace enums {
extern const EnumTable dtype, weight_format, kv_dtype, wide_dtype, activation_dtype, state_dtype, master_weights,
    mode, method,
    activation_method, optimizer, checkpointing, finetune, logits, lora_module, gpu_backend;
}

// weight_format values from kGgufMixBase on are GGUF mixes (Precision::gguf_mix); below, Dtypes.
inline constexpr int kGgufMixBase = 100;
// weight_format "checkpoint": the checkpoint's own formats, as when the field is left out.
inline constexpr int kWeightsAsCheckpoint = 99;
// The GGUF mix names weight_format accepts, in core/data/gguf_types.json's order (tested).
std::span<const EnumName> gguf_mix_names();

enum class FieldType {
  integer,       // a JSON integer (a whole double is accepted); int64 in the Scenario
  number,        // a finite JSON number
  boolean,
  choice,        // one name of `choices`
  text,          // a string of printable characters, at most `max` bytes
  model,         // a preset id, or {preset | architecture | hf_config, name}
  gpu,           // a GPU preset id or "custom"
  lora_targets,  // "all-linear" or an array of distinct lora_module names
  rates,         // an object: dtype name -> number (peak FLOP/s)
  engine,        // an engine profile id (core/data/engines)
  engine_options,  // an object of the engine's own options (docs/engines.md)
  gpu_list,      // an array of GPU preset ids (at most `max`)
  numbers,       // an array of numbers in [min, max] (one per GPU)
};

enum class Applies { always, inference, training };

// A field's value as the reader hands it to the field's store function.
struct FieldValue {
  int64_t integer = 0;
  double number = 0;
  bool boolean = false;
  int choice = 0;
  std::string_view text;
};

struct Field {
  std::string_view pointer;  // JSON pointer: "/workload/batch"
  std::string_view flag;     // CLI flag: "--batch"; empty when there is none
  FieldType type;
  double min = 0;  // integer, number, rates: inclusive range; text: min 0, max = bytes
  double max = 0;
  const EnumTable* choices = nullptr;
  double default_number = 0;       // integer, number, boolean (0/1)
  std::string_view default_name{};  // choice, text, gpu
  std::string_view derived{};      // when set, resolve_defaults() derives the default: how
  std::string_view unit{};         // "tokens", "B", "B/s", "FLOP/s", "s", "USD/GPU-hour"
  Applies applies = Applies::always;
  bool required = false;
  bool nullable = false;  // accepts JSON null (no field does today; see docs/scenario.md)
  bool gpu_shape = false;  // a number of the GPU shape, read with the GPU (model/gpu_shape.hpp)
  std::string_view help{};
  void (*store)(Scenario&, const FieldValue&) = nullptr;

  std::string_view key() const { return pointer.substr(pointer.rfind('/') + 1); }
  std::string_view parent() const { return pointer.substr(0, pointer.rfind('/')); }
  bool has_static_default() const { return derived.empty() && !required; }
  // The default as docs and --help show it.
  std::string default_text() const;
};

// Every scenario field, in reading order (model and mode first: other defaults depend on them).
std::span<const Field> scenario_fields();
const Field* find_field(std::string_view pointer);
const Field* find_flag(std::string_view flag);
// The JSON objects of a scenario ("/precision", "/training/lora", ...), in reading order.
std::span<const std::string_view> scenario_objects();

// Scenario limits shared with the sweeps, solvers and the page.
inline constexpr int64_t kMaxBatch = 1'000'000;
inline constexpr int64_t kMaxTokens = 100'000'000;  // 100M-token contexts are beyond any model
inline constexpr int64_t kMaxDegree = 65'536;
inline constexpr int64_t kMaxGpus = 1'000'000;

// Fills every default that depends on other fields (QLoRA means nf4 weights, hardware.count
// implies a layout, ...); each rule says why. parse_scenario() runs it after reading.
void resolve_defaults(Scenario& s);

// Renderings of the schema (docs, types, `llmcalc schema --json`, the WASM schema()).
std::string schema_json();             // {"fields":[...],"enums":{...},"error_codes":[...]}
std::string schema_markdown_table();   // the field table of docs/scenario.md
std::string schema_typescript();       // the Scenario part of wasm/js/llmcalc.d.ts
std::string error_codes_markdown();    // the error-code list of docs/scenario.md

}  // namespace llmcalc
