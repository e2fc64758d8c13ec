#!/usr/bin/env bash
# Benchmarks the WebAssembly core against native in one run: module sizes (raw, gzip),
# instantiation time, median microseconds per estimate and per 1,000-point sweep.
# Builds what it needs. BENCH_ROUNDS and BENCH_N tune the effort.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
bash scripts/build_wasm.sh >/dev/null
cmake --preset native >/dev/null
cmake --build --preset native -j "$(nproc)" --target llmcalc_parity >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
node scripts/bench/bench_wasm.mjs
