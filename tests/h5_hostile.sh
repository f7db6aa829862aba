#!/usr/bin/env bash
# Hostile attributes in well-formed HDF5 files (src/io/h5_attr.c): a results
# file from `mdbench compare` is copied once per scenario of
# tests/peers/h5_hostile_attrs.py (a root `schema` holding 1,000 strings, a
# fixed-length string array, a 4 MB string, a 200 kB fixed string, a number,
# nothing; case attributes as arrays, huge strings, wrong types). `mdbench
# analyze` and `mdbench regress` on each: exit 2, exactly one line on stderr
# naming the file and the attribute, no sanitizer report.
# usage: h5_hostile.sh MDBENCH PYTHON SOURCE_DIR
set -u
MDB=$1 PY=$2 SRC=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }
"$PY" -c "import h5py" 2>/dev/null || { echo "SKIP: $PY has no h5py"; exit 77; }
"$MDB" compare --calculators lj,lj:rc=7.5 --system argon --atoms 32 --steps 100 --output "$tmp/good" --quiet ||
  { echo "FAIL: compare exited $?"; exit 1; }
"$PY" "$SRC/tests/peers/h5_hostile_attrs.py" "$tmp/good/results.h5" "$tmp/h" >"$tmp/list" ||
  { echo "FAIL: crafting the files"; exit 1; }
n=0
while read -r f; do
  n=$((n + 1))
  name=$(basename "$f" .h5)
  attr=${name%%_[0-9]*}
  case $name in schema*) attr=schema ;; device_name*) attr=device_name ;; host*) attr=host ;; tdamp*) attr=tdamp_fs ;; esac
  for cmd in "analyze $f" "regress --baseline $tmp/good/results.h5 --current $f"; do
    # shellcheck disable=SC2086
    "$MDB" $cmd >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [[ $rc -eq 2 && $(grep -c '' "$tmp/err") -eq 1 ]] && grep -q "$f.*attribute '$attr'" "$tmp/err" &&
      ! grep -qiE 'sanitizer|runtime error' "$tmp/err"; then ok; else
      no "mdbench ${cmd%% *} $name: exit $rc (want 2), stderr: $(head -c 400 "$tmp/err")"
    fi
  done
done <"$tmp/list"
[[ $n -ge 12 ]] && ok || no "only $n hostile files were made"
"$MDB" analyze "$tmp/good/results.h5" >/dev/null 2>"$tmp/err" && ok || no "the untouched file is refused: $(cat "$tmp/err")"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
