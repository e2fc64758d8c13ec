"""The GPU fidelity matrix: every scenario the GPU harness measures, its llmcalc scenario and
its measurement plan.

Python 3 standard library only: CI imports this module (the dry run and the fidelity
checker) on a machine without PyTorch.

A matrix entry is a plain dict:

  id          unique, stable name (the committed measurements are keyed by it)
  kind        weights | prefill | generate | train | matmul | copy
  model       an llmcalc preset id (the harness builds the model from
              `llmcalc export-hf-config --model ID`, random weights, bf16)
  batch, prompt, generate, seq
  attention   sdpa | eager                      (prefill, generate, train)
  logits      all | last                        (prefill: logits_to_keep=0 or 1)
  decode      eager | cuda_graphs               (generate: plain loop, or the decode step
                                                 compiled with torch.compile
                                                 mode="reduce-overhead", i.e. CUDA graphs)
  recipe      mixed | bf16 | amp                (train, see precision_for_recipe)
  optimizer   adamw | adamw-8bit
  checkpointing none | full
  lora        {"rank": R, "targets": [...]}      (train with peft; absent = full fine-tune)
  requires    optional list of Python modules the scenario needs (skipped cleanly if absent)
  est_s       rough seconds on an H100 (model build excluded), used for sharding and budget
"""

from __future__ import annotations

import copy
import fnmatch

SCHEMA = "llmcalc-gpu-fidelity/1"

# Architecture family of each preset the matrix uses (for coverage checks and the report).
ARCHITECTURES = {
    "gpt2-medium": "gpt2 (learned positions, MHA, LayerNorm, GELU MLP)",
    "gpt2-xl": "gpt2 (learned positions, MHA, LayerNorm, GELU MLP)",
    "llama-2-7b": "llama MHA (RoPE, RMSNorm, SwiGLU, 32 KV heads)",
    "llama-3.2-1b": "llama GQA (8 KV heads)",
    "llama-3-8b": "llama GQA (8 KV heads)",
    "qwen2.5-0.5b": "qwen2 GQA (2 KV heads, qkv bias)",
    "qwen2.5-1.5b": "qwen2 GQA (2 KV heads, qkv bias)",
    "qwen2.5-7b": "qwen2 GQA (4 KV heads, qkv bias)",
    "mistral-7b-v0.1": "mistral GQA + sliding window 4096",
    "qwen1.5-moe-a2.7b": "qwen2_moe MoE (60 experts, top-4, shared expert)",
}

FAMILY = {
    "gpt2-medium": "gpt2", "gpt2-xl": "gpt2",
    "llama-2-7b": "llama-mha",
    "llama-3.2-1b": "gqa", "llama-3-8b": "gqa",
    "qwen2.5-0.5b": "gqa", "qwen2.5-1.5b": "gqa", "qwen2.5-7b": "gqa",
    "mistral-7b-v0.1": "sliding-window",
    "qwen1.5-moe-a2.7b": "moe",
}

LORA_QKVO = ["q_proj", "k_proj", "v_proj", "o_proj"]
LORA_ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def _weights(model, est=20):
    return {"id": f"weights-{model}", "kind": "weights", "model": model, "est_s": est}


def _prefill(model, batch, prompt, attention="sdpa", logits="last", est=15):
    return {"id": f"prefill-{model}-b{batch}-p{prompt}-{attention}-logits_{logits}",
            "kind": "prefill", "model": model, "batch": batch, "prompt": prompt,
            "attention": attention, "logits": logits, "est_s": est}


def _generate(model, batch, prompt, generate, decode="eager", est=30):
    return {"id": f"generate-{model}-b{batch}-p{prompt}-g{generate}-{decode}",
            "kind": "generate", "model": model, "batch": batch, "prompt": prompt,
            "generate": generate, "attention": "sdpa", "decode": decode, "est_s": est}


def _train(model, batch, seq, recipe="mixed", checkpointing="none", optimizer="adamw",
           lora=None, requires=None, est=40):
    tag = f"lora_r{lora['rank']}" if lora else "full"
    sid = f"train-{model}-b{batch}-s{seq}-{tag}-{recipe}-{optimizer}-ckpt_{checkpointing}"
    e = {"id": sid, "kind": "train", "model": model, "batch": batch, "seq": seq,
         "attention": "sdpa", "recipe": recipe, "optimizer": optimizer,
         "checkpointing": checkpointing, "est_s": est}
    if lora:
        e["lora"] = lora
    if requires:
        e["requires"] = requires
    return e


def scenarios() -> list[dict]:
    m = []
    # --- inference: weights only (allocated bytes after building the model) ---------------
    for model in ["gpt2-xl", "qwen2.5-0.5b", "llama-3.2-1b", "llama-2-7b", "qwen2.5-7b",
                  "llama-3-8b", "mistral-7b-v0.1", "qwen1.5-moe-a2.7b"]:
        m.append(_weights(model))
    # --- inference: prefill, batch x prompt, eager vs SDPA, logits all vs last ------------
    m += [
        _prefill("qwen2.5-0.5b", 1, 512),
        _prefill("qwen2.5-0.5b", 4, 2048),
        _prefill("qwen2.5-0.5b", 4, 2048, logits="all"),
        _prefill("qwen2.5-0.5b", 4, 1024, attention="eager", logits="all"),
        _prefill("qwen2.5-0.5b", 8, 512, attention="eager"),
        _prefill("llama-3.2-1b", 1, 4096),
        _prefill("llama-3.2-1b", 8, 1024, logits="all"),
        _prefill("gpt2-xl", 4, 1024, attention="eager"),
        _prefill("gpt2-xl", 8, 1024, logits="all"),
        _prefill("llama-2-7b", 1, 2048),
        _prefill("llama-2-7b", 4, 1024, attention="eager"),
        _prefill("llama-3-8b", 2, 4096),
        _prefill("qwen2.5-7b", 1, 8192),
        _prefill("mistral-7b-v0.1", 1, 8192),
        _prefill("qwen1.5-moe-a2.7b", 4, 1024, est=30),
    ]
    # --- inference: generation with a static KV cache, decode per token -------------------
    m += [
        _generate("qwen2.5-0.5b", 1, 128, 256),
        _generate("qwen2.5-0.5b", 1, 128, 256, decode="cuda_graphs", est=90),
        _generate("llama-3.2-1b", 8, 512, 128),
        _generate("llama-2-7b", 1, 512, 128),
        _generate("llama-2-7b", 1, 512, 128, decode="cuda_graphs", est=120),
        _generate("llama-3-8b", 16, 1024, 128),
        _generate("mistral-7b-v0.1", 4, 1024, 128),
    ]
    # --- training: full step, mixed precision (fp32 master) vs pure bf16, checkpointing,
    #     two sequence lengths; LoRA with peft; 8-bit AdamW where bitsandbytes exists -------
    m += [
        _train("qwen2.5-0.5b", 4, 512, "mixed", "none"),
        _train("qwen2.5-0.5b", 4, 2048, "mixed", "none"),
        _train("qwen2.5-0.5b", 4, 512, "mixed", "full"),
        _train("qwen2.5-0.5b", 4, 2048, "mixed", "full"),
        _train("qwen2.5-0.5b", 4, 512, "bf16", "none"),
        _train("qwen2.5-0.5b", 4, 2048, "bf16", "none"),
        _train("qwen2.5-0.5b", 4, 2048, "bf16", "full"),
        _train("qwen2.5-0.5b", 4, 1024, "amp", "none"),
        _train("llama-3.2-1b", 2, 1024, "mixed", "none"),
        _train("llama-3.2-1b", 2, 4096, "mixed", "full"),
        _train("gpt2-medium", 8, 1024, "mixed", "none"),
        _train("qwen2.5-1.5b", 4, 2048, "bf16", "full"),
        _train("qwen2.5-0.5b", 4, 1024, "bf16", "none", optimizer="adamw-8bit",
               requires=["bitsandbytes"]),
        _train("llama-2-7b", 4, 1024, "bf16", "full", lora={"rank": 16, "targets": LORA_QKVO},
               requires=["peft"], est=60),
        _train("qwen2.5-1.5b", 2, 2048, "bf16", "none", lora={"rank": 16, "targets": LORA_ALL},
               requires=["peft"]),
    ]
    # --- card micro-benchmarks: achievable bf16 matmul FLOP/s and copy bandwidth ----------
    m += [
        {"id": "matmul-bf16-8192", "kind": "matmul", "n": 8192, "est_s": 10},
        {"id": "copy-d2d-2gib", "kind": "copy", "bytes": 2 << 30, "est_s": 10},
    ]
    return m


def by_id() -> dict:
    return {s["id"]: s for s in scenarios()}


# --- llmcalc scenario for a matrix entry ---------------------------------------------------

def precision_for_recipe(recipe: str, optimizer: str = "adamw") -> dict:
    """What the harness does, in llmcalc's precision terms.

    mixed: bf16 model and bf16 gradients; the optimizer keeps fp32 master weights and fp32
           AdamW moments and copies the updated master back into the bf16 weights.
    bf16:  everything bf16: torch.optim.AdamW on bf16 parameters keeps bf16 moments.
    amp:   fp32 model under torch.autocast(bfloat16): fp32 weights, gradients and moments,
           bf16 activations.
    """
    if recipe == "mixed":
        return {"weights": "bf16", "gradients": "bf16", "activations": "bf16",
                "master_weights": "fp32", "optimizer_states": "fp32"}
    if recipe == "bf16":
        p = {"weights": "bf16", "gradients": "bf16", "activations": "bf16",
             "master_weights": "none", "optimizer_states": "bf16"}
        if optimizer == "adamw-8bit":
            p["optimizer_states"] = "fp32"  # ignored by adamw-8bit (1 B states + absmax)
        return p
    if recipe == "amp":
        return {"weights": "fp32", "gradients": "fp32", "activations": "bf16",
                "master_weights": "none", "optimizer_states": "fp32"}
    raise ValueError(f"unknown recipe {recipe!r}")


def llmcalc_scenario(e: dict, gpu: str = "h100-sxm") -> dict | None:
    """The llmcalc scenario JSON that predicts entry e (None for the micro-benchmarks)."""
    k = e["kind"]
    if k in ("matmul", "copy"):
        return None
    s = {"model": e["model"], "hardware": {"gpu": gpu, "count": 1}}
    if k in ("weights", "prefill", "generate"):
        s["mode"] = "inference"
        s["precision"] = {"weights": "bf16", "kv_cache": "bf16", "activations": "bf16"}
        if k == "weights":
            s["workload"] = {"batch": 1, "prompt": 1, "generate": 0}
            s["options"] = {"flash_attention": True, "logits": "last"}
        else:
            s["workload"] = {"batch": e["batch"], "prompt": e["prompt"],
                             "generate": e.get("generate", 0)}
            s["options"] = {"flash_attention": e.get("attention", "sdpa") == "sdpa",
                            "logits": e.get("logits", "last"),
                            "cuda_graphs": e.get("decode") == "cuda_graphs"}
        return s
    if k == "train":
        s["mode"] = "training"
        s["precision"] = precision_for_recipe(e["recipe"], e.get("optimizer", "adamw"))
        s["workload"] = {"batch": e["batch"], "seq": e["seq"], "grad_accum": 1}
        t = {"optimizer": e.get("optimizer", "adamw"),
             "checkpointing": e.get("checkpointing", "none"),
             "finetune": "lora" if e.get("lora") else "full", "zero_stage": 0}
        if e.get("lora"):
            t["lora"] = {"rank": e["lora"]["rank"], "targets": list(e["lora"]["targets"])}
        s["training"] = t
        s["options"] = {"flash_attention": e.get("attention", "sdpa") == "sdpa"}
        return s
    raise ValueError(f"unknown kind {k!r}")


# --- measurement plan -------------------------------------------------------------------

# Which llmcalc number each measured quantity is compared with:
# (measured key, prediction key, where llmcalc's number comes from, how it is measured).
MEMORY_METRICS = {
    "weights": ("allocated_after_build_bytes", "weights_bytes", "memory.items[weights]",
                "torch.cuda.memory_allocated() after building the model, minus the bytes "
                "allocated before"),
    "tensors": ("allocated_peak_bytes", "memory_tensors_bytes",
                "memory.total_bytes - runtime_overhead (- fragmentation)",
                "torch.cuda.max_memory_allocated() after reset_peak_memory_stats(), weights "
                "resident (PyTorch's allocator sees tensors only, not the CUDA context)"),
}
DRIVER_METRIC = ("driver_peak_bytes", "memory_total_bytes", "memory.total_bytes",
                 "CUDA context (measured once with mem_get_info) + max_memory_reserved() + "
                 "device memory outside PyTorch's allocator seen by mem_get_info "
                 "(reported, not bounded)")

TIME_METRICS = {
    "prefill": ("prefill_s", "prefill_s", "latency.ttft_s",
                "CUDA events around one forward of batch x prompt tokens (use_cache, logits "
                "as configured), after warm-up; median of repeats"),
    "generate": ("decode_per_token_s", "decode_per_token_s",
                 "latency.decode_total_s / generate",
                 "CUDA events around each decode step of a static-cache loop (eager, or "
                 "compiled with torch.compile mode=reduce-overhead = CUDA graphs); mean per "
                 "token of each repeat, median over repeats"),
    "train": ("train_step_s", "train_step_s", "training.step_s",
              "CUDA events around forward + backward + optimizer step + zero_grad, after "
              "warm-up; median of repeats"),
    "matmul": ("matmul_flops_per_s", "matmul_flops_per_s",
               "gpu.peak_flops.bf16 x gpu.efficiency.matmul",
               "n x n x n bf16 torch.matmul, CUDA events, median of repeats; 2 n^3 / t"),
    "copy": ("copy_bytes_per_s", "copy_bytes_per_s",
             "gpu.memory_bandwidth_bytes_per_s x gpu.efficiency.bandwidth",
             "device-to-device Tensor.copy_ of a buffer, CUDA events, median; 2 x bytes / t "
             "(read + write)"),
}

# Which time comparisons the CI bounds apply to (the micro-benchmarks calibrate the catalog).
BOUNDED_TIME_KINDS = ("prefill", "generate", "train")


KEYS = ("measured", "predicted", "predicted_from", "how")


def plan(e: dict) -> dict:
    k = e["kind"]
    p = {"kind": k}
    if k == "weights":
        p["memory"] = dict(zip(KEYS, MEMORY_METRICS["weights"]))
    elif k in ("prefill", "generate", "train"):
        p["memory"] = dict(zip(KEYS, MEMORY_METRICS["tensors"]))
        p["memory_driver"] = dict(zip(KEYS, DRIVER_METRIC))
    if k in TIME_METRICS:
        p["time"] = dict(zip(KEYS, TIME_METRICS[k]))
        p["time"]["warmup"] = 1 if k == "generate" else 2
        p["time"]["repeats"] = 3 if k in ("generate", "train") else 5
    if k == "prefill":
        p["recipe"] = (f"model(input_ids[{e['batch']}x{e['prompt']}], use_cache=True, "
                       f"logits_to_keep={0 if e['logits'] == 'all' else 1}) with "
                       f"attn_implementation={e['attention']!r}, then the last position's "
                       f"logits to fp32 and argmax (the first step of generate)")
    elif k == "generate":
        p["recipe"] = (f"StaticCache(max_cache_len={e['prompt'] + e['generate']}), prefill "
                       f"{e['batch']}x{e['prompt']} (logits_to_keep=1), then {e['generate']} "
                       f"greedy decode steps ({e['decode']})")
    elif k == "train":
        lora = e.get("lora")
        p["recipe"] = (f"{'peft LoRA r=' + str(lora['rank']) + ' on ' + ','.join(lora['targets']) if lora else 'full fine-tune'}"
                       f", recipe {e['recipe']}, optimizer {e['optimizer']}, gradient "
                       f"checkpointing {e['checkpointing']}, batch {e['batch']} x seq "
                       f"{e['seq']}, loss = model(input_ids, labels=input_ids).loss")
    elif k == "weights":
        p["recipe"] = "AutoModelForCausalLM.from_config(config, dtype=bfloat16) on cuda"
    return p


# --- selection and sharding ----------------------------------------------------------------

def select(entries: list[dict], only: str | None) -> list[dict]:
    """--only: comma-separated ids or shell patterns (fnmatch), e.g. 'prefill-*,train-qwen*'."""
    if not only:
        return list(entries)
    pats = [p.strip() for p in only.split(",") if p.strip()]
    return [e for e in entries if any(fnmatch.fnmatchcase(e["id"], p) for p in pats)]


def group_key(e: dict) -> str:
    """Inference scenarios of one model share a model build; a training scenario builds its
    own model; the micro-benchmarks go together."""
    if e["kind"] in ("matmul", "copy"):
        return "_bench"
    if e["kind"] == "train":
        return e["id"]
    return e["model"]


def shard(entries: list[dict], k: int, n: int) -> list[dict]:
    """Shard k of n (1-based), deterministic. Groups (see group_key) stay together and are
    packed greedily by estimated time, model builds included."""
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"bad shard {k}/{n}")
    groups: dict[str, list[dict]] = {}
    for e in entries:
        groups.setdefault(group_key(e), []).append(e)
    cost = {g: sum(x.get("est_s", 20) for x in v) + (0 if g == "_bench" else 15)
            for g, v in groups.items()}
    loads = [0.0] * n
    owner = {}
    for g in sorted(groups, key=lambda g: (-cost[g], g)):
        i = min(range(n), key=lambda i: (loads[i], i))
        owner[g] = i
        loads[i] += cost[g]
    return [e for e in entries if owner[group_key(e)] == k - 1]


def coverage_problems(entries: list[dict]) -> list[str]:
    """What the issue asks of the matrix; [] when all is there."""
    probs = []
    if len(entries) < 30:
        probs.append(f"only {len(entries)} scenarios (need >= 30)")
    fams = {FAMILY.get(e.get("model")) for e in entries if e.get("model")}
    for need in ("gpt2", "llama-mha", "gqa"):
        if need not in fams:
            probs.append(f"no {need} model")
    if not ({"moe", "sliding-window"} & fams):
        probs.append("no MoE or sliding-window model")
    kinds = [e["kind"] for e in entries]
    for k in ("weights", "prefill", "generate", "train", "matmul", "copy"):
        if k not in kinds:
            probs.append(f"no {k} scenario")
    pre = [e for e in entries if e["kind"] == "prefill"]
    if not ({"eager", "sdpa"} <= {e["attention"] for e in pre}):
        probs.append("prefill lacks eager or SDPA")
    if not ({"all", "last"} <= {e["logits"] for e in pre}):
        probs.append("prefill lacks logits all or last")
    gen = [e for e in entries if e["kind"] == "generate"]
    if not ({"eager", "cuda_graphs"} <= {e["decode"] for e in gen}):
        probs.append("generation lacks eager or CUDA-graph decode")
    tr = [e for e in entries if e["kind"] == "train"]
    full = [e for e in tr if not e.get("lora")]
    if not ({"mixed", "bf16"} <= {e["recipe"] for e in full}):
        probs.append("training lacks mixed or pure bf16")
    if not ({"none", "full"} <= {e["checkpointing"] for e in full}):
        probs.append("training lacks with/without checkpointing")
    if len({e["seq"] for e in full}) < 2:
        probs.append("training uses one sequence length")
    if not any(e.get("lora") for e in tr):
        probs.append("no LoRA scenario")
    if not any(e.get("optimizer") == "adamw-8bit" for e in tr):
        probs.append("no 8-bit optimizer scenario")
    ids = [e["id"] for e in entries]
    if len(set(ids)) != len(ids):
        probs.append("duplicate scenario ids")
    return probs


def copy_entry(e: dict) -> dict:
    return copy.deepcopy(e)
