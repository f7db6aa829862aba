#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, docs/fuzzing.md) with clang, ASan
# and UBSan in build-fuzz/ and runs each for SECONDS (default 20) over a copy
# of its seed corpus, so the repository is not modified. Fails on any crash,
# sanitizer report, leak, timeout (10 s per input) or out-of-memory (2 GB);
# the input that did it is kept in build-fuzz/artifacts/<target>/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: xyz eam sw spec suite
#                                             result_json h5_results ipi (default all)
set -euo pipefail
source "$(dirname "$0")/env.sh"
secs=${1:-20}
shift || true
"$MDB_ROOT/scripts/deps.sh" --test
dir="$MDB_ROOT/build-fuzz"
CC=clang cmake -S "$MDB_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMDBENCH_CUDA=OFF -DMDBENCH_FUZZ=ON \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$dir" --target fuzz -j "$JOBS" >/dev/null
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for d in "$MDB_ROOT"/tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp -R "$MDB_ROOT/tests/fuzz/corpus/$t/." "$work/$t/corpus/"
  start=$SECONDS
  if "$dir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" >"$work/$t/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
    echo "fuzz_$t: ok, ${runs:-?} inputs in $((SECONDS - start)) s"
  else
    echo "fuzz_$t: FAILED after $((SECONDS - start)) s; the end of its log:"
    tail -n 60 "$work/$t/log"
    mkdir -p "$dir/artifacts/$t"
    cp -R "$work/$t/artifacts/." "$dir/artifacts/$t/"
    echo "fuzz_$t: the input is in $dir/artifacts/$t/ (reproduce: $dir/tests/fuzz/fuzz_$t FILE)"
    failed+=("$t")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
