#!/usr/bin/env bash
# Native core: build with the CMake preset, run the CTest suite, then a short libFuzzer run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake --preset native >/dev/null
cmake --build --preset native -j "$jobs"
ctest --preset native -j "$jobs"
# libFuzzer needs clang and its runtime (clang, libclang-rt-14-dev: scripts/setup.sh).
command -v clang++ >/dev/null || { echo "clang++ missing: run scripts/setup.sh"; exit 1; }
{
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  # A short run from the seed corpus: any crash, sanitizer report or leak fails the test.
  # New inputs go to a scratch directory (the first corpus dir), never into the repository.
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  build/fuzz/tests/fuzz/fuzz_scenario -max_total_time="${FUZZ_SECONDS:-30}" -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$scratch/" "$scratch" tests/fuzz/corpus >"$scratch/log" 2>&1 ||
    { tail -n 40 "$scratch/log"; echo "fuzzing found a crash"; exit 1; }
  tail -n 6 "$scratch/log"
}
