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
  // hardware.extra_gpus: each holds its own layers' weights and KV cache and allocates its own
  // compute buffer, CUDA context and slack (llama.cpp reserves a compute buffer per backend;
  // the same formula as the first GPU's is used for each, an approximation: the output layer's
  // logits are on the last GPU only).
  for (size_t i = 0; i < c.s.extra_gpus.size(); ++i) {
    const Context g(c.s, c.exprs, Device::gpu, int(i) + 1);
    Items items;
    add_weight_items(g, items);
    if (g.layers_per_stage > 0) {
      add_kv_cache_item(g, items);
    }
    add_inference_activation_items(g, items);
    add_runtime_overhead_items(g, items);
    MemoryReport m = assemble_memory(g, std::move(items));
    r.devices.push_back(device("gpu" + std::to_string(i + 1), g.gpu().name, std::move(m.items), m.total_bytes,
                               m.capacity_bytes));
  }
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
