#!/usr/bin/env bash
# Installs what is missing, builds mdbench (Release) and runs the main job:
# one benchmark case on this machine's CPU. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$MDB_ROOT/scripts/deps.sh"
cmake -S "$MDB_ROOT" -B "$MDB_ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$MDB_ROOT/build" -j "$JOBS" --target mdbench
mkdir -p "$MDB_ROOT/results"
out="$MDB_ROOT/results/quickstart.json"
"$MDB_ROOT/build/mdbench" run --system argon --atoms 256 --steps 2000 --output "$out"
echo
echo "Full result (latency distribution, thermo and memory samples): $out"
echo "Try: build/mdbench run --help"
