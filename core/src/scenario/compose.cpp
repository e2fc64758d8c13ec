// The CLI's inputs -> scenario JSON text: files checked raw, flags typed by the schema.
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "../text/number_format.hpp"
#include "../json/json_reader.hpp"
#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc {

using json_io::quote;
using nlohmann::json;

namespace {

// JSON's number grammar (RFC 8259 section 6): no '+', no spaces, no hex, no nan or inf.
bool json_number_syntax(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (!digits()) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

std::string range_text(double lo, double hi, bool integer) {
  auto n = [&](double v) { return integer ? std::to_string(int64_t(v)) : format_number(v); };
  std::string out = "[";
  out += n(lo);
  out += ", ";
  out += n(hi);
  out += "]";
  return out;
}

std::optional<double> parse_cli_number(std::string_view text, double min, double max,
                                       const std::string& path, Errors& errors) {
  if (!json_number_syntax(text)) {
    errors.push_back(make_error(path, ErrorCode::wrong_type, "must be a number, got " + quote(text)));
    return std::nullopt;
  }
  const std::string s(text);
  const double d = std::strtod(s.c_str(), nullptr);
  if (!std::isfinite(d) || d < min || d > max) {
    errors.push_back(make_error(path, ErrorCode::out_of_range,
                                "must be a number in " + range_text(min, max, false) + ", got " + s));
    return std::nullopt;
  }
  return d;
}

// A flag's text as the JSON value its field takes, or nullopt after an error.
std::optional<json> typed(const Field& f, std::string_view text, Errors& errors) {
  const std::string path(f.pointer);
  switch (f.type) {
    case FieldType::integer:
      if (auto i = parse_cli_integer(text, int64_t(f.min), int64_t(f.max), path, errors)) return json(*i);
      return std::nullopt;
    case FieldType::number:
      if (auto d = parse_cli_number(text, f.min, f.max, path, errors)) return json(*d);
      return std::nullopt;
    case FieldType::boolean:
      if (text == "true" || text == "false") return json(text == "true");
      errors.push_back(make_error(path, ErrorCode::wrong_type, "must be true or false, got " + quote(text)));
      return std::nullopt;
    case FieldType::gpu_list:
    case FieldType::numbers: {  // a comma-separated list, as llama.cpp's --tensor-split 3,1
      json list = json::array();
      size_t pos = 0;
      while (true) {
        const size_t comma = text.find(',', pos);
        const std::string_view item = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
        if (f.type == FieldType::gpu_list) {
          list.push_back(std::string(item));
        } else if (auto d = parse_cli_number(item, f.min, f.max, path, errors)) {
          list.push_back(*d);
        } else {
          return std::nullopt;
        }
        if (comma == std::string_view::npos) return list;
        pos = comma + 1;
      }
    }
    case FieldType::engine_options: {  // key=value[,key=value...]: --engine-options max_num_seqs=32
      json options = json::object();
      size_t pos = 0;
      while (true) {
        const size_t comma = text.find(',', pos);
        const std::string_view item = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
        const size_t eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0) {
          errors.push_back(make_error(path, ErrorCode::wrong_type,
                                      "must be option=value pairs separated by commas, got " + quote(text)));
          return std::nullopt;
        }
        const std::string key(item.substr(0, eq));
        const std::string_view value = item.substr(eq + 1);
        // Typed as JSON would type it; the reader checks each against the engine's options.
        if (json_number_syntax(value)) options[key] = std::strtod(std::string(value).c_str(), nullptr);
        else if (value == "true" || value == "false") options[key] = value == "true";
        else options[key] = std::string(value);
        if (comma == std::string_view::npos) return options;
        pos = comma + 1;
      }
    }
    default:
      return json(std::string(text));  // names: the reader checks them against the schema
  }
}

// Sets doc[pointer] = value, creating objects on the way; a non-object on the way is left for
// the reader to report (wrong_type), so nothing here throws.
void set_at(json& doc, std::string_view pointer, json value) {
  json* cur = &doc;
  size_t pos = 1;
  while (true) {
    const size_t next = pointer.find('/', pos);
    const std::string token(pointer.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (!cur->is_object()) return;
    if (next == std::string_view::npos) {
      (*cur)[token] = std::move(value);
      return;
    }
    auto it = cur->find(token);
    if (it == cur->end()) it = cur->emplace(token, json::object()).first;
    cur = &*it;
    pos = next + 1;
  }
}

}  // namespace

bool is_utf8(std::string_view s) { return json_io::valid_utf8(s); }

std::optional<int64_t> parse_cli_integer(std::string_view text, int64_t min, int64_t max,
                                         const std::string& path, Errors& errors) {
  const std::string range = range_text(double(min), double(max), true);
  if (!json_number_syntax(text)) {
    errors.push_back(make_error(path, ErrorCode::wrong_type, "must be an integer, got " + quote(text)));
    return std::nullopt;
  }
  const std::string s(text);
  if (s.find_first_of(".eE") == std::string::npos) {
    errno = 0;
    const long long i = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == ERANGE || i < min || i > max) {  // echoed as typed, never saturated
      errors.push_back(make_error(path, ErrorCode::out_of_range, "must be an integer in " + range + ", got " + s));
      return std::nullopt;
    }
    return int64_t(i);
  }
  const double d = std::strtod(s.c_str(), nullptr);
  if (std::isfinite(d) && d != std::floor(d)) {
    errors.push_back(make_error(path, ErrorCode::not_integer, "must be a whole number, got " + s));
    return std::nullopt;
  }
  if (!std::isfinite(d) || d < double(min) || d > double(max)) {
    errors.push_back(make_error(path, ErrorCode::out_of_range, "must be an integer in " + range + ", got " + s));
    return std::nullopt;
  }
  return int64_t(d);
}

TextResult compose_scenario(const ScenarioSources& in) {
  TextResult out;
  Errors& errors = out.errors;
  json doc = json::object();
  if (in.scenario_text) {
    if (!json_io::valid_utf8(*in.scenario_text)) {
      errors.push_back(make_error("", ErrorCode::invalid_utf8, "the scenario file is not UTF-8 text"));
      return out;
    }
    auto parsed = json_io::parse_text(*in.scenario_text, "", errors);
    if (!parsed) return out;
    if (!parsed->is_object()) {
      errors.push_back(make_error("", ErrorCode::wrong_type,
                                  "the scenario must be a JSON object, got " + json_io::type_name(*parsed)));
      return out;
    }
    doc = std::move(*parsed);
  }
  bool model_flag = false;
  for (const auto& [flag, text] : in.flags) model_flag = model_flag || flag == "--model";
  if (in.hf_config_text) {
    if (model_flag) {
      errors.push_back(make_error("/model", ErrorCode::invalid_choice,
                                  "give --model or --hf-config, not both"));
      return out;
    }
    auto config = json_io::parse_text(*in.hf_config_text, "/model/hf_config", errors);
    if (!config) return out;
    doc["model"] = json{{"hf_config", std::move(*config)}};
  }
  if (in.model_object_text) {
    if (model_flag || in.hf_config_text) {
      errors.push_back(make_error("/model", ErrorCode::invalid_choice,
                                  "give one of --model, --hf-config or --gguf"));
      return out;
    }
    auto model = json_io::parse_text(*in.model_object_text, "/model", errors);
    if (!model) return out;
    doc["model"] = std::move(*model);
  }
  // The checkpoint's companion files go beside the config they describe.
  const std::pair<const std::optional<std::string_view>*, const char*> companions[] = {
      {&in.safetensors_index_text, "safetensors_index"}, {&in.hf_quant_config_text, "hf_quant_config"}};
  for (const auto& [text, key] : companions) {
    if (!text->has_value()) continue;
    const std::string path = std::string("/model/") + key;
    if (!doc.contains("model") || !doc["model"].is_object()) {
      errors.push_back(make_error(path, ErrorCode::invalid_choice,
                                  "a checkpoint's companion file needs the model it belongs to "
                                  "(--hf-config, or a model object in --scenario)"));
      return out;
    }
    auto parsed = json_io::parse_text(**text, path, errors);
    if (!parsed) return out;
    // Only the index's metadata is read; its weight_map (one entry per tensor) stays out of
    // the scenario text.
    if (key == std::string_view("safetensors_index") && parsed->is_object()) parsed->erase("weight_map");
    doc["model"][key] = std::move(*parsed);
  }
  for (const auto& [flag, text] : in.flags) {
    const Field* f = find_flag(flag);
    if (f == nullptr) {
      errors.push_back(make_error("", ErrorCode::unknown_field, "unknown flag " + quote(flag)));
      continue;
    }
    if (!json_io::valid_utf8(text)) {
      errors.push_back(make_error(std::string(f->pointer), ErrorCode::invalid_utf8,
                                  "is not UTF-8 text: " + quote(text)));
      continue;
    }
    if (auto v = typed(*f, text, errors)) set_at(doc, f->pointer, std::move(*v));
  }
  if (!errors.empty()) return out;
  out.text = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

}  // namespace llmcalc
