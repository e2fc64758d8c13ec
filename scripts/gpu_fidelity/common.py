"""Shared by the harness (run.py), the fidelity checker (check.py) and the report
(report.py): finding and building the native CLI, asking it for predictions, and turning a
report into the numbers the measurements are compared with. Standard library only."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CLI = ROOT / "build" / "native" / "core" / "cli" / "llmcalc"

# The CI bounds (issue 6). Not overridable from a data file: a missed target is fixed in the
# model, not in the bounds.
BOUNDS = {
    "memory_max_abs_rel_error": 0.08,
    "memory_median_abs_rel_error": 0.03,
    "time_median_abs_rel_error": 0.15,
}


class CliError(RuntimeError):
    pass


def build_cli(log=print) -> Path:
    """Build the native CLI: the CMake preset, or a plain CMake build if presets fail."""
    jobs = str(os.cpu_count() or 2)
    try:
        subprocess.run(["cmake", "--preset", "native"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", "--preset", "native", "-j", jobs, "--target",
                        "llmcalc"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        if DEFAULT_CLI.exists():
            return DEFAULT_CLI
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        log(f"cmake preset build failed ({e}); trying a plain CMake build")
    bdir = ROOT / "build" / "gpu_fidelity"
    subprocess.run(["cmake", "-S", str(ROOT), "-B", str(bdir), "-DCMAKE_BUILD_TYPE=Release",
                    "-DLLMCALC_BUILD_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(bdir), "-j", jobs, "--target", "llmcalc"],
                   check=True, stdout=subprocess.DEVNULL)
    cli = bdir / "core" / "cli" / "llmcalc"
    if not cli.exists():
        raise CliError(f"built, but no CLI at {cli}")
    return cli


def find_cli(given: str | None, build_if_missing: bool = False, log=print) -> Path:
    if given:
        p = Path(given)
        if not p.exists():
            raise CliError(f"no llmcalc CLI at {p}")
        return p
    if DEFAULT_CLI.exists():
        return DEFAULT_CLI
    on_path = shutil.which("llmcalc")
    if on_path:
        return Path(on_path)
    if build_if_missing:
        return build_cli(log)
    raise CliError(f"no llmcalc CLI at {DEFAULT_CLI}: build it (cmake --preset native && "
                   f"cmake --build --preset native) or pass --cli")


def run_cli(cli: Path, args: list[str]) -> str:
    r = subprocess.run([str(cli), *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise CliError(f"llmcalc {' '.join(args)} failed ({r.returncode}): "
                       f"{(r.stderr or r.stdout).strip()[:2000]}")
    return r.stdout


def estimate(cli: Path, scenario: dict) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(scenario, f)
        path = f.name
    try:
        return json.loads(run_cli(cli, ["estimate", "--scenario", path, "--json"]))
    finally:
        os.unlink(path)


_gpu_cache: dict = {}


def gpu_preset(cli: Path, gpu_id: str) -> dict:
    key = (str(cli), gpu_id)
    if key not in _gpu_cache:
        gpus = json.loads(run_cli(cli, ["list", "gpus", "--json"]))
        for g in gpus:
            _gpu_cache[(str(cli), g["id"])] = g
    if key not in _gpu_cache:
        raise CliError(f"no GPU preset {gpu_id!r}")
    return _gpu_cache[key]


def hf_config(cli: Path, model: str) -> dict:
    return json.loads(run_cli(cli, ["export-hf-config", "--model", model]))


def predictions(report: dict, entry: dict) -> dict:
    """The numbers the measurements of entry are compared with, from an llmcalc report."""
    items = {i["id"]: i["bytes"] for i in report["memory"]["items"]}
    overhead = items.get("runtime_overhead", 0.0) + items.get("fragmentation", 0.0)
    p = {
        "memory_total_bytes": report["memory"]["total_bytes"],
        "memory_tensors_bytes": report["memory"]["total_bytes"] - overhead,
        "runtime_overhead_bytes": items.get("runtime_overhead", 0.0),
        "weights_bytes": items.get("weights", 0.0),
        "memory_items": items,
    }
    lat = report.get("latency") or {}
    k = entry["kind"]
    if k == "prefill":
        p["prefill_s"] = lat.get("ttft_s")
    elif k == "generate":
        p["prefill_s"] = lat.get("ttft_s")
        g = entry.get("generate") or 0
        p["decode_per_token_s"] = lat["decode_total_s"] / g if g else None
    elif k == "train":
        p["train_step_s"] = (report.get("training") or {}).get("step_s")
    return p


def micro_predictions(cli: Path, entry: dict, gpu_id: str) -> dict:
    g = gpu_preset(cli, gpu_id)
    if entry["kind"] == "matmul":
        return {"matmul_flops_per_s": g["peak_flops"]["bf16"] * g["matmul_efficiency"],
                "peak_flops_bf16": g["peak_flops"]["bf16"],
                "matmul_efficiency": g["matmul_efficiency"]}
    return {"copy_bytes_per_s": g["memory_bandwidth_bytes_per_s"] * g["bandwidth_efficiency"],
            "memory_bandwidth_bytes_per_s": g["memory_bandwidth_bytes_per_s"],
            "bandwidth_efficiency": g["bandwidth_efficiency"]}


def predict(cli: Path, entry: dict, llm_scenario: dict | None, gpu_id: str) -> dict:
    if llm_scenario is None:
        return micro_predictions(cli, entry, gpu_id)
    return predictions(estimate(cli, llm_scenario), entry)


def rel_error(predicted, measured):
    """(predicted - measured) / measured; None when either side is missing."""
    if predicted is None or measured is None:
        return None
    if not (isinstance(predicted, (int, float)) and isinstance(measured, (int, float))):
        return None
    if measured == 0 or not math.isfinite(predicted) or not math.isfinite(measured):
        return None
    return (predicted - measured) / measured


def errors_for(plan: dict, measurement: dict, prediction: dict) -> dict:
    """Relative errors of every comparison the plan names."""
    out = {}
    for key in ("memory", "memory_driver", "time"):
        spec = plan.get(key)
        if not spec:
            continue
        section = measurement.get("time" if key == "time" else "memory", {})
        out[key] = rel_error(prediction.get(spec["predicted"]), section.get(spec["measured"]))
    return out


def median_abs(values):
    v = [abs(x) for x in values if x is not None]
    return statistics.median(v) if v else None
