#!/bin/sh
# Runs vramfit with --format json for every command and the shapes the golden
# cases do not cover (list models/gpus/quants, engines, GPU groups, offload,
# HF configs, GGUF files, verify logs), then validates every document against
# the schema.
#
# Usage: cli_outputs.sh VRAMFIT DATA_DIR SCHEMA [PYTHON]
#   DATA_DIR: a copy of tests/data with the generated GGUF files in models/
#             (the golden cases' work directory, build/tests/golden-work).
#   PYTHON:   the interpreter with jsonschema (default python3).
# Exit: 0 all valid; 1 a document is invalid or a command failed; 2 usage or
# jsonschema missing (validate.py's codes).
set -u

if [ $# -lt 3 ]; then
  echo "usage: cli_outputs.sh VRAMFIT DATA_DIR SCHEMA [PYTHON]" >&2
  exit 2
fi
vramfit=$1
data=$2
schema=$3
python=${4:-python3}
here=$(cd "$(dirname "$0")" && pwd)
case $vramfit in /*) ;; *) vramfit=$(pwd)/$vramfit ;; esac
case $schema in /*) ;; *) schema=$(pwd)/$schema ;; esac

out=$(mktemp -d "${TMPDIR:-/tmp}/vramfit-schema.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT INT TERM
cd "$data" || exit 2

failed=0
n=0
# run NAME ARGS...: stdout to $out/NAME.json; exit 0 (fits/ok) and 1 (does not
# fit / out of range) are both documents; anything else is a failure.
run() {
  name=$1
  shift
  n=$((n + 1))
  env -u VRAMFIT_CATALOG -u XDG_CONFIG_HOME HOME=/nonexistent NO_COLOR=1 LC_ALL=C \
    "$vramfit" "$@" --format json >"$out/$name.json" 2>"$out/$name.err"
  code=$?
  if [ $code -gt 1 ] || [ ! -s "$out/$name.json" ]; then
    echo "$name: vramfit $* exited $code:" >&2
    cat "$out/$name.err" >&2
    rm -f "$out/$name.json"
    failed=1
  fi
}

C="--no-builtin-catalog --catalog catalog.json"
# shellcheck disable=SC2086 # $C is two options on purpose
{
  run list-models list models
  run list-models-user $C list models
  run list-models-fits list models --fits rtx4090 --context 32k
  run list-models-arch list models --arch gemma3
  run list-gpus list gpus
  run list-gpus-min list gpus --min-memory 24GiB
  run list-quants list quants
  run list-cache-types list cache-types
  run fit-default $C --model qwen3-8b --gpu rtx3090
  run fit-matrix $C --model qwen3.6-35b-a3b --gpu rtx4090,rtx3090,m4-pro-24gb --cache-type q8_0
  run fit-group $C --model gemma-3-27b --gpu 2xrtx3090 --context 32k --ram 64GiB
  run fit-split $C --model gemma-3-27b --gpu rtx3090+rtx5070 --quant Q4_K_M
  run fit-rocm $C --model gpt-oss-20b --gpu rx7900xtx
  run fit-ollama $C --model qwen3-8b --gpu rtx3090 --engine ollama
  run fit-vllm $C --model qwen3-8b --gpu rtx3090 --engine vllm
  run fit-server $C --model qwen3-8b --gpu rtx3090 --engine llama-server --quant Q4_K_M --parallel 4 --kv-unified
  run fit-wired $C --model qwen3-8b --gpu m4-pro-24gb --wired-limit-mb 20000
  run fit-ngl $C --model qwen3-8b --gpu rtx3090 --quant Q8_0 --ngl 20
  run fit-cpu $C --model qwen3-8b --gpu rtx3090 --quant Q4_K_M --ngl 0
  run fit-warnings $C --model qwen3-8b --gpu rtx3090 --quant Q4_K_M --context 128k --n-cpu-moe 3 --wired-limit-mb 1000
  run fit-hf --hf-config hf/glm-4.5-air.json --quant Q4_K_M --gpu rtx3090
  run fit-hf-hybrid --hf-config hf/qwen3-next-80b-a3b.json --quant Q4_K_M --gpu 2xrtx3090 --ram 64GiB --host-cpu amx
  run fit-hf-mamba --hf-config hf/mamba2.json --quant Q8_0 --gpu rtx4090
  run fit-gguf --gguf models/Qwen3-8B-Q4_K_M.gguf --gpu rtx4060ti-16gb --context 32k
  run fit-gguf-moe --gguf models/Qwen3.6-35B-A3B-Q4_K_M.gguf --gpu rtx3090,rtx4090 --context 32k
  run check-fits $C check --model qwen3-8b --gpu rtx5070 --quant Q4_K_M --context 32k
  run check-matrix $C check --model qwen3-8b --gpu rtx5070,rtx3090 --quant Q4_K_M,Q8_0 --context 8k,32k
  run check-gguf check --gguf models/Qwen3-8B-Q4_K_M.gguf --gpu rtx3090
  run max-context $C max-context --model qwen3.6-35b-a3b --gpu rtx4090
  run max-context-matrix $C max-context --model qwen3-8b --gpu rtx4090,rtx3090 --quant Q4_K_M,Q8_0
  run max-context-gguf max-context --gguf models/Qwen3-8B-Q4_K_M.gguf --gpu rtx4090
  run inspect-dense inspect models/Qwen3-8B-Q4_K_M.gguf
  run inspect-hybrid inspect models/Qwen3.6-35B-A3B-Q4_K_M.gguf
  run inspect-split inspect models/gpt-oss-20b-mxfp4-00001-of-00003.gguf
  run verify-cuda verify logs/c09_qwen36_27b_mtp_rtx5090.log
  run verify-vulkan verify logs/c05_gptoss20b_vulkan_m2pro_ncmoe.log --gguf models/gpt-oss-20b-mxfp4-00001-of-00003.gguf --n-cpu-moe 14
  run verify-metal verify logs/c16_gptoss20b_metal_m5_131k.log
  run verify-cpu verify logs/n01_pythia14b_q40_amx_cpu_ggmlci.log
  run verify-2gpu verify logs/c15_qwen3_30b_a3b_q4km_2gpu_otexps.log
  run verify-mismatch $C verify logs/c18_qwen3_8b_rocm_gfx906_q40kv.log --model qwen3-8b --context 4096 --cache-type q4_0 --flash-attn on
}

echo "ran $n commands"
set -- "$out"/*.json
if [ -e "$1" ]; then
  "$python" "$here/validate.py" "$schema" "$@"
  code=$?
  if [ $code -ne 0 ]; then
    exit $code
  fi
fi
exit $failed
