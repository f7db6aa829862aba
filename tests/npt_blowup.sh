#!/usr/bin/env bash
# A barostat that blows up stops the run the same way on the CPU and in the
# device's kernels (host emulation), both taking the flag from md/npt_hd.h:
# argon 256 at 10^6 bar with a 20 fs barostat asks the box to shrink to
# 0.579 of its edge in the first half-step (limit 1.05 either way), so both
# say "FAILED at step 1: the barostat blew up" and exit 1 (README: the run
# blew up); the CPU also names the factor, 0.579212.
set -u
bin=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
args=(run --system argon --atoms 256 --protocol NPT --pressure-bar 1e6 --pdamp-fs 20 --steps 50 --warmup 0)
"$bin" "${args[@]}" --device cpu --output "$out/cpu" >"$out/cpu.log" 2>&1
rc=$?
MDBENCH_GPU_BACKEND=host "$bin" "${args[@]}" --device cuda --output "$out/host" >"$out/host.log" 2>&1
rc_host=$?
for e in cpu host; do
  cat "$out/$e.log"
  r=$rc
  [[ $e == host ]] && r=$rc_host
  if [[ $r != 1 ]]; then
    echo "FAIL: $e exited $r, want 1" >&2
    fail=1
  fi
  if ! grep -q "FAILED at step 1: the barostat blew up" "$out/$e.log"; then
    echo "FAIL: $e does not report the barostat's blow-up at step 1" >&2
    fail=1
  fi
done
if ! grep -q "the box would scale by 0.579212 in half a step (limit 1.05127)" "$out/cpu.log"; then
  echo "FAIL: the CPU does not name the factor 0.579212 and the limit 1.05127" >&2
  fail=1
fi
exit $fail
