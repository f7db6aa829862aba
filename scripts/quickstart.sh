#!/usr/bin/env bash
# Installs what is missing, builds mdbench (Release) and the example plugin
# (build/examples/plugins/libmorse.so, which the README uses), and runs the main job:
# the quick suite under mpirun on this machine's cores (CPU). Safe to run
# again: each run writes a new results directory.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$MDB_ROOT/scripts/deps.sh"
cmake -S "$MDB_ROOT" -B "$MDB_ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$MDB_ROOT/build" -j "$JOBS" --target mdbench mdbench-suite morse
out="$MDB_ROOT/results/quick-$(date -u +%Y%m%dT%H%M%SZ)"
mpirun -n "$JOBS" "$MDB_ROOT/build/mdbench-suite" quick --output "$out"
echo
echo "One case at a time: build/mdbench run --help; a whole suite: build/mdbench-suite --help"
