#!/usr/bin/env bash
# scripts/gpu-check.sh finds out first, before building anything, whether
# there is a GPU: without one it exits non-zero with one line saying so.
# Checked with the probe pointed at nothing (any machine) and with the
# real probe (here: no GPU; on a GPU node it must name the device).
set -u
script=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # description, condition...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fails=$((fails + 1)); fi
}
mkdir -p "$tmp/empty"
for args in "" "--probe"; do
  t0=$SECONDS
  out=$(GPU_CHECK_SMI="$tmp/no-nvidia-smi" GPU_CHECK_PROC="$tmp/empty" GPU_CHECK_BUILD="$tmp/build" \
    bash "$script" $args 2>&1)
  rc=$?
  echo "gpu-check.sh $args without a device: exit $rc, output: $out"
  check "exit non-zero ($rc)" test "$rc" -ne 0
  check "exit is not 77 (a skip is not a verdict)" test "$rc" -ne 77
  check "exactly one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
  check "the line says no GPU device was found" grep -q "no GPU device found" <<<"$out"
  check "nothing was built" test ! -e "$tmp/build"
  check "answered within 10 s" test $((SECONDS - t0)) -le 10
done
out=$(bash "$script" --probe 2>&1)
rc=$?
echo "gpu-check.sh --probe on this machine: exit $rc, output: $out"
check "one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
if [[ $rc -eq 0 ]]; then
  check "a found device is named" grep -qE "device found: .+" <<<"$out"
else
  check "no device: says so" grep -q "no GPU device found" <<<"$out"
fi
echo "$fails failed"
[[ $fails -eq 0 ]]
