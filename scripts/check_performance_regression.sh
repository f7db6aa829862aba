#!/usr/bin/env bash
# check_performance_regression.sh — the CI step of the reference guide
# ("Integration with CI"), as a thin wrapper over `mdbench regress`.
#
#   scripts/check_performance_regression.sh --current results/ci_benchmark \
#       --baseline results/baseline_benchmark --threshold 1.1
#
# --current/--baseline: result directories (mdbench-suite -o DIR), results
# .h5 files or case JSON files. --threshold: the slowdown ratio allowed
# (1.1 = 10 %). Also passed through: --alpha A, --gate LIST, --allow-device-mismatch,
# --report FILE.json (or --output FILE.json): the verdicts as JSON.
# The statistics and the verdicts are described in docs/regress.md.
#
# Exit codes (those of mdbench regress): 0 no regression, 1 a regression,
# 2 bad input (including results from another device), 3 unreadable files.
# mdbench is $MDBENCH, else build/mdbench of this repository, else the one
# on PATH.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mdb=${MDBENCH:-}
if [[ -z $mdb ]]; then
  if [[ -x $here/../build/mdbench ]]; then mdb=$here/../build/mdbench
  else mdb=$(command -v mdbench || true); fi
fi
if [[ -z $mdb ]]; then
  echo "check_performance_regression: error: mdbench not found (build it, put it on PATH or set MDBENCH)" >&2
  exit 2
fi
args=()
while [[ $# -gt 0 ]]; do
  case $1 in
  --current | --baseline | --threshold | --alpha | --gate)
    [[ $# -ge 2 ]] || { echo "check_performance_regression: error: $1 needs a value" >&2; exit 2; }
    args+=("$1" "$2"); shift 2 ;;
  --current=* | --baseline=* | --threshold=* | --alpha=* | --gate=*) args+=("$1"); shift ;;
  --report | --output)
    [[ $# -ge 2 ]] || { echo "check_performance_regression: error: $1 needs a value" >&2; exit 2; }
    args+=(--output "$2"); shift 2 ;;
  --report=* | --output=*) args+=(--output "${1#*=}"); shift ;;
  --allow-device-mismatch) args+=("$1"); shift ;;
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
  *)
    echo "check_performance_regression: error: unknown argument '$1' (valid: --current DIR --baseline DIR" \
      "[--threshold 1.1] [--alpha 0.01] [--gate LIST] [--allow-device-mismatch] [--report FILE.json])" >&2
    exit 2 ;;
  esac
done
exec "$mdb" regress "${args[@]}"
