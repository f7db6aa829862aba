#!/usr/bin/env bash
# The bash completion (scripts/completion/mdbench.bash, as installed): sourced
# in bash, simulated TABs (COMP_WORDS/COMP_CWORD, then the completion
# function) give the expected words.
#   usage: completion_check.sh COMPLETION_FILE BIN_DIR (with mdbench, mdbench-suite)
set -u
source "$1" || { echo "FAIL: sourcing $1"; exit 1; }
PATH=$(cd "$2" && pwd):$PATH
cd "$(mktemp -d)" || exit 1
trap 'rm -rf "$PWD"' EXIT
touch box.xyz other.txt mine.json
nfail=0
# expect "WORDS..." "WANT" : completing the last word of WORDS gives exactly WANT (sorted)
expect() {
  local line=$1 want=$2
  read -r -a COMP_WORDS <<<"$line"
  [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  local fn=_mdbench
  [[ ${COMP_WORDS[0]} == mdbench-suite ]] && fn=_mdbench_suite
  COMPREPLY=()
  $fn
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
  if [[ $got == "$want" ]]; then
    echo "ok   '$line<TAB>' -> $got"
  else
    echo "FAIL '$line<TAB>' -> '$got', want '$want'"
    nfail=$((nfail + 1))
  fi
}
expect "mdbench r" "regress run"
expect "mdbench " "--help --version analyze compare eval list regress run"
expect "mdbench c" "compare"
expect "mdbench list s" "suites systems"
expect "mdbench run --sy" "--system"
expect "mdbench run --st" "--steps"
expect "mdbench run --system c" "copper"
expect "mdbench run --system " "aluminum argon box.xyz copper silicon water"
expect "mdbench run --calculator e" "eam"
expect "mdbench run --protocol N" "NPT NVE NVT"
expect "mdbench run --device " "auto cpu cuda"
expect "mdbench run --thermostat l" "langevin"
expect "mdbench compare --calc" "--calculators"
expect "mdbench run --steps " ""
expect "mdbench-suite q" "quick"
expect "mdbench-suite " "baseline comprehensive mine.json quick"
expect "mdbench-suite quick --dry" "--dry-run"
expect "mdbench-suite quick --device c" "cpu cuda"
expect "mdbench-suite quick --template gpu" "gpu-node gpu-nodes"
expect "mdbench-suite quick --launcher " "mpirun srun"
[[ $nfail -eq 0 ]] || { echo "$nfail completion(s) wrong"; exit 1; }
echo "completion check passed"
