#!/usr/bin/env bash
# mdbench regress and mdbench analyze end to end, on a real baseline:
#  1. tests/regress/regress_suite.json (argon 108/256 and copper 108, 400
#     steps, and one case that blows up) run by mdbench-suite as the baseline;
#  2. current runs synthesised from it with h5py (synth.py): x1.20 is a
#     regression (exit 1, every case named), 2 % jitter (each step
#     x U(0.98, 1.02), and x1.02 overall) is not (exit 0), x0.8 is an
#     improvement (exit 0), the run against itself gives ratios of exactly 1,
#     a dropped case is listed, another device is refused (exit 2) and
#     compared with --allow-device-mismatch; case JSON files and a directory
#     of them load too, `mdbench run` JSON matches by parameters;
#  3. analyze: the csv rows equal /summary, sorting, an unknown column, the
#     failed case, one case's summary; bad inputs;
#  4. scripts/check_performance_regression.sh (the guide's CI step).
# Usage: regress_cli.sh MDBENCH MDBENCH_SUITE PYTHON SOURCE_DIR
set -u
MDB=$1 SUITE=$2 PY=$3 SRC=$4
"$PY" -c "import h5py, numpy" 2>/dev/null || { echo "numpy/h5py missing: skipped"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader \
  OMPI_MCA_btl_base_warn_component_unused=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
synth() { "$PY" "$SRC/tests/regress/synth.py" "$@"; }
# expect CODE DESCRIPTION -- command...: runs it (stdout/stderr to $tmp/out, $tmp/err)
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [[ $rc -eq $want ]]; then ok; else
    no "$what: exit $rc, expected $want"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" >&2
  fi
}
has() { # has FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else no "$3: '$2' not in $(basename "$1")"; sed 's/^/  | /' "$1" >&2; fi
}

# ------------------------------------------------------------- the baseline
"$SUITE" "$SRC/tests/regress/regress_suite.json" -o "$tmp/base" --quiet >"$tmp/suite.log" 2>&1
rc=$?
if [[ $rc -eq 1 && -f $tmp/base/results.h5 ]]; then ok; else
  no "baseline suite: exit $rc (expected 1: one case blows up)"
  cat "$tmp/suite.log" >&2
  exit 1
fi
ids="argon_108_NVE_lj_cpu argon_256_NVE_lj_cpu copper_108_NVE_eam_cpu"
bad_id=argon_32_NVE_lj_cpu

# ------------------------------------------------------------- regress
R() { "$MDB" regress "$@"; }
expect 0 "regress against itself" -- R --baseline "$tmp/base" --current "$tmp/base" --output "$tmp/self.json"
synth check-report "$tmp/self.json" self "$bad_id=not_comparable" && ok || no "self report"
has "$tmp/out" "NOT_COMPARABLE" "self: the failed case is not comparable"

synth scale "$tmp/base" "$tmp/slow" 1.20
expect 1 "x1.20 slowdown" -- R --baseline "$tmp/base" --current "$tmp/slow" --threshold 1.10 --output "$tmp/slow.json"
for id in $ids; do has "$tmp/out" "$id" "x1.20: case named"; done
has "$tmp/out" "3 regression(s)" "x1.20: three regressions"
synth check-report "$tmp/slow.json" slow && ok || no "slow report"

synth scale "$tmp/base" "$tmp/jitter" 1.02 --jitter 0.02 --seed 5
expect 0 "2 % jitter" -- R --baseline "$tmp/base" --current "$tmp/jitter" --output "$tmp/jitter.json"
synth check-report "$tmp/jitter.json" jitter && ok || no "jitter report"

synth scale "$tmp/base" "$tmp/fast" 0.8
expect 0 "x0.8 speed-up" -- R --baseline "$tmp/base" --current "$tmp/fast" --output "$tmp/fast.json"
has "$tmp/out" "IMPROVEMENT" "x0.8: improvement shown"
synth check-report "$tmp/fast.json" fast && ok || no "fast report"

synth scale "$tmp/base" "$tmp/missing" 1.0
synth drop "$tmp/missing" argon_256_NVE_lj_cpu
expect 0 "a case missing from the current run" -- R --baseline "$tmp/base" --current "$tmp/missing" \
  --output "$tmp/missing.json"
has "$tmp/out" "only in the baseline (1, not compared): argon_256_NVE_lj_cpu" "missing case listed"
synth check-report "$tmp/missing.json" self "argon_256_NVE_lj_cpu=baseline_only" && ok || no "missing report"
expect 0 "a case only in the current run" -- R --baseline "$tmp/missing" --current "$tmp/base"
has "$tmp/out" "only in the current run (1, not compared): argon_256_NVE_lj_cpu" "extra case listed"

synth scale "$tmp/base" "$tmp/device" 1.0
synth device "$tmp/device" copper_108_NVE_eam_cpu "Imaginary CPU 9000"
rm -f "$tmp/dev.json"
expect 2 "another device model" -- R --baseline "$tmp/base" --current "$tmp/device" --output "$tmp/dev.json"
has "$tmp/err" "copper_108_NVE_eam_cpu" "device refusal names the case"
has "$tmp/err" "Imaginary CPU 9000" "device refusal names the device"
has "$tmp/err" "--allow-device-mismatch" "device refusal names the way out"
[[ ! -e $tmp/dev.json ]] && ok || no "refused comparison wrote its report"
expect 0 "another device, allowed" -- R --baseline "$tmp/base" --current "$tmp/device" --allow-device-mismatch
has "$tmp/out" "different device" "allowed mismatch is noted"

# case JSON files, a directory of them, `mdbench run` JSON
synth scale-json "$tmp/base/cases/copper_108_NVE_eam_cpu.json" "$tmp/cu_slow.json" 1.2
expect 1 "case JSON x1.20" -- R --baseline "$tmp/base/cases/copper_108_NVE_eam_cpu.json" --current "$tmp/cu_slow.json"
has "$tmp/out" "REGRESSION" "case JSON regression"
mkdir -p "$tmp/jdir/cases"
cp "$tmp/base/cases/"*.json "$tmp/jdir/cases/"
cp "$tmp/base/summary.jsonc" "$tmp/jdir/summary.json"  # the name before 0.1: still skipped
expect 0 "a directory of case JSON against its HDF5" -- R --baseline "$tmp/jdir" --current "$tmp/base"
has "$tmp/err" "skipped $tmp/jdir/summary.json" "summary.json skipped with a note"
has "$tmp/out" "3 unchanged, 1 not comparable" "JSON and HDF5 agree"
"$MDB" run --system argon --atoms 108 --steps 300 --quiet --output "$tmp/run1.json"
synth scale-json "$tmp/run1.json" "$tmp/run1_slow.json" 1.2
expect 1 "mdbench run JSON x1.20 (matched by parameters)" -- R --baseline "$tmp/run1.json" --current "$tmp/run1_slow.json"
has "$tmp/out" "matched by parameters" "run JSON matched by parameters"

# bad input
expect 3 "missing baseline" -- R --baseline "$tmp/nope" --current "$tmp/base"
has "$tmp/err" "$tmp/nope" "missing path named"
echo '{"schema": "mdbench-case/1", "status": ' >"$tmp/broken.json"
expect 2 "malformed JSON" -- R --baseline "$tmp/broken.json" --current "$tmp/base"
has "$tmp/err" "malformed JSON" "malformed JSON said"
echo '{"hello": 1}' >"$tmp/other.json"
expect 2 "not a results file" -- R --baseline "$tmp/other.json" --current "$tmp/base"
expect 2 "suite summary given as a case" -- R --baseline "$tmp/base/summary.jsonc" --current "$tmp/base"
has "$tmp/err" "give its directory" "summary.json points to its directory"
expect 2 "threshold below 1" -- R --baseline "$tmp/base" --current "$tmp/base" --threshold 0.9
expect 2 "no --current" -- R --baseline "$tmp/base"
expect 2 "unknown option" -- R --baseline "$tmp/base" --current "$tmp/base" --treshold 1.1
expect 2 "unknown --gate metric" -- R --baseline "$tmp/base" --current "$tmp/base" --gate median_ms,p90_ms
has "$tmp/err" "p90_ms" "unknown gate metric named"
expect 1 "--gate median_ms on x1.20" -- R --baseline "$tmp/base" --current "$tmp/slow" --gate median_ms
has "$tmp/out" "gating metrics: median_ms (marks in parentheses" "gate shown"
expect 3 "--output into a missing directory" -- R --baseline "$tmp/base" --current "$tmp/base" --output "$tmp/no/r.json"

# ------------------------------------------------------------- analyze
A() { "$MDB" analyze "$@"; }
expect 0 "analyze csv" -- A "$tmp/base" --format csv
cp "$tmp/out" "$tmp/a.csv"
synth check-csv "$tmp/base/results.h5" "$tmp/a.csv" && ok || no "analyze csv vs /summary"
expect 0 "analyze table" -- A "$tmp/base"
has "$tmp/out" "failed" "failed case shown"
grep "$bad_id" "$tmp/out" | grep -q -- " - " && ok || no "failed case's missing numbers shown as -"
for col in p99_ms median_ms steps_per_second n_atoms; do
  A "$tmp/base" --format csv --sort "$col" >"$tmp/s.csv" && synth check-sorted "$tmp/s.csv" "$col" asc && ok ||
    no "sort $col"
  A "$tmp/base" --format csv --sort "$col" --reverse >"$tmp/s.csv" &&
    synth check-sorted "$tmp/s.csv" "$col" desc && ok || no "sort $col --reverse"
done
expect 2 "unknown sort column" -- A "$tmp/base" --sort p99
has "$tmp/err" "unknown --sort column 'p99'" "unknown column named"
has "$tmp/err" "p99_ms" "valid columns listed"
expect 0 "analyze one case JSON" -- A "$tmp/base/cases/copper_108_NVE_eam_cpu.json"
has "$tmp/out" "latency     mean" "one case: the run summary"
expect 0 "analyze a failed case JSON" -- A "$tmp/base/cases/$bad_id.json"
has "$tmp/out" "FAILED at step" "one failed case"
expect 0 "analyze json" -- A "$tmp/base" --format json
"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['cases'])==4, d" "$tmp/out" && ok ||
  no "analyze json parses"
expect 0 "analyze a directory of JSON" -- A "$tmp/jdir" --format csv
expect 2 "analyze bad format" -- A "$tmp/base" --format xml
expect 3 "analyze missing path" -- A "$tmp/nope"
expect 2 "analyze not results" -- A "$tmp/other.json"

# ------------------------------------------------------------- the CI script
CI="$SRC/scripts/check_performance_regression.sh"
export MDBENCH="$MDB"
expect 1 "CI script on x1.20" -- bash "$CI" --current "$tmp/slow" --baseline "$tmp/base" --threshold 1.1
has "$tmp/out" "REGRESSION" "CI script shows the table"
expect 0 "CI script on jitter" -- bash "$CI" --current "$tmp/jitter" --baseline "$tmp/base" --threshold 1.1 \
  --report "$tmp/ci.json"
[[ -s $tmp/ci.json ]] && ok || no "CI script --report wrote nothing"
expect 2 "CI script without --baseline" -- bash "$CI" --current "$tmp/jitter"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
