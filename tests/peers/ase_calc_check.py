"""ase_calc_check.py — mdbench's `ase` calculator (its own Python worker) against ASE itself.

    ase_calc_check.py PATH/TO/mdbench MODE      (run with /usr/bin/python3; exit 77 without ASE)

Every spec passes python=/usr/bin/python3 (Debian's ASE belongs to it) and
the test calculators of tests/ml/mdb_test_calcs.py are found through
PYTHONPATH. Modes:
  emt      `mdbench eval` with ase:calc=ase.calculators.emt:EMT equals ASE's own
           EMT on the same configuration: rattled copper 108 and a rattled
           Cu/Al extended-XYZ alloy (108 atoms, 30 % Al): energy 1e-10
           relative, forces 1e-10 relative to the largest force, virial
           (= -V·stress) 1e-10 relative to its largest entry.
  nve      `mdbench run` NVE 1,000 steps (copper 32 atoms, 1 fs) through the
           worker: status ok, max |E - E0|/N <= 5e-5 eV/atom (the bound the
           ipi/ASE SocketClient test uses for the same model), step-0 energy
           equals ASE's EMT of the perfect lattice to 1e-10.
  errors   each gives exit 2 and one line naming the module and the
           interpreter, before any step: a module that does not import, a
           missing callable, a keyword EMT does not take, a constructor that
           raises, a python that does not exist, one that is not python; an
           exception in step 5 gives exit 1, status failed at that step, and
           the exception's last line.
Prints a table and `N passed, M failed`.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import peerlib  # noqa: E402  (exits 77 when numpy/ASE are missing)
import numpy as np  # noqa: E402
import ase.io  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.calculators.emt import EMT  # noqa: E402

PY = "/usr/bin/python3"
TESTCALCS = os.path.join(HERE, "..", "ml")
ENV = dict(os.environ, PYTHONPATH=os.path.abspath(TESTCALCS), OMP_NUM_THREADS="1")


def spec(calc, *extra):
    return ",".join([f"ase:calc={calc}", f"python={PY}", *extra])


def mdbench(binary, args, timeout=900):
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, env=ENV)
    return p.returncode, p.stdout, p.stderr


def emt_checks(binary, tally):
    cu = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(3)
    cu.rattle(0.05, seed=1)
    alloy = bulk("Cu", "fcc", a=3.7, cubic=True).repeat(3)
    rng = np.random.default_rng(7)
    symbols = np.array(alloy.get_chemical_symbols())
    symbols[rng.choice(len(alloy), size=32, replace=False)] = "Al"
    alloy.set_chemical_symbols(list(symbols))
    alloy.rattle(0.05, seed=3)
    with tempfile.TemporaryDirectory() as work:
        for case, atoms in (("eval Cu 108", cu), ("eval Cu/Al 108 xyz", alloy)):
            try:
                e, f, w, read = peerlib.run_mdbench(binary, atoms, spec("ase.calculators.emt:EMT"), work)
            except Exception as exc:  # noqa: BLE001
                tally.error(case, exc)
                continue
            ref = read.copy()
            ref.calc = EMT()
            e0 = ref.get_potential_energy()
            f0 = ref.get_forces()
            w0 = -ref.get_volume() * ref.get_stress(voigt=False)
            tally.check(case, "energy rel", abs(e - e0) / abs(e0), 1e-10)
            tally.check(case, "forces rel", float(np.max(np.abs(f - f0)) / np.max(np.abs(f0))), 1e-10)
            tally.check(case, "virial rel", float(np.max(np.abs(w - w0)) / np.max(np.abs(w0))), 1e-10)
            print(f"{case}: E {e:.12f} eV (ASE {e0:.12f}), max|F| {np.max(np.abs(f0)):.4f} eV/Å")


def nve_checks(binary, tally):
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "nve.json")
        rc, so, se = mdbench(binary, ["run", "--system", "copper", "--atoms", "32", "--timestep-fs", "1", "--steps",
                                      "1000", "--warmup", "0", "--quiet", "--output", out,
                                      "--calculator", spec("ase.calculators.emt:EMT")])
        if rc != 0:
            tally.error("nve ase/EMT 1000", f"mdbench run exited {rc}: {se.strip()}")
            return
        d = json.load(open(out))
        dev = d["energy"]["max_abs_deviation_ev_per_atom"]
        tally.check("nve ase/EMT 1000", "max|dE|/N eV", dev, 5e-5)
        perfect = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(2)
        perfect.calc = EMT()
        e0 = perfect.get_potential_energy()
        tally.check("nve ase/EMT 1000", "step-0 energy rel",
                    abs(d["raw"]["thermo"]["potential_energy_eV"][0] - e0) / abs(e0), 1e-10)
        tally.check("nve ase/EMT 1000", "steps done", abs(len(d["raw"]["step_time_ms"]) - 1000), 0)
        print(f"ase/EMT NVE 1000 steps: max|dE|/N {dev:.3e} eV/atom, "
              f"{d['performance']['mean_step_time_ms']:.2f} ms/step")


def error_checks(binary, tally):
    base = ["run", "--system", "copper", "--atoms", "32", "--steps", "20", "--warmup", "0", "--quiet"]
    cases = [
        ("missing module", spec("no_such_module_xyz:Calc"), "no_such_module_xyz", PY),
        ("missing callable", spec("ase.calculators.emt:NoSuch"), "NoSuch", PY),
        ("bad keyword", spec("ase.calculators.emt:EMT", "bogus_key=3"), "bogus_key", PY),
        ("failing constructor", spec("mdb_test_calcs:failing"), "no weights found", PY),
        ("python not there", "ase:calc=ase.calculators.emt:EMT,python=/no/such/python3", "/no/such/python3",
         "ase.calculators.emt"),
        ("python not python", "ase:calc=ase.calculators.emt:EMT,python=/bin/false", "/bin/false",
         "ase.calculators.emt"),
    ]
    for case, s, needle, needle2 in cases:
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "r.json")
            rc, so, se = mdbench(binary, base + ["--output", out, "--calculator", s], timeout=120)
            lines = [ln for ln in se.strip().splitlines() if ln.strip()]
            print(f"[{case}] exit {rc}: {se.strip()}")
            tally.check(case, "exit 2", abs(rc - 2), 0)
            tally.check(case, "one line", abs(len(lines) - 1), 0)
            tally.check(case, "names it", 0.0 if lines and needle in lines[0] and needle2 in lines[0] else 1.0, 0)
            tally.check(case, "no result file", 1.0 if os.path.exists(out) else 0.0, 0)
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "r.json")
        rc, so, se = mdbench(binary, base + ["--output", out, "--calculator", spec("mdb_test_calcs:Boom", "at=6")],
                             timeout=120)
        print(f"[exception mid-run] exit {rc}: {se.strip()}")
        tally.check("exception mid-run", "exit 1", abs(rc - 1), 0)
        d = json.load(open(out)) if os.path.exists(out) else {}
        fail = d.get("failure") or {}
        print(f"  status {d.get('status')}, failure {fail}")
        tally.check("exception mid-run", "status failed", 0.0 if d.get("status") == "failed" else 1.0, 0)
        tally.check("exception mid-run", "at step 5", abs(fail.get("step", -99) - 5), 0)
        tally.check("exception mid-run", "last line kept",
                    0.0 if "RuntimeError: boom at call 6" in fail.get("reason", "") else 1.0, 0)


def main():
    binary = peerlib.mdbench_binary()
    mode = sys.argv[2] if len(sys.argv) > 2 else "emt"
    tally = peerlib.Tally()
    {"emt": emt_checks, "nve": nve_checks, "errors": error_checks}[mode](binary, tally)
    tally.finish()


if __name__ == "__main__":
    main()
