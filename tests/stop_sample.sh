#!/usr/bin/env bash
# SIGTERM to `mdbench run` between two thermo samples (energy every 100
# steps, so a stop lands on a sample step once in a hundred): exit 75, and
# the result holds no partial sample. Before, the last sample's potential
# energy was 0: drift ≈ 1.006, max |E−E0| ≈ 3.5 eV/atom. Now, on the CPU, the
# record ends with a fully computed sample at the stop step; on the GPU engine
# (host emulation) at the last real sample. Asserted: every potential-energy
# sample finite and within 1% of the first, |drift| < 1e-4, max |E−E0| <
# 1e-3 eV/atom (an uninterrupted copper run gives ~1e-6 and ~1e-5).
# usage: stop_sample.sh MDBENCH   (skips, 77, without python3)
set -u
MDB=$1
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# stop_run NAME VAR=VALUE ARGS... : runs copper 108 for up to 400000 steps
# (with VAR in the environment and ARGS added), SIGTERM after 3 s
stop_run() {
  local name=$1 var=$2
  shift 2
  env "$var" "$MDB" run --system copper --atoms 108 --steps 400000 --warmup 0 --energy-interval 100 --quiet \
    --output "$tmp/$name.json" "$@" 2>"$tmp/$name.err" &
  local pid=$!
  sleep 3
  kill -TERM "$pid"
  wait "$pid"
  local rc=$?
  if [[ $rc -ne 75 ]]; then
    echo "FAIL: $name: exit $rc after SIGTERM, want 75: $(cat "$tmp/$name.err")"
    fail=1
    return
  fi
  python3 - "$tmp/$name.json" "$name" <<'PYEOF' || fail=1
import json, math, sys
d = json.load(open(sys.argv[1])); name = sys.argv[2]
th = d["raw"]["thermo"]; u = th["potential_energy_eV"]; steps = th["step"]
stop = d["failure"]["step"]
ok = True
def check(cond, msg):
    global ok
    if not cond:
        ok = False
        print(f"FAIL: {name}: {msg}")
check(d["status"] == "interrupted", f"status {d['status']}")
check(all(math.isfinite(x) and abs(x - u[0]) <= 0.01 * abs(u[0]) for x in u), f"potential energies {u}")
check(abs(d["energy"]["drift"]) < 1e-4, f"drift {d['energy']['drift']}")
check(d["energy"]["max_abs_deviation_eV_per_atom"] < 1e-3, f"max |E-E0| {d['energy']['max_abs_deviation_eV_per_atom']}")
check(steps[-1] <= stop and all(s % 100 == 0 for s in steps[:-1]), f"sample steps {steps}, stop {stop}")
if name == "cpu":  # a real sample computed at the stop
    check(steps[-1] == stop, f"the CPU record ends at {steps[-1]}, not at the stop {stop}")
else:  # the device keeps a non-sample step's state: the record ends at the last real sample
    check(steps[-1] % 100 == 0, f"the GPU record ends at {steps[-1]}, not at a sample step")
print(f"{name}: stopped after step {stop}; {len(u)} samples at {steps}; U {u[-1]:.6f} eV (first {u[0]:.6f}); "
      f"drift {d['energy']['drift']:.3e}, max |E-E0| {d['energy']['max_abs_deviation_eV_per_atom']:.3e} eV/atom")
sys.exit(0 if ok else 1)
PYEOF
}

stop_run cpu MDB_TEST_UNUSED=1
stop_run gpu_host MDBENCH_GPU_BACKEND=host --device cuda
exit $fail
