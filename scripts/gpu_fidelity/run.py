#!/usr/bin/env python3
"""GPU fidelity harness: measure real memory and time with PyTorch and compare them with
llmcalc's predictions.

On a GPU machine (PyTorch, transformers, optionally peft and bitsandbytes; no downloads):

    python3 scripts/gpu_fidelity/run.py --shard 1/4     # then 2/4, 3/4, 4/4: each < 10 minutes

builds the native CLI, measures every scenario of the shard and writes one JSON file per run
under tests/data/gpu_fidelity/. Without a GPU (CI):

    python3 scripts/gpu_fidelity/run.py --dry-run

asks llmcalc for every scenario's prediction, prints the measurement plan and checks that
the matrix covers what issue 6 asks; no PyTorch is imported.

Other options: --only 'prefill-*,train-qwen*' (ids or patterns), --list, --budget-s,
--gpu PRESET, --cli PATH, --out DIR, --plan-out FILE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import matrix  # noqa: E402

OUT_DIR = common.ROOT / "tests" / "data" / "gpu_fidelity"
T0 = time.time()  # the budget counts from process start (the CLI build included)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def parse_shard(s: str | None):
    if not s:
        return None
    k, n = s.split("/")
    return int(k), int(n)


def selected(args) -> list[dict]:
    entries = matrix.scenarios()
    sh = parse_shard(args.shard)
    if sh:
        entries = matrix.shard(entries, *sh)
    return matrix.select(entries, args.only)


def git_commit() -> str | None:
    try:
        r = subprocess.run(["git", "rev-parse", "HEAD"], cwd=common.ROOT, capture_output=True,
                           text=True, timeout=10)
        return r.stdout.strip() or None
    except Exception:  # noqa: BLE001
        return None


def fmt_bytes(b):
    return "-" if b is None else f"{b / 2**30:.2f} GiB"


def fmt_val(key, v):
    if v is None:
        return "-"
    if key.endswith("_bytes"):
        return fmt_bytes(v)
    if key.endswith("_per_s"):
        return f"{v / 1e12:.1f} T/s"
    if key.endswith("_s"):
        return f"{v * 1e3:.3f} ms"
    return str(v)


# --- dry run ------------------------------------------------------------------------------

def dry_run(args, entries, cli) -> int:
    gpu = args.gpu or "h100-sxm"
    problems = []
    rows = []
    for e in entries:
        sc = matrix.llmcalc_scenario(e, gpu)
        p = matrix.plan(e)
        try:
            pred = common.predict(cli, e, sc, gpu)
        except common.CliError as err:
            problems.append(f"{e['id']}: {err}")
            continue
        for key in ("memory", "memory_driver", "time"):
            spec = p.get(key)
            if not spec:
                continue
            v = pred.get(spec["predicted"])
            if not isinstance(v, (int, float)) or not v > 0:
                problems.append(f"{e['id']}: no positive prediction for {key} "
                                f"({spec['predicted']} = {v!r})")
        if e["kind"] not in ("matmul", "copy") and "memory" not in p:
            problems.append(f"{e['id']}: no memory comparison planned")
        pred.pop("memory_items", None)
        rows.append({"id": e["id"], "kind": e["kind"], "model": e.get("model"),
                     "architecture": matrix.ARCHITECTURES.get(e.get("model")),
                     "inputs": {k: v for k, v in e.items() if k != "id"},
                     "llmcalc_scenario": sc, "plan": p, "prediction": pred})
    full = not args.only and not args.shard
    if full:
        problems += [f"matrix: {x}" for x in matrix.coverage_problems(entries)]

    # The plan, one line a scenario.
    print(f"# llmcalc GPU fidelity plan (dry run, GPU preset {gpu}, CLI {cli})")
    print(f"# {'id':62} {'memory: measured -> predicted':58} time")
    for r in rows:
        p, pred = r["plan"], r["prediction"]
        mem = "-"
        if "memory" in p:
            mem = (f"{p['memory']['measured']} ~ {fmt_val(p['memory']['predicted'], pred.get(p['memory']['predicted']))}")
        tim = "-"
        if "time" in p:
            tim = f"{p['time']['measured']} ~ {fmt_val(p['time']['predicted'], pred.get(p['time']['predicted']))}"
        print(f"  {r['id']:62} {mem:58} {tim}")
    fams = sorted({matrix.FAMILY[r["model"]] for r in rows if r["model"]})
    models = sorted({r["model"] for r in rows if r["model"]})
    kinds = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"# {len(rows)} scenarios, {len(models)} models, families: {', '.join(fams)}; "
          f"kinds: {', '.join(f'{k} {v}' for k, v in kinds.items())}")
    if args.shard or full:
        n = 4
        for k in range(1, n + 1):
            part = matrix.shard(matrix.scenarios(), k, n)
            est = sum(x.get("est_s", 20) for x in part)
            print(f"# shard {k}/{n}: {len(part)} scenarios, ~{est} s measured time")
    if args.plan_out:
        doc = {"schema": matrix.SCHEMA, "dry_run": True, "gpu_preset": gpu,
               "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "bounds": common.BOUNDS, "scenarios": rows}
        Path(args.plan_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.plan_out).write_text(json.dumps(doc, indent=1) + "\n")
        print(f"# plan written to {args.plan_out}")
    if problems:
        for x in problems:
            print(f"PROBLEM: {x}")
        print(f"dry run: {len(problems)} problem(s)")
        return 1
    print(f"dry run: {len(rows)} passed, 0 failed")
    return 0


# --- measuring ----------------------------------------------------------------------------

class Results:
    """The run's JSON file, rewritten after every scenario so a killed run keeps what it
    measured."""

    def __init__(self, path: Path, header: dict):
        self.path = path
        self.doc = dict(header)
        self.doc["scenarios"] = []

    def add(self, rec: dict):
        self.doc["scenarios"].append(rec)
        self.save()

    def save(self):
        self.doc["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.doc, indent=1) + "\n")
        os.replace(tmp, self.path)


def missing_modules(e) -> list[str]:
    return [m for m in e.get("requires", []) if importlib.util.find_spec(m) is None]


def measure_all(args, entries, cli) -> int:
    t_start = T0
    import torch  # noqa: F401 - only here: the dry run must not need it

    import measure
    if not torch.cuda.is_available():
        log("no CUDA device: use --dry-run")
        return 2
    ctx = measure.cuda_context_bytes()
    env = measure.environment()
    gpu = args.gpu or measure.gpu_preset_for(env["gpu_name"])
    if not gpu:
        log(f"no llmcalc GPU preset for {env['gpu_name']!r}: pass --gpu")
        return 2
    env.update({"gpu_preset": gpu, "llmcalc_cli": str(cli),
                "llmcalc_version": common.run_cli(cli, ["--version"]).strip(),
                "git_commit": git_commit()})
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    shard_tag = f"-shard{args.shard.replace('/', 'of')}" if args.shard else ""
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stamp}-{gpu}{shard_tag}.json"
    res = Results(path, {
        "schema": matrix.SCHEMA, "synthetic": False,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "environment": env, "cuda_context_bytes": ctx, "shard": args.shard,
        "only": args.only, "bounds": common.BOUNDS,
        "memory_note": ("allocated peak (PyTorch tensors) is compared with llmcalc's tensor "
                        "items (total minus runtime_overhead); the driver-level peak "
                        "(context + reserved + outside the allocator) with the total"),
    })
    log(f"GPU {env['gpu_name']} (preset {gpu}), CUDA context {ctx / 2**20:.0f} MiB; "
        f"writing {path}")

    # Inference scenarios of a model share one build; training builds its own model.
    groups: dict[str, list[dict]] = {}
    for e in entries:
        groups.setdefault(e.get("model") or "_bench", []).append(e)
    configs: dict[str, dict] = {}

    def over_budget(extra):
        return time.time() - t_start + extra > args.budget_s

    def record(e, status, measurement=None, reason=None, notes=None):
        sc = matrix.llmcalc_scenario(e, gpu)
        p = matrix.plan(e)
        rec = {"id": e["id"], "kind": e["kind"],
               "inputs": {k: v for k, v in e.items() if k != "id"},
               "llmcalc_scenario": sc, "plan": p, "status": status}
        if reason:
            rec["reason"] = reason
        if notes:
            rec["notes"] = notes
        if measurement is not None:
            rec["measurement"] = measurement
            try:
                pred = common.predict(cli, e, sc, gpu)
                rec["prediction"] = pred
                rec["errors"] = common.errors_for(p, measurement, pred)
            except common.CliError as err:
                rec["status"] = "error"
                rec["reason"] = f"llmcalc: {err}"
        res.add(rec)
        errs = rec.get("errors", {})
        log(f"  {e['id']}: {rec['status']}"
            + "".join(f", {k} {v:+.1%}" for k, v in errs.items() if v is not None)
            + (f" ({rec.get('reason')})" if rec.get("reason") else ""))

    for gname, group in groups.items():
        if gname == "_bench":
            for e in group:
                if over_budget(e.get("est_s", 10)):
                    record(e, "skipped", reason="time budget")
                    continue
                fn = measure.measure_matmul if e["kind"] == "matmul" else measure.measure_copy
                try:
                    record(e, "ok", fn(e))
                except Exception as err:  # noqa: BLE001
                    record(e, "error", reason=f"{type(err).__name__}: {err}")
            continue
        cfg = configs.setdefault(gname, common.hf_config(cli, gname))
        inference = [e for e in group if e["kind"] in ("weights", "prefill", "generate")]
        training = [e for e in group if e["kind"] == "train"]
        if inference:
            if over_budget(30 + min(x.get("est_s", 20) for x in inference)):
                for e in inference:
                    record(e, "skipped", reason="time budget")
            else:
                model = None
                try:
                    model, wmeas = measure.weights_bytes_after_build(cfg)
                except Exception as err:  # noqa: BLE001
                    for e in inference:
                        record(e, "error", reason=f"model build: {type(err).__name__}: {err}")
                if model is not None:
                    for e in inference:
                        if e["kind"] == "weights":
                            record(e, "ok", {"memory": wmeas})
                            continue
                        if over_budget(e.get("est_s", 20)):
                            record(e, "skipped", reason="time budget")
                            continue
                        fn = (measure.measure_prefill if e["kind"] == "prefill"
                              else measure.measure_generate)
                        try:
                            m = fn(model, e, matrix.plan(e), ctx)
                            notes = m.pop("notes", None)
                            m["memory"]["weights_allocated_bytes"] = wmeas[
                                "allocated_after_build_bytes"]
                            record(e, "ok", m, notes=notes)
                        except Exception as err:  # noqa: BLE001
                            log(traceback.format_exc())
                            record(e, "error", reason=f"{type(err).__name__}: {err}")
                        measure.clean()
                    del model
                    measure.clean()
        for e in training:
            miss = missing_modules(e)
            if miss:
                record(e, "skipped", reason=f"not importable: {', '.join(miss)}")
                continue
            if over_budget(e.get("est_s", 40) + 15):
                record(e, "skipped", reason="time budget")
                continue
            try:
                m = measure.measure_train(cfg, e, matrix.plan(e), ctx)
                record(e, "ok", m)
            except Exception as err:  # noqa: BLE001
                log(traceback.format_exc())
                record(e, "error", reason=f"{type(err).__name__}: {err}")
            measure.clean()
    res.doc["wall_s"] = round(time.time() - t_start, 1)
    res.save()
    n = len(res.doc["scenarios"])
    ok = sum(1 for s in res.doc["scenarios"] if s["status"] == "ok")
    log(f"wrote {path}: {ok} of {n} scenarios measured in {res.doc['wall_s']} s")
    print(path)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true",
                    help="no GPU, no torch: predictions and the measurement plan only")
    ap.add_argument("--list", action="store_true", help="print the selected scenario ids")
    ap.add_argument("--only", help="comma-separated scenario ids or fnmatch patterns")
    ap.add_argument("--shard", help="K/N: the K-th of N parts of the matrix (1-based)")
    ap.add_argument("--cli", help="path of the llmcalc CLI (default: build/native, built if "
                                  "missing)")
    ap.add_argument("--gpu", help="llmcalc GPU preset (default: detected; dry run h100-sxm)")
    ap.add_argument("--out", default=str(OUT_DIR), help="where the results JSON goes")
    ap.add_argument("--plan-out", help="dry run: also write the plan as JSON here")
    ap.add_argument("--budget-s", type=float, default=540.0,
                    help="stop starting scenarios past this many seconds (default 540)")
    args = ap.parse_args(argv)

    try:
        entries = selected(args)
    except ValueError as err:
        ap.error(str(err))
    if not entries:
        ap.error("no scenario selected")
    if args.list:
        for e in entries:
            print(e["id"])
        return 0
    try:
        cli = common.find_cli(args.cli, build_if_missing=True, log=log)
    except (common.CliError, subprocess.CalledProcessError) as err:
        log(f"llmcalc CLI: {err}")
        return 2
    if args.dry_run:
        return dry_run(args, entries, cli)
    return measure_all(args, entries, cli)


if __name__ == "__main__":
    sys.exit(main())
