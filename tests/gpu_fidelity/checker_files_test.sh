#!/usr/bin/env bash
# The fidelity checker over results files on disk: a synthetic file within the bounds must
# exit 0, one over a bound must exit 1, an empty folder 77 (no measurements yet).
# Usage: checker_files_test.sh PYTHON check.py LLMCALC SELFTEST_DIR WORK_DIR
set -uo pipefail
py=$1 check=$2 cli=$3 fixtures=$4 work=$5
rm -rf "$work" && mkdir -p "$work/pass" "$work/fail" "$work/empty"
fail=0
expect() {  # expect RC DIR
  "$py" "$check" --cli "$cli" --data "$2" --include-synthetic >"$work/out.txt" 2>&1
  local rc=$?
  if [ "$rc" -ne "$1" ]; then
    echo "FAIL: --data $2 exited $rc, expected $1"; cat "$work/out.txt"; fail=1
  else
    echo "ok: --data $(basename "$2") exited $rc"
  fi
}
"$py" "$check" --cli "$cli" --materialize "$fixtures/pass.json" "$work/pass/run.json" || exit 1
"$py" "$check" --cli "$cli" --materialize "$fixtures/fail_one_scenario.json" "$work/fail/run.json" || exit 1
# A passing file beside a failing one: the folder fails.
cp "$work/pass/run.json" "$work/fail/other.json"
expect 0 "$work/pass"
expect 1 "$work/fail"
expect 77 "$work/empty"
# Without --include-synthetic, synthetic files are never taken for measurements.
"$py" "$check" --cli "$cli" --data "$work/pass" >/dev/null 2>&1
rc=$?
if [ "$rc" -ne 77 ]; then echo "FAIL: a synthetic file was read as a measurement (exit $rc)"; fail=1
else echo "ok: synthetic files are not measurements"; fi
exit $fail
