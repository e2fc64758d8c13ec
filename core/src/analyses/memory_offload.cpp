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
  // hardware.extra_gpus: each holds its own layers' weights and KV cache, its CUDA context and
  // slack, and a compute buffer by llama.cpp's rule: ggml/src/ggml-backend.cpp @
  // 0054c01370c2105fa7ba68c16c5e8ff5f55e430d (ggml_backend_sched_split_graph, then
  // ggml_gallocr_reserve_n per backend) sizes each backend's buffer by the live tensors of its
  // own splits plus its copies of their inputs. Every layer has the same shapes, so a GPU with
  // at least one layer needs one layer's working set and its own copy of the KQ mask: the
  // first GPU's formula. A GPU the split gives no slot runs no node and gets none. Not
  // modelled: the output layer's part on the last GPU, and the n_copies (4) of the inputs
  // that pipeline parallelism keeps when every layer is on the GPUs.
  for (size_t i = 0; i < c.s.extra_gpus.size(); ++i) {
    const Context g(c.s, c.exprs, Device::gpu, int(i) + 1);
    Items items;
    add_weight_items(g, items);
    if (g.layers_per_stage > 0) {
      add_kv_cache_item(g, items);
    }
    if (g.layer_end > g.layer_begin || g.output_here) add_inference_activation_items(g, items);
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
  // A run needs every device to hold its part (a GPU buffer that does not fit fails the load;
  // weights beyond the RAM page from disk every token under mmap): the report's verdict is all
  // devices'. memory's total and headroom stay the first GPU's (its items).
  for (const auto& d : r.devices) r.memory.fits = r.memory.fits && d.fits;
}

}  // namespace llmcalc
