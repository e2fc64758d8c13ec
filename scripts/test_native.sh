#!/usr/bin/env bash
# Native core: build with the CMake preset, run the CTest suite, then a short libFuzzer run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake --preset native >/dev/null
cmake --build --preset native -j "$jobs"
ctest --preset native -j "$jobs"
if command -v clang++ >/dev/null && [ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  # A short run from the seed corpus: any crash, sanitizer report or leak fails the test.
  build/fuzz/tests/fuzz/fuzz_scenario -max_total_time="${FUZZ_SECONDS:-30}" -max_len=4096 \
    -print_final_stats=1 tests/fuzz/corpus 2>&1 | tail -n 12
fi
