#!/usr/bin/env bash
# mdbench-suite and the GPU engine, under mpirun, on a machine without a GPU:
#  1. MDBENCH_GPU_BACKEND=host (the GPU kernels emulated on the CPU): the
#     quick suite on 2 ranks runs its cuda cases on the GPU engine; every
#     case is ok, each cuda case has a gpu/ group (backend host, a force_ms
#     row per timed step), its cpu twin has none, and the cuda case's
#     energies equal its cpu twin's to 1e-8 relative at every sample;
#  2. --device cuda with no GPU: every rank agrees, one line names the
#     reason and the valid choices, exit 3, no results written;
#  3. --device auto with no GPU: the cuda cases fold into their cpu twins
#     (a notice), all ok; --device cpu likewise;
#  4. --device cuda under the emulation moves every case to cuda.
# Usage: suite_gpu.sh MDBENCH_SUITE PYTHON
set -u
SUITE_BIN=$1 PY=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_base_warn_component_unused=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
if nvidia-smi -L >/dev/null 2>&1; then
  echo "a GPU is present: this test checks the behaviour without one; skipped"
  exit 77
fi

# 1. the emulated GPU
if MDBENCH_GPU_BACKEND=host mpirun -n 2 "$SUITE_BIN" quick -o "$tmp/e" --quiet; then ok; else no "emulated quick suite exited $?"; fi
"$PY" - "$tmp/e/results.h5" <<'PY' && ok || no "emulated quick suite results"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
cases = f["cases"]
cuda = [k for k in cases if cases[k].attrs["device"] == "cuda"]
cpu = [k for k in cases if cases[k].attrs["device"] == "cpu"]
bad = []
if len(cuda) < 5 or len(cpu) < 5: bad.append(f"{len(cuda)} cuda and {len(cpu)} cpu cases")
for k in cases:
    c = cases[k]
    if c.attrs["status"] != "ok": bad.append(f"{k}: {c.attrs['status']}")
for k in cuda:
    c = cases[k]
    if "gpu" not in c: bad.append(f"{k}: no gpu group"); continue
    g = c["gpu"]
    if g.attrs["backend"] != "host": bad.append(f"{k}: backend {g.attrs['backend']}")
    if len(g["force_ms"]) != c.attrs["n_timed_steps"]: bad.append(f"{k}: force_ms length")
    if not np.all(g["force_ms"][:] > 0): bad.append(f"{k}: force_ms not positive")
    twin = k[: -len("cuda")] + "cpu"
    if twin not in cases: bad.append(f"{k}: no cpu twin {twin}"); continue
    a = c["thermo/total_energy_eV"][:]; b = cases[twin]["thermo/total_energy_eV"][:]
    if len(a) != len(b) or np.max(np.abs(a - b) / np.abs(b)) > 1e-8:
        bad.append(f"{k}: energies differ from {twin} by {np.max(np.abs(a - b) / np.abs(b)) if len(a) == len(b) else 'length'}")
for k in cpu:
    if "gpu" in cases[k]: bad.append(f"{k}: a cpu case with a gpu group")
print(f"{len(cuda)} cuda cases on the emulated GPU, {len(cpu)} cpu cases; problems: {bad or 'none'}")
sys.exit(1 if bad else 0)
PY

# 2. --device cuda without a GPU: all ranks agree, one line, exit 3, nothing written
mpirun -n 2 "$SUITE_BIN" quick --device cuda -o "$tmp/c" >"$tmp/c.out" 2>"$tmp/c.err"
rc=$?
lines=$(grep -c "error" "$tmp/c.err")
if [[ $rc -eq 3 && $lines -eq 1 ]] && grep -q "no usable GPU on every rank (rank 0: .*valid here: --device cpu or auto)" "$tmp/c.err" &&
   [[ ! -e $tmp/c/results.h5 ]]; then ok; else no "--device cuda without a GPU: exit $rc, stderr: $(cat "$tmp/c.err")"; fi

# 3. auto and cpu without a GPU: cpu twins, all ok
for d in auto cpu; do
  if mpirun -n 2 "$SUITE_BIN" quick --device "$d" -o "$tmp/$d" >"$tmp/$d.out" 2>&1 &&
     "$PY" -c "
import h5py, sys
f = h5py.File('$tmp/$d/results.h5', 'r')
devs = {f['cases'][k].attrs['device'] for k in f['cases']}
sys.exit(0 if devs == {'cpu'} and len(f['cases']) >= 5 else 1)"; then ok; else no "--device $d without a GPU: $(tail -3 "$tmp/$d.out")"; fi
done
grep -q "notice: --device auto and no usable GPU" "$tmp/auto.out" && ok || no "no notice for --device auto: $(head -3 "$tmp/auto.out")"

# 4. --device cuda under the emulation: every case on cuda
if MDBENCH_GPU_BACKEND=host "$SUITE_BIN" quick --device cuda --dry-run >"$tmp/d.out" 2>&1 &&
   ! grep -q "_cpu\b\| cpu " "$tmp/d.out" && grep -q "cuda" "$tmp/d.out"; then ok; else no "--device cuda dry run: $(cat "$tmp/d.out")"; fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
