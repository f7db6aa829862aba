#!/usr/bin/env bash
# mdbench-suite end to end, under mpirun:
#  1. the quick suite on 1, 2 and 3 ranks gives the same cases with identical
#     energies per case (bit for bit);
#  2. kill -9 of one rank mid-way, then --resume: every case complete, and
#     the case files finished before the kill unchanged byte for byte;
#  3. a directory that holds results is refused without --resume; malformed
#     suites list every problem, exit 2 and create nothing.
# Usage: suite_runner.sh MDBENCH_SUITE PYTHON SOURCE_DIR
set -u
SUITE_BIN=$1 PY=$2 SRC=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# one machine: keep Open MPI off the network interfaces and quiet
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_base_warn_component_unused=0
tmp=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
run() { mpirun -n "$1" "$SUITE_BIN" "${@:2}"; }

# 1. rank counts
for n in 1 2 3; do
  if run "$n" quick -o "$tmp/q$n" --quiet; then ok; else no "quick on $n ranks exited $?"; fi
done
if "$PY" "$SRC/tests/peers/suite_results_check.py" same "$tmp/q1" "$tmp/q2" "$tmp/q3"; then ok; else no "rank counts disagree"; fi

# 2. kill -9 one rank mid-way, then resume
suite="$SRC/tests/suites/kill_resume.json"
run 2 "$suite" -o "$tmp/k" --quiet >"$tmp/k.log" 2>&1 &
mpirun_pid=$!
for _ in $(seq 1 600); do # up to 60 s for the first finished case
  compgen -G "$tmp/k/cases/*.json" >/dev/null && break
  sleep 0.1
done
victim=$(pgrep -f "mdbench-suite $suite" | head -n 1)
if [[ -n $victim ]]; then kill -9 "$victim"; fi
wait "$mpirun_pid" 2>/dev/null
for _ in $(seq 1 100); do # the other rank may outlive mpirun for a moment
  pgrep -f "mdbench-suite $suite" >/dev/null || break
  sleep 0.1
done
ndone=$(compgen -G "$tmp/k/cases/*.json" | wc -l)
if [[ -n $victim && $ndone -ge 1 && $ndone -lt 8 && ! -e $tmp/k/results.h5 ]]; then ok; else
  no "kill test did not stop mid-way (victim '$victim', $ndone of 8 cases done, results.h5 $([[ -e $tmp/k/results.h5 ]] && echo present || echo absent))"
fi
(cd "$tmp/k/cases" && sha256sum -- *.json *.h5 | sort -k2 >"$tmp/before.sha")
if run 2 "$suite" -o "$tmp/k" --quiet >/dev/null 2>&1; then no "a second run into $tmp/k was not refused"; else ok; fi
if run 2 "$suite" --resume "$tmp/k" >"$tmp/resume.log" 2>&1; then ok; else no "resume exited $?: $(tail -n 3 "$tmp/resume.log")"; fi
grep -q "($((8 - ndone)) to run, $ndone already done)" "$tmp/resume.log" && ok || no "resume did not rerun exactly the $((8 - ndone)) missing cases: $(head -n 1 "$tmp/resume.log")"
(cd "$tmp/k/cases" && sha256sum -c --quiet "$tmp/before.sha") && ok || no "case files finished before the kill changed on resume"
if "$PY" "$SRC/tests/peers/suite_results_check.py" complete "$tmp/k" 8; then ok; else no "resumed results incomplete"; fi

# 3. bad suites: all problems listed, exit 2, nothing created
for f in "$SRC"/tests/suites/{bad_json,truncated_json,unknown_keys,wrong_types,impossible_sizes,unknown_names}.json; do
  out="$tmp/bad_$(basename "$f" .json)"
  "$SUITE_BIN" "$f" -o "$out" >"$tmp/bad.out" 2>"$tmp/bad.err"
  rc=$?
  if [[ $rc -eq 2 && ! -e $out ]] && grep -q "$(basename "$f")" "$tmp/bad.err"; then ok; else
    no "$(basename "$f"): exit $rc (want 2), output $([[ -e $out ]] && echo created || echo absent): $(head -c 300 "$tmp/bad.err")"
  fi
done
"$SUITE_BIN" no_such_suite >/dev/null 2>"$tmp/bad.err"
[[ $? -eq 2 ]] && grep -q "quick, baseline, comprehensive" "$tmp/bad.err" && ok || no "unknown suite name: $(cat "$tmp/bad.err")"
"$SUITE_BIN" quick --filter system=graphite >/dev/null 2>"$tmp/bad.err"
[[ $? -eq 2 ]] && ok || no "a filter matching nothing: $(cat "$tmp/bad.err")"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
