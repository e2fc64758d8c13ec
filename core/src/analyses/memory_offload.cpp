// llama.cpp's offload to system RAM: what the RAM holds (the layers below -ngl's window, the
// input embedding, the routed experts of --n-cpu-moe's layers, and their KV cache), counted
// with the same item formulas as the GPU's, each device with its own verdict.
#include "memory.hpp"

namespace llmcalc {

namespace {

DeviceMemory device(std::string id, std::string name, std::vector<MemoryItem> items, double total,
                    double capacity) {
  DeviceMemory d;
  d.id = std::move(id);
  d.name = std::move(name);
  d.items = std::move(items);
  d.total_bytes = total;
  d.capacity_bytes = capacity;
  d.headroom_bytes = capacity - total;
  d.fits = d.headroom_bytes >= 0;
  return d;
}

}  // namespace

void add_offload_devices(const Context& c, Report& r) {
  r.devices.push_back(device("gpu", c.s.gpu.name, {}, r.memory.total_bytes, r.memory.capacity_bytes));
  // The RAM's items come from the same analyses over the tensors llama.cpp leaves there
  // (Device::host: per_gpu_elements and the KV cache's layers count those). Compute buffers,
  // the CUDA context and allocator slack stay on the GPU; llama.cpp's CPU compute buffer is
  // not counted.
  const Context host(c.s, c.exprs, Device::host);
  Items items;
  add_weight_items(host, items);
  if (host.layers_per_stage > 0) add_kv_cache_item(host, items);
  double total = 0;
  for (const auto& i : items) total += i.bytes;
  const std::string name = c.s.host.name.empty() ? "System RAM" : "System RAM (" + c.s.host.name + ")";
  // A unified machine's RAM is what the GPU's share leaves of the one pool.
  const double capacity = c.s.host.unified ? c.s.host.memory_bytes - c.s.gpu.memory_bytes : c.s.host.memory_bytes;
  r.devices.push_back(device("ram", name, std::move(items), total, capacity));
}

}  // namespace llmcalc
