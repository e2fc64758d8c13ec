#!/usr/bin/env bash
# Regenerates the parts of the docs and declarations that come from the scenario schema
# (core/src/scenario/schema.cpp): the field and error-code tables of docs/scenario.md and the
# Scenario part of wasm/js/llmcalc.d.ts, each between its BEGIN/END GENERATED markers.
# tests/cli/schema_docs_test.sh (CTest schema_docs) fails while they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-build/native/core/cli/llmcalc}
[ -x "$cli" ] || { cmake --preset native >/dev/null && cmake --build --preset native --target llmcalc; }
python3 scripts/schema_regions.py write "$cli"
git --no-pager diff --stat -- docs/scenario.md wasm/js/llmcalc.d.ts || true
