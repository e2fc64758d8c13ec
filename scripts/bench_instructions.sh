#!/usr/bin/env bash
# Instructions per estimate, counted by valgrind's callgrind: deterministic, unlike wall time on
# a shared VM (which moves by up to 2x here between runs). Counts the difference between 200
# and 100 calls, so one-off costs (preset parsing, the first allocations) drop out.
#   bash scripts/bench_instructions.sh      (needs valgrind: apt-get install valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "bench_instructions: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
cmake --preset native >/dev/null
cmake --build --preset native --target estimate_loop >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() {  # what n -> instructions
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" \
    --toggle-collect='*typed_loop*' --toggle-collect='*json_loop*' --toggle-collect='*sweep_loop*' \
    build/native/tests/bench/estimate_loop "$1" "$2" >/dev/null 2>"$tmp/log"
  callgrind_annotate "$tmp/out" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
for what in inference training json-inference json-training; do
  a=$(count "$what" 100)
  b=$(count "$what" 200)
  printf '%-16s %8d instructions per estimate\n' "$what" $(( (b - a) / 100 ))
done
# The page's chart sweeps (compact answers): every GPU preset, and ten context lengths.
for what in sweep-gpu sweep-context; do
  a=$(count "$what" 10)
  b=$(count "$what" 20)
  printf '%-16s %8d instructions per sweep\n' "$what" $(( (b - a) / 10 ))
done
