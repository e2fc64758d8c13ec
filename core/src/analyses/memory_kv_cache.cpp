#include <algorithm>
#include <cmath>
#include <string>

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

// MTP layers whose KV the engine allocates: loaded MTP layers run as the speculative draft,
// and vLLM v1 gives the draft's attention layers KV cache in the target's KV cache group
// (vllm/v1/spec_decode/eagle.py @ f7eef1b6987f4780fe8636077682936fe075aa2f, load_model:
// draft_attn_layer_names; validate_same_kv_cache_group). Each MTP layer is a full decoder
// layer (vllm/model_executor/models/deepseek_mtp.py @ 03356f8cb59ba27f3d0ce8866d7516b5e32cff65,
// mtp_block = DeepseekV2DecoderLayer) attending to the whole context. They sit after the last
// layer, on the last pipeline stage; the per-GPU figure counts them (the worst stage).
int64_t draft_kv_layers(const Context& c) { return c.counts.mtp > 0 ? c.a.mtp_layers : 0; }

// A name for a group of layers in formulas: "full layers", "sliding layers (window 128)".
std::string layers_label(const CacheGroup& g) {
  // A Mamba-1 mixer shares the mamba2 kind's cache arithmetic; its formula names it as it is.
  std::string s(g.mamba1 ? "mamba1" : attention_kind_name(g.kind));
  s += " layers";
  if (g.window > 0) s += " (window " + format_number(double(g.window)) + ")";
  return s;
}

// KV cache of an architecture with a per-layer plan: one term per cache group, each with its
// own heads, widths and cap (sliding and chunked layers hold at most their window), plus the
// DeepSeek sparse-attention indexer keys (FP8 with an fp32 scale per 128 elements, growing
// with the context). Layers split evenly over pipeline stages, KV heads over tp ranks.
Ex plan_kv_cache_bytes(const Context& c, int64_t batch, int64_t tokens, bool text) {
  const auto n = [&](double v, std::string_view label = {}, std::string_view unit = {}) {
    return text ? c.num(v, label, unit) : Ex(v);
  };
  const Architecture& a = c.a;
  const double stage = double(c.layers_per_stage) / double(a.num_layers);
  const int64_t tp = c.s.parallelism.tp;
  Ex kv, indexer;
  bool any_kv = false, any_indexer = false;
  const auto per_token = [&](const CacheGroup& g) {
    if (g.kind == AttentionKind::mla)
      return n(double(a.mla->kv_lora_rank), "kv_lora_rank") + n(double(a.mla->qk_rope_head_dim), "rope_dim");
    const double heads = double(std::max<int64_t>(1, (g.kv_heads + tp - 1) / tp));
    return g.v_dim == 0 ? n(heads, "kv_heads") * n(double(g.k_dim), "head_dim (K = V, once)")
                        : n(heads, "kv_heads") * (n(double(g.k_dim), "k_dim") + n(double(g.v_dim), "v_dim"));
  };
  const auto add_kv = [&](const Ex& term) {
    kv = any_kv ? kv + term : term;
    any_kv = true;
  };
  const auto add_indexer = [&](const CacheGroup& g, const Ex& layers) {
    const double idx = double(g.indexer_elements_per_token);
    const Ex term = layers * n(double(tokens), "tokens") *
                    n(idx + 4.0 * std::ceil(idx / 128.0), "indexer key (fp8 + fp32 scale)", "B");
    indexer = any_indexer ? indexer + term : term;
    any_indexer = true;
  };
  const CacheGroup* global = nullptr;  // the MTP layers' geometry: the first full-context one
  for (const CacheGroup& g : a.cache_groups()) {
    const Ex layers = n(double(g.layers) * stage, layers_label(g));
    const Ex cached = n(double(cached_tokens(c, g.window > 0 ? std::min(tokens, g.window) : tokens, false)),
                        "tokens");
    if (g.kv_elements_per_token > 0) {
      add_kv(per_token(g) * layers * cached);
      if (global == nullptr && g.window == 0) global = &g;
    }
    if (g.indexer_elements_per_token > 0) add_indexer(g, n(double(g.layers) * stage, "indexer layers"));
  }
  if (const int64_t mtp = draft_kv_layers(c); mtp > 0 && global != nullptr) {
    const Ex layers = n(double(mtp), "MTP layers (draft)");
    add_kv(per_token(*global) * layers * n(double(cached_tokens(c, tokens, false)), "tokens"));
    if (global->indexer_elements_per_token > 0) add_indexer(*global, n(double(mtp), "MTP indexer layers"));
  }
  Ex out = any_kv ? kv * n(double(batch), "batch") *
                        n(dtype_bytes(c.s.precision.kv_cache), dtype_name(c.s.precision.kv_cache), "B")
                  : Ex(0);
  if (any_indexer) out = any_kv ? out + indexer * n(double(batch), "batch") : indexer * n(double(batch), "batch");
  return out;
}

}  // namespace

Ex recurrent_state_bytes(const Context& c, int64_t batch, bool text) {
  const auto n = [&](double v, std::string_view label = {}, std::string_view unit = {}) {
    return text ? c.num(v, label, unit) : Ex(v);
  };
  const Architecture& a = c.a;
  if (a.plan.empty()) return Ex(0);  // uniform architectures keep no state (and allocate nothing)
  const double stage = double(c.layers_per_stage) / double(a.num_layers);
  const double tp = c.tp;
  // vLLM shards the state's heads over tensor-parallel ranks (mamba_utils.py state shapes
  // divide the heads by tp); the conv state is kept in the activation dtype, the recurrent
  // / SSM state in the model's state dtype (mamba_ssm_cache_dtype).
  const Dtype conv = c.s.precision.activations;
  Ex sum;
  bool any = false;
  for (const CacheGroup& g : a.cache_groups()) {
    if (g.state_elements == 0 && g.conv_state_elements == 0) continue;
    Ex per_layer = n(double(g.state_elements), "state elements") *
                       n(dtype_bytes(a.state_dtype), dtype_name(a.state_dtype), "B") +
                   n(double(g.conv_state_elements), "conv state elements") *
                       n(dtype_bytes(conv), dtype_name(conv), "B");
    if (tp > 1) per_layer = per_layer / n(tp, "tp");
    const std::string label = g.kind == AttentionKind::full ? "hybrid layers" : layers_label(g);
    const Ex term = n(double(g.layers) * stage, label) * per_layer;
    sum = any ? sum + term : term;
    any = true;
  }
  return any ? sum * n(double(batch), "batch") : Ex(0);
}

double recurrent_state_bytes_per_gpu(const Context& c, int64_t batch) {
  return recurrent_state_bytes(c, batch, false).v;
}

void add_recurrent_state_item(const Context& c, Items& out) {
  const double bytes = recurrent_state_bytes_per_gpu(c, c.s.workload.batch);
  if (bytes <= 0) return;  // only models with linear-attention or SSM layers
  out.push_back(c.item(MemoryKind::recurrent_state, recurrent_state_bytes(c, c.s.workload.batch, c.text())));
}

// Cached elements per token per layer on one GPU. MLA caches one compressed latent plus the
// shared RoPE key (DeepSeek-V2 paper, section 2.1), and every tensor-parallel rank keeps the
// whole latent; standard attention caches K and V of the rank's KV heads. Global layers hold
// every token, windowed layers at most the window.
Ex kv_cache_bytes(const Context& c, int64_t batch, int64_t tokens, bool text) {
  const auto n = [&](double v, std::string_view label = {}, std::string_view unit = {}) {
    return text ? c.num(v, label, unit) : Ex(v);
  };
  const Architecture& a = c.a;
  if (!a.plan.empty()) return plan_kv_cache_bytes(c, batch, tokens, text);
  const Ex per_token =
      a.mla ? n(double(a.mla->kv_lora_rank), "kv_lora_rank") + n(double(a.mla->qk_rope_head_dim), "rope_dim")
            : n(2, "K,V") * n(double(c.kv_heads_per_gpu()), "kv_heads") * n(double(a.head_dim), "head_dim");
  const int64_t windowed = a.windowed_layers();
  const double stage = double(c.layers_per_stage) / double(a.num_layers);
  Ex cached;
  const int64_t mtp = draft_kv_layers(c);
  if (windowed == 0 || tokens <= a.sliding_window) {
    const Ex layers = mtp > 0 ? n(double(c.layers_per_stage), "layers") + n(double(mtp), "MTP layers (draft)")
                              : n(double(c.layers_per_stage), "layers");
    cached = layers * n(double(batch), "batch") * n(double(cached_tokens(c, tokens, false)), "tokens");
  } else {
    const Ex global = mtp > 0 ? n(double(a.num_layers - windowed) * stage, "global layers") +
                                    n(double(mtp), "MTP layers (draft)")
                              : n(double(a.num_layers - windowed) * stage, "global layers");
    cached = (global * n(double(cached_tokens(c, tokens, false)), "tokens") +
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
