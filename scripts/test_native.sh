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
  # Each target: first its corpus once, file by file (issue 16's reproducers, at full length),
  # then a short run from that corpus (FUZZ_SECONDS each, 6 by default: ~30 s for five
  # targets). -timeout is the per-input limit (a hang is a failure), -rss_limit_mb the memory.
  # New inputs go to a scratch directory (the first corpus dir), never into the repository.
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  for target in scenario hf_config solve sweep cli_args; do
    bin=build/fuzz/tests/fuzz/fuzz_$target
    if [ ! -x "$bin" ]; then echo "fuzz_$target: not built here (see tests/fuzz/CMakeLists.txt)"; continue; fi
    corpus=tests/fuzz/corpus/$target
    dict=(); [ -f "tests/fuzz/${target}.dict" ] && dict=(-dict="tests/fuzz/${target}.dict")
    limits=(-timeout=10 -rss_limit_mb=4096 -artifact_prefix="$scratch/$target-")
    "$bin" "${limits[@]}" "$corpus"/* >"$scratch/$target-corpus.log" 2>&1 ||
      { tail -n 40 "$scratch/$target-corpus.log"; echo "fuzz_$target: a corpus input failed"; exit 1; }
    mkdir -p "$scratch/$target"
    "$bin" "${limits[@]}" "${dict[@]}" -max_total_time="${FUZZ_SECONDS:-6}" -max_len=4096 \
      -print_final_stats=1 "$scratch/$target" "$corpus" >"$scratch/$target.log" 2>&1 ||
      { tail -n 40 "$scratch/$target.log"; echo "fuzz_$target: fuzzing found a failure"; exit 1; }
    echo "fuzz_$target: $(ls "$corpus" | wc -l) corpus inputs pass; $(grep -o 'stat::number_of_executed_units: [0-9]*' "$scratch/$target.log" | grep -o '[0-9]*$') runs in ${FUZZ_SECONDS:-6} s"
  done
}
