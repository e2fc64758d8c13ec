#include "llmcalc/catalog.hpp"

#include <mutex>
#include <optional>
#include <string>

#include "../model/architecture_json.hpp"
#include "../model/gpu_shape.hpp"
#include "../model/hf_quant.hpp"
#include "../json/json_reader.hpp"
#include "data/embedded_data.hpp"
#include "model_preset.hpp"

namespace llmcalc {

using json_io::ObjectReader;

namespace {

// The release date and its source come together: a date without a source cannot be checked,
// a source without a date says nothing. A bad one is an error naming the file (the id is the
// file name) and is not shown.
void read_release(ObjectReader& r, ModelPreset& p) {
  const std::string file = "core/data/models/" + p.spec.id + ".json";
  if (r.has("released")) {
    const std::string date = r.string("released").value_or("");
    const json_io::json* given = r.raw("released");
    if (std::string why = release_date_problem(date); why.empty()) {
      p.released = date;
    } else if (given != nullptr && given->is_string()) {  // else r.string() reported the type
      r.error("released", "out_of_range", file + ": " + why + "; got " + json_io::quote(date));
    }
    p.released_source = r.string("released_source", "").value_or("");
    if (p.released_source.rfind("https://", 0) != 0 && p.released_source.rfind("http://", 0) != 0) {
      r.error("released_source", r.has("released_source") ? "unknown_value" : "missing_field",
              file + ": a release date needs the URL of the announcement it is read from; got " +
                  json_io::quote(p.released_source));
      p.released.clear();
      p.released_source.clear();
    }
  } else if (r.has("released_source")) {
    r.error("released", "missing_field", file + ": released_source is given without the date it supports");
  }
}

std::optional<ModelPreset> read_model(ObjectReader& r) {
  ModelPreset p;
  p.spec.id = r.string("id").value_or("");
  p.spec.name = r.string("name").value_or("");
  p.family = r.string("family", "").value_or("");
  p.hf_repo = r.string("hf_repo", "").value_or("");
  p.config_source = r.string("config_source").value_or("");
  p.params_source = r.string("params_source").value_or("");
  read_release(r, p);
  p.spec.published_params = r.integer("published_params", 1, int64_t{1} << 52).value_or(0);
  p.spec.published_active_params =
      r.integer("published_active_params", 0, int64_t{1} << 52, 0).value_or(0);
  p.active_convention = static_cast<ActiveConvention>(
      r.choice("published_active_convention",
               {"all", "excluding_input_embedding", "excluding_embeddings"}, 0)
          .value_or(0));
  p.published_rounded = r.boolean("published_rounded", false).value_or(false);
  p.published_includes_mtp = r.boolean("published_includes_mtp", false).value_or(false);
  ObjectReader arch = r.object("architecture");
  auto a = read_architecture(arch);
  if (!arch.valid()) r.error("architecture", "missing_field", "is required");
  // A preset released quantized carries its config.json's quantization_config (cited in the
  // file's notes), read as an imported config's is, so leaving the weights out prices the
  // released checkpoint. An unreadable one drops the preset (its errors are the catalog's)
  // rather than pricing bf16.
  bool quant_ok = true;
  if (const json_io::json* qc = r.raw("quantization_config")) {
    p.spec.quantization =
        read_quantization_config(*qc, r.child_path("quantization_config"), Dtype::bf16, r.errors());
    quant_ok = p.spec.quantization.has_value();
    if (quant_ok) p.spec.checkpoint_dtype = p.spec.quantization->base.dtype;
  }
  r.reject_unknown({"id", "name", "family", "hf_repo", "config_source", "published_params",
                    "published_active_params", "params_source", "architecture",
                    "published_active_convention", "published_rounded", "published_includes_mtp",
                    "quantization_config", "released", "released_source"});
  if (!a || !quant_ok) return std::nullopt;
  p.spec.arch = *a;
  return p;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::string release_date_problem(std::string_view d) {
  const auto digits = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (d[i] < '0' || d[i] > '9') return -1;
      v = v * 10 + (d[i] - '0');
    }
    return v;
  };
  if ((d.size() != 7 && d.size() != 10) || d[4] != '-' || (d.size() == 10 && d[7] != '-'))
    return "must be a date written YYYY-MM-DD, or YYYY-MM where only the month is public";
  const int y = digits(0, 4), m = digits(5, 2), day = d.size() == 10 ? digits(8, 2) : 1;
  if (y < 0 || m < 0 || day < 0)
    return "must be a date written YYYY-MM-DD, or YYYY-MM where only the month is public";
  if (y < 1990 || y > 2099) return "must be a year from 1990 to 2099";
  if (m < 1 || m > 12) return "must have a month from 01 to 12";
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
  if (day < 1 || day > last) return "must be a day of that month (01 to " + std::to_string(last) + ")";
  return "";
}

std::optional<ModelPreset> read_model_preset(std::string_view text, const std::string& path,
                                             Errors& errors) {
  auto root = json_io::parse_text(text, path, errors);
  if (!root) return std::nullopt;
  ObjectReader r(&*root, path, errors);
  const size_t before = errors.size();
  auto p = read_model(r);
  if (errors.size() != before) return std::nullopt;
  return p;
}

namespace {

std::optional<GpuPreset> read_gpu(ObjectReader& r) {
  GpuPreset p;
  Gpu& g = p.gpu;
  g.id = r.string("id").value_or("");
  g.name = r.string("name").value_or("");
  p.vendor = r.string("vendor", "").value_or("");
  g.vendor = p.vendor;
  // The numbers and peak_flops: the one GPU shape (model/gpu_shape.hpp), every one required.
  read_gpu_shape(r, g, GpuRead::complete);
  p.memory_source = r.string("memory_source").value_or("");
  p.bandwidth_source = r.string("bandwidth_source").value_or("");
  p.flops_source = r.string("flops_source").value_or("");
  p.interconnect = r.string("interconnect", "").value_or("");
  p.interconnect_source = r.string("interconnect_source", "").value_or("");
  p.efficiency_source = r.string("efficiency_source").value_or("");
  r.reject_unknown({"id", "name", "vendor", "memory_bytes", "memory_source",
                    "memory_bandwidth_bytes_per_s", "bandwidth_source", "peak_flops",
                    "flops_source", "interconnect", "interconnect_bandwidth_bytes_per_s",
                    "interconnect_source", "matmul_efficiency", "bandwidth_efficiency",
                    "efficiency_source"});
  return p;
}

// A unified-memory machine. Metal's default GPU share (recommendedMaxWorkingSetSize, 2/3 of
// RAM up to 32 GiB, 3/4 above), Strix Halo's and DGX Spark's are cited in each file.
std::optional<UnifiedPreset> read_unified(ObjectReader& r) {
  UnifiedPreset p;
  Gpu& g = p.gpu;
  g.id = r.string("id").value_or("");
  g.name = r.string("name").value_or("");
  g.vendor = r.string("vendor").value_or("");
  (void)r.choice("kind", {"unified_memory"});
  (void)r.integer("gpu_cores", 1, 100000);
  if (const json_io::json* m = r.raw("memory_options_bytes"); m != nullptr && m->is_array() && !m->empty()) {
    for (const auto& v : *m)
      if (v.is_number() && v.get<double>() >= 1e9 && v.get<double>() <= 1e13) p.memory_options_bytes.push_back(v.get<double>());
    if (p.memory_options_bytes.size() != m->size())
      r.error("memory_options_bytes", "out_of_range", "must be sizes of 1e9 to 1e13 bytes");
  } else {
    r.error("memory_options_bytes", "missing_field", "must be a non-empty array of bytes");
  }
  p.memory_source = r.string("memory_source").value_or("");
  g.memory_bandwidth_bytes_per_s = r.number("memory_bandwidth_bytes_per_s", 1e10, 1e15).value_or(0);
  p.bandwidth_source = r.string("bandwidth_source").value_or("");
  ObjectReader flops = r.object("peak_flops");
  if (flops.valid()) {
    for (int d = 0; d < kDtypeCount; ++d)
      g.peak_flops[d] = flops.number(dtype_name(static_cast<Dtype>(d)), 1e11, 1e17, 0.0).value_or(0);
    flops.reject_unknown({"fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4", "nf4", "fp4"});
  }
  p.flops_source = r.string("flops_source").value_or("");
  ObjectReader share = r.object("gpu_memory_share");
  if (share.valid()) {
    share.reject_unknown({"up_to_bytes", "share_up_to", "share_above", "configurable", "default_share",
                          "max_share", "raise_with", "source"});
    if (share.has("up_to_bytes")) {
      p.share_up_to_bytes = share.number("up_to_bytes", 1e9, 1e13).value_or(0);
      p.share_small = share.number("share_up_to", 0.1, 1.0).value_or(1.0);
      p.share_large = share.number("share_above", 0.1, 1.0).value_or(1.0);
    } else {
      // null: no default the data can cite (Strix Halo on Linux); the scenario must say.
      p.share_small = p.share_large =
          share.raw("default_share") != nullptr ? share.number("default_share", 0.1, 1.0).value_or(0) : 0;
      (void)share.boolean("configurable");
      (void)share.number("max_share", 0.1, 1.0, 1.0);
    }
    (void)share.string("raise_with", "");
    p.share_source = share.string("source").value_or("");
  }
  r.reject_unknown({"id", "name", "vendor", "kind", "memory_options_bytes", "memory_source",
                    "memory_bandwidth_bytes_per_s", "bandwidth_source", "gpu_cores", "peak_flops",
                    "flops_source", "gpu_memory_share"});
  return p;
}

template <class Preset>
using Reader = std::optional<Preset> (*)(ObjectReader&);

// One catalog: each data file parsed on first use, so that a scenario, which names one model
// and one GPU, costs two small parses rather than the whole catalog (a cold page start paid
// ~60-90 ms for that). One mutex keeps first uses thread-safe; slots never move, so pointers
// into them stay valid.
template <class Preset>
class Catalog {
 public:
  Catalog(const data::Entry* entries, std::size_t count, const char* prefix, Reader<Preset> read)
      : entries_(entries), prefix_(prefix), read_(read), slots_(count) {}

  const Preset* find(std::string_view id) {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (entries_[i].id == id) return load(i);
    return nullptr;
  }

  // Every valid preset in file order, and the problems of the invalid ones.
  const std::vector<Preset>& all() {
    load_all();
    return all_;
  }
  const Errors& errors() {
    load_all();
    return errors_;
  }

 private:
  struct Slot {
    bool tried = false;
    std::optional<Preset> preset;  // empty when the entry is invalid
    Errors errors;
  };

  const Preset* load(std::size_t i) {  // the mutex is held
    Slot& s = slots_[i];
    if (!s.tried) {
      s.tried = true;
      const std::string path = std::string(prefix_) + "/" + std::to_string(i);
      if (auto root = json_io::parse_text(entries_[i].json, path, s.errors)) {
        ObjectReader r(&*root, path, s.errors);
        s.preset = read_(r);
      }
    }
    return s.preset ? &*s.preset : nullptr;
  }

  void load_all() {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (all_loaded_) return;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (const Preset* p = load(i)) all_.push_back(*p);
      errors_.insert(errors_.end(), slots_[i].errors.begin(), slots_[i].errors.end());
    }
    all_loaded_ = true;
  }

  const data::Entry* entries_;
  const char* prefix_;  // JSON pointer of the catalog in error paths: "/models"
  Reader<Preset> read_;
  std::mutex mutex_;
  std::vector<Slot> slots_;
  bool all_loaded_ = false;
  std::vector<Preset> all_;
  Errors errors_;
};

Catalog<ModelPreset>& models() {
  static Catalog<ModelPreset> c{data::kModels, data::kModelsCount, "/models", read_model};
  return c;
}

Catalog<GpuPreset>& gpus() {
  static Catalog<GpuPreset> c{data::kGpus, data::kGpusCount, "/gpus", read_gpu};
  return c;
}

Catalog<UnifiedPreset>& unified() {
  static Catalog<UnifiedPreset> c{data::kUnified, data::kUnifiedCount, "/unified", read_unified};
  return c;
}

}  // namespace

const std::vector<UnifiedPreset>& unified_presets() { return unified().all(); }
const UnifiedPreset* find_unified(std::string_view id) { return unified().find(id); }
const std::vector<ModelPreset>& model_presets() { return models().all(); }
const std::vector<GpuPreset>& gpu_presets() { return gpus().all(); }

const Errors& catalog_errors() {
  static const Errors errors = [] {
    Errors e = models().errors();
    e.insert(e.end(), gpus().errors().begin(), gpus().errors().end());
    e.insert(e.end(), unified().errors().begin(), unified().errors().end());
    return e;
  }();
  return errors;
}

const ModelPreset* find_model(std::string_view id) { return models().find(id); }

std::string_view hf_model_type(const ModelSpec& m) {
  const std::string_view id = m.id;
  if (id.substr(0, 3) == "hf:") return id.substr(3);  // hf_config.cpp: "hf:" + model_type
  const ModelPreset* p = find_model(id);
  return p != nullptr ? std::string_view(p->family) : std::string_view();
}

const GpuPreset* find_gpu(std::string_view id) { return gpus().find(id); }

}  // namespace llmcalc
