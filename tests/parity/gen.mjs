// Reproducible random scenarios for the native/WASM parity test: every mode, method,
// architecture kind (presets, HF configs, random explicit shapes with GQA/MQA, MoE, MLA,
// sliding windows, learned positions), precision, parallel layout and option. Nearly all are
// meant to be valid (the parity runner asserts it), so that the numbers get compared.

// mulberry32: small, fast, seeded.
export function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),  // inclusive
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    // log-uniform integer in [lo, hi]
    logInt: (lo, hi) => Math.min(hi, Math.max(lo, Math.round(Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo)))))),
  };
  return rng;
}

const DTYPES = ['fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'nf4', 'fp4'];
const KV_DTYPES = ['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4'];
const WIDE = ['fp32', 'fp16', 'bf16'];
const LORA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj',
  'q_a_proj', 'q_b_proj', 'kv_a_proj_with_mqa', 'kv_b_proj'];

const divisors = (n) => {
  const out = [];
  for (let d = 1; d <= n; ++d) if (n % d === 0) out.push(d);
  return out;
};

function randomArchitecture(r) {
  const heads = r.pick([1, 2, 4, 6, 8, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 96, 128]);
  const headDim = r.pick([32, 64, 64, 80, 96, 128, 128, 128, 192, 256]);
  const a = {
    vocab_size: r.logInt(256, 262144),
    hidden_size: heads * headDim,
    num_layers: r.logInt(1, 160),
    num_heads: heads,
    intermediate_size: Math.max(1, Math.round(heads * headDim * (1 + r.next() * 5))),
  };
  if (r.chance(0.2)) {
    // head_dim decoupled from hidden_size / heads (Gemma style)
    a.head_dim = r.pick([64, 128, 256]);
    a.hidden_size = r.int(1, 64) * 128;
  }
  if (r.chance(0.7)) a.num_kv_heads = r.pick(divisors(heads));
  if (r.chance(0.5)) a.mlp = r.pick(['gated', 'standard']);
  if (r.chance(0.4)) a.norm = r.pick(['rmsnorm', 'layernorm']);
  if (r.chance(0.2)) a.norms_per_layer = r.int(0, 4);
  if (r.chance(0.2)) a.final_norm = r.chance(0.5);
  if (r.chance(0.2)) a.qk_norm = r.chance(0.5);
  if (r.chance(0.2)) a.attention_bias = r.chance(0.5);
  if (r.chance(0.2)) a.attention_out_bias = r.chance(0.5);
  if (r.chance(0.2)) a.mlp_bias = r.chance(0.5);
  if (r.chance(0.3)) a.tie_word_embeddings = r.chance(0.5);
  const pos = r.pick(['rope', 'rope', 'rope', 'learned', 'alibi']);
  if (pos !== 'rope' || r.chance(0.3)) a.position = pos;
  if (pos === 'learned' || r.chance(0.4)) a.max_position_embeddings = r.logInt(512, 131072);
  if (r.chance(0.25)) {
    a.sliding_window = r.logInt(128, 32768);
    if (r.chance(0.6)) a.global_attention_every = r.int(1, 8);
  }
  if (r.chance(0.25)) {
    const experts = r.logInt(2, 256);
    a.moe = {
      num_experts: experts,
      top_k: r.int(1, Math.min(experts, 8)),
      expert_intermediate_size: r.int(1, 64) * 64,
    };
    if (r.chance(0.3)) a.moe.num_shared_experts = r.int(0, 2);
    if (r.chance(0.2)) a.moe.shared_expert_intermediate_size = r.int(1, 64) * 64;
    if (r.chance(0.3)) a.moe.first_dense_layers = r.int(0, a.num_layers);
    if (r.chance(0.2)) a.moe.shared_expert_gate = r.chance(0.5);
    if (r.chance(0.2)) a.moe.router_bias = r.chance(0.5);
  }
  if (r.chance(0.15)) {
    a.mla = {
      kv_lora_rank: r.pick([64, 128, 256, 512]),
      qk_nope_head_dim: r.pick([0, 64, 128]),
      qk_rope_head_dim: r.pick([32, 64]),
      v_head_dim: r.pick([64, 128]),
    };
    if (r.chance(0.5)) a.mla.q_lora_rank = r.pick([0, 384, 768, 1536]);
    if (a.num_kv_heads !== undefined && r.chance(0.5)) delete a.num_kv_heads;
  }
  return a;
}

// presets: catalog entries {id, architecture}; gpus: catalog entries {id}; hfConfigs: [{id, config}].
export function generateScenario(r, { presets, gpus, hfConfigs }) {
  const s = {};
  let arch;
  const kind = r.next();
  if (kind < 0.55) {
    const p = r.pick(presets);
    arch = p.architecture;
    s.model = r.chance(0.8) ? p.id : { preset: p.id, ...(r.chance(0.3) ? { name: `Renamed ${p.id}` } : {}) };
  } else if (kind < 0.65) {
    const h = r.pick(hfConfigs);
    arch = presets.find((p) => p.id === h.id).architecture;
    s.model = { hf_config: h.config };
  } else {
    arch = randomArchitecture(r);
    s.model = { architecture: arch };
    if (r.chance(0.2)) s.model.name = 'Random model';
  }
  const training = r.chance(0.4);
  if (training || r.chance(0.5)) s.mode = training ? 'training' : 'inference';
  if (r.chance(0.2)) s.method = 'seed';
  else if (r.chance(0.3)) s.method = 'detailed';

  // training policy: full fine-tuning needs unquantized weights; qlora a 4-bit base
  const finetune = training ? r.pick(['full', 'full', 'lora', 'qlora']) : 'full';
  const precision = {};
  if (r.chance(0.6)) {
    if (!training) precision.weights = r.pick(DTYPES);
    else if (finetune === 'full') precision.weights = r.pick(WIDE);
    else if (finetune === 'qlora') precision.weights = r.pick(['nf4', 'int4']);
    else precision.weights = r.pick(DTYPES);
  }
  if ((precision.weights === 'int4' || precision.weights === 'int8') && r.chance(0.5))
    precision.group_size = r.pick([0, 32, 64, 128, 256]);
  if (r.chance(0.3)) precision.kv_cache = r.pick(KV_DTYPES);
  if (r.chance(0.2)) precision.activations = r.pick(WIDE);
  if (r.chance(0.2)) precision.gradients = r.pick(WIDE);
  if (r.chance(0.15)) precision.master_weights = r.pick(['fp32', 'none']);
  if (r.chance(0.15)) precision.optimizer_states = r.pick(['fp32', 'bf16']);
  if (Object.keys(precision).length) s.precision = precision;

  const workload = {};
  if (r.chance(0.8)) workload.batch = r.logInt(1, r.chance(0.1) ? 4096 : 64);
  if (training) {
    if (r.chance(0.8)) workload.seq = r.logInt(16, 32768);
    if (r.chance(0.4)) workload.grad_accum = r.logInt(1, 64);
    if (r.chance(0.3)) workload.tokens_budget = r.pick([1e9, 1e10, 1.5e12, 2e6]);
  } else {
    if (r.chance(0.8)) workload.prompt = r.logInt(1, 65536);
    if (r.chance(0.8)) workload.generate = r.chance(0.1) ? 0 : r.logInt(1, 8192);
  }
  if (Object.keys(workload).length) s.workload = workload;

  if (training) {
    const t = {};
    if (finetune !== 'full' || r.chance(0.3)) t.finetune = finetune;
    if (r.chance(0.5)) t.optimizer = r.pick(['adamw', 'adamw-8bit', 'adafactor', 'sgd', 'sgd-momentum', 'lion']);
    if (r.chance(0.5)) t.checkpointing = r.pick(['none', 'selective', 'full']);
    if (r.chance(0.4)) t.zero_stage = r.int(0, 3);
    if (finetune !== 'full' && r.chance(0.6)) {
      t.lora = {};
      if (r.chance(0.7)) t.lora.rank = r.pick([4, 8, 16, 32, 64, 128]);
      if (r.chance(0.5)) {
        const n = r.int(1, 4);
        const targets = new Set();
        for (let i = 0; i < n; ++i) targets.add(r.pick(LORA_MODULES));
        t.lora.targets = r.chance(0.2) ? 'all-linear' : [...targets];
      }
    }
    if (Object.keys(t).length) s.training = t;
  }

  // parallel layout: tp divides num_heads, pp <= num_layers
  const tpChoices = divisors(arch.num_heads).filter((d) => d <= 16);
  const layout = r.next();
  let count = 1;
  const hardware = {};
  if (layout < 0.45) {
    // single GPU
  } else if (layout < 0.85) {
    const p = {};
    if (r.chance(0.7)) p.tp = r.pick(tpChoices);
    if (r.chance(0.3)) p.pp = r.int(1, Math.min(8, arch.num_layers));
    if (r.chance(0.4)) p.dp = r.pick([1, 2, 4, 8, 16]);
    if (r.chance(0.3)) p.sequence_parallel = r.chance(0.5);
    s.parallelism = p;
    count = (p.tp ?? 1) * (p.pp ?? 1) * (p.dp ?? 1);
    if (r.chance(0.4)) hardware.count = count;
  } else {
    // a GPU count alone: inference splits by tensor parallelism, training by data parallelism
    count = training ? r.pick([1, 2, 4, 8]) : r.pick(tpChoices);
    hardware.count = count;
  }
  if (r.chance(0.85)) {
    if (r.chance(0.8)) hardware.gpu = r.pick(gpus).id;
  } else {
    hardware.memory_bytes = r.pick([16e9, 24e9, 48e9, 80e9, 141e9, 192e9]);
    if (r.chance(0.7)) hardware.memory_bandwidth_bytes_per_s = r.pick([0.9e12, 2e12, 3.35e12, 8e12]);
    if (r.chance(0.7)) hardware.peak_flops = { bf16: r.pick([100e12, 312e12, 989e12]), ...(r.chance(0.5) ? { fp8: 1979e12 } : {}) };
    if (r.chance(0.5)) hardware.interconnect_bandwidth_bytes_per_s = r.pick([32e9, 300e9, 900e9]);
    if (r.chance(0.3)) hardware.name = 'Lab GPU';
  }
  if (r.chance(0.2)) hardware.matmul_efficiency = Math.round((0.3 + r.next() * 0.7) * 100) / 100;
  if (r.chance(0.2)) hardware.bandwidth_efficiency = Math.round((0.3 + r.next() * 0.7) * 100) / 100;
  // a hardware object without gpu describes a custom GPU, which needs memory_bytes
  if (Object.keys(hardware).length && !hardware.gpu && !hardware.memory_bytes) hardware.gpu = r.pick(gpus).id;
  if (Object.keys(hardware).length) s.hardware = hardware;

  const options = {};
  if (r.chance(0.2)) options.activation_method = r.pick(['detailed', 'korthikanti', 'seed']);
  if (r.chance(0.2)) options.flash_attention = r.chance(0.5);
  if (r.chance(0.2)) options.logits = r.pick(['all', 'last']);
  if (r.chance(0.15)) options.prefill_chunk = r.pick([0, 256, 512, 2048]);
  if (r.chance(0.15)) options.kv_page_tokens = r.pick([0, 16, 32, 256]);
  if (r.chance(0.2)) options.cuda_graphs = r.chance(0.5);
  if (r.chance(0.2)) options.price_per_gpu_hour = r.pick([0.5, 2, 2.49, 4]);
  if (Object.keys(options).length) s.options = options;

  const overhead = {};
  if (r.chance(0.1)) overhead.cuda_context_bytes = r.pick([0, 5e8, 1e9]);
  if (r.chance(0.1)) overhead.workspace_bytes = r.pick([0, 2.5e8]);
  if (r.chance(0.1)) overhead.fragmentation_fraction = r.pick([0, 0.05, 0.1, 0.3]);
  if (r.chance(0.1)) overhead.step_overhead_s = r.pick([0, 0.001, 0.02]);
  if (Object.keys(overhead).length) s.overhead = overhead;
  return s;
}

// A deliberately broken variant of a valid scenario, for error-path parity.
export function corruptScenario(r, s) {
  const c = JSON.parse(JSON.stringify(s));
  switch (r.int(0, 7)) {
    case 0: c.workload = { ...(c.workload || {}), batch: r.pick([0, -1, 1.5, '4', 1e30, null]) }; break;
    case 1: c.model = r.pick(['no-such-model', 42, [], { preset: 'x', architecture: {} }]); break;
    case 2: c.precision = { weights: r.pick(['fp64', 3, 'INT4']) }; break;
    case 3: c.bogus = true; break;
    case 4: c.parallelism = { tp: r.pick([3, 5, 7, 1000]), pp: 100000 }; break;
    case 5: c.hardware = { gpu: r.pick(['h900', '', 'é'.repeat(50)]) }; break;
    case 6: c.model = { architecture: { ...randomArchitecture(r), num_layers: r.pick([0, 1e30, 'x']) } }; break;
    default: c.mode = r.pick(['train', 1, '']); break;
  }
  return c;
}
