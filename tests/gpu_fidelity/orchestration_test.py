#!/usr/bin/env python3
"""run.py's measuring path without a GPU: fake torch and measure modules stand in for
PyTorch, so the grouping, the time budget, error capture, the results file and the
prediction pairing are exercised in CI. Nothing here is a measurement.

Usage: orchestration_test.py SCRIPTS_VALIDATE_DIR LLMCALC WORK_DIR"""

import json
import sys
import types
from pathlib import Path

scripts, cli, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
# Start from an empty work dir: results files of earlier runs would be counted as this run's.
import shutil  # noqa: E402
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
sys.path.insert(0, scripts)

torch = types.ModuleType("torch")
torch.cuda = types.SimpleNamespace(is_available=lambda: True)
sys.modules["torch"] = torch

m = types.ModuleType("measure")
m.cuda_context_bytes = lambda: 500 << 20
m.environment = lambda: {"gpu_name": "FAKE H100 80GB HBM3 (orchestration test)"}
m.gpu_preset_for = lambda name: "h100-sxm"
m.clean = lambda: None
built = []


def build(cfg):
    built.append(cfg["model_type"])
    return object(), {"allocated_after_build_bytes": 1e9, "allocated_before_bytes": 0}


def mem():
    return {"allocated_peak_bytes": 2e9, "driver_peak_bytes": 3e9}


def gen(model, e, plan, ctx):
    if e["decode"] == "cuda_graphs":
        raise RuntimeError("compile failed (fake)")
    return {"memory": mem(), "time": {"decode_per_token_s": 0.005}, "notes": ["fake"]}


m.weights_bytes_after_build = build
m.measure_prefill = lambda model, e, p, c: {"memory": mem(), "time": {"prefill_s": 0.01}}
m.measure_generate = gen
m.measure_train = lambda cfg, e, p, c: {"memory": mem(), "time": {"train_step_s": 0.05}}
m.measure_matmul = lambda e: {"time": {"matmul_flops_per_s": 7e14}}
m.measure_copy = lambda e: {"time": {"copy_bytes_per_s": 2.9e12}}
sys.modules["measure"] = m

import run  # noqa: E402

fails = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fails.append(what)


out = work / "all"
rc = run.main(["--cli", cli, "--out", str(out),
               "--only", "weights-qwen2.5-0.5b,prefill-qwen2.5-0.5b-*,generate-qwen2.5-0.5b-*,"
                         "train-qwen2.5-0.5b-b4-s512-*,matmul-*,copy-*"])
files = sorted(out.glob("*.json"))
check(rc == 0 and len(files) == 1, "one results file per run")
doc = json.loads(files[0].read_text())
st = {s["id"]: s for s in doc["scenarios"]}
check(doc["schema"] == "llmcalc-gpu-fidelity/1" and doc["synthetic"] is False
      and doc["cuda_context_bytes"] == 500 << 20, "header: schema, context")
check(built == ["qwen2"], "inference scenarios of one model share one build")
check(st["weights-qwen2.5-0.5b"]["status"] == "ok"
      and st["weights-qwen2.5-0.5b"]["errors"]["memory"] is not None, "weights compared")
g = st["generate-qwen2.5-0.5b-b1-p128-g256-cuda_graphs"]
check(g["status"] == "error" and "compile failed" in g["reason"],
      "a failing scenario is recorded, the run goes on")
p = st["prefill-qwen2.5-0.5b-b1-p512-sdpa-logits_last"]
check(abs(p["errors"]["memory"] - (p["prediction"]["memory_tensors_bytes"] / 2e9 - 1)) < 1e-12,
      "allocated peak vs tensor items (total minus runtime_overhead)")
check(abs(p["errors"]["memory_driver"] - (p["prediction"]["memory_total_bytes"] / 3e9 - 1))
      < 1e-12, "driver peak vs total")
check(all(s["status"] == "ok" for s in doc["scenarios"] if s["kind"] == "train"),
      "training scenarios measured")
check(st["matmul-bf16-8192"]["errors"]["time"] is not None, "micro-benchmark compared")

out2 = work / "budget"
rc = run.main(["--cli", cli, "--out", str(out2), "--budget-s", "0", "--only", "train-*"])
doc2 = json.loads(next(out2.glob("*.json")).read_text())
check(rc == 0 and doc2["scenarios"] and all(s["status"] == "skipped" for s in doc2["scenarios"]),
      "past the time budget, scenarios are recorded as skipped")

print(f"orchestration: {9 + 1 - len(fails)} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
