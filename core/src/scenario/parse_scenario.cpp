// The scenario reader: runs over the schema's field table (schema.cpp), then resolve_defaults()
// and the checks that involve several fields.
#include <algorithm>
#include <cmath>

#include "../model/architecture_json.hpp"
#include "../model/gpu_shape.hpp"
#include "check_local.hpp"
#include "../model/gguf_model.hpp"
#include "../model/hf_config.hpp"
#include "../json/json_reader.hpp"
#include "../text/number_format.hpp"
#include "llmcalc/catalog.hpp"
#include "llmcalc/engine.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"
#include "llmcalc/tensors.hpp"

namespace llmcalc {

using json_io::ObjectReader;
using json_io::quote;
using nlohmann::json;

namespace {

bool printable(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

class ScenarioReader {
 public:
  ScenarioReader(const json& root, Errors& errors) : root_(root), errors_(errors) {}

  std::optional<Scenario> read() {
    check_objects();
    Scenario s;
    for (std::string_view o : scenario_objects())
      if (lookup(o) != nullptr) s.given.push_back(o);
    std::optional<ModelSpec> model;
    for (const Field& f : scenario_fields()) {
      const json* v = lookup(f.pointer);
      if (f.gpu_shape) {  // read with the GPU, in read_gpu(), nulls included
        if (v != nullptr) s.given.push_back(f.pointer);
        continue;
      }
      if (v != nullptr && v->is_null() && !f.nullable) {
        fail(f, ErrorCode::wrong_type, "must be " + expected(f) + ", got null (leave the field out for its default)");
        continue;
      }
      if (v != nullptr) s.given.push_back(f.pointer);
      switch (f.type) {
        case FieldType::model: model = read_model(v); break;
        case FieldType::gpu: read_gpu(v, s); break;
        case FieldType::lora_targets: read_lora_targets(v, s); break;
        case FieldType::engine: read_engine(v, s); break;
        case FieldType::engine_options: read_engine_options(v, s); break;
        case FieldType::gpu_list: read_extra_gpus(f, v, s); break;
        case FieldType::numbers: read_tensor_split(f, v, s); break;
        default: read_plain(f, v, s); break;
      }
    }
    if (!model) {
      if (errors_.empty()) errors_.push_back(make_error("/model", ErrorCode::missing_field, "could not be read"));
      return std::nullopt;
    }
    s.model = std::move(*model);
    resolve_defaults(s);
    check(s);
    note_inputs_that_do_not_apply(s);
    if (!errors_.empty()) return std::nullopt;
    return s;
  }

 private:
  // The value at a pointer, or nullptr when it or an object on the way is absent.
  const json* lookup(std::string_view pointer) const {
    const json* cur = &root_;
    size_t pos = 1;
    while (pos <= pointer.size()) {
      const size_t next = std::min(pointer.find('/', pos), pointer.size());
      if (!cur->is_object()) return nullptr;
      const auto it = cur->find(pointer.substr(pos, next - pos));
      if (it == cur->end()) return nullptr;
      cur = &*it;
      pos = next + 1;
    }
    return cur;
  }

  void fail(const Field& f, ErrorCode code, std::string message) {
    errors_.push_back(make_error(std::string(f.pointer), code, std::move(message)));
  }

  static std::string expected(const Field& f) {
    switch (f.type) {
      case FieldType::integer: return "an integer";
      case FieldType::number: return "a number";
      case FieldType::boolean: return "true or false";
      case FieldType::choice: return "one of: " + f.choices->list();
      case FieldType::rates: return "an object of dtype: FLOP/s";
      case FieldType::lora_targets: return "\"all-linear\" or an array of module names";
      case FieldType::model: return "a preset id or an object";
      case FieldType::gpu_list: return "an array of GPU preset ids";
      case FieldType::numbers: return "an array of numbers";
      default: return "a string";
    }
  }

  // Every object of the scenario must be an object and hold only the schema's keys.
  void check_objects() {
    auto keys_under = [](std::string_view parent) {
      std::vector<std::string_view> keys;
      auto add = [&](std::string_view pointer) {
        if (pointer.substr(0, pointer.rfind('/')) == parent) keys.push_back(pointer.substr(pointer.rfind('/') + 1));
      };
      for (const Field& f : scenario_fields()) add(f.pointer);
      for (std::string_view o : scenario_objects()) add(o);
      return keys;
    };
    auto check = [&](std::string_view pointer, const json& obj) {
      const auto keys = keys_under(pointer);
      std::string list;
      for (auto k : keys) (list += list.empty() ? "" : ", ") += k;
      for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (std::find(keys.begin(), keys.end(), it.key()) != keys.end()) continue;
        errors_.push_back(make_error(std::string(pointer) + "/" + json_io::escape_pointer_token(it.key()),
                                     ErrorCode::unknown_field,
                                     "unknown field " + quote(it.key()) + "; expected one of: " + list));
      }
    };
    check("", root_);
    for (std::string_view o : scenario_objects()) {
      const json* v = lookup(o);
      if (v == nullptr) continue;
      if (!v->is_object()) {
        errors_.push_back(make_error(std::string(o), ErrorCode::wrong_type,
                                     "must be an object, got " + json_io::type_name(*v)));
        continue;
      }
      check(o, *v);
    }
  }

  void read_plain(const Field& f, const json* v, Scenario& s) {
    FieldValue value;
    if (v == nullptr) {
      if (f.required) fail(f, ErrorCode::missing_field, "is required");
      if (!f.has_static_default() || f.store == nullptr) return;
      value.integer = static_cast<int64_t>(f.default_number);
      value.number = f.default_number;
      value.boolean = f.default_number != 0;
      value.text = f.default_name;
      if (f.type == FieldType::choice) value.choice = *f.choices->parse(f.default_name);
      f.store(s, value);
      return;
    }
    const std::string path(f.pointer);
    switch (f.type) {
      case FieldType::integer: {
        auto i = json_io::as_integer(*v, path, int64_t(f.min), int64_t(f.max), errors_);
        if (!i) return;
        value.integer = *i;
        break;
      }
      case FieldType::number: {
        auto d = json_io::as_number(*v, path, f.min, f.max, errors_);
        if (!d) return;
        value.number = *d;
        break;
      }
      case FieldType::boolean:
        if (!v->is_boolean()) return fail(f, ErrorCode::wrong_type, "must be true or false, got " + json_io::type_name(*v));
        value.boolean = v->get<bool>();
        break;
      case FieldType::choice: {
        if (!v->is_string())
          return fail(f, ErrorCode::wrong_type, "must be " + expected(f) + "; got " + json_io::type_name(*v));
        auto c = f.choices->parse(v->get_ref<const std::string&>());
        if (!c)
          return fail(f, ErrorCode::unknown_value,
                      "must be one of: " + f.choices->list() + "; got " + quote(v->get_ref<const std::string&>()));
        value.choice = *c;
        break;
      }
      case FieldType::text: {
        if (!v->is_string()) return fail(f, ErrorCode::wrong_type, "must be a string, got " + json_io::type_name(*v));
        const auto& t = v->get_ref<const std::string&>();
        if (t.size() > f.max)
          return fail(f, ErrorCode::out_of_range,
                      "must be at most " + std::to_string(int64_t(f.max)) + " bytes, got " + std::to_string(t.size()));
        if (!printable(t)) return fail(f, ErrorCode::wrong_type, "must be printable text, got " + quote(t));
        value.text = t;
        break;
      }
      default: return;
    }
    if (f.store) f.store(s, value);
    if (f.applies != Applies::always && !is_default(f, value)) inapplicable_.push_back(&f);
  }

  static bool is_default(const Field& f, const FieldValue& v) {
    if (!f.derived.empty()) return false;  // stated explicitly
    switch (f.type) {
      case FieldType::integer: return double(v.integer) == f.default_number;
      case FieldType::number: return v.number == f.default_number;
      case FieldType::boolean: return v.boolean == (f.default_number != 0);
      case FieldType::choice: return f.choices->name_of(v.choice) == f.default_name;
      default: return false;
    }
  }

  std::optional<ModelSpec> read_model(const json* m) {
    if (m == nullptr) {
      errors_.push_back(make_error("/model", ErrorCode::missing_field,
                                   "is required: a preset id, {\"architecture\": ...} or {\"hf_config\": ...}"));
      return std::nullopt;
    }
    auto preset = [&](const std::string& id, const std::string& path) -> std::optional<ModelSpec> {
      if (const ModelPreset* p = find_model(id)) return p->spec;
      errors_.push_back(make_error(path, ErrorCode::unknown_preset,
                                   "no model preset " + quote(id) + " (see `llmcalc list models`)"));
      return std::nullopt;
    };
    if (m->is_string()) return preset(m->get<std::string>(), "/model");
    ObjectReader r(m, "/model", errors_);
    if (!r.valid()) return std::nullopt;
    r.reject_unknown({"preset", "architecture", "hf_config", "name", "safetensors_index",
                      "hf_quant_config", "gguf"});
    const int sources = int(r.has("preset")) + int(r.has("architecture")) + int(r.has("hf_config"));
    if (sources != 1) {
      errors_.push_back(make_error("/model", ErrorCode::invalid_choice,
                                   "give exactly one of preset, architecture or hf_config"));
      return std::nullopt;
    }
    if (r.has("gguf") && !r.has("architecture"))
      r.error("gguf", "inconsistent", "goes with an architecture (what llmcalc --gguf writes)");
    std::optional<ModelSpec> spec;
    if (r.has("preset")) {
      if (auto id = r.string("preset")) spec = preset(*id, "/model/preset");
    } else if (r.has("architecture")) {
      ObjectReader a = r.object("architecture");
      if (!a.valid()) return std::nullopt;
      if (auto arch = read_architecture(a)) {
        spec = ModelSpec{};
        spec->id = "custom";
        spec->name = "Custom architecture";
        spec->arch = *arch;
        // What a GGUF file stores (llmcalc --gguf, import_gguf): exact weight bytes.
        if (r.has("gguf")) {
          ObjectReader g = r.object("gguf");
          if (auto storage = gguf::read_storage(g)) spec->gguf = std::move(*storage);
          else if (!g.valid()) return std::nullopt;
        }
      }
    } else {
      const json* hf = r.strict("hf_config", "an object");
      if (hf == nullptr) return std::nullopt;
      // The importer reads null as "unset" itself (HF writes "sliding_window": null).
      spec = import_hf_config(*hf, "/model/hf_config", errors_);
      // A config's _name_or_path is shown in reports and terminals: no control characters.
      if (spec && !printable(spec->name)) spec->name = quote(spec->name, 120);
    }
    // The checkpoint's companions: hf_quant_config.json sets its formats, and
    // model.safetensors.index.json's total_size is shown beside the computed bytes.
    if (spec && (r.has("safetensors_index") || r.has("hf_quant_config"))) {
      const json* index = r.has("safetensors_index") ? r.strict("safetensors_index", "an object") : nullptr;
      const json* quant = r.has("hf_quant_config") ? r.strict("hf_quant_config", "an object") : nullptr;
      if (r.has("safetensors_index") && index == nullptr) return std::nullopt;
      if (r.has("hf_quant_config") && quant == nullptr) return std::nullopt;
      const size_t before = errors_.size();
      apply_hf_companions(*spec, quant, index, "/model", errors_);
      if (errors_.size() != before) return std::nullopt;
    }
    if (spec && r.has("name")) {
      const json* name = r.strict("name", "a string");
      if (name != nullptr && !name->is_string()) {
        r.error("name", "wrong_type", "must be a string, got " + json_io::type_name(*name));
      } else if (name != nullptr) {
        const auto& t = name->get_ref<const std::string&>();
        if (t.size() > 120)
          r.error("name", "out_of_range", "must be at most 120 bytes, got " + std::to_string(t.size()));
        else if (!printable(t))
          r.error("name", "wrong_type", "must be printable text, got " + quote(t));
        else
          spec->name = t;
      }
    }
    return spec;
  }

  // "hardware": a preset (or a custom GPU), then the overrides the scenario gives, read by the
  // function that reads GPU data files (model/gpu_shape.hpp), so both take the same keys and ranges.
  void read_gpu(const json* v, Scenario& s) {
    pick_gpu(v, s);
    const json* hw = lookup("/hardware");
    if (hw != nullptr && hw->is_object()) {
      json_io::ObjectReader r(hw, "/hardware", errors_);
      read_gpu_shape(r, s.gpu, GpuRead::overrides);
    }
  }

  void pick_gpu(const json* v, Scenario& s) {
    std::string id;
    if (v == nullptr) {
      id = lookup("/hardware/memory_bytes") != nullptr ? "custom" : "h100-sxm";
    } else if (!v->is_string()) {
      errors_.push_back(make_error("/hardware/gpu", ErrorCode::wrong_type,
                                   "must be a GPU preset id or \"custom\", got " + json_io::type_name(*v)));
      return;
    } else {
      id = v->get<std::string>();
    }
    if (id == "custom") {
      s.gpu = Gpu{};
      s.gpu.id = "custom";
      s.gpu.name = "Custom GPU";
      if (lookup("/hardware/memory_bytes") == nullptr)
        errors_.push_back(make_error("/hardware/memory_bytes", ErrorCode::missing_field,
                                     "is required for a custom GPU"));
    } else if (const GpuPreset* g = find_gpu(id)) {
      s.gpu = g->gpu;
    } else if (const UnifiedPreset* u = find_unified(id)) {
      s.gpu = u->gpu;  // memory_bytes: resolve_defaults(), from the RAM size
      s.host.unified = true;
    } else {
      errors_.push_back(make_error("/hardware/gpu", ErrorCode::unknown_preset,
                                   "no GPU preset " + quote(id) + " (see `llmcalc list gpus`)"));
    }
  }

  // An array field's items, each with its own pointer, once the array itself is of the right
  // shape (at least `min_items`, at most the field's max items); `what` names an item.
  template <typename Item>
  void for_each_item(const Field& f, const json* v, size_t min_items, size_t max_items,
                     std::string_view what, Item item) {
    if (!v->is_array() || v->size() < min_items || v->size() > max_items) {
      fail(f, ErrorCode::wrong_type,
           "must be an array of " + std::string(min_items > 0 ? "1" : "0") + " to " +
               format_number(double(max_items)) + " " + std::string(what) + ", got " +
               (v->is_array() ? std::to_string(v->size()) + " items" : json_io::type_name(*v)));
      return;
    }
    for (size_t i = 0; i < v->size(); ++i) item(std::string(f.pointer) + "/" + std::to_string(i), (*v)[i]);
  }

  // hardware.extra_gpus: GPU presets (discrete cards: a custom or unified machine has no second
  // GPU to name here).
  void read_extra_gpus(const Field& f, const json* v, Scenario& s) {
    s.extra_gpus.clear();
    if (v == nullptr) return;
    for_each_item(f, v, 0, size_t(f.max), "GPU preset ids", [&](const std::string& at, const json& g) {
      const GpuPreset* p = g.is_string() ? find_gpu(g.get<std::string>()) : nullptr;
      if (!g.is_string())
        errors_.push_back(make_error(at, ErrorCode::wrong_type, "must be a GPU preset id, got " + json_io::type_name(g)));
      else if (p == nullptr)
        errors_.push_back(make_error(at, ErrorCode::unknown_preset,
                                     "no GPU preset " + quote(g.get<std::string>()) + " (see `llmcalc list gpus`)"));
      else
        s.extra_gpus.push_back(p->gpu);
    });
  }

  // offload.tensor_split: one finite weight per GPU (at most the main GPU plus its extra GPUs),
  // checked against the GPU count in check_offload().
  void read_tensor_split(const Field& f, const json* v, Scenario& s) {
    s.offload.tensor_split.clear();
    if (v == nullptr) return;
    // One weight per GPU: the main GPU and at most extra_gpus' max.
    const size_t max_gpus = size_t(find_field("/hardware/extra_gpus")->max) + 1;
    for_each_item(f, v, 1, max_gpus, "numbers", [&](const std::string& at, const json& x) {
      const double d = x.is_number() ? x.get<double>() : 0.0;
      if (!x.is_number())
        errors_.push_back(make_error(at, ErrorCode::wrong_type, "must be a number, got " + json_io::type_name(x)));
      else if (!(d >= f.min && d <= f.max))
        errors_.push_back(make_error(at, ErrorCode::out_of_range, "must be " + format_number(f.min) + " to " +
                                                                      format_number(f.max) + ", got " + format_number(d)));
      else
        s.offload.tensor_split.push_back(d);
    });
  }

  // "engine": a profile id (default generic). Whether it can run the scenario is decided in
  // resolve_defaults(), once the mode and GPU are known.
  void read_engine(const json* v, Scenario& s) {
    if (v == nullptr) return;
    if (!v->is_string()) {
      errors_.push_back(make_error("/engine", ErrorCode::wrong_type,
                                   "must be an engine id, got " + json_io::type_name(*v)));
      return;
    }
    const std::string id = v->get<std::string>();
    const EngineProfile* e = find_engine(id);
    if (e == nullptr) {
      std::string list;
      for (const auto& p : engine_profiles()) list += (list.empty() ? "" : ", ") + p.id;
      errors_.push_back(make_error("/engine", ErrorCode::unknown_preset,
                                   "no engine " + quote(id) + " (one of: " + list + ")"));
      return;
    }
    s.engine.profile = e;
    s.engine.options = e->options;
  }

  // "engine_options": only the options the chosen engine has, each checked by its type.
  void read_engine_options(const json* v, Scenario& s) {
    if (v == nullptr) return;
    const std::string base = "/engine_options";
    if (!v->is_object()) {
      errors_.push_back(make_error(base, ErrorCode::wrong_type,
                                   "must be an object of the engine's options, got " + json_io::type_name(*v)));
      return;
    }
    const EngineProfile* e = s.engine.profile;
    for (auto it = v->begin(); it != v->end(); ++it) {
      const std::string& k = it.key();
      const std::string path = base + "/" + json_io::escape_pointer_token(k);
      const EngineOptionInfo* info = find_engine_option(k);
      if (e == nullptr || info == nullptr || !e->options.defined(info->option)) {
        std::string list;
        if (e != nullptr)
          for (const auto& o : engine_options())
            if (e->options.defined(o.option)) list += (list.empty() ? "" : ", ") + std::string(o.name);
        const std::string engine = e != nullptr ? e->id : "generic";
        errors_.push_back(make_error(path, ErrorCode::unknown_field,
                                     "engine " + engine + " has no option " + quote(k) +
                                         (list.empty() ? " (it has none)" : " (its options: " + list + ")")));
        continue;
      }
      const json& x = it.value();
      std::optional<double> value;
      switch (info->type) {
        case OptionType::fraction:
          if (auto d = json_io::as_number(x, path, 0, 1, errors_)) {
            if (*d == 0 && !info->zero_derived)
              errors_.push_back(make_error(path, ErrorCode::out_of_range,
                                           "must be in (0, 1], got " + format_number(*d)));
            else value = *d;
          }
          break;
        case OptionType::integer:
          if (auto i = json_io::as_integer(x, path, info->min, info->max, errors_)) value = double(*i);
          break;
        case OptionType::boolean:
          if (!x.is_boolean()) errors_.push_back(make_error(path, ErrorCode::wrong_type,
                                                            "must be true or false, got " + json_io::type_name(x)));
          else value = x.get<bool>() ? 1.0 : 0.0;
          break;
        case OptionType::choice: {
          const auto& c = info->choices;
          const auto found = x.is_string() ? std::find(c.begin(), c.end(), x.get<std::string>()) : c.end();
          if (found == c.end()) {
            std::string list;
            for (const auto& n : c) list += (list.empty() ? "" : ", ") + std::string(n);
            errors_.push_back(make_error(path, x.is_string() ? ErrorCode::unknown_value : ErrorCode::wrong_type,
                                         "must be one of: " + list));
          } else {
            value = double(found - c.begin());
          }
          break;
        }
      }
      if (value) s.engine.options.set(info->option, *value);
    }
  }

  void read_lora_targets(const json* v, Scenario& s) {
    auto& targets = s.training.lora.targets;
    targets.clear();
    const auto& modules = enums::lora_module.names;
    const std::string path = "/training/lora/targets";
    listed_targets_ = v != nullptr && v->is_array();
    if (v == nullptr || (v->is_string() && v->get_ref<const std::string&>() == "all-linear")) {
      for (const auto& m : modules) targets.emplace_back(m.name);
      return;
    }
    if (!v->is_array() || v->empty() || v->size() > modules.size()) {
      errors_.push_back(make_error(path, ErrorCode::wrong_type,
                                   "must be \"all-linear\" or a non-empty array of at most " +
                                       std::to_string(modules.size()) + " module names"));
      return;
    }
    for (size_t i = 0; i < v->size(); ++i) {
      const json& t = (*v)[i];
      const std::string at = path + "/" + std::to_string(i);
      if (!t.is_string() || !enums::lora_module.parse(t.get_ref<const std::string&>())) {
        errors_.push_back(make_error(at, ErrorCode::unknown_value,
                                     "must be one of: " + enums::lora_module.list() +
                                         (t.is_string() ? "; got " + quote(t.get_ref<const std::string&>()) : "")));
        continue;
      }
      const std::string& name = t.get_ref<const std::string&>();
      // Listed twice, a module would be counted twice in the adapter formula.
      if (std::find(targets.begin(), targets.end(), name) != targets.end()) {
        errors_.push_back(make_error(at, ErrorCode::duplicate, "module " + quote(name) + " is listed twice"));
        continue;
      }
      targets.push_back(name);
    }
  }

  // System RAM and llama.cpp's offload (issue 15): each value against the model and layout.
  void check_offload(const Scenario& s) {
    if (find_host_memory(s.host.id) == nullptr) {
      std::string ids;
      for (const auto& h : host_memory_presets()) (ids += ids.empty() ? "" : ", ") += h.id;
      errors_.push_back(make_error("/hardware/host_memory", ErrorCode::unknown_preset,
                                   "no system RAM preset " + quote(s.host.id) + "; one of: " + ids));
    }
    if (!s.host.cpu_id.empty() && find_cpu(s.host.cpu_id) == nullptr) {
      std::string ids;
      for (const auto& c : cpu_presets()) (ids += ids.empty() ? "" : ", ") += c.id;
      errors_.push_back(make_error("/hardware/cpu", ErrorCode::unknown_preset,
                                   "no CPU preset " + quote(s.host.cpu_id) + "; one of: " + ids));
    }
    if (s.host.gpu_limit_bytes > 0 && !s.host.unified)
      errors_.push_back(make_error("/hardware/gpu_memory_limit_bytes", ErrorCode::inconsistent,
                                   "applies to unified-memory machines (hardware.gpu apple-*, "
                                   "amd-ryzen-ai-max-395, nvidia-dgx-spark); " + s.gpu.name + " has its own memory"));
    else if (s.host.gpu_limit_bytes > s.host.memory_bytes)
      errors_.push_back(make_error("/hardware/gpu_memory_limit_bytes", ErrorCode::out_of_range,
                                   "must not exceed the machine's memory (host_memory_bytes " +
                                       format_number(s.host.memory_bytes) + ")"));
    if (s.host.unified && s.gpu.memory_bytes <= 0)
      errors_.push_back(make_error("/hardware/gpu_memory_limit_bytes", ErrorCode::missing_field,
                                   s.gpu.name + " has no default GPU share of its memory in the data; "
                                   "give the memory the GPU may use"));
    if (!s.extra_gpus.empty() && s.mode != Mode::inference)
      errors_.push_back(make_error("/hardware/extra_gpus", ErrorCode::inconsistent,
                                   "applies to inference (llama.cpp's layer split); training spreads "
                                   "over GPUs with parallelism.tp / pp / dp"));
    else if (!s.extra_gpus.empty() && s.host.unified)
      errors_.push_back(make_error("/hardware/extra_gpus", ErrorCode::inconsistent,
                                   s.gpu.name + " is a unified-memory machine; extra_gpus are discrete "
                                   "GPUs beside a discrete hardware.gpu"));
    if (!s.offload.enabled) return;
    const Architecture& a = s.model.arch;
    const size_t gpus = 1 + s.extra_gpus.size();
    if (!s.offload.tensor_split.empty() && s.gave("/offload/tensor_split")) {
      double sum = 0;
      for (double w : s.offload.tensor_split) sum += w;
      if (s.offload.tensor_split.size() != gpus)
        errors_.push_back(make_error("/offload/tensor_split", ErrorCode::inconsistent,
                                     "must give one weight per GPU (hardware.gpu and " +
                                         std::to_string(s.extra_gpus.size()) + " extra_gpus: " +
                                         std::to_string(gpus) + "), got " +
                                         std::to_string(s.offload.tensor_split.size())));
      else if (sum <= 0)
        errors_.push_back(make_error("/offload/tensor_split", ErrorCode::out_of_range,
                                     "must not be all 0 (llama.cpp then splits by free memory: "
                                     "leave the field out for that)"));
    }
    const int64_t slots = a.num_layers + 1;  // llama.cpp counts the output layer as one more
    if (s.offload.gpu_layers > slots)
      errors_.push_back(make_error("/offload/gpu_layers", ErrorCode::out_of_range,
                                   "must be at most " + std::to_string(slots) + " (num_layers " +
                                       std::to_string(a.num_layers) +
                                       " + the output layer; -1 = all), got " +
                                       std::to_string(s.offload.gpu_layers)));
    if (s.offload.cpu_moe_layers != 0 && !a.moe)
      errors_.push_back(make_error("/offload/cpu_moe_layers", ErrorCode::inconsistent,
                                   "applies to mixture-of-experts models; " + s.model.name +
                                       " has no routed experts"));
    else if (s.offload.cpu_moe_layers > a.num_layers)
      errors_.push_back(make_error("/offload/cpu_moe_layers", ErrorCode::out_of_range,
                                   "must be at most num_layers (" + std::to_string(a.num_layers) +
                                       "; -1 = all), got " + std::to_string(s.offload.cpu_moe_layers)));
    const Parallelism& l = s.parallelism;
    if (l.tp * l.pp * l.dp > 1)
      errors_.push_back(make_error("/offload", ErrorCode::inconsistent,
                                   "llama.cpp's split (offload, extra_gpus) is modelled with tp, pp and "
                                   "dp 1: name the other GPUs in hardware.extra_gpus"));
  }

  // Rules between fields, after the defaults are resolved.
  void check(const Scenario& s) {
    const Precision& p = s.precision;
    const Architecture& a = s.model.arch;
    if (p.group_size > 0 && p.weights != Dtype::int4 && p.weights != Dtype::int8)
      errors_.push_back(make_error("/precision/group_size", ErrorCode::inconsistent,
                                   "applies only to int4 and int8 weights"));
    if (s.workload.prompt + s.workload.generate > kMaxTokens)
      errors_.push_back(make_error("/workload/generate", ErrorCode::out_of_range,
                                   "prompt + generate must not exceed " + std::to_string(kMaxTokens) + " tokens"));
    const Parallelism& l = s.parallelism;
    const int64_t layout = l.tp * l.pp * l.dp;
    if (s.gave("/hardware/count") && s.gpu_count != layout)
      errors_.push_back(make_error("/hardware/count", ErrorCode::inconsistent,
                                   "count (" + std::to_string(s.gpu_count) + ") must equal tp x pp x dp (" +
                                       std::to_string(layout) + ")"));
    const std::string tp_path = s.gave("/parallelism") ? "/parallelism/tp" : "/hardware/count";
    if (a.num_heads > 0 && a.num_heads % l.tp != 0)
      errors_.push_back(make_error(tp_path, ErrorCode::inconsistent,
                                   "tensor parallelism " + std::to_string(l.tp) + " must divide num_heads (" +
                                       std::to_string(a.num_heads) + ")"));
    check_offload(s);
    if (a.num_layers > 0 && l.pp > a.num_layers)
      errors_.push_back(make_error("/parallelism/pp", ErrorCode::inconsistent,
                                   "pipeline stages (" + std::to_string(l.pp) + ") cannot exceed num_layers (" +
                                       std::to_string(a.num_layers) + ")"));
    // fp8 activations are W8A8: fp8 matmuls need fp8 weights too.
    if (p.activations == Dtype::fp8 && p.weights != Dtype::fp8)
      errors_.push_back(make_error("/precision/activations", ErrorCode::inconsistent,
                                   "fp8 activations (W8A8) need fp8 weights"));
    check_local_inference(s, errors_);
    if (s.mode != Mode::training) return;
    const Finetune f = s.training.finetune;
    if (f == Finetune::qlora && p.weights != Dtype::nf4 && p.weights != Dtype::int4)
      errors_.push_back(make_error("/precision/weights", ErrorCode::inconsistent,
                                   "qlora trains adapters over a 4-bit base: weights must be nf4 or int4"));
    if (f == Finetune::full && is_quantized(p.weights))
      errors_.push_back(make_error("/precision/weights", ErrorCode::inconsistent,
                                   "full fine-tuning updates every weight: use fp32, bf16 or fp16 "
                                   "weights (or finetune lora/qlora)"));
  }

  void note_inputs_that_do_not_apply(Scenario& s) {
    const bool training = s.mode == Mode::training;
    for (const Field* f : inapplicable_) {
      if ((f->applies == Applies::training) == training) continue;
      std::string note(f->pointer);
      if (!f->flag.empty()) (note += " (") += std::string(f->flag) + ")";
      note += training ? " applies only to inference: ignored in this training scenario"
                       : " applies only to training: ignored in this inference scenario";
      s.input_notes.push_back(std::move(note));
    }
    if (!training) {
      if (s.gave("/training/lora/targets"))
        s.input_notes.push_back("/training/lora/targets applies only to training: ignored in this inference scenario");
      return;
    }
    const bool adapters = s.training.finetune != Finetune::full;
    for (std::string_view p : {"/training/lora/rank", "/training/lora/targets"})
      if (!adapters && s.gave(p))
        s.input_notes.push_back(std::string(p) + " applies only to finetune lora or qlora: ignored");
    // "all-linear" means the linear modules the model has; a listed module it lacks is noted.
    if (!adapters || !listed_targets_) return;
    const auto tensors = tensor_inventory(s.model.arch);
    for (const auto& target : s.training.lora.targets) {
      const bool present = std::any_of(tensors.begin(), tensors.end(), [&](const TensorGroup& t) {
        return t.is_matrix() && (t.name == target || t.name == "shared_experts." + target);
      });
      if (!present)
        s.input_notes.push_back("LoRA target " + target + ": " + s.model.name +
                                " has no such module, so it adds 0 trainable parameters");
    }
  }

  const json& root_;
  Errors& errors_;
  std::vector<const Field*> inapplicable_;
  bool listed_targets_ = false;  // LoRA targets given as a list (not "all-linear")  // given with a non-default value; checked against the mode
};

}  // namespace

ScenarioResult parse_scenario(std::string_view text) {
  ScenarioResult out;
  auto doc = json_io::parse_text(text, "", out.errors);
  if (!doc) return out;
  if (!doc->is_object()) {
    out.errors.push_back(make_error("", ErrorCode::wrong_type, "must be an object, got " + json_io::type_name(*doc)));
    return out;
  }
  out.scenario = ScenarioReader(*doc, out.errors).read();
  if (!out.errors.empty()) out.scenario.reset();
  return out;
}

ModelResult import_hf_config_text(std::string_view text) {
  ModelResult out;
  out.model = import_hf_config_file(text, out.errors);  // Python's Infinity/NaN accepted
  if (!out.errors.empty()) out.model.reset();
  return out;
}

}  // namespace llmcalc
