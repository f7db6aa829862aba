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
import signal
import subprocess
import sys
import tempfile
import time

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


def mdbench(binary, args, timeout=900, env=None):
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, env=env or ENV)
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
        dev = d["energy"]["max_abs_deviation_eV_per_atom"]
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


def run_json(binary, tally, case, args, env=None):
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "r.json")
        rc, so, se = mdbench(binary, ["run", "--system", "copper", "--atoms", "32", "--quiet", "--output", out, *args],
                             env=env)
        if rc != 0:
            tally.error(case, f"mdbench run exited {rc}: {se.strip()}")
            return None
        return json.load(open(out))


def model_time_checks(binary, tally):
    ms = 40.0
    model_file = os.path.abspath(__file__)  # any file: its SHA-256 must come back in metadata.model
    record = tempfile.NamedTemporaryFile(suffix=".ms", delete=False).name
    # with mdbench polling the socket near the expected reply (MDBENCH_IPI_SPIN_US): the model's own
    # time must not change by it
    d = run_json(binary, tally, "sleep 40 ms", ["--steps", "40", "--warmup", "2", "--threads", "3", "--calculator",
                                               spec("mdb_test_calcs:Sleepy", f"ms={ms:g}", f"model={model_file}",
                                                    f"record={record}")], env=dict(ENV, MDBENCH_IPI_SPIN_US="300"))
    own = np.array([float(x) for x in open(record).read().split()])
    os.unlink(record)
    if d is None:
        return
    import hashlib
    info = d["metadata"].get("model") or {}
    want = hashlib.sha256(open(model_file, "rb").read()).hexdigest()
    got = ((info.get("model_files") or {}).get("model") or {}).get("sha256")
    print(f"metadata.model: {json.dumps(info)}")
    tally.check("provenance", "model= SHA-256", 0.0 if got == want else 1.0, 0)
    tally.check("provenance", "--threads 3 reached the worker", 0.0 if info.get("threads") == 3 and
                info.get("omp_num_threads") == "3" else 1.0, 0)
    tally.check("provenance", "python version", 0.0 if info.get("python") == ".".join(
        map(str, sys.version_info[:3])) else 1.0, 0)
    import ase
    tally.check("provenance", "package ase version", 0.0 if info.get("package") == "mdb_test_calcs" and
                info.get("ase") == ase.__version__ else 1.0, 0)
    model = np.array(d["raw"]["model_ms"])
    step = np.array(d["raw"]["step_time_ms"])
    wait = np.array(d["raw"]["client_wait_ms"])
    split = d["performance"]["model_split"]
    print(f"sleep {ms} ms: model_ms median {np.median(model):.3f}, step median {np.median(step):.3f}, "
          f"transport+worker median {split['transport_worker_ms']['median']:.3f} ms, "
          f"integration median {split['integration_ms']['median'] * 1e3:.1f} us")
    # the known time: what the calculator measured of itself in each call (40 ms of spinning;
    # on a loaded machine preemption can stretch a call, and model_ms must show that call's time)
    own = own[-len(model):]
    print(f"calculator's own durations: median {np.median(own):.3f} ms; model_ms/own per step: "
          f"min {np.min(model / own):.4f} max {np.max(model / own):.4f}")
    tally.check("sleep 40 ms", "|median/own - 1|", abs(np.median(model) / np.median(own) - 1), 0.05)
    tally.check("sleep 40 ms", "model < own (count)", float(np.sum(model < own)), 0)  # model_ms encloses the call
    tally.check("sleep 40 ms", "|own median/40 - 1|", abs(np.median(own) / ms - 1), 0.5)
    tally.check("sleep 40 ms", "one per step", abs(len(model) - len(step)), 0)
    tally.check("sleep 40 ms", "model > wait (count)", float(np.sum(model > wait)), 0)
    tally.check("sleep 40 ms", "wait > step (count)", float(np.sum(wait > step)), 0)
    tally.check("sleep 40 ms", "split median rel",
                abs(split["model_ms"]["median"] - np.median(model)) / np.median(model), 1e-12)


def leak_checks(binary, tally):
    d = run_json(binary, tally, "leak 2 MB/call", ["--steps", "40", "--warmup", "0", "--memory-interval", "10",
                                                  "--calculator", spec("mdb_test_calcs:Leaky", "mb=2")])
    if d is None:
        return
    mem = d["memory"]
    model = mem["model"]
    grew = model["delta_gb"] * 1e9 / 2**20
    own = mem["delta_gb"] * 1e9 / 2**20
    print(f"leak: model grew {grew:.1f} MiB over 40 steps (expect ~80), mdbench {own:+.2f} MiB; "
          f"leak_detected {mem['leak_detected']}, mdbench_leak_detected {mem['mdbench_leak_detected']}, "
          f"peak {model['peak_gb']:.3f} GB, threads {model['threads']}, gpu {model['gpu_source']}")
    tally.check("leak 2 MB/call", "flag from model", 0.0 if mem["leak_detected"] is True else 1.0, 0)
    tally.check("leak 2 MB/call", "source model", 0.0 if mem["leak_source"] == "model" else 1.0, 0)
    tally.check("leak 2 MB/call", "own flag clear", 0.0 if mem["mdbench_leak_detected"] is False else 1.0, 0)
    tally.check("leak 2 MB/call", "|growth/80MiB - 1|", abs(grew / 80 - 1), 0.15)
    tally.check("leak 2 MB/call", "own |growth| MiB", abs(own), 2.0)
    tally.check("leak 2 MB/call", "samples", abs(len(d["raw"]["memory"]["model_bytes"]) -
                                                 len(d["raw"]["memory"]["bytes"])), 0)
    d = run_json(binary, tally, "no leak", ["--steps", "40", "--warmup", "0", "--memory-interval", "10",
                                           "--calculator", spec("mdb_test_calcs:Sleepy", "ms=0")])
    if d is not None:
        tally.check("no leak (Sleepy ms=0)", "flag clear", 0.0 if d["memory"]["leak_detected"] is False else 1.0, 0)
    # the printed summary: mdbench's own line carries mdbench's own verdict, the model's line the case's
    with tempfile.TemporaryDirectory() as work:
        rc, so, se = mdbench(binary, ["run", "--system", "copper", "--atoms", "32", "--steps", "40", "--warmup", "0",
                                      "--memory-interval", "10", "--output", os.path.join(work, "r.json"),
                                      "--calculator", spec("mdb_test_calcs:Leaky", "mb=2")])
    own_line = next((ln for ln in so.splitlines() if ln.strip().startswith("memory ")), "")
    model_line = next((ln for ln in so.splitlines() if ln.strip().startswith("model mem")), "")
    print(f"leak summary lines:\n  {own_line.strip()}\n  {model_line.strip()}")
    tally.check("leak summary", "own line: no (mdbench's own)",
                0.0 if rc == 0 and "leak no (host RSS, mdbench's own)" in own_line else 1.0, 0)
    tally.check("leak summary", "model line: DETECTED (verdict)",
                0.0 if "leak DETECTED (the case's verdict" in model_line else 1.0, 0)


def tether_checks(binary, tally):
    d = run_json(binary, tally, "tether", ["--steps", "400", "--warmup", "0", "--skin-A", "0.1", "--timestep-fs",
                                           "1", "--calculator", spec("mdb_test_calcs:Tether", "k=0.5")])
    if d is None:
        return
    dev = d["energy"]["max_abs_deviation_eV_per_atom"]
    builds = d["performance"]["neighbor_builds"]
    print(f"tether: {builds} neighbour builds, max|dE|/N {dev:.3e} eV/atom, status {d['status']}")
    tally.check("tether k=0.5, skin 0.1", "status ok", 0.0 if d["status"] == "ok" else 1.0, 0)
    tally.check("tether k=0.5, skin 0.1", "rebuilds < 10", max(0, 10 - builds), 0)
    tally.check("tether k=0.5, skin 0.1", "max|dE|/N eV", dev, 1e-4)


def suite_checks(binary, tally):
    """Two ase calculators (labels, threads 1 and 2) x two systems under mpirun -n 2 (argv[3]:
    mdbench-suite, argv[4]: mpirun): every case has model time and model memory in its JSON and
    in results.h5, and each worker was given its own thread count."""
    suite_bin, mpirun = sys.argv[3], sys.argv[4]
    try:
        import h5py
    except ImportError:
        peerlib.skip("h5py not importable")
    env = dict(ENV, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl="self,vader",
               OMPI_MCA_btl_base_warn_component_unused="0")
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
    with tempfile.TemporaryDirectory() as work:
        suite = os.path.join(work, "ml.json")
        calcs = [{"name": "ase", "calc": "mdb_test_calcs:Sleepy", "ms": 2, "python": PY, "threads": 1,
                  "label": "sleepy-t1"},
                 {"name": "ase", "calc": "mdb_test_calcs:Tether", "k": 0.5, "python": PY, "threads": 2,
                  "label": "tether-t2"}]
        json.dump({"steps": 30, "warmup": 2, "memory_interval": 10,
                   "matrix": {"system": ["copper", "argon"], "atoms": [32], "protocol": ["NVE"],
                              "calculator": calcs}}, open(suite, "w"))
        out = os.path.join(work, "out")
        p = subprocess.run([mpirun, "-n", "2", suite_bin, suite, "--output", out, "--quiet"], capture_output=True,
                           text=True, timeout=600, env=env)
        print(p.stdout[-2000:], p.stderr[-2000:])
        tally.check("suite 2 ase x 2 systems, 2 ranks", "exit 0", abs(p.returncode), 0)
        ids = sorted(f[:-5] for f in os.listdir(os.path.join(out, "cases")) if f.endswith(".json")) \
            if os.path.isdir(os.path.join(out, "cases")) else []
        print("cases:", ids)
        tally.check("suite 2 ase x 2 systems, 2 ranks", "4 cases by label",
                    abs(sum(any(lbl in i for lbl in ("sleepy-t1", "tether-t2")) for i in ids) - 4), 0)
        with h5py.File(os.path.join(out, "results.h5")) as f:
            for cid in ids:
                d = json.load(open(os.path.join(out, "cases", cid + ".json")))
                want_threads = 1 if "t1" in cid else 2
                info = d["metadata"].get("model") or {}
                ok_json = (len(d["raw"].get("model_ms", [])) == 30 and d["memory"]["model"]["peak_gb"] > 0.001
                           and info.get("threads") == want_threads
                           and info.get("omp_num_threads") == str(want_threads))  # the worker's own environment
                g = f["cases"][cid]
                ok_h5 = ("model" in g and len(g["model/model_ms"][()]) == 30 and
                         g["model"].attrs["memory_peak_bytes"] > 1e6 and "model_bytes" in g["memory"] and
                         json.loads(g["model"].attrs["info"]).get("threads") == want_threads)
                print(f"{cid}: threads given {info.get('threads')}, worker's OMP_NUM_THREADS "
                      f"{info.get('omp_num_threads')}, OS threads {d['memory']['model']['threads']}, "
                      f"model peak {d['memory']['model']['peak_gb']:.3f} GB, model_ms median "
                      f"{d['performance']['model_split']['model_ms']['median']:.3f}")
                tally.check(cid, "model in JSON", 0.0 if ok_json else 1.0, 0)
                tally.check(cid, "model in HDF5", 0.0 if ok_h5 else 1.0, 0)
        # validation loads each model once, whatever the number of systems: a dry run of 1 model x 3
        # systems constructs it exactly once (it did once per system)
        births = os.path.join(work, "births")
        dry = os.path.join(work, "dry.json")
        json.dump({"steps": 10, "matrix": {"system": ["copper", "argon", "silicon"], "atoms": [32],
                                           "calculator": [{"name": "ase", "calc": "mdb_test_calcs:Sleepy", "ms": 0,
                                                           "python": PY, "births": births}]}}, open(dry, "w"))
        p = subprocess.run([suite_bin, dry, "--dry-run"], capture_output=True, text=True, timeout=300, env=env)
        n = len(open(births).read().split()) if os.path.exists(births) else 0
        print(f"dry run of 1 model x 3 systems: exit {p.returncode}, model constructed {n} time(s)")
        tally.check("validation, 1 model x 3 systems", "exit 0", abs(p.returncode), 0)
        tally.check("validation, 1 model x 3 systems", "constructions - 1", abs(n - 1), 0)
        # the report's memory panel and its table of model processes (when matplotlib is there)
        if subprocess.run([sys.executable, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            rep = os.path.join(work, "report")
            r = subprocess.run([sys.executable, "-m", "mdbench_analysis", "report", os.path.join(out, "results.h5"),
                                "-o", rep], capture_output=True, text=True, timeout=300,
                               env=dict(env, PYTHONPATH=os.path.join(HERE, "..", "..", "analysis")))
            md = open(os.path.join(rep, "report.md")).read() if r.returncode == 0 else r.stderr
            rows = [ln for ln in md.splitlines() if ln.startswith("| ") and any(i in ln for i in ids)
                    and ln.count("|") == 8]
            tally.check("report", "model memory table rows", abs(len(rows) - 4), 0)


def chgnet_checks(binary, tally):
    """A real universal model shipped with its weights on PyPI: CHGNet on silicon 64, 100 NVE steps
    (python: $MDB_ML_PYTHON, else /usr/bin/python3; exit 77 when it cannot import chgnet)."""
    py = os.environ.get("MDB_ML_PYTHON", PY)
    if subprocess.run([py, "-c", "import chgnet"], capture_output=True).returncode != 0:
        peerlib.skip(f"{py} cannot import chgnet (pip install chgnet; MDB_ML_PYTHON=/path/to/python)")
    d = run_json(binary, tally, "chgnet si64", ["--system", "silicon", "--atoms", "64", "--steps", "100",
                                                "--warmup", "5", "--timestep-fs", "1", "--calculator",
                                                f"ase:calc=chgnet.model.dynamics:CHGNetCalculator,use_device=cpu,"
                                                f"python={py},label=chgnet"])
    if d is None:
        return
    dev = d["energy"]["max_abs_deviation_eV_per_atom"]
    info = d["metadata"].get("model") or {}
    print(f"CHGNet Si 64: {d['performance']['model_split']['model_ms']['median']:.2f} ms model, "
          f"{d['performance']['model_split']['harness_overhead_ms']['median'] * 1e3:.0f} us harness, "
          f"max|dE|/N {dev:.2e} eV/atom, model peak {d['memory']['model']['peak_gb']:.2f} GB, {info}")
    tally.check("chgnet si64", "status ok", 0.0 if d["status"] == "ok" else 1.0, 0)
    tally.check("chgnet si64", "100 model_ms", abs(len(d["raw"]["model_ms"]) - 100), 0)
    tally.check("chgnet si64", "max|dE|/N eV", dev, 1e-2)  # float32 model: a loose bound
    tally.check("chgnet si64", "torch reported", 0.0 if info.get("torch") and info.get("package") == "chgnet"
                else 1.0, 0)


def main():
    binary = peerlib.mdbench_binary()
    mode = sys.argv[2] if len(sys.argv) > 2 else "emt"
    tally = peerlib.Tally()
    {"emt": emt_checks, "nve": nve_checks, "errors": error_checks, "model_time": model_time_checks,
     "leak": leak_checks, "tether": tether_checks, "suite": suite_checks,
     "chgnet": chgnet_checks}[mode](binary, tally)
    tally.finish()


if __name__ == "__main__":
    main()
