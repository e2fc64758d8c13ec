#include <algorithm>

#include "memory.hpp"
#include "prefill_step.hpp"
#include "../text/number_format.hpp"

namespace llmcalc {
namespace {

double act_bytes(const Context& c) { return dtype_bytes(c.s.precision.activations); }

// Routed-expert tokens and widths of one MoE layer (0 for dense models).
double moe_mlp_width(const Context& c) {
  if (!c.a.moe) return double(c.a.intermediate_size);
  const MoeConfig& m = *c.a.moe;
  return double(m.top_k * m.expert_intermediate_size +
                m.num_shared_experts * m.shared_expert_intermediate_size);
}

}  // namespace

// llama.cpp's GPU compute buffer, sized by the graph allocator for the worst case: one
// ubatch of n_ubatch queries against n_ctx keys. Without flash attention it holds one f32 KQ
// tensor (softmax runs in place) and the f32 KQ mask, plus the rest of the graph (a profile
// constant); logits go to a host output buffer, so there is no logits item on the GPU.
namespace {
void add_llamacpp_compute_buffer(const Context& c, Items& out) {
  const Ex ctx = c.num(double(fixed_context_tokens(c)), "n_ctx");
  const Ex ub = c.num(std::min<double>(c.s.engine.get(EngineOption::n_ubatch, 512),
                                       double(fixed_context_tokens(c))), "n_ubatch");
  const Ex other = c.bytes(c.s.engine.profile->compute_buffer_other_bytes, "rest of the graph");
  Ex buf;
  if (c.s.options.flash_attention) {
    buf = ctx * ub * c.bytes(2, "f16 KQ mask") + other;
  } else {
    buf = c.num(double(c.a.num_heads), "heads") * ctx * ub * c.bytes(4, "f32 KQ (softmax in place)") +
          ctx * ub * c.bytes(4, "f32 KQ mask") + other;
  }
  out.push_back(c.item(MemoryKind::activations, buf, "Compute buffer (llama.cpp)"));
}
}  // namespace

void add_inference_activation_items(const Context& c, Items& out) {
  if (c.fixed_context()) {
    add_llamacpp_compute_buffer(c, out);
    return;
  }
  const Workload& w = c.s.workload;
  const Architecture& a = c.a;
  const Ex ab = c.bytes(act_bytes(c), dtype_name(c.s.precision.activations));
  const PrefillStep step = prefill_step(c.s);
  const int64_t chunk = step.chunk;
  // In the largest forward step: the batch's prompts, or the engine's token budget per step.
  const Ex T = c.num(double(step.tokens), step.budget > 0 ? "tokens per step" : "tokens");
  const Ex heads = c.num(double(a.num_heads) / c.tp, "heads");
  // Live at once in one layer: the residual stream and its normalized copy, then the larger
  // of the attention phase (q, k, v, output, and the score matrix when attention is not
  // fused) and the MLP phase (gate, up and their product, or up and its activation).
  const Ex residual = T * c.num(double(a.hidden_size), "hidden") * c.num(2, "residual, norm") * ab;
  Ex attn = T *
            (heads * c.num(double(a.qk_head_dim()), "qk_dim") * c.num(2, "q, out") +
             c.num(2, "k, v") * c.num(double(c.kv_heads_per_gpu()), "kv_heads") *
                 c.num(double(a.head_dim), "head_dim")) *
            ab;
  if (!c.s.options.flash_attention) {
    // Eager attention materializes fp32 softmax scores plus their 16-bit copy.
    attn = attn + c.num(double(w.batch), "batch") * heads * c.num(double(chunk), "query tokens") *
                      c.num(double(w.prompt), "key tokens") * (c.bytes(4, "fp32 scores") + ab);
  }
  const bool gated = a.mlp == MlpKind::gated;
  const Ex mlp = T * c.num(moe_mlp_width(c) / c.tp, a.moe ? "active expert width" : "intermediate") *
                 c.num(gated ? 3 : 2, gated ? "gate, up, product" : "up, activation") * ab;
  std::string label;
  if (c.text()) {
    label = "Activations (largest prefill step";
    if (step.budget > 0)
      label += ": " + format_number(double(step.budget)) + (step.budget == 1 ? " token, " : " tokens, ") +
               std::string(step.budget_name);
    else if (chunk < w.prompt)
      label += ", chunk " + format_number(double(chunk));
    label += ")";
  }
  out.push_back(c.item(MemoryKind::activations, residual + emax(attn, mlp), std::move(label)));

  // Logits: 16-bit lm_head output for the positions asked for, and an fp32 copy of the last
  // position's row per sequence for sampling (HF generate, vLLM).
  const bool all = c.s.options.logits == LogitsScope::all;
  const Ex V = c.num(double(a.vocab_size), "vocab");
  const Ex logits = c.num(all ? T.v : double(w.batch), all ? "positions (all)" : "positions (last)") * V * ab +
                    c.num(double(w.batch), "sequences") * V * c.bytes(4, "fp32 for sampling");
  out.push_back(c.item(MemoryKind::logits, logits));
}

namespace {

// Bytes one transformer layer saves for backward in a PyTorch (Hugging Face) implementation,
// per micro-batch of b sequences of s tokens: split over tp ranks (heads, MLP width), held
// whole by every rank unless sequence parallel (norm inputs), and eager attention's scores.
struct LayerActs {
  Ex sharded, replicated, scores;
  bool has_scores = false;
};

LayerActs detailed_layer(const Context& c, const Ex& ab, const Ex& sb) {
  const Architecture& a = c.a;
  const double abv = act_bytes(c);
  const Ex h = c.num(double(a.hidden_size), "hidden");
  const Ex nh = c.num(double(a.num_heads), "heads");
  const Ex qk = c.num(double(a.qk_head_dim()), "qk_dim");
  const Ex vd = c.num(a.mla ? double(a.mla->v_head_dim) : double(a.head_dim), "v_dim");
  LayerActs L;
  // Norms: HF RMSNorm upcasts to fp32 (saved by pow/mul) and saves its 16-bit output;
  // LayerNorm saves its input and output (the next linear's input). torch.compile fuses the
  // norm into one kernel whose backward recomputes the fp32 upcast from the 16-bit input.
  const bool compiled = c.s.engine.flag(EngineOption::compile);
  const Ex per_norm = a.norm == NormKind::rmsnorm && !compiled
                          ? c.bytes(4.0 + 2.0 * abv, "fp32 upcast + 16-bit output")
                          : c.bytes(2.0 * abv, "input + output");
  L.replicated = c.num(double(a.norms_per_layer), "norms") * per_norm * sb * h;
  // q, k, v after RoPE (saved by attention); flash/SDPA saves its output and an fp32
  // log-sum-exp per head; o_proj saves its (re-laid-out) input.
  Ex kv_width;
  if (a.mla) kv_width = nh * (qk + vd);
  else if (!c.s.options.flash_attention)
    kv_width = c.num(2, "k, v") * nh * c.num(double(a.head_dim), "head_dim (repeat_kv)");
  else
    kv_width = c.num(2, "k, v") * c.num(double(a.num_kv_heads), "kv_heads") *
               c.num(double(a.head_dim), "head_dim");
  Ex attn = sb * (nh * qk + kv_width + c.num(2, "output, o_proj input") * nh * vd) * ab +
            c.bytes(4, "fp32 log-sum-exp") * sb * nh;
  if (a.mla) {
    // The compressed latents (and the q latent) are saved by their up-projections.
    attn = attn + sb *
                      (c.num(double(a.mla->kv_lora_rank), "kv_lora_rank") +
                       c.num(double(a.mla->qk_rope_head_dim), "rope_dim") +
                       c.num(double(a.mla->q_lora_rank), "q_lora_rank")) *
                      ab;
  }
  if (!c.s.options.flash_attention) {
    // Eager: fp32 softmax output (saved by softmax) and its 16-bit copy (saved by P @ V).
    const Ex seq = c.num(double(c.s.workload.seq), "seq");
    L.scores = c.num(double(c.s.workload.batch), "batch") * nh * seq * seq *
               (c.bytes(4, "fp32 softmax") + ab);
    L.has_scores = true;
  }
  // MLP: gate output (SiLU input), SiLU output, up output and their product; GELU MLP:
  // fc1 output and GELU output. MoE: the same over top-k routed copies of each token,
  // plus the gathered expert inputs and the fp32 router probabilities.
  // torch.compile fuses SiLU(gate) x up: backward recomputes the SiLU output from gate.
  const bool gated = a.mlp == MlpKind::gated;
  const Ex mult = gated ? (compiled ? c.num(3, "gate, up, product (SiLU fused)")
                                   : c.num(4, "gate, act, up, product"))
                        : c.num(2, "fc1, act");
  const Ex dense = sb * c.num(double(a.intermediate_size), "intermediate") * mult * ab;
  Ex mlp = dense;
  if (a.moe) {
    const MoeConfig& m = *a.moe;
    const Ex routed = sb * c.num(double(m.top_k), "top_k") *
                          (c.num(double(m.expert_intermediate_size), "expert width") * mult +
                           c.num(2, "gathered input, output") * h) *
                          ab +
                      sb * c.num(double(m.num_shared_experts * m.shared_expert_intermediate_size),
                                 "shared expert width") *
                          mult * ab +
                      sb * c.num(double(m.num_experts), "experts") * (ab + c.bytes(4, "fp32 router"));
    // Dense leading layers are averaged in: activations differ little per layer.
    mlp = (c.num(double(a.dense_layers()), "dense layers") * dense +
           c.num(double(a.moe_layers()), "MoE layers") * routed) /
          c.num(double(a.num_layers), "layers");
  }
  L.sharded = attn + mlp;
  return L;
}

// One layer on one GPU: the sharded part over tp, the replicated part over tp only when
// sequence parallel, the scores over tp when kept.
Ex layer_bytes(const Context& c, const LayerActs& L, bool keep_scores) {
  if (c.tp == 1) return keep_scores && L.has_scores ? L.sharded + L.replicated + L.scores
                                                    : L.sharded + L.replicated;
  const Ex t = c.num(c.tp, "tp");
  Ex e = L.sharded / t + (c.s.parallelism.sequence_parallel ? L.replicated / t : L.replicated);
  if (keep_scores && L.has_scores) e = e + L.scores / t;
  return e;
}

}  // namespace

void add_training_activation_items(const Context& c, Items& out) {
  const Workload& w = c.s.workload;
  const Architecture& a = c.a;
  const Ex ab = c.bytes(act_bytes(c), dtype_name(c.s.precision.activations));
  const Ex b = c.num(double(w.batch), "batch"), s = c.num(double(w.seq), "seq");
  const Ex h = c.num(double(a.hidden_size), "hidden");
  const Ex layers = c.num(double(c.layers_per_stage), "layers");
  const double mbv = double(c.in_flight_micro_batches);
  const Checkpointing ckpt = c.s.training.checkpointing;
  const bool sp = c.s.parallelism.sequence_parallel && c.tp > 1;
  // "x 2 micro-batches in flight" only when there is more than one.
  auto in_flight = [&](const Ex& e) {
    return mbv > 1 ? e * c.num(mbv, "micro-batches in flight") : e;
  };
  auto over_sp = [&](const Ex& e) { return sp ? e / c.num(c.tp, "tp (sequence parallel)") : e; };

  Ex bytes;
  // What only the layers' backward holds beside the saved activations: the one layer being
  // recomputed under full checkpointing (the gradients are added below).
  Ex backward_only = c.bytes(0);
  bool has_backward_only = false;
  switch (c.s.options.activation_method) {
    case ActivationMethod::seed: {
      // Seed 000: batch x seq x layers x hidden x bytes x ~7; with full checkpointing only
      // each layer's input (x 1) is kept.
      const bool inputs_only = ckpt == Checkpointing::full;
      bytes = over_sp(in_flight(b * s * layers * h * ab *
                                c.num(inputs_only ? 1 : 7, inputs_only ? "layer inputs only"
                                                                        : "rule of thumb")));
      break;
    }
    case ActivationMethod::korthikanti: {
      // Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
      // Models", eqs. 2-6 (16-bit activations; scaled by bytes/2 for other dtypes).
      const Ex sbh = s * b * h;
      const Ex t = c.num(c.tp, "t");
      Ex per_layer;
      if (ckpt == Checkpointing::full) {
        per_layer = over_sp(c.num(2) * sbh);
      } else {
        const bool attention_kept = ckpt != Checkpointing::selective;
        // 5as/h: the attention scores, softmax and dropout mask (recomputed when selective).
        const Ex attn_term = c.num(5) * c.num(double(a.num_heads), "a") * s / h;
        if (c.tp == 1) {
          per_layer = sbh * (attention_kept ? c.num(34) + attn_term : c.num(34));
        } else if (sp) {
          per_layer = sbh * (attention_kept ? c.num(34) + attn_term : c.num(34)) / t;
        } else {
          const Ex base = c.num(10) + c.num(24) / t;
          per_layer = sbh * (attention_kept ? base + attn_term / t : base);
        }
      }
      bytes = in_flight(per_layer * ab / c.num(2, "B (the paper's 16-bit)") * layers);
      break;
    }
    case ActivationMethod::detailed: {
      const LayerActs L = detailed_layer(c, ab, b * s);
      if (ckpt == Checkpointing::full && c.s.engine.flag(EngineOption::activation_offload)) {
        // Offloaded checkpoints: the layer inputs live in host memory; the GPU holds the one
        // being recomputed and the next one being copied back.
        const Ex input = over_sp(s * b * h * ab);
        backward_only = layer_bytes(c, L, true);
        has_backward_only = true;
        bytes = input * c.num(2, "layer inputs on the GPU (current + prefetch)") + backward_only;
      } else if (ckpt == Checkpointing::full) {
        // Only each layer's input is kept; backward recomputes one layer at a time.
        const Ex input = over_sp(s * b * h * ab);
        backward_only = layer_bytes(c, L, true);
        has_backward_only = true;
        bytes = in_flight(input * layers) + backward_only;
      } else {
        bytes = in_flight(layer_bytes(c, L, ckpt == Checkpointing::none) * layers);
      }
      break;
    }
  }
  out.push_back(c.item(MemoryKind::activations, bytes));

  if (c.s.options.activation_method == ActivationMethod::seed) return;
  // Logits and loss on the last stage: the 16-bit logits the model returns, and the fp32
  // log-softmax that cross-entropy saves (HF upcasts logits before the loss).
  const Ex V = c.num(double(a.vocab_size), "vocab");
  Ex logits;
  if (c.s.options.activation_method == ActivationMethod::korthikanti) {
    logits = s * b * V * c.bytes(4, "fp32 cross-entropy, Korthikanti");
    if (c.tp > 1) logits = logits / c.num(c.tp, "tp (vocab-parallel)");
  } else if (c.s.engine.get(EngineOption::chunked_cross_entropy, 0) > 0) {
    // Chunked cross-entropy (torchtune CEWithChunkedOutputLoss): the 16-bit logits are kept,
    // but only one chunk at a time is upcast to fp32 and log-softmaxed.
    const Ex chunks = c.num(c.s.engine.get(EngineOption::chunked_cross_entropy, 8), "chunks");
    logits = s * b * V * (ab + (c.bytes(4, "fp32 upcast") + c.bytes(4, "fp32 log-softmax")) / chunks);
  } else if (c.s.engine.active && c.s.engine.profile->logits_fp32_copies != 2) {
    // The engine's loss path keeps more fp32 vocab-sized tensors (HF: logits.float(), the
    // shifted contiguous copy, log-softmax and its gradient).
    logits = s * b * V * (ab + c.num(double(c.s.engine.profile->logits_fp32_copies), "fp32 copies") * c.bytes(4, "fp32"));
  } else {
    logits = s * b * V * (ab + c.bytes(4, "fp32 upcast") + c.bytes(4, "fp32 log-softmax"));
  }
  if (c.s.engine.flag(EngineOption::free_logits_before_backward)) {
    // The recipe drops its reference to the logits before backward (torchtune PR #1235), so
    // the loss's tensors are freed as the cross-entropy's backward runs, before any layer's
    // backward: the peak is the saved activations plus the larger of the loss phase (the
    // logits) and the layers' backward (their gradients and the recomputed layer). The item
    // holds the part of the loss phase beyond the backward phase.
    Ex grads = c.bytes(0);
    bool has_grads = false;
    for (const MemoryItem& i : out) {
      if (i.kind != MemoryKind::gradients) continue;
      grads = has_grads ? grads + c.bytes(i.bytes, "gradients") : c.bytes(i.bytes, "gradients");
      has_grads = true;
    }
    Ex backward = grads;
    if (has_backward_only) backward = has_grads ? backward_only + grads : backward_only;
    logits = emax(c.bytes(0), logits - backward);
    out.push_back(c.item(MemoryKind::logits, logits, "Logits and loss (beyond the backward peak)"));
    return;
  }
  out.push_back(c.item(MemoryKind::logits, logits, "Logits and loss"));
}

}  // namespace llmcalc
