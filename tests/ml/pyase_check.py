"""pyase_check.py — the in-process ASE plugin (plugins/pyase) against the `ase:` worker and ASE itself.

    pyase_check.py PATH/TO/mdbench PATH/TO/libmdbench_pyase.so MODE   (the plugin's Python; exit 77 without ASE)

Run with the Python the plugin embeds (tests/pyase.cmake passes it), so that
what this script can import, the plugin can too. Modes:
  match    `mdbench eval` of rattled copper 108 and a rattled Cu/Al alloy 108
           (extended XYZ) with plugin:...,calc=ase.calculators.emt:EMT equals
           the `ase:` worker's result on the same file: energy and every force
           component to 1e-9 eV, eV/Å (absolute); virial to 1e-9 eV; and
           ASE's own EMT to 1e-10 relative (energy, forces, −V·stress).
  nve      `mdbench run` NVE copper 32, 1 fs, 300 steps through the plugin:
           status ok, max |E − E0|/N <= 5e-5 eV/atom (the ase: EMT test's
           bound), step-0 energy = ASE's EMT of the perfect lattice to 1e-10
           relative; the model's time through plugin ABI 3: raw.model_ms has
           300 values, each > 0 and <= that step's time and the time inside
           the plugin call (raw.client_wait_ms), performance.model_split's
           model median equals the raw array's to 1e-9 ms.
  errors   a module that does not import and a callable that is not there:
           exit 2, one line naming the module (and the callable), no result
           file; python= that is neither the plugin's Python nor a venv of
           it, and the ase: worker's timeout= key: exit 2, one line naming it;
           an exception at the 6th call: exit 1, status failed at step 5 with
           the exception's last line.
  tether   a non-periodic harmonic tether (tests/ml Tether k=0.5), skin 0.1 Å so
           atoms wrap at >= 10 rebuilds, 400 NVE steps: max |E − E0|/N <= 1e-4
           eV/atom (the ase: tether bound; wrapped positions blow it up).
Prints a table and `N passed, M failed`.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "peers"))
import peerlib  # noqa: E402  (exits 77 when numpy/ASE are missing)
import numpy as np  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.calculators.emt import EMT  # noqa: E402

PY = sys.executable
ENV = dict(os.environ, PYTHONPATH=os.path.abspath(HERE), OMP_NUM_THREADS="1")


def plugin(lib, calc, *extra):
    return ",".join([f"plugin:lib={lib}", f"calc={calc}", *extra])


def mdbench(binary, args, timeout=600):
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, env=ENV)
    return p.returncode, p.stdout, p.stderr


def match_checks(binary, lib, tally):
    cu = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(3)
    cu.rattle(0.05, seed=1)
    alloy = bulk("Cu", "fcc", a=3.7, cubic=True).repeat(3)
    rng = np.random.default_rng(7)
    symbols = np.array(alloy.get_chemical_symbols())
    symbols[rng.choice(len(alloy), size=32, replace=False)] = "Al"
    alloy.set_chemical_symbols(list(symbols))
    alloy.rattle(0.05, seed=3)
    for case, atoms in (("eval Cu 108", cu), ("eval Cu/Al 108 xyz", alloy)):
        with tempfile.TemporaryDirectory() as w1, tempfile.TemporaryDirectory() as w2:
            try:
                e, f, w, read = peerlib.run_mdbench(binary, atoms, plugin(lib, "ase.calculators.emt:EMT"), w1)
                ea, fa, wa, _ = peerlib.run_mdbench(binary, atoms, f"ase:calc=ase.calculators.emt:EMT,python={PY}", w2)
            except Exception as exc:  # noqa: BLE001
                tally.error(case, exc)
                continue
        ref = read.copy()
        ref.calc = EMT()
        e0, f0 = ref.get_potential_energy(), ref.get_forces()
        w0 = -ref.get_volume() * ref.get_stress(voigt=False)
        tally.check(case, "|E - E(ase:)| eV", abs(e - ea), 1e-9)
        tally.check(case, "max|F - F(ase:)| eV/A", float(np.max(np.abs(f - fa))), 1e-9)
        tally.check(case, "max|W - W(ase:)| eV", float(np.max(np.abs(w - wa))), 1e-9)
        tally.check(case, "energy rel to ASE", abs(e - e0) / abs(e0), 1e-10)
        tally.check(case, "forces rel to ASE", float(np.max(np.abs(f - f0)) / np.max(np.abs(f0))), 1e-10)
        tally.check(case, "virial rel to ASE", float(np.max(np.abs(w - w0)) / np.max(np.abs(w0))), 1e-10)
        print(f"{case}: E {e:.12f} eV (ase: {ea:.12f}, ASE {e0:.12f}), max|F| {np.max(np.abs(f0)):.4f} eV/A")


def nve_checks(binary, lib, tally):
    case = "nve pyase/EMT 300"
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "nve.json")
        rc, so, se = mdbench(binary, ["run", "--system", "copper", "--atoms", "32", "--timestep-fs", "1", "--steps",
                                      "300", "--warmup", "0", "--quiet", "--output", out, "--calculator",
                                      plugin(lib, "ase.calculators.emt:EMT")])
        if rc != 0:
            tally.error(case, f"mdbench run exited {rc}: {se.strip()}")
            return
        d = json.load(open(out))
    dev = d["energy"]["max_abs_deviation_eV_per_atom"]
    tally.check(case, "status ok", 0.0 if d["status"] == "ok" else 1.0, 0)
    tally.check(case, "max|dE|/N eV", dev, 5e-5)
    perfect = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(2)
    perfect.calc = EMT()
    e0 = perfect.get_potential_energy()
    tally.check(case, "step-0 energy rel", abs(d["raw"]["thermo"]["potential_energy_eV"][0] - e0) / abs(e0), 1e-10)
    tally.check(case, "steps done", abs(len(d["raw"]["step_time_ms"]) - 300), 0)
    steps = np.array(d["raw"]["step_time_ms"])
    model = np.array(d["raw"].get("model_ms") or [np.nan])
    wait = np.array(d["raw"].get("client_wait_ms") or [np.nan])
    tally.check(case, "raw.model_ms values", abs(len(model) - 300), 0)
    ok = len(model) == len(steps) == len(wait) and bool(np.all(model > 0))
    tally.check(case, "model_ms > 0 every step", 0.0 if ok else 1.0, 0)
    if ok:
        tally.check(case, "max(model - step) ms", max(0.0, float(np.max(model - steps))), 0)
        tally.check(case, "max(model - call) ms", max(0.0, float(np.max(model - wait))), 0)
        split = (d["performance"].get("model_split") or {}).get("model_ms", {}).get("median", np.nan)
        tally.check(case, "split median - raw median ms", abs(split - float(np.median(model))), 1e-9)
    print(f"pyase/EMT NVE 300 steps: max|dE|/N {dev:.3e} eV/atom, step {np.median(steps):.3f} ms, "
          f"model {np.median(model):.3f} ms, plugin call {np.median(wait):.3f} ms (medians)")


def error_checks(binary, lib, tally):
    base = ["run", "--system", "copper", "--atoms", "32", "--steps", "20", "--warmup", "0", "--quiet"]
    cases = [
        ("missing module", plugin(lib, "no_such_module_xyz:Calc"), ["no_such_module_xyz", PY]),
        ("missing callable", plugin(lib, "ase.calculators.emt:NoSuch"), ["ase.calculators.emt", "NoSuch", PY]),
        ("python not this one", plugin(lib, "ase.calculators.emt:EMT", "python=/bin/false"), ["/bin/false", PY]),
        ("ase: key timeout=", plugin(lib, "ase.calculators.emt:EMT", "timeout=30"), ["'timeout'"]),
    ]
    for case, s, needles in cases:
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "r.json")
            rc, so, se = mdbench(binary, base + ["--output", out, "--calculator", s], timeout=120)
            lines = [ln for ln in se.strip().splitlines() if ln.strip()]
            print(f"[{case}] exit {rc}: {se.strip()}")
            tally.check(case, "exit 2", abs(rc - 2), 0)
            tally.check(case, "one line", abs(len(lines) - 1), 0)
            tally.check(case, "names it", 0.0 if lines and all(n in lines[0] for n in needles) else 1.0, 0)
            tally.check(case, "no result file", 1.0 if os.path.exists(out) else 0.0, 0)
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "r.json")
        rc, so, se = mdbench(binary, base + ["--output", out, "--calculator", plugin(lib, "mdb_test_calcs:Boom", "at=6")],
                             timeout=120)
        print(f"[exception mid-run] exit {rc}: {se.strip()}")
        tally.check("exception mid-run", "exit 1", abs(rc - 1), 0)
        d = json.load(open(out)) if os.path.exists(out) else {}
    fail = d.get("failure") or {}
    tally.check("exception mid-run", "status failed", 0.0 if d.get("status") == "failed" else 1.0, 0)
    tally.check("exception mid-run", "at step 5", abs(fail.get("step", -99) - 5), 0)
    tally.check("exception mid-run", "last line kept",
                0.0 if "RuntimeError: boom at call 6" in fail.get("reason", "") else 1.0, 0)


def tether_checks(binary, lib, tally):
    case = "tether k=0.5, skin 0.1"
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "r.json")
        rc, so, se = mdbench(binary, ["run", "--system", "copper", "--atoms", "32", "--quiet", "--output", out,
                                      "--steps", "400", "--warmup", "0", "--skin-A", "0.1", "--timestep-fs", "1",
                                      "--calculator", plugin(lib, "mdb_test_calcs:Tether", "k=0.5")])
        if rc != 0:
            tally.error(case, f"mdbench run exited {rc}: {se.strip()}")
            return
        d = json.load(open(out))
    dev = d["energy"]["max_abs_deviation_eV_per_atom"]
    builds = d["performance"]["neighbor_builds"]
    print(f"tether: {builds} neighbour builds, max|dE|/N {dev:.3e} eV/atom, status {d['status']}")
    tally.check(case, "status ok", 0.0 if d["status"] == "ok" else 1.0, 0)
    tally.check(case, "rebuilds < 10", max(0, 10 - builds), 0)
    tally.check(case, "max|dE|/N eV", dev, 1e-4)


def main():
    binary, lib, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    tally = peerlib.Tally()
    {"match": match_checks, "nve": nve_checks, "errors": error_checks, "tether": tether_checks}[mode](binary, lib, tally)
    tally.finish()


if __name__ == "__main__":
    main()
