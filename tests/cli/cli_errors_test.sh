#!/usr/bin/env bash
# The CLI exits non-zero with a message naming the field for every kind of bad input, never
# crashes (exit code >= 128) and never prints nan or inf.
set -u
cli="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect_error() {  # expect_error <text that must appear in stderr> <args...>
  local want="$1"; shift
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then
    echo "FAIL (exit $rc): $*"; fail=1; return
  fi
  if ! grep -q -- "$want" "$tmp/err"; then
    echo "FAIL: '$*' stderr lacks '$want':"; cat "$tmp/err"; fail=1
  fi
}

expect_ok() {
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err" || { echo "FAIL (exit $?): $*"; cat "$tmp/err"; fail=1; return; }
  if grep -qiE '\bnan\b|\binf\b|undefined' "$tmp/out"; then echo "FAIL: non-finite in output of $*"; fail=1; fi
}

expect_error "/model (--model)" estimate --model llama-9000
expect_error "/workload/batch (--batch)" estimate --model llama-2-7b --batch 0
expect_error "/workload/batch (--batch)" estimate --model llama-2-7b --batch -4
expect_error "not_integer" estimate --model llama-2-7b --batch 2.5
expect_error "wrong_type" estimate --model llama-2-7b --batch four
expect_error "/parallelism/tp (--tp)" estimate --model llama-2-7b --tp 3
expect_error "/hardware/gpu (--gpu)" estimate --model llama-2-7b --gpu h900
expect_error "/precision/weights (--weights)" estimate --model llama-2-7b --weights int3
echo '{"model":"llama-2-7b",' > "$tmp/bad.json"
expect_error "not valid JSON" estimate --scenario "$tmp/bad.json"
echo '{"model":{"architecture":{"vocab_size":32000,"hidden_size":4096,"num_layers":1e30,"num_heads":32,"intermediate_size":11008}}}' > "$tmp/huge.json"
expect_error "/model/architecture/num_layers" estimate --scenario "$tmp/huge.json"
echo '{"model":{"architecture":{"vocab_size":32000,"hidden_size":4000,"num_layers":2,"num_heads":48,"intermediate_size":100}}}' > "$tmp/heads.json"
expect_error "must divide hidden_size" estimate --scenario "$tmp/heads.json"
echo '{"model_type":"bert"}' > "$tmp/bert.json"
expect_error "/model/hf_config/model_type" estimate --hf-config "$tmp/bert.json"
expect_error "/sweep/values/1" sweep --model llama-2-7b --vary batch --values 1,x
expect_error "cannot read" estimate --scenario /nonexistent.json
expect_error "" estimate --batch   # missing flag value: CLI11 usage error

expect_ok estimate --model llama-2-7b
expect_ok estimate --model deepseek-v3 --gpus 8 --json
expect_ok estimate --model llama-3-8b --mode training --finetune qlora --optimizer adamw-8bit
expect_ok sweep --model llama-2-7b --vary seq --values 512,1024,2048 --mode training
expect_ok solve max-batch --model llama-2-7b --gpu a100-80gb
expect_ok list models
expect_ok list gpus --json
for sub in estimate list sweep solve export-hf-config import-hf-config; do expect_ok $sub --help; done
expect_ok --help

exit $fail
