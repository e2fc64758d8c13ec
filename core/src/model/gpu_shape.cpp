#include "gpu_shape.hpp"

#include <array>
#include <string>

#include "llmcalc/error.hpp"

namespace llmcalc {

namespace {
constexpr std::array kNumbers{kGpuMemory, kGpuBandwidth, kGpuInterconnect, kGpuMatmulEfficiency,
                              kGpuBandwidthEfficiency};

// peak_flops: dtype name -> FLOP/s; 0 says the GPU has no units for that dtype.
void read_peak_flops(json_io::ObjectReader& r, Gpu& g, GpuRead how) {
  const std::string_view key = kGpuPeakFlopsPointer.substr(kGpuPeakFlopsPointer.rfind('/') + 1);
  const nlohmann::json* v = r.strict(key, "an object of dtype: FLOP/s");
  if (v == nullptr) {
    if (how == GpuRead::complete && r.valid() && !r.has(key)) r.error(key, "missing_field", "is required");
    return;
  }
  if (!v->is_object()) {
    r.error(key, "wrong_type", "must be an object of dtype: FLOP/s, got " + json_io::type_name(*v));
    return;
  }
  if (how == GpuRead::complete) g.peak_flops = {};
  std::string names;
  for (int d = 0; d < kDtypeCount; ++d) (names += names.empty() ? "" : ", ") += dtype_name(Dtype(d));
  const std::string base = r.child_path(key);
  for (auto it = v->begin(); it != v->end(); ++it) {
    const std::string path = base + "/" + json_io::escape_pointer_token(it.key());
    int dtype = -1;
    for (int d = 0; d < kDtypeCount; ++d)
      if (dtype_name(Dtype(d)) == it.key()) dtype = d;
    if (dtype < 0) {
      r.errors().push_back(make_error(path, ErrorCode::unknown_field,
                                      "unknown dtype " + json_io::quote(it.key()) + "; expected one of: " + names));
      continue;
    }
    const nlohmann::json& x = *it;
    if (!x.is_number()) {
      r.errors().push_back(make_error(path, ErrorCode::wrong_type, "must be a number, got " + json_io::type_name(x)));
      continue;
    }
    if (x.get<double>() == 0) {
      g.peak_flops[dtype] = 0;
      continue;
    }
    if (auto n = json_io::as_number(x, path, kMinFlops, kMaxFlops, r.errors())) g.peak_flops[dtype] = *n;
  }
}
}  // namespace

std::span<const GpuNumber> gpu_numbers() { return kNumbers; }

void read_gpu_shape(json_io::ObjectReader& r, Gpu& g, GpuRead how) {
  for (const GpuNumber& n : kNumbers) {
    std::optional<double> fallback;
    if (how == GpuRead::overrides) fallback = g.*n.member;
    if (auto v = r.number(n.key(), n.min, n.max, fallback)) g.*n.member = *v;
    if (n.member == &Gpu::memory_bandwidth_bytes_per_s) read_peak_flops(r, g, how);
  }
}

nlohmann::json gpu_shape_json(const Gpu& g) {
  nlohmann::json j = nlohmann::json::object();
  for (const GpuNumber& n : kNumbers) {
    j[std::string(n.key())] = g.*n.member;
    if (n.member == &Gpu::memory_bandwidth_bytes_per_s) {
      nlohmann::json flops = nlohmann::json::object();
      for (int d = 0; d < kDtypeCount; ++d)
        if (g.peak_flops[d] > 0) flops[std::string(dtype_name(Dtype(d)))] = g.peak_flops[d];
      j["peak_flops"] = std::move(flops);
    }
  }
  return j;
}

}  // namespace llmcalc
