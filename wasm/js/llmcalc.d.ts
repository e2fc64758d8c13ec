// TypeScript declarations of the llmcalc WebAssembly API (wasm/js/api.mjs, browser.mjs,
// node.mjs). The scenario schema is the core's (core/src/scenario/parse_scenario.cpp); the
// report is exactly `llmcalc estimate --json`. Numbers are JSON numbers (IEEE doubles).

// ---------------------------------------------------------------------------------- errors

export interface LlmCalcError {
  /** JSON pointer into the input, e.g. "/workload/batch"; "" for the whole input. */
  path: string;
  /** Stable machine code: "out_of_range", "unknown_preset", "wrong_type", "invalid_json",
   *  "unknown_field", "missing_field", "inconsistent", "too_large", "too_deep", "internal", ... */
  code: string;
  /** A sentence naming the field and the reason. */
  message: string;
}

export interface Failure {
  ok: false;
  errors: LlmCalcError[];
}

export type Result<T> = ({ ok: true } & T) | Failure;

// -------------------------------------------------------------------------------- scenario

export type Dtype = 'fp32' | 'tf32' | 'fp16' | 'bf16' | 'fp8' | 'int8' | 'int4' | 'nf4' | 'fp4';
export type KvDtype = 'fp32' | 'fp16' | 'bf16' | 'fp8' | 'int8' | 'int4';
export type WideDtype = 'fp32' | 'fp16' | 'bf16';
export type LoraModule =
  | 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj'
  | 'q_a_proj' | 'q_b_proj' | 'kv_a_proj_with_mqa' | 'kv_b_proj';

export interface MoeArchitecture {
  num_experts: number;
  top_k: number;
  expert_intermediate_size: number;
  num_shared_experts?: number;
  shared_expert_intermediate_size?: number;
  first_dense_layers?: number;
  shared_expert_gate?: boolean;
  router_bias?: boolean;
}

export interface MlaArchitecture {
  q_lora_rank?: number;
  kv_lora_rank: number;
  qk_nope_head_dim: number;
  qk_rope_head_dim: number;
  v_head_dim: number;
}

/** An explicit decoder-only transformer architecture (integers). */
export interface Architecture {
  vocab_size: number;
  hidden_size: number;
  num_layers: number;
  num_heads: number;
  /** Default num_heads (MHA); 1 = MQA; must divide num_heads unless mla is given. */
  num_kv_heads?: number;
  /** Default hidden_size / num_heads. */
  head_dim?: number;
  intermediate_size: number;
  mlp?: 'gated' | 'standard';
  norm?: 'rmsnorm' | 'layernorm';
  norms_per_layer?: number;
  final_norm?: boolean;
  qk_norm?: boolean;
  attention_bias?: boolean;
  attention_out_bias?: boolean;
  mlp_bias?: boolean;
  position?: 'rope' | 'learned' | 'alibi';
  max_position_embeddings?: number;
  tie_word_embeddings?: boolean;
  sliding_window?: number;
  global_attention_every?: number;
  moe?: MoeArchitecture;
  mla?: MlaArchitecture;
}

/** A Hugging Face config.json (model_type selects the reader). */
export interface HfConfig {
  model_type: string;
  [key: string]: unknown;
}

/** A preset id (see models()), or exactly one of preset / architecture / hf_config. */
export type ModelInput =
  | string
  | { preset: string; name?: string }
  | { architecture: Architecture; name?: string }
  | { hf_config: HfConfig; name?: string };

export interface Scenario {
  model: ModelInput;
  mode?: 'inference' | 'training';
  method?: 'detailed' | 'seed';
  precision?: {
    weights?: Dtype;
    /** int4/int8 weights only: scale group size (0 = per channel; default 128). */
    group_size?: number;
    kv_cache?: KvDtype;
    activations?: WideDtype;
    gradients?: WideDtype;
    master_weights?: 'fp32' | 'none';
    optimizer_states?: 'fp32' | 'bf16';
  };
  workload?: {
    batch?: number;
    /** Training sequence length (default 2048). */
    seq?: number;
    /** Inference prompt tokens (default 1024). */
    prompt?: number;
    /** Inference generated tokens (default 256). */
    generate?: number;
    grad_accum?: number;
    tokens_budget?: number;
  };
  training?: {
    optimizer?: 'adamw' | 'adamw-8bit' | 'adafactor' | 'sgd' | 'sgd-momentum' | 'lion';
    checkpointing?: 'none' | 'selective' | 'full';
    finetune?: 'full' | 'lora' | 'qlora';
    lora?: { rank?: number; targets?: 'all-linear' | LoraModule[] };
    zero_stage?: 0 | 1 | 2 | 3;
  };
  parallelism?: { tp?: number; pp?: number; dp?: number; sequence_parallel?: boolean };
  hardware?: {
    /** GPU preset id (see gpus()); omit it and give memory_bytes for a custom GPU. */
    gpu?: string;
    /** Must equal tp x pp x dp when parallelism is given. */
    count?: number;
    name?: string;
    memory_bytes?: number;
    memory_bandwidth_bytes_per_s?: number;
    peak_flops?: Partial<Record<Dtype, number>>;
    interconnect_bandwidth_bytes_per_s?: number;
    matmul_efficiency?: number;
    bandwidth_efficiency?: number;
  };
  options?: {
    activation_method?: 'detailed' | 'korthikanti' | 'seed';
    flash_attention?: boolean;
    logits?: 'all' | 'last';
    prefill_chunk?: number;
    kv_page_tokens?: number;
    cuda_graphs?: boolean;
    price_per_gpu_hour?: number;
  };
  overhead?: {
    cuda_context_bytes?: number;
    workspace_bytes?: number;
    fragmentation_fraction?: number;
    step_overhead_s?: number;
  };
}

// ---------------------------------------------------------------------------------- report

/**
 * A formula as data (docs/scenario.md, "Expressions"): a node {op, value, args} or a leaf
 * {value, label?, unit?}. value is the node's number; the item's number is the root's value.
 */
export type Expression =
  | { op: '+' | '-' | '*' | '/' | 'max' | 'min' | 'ceil'; value: number; args: Expression[] }
  | { value: number; label?: string; unit?: string };

export type MemoryGroup = 'weights' | 'state' | 'activations' | 'overhead';

export interface MemoryItem {
  id: string;
  label: string;
  group: MemoryGroup;
  bytes: number;
  /** The expression's text; empty in numbers-only (compact) results, which have no expression. */
  formula: string;
  expression?: Expression;
}
export interface FlopItem { id: string; label: string; flops: number; formula: string; expression?: Expression }

/** The report's tables, from kinds(): memory items in stacking order and phases. */
export interface Kinds {
  memory: { id: string; label: string; group: MemoryGroup }[];
  phases: { id: string; label: string }[];
}

export interface Phase {
  id: string;
  label: string;
  flops: number;
  attention_flops: number;
  bytes: number;
  elementwise_bytes: number;
  arithmetic_intensity: number;
  bound: 'compute' | 'memory' | string;
  compute_s: number;
  memory_s: number;
  elementwise_s: number;
  comm_s: number;
  overhead_s: number;
  time_s: number;
  formula: string;
  expression?: Expression;
}

export interface LatencyReport {
  phases: Phase[];
  ttft_s: number;
  decode_first_s: number;
  decode_last_s: number;
  decode_total_s: number;
  end_to_end_s: number;
  tokens_per_s_per_sequence: number;
  tokens_per_s_total: number;
  cost_per_million_tokens: number;
}

export interface TrainingReport {
  step: Phase;
  step_s: number;
  tokens_per_step: number;
  tokens_per_s: number;
  mfu: number;
  recompute_overhead: number;
  pipeline_bubble: number;
  run_time_s: number;
  gpu_hours: number;
  run_cost: number;
}

/** Identical to the output of `llmcalc estimate --json`. */
export interface Report {
  model: { id: string; name: string };
  mode: 'inference' | 'training';
  method: 'detailed' | 'seed';
  gpu: { id: string; name: string; count: number };
  params: { total: number; active: number; trainable: number; published: number };
  memory: {
    items: MemoryItem[];
    total_bytes: number;
    capacity_bytes: number;
    headroom_bytes: number;
    fits: boolean;
  };
  flops: { per_token_forward: number; items: FlopItem[] };
  /** Inference scenarios (null in training). */
  latency: LatencyReport | null;
  /** Training scenarios (null in inference). */
  training: TrainingReport | null;
  notes: string[];
}

// ----------------------------------------------------------------------- sweep and solve

export type SweepVar = 'batch' | 'seq' | 'prompt' | 'generate' | 'grad_accum' | 'gpu';

export interface SweepSpec {
  vary: SweepVar;
  /** Integers, or GPU preset ids when vary is "gpu"; 1 to 10,000 values. */
  values: Array<number | string>;
  /** Columnar series instead of one report per point. */
  compact?: boolean;
}

export interface SweepPoint { value: number | string; label: string; report: Report }

export interface SweepFull { vary: SweepVar; points: SweepPoint[] }

export interface SweepCompact {
  vary: SweepVar;
  values: Array<number | string>;
  labels: string[];
  series: {
    total_bytes: number[];
    capacity_bytes: number[];
    fits: boolean[];
    /** Bytes per memory item id (0 where a point lacks the item). */
    items: Record<string, number[]>;
    ttft_s: number[];
    decode_first_s: number[];
    tokens_per_s: number[];
    step_s: number[];
    mfu: number[];
  };
}

export type Question = 'max-batch' | 'max-context' | 'min-gpus' | 'knee';
export type QuestionInput = Question | { question: Question; max_gpus?: number };

export interface SolveAnswer {
  question: 'max-batch' | 'max-context' | 'min-gpus';
  found: boolean;
  value: number;
  layout: { tp: number; pp: number; dp: number; sequence_parallel: boolean };
  explanation: string;
  report: Report;
}

export interface KneeAnswer {
  question: 'knee';
  knee_batch: number;
  max_batch: number;
  series: {
    batch: number[];
    decode_step_s: number[];
    tokens_per_s_total: number[];
    compute_bound: boolean[];
    fits: boolean[];
  };
}

// ------------------------------------------------------------------------------- catalogs

export interface ModelSummary {
  id: string;
  name: string;
  architecture: Required<Omit<Architecture, 'moe' | 'mla'>> & Pick<Architecture, 'moe' | 'mla'>;
  params: { total: number; active: number };
}

export interface ModelPreset extends ModelSummary {
  family: string;
  hf_repo: string;
  published_params: number;
  published_active_params: number;
  config_source: string;
  params_source: string;
}

export interface GpuPreset {
  id: string;
  name: string;
  vendor: string;
  memory_bytes: number;
  memory_bandwidth_bytes_per_s: number;
  /** Dense peak FLOP/s per dtype (only the dtypes the GPU supports). */
  peak_flops: Partial<Record<Dtype, number>>;
  interconnect: string;
  interconnect_bandwidth_bytes_per_s: number;
  efficiency: { matmul: number; bandwidth: number };
  sources: { memory: string; bandwidth: string; flops: string; interconnect: string; efficiency: string };
}

// ------------------------------------------------------------------------------------ API

/** Scenarios, specs and configs may be given as values or as JSON text. */
export type JsonInput<T> = T | string;

export interface LlmCalc {
  /** The core's version, e.g. "0.1.0". */
  readonly version: string;
  estimate(scenario: JsonInput<Scenario>): Result<{ report: Report }>;
  sweep(scenario: JsonInput<Scenario>, spec: JsonInput<SweepSpec & { compact?: false }>): Result<SweepFull>;
  sweep(scenario: JsonInput<Scenario>, spec: JsonInput<SweepSpec & { compact: true }>): Result<SweepCompact>;
  sweep(scenario: JsonInput<Scenario>, spec: JsonInput<SweepSpec>): Result<SweepFull | SweepCompact>;
  solve(scenario: JsonInput<Scenario>, question: 'knee' | { question: 'knee' }): Result<KneeAnswer>;
  solve(scenario: JsonInput<Scenario>, question: QuestionInput | string): Result<SolveAnswer | KneeAnswer>;
  /** The embedded model catalog (a fresh copy per call). */
  models(): ModelPreset[];
  /** The embedded GPU catalog (a fresh copy per call). */
  gpus(): GpuPreset[];
  /** The report's kind tables (a fresh copy per call). */
  kinds(): Kinds;
  importHfConfig(config: JsonInput<HfConfig>): Result<{ model: ModelSummary }>;
  exportHfConfig(id: string): Result<{ config: HfConfig }>;
}

/**
 * The raw Emscripten module (either build): JSON text in; the JSON answer comes back as a
 * view of UTF-8 bytes in the module's memory, valid only until the next call (decode it at
 * once, or use textCore).
 */
export interface LlmCalcCoreModule {
  estimate_json(scenario: string): Uint8Array;
  sweep_json(scenario: string, spec: string): Uint8Array;
  solve_json(scenario: string, question: string): Uint8Array;
  models_json(): Uint8Array;
  gpus_json(): Uint8Array;
  kinds_json(): Uint8Array;
  import_hf_config_json(config: string): Uint8Array;
  export_hf_config_json(id: string): Uint8Array;
  version(): string;
}

/** The raw module's functions returning JSON text (decoded from the views). */
export interface LlmCalcCoreText {
  estimate_json(scenario: string): string;
  sweep_json(scenario: string, spec: string): string;
  solve_json(scenario: string, question: string): string;
  models_json(): string;
  gpus_json(): string;
  kinds_json(): string;
  import_hf_config_json(config: string): string;
  export_hf_config_json(id: string): string;
  version(): string;
}

/** Wraps the raw module's functions so that they return strings. */
export function textCore(module: LlmCalcCoreModule): LlmCalcCoreText;

/** Wraps an instantiated core module. Never throws for bad input; see Failure. */
export function wrapCore(module: LlmCalcCoreModule): LlmCalc;

/** The memoized loader behind every createLlmCalc: one instance; a failed start is not cached. */
export function memoizedLoader(start: () => Promise<LlmCalcCoreModule>): () => Promise<LlmCalc>;

/** Instantiates the core once (memoized) and returns the API. */
export function createLlmCalc(): Promise<LlmCalc>;
