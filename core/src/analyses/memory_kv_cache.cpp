#include <algorithm>

#include "memory.hpp"

namespace llmcalc {
namespace {

// Tokens a sequence holds in one layer's cache: capped by the window on windowed layers,
// rounded up to whole pages when the cache is paged.
int64_t cached_tokens(const Context& c, int64_t tokens, bool windowed) {
  int64_t n = windowed ? std::min(tokens, c.a.sliding_window) : tokens;
  const int64_t page = c.s.options.kv_page_tokens;
  if (page > 0) n = (n + page - 1) / page * page;
  return n;
}

// Cached elements per token per layer on one GPU. MLA caches one compressed latent plus the
// shared RoPE key (DeepSeek-V2 paper, section 2.1), and every tensor-parallel rank keeps the
// whole latent; standard attention caches K and V of the rank's KV heads.
double kv_elements_per_token_layer(const Context& c) {
  const Architecture& a = c.a;
  if (a.mla) return double(a.mla->kv_lora_rank + a.mla->qk_rope_head_dim);
  return 2.0 * double(c.kv_heads_per_gpu()) * double(a.head_dim);
}

void add_kv_shape(const Context& c, Formula& f) {
  const Architecture& a = c.a;
  if (a.mla) {
    f.text("(").value(double(a.mla->kv_lora_rank), "kv_lora_rank");
    f.text(" + ").value(double(a.mla->qk_rope_head_dim), "rope_dim").text(")");
    return;
  }
  f.text("2 (K,V)").times(double(c.kv_heads_per_gpu()), "kv_heads").times(double(a.head_dim), "head_dim");
}

}  // namespace

double kv_cache_bytes_per_gpu(const Context& c, int64_t batch, int64_t tokens) {
  const double stage = double(c.layers_per_stage) / double(c.a.num_layers);
  const double windowed = double(c.a.windowed_layers()) * stage;
  const double global = double(c.a.num_layers) * stage - windowed;
  const double per_seq = global * double(cached_tokens(c, tokens, false)) +
                         windowed * double(cached_tokens(c, tokens, true));
  return kv_elements_per_token_layer(c) * per_seq * double(batch) *
         dtype_bytes(c.s.precision.kv_cache);
}

void add_kv_cache_item(const Context& c, Items& out) {
  const int64_t tokens = c.s.workload.prompt + c.s.workload.generate;
  const double bytes = kv_cache_bytes_per_gpu(c, c.s.workload.batch, tokens);
  const int64_t windowed = c.a.windowed_layers();
  const int64_t layers = c.layers_per_stage;
  Formula f;
  add_kv_shape(c, f);
  if (windowed == 0 || tokens <= c.a.sliding_window) {
    f.times(double(layers), "layers").times(double(c.s.workload.batch), "batch");
    f.times(double(cached_tokens(c, tokens, false)), "tokens");
  } else {
    const double stage = double(layers) / double(c.a.num_layers);
    f.text(" x (").value(double(c.a.num_layers - windowed) * stage, "global layers");
    f.times(double(cached_tokens(c, tokens, false)), "tokens");
    f.plus(double(windowed) * stage, "windowed layers").times(double(cached_tokens(c, tokens, true)), "tokens)");
    f.times(double(c.s.workload.batch), "batch");
  }
  f.times(dtype_bytes(c.s.precision.kv_cache), "B").text(" (").text(dtype_name(c.s.precision.kv_cache)).text(")");
  std::string label = "KV cache";
  if (c.s.options.kv_page_tokens > 0)
    label += " (paged, " + format_number(double(c.s.options.kv_page_tokens)) + "-token blocks)";
  out.push_back({"kv_cache", std::move(label), bytes, std::move(f).str()});
}

}  // namespace llmcalc
