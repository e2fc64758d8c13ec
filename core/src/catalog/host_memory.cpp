// System RAM presets (core/data/host_memory.json): where llama.cpp keeps offloaded tensors.
#include <mutex>

#include "data/embedded_data.hpp"
#include "json/json_reader.hpp"
#include "llmcalc/catalog.hpp"

namespace llmcalc {

namespace {

struct HostTable {
  std::vector<HostMemoryPreset> presets;
  std::vector<CpuPreset> cpus;
  Errors errors;
};

// One list of the file ("presets", "cpus"): every entry has an id, a name and a source; `read`
// reads the rest and says whether the entry is usable. A duplicate id is an error.
template <typename Entry, typename Read>
void read_list(json_io::ObjectReader& r, const std::string& key, std::vector<Entry>& out, Errors& errors,
               Read read) {
  const json_io::json* list = r.raw(key);
  if (list == nullptr || !list->is_array()) {
    r.error(key, "missing_field", "must be an array of entries");
    return;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    json_io::ObjectReader p(&(*list)[i], "/host_memory/" + key + "/" + std::to_string(i), errors);
    if (!p.valid()) continue;
    Entry e;
    e.id = p.string("id").value_or("");
    e.name = p.string("name").value_or("");
    e.source = p.string("source").value_or("");
    if (e.source.empty()) p.error("source", "missing_source", "must cite its source");
    const bool usable = read(p, e);
    for (const auto& other : out)
      if (other.id == e.id) p.error("id", "duplicate", "id " + e.id + " appears twice");
    if (!e.id.empty() && usable) out.push_back(std::move(e));
  }
}

HostTable load_host_memory() {
  HostTable t;
  const data::Entry* entry = nullptr;
  for (std::size_t i = 0; i < data::kLocalCount; ++i)
    if (data::kLocal[i].id == "host-memory") entry = &data::kLocal[i];
  if (entry == nullptr) {
    t.errors.push_back({"/host_memory", "missing_data", "host_memory.json is not embedded"});
    return t;
  }
  auto root = json_io::parse_text(entry->json, "/host_memory", t.errors);
  if (!root) return t;
  json_io::ObjectReader r(&*root, "/host_memory", t.errors);
  r.reject_unknown({"id", "source", "presets", "cpus", "cpu_flops_notes"});
  if (r.string("source").value_or("").empty()) r.error("source", "missing_source", "must cite its source");
  read_list(r, "presets", t.presets, t.errors, [](json_io::ObjectReader& p, HostMemoryPreset& h) {
    p.reject_unknown({"id", "name", "channels", "transfer_rate_mts", "bandwidth_bytes_per_s", "source",
                      "cpu_read_efficiency", "cpu_read_efficiency_source"});
    const auto channels = p.integer("channels", 1, 64).value_or(0);
    const auto rate = p.integer("transfer_rate_mts", 100, 20000).value_or(0);
    h.bandwidth_bytes_per_s = p.number("bandwidth_bytes_per_s", 1e9, 1e13).value_or(0);
    // The figure is arithmetic: channels x 8 bytes (one 64-bit channel) x MT/s.
    if (h.bandwidth_bytes_per_s != double(channels) * 8.0 * double(rate) * 1e6)
      p.error("bandwidth_bytes_per_s", "inconsistent", "must equal channels x 8 B x transfer_rate_mts");
    h.cpu_read_efficiency = p.number("cpu_read_efficiency", 0.05, 1.0).value_or(0);
    if (p.string("cpu_read_efficiency_source").value_or("").empty())
      p.error("cpu_read_efficiency_source", "missing_source", "must cite its source");
    return h.bandwidth_bytes_per_s > 0 && h.cpu_read_efficiency > 0;
  });
  read_list(r, "cpus", t.cpus, t.errors, [](json_io::ObjectReader& p, CpuPreset& c) {
    p.reject_unknown({"id", "name", "cores", "fp32_flops_per_cycle_per_core", "base_clock_mhz", "flops", "source"});
    const auto cores = p.integer("cores", 1, 1024).value_or(0);
    const auto per_cycle = p.integer("fp32_flops_per_cycle_per_core", 1, 256).value_or(0);
    const auto mhz = p.integer("base_clock_mhz", 100, 10000).value_or(0);
    c.flops = p.number("flops", 1e9, 1e15).value_or(0);
    // The figure is arithmetic: cores x FLOP per cycle x clock.
    if (c.flops != double(cores) * double(per_cycle) * double(mhz) * 1e6)
      p.error("flops", "inconsistent", "must equal cores x fp32_flops_per_cycle_per_core x base_clock_mhz x 1e6");
    return c.flops > 0;
  });
  return t;
}

const HostTable& host_table() {
  static const HostTable t = load_host_memory();
  return t;
}

}  // namespace

const std::vector<HostMemoryPreset>& host_memory_presets() { return host_table().presets; }

const HostMemoryPreset* find_host_memory(std::string_view id) {
  for (const auto& p : host_table().presets)
    if (p.id == id) return &p;
  return nullptr;
}

const std::vector<CpuPreset>& cpu_presets() { return host_table().cpus; }

const CpuPreset* find_cpu(std::string_view id) {
  for (const auto& c : host_table().cpus)
    if (c.id == id) return &c;
  return nullptr;
}

const Errors& host_memory_errors() { return host_table().errors; }

}  // namespace llmcalc
