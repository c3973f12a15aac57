#!/usr/bin/env sh
# Process time of whole command lines (start-up, catalog, report, output), the
# median of N runs: a single query and the deepseek-v3 sweep of the redesign.
#   bench/process.sh [BUILD_DIR] [N]
set -eu
build=${1:-build}
n=${2:-20}
vramfit="$build/vramfit"
gpus=$("$vramfit" list gpus -f csv | tail -n +2 | cut -d, -f1 | paste -sd, -)
median() {
  label=$1
  shift
  times=""
  i=0
  while [ "$i" -lt "$n" ]; do
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    times="$times $(((end - start) / 1000))"
    i=$((i + 1))
  done
  printf '%-60s median %8.1f ms (n=%d)\n' "$label" \
    "$(printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1000}')" "$n"
}
median "vramfit --model qwen3.6-35b-a3b --gpu rtx3090" "$vramfit" --model qwen3.6-35b-a3b --gpu rtx3090
median "vramfit check ... (one verdict)" "$vramfit" check --model qwen3-8b --gpu rtx3060-12gb --quant Q4_K_M --context 32k
median "deepseek-v3 x all GPUs x all quants x 8 contexts, csv" \
  "$vramfit" --model deepseek-v3 --gpu "$gpus" --all-quants -c 4k,8k,16k,32k,64k,128k,256k,native --no-ladder -f csv
