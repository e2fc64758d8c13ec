// The schema rendered for others: JSON (CLI, WASM), the docs' Markdown table, TypeScript.
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "../text/number_format.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc {

using nlohmann::ordered_json;

namespace {

std::string_view type_name(FieldType t) {
  switch (t) {
    case FieldType::integer: return "integer";
    case FieldType::number: return "number";
    case FieldType::boolean: return "boolean";
    case FieldType::choice: return "choice";
    case FieldType::text: return "text";
    case FieldType::model: return "model";
    case FieldType::gpu: return "gpu";
    case FieldType::lora_targets: return "lora_targets";
    case FieldType::rates: return "rates";
    case FieldType::engine: return "engine";
    case FieldType::engine_options: return "engine_options";
    case FieldType::gpu_list: return "gpu_list";
    case FieldType::numbers: return "numbers";
  }
  return "";
}

std::string_view applies_name(Applies a) {
  return a == Applies::always ? "always" : a == Applies::inference ? "inference" : "training";
}

// Every enum table the fields use, once, in order of first use (plus LoRA modules).
std::vector<const EnumTable*> used_enums() {
  std::vector<const EnumTable*> out;
  auto add = [&](const EnumTable* t) {
    if (t != nullptr && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  };
  for (const Field& f : scenario_fields()) add(f.choices);
  add(&enums::lora_module);
  return out;
}

std::string range_text(const Field& f) {
  auto n = [](double v) { return format_number(v); };
  switch (f.type) {
    case FieldType::integer:
    case FieldType::number: return n(f.min) + " to " + n(f.max);
    case FieldType::rates: return "0 or " + n(f.min) + " to " + n(f.max);
    case FieldType::text: return "at most " + n(f.max) + " bytes";
    case FieldType::choice: {
      std::string s;
      for (const auto& e : f.choices->names) (s += s.empty() ? "`" : " `") += std::string(e.name) + "`";
      for (const auto& e : f.choices->aliases) s += " (alias `" + std::string(e.name) + "`)";
      return s;
    }
    case FieldType::lora_targets: return "`all-linear` or distinct names of `LoraModule`";
    case FieldType::gpu_list: return "at most " + n(f.max) + " GPU preset ids";
    case FieldType::numbers: return "one per GPU, each " + n(f.min) + " to " + n(f.max) + ", not all 0";
    default: return "";
  }
}

}  // namespace

std::string schema_json() {
  ordered_json fields = ordered_json::array();
  for (const Field& f : scenario_fields()) {
    ordered_json j = {{"pointer", f.pointer}, {"key", f.key()}, {"flag", f.flag},
                      {"type", type_name(f.type)}};
    if (f.type == FieldType::integer || f.type == FieldType::number || f.type == FieldType::rates ||
        f.type == FieldType::text) {
      j["min"] = f.min;
      j["max"] = f.max;
    }
    if (f.choices != nullptr) j["choices"] = f.choices->id;
    if (f.has_static_default()) {
      switch (f.type) {
        case FieldType::integer: j["default"] = int64_t(f.default_number); break;
        case FieldType::number: j["default"] = f.default_number; break;
        case FieldType::boolean: j["default"] = f.default_number != 0; break;
        default: j["default"] = f.default_name; break;
      }
    }
    j["default_text"] = f.default_text();
    j["unit"] = f.unit;
    j["applies"] = applies_name(f.applies);
    j["required"] = f.required;
    j["nullable"] = f.nullable;
    j["help"] = f.help;
    fields.push_back(std::move(j));
  }
  ordered_json tables = ordered_json::object();
  for (const EnumTable* t : used_enums()) {
    ordered_json names = ordered_json::array(), aliases = ordered_json::object();
    for (const auto& e : t->names) names.push_back(e.name);
    for (const auto& e : t->aliases) aliases[std::string(e.name)] = t->name_of(e.value);
    tables[std::string(t->id)] = {{"names", names}, {"aliases", aliases}};
  }
  ordered_json codes = ordered_json::array();
  for (const auto& c : error_codes()) codes.push_back({{"code", c.name}, {"meaning", c.meaning}});
  ordered_json objects = ordered_json::array();
  for (auto o : scenario_objects()) objects.push_back(o);
  const ordered_json out = {{"ok", true},
                            {"fields", fields},
                            {"objects", objects},
                            {"enums", tables},
                            {"error_codes", codes},
                            {"limits",
                             {{"batch", kMaxBatch},
                              {"tokens", kMaxTokens},
                              {"degree", kMaxDegree},
                              {"gpus", kMaxGpus}}}};
  return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string schema_markdown_table() {
  std::string out =
      "| field | CLI flag | type | range or choices | default | unit | applies | meaning |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const Field& f : scenario_fields()) {
    auto cell = [](std::string_view s) {
      std::string c;
      for (char ch : s) c += ch == '|' ? std::string("\\|") : std::string(1, ch);
      return c;
    };
    out += "| `" + std::string(f.pointer.substr(1)) + "` | " +
           (f.flag.empty() ? std::string() : "`" + std::string(f.flag) + "`") + " | " +
           std::string(type_name(f.type)) + " | " + cell(range_text(f)) + " | " +
           cell(f.default_text()) + " | " + std::string(f.unit) + " | " +
           std::string(applies_name(f.applies)) + " | " + cell(f.help) + " |\n";
  }
  return out;
}

std::string error_codes_markdown() {
  std::string out = "| code | meaning |\n|---|---|\n";
  for (const auto& c : error_codes())
    out += "| `" + std::string(c.name) + "` | " + std::string(c.meaning) + " |\n";
  return out;
}

std::string schema_typescript() {
  std::string out;
  auto union_of = [](auto names) {
    std::string s;
    for (const auto& n : names) (s += s.empty() ? "'" : " | '") += std::string(n) + "'";
    return s;
  };
  std::vector<std::string_view> codes;
  for (const auto& c : error_codes()) codes.push_back(c.name);
  out += "/** Every error code (core/src/scenario/error_codes.cpp). */\n";
  out += "export type ErrorCode =\n  | " + union_of(codes) + ";\n\n";
  for (const EnumTable* t : used_enums()) {
    std::vector<std::string_view> names;
    for (const auto& e : t->names) names.push_back(e.name);
    for (const auto& e : t->aliases) names.push_back(e.name);
    out += "export type " + std::string(t->id) + " = " + union_of(names) + ";\n";
  }
  // The Scenario interface: objects nest by pointer; every field but model is optional.
  struct Node {
    std::map<std::string, Node> children;  // ordered by first appearance below
    std::vector<std::string> order;
    const Field* field = nullptr;
  };
  Node root;
  for (const Field& f : scenario_fields()) {
    Node* n = &root;
    std::string_view p = f.pointer.substr(1);
    while (true) {
      const size_t slash = p.find('/');
      const std::string token(p.substr(0, slash));
      if (!n->children.count(token)) n->order.push_back(token);
      n = &n->children[token];
      if (slash == std::string_view::npos) break;
      p = p.substr(slash + 1);
    }
    n->field = &f;
  }
  auto ts_type = [](const Field& f) -> std::string {
    switch (f.type) {
      case FieldType::integer:
      case FieldType::number: return "number";
      case FieldType::boolean: return "boolean";
      case FieldType::choice: return std::string(f.choices->id);
      case FieldType::model: return "ModelInput";
      case FieldType::lora_targets: return "'all-linear' | LoraModule[]";
      case FieldType::rates: return "Partial<Record<Dtype, number>>";
      case FieldType::engine: return "string";
      case FieldType::engine_options: return "Record<string, number | boolean | string>";
      case FieldType::gpu_list: return "string[]";
      case FieldType::numbers: return "number[]";
      default: return "string";
    }
  };
  std::string body;
  auto emit = [&](auto&& self, const Node& n, int depth) -> void {
    const std::string pad(size_t(depth) * 2, ' ');
    for (const auto& key : n.order) {
      const Node& c = n.children.at(key);
      if (c.field != nullptr) {
        const Field& f = *c.field;
        std::string doc(f.help);
        if (!f.unit.empty()) doc += " [" + std::string(f.unit) + "]";
        const std::string range = range_text(f);
        if (f.type == FieldType::integer || f.type == FieldType::number || f.type == FieldType::rates)
          doc += "; " + range;
        doc += "; default " + f.default_text();
        if (f.applies != Applies::always) doc += "; " + std::string(applies_name(f.applies)) + " only";
        if (!f.flag.empty()) doc += "; CLI " + std::string(f.flag);
        body += pad + "/** " + doc + " */\n";
        body += pad + key + (f.required || f.type == FieldType::model ? "" : "?") + ": " + ts_type(f) + ";\n";
      } else {
        body += pad + key + "?: {\n";
        self(self, c, depth + 1);
        body += pad + "};\n";
      }
    }
  };
  emit(emit, root, 1);
  out += "\n/** A scenario (core/src/scenario/schema.cpp); null is refused everywhere. */\n";
  out += "export interface Scenario {\n" + body + "}\n";
  return out;
}

}  // namespace llmcalc
