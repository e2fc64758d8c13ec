#!/usr/bin/env python3
"""Fidelity check: hold today's estimator to the committed GPU measurements.

    check.py --cli build/native/core/cli/llmcalc --data tests/data/gpu_fidelity
        Reads every measurement file (tests/data/gpu_fidelity/*.json, synthetic files
        excluded), recomputes each scenario's prediction with the CLI and applies the bounds
        of common.BOUNDS: every scenario's memory |error| <= 8%, median memory |error| <= 3%,
        median prefill, decode and training-step time |error| <= 15% (each kind). Exit 0 when
        they hold, 1 when one is broken, 77 (a skip for CTest) when no measurement is
        committed yet.

    check.py --cli ... --selftest tests/data/gpu_fidelity/selftest
        Proves the checker can fail: each SYNTHETIC fixture there names scenarios and the
        relative error its fake measurement should have against today's prediction, and the
        verdict the checker must reach (pass, or fail with exactly which rules). The fake
        measurements are made from today's predictions, so the fixtures keep testing the
        checker whatever the estimator does. Exit 1 when a verdict differs.

Python 3 standard library only (CI runs it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import matrix  # noqa: E402

SKIP = 77


def entry_of(rec: dict) -> dict:
    e = dict(rec.get("inputs") or {})
    e["id"] = rec["id"]
    e.setdefault("kind", rec.get("kind"))
    return e


def evaluate(doc: dict, cli: Path, name: str, out=print) -> dict:
    """Recompute the predictions of one results document and apply the bounds. Returns
    {"violations": [{"rule", "detail"}], "memory": [...], "time": {...}, "checked": n}."""
    b = common.BOUNDS
    gpu_default = (doc.get("environment") or {}).get("gpu_preset", "h100-sxm")
    violations = []
    mem_errs = []
    time_errs: dict[str, list] = {k: [] for k in matrix.BOUNDED_TIME_KINDS}
    checked = skipped = 0
    out(f"== {name}: {doc.get('environment', {}).get('gpu_name', '?')} "
        f"({gpu_default}){' [SYNTHETIC]' if doc.get('synthetic') else ''}")
    out(f"   {'scenario':62} {'memory':>8} {'driver':>8} {'time':>8}")
    for rec in doc.get("scenarios", []):
        if rec.get("status", "ok") != "ok" or "measurement" not in rec:
            skipped += 1
            continue
        e = entry_of(rec)
        sc = rec.get("llmcalc_scenario")
        gpu = ((sc or {}).get("hardware") or {}).get("gpu", gpu_default)
        try:
            pred = common.predict(cli, e, sc, gpu)
        except common.CliError as err:
            violations.append({"rule": "prediction_failed",
                               "detail": f"{rec['id']}: {err}"})
            out(f"   {rec['id']:62} prediction failed: {err}")
            continue
        checked += 1
        errs = common.errors_for(rec.get("plan") or matrix.plan(e), rec["measurement"], pred)
        m, d, t = errs.get("memory"), errs.get("memory_driver"), errs.get("time")
        cells = [("-" if x is None else f"{x:+.1%}") for x in (m, d, t)]
        flag = ""
        if m is not None:
            mem_errs.append(m)
            if abs(m) > b["memory_max_abs_rel_error"]:
                violations.append({"rule": "memory_max",
                                   "detail": f"{rec['id']}: memory error {m:+.1%} exceeds "
                                             f"{b['memory_max_abs_rel_error']:.0%}"})
                flag = "  <-- over the bound"
        if t is not None and e["kind"] in time_errs:
            time_errs[e["kind"]].append(t)
        out(f"   {rec['id']:62} {cells[0]:>8} {cells[1]:>8} {cells[2]:>8}{flag}")
    med = common.median_abs(mem_errs)
    if med is not None and med > b["memory_median_abs_rel_error"]:
        violations.append({"rule": "memory_median",
                           "detail": f"median memory |error| {med:.2%} exceeds "
                                     f"{b['memory_median_abs_rel_error']:.0%}"})
    out(f"   memory: {len(mem_errs)} comparisons, median |error| "
        f"{'-' if med is None else f'{med:.2%}'} (bound {b['memory_median_abs_rel_error']:.0%}, "
        f"each <= {b['memory_max_abs_rel_error']:.0%})")
    for kind, v in time_errs.items():
        tm = common.median_abs(v)
        if tm is None:
            continue
        out(f"   time {kind}: {len(v)} comparisons, median |error| {tm:.2%} "
            f"(bound {b['time_median_abs_rel_error']:.0%})")
        if tm > b["time_median_abs_rel_error"]:
            violations.append({"rule": f"time_median:{kind}",
                               "detail": f"median {kind} time |error| {tm:.2%} exceeds "
                                         f"{b['time_median_abs_rel_error']:.0%}"})
    if skipped:
        out(f"   ({skipped} scenario(s) not measured in this file: skipped or failed)")
    return {"violations": violations, "memory": mem_errs, "time": time_errs,
            "checked": checked}


def real_files(data: Path, include_synthetic: bool = False) -> list[Path]:
    files = []
    for p in sorted(data.glob("*.json")):
        try:
            doc = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise SystemExit(f"{p}: unreadable: {err}")
        if doc.get("schema") != matrix.SCHEMA or doc.get("dry_run"):
            continue
        if doc.get("synthetic") and not include_synthetic:
            continue
        files.append(p)
    return files


def check_data(data: Path, cli: Path, include_synthetic: bool = False) -> int:
    files = real_files(data, include_synthetic)
    if not files:
        print(f"no measurements committed yet: {data} holds no measurement file "
              f"(schema {matrix.SCHEMA}); the fidelity bounds are not enforced until a GPU "
              f"run commits one (see docs/gpu-fidelity.md)")
        return SKIP
    failed = 0
    for p in files:
        r = evaluate(json.loads(p.read_text()), cli, p.name)
        for v in r["violations"]:
            print(f"VIOLATION {v['rule']}: {v['detail']}")
        failed += bool(r["violations"])
    print(f"fidelity: {len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


def materialize(fixture: dict, cli: Path) -> dict:
    """A results document whose fake measurements sit at the fixture's relative errors from
    today's predictions."""
    doc = {k: v for k, v in fixture.items() if k not in ("scenarios", "expect")}
    doc["schema"] = matrix.SCHEMA
    doc["synthetic"] = True
    gpu_default = (doc.get("environment") or {}).get("gpu_preset", "h100-sxm")
    doc["scenarios"] = []
    for rec in fixture["scenarios"]:
        e = entry_of(rec)
        sc = rec.get("llmcalc_scenario")
        plan = rec.get("plan") or matrix.plan(e)
        want = rec.get("synthetic_error", {})
        meas = {"memory": {}, "time": {}}
        try:
            pred = common.predict(cli, e, sc, gpu_default)
        except common.CliError:
            pred = {}  # the checker must report this scenario as prediction_failed
        for key, section in (("memory", "memory"), ("memory_driver", "memory"),
                             ("time", "time")):
            spec = plan.get(key)
            if not spec or key not in want:
                continue
            p = pred.get(spec["predicted"])
            # predicted = measured x (1 + err)  =>  measured = predicted / (1 + err)
            meas[section][spec["measured"]] = (p / (1.0 + want[key])) if p else 1.0
        doc["scenarios"].append({"id": rec["id"], "kind": e["kind"], "inputs": rec["inputs"],
                                 "llmcalc_scenario": sc, "plan": plan, "status": "ok",
                                 "measurement": meas})
    return doc


def selftest(folder: Path, cli: Path) -> int:
    fixtures = sorted(folder.glob("*.json"))
    if not fixtures:
        print(f"no self-test fixtures in {folder}")
        return 1
    passed = failed = 0
    for p in fixtures:
        fx = json.loads(p.read_text())
        if not fx.get("synthetic"):
            print(f"{p.name}: a self-test fixture must be marked \"synthetic\": true")
            failed += 1
            continue
        exp = fx["expect"]
        r = evaluate(materialize(fx, cli), cli, p.name)
        rules = sorted({v["rule"] for v in r["violations"]})
        verdict = "fail" if rules else "pass"
        ok = verdict == exp["verdict"] and rules == sorted(exp.get("rules", []))
        for v in r["violations"]:
            print(f"   violation {v['rule']}: {v['detail']}")
        print(f"{'ok' if ok else 'WRONG'}: {p.name}: checker says {verdict}"
              f"{' ' + str(rules) if rules else ''}, expected {exp['verdict']}"
              f"{' ' + str(sorted(exp.get('rules', []))) if exp.get('rules') else ''}")
        passed += ok
        failed += not ok
    print(f"checker self-test: {passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", help="llmcalc CLI (default build/native/core/cli/llmcalc)")
    ap.add_argument("--data", help="folder of committed measurement files")
    ap.add_argument("--selftest", help="folder of synthetic self-test fixtures")
    ap.add_argument("--materialize", nargs=2, metavar=("FIXTURE", "OUT"),
                    help="tests: write a fixture's fake results document (still marked "
                         "synthetic) to OUT")
    ap.add_argument("--include-synthetic", action="store_true",
                    help="tests: let --data read synthetic documents too")
    args = ap.parse_args(argv)
    if args.materialize:
        cli = common.find_cli(args.cli)
        fx, out = args.materialize
        doc = materialize(json.loads(Path(fx).read_text()), cli)
        doc["materialized_from"] = Path(fx).name
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(doc, indent=1) + "\n")
        return 0
    if not args.data and not args.selftest:
        args.data = str(common.ROOT / "tests" / "data" / "gpu_fidelity")
    try:
        cli = common.find_cli(args.cli)
    except common.CliError as err:
        print(err)
        return 2
    rc = 0
    if args.selftest:
        rc = max(rc, selftest(Path(args.selftest), cli))
    if args.data:
        r = check_data(Path(args.data), cli, args.include_synthetic)
        rc = r if rc == 0 else rc
    return rc


if __name__ == "__main__":
    sys.exit(main())
