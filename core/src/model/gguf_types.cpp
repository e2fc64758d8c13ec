#include "gguf_types.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <mutex>

#include "data/embedded_data.hpp"
#include "json/json_reader.hpp"

namespace llmcalc::gguf {

using json_io::ObjectReader;
using nlohmann::json;

namespace {

// Tensor categories of llama-quant.cpp's tensor_get_category, plus "any" for MXFP4_MOE.
enum class Category { output, token_embd, attn_v, attn_k, attn_q, attn_output, ffn_up, ffn_gate,
                      ffn_down, other, any };
constexpr std::array<std::string_view, 11> kCategoryNames{
    "output", "token_embd", "attn_v", "attn_k", "attn_q", "attn_output",
    "ffn_up", "ffn_gate", "ffn_down", "other", "any"};

enum class Layers { all, use_more_bits, first_eighth, first_sixteenth, middle, below };

struct Rule {
  Category tensor = Category::any;
  int type = 0;
  Layers layers = Layers::all;
  int64_t below = 0;
  std::optional<int64_t> gqa_min, n_expert, n_expert_not, n_expert_min;
  std::optional<bool> imatrix;
  std::string arch, arch_not, model_type;
  std::vector<int> from_types;
  bool ncols_not_multiple_of_block = false;
  bool experts_3d = false;
};

}  // namespace

struct Mix {
  std::string name;
  int ftype = 0;
  int default_type = 0;
  bool recipe = true;
  std::vector<Rule> rules;
  std::vector<Rule> after;
};

namespace {

struct Table {
  std::vector<TypeInfo> types;
  std::vector<Mix> mixes;
  std::vector<std::pair<int, int>> fallback;  // from type -> to type
  int fallback_last = -1;
  int64_t not_quantized_max_dims = 1;
  std::string name_must_end_with;
  std::vector<std::string> name_contains;
  std::vector<std::string> name_equals;
  Errors errors;
};

constexpr std::string_view kPath = "/gguf_types";

const TypeInfo* find_in(const std::vector<TypeInfo>& types, std::string_view name) {
  for (const auto& t : types)
    if (t.name == name) return &t;
  return nullptr;
}

std::optional<int> read_type_name(ObjectReader& r, std::string_view key, const Table& t) {
  auto name = r.string(key);
  if (!name) return std::nullopt;
  if (const TypeInfo* info = find_in(t.types, *name)) return info->id;
  r.error(key, "unknown_type", "names no type of /gguf_types/types, got \"" + *name + "\"");
  return std::nullopt;
}

std::vector<std::string> read_strings(ObjectReader& r, std::string_view key) {
  std::vector<std::string> out;
  const json* a = r.raw(key);
  if (!a) return out;
  if (!a->is_array()) {
    r.error(key, "wrong_type", "must be an array of strings");
    return out;
  }
  for (const auto& s : *a) {
    if (s.is_string()) {
      out.push_back(s.get<std::string>());
    } else {
      r.error(key, "wrong_type", "must be an array of strings");
      return {};
    }
  }
  return out;
}

Rule read_rule(ObjectReader& r, const Table& t) {
  Rule rule;
  r.reject_unknown({"tensor", "type", "layers", "if"});
  std::vector<std::string_view> cats(kCategoryNames.begin(), kCategoryNames.end());
  rule.tensor = static_cast<Category>(r.choice("tensor", cats).value_or(0));
  rule.type = read_type_name(r, "type", t).value_or(0);
  if (const json* l = r.raw("layers")) {
    if (l->is_object()) {
      ObjectReader lr(l, r.child_path("layers"), r.errors());
      rule.layers = Layers::below;
      rule.below = lr.integer("below", 1, 100000).value_or(0);
      lr.reject_unknown({"below"});
    } else {
      rule.layers = static_cast<Layers>(
          r.choice("layers", {"all", "use_more_bits", "first_eighth", "first_sixteenth", "middle"})
              .value_or(0));
    }
  }
  ObjectReader c = r.object("if");
  if (c.valid()) {
    c.reject_unknown({"gqa_min", "n_expert", "n_expert_not", "n_expert_min", "imatrix", "arch",
                      "arch_not", "model_type", "from_types", "ncols_not_multiple_of_block",
                      "experts_3d"});
    if (c.has("gqa_min")) rule.gqa_min = c.integer("gqa_min", 1, 1000);
    if (c.has("n_expert")) rule.n_expert = c.integer("n_expert", 0, 100000);
    if (c.has("n_expert_not")) rule.n_expert_not = c.integer("n_expert_not", 0, 100000);
    if (c.has("n_expert_min")) rule.n_expert_min = c.integer("n_expert_min", 0, 100000);
    if (c.has("imatrix")) rule.imatrix = c.boolean("imatrix");
    rule.arch = c.string("arch", "").value_or("");
    rule.arch_not = c.string("arch_not", "").value_or("");
    rule.model_type = c.string("model_type", "").value_or("");
    for (const auto& name : read_strings(c, "from_types")) {
      if (const TypeInfo* info = find_in(t.types, name)) {
        rule.from_types.push_back(info->id);
      } else {
        c.error("from_types", "unknown_type", "names no type of /gguf_types/types, got \"" + name + "\"");
      }
    }
    rule.ncols_not_multiple_of_block = c.boolean("ncols_not_multiple_of_block", false).value_or(false);
    rule.experts_3d = c.boolean("experts_3d", false).value_or(false);
  }
  return rule;
}

std::vector<Rule> read_rules(ObjectReader& r, std::string_view key, const Table& t) {
  std::vector<Rule> out;
  const json* a = r.raw(key);
  if (!a) return out;
  if (!a->is_array()) {
    r.error(key, "wrong_type", "must be an array of rules");
    return out;
  }
  for (size_t i = 0; i < a->size(); ++i) {
    ObjectReader rr(&(*a)[i], r.child_path(key) + "/" + std::to_string(i), r.errors());
    if (rr.valid()) out.push_back(read_rule(rr, t));
  }
  return out;
}

Table load() {
  Table t;
  const data::Entry* entry = nullptr;
  for (std::size_t i = 0; i < data::kLocalCount; ++i)
    if (data::kLocal[i].id == "gguf-types") entry = &data::kLocal[i];
  if (!entry) {
    t.errors.push_back({std::string(kPath), "missing_data", "gguf_types.json is not embedded"});
    return t;
  }
  auto root = json_io::parse_text(entry->json, std::string(kPath), t.errors);
  if (!root) return t;
  ObjectReader r(&*root, std::string(kPath), t.errors);
  r.reject_unknown({"id", "types_source", "types", "mixes_source", "semantics", "fallback",
                    "fallback_last", "not_quantized", "mixes"});
  if (r.string("types_source").value_or("").empty() || r.string("mixes_source").value_or("").empty())
    r.error("types_source", "missing_source", "types_source and mixes_source must cite their source");

  const json* types = r.raw("types");
  if (!types || !types->is_array()) {
    r.error("types", "missing_field", "must be an array of types");
    return t;
  }
  for (size_t i = 0; i < types->size(); ++i) {
    ObjectReader tr(&(*types)[i], r.child_path("types") + "/" + std::to_string(i), t.errors);
    if (!tr.valid()) continue;
    tr.reject_unknown({"name", "id", "block_elements", "block_bytes", "layout"});
    TypeInfo info;
    info.name = tr.string("name").value_or("");
    info.id = static_cast<int>(tr.integer("id", 0, 1023).value_or(-1));
    info.block_elements = tr.integer("block_elements", 1, 4096).value_or(0);
    info.block_bytes = tr.integer("block_bytes", 1, 65536).value_or(0);
    (void)tr.string("layout", "");
    for (const auto& other : t.types)
      if (other.id == info.id || other.name == info.name)
        tr.error("id", "duplicate", "type " + info.name + " repeats an id or a name");
    if (info.id >= 0 && info.block_elements > 0 && info.block_bytes > 0) t.types.push_back(info);
  }

  ObjectReader fb = r.object("fallback");
  if (const json* f = r.raw("fallback"); f && f->is_object()) {
    for (const auto& item : f->items()) {
      const TypeInfo* from = find_in(t.types, item.key());
      const TypeInfo* to = item.value().is_string()
                               ? find_in(t.types, item.value().get<std::string>())
                               : nullptr;
      if (!from || !to) {
        fb.error(item.key(), "unknown_type", "fallback entries must map a type name to a type name");
        continue;
      }
      t.fallback.emplace_back(from->id, to->id);
    }
  } else {
    r.error("fallback", "missing_field", "must be an object of type -> type");
  }
  t.fallback_last = read_type_name(r, "fallback_last", t).value_or(-1);

  ObjectReader nq = r.object("not_quantized");
  if (nq.valid()) {
    nq.reject_unknown({"max_dims", "name_must_end_with", "name_contains", "name_equals", "note"});
    t.not_quantized_max_dims = nq.integer("max_dims", 0, 4).value_or(1);
    t.name_must_end_with = nq.string("name_must_end_with").value_or("weight");
    t.name_contains = read_strings(nq, "name_contains");
    t.name_equals = read_strings(nq, "name_equals");
    (void)nq.string("note", "");
  } else {
    r.error("not_quantized", "missing_field", "is required");
  }

  const json* mixes = r.raw("mixes");
  if (!mixes || !mixes->is_array()) {
    r.error("mixes", "missing_field", "must be an array of mixes");
    return t;
  }
  for (size_t i = 0; i < mixes->size(); ++i) {
    ObjectReader mr(&(*mixes)[i], r.child_path("mixes") + "/" + std::to_string(i), t.errors);
    if (!mr.valid()) continue;
    mr.reject_unknown({"name", "ftype", "default_type", "recipe", "rules", "after"});
    Mix m;
    m.name = mr.string("name").value_or("");
    m.ftype = static_cast<int>(mr.integer("ftype", 0, 1023).value_or(0));
    m.default_type = read_type_name(mr, "default_type", t).value_or(0);
    m.recipe = mr.boolean("recipe", true).value_or(true);
    m.rules = read_rules(mr, "rules", t);
    m.after = read_rules(mr, "after", t);
    for (const auto& other : t.mixes)
      if (other.name == m.name) mr.error("name", "duplicate", "mix " + m.name + " appears twice");
    t.mixes.push_back(std::move(m));
  }
  return t;
}

const Table& table() {
  static const Table t = load();
  return t;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

Category category_of(std::string_view name) {
  if (name == "output.weight") return Category::output;
  if (name == "token_embd.weight" || name == "per_layer_token_embd.weight")
    return Category::token_embd;
  if (contains(name, "attn_qkv.weight") || contains(name, "attn_kv_b.weight") ||
      contains(name, "attn_v.weight"))
    return Category::attn_v;
  if (contains(name, "attn_k.weight")) return Category::attn_k;
  if (contains(name, "attn_q.weight")) return Category::attn_q;
  if (contains(name, "attn_output.weight")) return Category::attn_output;
  if (contains(name, "ffn_up")) return Category::ffn_up;
  if (contains(name, "ffn_gate")) return Category::ffn_gate;
  if (contains(name, "ffn_down")) return Category::ffn_down;
  return Category::other;
}

// N of "blk.N.", or -1.
int64_t layer_of(std::string_view name) {
  if (name.substr(0, 4) != "blk.") return -1;
  int64_t n = -1;
  const char* first = name.data() + 4;
  const char* last = name.data() + name.size();
  auto [p, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || p == first || p == last || *p != '.') return -1;
  return n;
}

// ggml_n_dims: trailing dims of 1 do not count; a scalar has 1 dim.
int64_t n_dims(std::span<const int64_t> dims) {
  for (int64_t i = static_cast<int64_t>(dims.size()) - 1; i >= 1; --i)
    if (dims[i] > 1) return i + 1;
  return 1;
}

bool allows_quantization(const Table& t, const QuantTensor& q) {
  if (n_dims(q.dims) <= t.not_quantized_max_dims) return false;
  const std::string_view name = q.name;
  const std::string_view end = t.name_must_end_with;
  if (name.size() < end.size() || name.substr(name.size() - end.size()) != end) return false;
  for (const auto& s : t.name_contains)
    if (contains(name, s)) return false;
  for (const auto& s : t.name_equals)
    if (name == s) return false;
  return true;
}

bool layer_holds(const Rule& r, int64_t i, int64_t n) {
  if (r.layers == Layers::all) return true;
  if (i < 0 || n <= 0) return false;
  switch (r.layers) {
    case Layers::use_more_bits:
      return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    case Layers::first_eighth:
      return i < n / 8;
    case Layers::first_sixteenth:
      return i < n / 16;
    case Layers::middle:
      return i >= n / 8 && i < 7 * n / 8;
    case Layers::below:
      return i < r.below;
    case Layers::all:
      break;
  }
  return true;
}

const TypeInfo* type_by_id(const Table& t, int id) {
  for (const auto& ty : t.types)
    if (ty.id == id) return &ty;
  return nullptr;
}

bool holds(const Rule& r, Category cat, int64_t i, int64_t n, const QuantModel& m,
           const QuantTensor& q, int default_type, int current) {
  if (r.tensor != Category::any && r.tensor != cat) return false;
  if (!layer_holds(r, i, n)) return false;
  const int64_t gqa = m.n_head_kv > 0 ? m.n_head / m.n_head_kv : 0;
  if (r.gqa_min && gqa < *r.gqa_min) return false;
  if (r.n_expert && m.n_expert != *r.n_expert) return false;
  if (r.n_expert_not && m.n_expert == *r.n_expert_not) return false;
  if (r.n_expert_min && m.n_expert < *r.n_expert_min) return false;
  if (r.imatrix && m.imatrix != *r.imatrix) return false;
  if (!r.arch.empty() && m.arch != r.arch) return false;
  if (!r.arch_not.empty() && m.arch == r.arch_not) return false;
  if (!r.model_type.empty() && m.model_type != r.model_type) return false;
  if (!r.from_types.empty() &&
      std::find(r.from_types.begin(), r.from_types.end(), current) == r.from_types.end())
    return false;
  if (r.ncols_not_multiple_of_block) {
    const TypeInfo* d = type_by_id(table(), default_type);
    if (!d || q.dims.empty() || q.dims[0] % d->block_elements == 0) return false;
  }
  if (r.experts_3d && (q.dims.size() < 3 || q.dims[2] <= 1)) return false;
  return true;
}

}  // namespace

const std::vector<TypeInfo>& types() { return table().types; }

const TypeInfo* find_type(int id) { return type_by_id(table(), id); }

const TypeInfo* find_type(std::string_view name) { return find_in(table().types, name); }

std::optional<int64_t> tensor_bytes(const TypeInfo& type, std::span<const int64_t> dims) {
  if (dims.empty()) return type.block_bytes;  // a scalar: one element
  for (int64_t d : dims)
    if (d < 0) return std::nullopt;
  if (dims[0] % type.block_elements != 0) return std::nullopt;
  // Rows x bytes per row, each step checked against int64 overflow.
  int64_t bytes = dims[0] / type.block_elements;
  if (bytes > 0 && type.block_bytes > std::numeric_limits<int64_t>::max() / bytes)
    return std::nullopt;
  bytes *= type.block_bytes;
  for (size_t i = 1; i < dims.size(); ++i) {
    if (dims[i] > 0 && bytes > std::numeric_limits<int64_t>::max() / dims[i]) return std::nullopt;
    bytes *= dims[i];
  }
  return bytes;
}

const Mix* find_mix(std::string_view name) {
  for (const auto& m : table().mixes)
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<std::string> mix_names() {
  std::vector<std::string> out;
  for (const auto& m : table().mixes) out.push_back(m.name);
  return out;
}

int mix_ftype(const Mix& mix) { return mix.ftype; }

std::optional<int> quantized_type(const Mix& mix, const QuantModel& model,
                                  const QuantTensor& tensor) {
  const Table& t = table();
  if (!allows_quantization(t, tensor)) return tensor.source_type;
  int type = mix.default_type;
  if (!mix.recipe) return type;

  Category cat = category_of(tensor.name);
  if (cat == Category::token_embd && model.tied_embeddings) cat = Category::output;
  const int64_t i = layer_of(tensor.name);
  for (const Rule& r : mix.rules) {
    if (holds(r, cat, i, model.n_layer, model, tensor, mix.default_type, type)) {
      type = r.type;
      break;
    }
  }
  for (const Rule& r : mix.after)
    if (holds(r, cat, i, model.n_layer, model, tensor, mix.default_type, type)) type = r.type;

  // tensor_type_fallback: a row length the block size does not divide.
  const TypeInfo* chosen = type_by_id(t, type);
  const int64_t ne0 = tensor.dims.empty() ? 1 : tensor.dims[0];
  if (chosen && ne0 % chosen->block_elements != 0) {
    int next = -1;
    for (const auto& [from, to] : t.fallback)
      if (from == type) next = to;
    const TypeInfo* n = type_by_id(t, next);
    if (!n) return std::nullopt;  // "no tensor type fallback is defined"
    if (ne0 % n->block_elements != 0) next = t.fallback_last;
    type = next;
  }
  return type;
}

const Errors& data_errors() { return table().errors; }

}  // namespace llmcalc::gguf
