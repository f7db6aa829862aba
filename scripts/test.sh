#!/usr/bin/env bash
# Installs what is missing (LAMMPS and ASE too, for the cross-checks), builds
# and runs the whole test suite through CTest. Safe to run again.
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$MDB_ROOT/scripts/deps.sh" --test
dir="$MDB_ROOT/build" args=(-DCMAKE_BUILD_TYPE=Release)
if [[ "${1:-}" == "--sanitize" ]]; then
  dir="$MDB_ROOT/build-asan" args=(-DCMAKE_BUILD_TYPE=Debug -DMDBENCH_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S "$MDB_ROOT" -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j "$JOBS"
ctest --test-dir "$dir" --output-on-failure -j "$JOBS"
