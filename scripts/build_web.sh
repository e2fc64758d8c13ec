#!/usr/bin/env bash
# Builds the calculator page (issue 5) with esbuild:
#   web/dist/index.html (+ app.js, app.css)  the page, served by scripts/run.sh
#   web/dist/llmcalc.html, dist/llmcalc.html the single file (JS, CSS and WASM inlined)
# Builds the WASM module first when it is missing (scripts/build_wasm.sh); set
# LLMCALC_REBUILD_WASM=1 to rebuild it anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/esbuild ] || [ ! -d node_modules/uplot ]; then
  echo "build_web: installing npm devDependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ "${LLMCALC_REBUILD_WASM:-0}" = 1 ] || [ ! -f build/wasm/wasm/llmcalc_core.mjs ]; then
  bash scripts/build_wasm.sh
fi
node web/build.mjs
