#!/usr/bin/env bash
# Builds the WASM module and the page, then serves web/dist on localhost.
#   PORT=8000 (default) HOST=127.0.0.1 (default) bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LLMCALC_REBUILD_WASM="${LLMCALC_REBUILD_WASM:-1}" bash scripts/build_web.sh
port="${PORT:-8000}"
host="${HOST:-127.0.0.1}"
echo
echo "llmcalc page:      http://${host}:${port}/"
echo "single-file build: $(pwd)/dist/llmcalc.html (also web/dist/llmcalc.html; open it from disk, works offline)"
echo "(Ctrl+C to stop)"
exec python3 -m http.server "$port" --bind "$host" --directory web/dist
