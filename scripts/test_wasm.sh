#!/usr/bin/env bash
# The WebAssembly core under Node: builds the module (scripts/build_wasm.sh) and the native
# parity driver, then runs
#   1. the Node tests (tests/node: API shape, seed goldens, >= 1,000 bad inputs, HF config),
#   2. native/WASM parity over PARITY_COUNT (default 10,000) random valid scenarios,
#   3. the core's GoogleTest suite compiled with Emscripten, under Node (ctest --preset wasm).
# No GPU, no npm packages. SKIP_WASM_GTEST=1 skips step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
jobs=$(nproc)

bash scripts/build_wasm.sh

echo "--- native parity driver and CLI"
cmake --preset native >/dev/null
cmake --build --preset native -j "$jobs" --target llmcalc_parity llmcalc

echo "--- node tests (tests/node)"
node --test tests/node/

echo "--- native/WASM parity"
node tests/parity/parity.mjs --count "${PARITY_COUNT:-10000}" --seed "${PARITY_SEED:-20240604}" \
  --driver build/native/tests/parity/llmcalc_parity --module build/wasm/wasm/llmcalc_core_node.cjs

if [ "${SKIP_WASM_GTEST:-0}" != 1 ]; then
  echo "--- core GoogleTest suite under Node (ctest --preset wasm)"
  cmake --build --preset wasm -j "$jobs"
  ctest --preset wasm -j "$jobs"
fi
