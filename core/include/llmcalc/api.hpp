#pragma once
// JSON text in, JSON text out: the boundary shared by the CLI, the WASM module and tests.
// Every function returns {"ok":true,...} or {"ok":false,"errors":[{path,code,message}]};
// none throws, whatever the input.

#include <string>
#include <string_view>

namespace llmcalc {

// {"ok":true,"report":{...}}
std::string estimate_json(std::string_view scenario);
// spec: {"vary":"batch|seq|prompt|generate|grad_accum|gpu","values":[...]}
// -> {"ok":true,"vary":..., "points":[{"value","label","report"}]} or, with "compact":true
// in spec, columnar series {"values":[...], "series":{"total_bytes":[...], ...}}.
std::string sweep_json(std::string_view scenario, std::string_view spec);
// question: {"question":"max-batch|max-context|min-gpus|knee"}
std::string solve_json(std::string_view scenario, std::string_view question);
// goals: {"context": N | "max", "min_quality": "Q4", "margin_bytes", "weights": [...],
// "kv_cache": [...], "prefer": "quality|speed", ...} (plan_goal_fields) -> {"ok":true,
// "found", "explanation", "ranked":[{weights, kv_cache, context, devices, decode_tokens_per_s,
// why, scenario_changes}], "commands":[{engine, command, lines?, note?}] | "closest_miss"}.
std::string plan_json(std::string_view scenario, std::string_view goals);
std::string models_json();
std::string gpus_json();
// The report's tables: memory-item kinds {id, label, group} in stacking order, and phase kinds.
std::string kinds_json();
// {"ok":true,"engines":[{"id","name","modes","policy","options":[{"name","type","default",
// "choices"?,"doc"}],"sources":{...}}]}: the engine picker's list.
std::string engines_json();
// A Hugging Face config.json -> {"ok":true,"model":{"id","name","architecture","params"}}
std::string import_hf_config_json(std::string_view config);
// The first bytes of a GGUF file -> {"ok":true,"model":{architecture,name,gguf:{file_type,
// tensor_types}},"gguf":{architecture,name,tensors,weight_bytes,context_length,header_bytes}};
// the model object goes in a scenario's /model as is. When the bytes end inside the header:
// {"ok":false,"need_bytes":N,"errors":[{code:"truncated"}]}: read at least N bytes and retry.
// file_size (0 = unknown) lets it check that tensors lie within the file.
std::string import_gguf_json(std::string_view bytes, double file_size);
// A preset -> {"ok":true,"config":{...HF config.json...}}
std::string export_hf_config_json(std::string_view model_id);

std::string_view version();

}  // namespace llmcalc
