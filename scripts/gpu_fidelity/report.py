#!/usr/bin/env python3
"""Markdown table from GPU fidelity results (for the README and docs/gpu-fidelity.md).

    report.py tests/data/gpu_fidelity/*.json              # predictions as recorded in the run
    report.py --recompute --cli PATH FILE...            # today's predictions instead
    report.py --plan plan.json                          # a dry-run plan (predictions only)

Standard library only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import matrix  # noqa: E402


def gib(b):
    return "–" if b is None else f"{b / 2**30:.2f}"


def ms(s):
    return "–" if s is None else f"{s * 1e3:.2f}"


def pct(x):
    return "–" if x is None else f"{x:+.1%}"


def tera(x):
    return "–" if x is None else f"{x / 1e12:.0f}"


def render(doc: dict, cli=None) -> str:
    env = doc.get("environment") or {}
    lines = []
    if doc.get("dry_run"):
        lines.append(f"Dry-run plan for GPU preset `{doc.get('gpu_preset')}` (predictions only, "
                     f"nothing measured).")
    else:
        tag = " **SYNTHETIC (not a measurement)**" if doc.get("synthetic") else ""
        lines.append(f"{env.get('gpu_name', '?')} (preset `{env.get('gpu_preset', '?')}`), "
                     f"driver {env.get('driver', '?')}, CUDA {env.get('cuda', '?')}, torch "
                     f"{env.get('torch', '?')}, transformers {env.get('transformers', '?')}, "
                     f"{doc.get('created', '?')}; CUDA context "
                     f"{gib(doc.get('cuda_context_bytes'))} GiB.{tag}")
    lines.append("")
    lines.append("| scenario | memory measured (GiB) | predicted (GiB) | error | driver peak "
                 "(GiB) | predicted total (GiB) | error | time measured (ms) | predicted (ms) "
                 "| error |")
    lines.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    bench = []
    for rec in doc.get("scenarios", []):
        plan = rec.get("plan") or {}
        pred = rec.get("prediction") or {}
        meas = rec.get("measurement") or {}
        if cli is not None and rec.get("status", "ok") == "ok" and meas:
            e = dict(rec.get("inputs") or {}, id=rec["id"])
            try:
                gpu = ((rec.get("llmcalc_scenario") or {}).get("hardware") or {}).get(
                    "gpu", env.get("gpu_preset", "h100-sxm"))
                pred = common.predict(cli, e, rec.get("llmcalc_scenario"), gpu)
            except common.CliError:
                pred = {}
        status = rec.get("status", "ok")
        if rec["kind"] in ("matmul", "copy"):
            bench.append((rec, pred, meas))
            continue
        if status != "ok" and not doc.get("dry_run"):
            lines.append(f"| `{rec['id']}` | {status}: {rec.get('reason', '')} |||||||||")
            continue
        errs = common.errors_for(plan, meas, pred) if meas else {}
        mm = (meas.get("memory") or {})
        tm = (meas.get("time") or {})
        mp, dp, tp = plan.get("memory"), plan.get("memory_driver"), plan.get("time")
        lines.append("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            rec["id"],
            gib(mm.get(mp["measured"])) if mp else "–",
            gib(pred.get(mp["predicted"])) if mp else "–",
            pct(errs.get("memory")),
            gib(mm.get(dp["measured"])) if dp else "–",
            gib(pred.get(dp["predicted"])) if dp else "–",
            pct(errs.get("memory_driver")),
            ms(tm.get(tp["measured"])) if tp else "–",
            ms(pred.get(tp["predicted"])) if tp else "–",
            pct(errs.get("time"))))
    if bench:
        lines.append("")
        lines.append("| card benchmark | measured (TFLOP/s or TB/s) | catalog x efficiency | "
                     "error |")
        lines.append("|---|--:|--:|--:|")
        for rec, pred, meas in bench:
            key = matrix.TIME_METRICS[rec["kind"]][0]
            m = (meas.get("time") or {}).get(key)
            p = pred.get(key)
            lines.append(f"| `{rec['id']}` | {tera(m)} | {tera(p)} | "
                         f"{pct(common.rel_error(p, m))} |")
    errs = [common.errors_for(r.get("plan") or {}, r.get("measurement") or {},
                              r.get("prediction") or {}).get("memory")
            for r in doc.get("scenarios", []) if r.get("measurement")]
    med = common.median_abs(errs)
    if med is not None:
        lines.append("")
        lines.append(f"Median memory |error| {med:.2%} over {sum(e is not None for e in errs)} "
                     f"scenarios (bound 3%, each scenario 8%).")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="results JSON files")
    ap.add_argument("--plan", help="a dry-run plan JSON (run.py --dry-run --plan-out)")
    ap.add_argument("--recompute", action="store_true",
                    help="use today's predictions (needs the CLI)")
    ap.add_argument("--cli")
    args = ap.parse_args(argv)
    cli = common.find_cli(args.cli) if args.recompute else None
    paths = list(args.files) + ([args.plan] if args.plan else [])
    if not paths:
        ap.error("give results files or --plan")
    out = []
    for p in paths:
        out.append(f"### {Path(p).name}\n")
        out.append(render(json.loads(Path(p).read_text()), cli))
    sys.stdout.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
