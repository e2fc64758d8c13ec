#!/usr/bin/env bash
# Regenerates examples/*.report.json from examples/*.scenario.json, and the README's CLI
# transcripts, with the native CLI.
# Run after an intended change to the estimator, and review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/native/core/cli/llmcalc
[ -x "$cli" ] || { cmake --preset native >/dev/null && cmake --build --preset native; }
for s in examples/*.scenario.json; do
  "$cli" estimate --scenario "$s" --json > "${s%.scenario.json}.report.json"
done
python3 tests/cli/readme_transcripts.py "$cli" README.md --update
git --no-pager diff --stat -- examples README.md || true
