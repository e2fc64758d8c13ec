#!/usr/bin/env bash
# The GPU fidelity harness's GPU-free checks (CI has no GPU): the dry run over the whole
# matrix (every scenario's llmcalc prediction and measurement plan, matrix coverage), the
# fidelity checker's self-tests on synthetic fixtures, and the fidelity check over the
# committed measurements (reported as not enforced while none is committed).
# Python 3 standard library only. Uses the native CLI that scripts/test_native.sh built;
# builds it if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/native/core/cli/llmcalc
if [ ! -x "$cli" ]; then
  cmake --preset native >/dev/null
  cmake --build --preset native -j "$(nproc)" --target llmcalc
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "--- dry run (full matrix)"
python3 -m py_compile scripts/gpu_fidelity/*.py
python3 scripts/gpu_fidelity/run.py --dry-run --cli "$cli" --plan-out "$work/plan.json" | tail -n 8
python3 scripts/gpu_fidelity/report.py --plan "$work/plan.json" >"$work/plan.md"
grep -q 'Dry-run plan' "$work/plan.md"

echo "--- fidelity checker self-test (synthetic fixtures)"
python3 scripts/gpu_fidelity/check.py --cli "$cli" --selftest tests/data/gpu_fidelity/selftest \
  | grep -E '^(ok|WRONG|checker self-test)'
bash tests/gpu_fidelity/checker_files_test.sh python3 scripts/gpu_fidelity/check.py "$cli" \
  tests/data/gpu_fidelity/selftest "$work/files"

echo "--- harness orchestration with fake torch (no GPU, nothing measured)"
python3 tests/gpu_fidelity/orchestration_test.py scripts/gpu_fidelity "$cli" "$work/orch" 2>/dev/null \
  | grep -E '^(ok|FAIL|orchestration)'

echo "--- fidelity check (committed measurements)"
rc=0
python3 scripts/gpu_fidelity/check.py --cli "$cli" --data tests/data/gpu_fidelity || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
  echo "fidelity check failed (exit $rc)"
  exit "$rc"
fi
echo "GPU fidelity harness: GPU-free checks passed"
