#!/usr/bin/env bash
# Sources the generated bash completion and completes a few words the way
# bash does, with the built vramfit first on PATH (its catalog ids complete).
# Usage: completion.sh VRAMFIT_DIR COMPLETION_FILE
set -u
PATH="$1:$PATH"
# shellcheck source=/dev/null
source "$2"
failed=0
expect() {  # expect "words..." "a wanted completion"
  local want=$2
  read -r -a COMP_WORDS <<< "$1"
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _vramfit
  local got=" ${COMPREPLY[*]} "
  if [[ $got != *" $want "* ]]; then
    echo "FAIL: '$1' should offer '$want', got:${got:0:200}"
    failed=1
  else
    echo "ok: '$1' offers '$want' (${#COMPREPLY[@]} candidates)"
  fi
}
expect "vramfit --gpu rtx30" rtx3090
expect "vramfit --gpu rtx30" rtx3060-12gb
expect "vramfit --model qwen3.6" qwen3.6-35b-a3b
expect "vramfit --quant Q4_K" Q4_K_M
expect "vramfit --format j" json
expect "vramfit ch" check
expect "vramfit check --cont" --context
expect "vramfit catalog a" add
expect "vramfit catalog add --from" --from-gguf
expect "vramfit list g" gpus
expect "vramfit max-context --cache-type q8" q8_0
# Nothing that is not a GPU: a model id does not complete --gpu.
read -r -a COMP_WORDS <<< "vramfit --gpu qwen3"
COMP_CWORD=2
COMPREPLY=()
_vramfit
if [ ${#COMPREPLY[@]} -ne 0 ]; then
  echo "FAIL: --gpu offered model ids: ${COMPREPLY[*]}"
  failed=1
fi
exit $failed
