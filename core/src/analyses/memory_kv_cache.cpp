#include <algorithm>

#include "memory.hpp"
#include "../text/number_format.hpp"
#include "model/gguf_types.hpp"

#include <cctype>
#include <string>

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

}  // namespace

// Cached elements per token per layer on one GPU. MLA caches one compressed latent plus the
// shared RoPE key (DeepSeek-V2 paper, section 2.1), and every tensor-parallel rank keeps the
// whole latent; standard attention caches K and V of the rank's KV heads. Global layers hold
// every token, windowed layers at most the window.
Ex kv_cache_bytes(const Context& c, int64_t batch, int64_t tokens, bool text) {
  const auto n = [&](double v, std::string_view label = {}, std::string_view unit = {}) {
    return text ? c.num(v, label, unit) : Ex(v);
  };
  const Architecture& a = c.a;
  const Ex per_token =
      a.mla ? n(double(a.mla->kv_lora_rank), "kv_lora_rank") + n(double(a.mla->qk_rope_head_dim), "rope_dim")
            : n(2, "K,V") * n(double(c.kv_heads_per_gpu()), "kv_heads") * n(double(a.head_dim), "head_dim");
  const int64_t windowed = a.windowed_layers();
  const double stage = double(c.layers_per_stage) / double(a.num_layers);
  Ex cached;
  if (windowed == 0 || tokens <= a.sliding_window) {
    cached = n(double(c.layers_per_stage), "layers") * n(double(batch), "batch") *
             n(double(cached_tokens(c, tokens, false)), "tokens");
  } else {
    cached = (n(double(a.num_layers - windowed) * stage, "global layers") *
                  n(double(cached_tokens(c, tokens, false)), "tokens") +
              n(double(windowed) * stage, "windowed layers") *
                  n(double(cached_tokens(c, tokens, true)), "tokens")) *
             n(double(batch), "batch");
  }
  // llama.cpp's cache types are ggml types: bytes per element = block bytes / block size
  // (core/data/gguf_types.json; q8_0 34 B / 32, q4_0 18 B / 32, q5_1 24 B / 32 ...).
  const size_t kv_type = size_t(c.s.engine.get(EngineOption::kv_cache_type, 0));
  if (c.fixed_context() && kv_type > 0) {
    const std::string name(engine_option_info(EngineOption::kv_cache_type).choices[kv_type]);
    std::string upper = name;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (const gguf::TypeInfo* t = gguf::find_type(upper)) {
      const double per = double(t->block_bytes) / double(t->block_elements);
      return per_token * cached *
             n(per, text ? name + " (" + std::to_string(t->block_bytes) + " B / " +
                               std::to_string(t->block_elements) + ")"
                         : std::string(), "B");
    }
  }
  return per_token * cached * n(dtype_bytes(c.s.precision.kv_cache), dtype_name(c.s.precision.kv_cache), "B");
}

double kv_cache_bytes_per_gpu(const Context& c, int64_t batch, int64_t tokens) {
  return kv_cache_bytes(c, batch, tokens, false).v;
}

void add_kv_cache_item(const Context& c, Items& out) {
  if (c.fixed_context()) {
    // llama.cpp allocates the whole context up front, shared by its parallel sequences.
    const int64_t ctx = fixed_context_tokens(c);
    out.push_back(c.item(MemoryKind::kv_cache, kv_cache_bytes(c, 1, ctx, c.text()),
                         c.text() ? "KV cache (n_ctx " + format_number(double(ctx)) + ")" : ""));
    return;
  }
  const int64_t tokens = c.s.workload.prompt + c.s.workload.generate;
  std::string label;
  if (c.s.options.kv_page_tokens > 0 && c.text())
    label = "KV cache (paged, " + format_number(double(c.s.options.kv_page_tokens)) + "-token blocks)";
  out.push_back(c.item(MemoryKind::kv_cache, kv_cache_bytes(c, c.s.workload.batch, tokens, c.text()),
                       std::move(label)));
}

}  // namespace llmcalc
