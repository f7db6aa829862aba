#!/usr/bin/env bash
# scripts/format.sh — formats the C, CUDA and header files by .clang-format;
# --check changes nothing and fails (exit 1) naming each file that differs.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=-i
[[ ${1:-} == --check ]] && mode="--dry-run -Werror"
command -v clang-format >/dev/null || { echo "format.sh: clang-format not found (apt-get install clang-format)" >&2; exit 1; }
mapfile -t files < <(git ls-files 'src/*.c' 'src/*.h' 'src/*.cu' 'include/*.h' 'tests/*.c' 'tests/*.h' 'tests/*.cu' 'bench/*.c' 'bench/*.h')
# shellcheck disable=SC2086
clang-format $mode "${files[@]}"
