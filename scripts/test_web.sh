#!/usr/bin/env bash
# The page in a real browser (Debian's Chromium driven by playwright-core): builds the page
# (and the WASM module if missing), then runs tests/browser/*.test.mjs with node's test
# runner. Needs the native CLI (scripts/test_native.sh builds it) to compare numbers.
# Screenshots and the timing report land in tests/browser/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build_web.sh
if [ ! -x build/native/core/cli/llmcalc ]; then
  cmake --preset native >/dev/null
  cmake --build --preset native -j "$(nproc)" --target llmcalc
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "test_web: ${CHROMIUM:-/usr/bin/chromium} not found (scripts/setup.sh installs Debian's chromium)" >&2
  exit 1
fi
node --test --test-concurrency=1 --test-reporter=spec tests/browser/
