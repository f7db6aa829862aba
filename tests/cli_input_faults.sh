#!/usr/bin/env bash
# Faults in what a user hands mdbench — input files, huge cutoffs, models that
# return non-finite numbers — and results that must not hold a made-up number:
# each input problem exits 2 with exactly one line on stderr naming it (file
# content quoted with control bytes escaped), no output file, no crash; a run
# without timed steps writes null, never 0, for its step statistics.
#   usage: cli_input_faults.sh MDBENCH MDBENCH_SUITE LIBFAULTY.so (tests/plugin_faults.c)
set -u
MDB=$1
SUITE=$2
FAULTY=$3
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

# ---- a cutoff far beyond the cell: exit 2 at once, one line naming the
# cutoff and the cell, no multi-GB allocation (was: SIGSEGV, or 30 s and 7 GB)
HUGE="is far longer than the cell \(widths .* Å, [0-9]+ atoms\)"
expect 2 "cutoff 1e\+11 Å $HUGE" -- run --system copper --calculator lj:rc=1e11 --steps 2 "${J[@]}"
expect 2 "cutoff 1e\+06 Å $HUGE" -- run --system copper --calculator lj:rc=1e6 --steps 2 "${J[@]}"
expect 2 "cutoff 1e\+300 Å $HUGE" -- run --system argon --calculator lj:rc=1e300 --steps 2 "${J[@]}"
expect 2 "cutoff 1e\+11 Å $HUGE" -- eval --system copper --calculator lj:rc=1e11 --output "$tmp/out.xyz"
# in a file: an EAM funcfl file and an SW file whose sigma·a is huge
printf 'huge cutoff\n29 63.55 3.615 fcc\n5 0.1 5 0.1 1e9\n0 -1 -2 -3 -4\n1 0.5 0.2 0.1 0\n0.1 0.05 0.02 0.01 0\n' \
  >"$tmp/huge.eam"
expect 2 "cutoff 1e\+09 Å $HUGE" -- run --system copper --calculator "eam:file=$tmp/huge.eam" --steps 2 "${J[@]}"
printf 'Si Si Si 2.1683 2.0951 1e9 21.0 1.20 -0.333333333333 7.049556277 0.6022245584 4.0 0.0 0.0\n' >"$tmp/huge.sw"
expect 2 "cutoff 2.0951e\+09 Å $HUGE" -- run --system silicon --calculator "sw:file=$tmp/huge.sw" --steps 2 "${J[@]}"
# from a plugin, and a thin or strongly skewed .xyz cell
expect 2 "cutoff 1e\+09 Å $HUGE" -- run --system copper --calculator "plugin:lib=$FAULTY,fault=cutoff" --steps 2 "${J[@]}"
printf '2\nLattice="10 0 0 0 1e-7 0 0 0 10" Properties=species:S:1:pos:R:3\nAr 0 0 0\nAr 5 0 5\n' >"$tmp/thin.xyz"
expect 2 "cutoff 8.5125 Å $HUGE.*no cutoff fits this cell" -- run --system "$tmp/thin.xyz" --steps 2 "${J[@]}"
printf '2\nLattice="10 0 0 9.99999 0.0001 0 0 0 10" Properties=species:S:1:pos:R:3\nAr 0 0 0\nAr 5 0 5\n' >"$tmp/skew.xyz"
expect 2 "cutoff 8.5125 Å $HUGE" -- run --system "$tmp/skew.xyz" --steps 2 "${J[@]}"
# in a suite: --dry-run refuses it before any rank runs anything
printf '{"steps": 10, "matrix": {"system": ["copper"], "protocol": ["NVE"], "calculator": ["lj:rc=1e11"]}}\n' \
  >"$tmp/huge_suite.json"
MDB_SAVED=$MDB
MDB=$SUITE
ASAN_OPTIONS=detect_leaks=0 expect 2 "matrix.calculator\[0\]: lj:rc=1e11 on copper: cutoff 1e\+11 Å $HUGE" \
  -- "$tmp/huge_suite.json" --dry-run
MDB=$MDB_SAVED

# ---- eval: non-finite energy, forces or virial fail like a run (exit 1,
# one line), and no output file is written
printf '2\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3\nAr 1 1 1\nAr 1 1 1\n' >"$tmp/overlap.xyz"
expect 1 "eval: the evaluation failed: non-finite energy \(inf eV\) from lj on" -- \
  eval --calculator lj --system "$tmp/overlap.xyz" --output "$tmp/out.xyz"
expect 1 "eval: the evaluation failed: non-finite force on atom 1 \(nan, nan, nan eV/Å\)" -- \
  eval --system copper --calculator "plugin:lib=$FAULTY,fault=nan_force" --output "$tmp/out.xyz"
expect 1 "eval: the evaluation failed: non-finite energy \(nan eV\)" -- \
  eval --system copper --calculator "plugin:lib=$FAULTY,fault=nan_energy" --output "$tmp/out.xyz"
# and run on the same input: exit 1 too
"$MDB" run --calculator lj --system "$tmp/overlap.xyz" --steps 5 --quiet 2>/dev/null
rc=$?
if [[ $rc -eq 1 ]]; then ok; else bad "run on overlapping atoms exited $rc, want 1"; fi

# ---- problems in an input file are bad input (exit 2), never an I/O error
mkdir -p "$tmp/adir"
for calc in eam sw; do
  sys=$([[ $calc == eam ]] && echo copper || echo silicon)
  for cmd in run eval; do
    [[ $cmd == run ]] && O=("${J[@]}" --steps 2) || O=(--output "$tmp/out.xyz")
    expect 2 "'$tmp/none.$calc'.*No such file or directory" -- $cmd --system $sys --calculator "$calc:file=$tmp/none.$calc" "${O[@]}"
    expect 2 "'$tmp/adir'.*it is a directory" -- $cmd --system $sys --calculator "$calc:file=$tmp/adir" "${O[@]}"
    # a device never ends: refused at once, not read until memory runs out
    expect 2 "'/dev/zero'.*not a regular file" -- $cmd --system $sys --calculator "$calc:file=/dev/zero" "${O[@]}"
  done
done
expect 2 "/dev/zero is not a regular file" -- analyze /dev/zero
mkdir -p "$tmp/dir.xyz"
expect 2 "cannot open $tmp/dir.xyz: it is a directory" -- run --system "$tmp/dir.xyz" "${J[@]}"
# a runaway or non-finite position in an .xyz
printf '2\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3\nAr 1e300 0 0\nAr 5 5 5\n' >"$tmp/far.xyz"
expect 2 "far.xyz:3: the position \(1e\+300, 0, 0 Å\) lies more than 1e\+06 cells away" -- run --system "$tmp/far.xyz" "${J[@]}"
expect 2 "far.xyz:3: the position" -- eval --system "$tmp/far.xyz" --output "$tmp/out.xyz"
printf '2\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3\nAr 1 nan 0\nAr 5 5 5\n' >"$tmp/nanpos.xyz"
expect 2 "nanpos.xyz:3: column 3 \('nan'\) is not a number" -- run --system "$tmp/nanpos.xyz" "${J[@]}"
# a torn water molecule: the first H of the first molecule 4 Å away from its O
"$MDB" eval --system water --output "$tmp/water.xyz" --quiet
awk 'NR == 4 { $2 = $2 + 4 } { print }' "$tmp/water.xyz" >"$tmp/torn.xyz"
expect 2 "spcfw: atoms 1 and 2, of one molecule, are not within 3 Å.*torn apart in the input" -- \
  run --system "$tmp/torn.xyz" --calculator spcfw --steps 2 "${J[@]}"
expect 2 "torn apart in the input" -- eval --system "$tmp/torn.xyz" --calculator spcfw --output "$tmp/out.xyz"
# an ipi host that does not resolve (.invalid never does); a resolver that
# cannot answer at all here (no DNS: EAI_AGAIN) is a runtime error, 3
IPI=(--calculator ipi:host=no-such-host.invalid,port=31415 --steps 2 "${J[@]}")
if "$MDB" run "${IPI[@]}" 2>&1 | grep -q "Temporary failure"; then
  expect 3 "ipi: cannot resolve host 'no-such-host.invalid': Temporary failure" -- run "${IPI[@]}"
else
  expect 2 "ipi: cannot resolve host 'no-such-host.invalid'" -- run "${IPI[@]}"
fi

# ---- control bytes from input files are escaped: the one line stays one
# line and no escape sequence reaches the terminal
# expect_clean PATTERN -- ARGS: as expect 2, and no control byte on stderr
expect_clean() {
  expect 2 "$@"
  if LC_ALL=C tr -d '\n' <"$tmp/stderr" | LC_ALL=C grep -q '[[:cntrl:]]'; then
    bad "control bytes on stderr: $(cat -A "$tmp/stderr")"
  else ok; fi
}
printf '1\nLattice="5 0 0 0 5 0 0 0 5"\n\033[31mAr\033[0m 0 0 0\n' >"$tmp/ctl.xyz"
expect_clean "ctl.xyz:3: unknown element symbol '\\\\x1b\[31mAr\\\\x1b\[0m'" -- run --system "$tmp/ctl.xyz" "${J[@]}"
printf '1\nLattice="5 0 0 0 5 0 0 0 5"\nAr 0 0 \0330\n' >"$tmp/ctl2.xyz"
expect_clean "ctl2.xyz:3: column 4 \('\\\\x1b0'\) is not a number" -- run --system "$tmp/ctl2.xyz" "${J[@]}"
printf 'Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333333333333 7.049556277 0.6022245584 4.0 0.0 0.0\033]0;pwned\007\n' \
  >"$tmp/ctl.sw"
expect_clean "ctl.sw line 1: .*'0.0\\\\x1b\]0;pwned\\\\x07'" -- run --system silicon --calculator "sw:file=$tmp/ctl.sw" "${J[@]}"
printf 'Si\tSi S\001i 2.1683 2.0951 1.80 21.0 1.20 -0.333333333333 7.049556277 0.6022245584 4.0 0.0 0.0\n' >"$tmp/ctl2.sw"
expect_clean "ctl2.sw line 1: 'S\\\\x01i' is not an element name" -- run --system silicon --calculator "sw:file=$tmp/ctl2.sw" "${J[@]}"
printf 'bad\n29 63.55 3.615 fcc\n5 0.1 5 0.1 5.0\n0 -1 \033[2J -3 -4\n' >"$tmp/ctl.eam"
expect_clean "ctl.eam line 4: '\\\\x1b\[2J' is not a finite number" -- run --system copper --calculator "eam:file=$tmp/ctl.eam" "${J[@]}"

printf '{"steps": 10, "matrix": {"system": ["cop\\u001b[31mper"], "protocol": ["NVE"]}}\n' >"$tmp/ctl_suite.json"
MDB=$SUITE
ASAN_OPTIONS=detect_leaks=0 expect_clean "matrix.system\[0\]: unknown system 'cop\\\\x1b\[31mper'" -- "$tmp/ctl_suite.json" --dry-run
MDB=$MDB_SAVED

# ---- a plugin's error message that fills its buffer without a NUL, with
# control bytes: read within the buffer (no sanitizer report), escaped
for where in init prepare; do
  expect_clean "faulty plugin \\\\x1b\[31mred\\\\x1b\[0m\\\\nline two" -- \
    run --system copper --calculator "plugin:lib=$FAULTY,fault=message,where=$where" --steps 2 "${J[@]}"
done
# in compute (the first force call): a runtime error of the model, exit 3
expect 3 "plugin faulty .*: faulty plugin \\\\x1b\[31mred" -- \
  run --system copper --calculator "plugin:lib=$FAULTY,fault=message,where=compute" --steps 2 "${J[@]}"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
