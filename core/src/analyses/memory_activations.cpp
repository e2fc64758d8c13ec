#include <algorithm>

#include "memory.hpp"

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

void add_inference_activation_items(const Context& c, Items& out) {
  const Workload& w = c.s.workload;
  const Architecture& a = c.a;
  const double ab = act_bytes(c);
  const int64_t chunk =
      c.s.options.prefill_chunk > 0 ? std::min(c.s.options.prefill_chunk, w.prompt) : w.prompt;
  const double T = double(w.batch) * double(chunk);  // tokens in the largest forward step
  const double h = double(a.hidden_size);
  const double heads = double(a.num_heads) / c.tp;
  const double kvh = double(c.kv_heads_per_gpu());
  // Live at once in one layer: the residual stream and its normalized copy, then the larger
  // of the attention phase (q, k, v, output, and the score matrix when attention is not
  // fused) and the MLP phase (gate, up and their product, or up and its activation).
  const double residual = 2.0 * T * h * ab;
  double attn = T * (heads * double(a.qk_head_dim()) * 2.0 + 2.0 * kvh * double(a.head_dim)) * ab;
  Formula f;
  f.times(T, "tokens").times(h, "hidden").times(2, "(residual + norm)");
  double scores = 0;
  if (!c.s.options.flash_attention) {
    // Eager attention materializes fp32 softmax scores plus their 16-bit copy.
    scores = double(w.batch) * heads * double(chunk) * double(w.prompt) * (4.0 + ab);
    attn += scores;
  }
  const double width = moe_mlp_width(c) / c.tp;
  const double mlp = T * width * (a.mlp == MlpKind::gated ? 3.0 : 2.0) * ab;
  const double peak = residual + std::max(attn, mlp);
  if (mlp >= attn) {
    f.plus(T, "tokens").times(width, a.moe ? "active expert width" : "intermediate")
        .times(a.mlp == MlpKind::gated ? 3 : 2, a.mlp == MlpKind::gated ? "(gate, up, product)"
                                                                         : "(up, activation)");
  } else {
    f.plus(T, "tokens").times(heads * double(a.qk_head_dim()) * 2.0 + 2.0 * kvh * double(a.head_dim),
                              "q,k,v,out width");
    if (scores > 0) {
      f.plus(double(w.batch), "batch").times(heads, "heads").times(double(chunk));
      f.times(double(w.prompt), "scores x (4 + ").value(ab).text(") B / ").value(ab);
    }
  }
  f.times(ab, "B");
  Formula label("Activations (largest prefill step");
  if (chunk < w.prompt) label.text(", chunk ").value(double(chunk));
  label.text(")");
  out.push_back({"activations", std::move(label).str(), peak, std::move(f).str()});

  // Logits: 16-bit lm_head output for the positions asked for, and an fp32 copy of the last
  // position's row per sequence for sampling (HF generate, vLLM).
  const double positions = c.s.options.logits == LogitsScope::all ? T : double(w.batch);
  const double V = double(a.vocab_size);
  Formula lf;
  lf.times(positions, c.s.options.logits == LogitsScope::all ? "positions (all)" : "positions (last)")
      .times(V, "vocab")
      .times(ab, "B")
      .plus(double(w.batch), "sequences")
      .times(V, "vocab")
      .times(4, "B (fp32 for sampling)");
  out.push_back({"logits", "Logits", positions * V * ab + double(w.batch) * V * 4.0, std::move(lf).str()});
}

namespace {

struct LayerActs {
  double sharded = 0;     // bytes split over tp ranks (heads, MLP width)
  double replicated = 0;  // bytes every tp rank holds unless sequence parallel
  double scores = 0;      // attention-score bytes (eager attention only), sharded
  double norms = 0, per_norm = 0, mult = 0;  // for the formula
};

// "norms 2 x 8 B x sbh + attention q,k,v,out + MLP 4 x sb x width x 2 B"
void layer_formula(Formula& f, const LayerActs& L, double ab) {
  f.text("norms ").value(L.norms).times(L.per_norm, "B x sbh + attention q,k,v,out + MLP ");
  f.value(L.mult, "x sb x width x ").value(ab, "B");
}

// Bytes one transformer layer saves for backward in a PyTorch (Hugging Face) implementation,
// per micro-batch of b sequences of s tokens.
LayerActs detailed_layer(const Context& c) {
  const Architecture& a = c.a;
  const double ab = act_bytes(c);
  const double sb = double(c.s.workload.batch) * double(c.s.workload.seq);
  const double h = double(a.hidden_size);
  const double nh = double(a.num_heads);
  const double qk = double(a.qk_head_dim());
  const double vd = a.mla ? double(a.mla->v_head_dim) : double(a.head_dim);
  LayerActs L;
  // Norms: HF RMSNorm upcasts to fp32 (saved by pow/mul) and saves its 16-bit output;
  // LayerNorm saves its input and output (the next linear's input).
  const double per_norm = a.norm == NormKind::rmsnorm ? (4.0 + 2.0 * ab) : 2.0 * ab;
  L.replicated += double(a.norms_per_layer) * per_norm * sb * h;
  // q, k, v after RoPE (saved by attention); flash/SDPA saves its output and an fp32
  // log-sum-exp per head; o_proj saves its (re-laid-out) input.
  double kv_width = a.mla ? nh * (qk + vd) : 2.0 * double(a.num_kv_heads) * double(a.head_dim);
  if (!c.s.options.flash_attention && !a.mla) kv_width = 2.0 * nh * double(a.head_dim);  // repeat_kv
  double attn = sb * (nh * qk + kv_width + 2.0 * nh * vd) * ab + 4.0 * sb * nh;
  if (a.mla) {
    // The compressed latents (and the q latent) are saved by their up-projections.
    attn += sb * double(a.mla->kv_lora_rank + a.mla->qk_rope_head_dim + a.mla->q_lora_rank) * ab;
  }
  if (!c.s.options.flash_attention) {
    // Eager: fp32 softmax output (saved by softmax) and its 16-bit copy (saved by P @ V).
    L.scores = double(c.s.workload.batch) * nh * double(c.s.workload.seq) *
               double(c.s.workload.seq) * (4.0 + ab);
  }
  // MLP: gate output (SiLU input), SiLU output, up output and their product; GELU MLP:
  // fc1 output and GELU output. MoE: the same over top-k routed copies of each token,
  // plus the gathered expert inputs and the fp32 router probabilities.
  const double mult = a.mlp == MlpKind::gated ? 4.0 : 2.0;
  double mlp = 0;
  if (a.moe) {
    const MoeConfig& m = *a.moe;
    const double k = double(m.top_k);
    mlp = sb * k * (double(m.expert_intermediate_size) * mult + 2.0 * h) * ab +
          sb * double(m.num_shared_experts * m.shared_expert_intermediate_size) * mult * ab +
          sb * double(m.num_experts) * (ab + 4.0);
    // Dense leading layers are averaged in: activations differ little per layer.
    const double dense = sb * double(a.intermediate_size) * mult * ab;
    const double frac = double(a.dense_layers()) / double(a.num_layers);
    mlp = frac * dense + (1.0 - frac) * mlp;
  } else {
    mlp = sb * double(a.intermediate_size) * mult * ab;
  }
  L.sharded = attn + mlp;
  L.norms = double(a.norms_per_layer);
  L.per_norm = per_norm;
  L.mult = mult;
  return L;
}

double layer_bytes(const Context& c, const LayerActs& L, bool keep_scores) {
  return L.sharded / c.tp + L.replicated * c.replicated_share() +
         (keep_scores ? L.scores / c.tp : 0.0);
}

}  // namespace

void add_training_activation_items(const Context& c, Items& out) {
  const Workload& w = c.s.workload;
  const Architecture& a = c.a;
  const double ab = act_bytes(c);
  const double b = double(w.batch), s = double(w.seq), h = double(a.hidden_size);
  const double sbh = s * b * h;
  const double layers = double(c.layers_per_stage);
  const double mb = double(c.in_flight_micro_batches);
  const Checkpointing ckpt = c.s.training.checkpointing;
  const double t = c.tp;
  const bool sp = c.s.parallelism.sequence_parallel;
  // "32 layers x 2 micro-batches in flight"
  auto stack = [&](Formula& f) {
    f.value(layers, "layers");
    if (mb > 1) f.times(mb, "micro-batches in flight");
  };

  double bytes = 0;
  Formula f;
  switch (c.s.options.activation_method) {
    case ActivationMethod::seed: {
      // Seed 000: batch x seq x layers x hidden x bytes x ~7; with full checkpointing only
      // each layer's input (x 1) is kept.
      const double k = ckpt == Checkpointing::full ? 1.0 : 7.0;
      bytes = b * s * layers * h * ab * k * mb / (sp ? t : 1.0);
      f.times(b, "batch").times(s, "seq").times(layers, "layers").times(h, "hidden");
      f.times(ab, "B").times(k, ckpt == Checkpointing::full ? "(layer inputs only)" : "(rule of thumb)");
      if (mb > 1) f.times(mb, "micro-batches in flight");
      if (sp && t > 1) f.over(t, "tp (sequence parallel)");
      break;
    }
    case ActivationMethod::korthikanti: {
      // Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
      // Models", eqs. 2-6 (16-bit activations; scaled by bytes/2 for other dtypes).
      const double as_h = double(a.num_heads) * s / h;
      double per_layer = 0;
      if (ckpt == Checkpointing::full) {
        per_layer = 2.0 * sbh / (sp ? t : 1.0);
        f.text(sp && t > 1 ? "2 x sbh / t" : "2 x sbh");
      } else {
        const double attn_term = ckpt == Checkpointing::selective ? 0.0 : 5.0 * as_h;
        if (t == 1) per_layer = sbh * (34.0 + attn_term);
        else if (sp) per_layer = sbh * (34.0 + attn_term) / t;
        else per_layer = sbh * (10.0 + 24.0 / t + attn_term / t);
        f.text(t == 1 ? "sbh x (34 + " : sp ? "sbh / t x (34 + " : "sbh x (10 + 24/t + ");
        f.text(ckpt == Checkpointing::selective ? "0 [selective: attention recomputed])"
               : t > 1 && !sp                   ? "5as/ht)"
                                                : "5as/h)");
      }
      per_layer *= ab / 2.0;
      bytes = per_layer * layers * mb;
      f.text(" = ").value(per_layer, "B/layer (s=").value(s).text(", b=").value(b);
      f.text(", h=").value(h).text(", a=").value(double(a.num_heads)).text(", t=").value(t);
      f.text(") x ");
      stack(f);
      break;
    }
    case ActivationMethod::detailed: {
      const LayerActs L = detailed_layer(c);
      const bool keep_scores = ckpt == Checkpointing::none;
      const double one_layer = layer_bytes(c, L, true);
      if (ckpt == Checkpointing::full) {
        // Only each layer's input is kept; backward recomputes one layer at a time.
        const double inputs = sbh * ab * c.replicated_share();
        bytes = inputs * layers * mb + one_layer;
        f.times(sbh, "sbh").times(ab, "B (layer input)").times(layers, "layers");
        if (mb > 1) f.times(mb, "micro-batches");
        f.plus(one_layer, "B (one layer recomputed)");
      } else {
        const double per_layer = layer_bytes(c, L, keep_scores);
        bytes = per_layer * layers * mb;
        layer_formula(f, L, ab);
        if (L.scores > 0 && keep_scores)
          f.text(" + eager scores b x heads x s^2 x (4 + ").value(ab).text(") B");
        f.text(" = ").value(per_layer, "B/layer x ");
        stack(f);
      }
      break;
    }
  }
  out.push_back({"activations", "Activations", bytes, std::move(f).str()});

  if (c.s.options.activation_method == ActivationMethod::seed) return;
  // Logits and loss on the last stage: the 16-bit logits the model returns, and the fp32
  // log-softmax that cross-entropy saves (HF upcasts logits before the loss).
  const double V = double(a.vocab_size);
  const double per_logit = c.s.options.activation_method == ActivationMethod::korthikanti
                               ? 4.0
                               : ab + 8.0;
  const double logits = s * b * V * per_logit / (c.s.options.activation_method ==
                                                         ActivationMethod::korthikanti
                                                     ? t
                                                     : 1.0);
  Formula lf;
  lf.times(s, "seq").times(b, "batch").times(V, "vocab").times(per_logit,
      c.s.options.activation_method == ActivationMethod::korthikanti
          ? "B (fp32 cross-entropy, Korthikanti)"
          : "B (16-bit logits + fp32 upcast + fp32 log-softmax)");
  if (c.s.options.activation_method == ActivationMethod::korthikanti && t > 1)
    lf.over(t, "tp (vocab-parallel)");
  out.push_back({"logits", "Logits and loss", logits, std::move(lf).str()});
}

}  // namespace llmcalc
