#!/usr/bin/env bash
# Builds everything and runs every test: native core (GoogleTest via CTest, CLI goldens,
# a short fuzz run), the WASM module under Node, the page in Chromium, and the
# GPU fidelity harness's GPU-free checks. Installs what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs

bash scripts/setup.sh

suites=(test_native test_wasm test_web test_gpu_fidelity)
for s in "${suites[@]}"; do
  if [ -f "scripts/$s.sh" ]; then
    echo "=== $s ==="
    start=$SECONDS
    bash "scripts/$s.sh"
    echo "=== $s passed in $((SECONDS - start)) s ==="
  fi
done
echo "All tests passed."
