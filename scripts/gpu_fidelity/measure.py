"""GPU measurements for the GPU fidelity harness (PyTorch, transformers, optionally peft and
bitsandbytes). Imported by run.py only when it really measures; the dry run never imports it.

Every function returns plain dicts of numbers so run.py can write them as JSON.

Memory terms (bytes):
  allocated_peak_bytes  torch.cuda.max_memory_allocated() after reset_peak_memory_stats():
                        live tensors only (what the estimator's tensor items predict)
  reserved_peak_bytes   torch.cuda.max_memory_reserved(): the caching allocator's segments
  driver_peak_bytes     cuda_context_bytes + reserved_peak_bytes + device memory outside
                        PyTorch's allocator (cuBLAS handles, lazily loaded kernels), from
                        mem_get_info: what nvidia-smi would show at the peak
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import math
import platform
import statistics
import subprocess
import time

import torch

GiB = 1 << 30


# --- environment --------------------------------------------------------------------------

def _version(mod):
    try:
        return importlib.import_module(mod).__version__
    except Exception:  # noqa: BLE001 - an absent or broken optional module is just absent
        return None


def driver_version():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version",
                              "--format=csv,noheader"], capture_output=True, text=True,
                             timeout=30)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 else None
    except Exception:  # noqa: BLE001
        return None


def environment() -> dict:
    props = torch.cuda.get_device_properties(0)
    return {
        "gpu_name": torch.cuda.get_device_name(0),
        "gpu_total_memory_bytes": props.total_memory,
        "gpu_sm_count": props.multi_processor_count,
        "gpu_capability": f"{props.major}.{props.minor}",
        "driver": driver_version(),
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "torch": torch.__version__,
        "transformers": _version("transformers"),
        "peft": _version("peft"),
        "bitsandbytes": _version("bitsandbytes"),
        "python": platform.python_version(),
    }


def gpu_preset_for(name: str) -> str | None:
    """The llmcalc GPU preset of a torch device name."""
    n = name.lower()
    table = [
        ("gh200", "gh200"), ("h200", "h200"),
        ("h100 nvl", "h100-nvl"), ("h100 pcie", "h100-pcie"), ("h100", "h100-sxm"),
        ("a100", None), ("b200", "b200"), ("l40s", "l40s"), ("l40", "l40"), ("l4", "l4"),
        ("a10g", "a10g"), ("a10", "a10"), ("t4", "t4"), ("rtx 4090", "rtx-4090"),
        ("rtx 3090", "rtx-3090"), ("rtx 5090", "rtx-5090"), ("a6000", "rtx-a6000"),
    ]
    for key, preset in table:
        if key in n:
            if key == "a100":
                total = torch.cuda.get_device_properties(0).total_memory
                return "a100-80gb" if total > 50 * GiB else "a100-40gb"
            return preset
    return None


def cuda_context_bytes() -> int:
    """Driver-level bytes used once the context exists, less PyTorch's own segments. Call it
    first, before anything else touches the GPU."""
    torch.cuda.init()
    x = torch.zeros(1, device="cuda")
    torch.cuda.synchronize()
    free, total = torch.cuda.mem_get_info()
    used = total - free
    ctx = used - torch.cuda.memory_reserved()
    del x
    return int(ctx)


# --- memory helpers -----------------------------------------------------------------------

def clean():
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


def start_peak():
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    return torch.cuda.memory_allocated()


def read_peak(context_bytes: int, baseline_allocated: int) -> dict:
    torch.cuda.synchronize()
    free, total = torch.cuda.mem_get_info()
    used = total - free
    reserved_now = torch.cuda.memory_reserved()
    outside = max(0, used - context_bytes - reserved_now)
    reserved_peak = torch.cuda.max_memory_reserved()
    return {
        "allocated_peak_bytes": torch.cuda.max_memory_allocated(),
        "allocated_before_bytes": baseline_allocated,
        "reserved_peak_bytes": reserved_peak,
        "driver_used_now_bytes": used,
        "outside_allocator_bytes": outside,
        "driver_peak_bytes": context_bytes + reserved_peak + outside,
    }


# --- timing helpers -----------------------------------------------------------------------

def time_cuda(fn, warmup: int, repeats: int) -> list[float]:
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    out = []
    for _ in range(repeats):
        s = torch.cuda.Event(enable_timing=True)
        e = torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        e.synchronize()
        out.append(s.elapsed_time(e) / 1e3)
    return out


def summary(samples: list[float]) -> dict:
    return {"median_s": statistics.median(samples), "min_s": min(samples),
            "max_s": max(samples), "samples_s": samples}


# --- models -------------------------------------------------------------------------------

def build_model(hf_config: dict, dtype=torch.bfloat16, attention="sdpa"):
    """A randomly initialised model on the GPU from an exported config.json (no downloads)."""
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = dict(hf_config)
    model_type = cfg.pop("model_type")
    cfg.pop("architectures", None)
    cfg.pop("torch_dtype", None)
    cfg.pop("dtype", None)
    config = AutoConfig.for_model(model_type, **cfg)
    torch.manual_seed(0)
    with torch.device("cuda"):
        try:
            model = AutoModelForCausalLM.from_config(config, dtype=dtype,
                                                     attn_implementation=attention)
        except TypeError:
            model = AutoModelForCausalLM.from_config(config, torch_dtype=dtype,
                                                     attn_implementation=attention)
    if next(model.parameters()).dtype != dtype:
        model = model.to(dtype)
    return model.cuda()


def set_attention(model, attention: str):
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation(attention)
    else:
        model.config._attn_implementation = attention


def _ids(batch, tokens, vocab):
    return torch.randint(0, vocab, (batch, tokens), device="cuda")


def _vocab(model):
    return model.config.get_text_config().vocab_size if hasattr(
        model.config, "get_text_config") else model.config.vocab_size


# --- inference ----------------------------------------------------------------------------

def measure_prefill(model, e, plan, ctx_bytes) -> dict:
    set_attention(model, e["attention"])
    model.eval()
    ids = _ids(e["batch"], e["prompt"], _vocab(model))
    keep = 0 if e["logits"] == "all" else 1

    def run():
        with torch.inference_mode():
            out = model(input_ids=ids, use_cache=True, logits_to_keep=keep)
            out.logits[:, -1, :].float().argmax(-1)
            del out

    clean()
    base = start_peak()
    t = plan["time"]
    samples = time_cuda(run, t["warmup"], t["repeats"])
    mem = read_peak(ctx_bytes, base)
    return {"memory": mem, "time": {"prefill_s": statistics.median(samples),
                                    **summary(samples)}}


def _static_cache(model, batch, max_len):
    from transformers import StaticCache
    try:  # transformers 5: lazily sized on the first update
        return StaticCache(config=model.config, max_cache_len=max_len)
    except TypeError:  # transformers 4.x
        return StaticCache(config=model.config, max_batch_size=batch, max_cache_len=max_len,
                           device="cuda", dtype=torch.bfloat16)


def measure_generate(model, e, plan, ctx_bytes) -> dict:
    set_attention(model, e["attention"])
    model.eval()
    B, P, G = e["batch"], e["prompt"], e["generate"]
    ids = _ids(B, P, _vocab(model))
    notes = []
    clean()
    base = start_peak()
    # One cache for the whole scenario, reset between runs: a compiled step keeps guarding on
    # the same object (no recompiles) and the CUDA graphs keep its addresses.
    cache = _static_cache(model, B, P + G)
    compiled = None
    if e["decode"] == "cuda_graphs":
        def step(tok, pos):
            return model(input_ids=tok, past_key_values=cache, cache_position=pos,
                         use_cache=True).logits
        compiled = torch.compile(step, mode="reduce-overhead", fullgraph=True)
    runs = [0]

    def one_run(record):
        if runs[0] > 0 and hasattr(cache, "reset"):
            cache.reset()
        runs[0] += 1
        with torch.inference_mode():
            out = model(input_ids=ids, past_key_values=cache, use_cache=True,
                        cache_position=torch.arange(P, device="cuda"), logits_to_keep=1)
            tok = out.logits[:, -1, :].float().argmax(-1, keepdim=True)
            del out
            times = []
            for i in range(G - 1 if G > 0 else 0):
                pos = torch.tensor([P + i], device="cuda")
                s = torch.cuda.Event(enable_timing=True)
                f = torch.cuda.Event(enable_timing=True)
                s.record()
                if compiled is not None:
                    torch.compiler.cudagraph_mark_step_begin()
                    logits = compiled(tok, pos)
                else:
                    logits = model(input_ids=tok, past_key_values=cache, cache_position=pos,
                                   use_cache=True).logits
                tok = logits[:, -1, :].float().argmax(-1, keepdim=True)
                f.record()
                times.append((s, f))
                del logits
            torch.cuda.synchronize()
        return [s.elapsed_time(f) / 1e3 for s, f in times] if record else None

    t = plan["time"]
    for _ in range(t["warmup"]):
        one_run(False)
    per_repeat = []
    for _ in range(t["repeats"]):
        steps = one_run(True)
        per_repeat.append(sum(steps) / len(steps))
    mem = read_peak(ctx_bytes, base)
    del cache
    if compiled is not None:
        notes.append("decode step compiled with torch.compile(mode='reduce-overhead', "
                     "fullgraph=True); the CUDA-graph pool counts in the peak")
        torch._dynamo.reset()
    return {"memory": mem,
            "time": {"decode_per_token_s": statistics.median(per_repeat),
                     **summary(per_repeat), "tokens_per_repeat": max(G - 1, 0)},
            "notes": notes}


# --- training -----------------------------------------------------------------------------

class MasterAdamW:
    """Mixed precision as llmcalc models it: bf16 weights and gradients, fp32 master weights
    and fp32 AdamW moments. Each gradient is upcast one parameter at a time and freed at once,
    so no full fp32 gradient buffer exists (like Megatron's / DeepSpeed's bf16 optimizers
    with gradient accumulation in bf16)."""

    def __init__(self, params, lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps, self.wd = lr, betas, eps, weight_decay
        self.master = [p.detach().float().clone() for p in self.params]
        self.m = [torch.zeros_like(x) for x in self.master]
        self.v = [torch.zeros_like(x) for x in self.master]
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for p, w, m, v in zip(self.params, self.master, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad.float()
            p.grad = None
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            del g
            if self.wd:
                w.mul_(1 - self.lr * self.wd)
            w.addcdiv_(m, v.sqrt().div_(math.sqrt(c2)).add_(self.eps), value=-self.lr / c1)
            p.copy_(w)

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            p.grad = None


def build_training(hf_config, e):
    """Model, optimizer and autocast context of a training entry."""
    dtype = torch.float32 if e["recipe"] == "amp" else torch.bfloat16
    model = build_model(hf_config, dtype=dtype, attention=e["attention"])
    model.config.use_cache = False
    if e.get("checkpointing") == "full":
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if e.get("lora"):
        from peft import LoraConfig, get_peft_model
        lc = LoraConfig(r=e["lora"]["rank"], lora_alpha=2 * e["lora"]["rank"],
                        target_modules=list(e["lora"]["targets"]), lora_dropout=0.0,
                        bias="none", task_type="CAUSAL_LM")
        model = get_peft_model(model, lc)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt_name = e.get("optimizer", "adamw")
    if opt_name == "adamw-8bit":
        import bitsandbytes as bnb
        opt = bnb.optim.AdamW8bit(params, lr=1e-5)
    elif e["recipe"] == "mixed" and not e.get("lora"):
        opt = MasterAdamW(params)
    else:
        # bf16: moments in the parameters' dtype (bf16); amp and LoRA: fp32 parameters.
        opt = torch.optim.AdamW(params, lr=1e-5, fused=True)
    autocast = (torch.autocast("cuda", dtype=torch.bfloat16) if e["recipe"] == "amp"
                else contextlib.nullcontext())
    return model, opt, autocast


def measure_train(hf_config, e, plan, ctx_bytes) -> dict:
    clean()
    before = torch.cuda.memory_allocated()
    model, opt, autocast = build_training(hf_config, e)
    n_params = sum(p.numel() for p in model.parameters())
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    ids = _ids(e["batch"], e["seq"], _vocab(model))

    def step():
        with autocast:
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    base = start_peak()
    t = plan["time"]
    samples = time_cuda(step, t["warmup"], t["repeats"])
    mem = read_peak(ctx_bytes, base)
    mem["allocated_before_build_bytes"] = before
    del model, opt
    clean()
    return {"memory": mem, "time": {"train_step_s": statistics.median(samples),
                                    **summary(samples)},
            "params": {"total": n_params, "trainable": n_train}}


# --- card micro-benchmarks ----------------------------------------------------------------

def measure_matmul(e) -> dict:
    n = e["n"]
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    c = torch.empty(n, n, device="cuda", dtype=torch.bfloat16)
    samples = time_cuda(lambda: torch.matmul(a, b, out=c), 5, 20)
    med = statistics.median(samples)
    best = min(samples)
    del a, b, c
    clean()
    return {"time": {"matmul_flops_per_s": 2 * n ** 3 / med,
                     "matmul_flops_per_s_best": 2 * n ** 3 / best, **summary(samples)}}


def measure_copy(e) -> dict:
    nbytes = e["bytes"]
    src = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    samples = time_cuda(lambda: dst.copy_(src), 5, 20)
    med = statistics.median(samples)
    del src, dst
    clean()
    return {"time": {"copy_bytes_per_s": 2 * nbytes / med,
                     "copy_bytes_per_s_best": 2 * nbytes / min(samples), **summary(samples)}}


def weights_bytes_after_build(hf_config, attention="sdpa"):
    clean()
    before = torch.cuda.memory_allocated()
    t0 = time.time()
    model = build_model(hf_config, attention=attention)
    torch.cuda.synchronize()
    after = torch.cuda.memory_allocated()
    n = sum(p.numel() for p in model.parameters())
    return model, {"allocated_after_build_bytes": after - before,
                   "allocated_before_bytes": before, "build_s": time.time() - t0,
                   "params": n}
