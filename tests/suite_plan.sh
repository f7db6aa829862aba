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
# Open MPI's MPI_Init leaks by design (strings of unloaded plugins): no leak
# check for mdbench-suite under ASan (as tests/CMakeLists.txt does); mdbench
# itself keeps it
nolsan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
count() { sed -n 's/^suite [^ ]*: \([0-9]*\) cases*$/\1/p' "$1"; }
flagged() { grep -c 'sized for a GPU, runs on the CPU$' "$1"; }
# "812 ms" / "14.2 s" / "3.4 min" / "2.9 h" / "1.2 d" -> seconds
secs() { awk -v v="$1" -v u="$2" 'BEGIN { f = u == "ms" ? 1e-3 : u == "s" ? 1 : u == "min" ? 60 : u == "h" ? 3600 : 86400; print v * f }'; }

# ---- 1. filters before the move
cpu_cases=$("$MDB" list suites | awk '$1 == "comprehensive" {print $2}')
ASAN_OPTIONS=$nolsan "$SUITE" comprehensive --dry-run --filter device=cpu >"$tmp/c.out" 2>&1
n=$(count "$tmp/c.out")
if [[ -n $cpu_cases && $n == "$cpu_cases" ]] && ! grep -q '_cuda ' "$tmp/c.out" && [[ $(flagged "$tmp/c.out") == 0 ]]; then ok
else bad "comprehensive --filter device=cpu: $n cases (the suite has ${cpu_cases:-?} cpu cases), $(flagged "$tmp/c.out") flagged"; fi

expect_plan() { # ARGS... -- CASES FLAGGED
  local want_n=${*: -2:1} want_f=${*: -1}
  ASAN_OPTIONS=$nolsan "$SUITE" "$EST" --dry-run "${@:1:$#-2}" >"$tmp/p.out" 2>&1
  local rc=$? n f
  n=$(count "$tmp/p.out")
  f=$(flagged "$tmp/p.out")
  [[ $rc == 0 && $n == "$want_n" && $f == "$want_f" ]] && ok ||
    bad "estimate.json --dry-run ${*:1:$#-2}: exit $rc, $n cases (want $want_n), $f flagged (want $want_f)"
}
expect_plan --device cpu 5 2
grep -q 'notice: --device cpu: 2 case(s) moved to cpu, 2 dropped as duplicates' "$tmp/p.out" && ok ||
  bad "the move is not said: $(head -1 "$tmp/p.out")"
expect_plan --device cpu --filter device=cpu 3 0
expect_plan --device cpu --filter device=cuda 4 4
grep -q 'notice: --device cpu: 4 case(s) moved to cpu, 0 dropped' "$tmp/p.out" && ok ||
  bad "--filter device=cuda --device cpu: $(head -1 "$tmp/p.out")"

# ---- 2. the estimate against a real run
ASAN_OPTIONS=$nolsan "$SUITE" "$EST" --dry-run --device cpu >"$tmp/plan.out" 2>&1 || bad "dry run exits $?"
grep -Eq '^ +# +case +estimate s ' "$tmp/plan.out" && ok || bad "the plan has no 'estimate s' column"
read -r tv tu < <(sed -n 's/^estimate: total \([0-9.]*\) \([a-z]*\) of case time.*/\1 \2/p' "$tmp/plan.out")
total=$(secs "${tv:-0}" "${tu:-s}")
sum=$(awk '$2 ~ /_cpu$/ && $4 == "calib" {s += $3} END {print s + 0}' "$tmp/plan.out")
awk -v a="$total" -v b="$sum" 'BEGIN { exit !(a > 0 && (a - b) / a < 0.01 && (b - a) / a < 0.01) }' && ok ||
  bad "the total ($total s) is not the sum of the cases ($sum s)"
ASAN_OPTIONS=$nolsan "$SUITE" "$EST" --device cpu -o "$tmp/run" --quiet >/dev/null 2>&1 || bad "the real run exits $?"
measured=$(python3 - "$tmp/run/cases" <<'EOF'
import glob, json, sys
t = 0
for f in glob.glob(sys.argv[1] + "/*.json"):
    p = json.load(open(f))["performance"]
    t += p["setup_time_s"] + p["wall_time_s"]
print(t)
EOF
)
echo "estimated total $total s, measured $measured s"
awk -v e="$total" -v m="$measured" 'BEGIN { exit !(m > 0 && e > m / 3 && e < m * 3) }' && ok ||
  bad "estimated $total s, the run took $measured s (want within a factor 3)"
largest=$(awk '$2 ~ /_cpu$/ && $4 == "calib" && $3 > m {m = $3} END {print m + 0}' "$tmp/plan.out")
line=$(grep '^estimate: makespan on' "$tmp/plan.out")
m1=$(secs $(sed -n 's/.* 1: \([0-9.]*\) \([a-z]*\),.*/\1 \2/p' <<<"$line"))
m2=$(secs $(sed -n 's/.* 2: \([0-9.]*\) \([a-z]*\),.*/\1 \2/p' <<<"$line"))
awk -v t="$total" -v a="$m1" -v b="$m2" -v l="$largest" \
  'BEGIN { r = 0.01; exit !(a > t * (1 - r) && a < t * (1 + r) && b >= t / 2 * (1 - r) && b >= l * (1 - r) && b <= t * (1 + r)) }' && ok ||
  bad "makespan 1 rank $m1 s, 2 ranks $m2 s, total $total s, largest case $largest s"
ASAN_OPTIONS=$nolsan mpirun -n 2 "$SUITE" "$EST" --dry-run --device cpu >"$tmp/p2.out" 2>&1
grep -Eq '^estimate: .*on 2 ranks .*makespan [0-9.]+ [a-z]+ \(per rank: [0-9.]+ [a-z]+ [0-9.]+ [a-z]+\)' "$tmp/p2.out" && ok ||
  bad "under mpirun -n 2 the plan has no makespan on 2 ranks: $(grep '^estimate' "$tmp/p2.out")"

# ---- 3. --estimate-from
ASAN_OPTIONS=$nolsan "$SUITE" "$EST" --dry-run --device cpu --estimate-from "$tmp/run/results.h5" >"$tmp/h5.out" 2>&1 || bad "--estimate-from exits $?"
[[ $(awk '$2 ~ /_cpu$/ && $4 == "h5"' "$tmp/h5.out" | wc -l) == 5 ]] && ok || bad "not every case from h5: $(cat "$tmp/h5.out")"
python3 - "$tmp/run/cases" "$tmp/h5.out" <<'EOF' && ok || bad "--estimate-from: a case's estimate is not its measured time"
import json, sys
est = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 4 and f[1].endswith("_cpu") and f[3] == "h5":
        est[f[1]] = float(f[2])
bad = 0
for k, v in est.items():
    p = json.load(open(f"{sys.argv[1]}/{k}.json"))["performance"]
    m = p["setup_time_s"] + p["wall_time_s"]
    if abs(v - m) > 1e-3 * m:
        print(f"  {k}: estimate {v} s, measured {m} s", file=sys.stderr)
        bad = 1
sys.exit(bad or len(est) != 5)
EOF
ASAN_OPTIONS=$nolsan "$SUITE" "$EST" --dry-run --device cpu --estimate-from "$tmp/run" >"$tmp/dir.out" 2>&1
cmp -s <(grep -v calib "$tmp/h5.out") <(grep -v calib "$tmp/dir.out") && ok || bad "--estimate-from DIR differs from DIR/results.h5"
ASAN_OPTIONS=$nolsan "$SUITE" "$EST" --estimate-from "$tmp/run/results.h5" >"$tmp/o" 2>"$tmp/e"
[[ $? == 2 && $(wc -l <"$tmp/e") == 1 ]] && grep -q 'goes with --dry-run' "$tmp/e" && ok || bad "--estimate-from without --dry-run: $(cat "$tmp/e")"
ASAN_OPTIONS=$nolsan "$SUITE" "$EST" --dry-run --estimate-from "$tmp/none.h5" >"$tmp/o" 2>"$tmp/e"
[[ $? == 2 && $(wc -l <"$tmp/e") == 1 ]] && grep -q 'none.h5' "$tmp/e" && ok || bad "--estimate-from a missing file: $(cat "$tmp/e")"

echo "suite_plan: $pass passed, $fail failed"
[[ $fail == 0 ]]
