#!/usr/bin/env bash
# Relinks the page's WebAssembly module with a name section (--profiling-funcs) into OUT_DIR
# (default /tmp/named), from the objects of build/wasm (scripts/build_wasm.sh first), for
# profiles that name the C++ functions (scripts/experiments/first_estimate_profile.mjs). The
# link is build.ninja's own command for llmcalc_core_page, without the last wasm-opt pass, so
# the module is larger and a little less optimized than the page's: for attribution, not timing.
#   bash scripts/experiments/named_page_module.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../../build/wasm"
out="${1:-/tmp/named}"
mkdir -p "$out"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
cmd=$(ninja -t commands wasm/llmcalc_core_page.mjs | tail -1 | sed 's/^: && //; s/ && cd .*$//')
cmd=${cmd/-o wasm\/llmcalc_core_page.mjs/-o $out\/llmcalc_core_page.mjs --profiling-funcs}
eval "$cmd"
cp wasm/llmcalc_core_node.cjs "$out/"  # web/build.mjs prerenders with the Node build beside the glue
ls -l "$out"
