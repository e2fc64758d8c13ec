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
  if ! grep -qF -- "$want" "$tmp/err"; then
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

# Numbers typed strictly on every numeric flag (issue 16): each error names the flag.
for v in nan inf -inf 1e400 0x10 +1 " 4" "4 " ""; do
  expect_error "(--batch)" estimate --model llama-2-7b --batch "$v"
  expect_error "(--memory-bytes)" estimate --model llama-2-7b --memory-bytes "$v"
  expect_error "(--price)" estimate --model llama-2-7b --price "$v"
  expect_error "(--gpus)" estimate --model llama-2-7b --gpus "$v"
done
expect_error "(--sp)" estimate --model llama-2-7b --sp 1
expect_error "got 99999999999999999999 [out_of_range]" estimate --model llama-2-7b --batch 99999999999999999999
expect_error "/question/max_gpus" solve min-gpus --model llama-2-7b --max-gpus 0x10
expect_error "/sweep/values/0" sweep --model llama-2-7b --vary batch --values nan
# Files: bounded reads of regular files only; size and depth checked on the raw text.
expect_error "not_a_file" estimate --scenario /dev/zero
expect_error "not_a_file" estimate --hf-config /dev/urandom
# --gguf: not GGUF, not a file, cut short, combined with --model, unknown weight format.
printf 'PK\003\004 a zip' > "$tmp/not.gguf"
expect_error "/gguf/magic (--gguf)" estimate --gguf "$tmp/not.gguf"
expect_error "not_a_file" estimate --gguf /dev/zero
printf 'GGUF\003\000\000\000' > "$tmp/cut.gguf"
expect_error "(--gguf)" estimate --gguf "$tmp/cut.gguf"
expect_error "/precision/weights (--weights)" estimate --model llama-2-7b --weights Q4_K_X
expect_error "not_a_file" estimate --scenario "$tmp"
expect_error "not_a_file" import-hf-config /dev/zero
{ printf '{"model":'; head -c 75000 /dev/zero | tr '\0' '['; printf '}'; } > "$tmp/deep.json"
expect_error "too_deep" estimate --scenario "$tmp/deep.json"
expect_error "too_deep" sweep --scenario "$tmp/deep.json" --vary batch --values 1
expect_error "too_deep" solve max-batch --scenario "$tmp/deep.json"
head -c 1000000 /dev/zero | tr '\0' '[' > "$tmp/deep_hf.json"
expect_error "too_deep" estimate --hf-config "$tmp/deep_hf.json"
expect_error "too_deep" import-hf-config "$tmp/deep_hf.json"
{ printf '{"model":"llama-2-7b"}'; head -c 10000000 /dev/zero | tr '\0' ' '; } > "$tmp/padded.json"
expect_error "too_large" estimate --scenario "$tmp/padded.json"
echo '{"model":"llama-2-7b","workload":{"batch":2,"batch":4}}' > "$tmp/dup.json"
expect_error "/workload/batch (--batch): key \"batch\" is given twice" estimate --scenario "$tmp/dup.json"
echo '{"model":"llama-2-7b","hardware":{"memory_bytes":null}}' > "$tmp/null.json"
expect_error "/hardware/memory_bytes (--memory-bytes): must be a number, got null" estimate --scenario "$tmp/null.json"
# Invalid UTF-8 in any flag value is an error naming the flag, never an abort.
for flag in --model --gpu --weights --mode --batch; do
  expect_error "invalid_utf8" estimate --model llama-2-7b "$flag" $'\xff\xfe'
done
expect_error "invalid_utf8" sweep --model llama-2-7b --vary gpu --values $'h100-sxm,\xc3'
expect_error "invalid_utf8" export-hf-config --model $'\xe2\x82'
# Unknown ids are echoed escaped: no terminal escape sequence reaches the terminal.
"$cli" estimate --model $'x\e[2Jy' >"$tmp/out" 2>"$tmp/err"
if grep -q $'\e' "$tmp/err"; then echo "FAIL: raw ESC echoed to the terminal"; fail=1; fi
grep -q 'x\\u001b\[2Jy' "$tmp/err" || { echo "FAIL: escaped id not shown"; cat "$tmp/err"; fail=1; }
# Conflicts are errors; inputs that do not apply are notes.
echo '{"model_type":"llama"}' > "$tmp/llama.json"
expect_error "give --model or --hf-config, not both" estimate --model llama-2-7b --hf-config "$tmp/llama.json"
"$cli" estimate --model llama-2-7b --zero 3 --finetune lora --optimizer lion >"$tmp/out" 2>&1
grep -q "/training/zero_stage (--zero) applies only to training" "$tmp/out" || { echo "FAIL: no note for --zero in inference"; fail=1; }
"$cli" estimate --model llama-2-7b --mode training --logits all >"$tmp/out" 2>&1
grep -q "/options/logits (--logits) applies only to inference" "$tmp/out" || { echo "FAIL: no note for --logits in training"; fail=1; }
# The rules-of-thumb method, and its old name.
"$cli" estimate --model llama-2-7b --method seed | head -1 | grep -q "method rules-of-thumb" || { echo "FAIL: seed alias"; fail=1; }
expect_ok schema --json
expect_ok schema --typescript

expect_ok estimate --model llama-2-7b
expect_ok estimate --model deepseek-v3 --gpus 8 --json
expect_ok estimate --model llama-3-8b --mode training --finetune qlora --optimizer adamw-8bit
expect_ok sweep --model llama-2-7b --vary seq --values 512,1024,2048 --mode training
expect_ok solve max-batch --model llama-2-7b --gpu a100-80gb
# plan: the goals' flags name their field; the scenario's errors keep theirs.
expect_error "/goals/min_quality (--min-quality): " plan --model llama-3.1-8b --engine llama.cpp --min-quality Q9
expect_error "/goals/context (--context)" plan --model llama-3.1-8b --context 0x10
expect_error "/goals/weights/0 (--quants)" plan --model llama-3.1-8b --engine vllm --quants Q4_K_M
expect_error "/model (--model)" plan --model llama-9000
expect_ok plan --model llama-3.1-8b --engine llama.cpp --gpu rtx-3060-12gb --context max
expect_ok plan --model llama-3.1-405b --engine ollama --gpu rtx-4060
# The RAM's read efficiency, the user's own (issue 15): in (0, 1], and it moves the offload speed.
expect_error "/hardware/ram_read_efficiency (--ram-read-efficiency)" estimate --model phi-4 --gpu-layers 0 --ram-read-efficiency 0
expect_error "/hardware/ram_read_efficiency (--ram-read-efficiency)" estimate --model phi-4 --gpu-layers 0 --ram-read-efficiency 1.5
expect_error "(--ram-read-efficiency)" estimate --model phi-4 --gpu-layers 0 --ram-read-efficiency nan
expect_ok estimate --model phi-4 --gpu-layers 0 --ram-read-efficiency 0.5
half=$("$cli" estimate --model phi-4 --gpu-layers 0 --ram-read-efficiency 0.5 --json | grep -m1 '"decode_first_s"')
full=$("$cli" estimate --model phi-4 --gpu-layers 0 --ram-read-efficiency 1 --json | grep -m1 '"decode_first_s"')
if [ -z "$half" ] || [ "$half" = "$full" ]; then echo "FAIL: --ram-read-efficiency does not move decode ($half / $full)"; fail=1; fi
# --engine-options: option=value pairs, checked against the engine's own options.
expect_error "/engine_options (--engine-options): must be option=value pairs" estimate --model qwen2.5-0.5b --engine vllm --engine-options max_num_seqs
expect_error "/engine_options/max_num_seqz (--engine-options)" estimate --model qwen2.5-0.5b --engine vllm --engine-options max_num_seqz=3
expect_error "/engine_options/max_num_seqs (--engine-options): must be a whole number" estimate --model qwen2.5-0.5b --engine vllm --engine-options max_num_seqs=3.5
"$cli" estimate --model qwen2.5-0.5b --engine vllm --gpu rtx-4090 --engine-options gpu_memory_utilization=0.85,max_num_seqs=32 |
  grep -q -- "--gpu-memory-utilization 0.85 --max-num-seqs 32" || { echo "FAIL: --engine-options do not reach the command"; fail=1; }
expect_ok list models
expect_ok list gpus --json
for sub in estimate list sweep solve plan export-hf-config import-hf-config; do expect_ok $sub --help; done
expect_ok --help

exit $fail
