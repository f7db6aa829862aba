#!/usr/bin/env bash
# ml_overhead.sh — the harness's cost per MD step around an ASE force field:
# an ASE VelocityVerlet loop (the seed framework's way) against
# `mdbench run --calculator ase:...`, same model, same system, one run each.
#
# Usage: bench/ml_overhead.sh [PATH/TO/mdbench]
#   env: STEPS (500)          timed MD steps per run (after 10 warmup steps)
#        PY (/usr/bin/python3) the interpreter with ASE (and the ML packages)
#        MDBENCH              mdbench binary (default: the argument, else build/mdbench)
#        PYASE                the in-process plugin (default: plugins/pyase/libmdbench_pyase.so
#                             beside mdbench); its rows are skipped when it is not there or
#                             refuses python=$PY (another Python than the one it embeds)
#
# Per step, overhead = step time − model time:
#   ASE loop: step = wall time around dyn.run(1); model = wall time inside the
#             calculator's calculate() (wrapped with perf_counter), so the
#             overhead is ASE's Atoms/Calculator bookkeeping and the integrator.
#   mdbench:  step = raw.step_time_ms; model = raw.model_ms (the worker's
#             perf_counter around calculate()); the overhead is mdbench's
#             integration, the socket round trip and the worker's own Python
#             (performance.model_split.harness_overhead_ms).
#   mdbench in process (plugin:lib=libmdbench_pyase.so,calc=...): step = raw.step_time_ms;
#             model = raw.model_ms (the plugin's own clock around calculate(),
#             reported through plugin ABI 3), so the overhead is mdbench's
#             integration and the plugin's C-API calls around the model.
# Models: EMT (ase.calculators.emt:EMT) on copper 108 and a zero-cost test
# calculator (tests/ml/mdb_test_calcs.py Sleepy ms=0) always; CHGNet on
# silicon 64 and MACE-MP small on copper 108 when $PY can import them.
# Everything runs single-threaded (OMP_NUM_THREADS=1).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib.sh"
STEPS=${STEPS:-500}
PY=${PY:-/usr/bin/python3}
MDBENCH=${MDBENCH:-${1:-$repo/build/mdbench}}
PYASE=${PYASE:-$(dirname "$MDBENCH")/plugins/pyase/libmdbench_pyase.so}
export OMP_NUM_THREADS=1

[[ $STEPS =~ ^[1-9][0-9]*$ ]] || die "STEPS must be a positive integer (got '$STEPS')"
[[ -x $MDBENCH ]] || die "no mdbench binary at $MDBENCH (build it: cmake -S . -B build && cmake --build build)"
"$PY" -c "import ase" 2>/dev/null || die "$PY cannot import ase (Debian: apt install python3-ase; or PY=...)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ase_loop SYSTEM NATOMS MODULE:CALLABLE KWARGS_JSON -> JSON {step_ms: [...], model_ms: [...]}
ase_loop() {
  "$PY" - "$@" "$STEPS" <<'EOF'
import contextlib, importlib, json, sys, time
import numpy as np
from ase import units
from ase.build import bulk
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase.md.verlet import VelocityVerlet

system, natoms, calc, kwargs, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4]), int(sys.argv[5])
if system == "copper":
    atoms = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(round((natoms / 4) ** (1 / 3)))
else:
    atoms = bulk("Si", "diamond", a=5.431, cubic=True).repeat(round((natoms / 8) ** (1 / 3)))
mod, _, name = calc.partition(":")
with contextlib.redirect_stdout(sys.stderr):  # models that print while loading (CHGNet) keep stdout JSON
    c = getattr(importlib.import_module(mod), name)(**kwargs)
model = []
inner = c.calculate
def timed(*a, **k):  # the model's own time, as mdbench's worker measures it
    t0 = time.perf_counter()
    inner(*a, **k)
    model.append(time.perf_counter() - t0)
c.calculate = timed
atoms.calc = c
MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.default_rng(42))
dyn = VelocityVerlet(atoms, timestep=1.0 * units.fs)
step = []
for k in range(10 + steps):
    n0 = len(model)
    t0 = time.perf_counter()
    dyn.run(1)
    t1 = time.perf_counter()
    if k >= 10:
        step.append(t1 - t0)
        model_k = sum(model[n0:])
        model[n0:] = [model_k]
model = model[-steps:]
print(json.dumps({"step_ms": [1e3 * s for s in step], "model_ms": [1e3 * m for m in model]}))
EOF
}

# stats NAME JSON -> one table row: step, model, overhead median/p99 (µs)
row() {
  "$PY" - "$1" "$2" <<'EOF'
import json, sys
import numpy as np
d = json.load(open(sys.argv[2]))
step = np.array(d["raw"]["step_time_ms"] if "raw" in d else d["step_ms"])
model = np.array(d["raw"]["model_ms"] if "raw" in d else d["model_ms"])
over = (step - model) * 1e3
print(f"{sys.argv[1]:<46} {np.median(step):10.3f} {np.median(model):10.3f} {np.median(over):12.1f} "
      f"{np.percentile(over, 99):10.1f}")
EOF
}

bench_model() { # LABEL SYSTEM NATOMS MODULE:CALLABLE KWARGS_JSON SPEC_KEYS
  local label=$1 system=$2 natoms=$3 calc=$4 kwargs=$5 keys=$6
  ase_loop "$system" "$natoms" "$calc" "$kwargs" >"$work/ase.json" || die "the ASE loop failed for $calc"
  "$MDBENCH" run --system "$system" --atoms "$natoms" --steps "$STEPS" --warmup 10 --quiet \
    --output "$work/md.json" --calculator "ase:calc=$calc,python=$PY${keys:+,$keys}" ||
    die "mdbench run --calculator ase:calc=$calc failed"
  row "ASE VelocityVerlet, $label" "$work/ase.json"
  row "mdbench ase:, $label" "$work/md.json"
  [[ -f $PYASE ]] || return 0
  if ! "$MDBENCH" run --system "$system" --atoms "$natoms" --steps "$STEPS" --warmup 10 --quiet \
    --output "$work/pyase.json" --calculator \
    "plugin:lib=$PYASE,calc=$calc,python=$PY${keys:+,$keys}" 2>"$work/pyase.err"; then
    echo "mdbench in-process, $label: skipped: $(tail -n1 "$work/pyase.err")"
    return 0
  fi
  row "mdbench in-process, $label" "$work/pyase.json"
}

echo "harness overhead per MD step = step − model time; $STEPS timed steps, OMP_NUM_THREADS=1"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$PY" -c 'import ase, sys; print("python", sys.version.split()[0], "ase", ase.__version__)')"
printf '%-46s %10s %10s %12s %10s\n' "run" "step ms" "model ms" "over. µs" "p99 µs"
printf '%-46s %10s %10s %12s %10s\n' "" "median" "median" "median" ""
bench_model "EMT copper 108" copper 108 ase.calculators.emt:EMT '{}' ""
# a model that costs nothing (tests/ml: zero forces, no work): the harness alone, without the
# scheduling noise a long force call adds on a busy machine
PYTHONPATH="$repo/tests/ml${PYTHONPATH:+:$PYTHONPATH}" \
  bench_model "zero-cost model copper 108" copper 108 mdb_test_calcs:Sleepy '{"ms": 0}' "ms=0"
if "$PY" -c "import chgnet" 2>/dev/null; then
  bench_model "CHGNet silicon 64" silicon 64 chgnet.model.dynamics:CHGNetCalculator '{}' ""
fi
if "$PY" -c "import mace" 2>/dev/null; then
  bench_model "MACE-MP small copper 108" copper 108 mace.calculators:mace_mp '{"model": "small"}' "model=small"
fi
