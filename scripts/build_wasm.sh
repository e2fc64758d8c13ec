#!/usr/bin/env bash
# Builds the core as WebAssembly (Emscripten, CMake preset "wasm"):
#   build/wasm/wasm/llmcalc_core.mjs       browser ES module (web, worker), default export = factory
#   build/wasm/wasm/llmcalc_core_node.cjs  Node build (CommonJS)
#   build/wasm/wasm/llmcalc_core_page.mjs + .wasm  the page's build (web/build.mjs inlines the
#                                          .wasm gzip-compressed)
# The first two are single files (the .wasm inlined as base64). Wrap them with
# wasm/js/browser.mjs or wasm/js/node.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"  # Debian's em++ runs its JS tools under node
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j "$(nproc)" --target llmcalc_wasm
for f in build/wasm/wasm/llmcalc_core.mjs build/wasm/wasm/llmcalc_core_node.cjs build/wasm/wasm/llmcalc_core_page.wasm; do
  printf 'built %s: %d bytes, %d gzipped\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
