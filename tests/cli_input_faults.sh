#!/usr/bin/env bash
# Faults in what a user hands mdbench — input files, huge cutoffs, models that
# return non-finite numbers — and results that must not hold a made-up number:
# each input problem exits 2 with exactly one line on stderr naming it (file
# content quoted with control bytes escaped), no output file, no crash; a run
# without timed steps writes null, never 0, for its step statistics.
#   usage: cli_input_faults.sh MDBENCH [PLUGIN_NAN.so]
set -u
MDB=$1
PLUGIN_NAN=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*" >&2
}

# expect CODE PATTERN -- ARGS...: exit code CODE, stderr matching PATTERN
# (extended regex), exactly one line on stderr, no $tmp/out.* left, and no
# sanitizer report.
expect() {
  local code=$1 pattern=$2
  shift 3
  rm -f "$tmp"/out.*
  timeout 120 "$MDB" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$? lines
  lines=$(wc -l <"$tmp/stderr")
  if [[ $rc -eq $code ]] && grep -Eq -- "$pattern" "$tmp/stderr" && [[ $lines -eq 1 ]] &&
     ! grep -q "Sanitizer" "$tmp/stderr" && ! ls "$tmp"/out.* >/dev/null 2>&1; then
    ok
  else
    bad "mdbench $* -> exit $rc (want $code), $lines stderr lines, want /$pattern/:"
    sed 's/^/    /' "$tmp/stderr" | head -20 >&2
    ls "$tmp"/out.* 2>/dev/null | sed 's/^/    left behind: /' >&2
  fi
}

J=(--output "$tmp/out.json")

# ---- a run without a timed step: its step statistics are null, not 0
STATS=(steps_per_second mean_step_time_ms std_step_time_ms median_step_time_ms p95_step_time_ms p99_step_time_ms
       min_step_time_ms max_step_time_ms atom_steps_per_second ns_per_day)
"$MDB" run --system argon --atoms 256 --timestep-fs 100 --temperature-K 5000 --steps 300 --warmup 200 --quiet \
  --output "$tmp/failed.json" 2>/dev/null
rc=$?
nulls=0 numbers=0
for k in "${STATS[@]}"; do
  grep -Eq "\"$k\":[[:space:]]*null" "$tmp/failed.json" && nulls=$((nulls + 1))
done
if [[ $rc -eq 1 ]] && grep -Eq '"n_timed_steps":[[:space:]]*0,' "$tmp/failed.json" && [[ $nulls -eq ${#STATS[@]} ]]; then ok
else bad "a run that failed before its first timed step: exit $rc, $nulls of ${#STATS[@]} step statistics null"; fi
"$MDB" run --atoms 32 --steps 20 --quiet --output "$tmp/good.json"
for k in "${STATS[@]}"; do
  grep -Eq "\"$k\":[[:space:]]*[0-9]" "$tmp/good.json" && numbers=$((numbers + 1))
done
if [[ $numbers -eq ${#STATS[@]} ]]; then ok
else bad "a good run has $numbers of ${#STATS[@]} step statistics as numbers"; fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
