#include "llmcalc/catalog.hpp"

#include <set>

#include "../model/architecture_json.hpp"
#include "../scenario/json_reader.hpp"

namespace llmcalc::data {
extern const std::string_view kModelsJson;
extern const std::string_view kGpusJson;
}  // namespace llmcalc::data

namespace llmcalc {

using json_io::ObjectReader;
using nlohmann::json;

namespace {

struct Catalog {
  std::vector<ModelPreset> models;
  std::vector<GpuPreset> gpus;
  Errors errors;
};

void load_models(Catalog& c) {
  auto root = json_io::parse_text(data::kModelsJson, "/models", c.errors);
  if (!root) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < root->size(); ++i) {
    ObjectReader r(&(*root)[i], "/models/" + std::to_string(i), c.errors);
    ModelPreset p;
    p.spec.id = r.string("id").value_or("");
    p.spec.name = r.string("name").value_or("");
    p.family = r.string("family", "").value_or("");
    p.hf_repo = r.string("hf_repo", "").value_or("");
    p.config_source = r.string("config_source").value_or("");
    p.params_source = r.string("params_source").value_or("");
    p.spec.published_params = r.integer("published_params", 1, int64_t{1} << 52).value_or(0);
    p.spec.published_active_params =
        r.integer("published_active_params", 0, int64_t{1} << 52, 0).value_or(0);
    r.string("notes", "");
    ObjectReader arch = r.object("architecture");
    auto a = read_architecture(arch);
    if (!arch.valid()) r.error("architecture", "missing_field", "is required");
    r.reject_unknown({"id", "name", "family", "hf_repo", "config_source", "published_params",
                      "published_active_params", "params_source", "notes", "architecture"});
    if (!seen.insert(p.spec.id).second)
      r.error("id", "duplicate", "preset id \"" + p.spec.id + "\" appears twice");
    if (a) {
      p.spec.arch = *a;
      c.models.push_back(std::move(p));
    }
  }
}

void load_gpus(Catalog& c) {
  auto root = json_io::parse_text(data::kGpusJson, "/gpus", c.errors);
  if (!root) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < root->size(); ++i) {
    ObjectReader r(&(*root)[i], "/gpus/" + std::to_string(i), c.errors);
    GpuPreset p;
    Gpu& g = p.gpu;
    g.id = r.string("id").value_or("");
    g.name = r.string("name").value_or("");
    p.vendor = r.string("vendor", "").value_or("");
    g.memory_bytes = r.number("memory_bytes", 1e9, 1e13).value_or(0);
    p.memory_source = r.string("memory_source").value_or("");
    g.memory_bandwidth_bytes_per_s =
        r.number("memory_bandwidth_bytes_per_s", 1e10, 1e15).value_or(0);
    p.bandwidth_source = r.string("bandwidth_source").value_or("");
    ObjectReader flops = r.object("peak_flops");
    if (flops.valid()) {
      for (int d = 0; d < kDtypeCount; ++d) {
        const auto name = dtype_name(static_cast<Dtype>(d));
        g.peak_flops[d] = flops.number(name, 1e11, 1e17, 0.0).value_or(0);
      }
      flops.reject_unknown({"fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4", "nf4", "fp4"});
    } else {
      r.error("peak_flops", "missing_field", "is required");
    }
    p.flops_source = r.string("flops_source").value_or("");
    p.interconnect = r.string("interconnect", "").value_or("");
    g.interconnect_bandwidth_bytes_per_s =
        r.number("interconnect_bandwidth_bytes_per_s", 1e9, 1e13).value_or(0);
    p.interconnect_source = r.string("interconnect_source", "").value_or("");
    ObjectReader eff = r.object("efficiency");
    if (eff.valid()) {
      g.matmul_efficiency = eff.number("matmul", 0.05, 1.0).value_or(0.7);
      g.bandwidth_efficiency = eff.number("bandwidth", 0.05, 1.0).value_or(0.85);
      eff.reject_unknown({"matmul", "bandwidth"});
    } else {
      r.error("efficiency", "missing_field", "is required");
    }
    p.efficiency_source = r.string("efficiency_source").value_or("");
    r.string("notes", "");
    r.reject_unknown({"id", "name", "vendor", "memory_bytes", "memory_source",
                      "memory_bandwidth_bytes_per_s", "bandwidth_source", "peak_flops",
                      "flops_source", "interconnect", "interconnect_bandwidth_bytes_per_s",
                      "interconnect_source", "efficiency", "efficiency_source", "notes"});
    if (!seen.insert(g.id).second)
      r.error("id", "duplicate", "preset id \"" + g.id + "\" appears twice");
    c.gpus.push_back(std::move(p));
  }
}

const Catalog& catalog() {
  static const Catalog c = [] {
    Catalog out;
    load_models(out);
    load_gpus(out);
    return out;
  }();
  return c;
}

}  // namespace

const std::vector<ModelPreset>& model_presets() { return catalog().models; }
const std::vector<GpuPreset>& gpu_presets() { return catalog().gpus; }
const Errors& catalog_errors() { return catalog().errors; }

const ModelPreset* find_model(std::string_view id) {
  for (const auto& m : model_presets())
    if (m.spec.id == id) return &m;
  return nullptr;
}

const GpuPreset* find_gpu(std::string_view id) {
  for (const auto& g : gpu_presets())
    if (g.gpu.id == id) return &g;
  return nullptr;
}

}  // namespace llmcalc
