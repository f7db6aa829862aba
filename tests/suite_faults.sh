#!/usr/bin/env bash
# Faults around a results directory (src/suite/runner.c, src/io/h5_results.c,
# src/core/atomic.c, src/cli/cmd_compare.c). One mode per CTest test:
#   resume    a case file deleted, truncated or with one flipped bit, a marker
#             with a number edited and one that is not JSON, stale NAME.tmp.PID
#             files: --resume names each damaged case on one line, reruns
#             exactly those, removes the temporaries, exits 0, and results.h5
#             holds every case once with the energies of an undamaged run
#             (bit for bit: the same seed gives the same trajectory). Markers
#             of older versions (no seal, no file digest) still count when
#             their .h5 opens and holds the case.
#   foreign   --resume (and -o) into a directory of another suite or of
#             `mdbench compare`: exit 2, one line naming both, and not one
#             byte of the directory changed (checksums before/after).
#   fulldisk  the output on a 64 KiB tmpfs: the suite (1 rank and 2 ranks
#             under mpirun) and compare end with exit 3 and one line
#             "No space left on device", no crash; the cases finished before
#             are intact and --resume after the disk grows finishes the run.
#   readonly  a read-only output (tmpfs remounted ro): a new run, a --resume
#             and compare end with exit 3, one line, nothing written.
# fulldisk and readonly mount a tmpfs: they skip (77) where mount is not
# permitted. Root ignores file permissions, hence the read-only mount.
# usage: suite_faults.sh MODE MDBENCH_SUITE MDBENCH PYTHON SOURCE_DIR
set -u
MODE=$1 SUITE_BIN=$2 MDB=$3 PY=$4 SRC=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_base_warn_component_unused=0
tmp=$(mktemp -d)
mnt="$tmp/mnt"
trap 'mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else no "$2"; fi; }
suite="$SRC/tests/suites/faults.json"
CHECK="$SRC/tests/peers/suite_results_check.py"
"$PY" -c "import h5py" 2>/dev/null || { echo "SKIP: $PY has no h5py"; exit 77; }
ids=(argon_32_NVE_lj_cpu argon_32_NVE_lj-rc-7.5_cpu argon_32_NVE_lj-rc-8.0_cpu argon_32_NVE_lj-rc-9.0_cpu argon_32_NVE_lj-rc-6.5_cpu)
lines() { grep -c '' "$1"; }
# every file under a directory with its checksum, sorted
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
try_mount() { # a small tmpfs at $mnt, or skip
  mkdir -p "$mnt"
  if ! mount -t tmpfs -o "size=$1" tmpfs "$mnt" 2>/dev/null; then
    echo "SKIP: cannot mount a tmpfs here (not root, or no permission)"
    exit 77
  fi
}

case $MODE in
resume)
  "$SUITE_BIN" "$suite" -o "$tmp/ref" --quiet || { echo "FAIL: reference run exited $?"; exit 1; }
  "$SUITE_BIN" "$suite" -o "$tmp/d" --quiet || { echo "FAIL: first run exited $?"; exit 1; }
  c="$tmp/d/cases"
  rm "$c/${ids[0]}.h5"                                   # missing
  truncate -s 5000 "$c/${ids[1]}.h5"                     # truncated
  "$PY" -c "import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[len(b) // 3] ^= 0x04; open(p, 'wb').write(b)" \
    "$c/${ids[2]}.h5"                                    # one bit flipped
  sed -i 's/"n_atoms":\t32,/"n_atoms":\t31,/' "$c/${ids[3]}.json" # a number edited in a marker
  grep -q '"n_atoms":.31,' "$c/${ids[3]}.json" || no "the marker edit did not happen"
  touch "$tmp/d/results.h5.tmp.4242" "$tmp/d/summary.json.tmp.17" "$c/${ids[0]}.h5.tmp.999" "$c/keep.tmp.txt"
  "$SUITE_BIN" "$suite" --resume "$tmp/d" >"$tmp/r.out" 2>"$tmp/r.err"
  rc=$?
  check "[[ $rc -eq 0 ]]" "resume exited $rc: $(cat "$tmp/r.err")"
  check "grep -q '(4 to run, 1 already done)' '$tmp/r.out'" "resume did not rerun exactly the 4 damaged cases: $(head -n 1 "$tmp/r.out")"
  check "grep -q 'case ${ids[0]}: .*${ids[0]}.h5 is missing: running the case again' '$tmp/r.err'" "missing file not named"
  check "grep -q 'case ${ids[1]}: .*${ids[1]}.h5 has 5000 bytes, its marker says [0-9]*: running the case again' '$tmp/r.err'" "truncated file not named"
  check "grep -q 'case ${ids[2]}: .*${ids[2]}.h5 does not match the SHA-256 in its marker' '$tmp/r.err'" "flipped bit not named"
  check "grep -q 'case ${ids[3]}: its marker .*${ids[3]}.json is damaged' '$tmp/r.err'" "edited marker not named"
  check "[[ \$(grep -c 'running the case again' '$tmp/r.err') -eq 4 ]]" "not one line per damaged case: $(cat "$tmp/r.err")"
  check "[[ \$(grep -c 'left by an interrupted write' '$tmp/r.err') -eq 3 ]]" "stale temporaries not reported: $(cat "$tmp/r.err")"
  check "[[ ! -e $tmp/d/results.h5.tmp.4242 && ! -e $tmp/d/summary.json.tmp.17 && ! -e $c/${ids[0]}.h5.tmp.999 && -e $c/keep.tmp.txt ]]" \
    "stale temporaries left, or another file removed: $(ls "$tmp/d" "$c")"
  rm -f "$c/keep.tmp.txt"
  "$PY" "$CHECK" same "$tmp/ref" "$tmp/d" >"$tmp/same.out" && ok || no "resumed energies differ from an undamaged run: $(cat "$tmp/same.out")"
  "$PY" "$CHECK" complete "$tmp/d" 5 >"$tmp/complete.out" && ok || no "resumed run incomplete: $(cat "$tmp/complete.out")"
  # a marker that is not JSON at all, then a resume that finds everything intact
  echo 'not json' >"$c/${ids[0]}.json"
  "$SUITE_BIN" "$suite" --resume "$tmp/d" >"$tmp/r2.out" 2>"$tmp/r2.err"
  rc=$?
  check "[[ $rc -eq 0 ]] && grep -q '(1 to run, 4 already done)' '$tmp/r2.out'" "unreadable marker: exit $rc, $(head -n 1 "$tmp/r2.out")"
  check "grep -q 'case ${ids[0]}: its marker .* is not valid JSON: running the case again' '$tmp/r2.err' && [[ \$(lines '$tmp/r2.err') -eq 1 ]]" \
    "unreadable marker not reported on one line: $(cat "$tmp/r2.err")"
  check "'$PY' '$CHECK' same '$tmp/ref' '$tmp/d' >/dev/null && '$PY' '$CHECK' complete '$tmp/d' 5 >/dev/null" "second resume: results differ"
  "$SUITE_BIN" "$suite" --resume "$tmp/d" >"$tmp/r3.out" 2>"$tmp/r3.err"
  check "[[ $? -eq 0 && ! -s $tmp/r3.err ]] && grep -q '(0 to run, 5 already done)' '$tmp/r3.out'" "an intact directory was not taken as done: $(cat "$tmp/r3.err")"
  # markers of an older mdbench (no suite, case_file, marker_sha256): an intact
  # case still counts as done, a truncated one runs again
  for id in "${ids[1]}" "${ids[2]}"; do
    "$PY" -c "
import json, sys
p = sys.argv[1]; j = json.load(open(p))
for k in ('suite', 'case_file', 'marker_sha256'): del j[k]
json.dump(j, open(p, 'w'), indent=1)" "$c/$id.json"
  done
  truncate -s 3000 "$c/${ids[2]}.h5"
  "$SUITE_BIN" "$suite" --resume "$tmp/d" >"$tmp/r4.out" 2>"$tmp/r4.err"
  rc=$?
  check "[[ $rc -eq 0 ]] && grep -q '(1 to run, 4 already done)' '$tmp/r4.out'" "older markers: exit $rc, $(head -n 1 "$tmp/r4.out"): $(cat "$tmp/r4.err")"
  check "[[ \$(lines '$tmp/r4.err') -eq 1 ]] && grep -q 'case ${ids[2]}: .*${ids[2]}.h5 does not open as this case.s results' '$tmp/r4.err'" \
    "older marker with a truncated file: $(cat "$tmp/r4.err")"
  "$PY" "$CHECK" same "$tmp/ref" "$tmp/d" >"$tmp/same.out" && ok || no "older markers: energies differ: $(cat "$tmp/same.out")"
  ;;

foreign)
  "$SUITE_BIN" "$suite" -o "$tmp/s" --quiet || { echo "FAIL: suite run exited $?"; exit 1; }
  "$MDB" compare --calculators lj,lj:rc=7.5 --system argon --atoms 32 --steps 100 --output "$tmp/c" --quiet ||
    { echo "FAIL: compare exited $?"; exit 1; }
  sed 's/"seed": 11/"seed": 12/' "$suite" >"$tmp/other.json"
  for d in s c; do tree_sum "$tmp/$d" >"$tmp/$d.before"; done
  # another suite (same case ids, other seed) into the suite's directory
  for how in --resume -o; do
    "$SUITE_BIN" "$tmp/other.json" "$how" "$tmp/s" >"$tmp/o.out" 2>"$tmp/o.err"
    rc=$?
    check "[[ $rc -eq 2 && \$(lines '$tmp/o.err') -eq 1 ]] && grep -q \"$tmp/s holds results of suite 'faults', not of suite 'other'\" '$tmp/o.err'" \
      "$how into another suite's directory: exit $rc: $(cat "$tmp/o.err")"
  done
  # a suite into compare's directory
  for how in --resume -o; do
    "$SUITE_BIN" "$suite" "$how" "$tmp/c" >"$tmp/o.out" 2>"$tmp/o.err"
    rc=$?
    check "[[ $rc -eq 2 && \$(lines '$tmp/o.err') -eq 1 ]] && grep -q \"$tmp/c holds results of mdbench compare, not of suite 'faults'\" '$tmp/o.err'" \
      "$how into compare's directory: exit $rc: $(cat "$tmp/o.err")"
  done
  # the same suite with fewer cases would drop the others from results.h5
  "$SUITE_BIN" "$suite" --filter id=${ids[0]} --resume "$tmp/s" >"$tmp/o.out" 2>"$tmp/o.err"
  rc=$?
  check "[[ $rc -eq 2 && \$(lines '$tmp/o.err') -eq 1 ]] && grep -q 'which this run of suite .faults. does not have' '$tmp/o.err'" \
    "a filtered resume: exit $rc: $(cat "$tmp/o.err")"
  # -o into a directory of this suite still points at --resume
  "$SUITE_BIN" "$suite" -o "$tmp/s" >"$tmp/o.out" 2>"$tmp/o.err"
  check "[[ $? -eq 2 ]] && grep -q 'already holds results: use --resume' '$tmp/o.err'" "-o into its own directory: $(cat "$tmp/o.err")"
  for d in s c; do
    tree_sum "$tmp/$d" >"$tmp/$d.after"
    check "cmp -s '$tmp/$d.before' '$tmp/$d.after'" "directory $d changed: $(diff "$tmp/$d.before" "$tmp/$d.after")"
  done
  ;;

fulldisk)
  try_mount 64k
  for launch in "" "mpirun -n 2"; do
    out="$mnt/run${launch:+2}"
    $launch "$SUITE_BIN" "$suite" -o "$out" --quiet >"$tmp/f.out" 2>"$tmp/f.err"
    rc=$?
    check "[[ $rc -eq 3 ]]" "${launch:-1 rank}: full disk exited $rc (want 3): $(head -c 600 "$tmp/f.err")"
    # (mpirun adds its own banner about the exit code: only mdbench's lines count)
    check "[[ \$(grep -c '^mdbench-suite' '$tmp/f.err') -eq 1 ]] && grep -q '^mdbench-suite: error: cannot write .*: No space left on device$' '$tmp/f.err'" \
      "${launch:-1 rank}: not one line: $(head -c 600 "$tmp/f.err")"
    check "! grep -qiE 'segmentation|signal|sanitizer|core dumped' '$tmp/f.err'" "${launch:-1 rank}: crashed: $(head -c 600 "$tmp/f.err")"
    # what finished is intact: each marker's case file has its recorded size
    for m in "$out"/cases/*.json; do
      [[ -e $m ]] || continue
      h5=${m%.json}.h5
      want=$(sed -n 's/^\t\t"bytes":\t\([0-9]*\),$/\1/p' "$m")
      check "[[ -n '$want' && \$(stat -c %s '$h5') -eq '$want' ]]" "$(basename "$m"): case file damaged by the full disk"
    done
    rm -rf "$out"
  done
  "$SUITE_BIN" "$suite" -o "$mnt/k" --quiet >/dev/null 2>&1
  ndone=$(compgen -G "$mnt/k/cases/*.json" | wc -l)
  check "[[ $ndone -ge 1 && $ndone -lt 5 ]]" "the full disk stopped after $ndone of 5 cases (want 1 to 4: adjust the tmpfs size)"
  mount -o remount,size=4m "$mnt" || no "cannot grow the tmpfs"
  "$SUITE_BIN" "$suite" --resume "$mnt/k" >"$tmp/k.out" 2>"$tmp/k.err"
  rc=$?
  check "[[ $rc -eq 0 ]] && grep -q \"($((5 - ndone)) to run, $ndone already done)\" '$tmp/k.out'" "resume after the disk grew: exit $rc: $(cat "$tmp/k.err")"
  "$PY" "$CHECK" complete "$mnt/k" 5 >"$tmp/c.out" && ok || no "resume after the disk grew incomplete: $(cat "$tmp/c.out")"
  rm -rf "${mnt:?}"/*
  mount -o remount,size=64k "$mnt"
  dd if=/dev/zero of="$mnt/fill" bs=1k count=40 status=none
  "$MDB" compare --calculators lj,lj:rc=7.5 --system argon --atoms 108 --steps 2000 --output "$mnt/c" --quiet \
    >"$tmp/c.out" 2>"$tmp/c.err"
  rc=$?
  check "[[ $rc -eq 3 && \$(lines '$tmp/c.err') -eq 1 ]] && grep -q '^mdbench compare: error: cannot write .*: No space left on device$' '$tmp/c.err'" \
    "compare on a full disk: exit $rc: $(head -c 600 "$tmp/c.err")"
  ;;

readonly)
  try_mount 4m
  "$SUITE_BIN" "$suite" -o "$mnt/done" --quiet >/dev/null 2>&1 || no "run before the remount failed"
  mkdir -p "$mnt/empty"
  mount -o remount,ro "$mnt" || { echo "SKIP: cannot remount the tmpfs read-only"; exit 77; }
  tree_sum "$mnt" >"$tmp/before"
  "$SUITE_BIN" "$suite" -o "$mnt/new" --quiet >"$tmp/o.out" 2>"$tmp/o.err"
  rc=$?
  check "[[ $rc -eq 3 && \$(lines '$tmp/o.err') -eq 1 ]] && grep -q 'Read-only file system' '$tmp/o.err'" "new run: exit $rc: $(cat "$tmp/o.err")"
  "$SUITE_BIN" "$suite" -o "$mnt/empty" --quiet >"$tmp/o.out" 2>"$tmp/o.err"
  rc=$?
  check "[[ $rc -eq 3 && \$(lines '$tmp/o.err') -eq 1 ]] && grep -q 'Read-only file system' '$tmp/o.err'" "existing empty dir: exit $rc: $(cat "$tmp/o.err")"
  "$SUITE_BIN" "$suite" --resume "$mnt/done" --quiet >"$tmp/o.out" 2>"$tmp/o.err"
  rc=$?
  check "[[ $rc -eq 3 && \$(lines '$tmp/o.err') -eq 1 ]] && grep -q 'Read-only file system' '$tmp/o.err'" "resume: exit $rc: $(cat "$tmp/o.err")"
  mpirun -n 2 "$SUITE_BIN" "$suite" -o "$mnt/new2" --quiet >"$tmp/o.out" 2>"$tmp/o.err"
  rc=$?
  check "[[ $rc -eq 3 ]] && [[ \$(grep -c 'mdbench-suite: error' '$tmp/o.err') -eq 1 ]]" "2 ranks: exit $rc: $(cat "$tmp/o.err")"
  "$MDB" compare --calculators lj,lj:rc=7.5 --system argon --atoms 32 --steps 100 --output "$mnt/c" --quiet \
    >"$tmp/o.out" 2>"$tmp/o.err"
  rc=$?
  check "[[ $rc -eq 3 && \$(lines '$tmp/o.err') -eq 1 ]] && grep -q 'Read-only file system' '$tmp/o.err'" "compare: exit $rc: $(cat "$tmp/o.err")"
  tree_sum "$mnt" >"$tmp/after"
  check "cmp -s '$tmp/before' '$tmp/after'" "the read-only tree changed"
  ;;
*)
  echo "usage: suite_faults.sh resume|foreign|fulldisk|readonly MDBENCH_SUITE MDBENCH PYTHON SOURCE_DIR"
  exit 2
  ;;
esac
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
