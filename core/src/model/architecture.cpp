#include "llmcalc/architecture.hpp"

namespace llmcalc {

int64_t Architecture::windowed_layers() const {
  if (sliding_window <= 0) return 0;
  if (global_attention_every <= 0) return num_layers;
  // Layers i with (i + 1) % N == 0 are global (Gemma 2: every 2nd, Gemma 3: every 6th).
  return num_layers - num_layers / global_attention_every;
}

int64_t Architecture::attention_width() const {
  return mla ? num_heads * mla->v_head_dim : num_heads * head_dim;
}

int64_t Architecture::qk_head_dim() const {
  return mla ? mla->qk_nope_head_dim + mla->qk_rope_head_dim : head_dim;
}

}  // namespace llmcalc
