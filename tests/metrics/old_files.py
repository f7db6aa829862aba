#!/usr/bin/env python3
"""Results written before the metric renames (mdbench 0.2, docs/metric-names.md) still load.

tests/data/v0.2 was written by mdbench built from commit bcfc3e4 (CUDA off):
  suite/results.h5, suite/summary.jsonc  `mdbench-suite tiny.json --output suite` (schema mdbench/1)
  cases/*.json                           the same suite's case files (schema mdbench-case/1)
  run_nve.json                           `mdbench run --atoms 32 --steps 60 --warmup 5 --seed 7`
They use the old names: energy.drift_slope_ev_per_atom_per_ps, energy.max_abs_deviation_ev_per_atom,
thermo.final_thermostat_barostat_energy_ev, /summary max_deviation_eV_per_atom.

Checks, each number against what the old file itself says (relative tolerance 1e-12: the
JSON holds every double exactly):
  1. `mdbench analyze --format json` of the old results.h5, of the old case JSON directory and
     of run_nve.json: median_ms, p99_ms, steps_per_second, peak_memory_gb, energy_drift,
     drift_slope_eV_per_atom_per_ps, max_abs_deviation_eV_per_atom, energy_std_eV,
     final_extended_energy_eV equal the old JSON's values under their old keys (none NaN);
  2. `mdbench regress` of the old results.h5 against the old case JSON: every case matched,
     verdict unchanged, exit 0, the drift metric's baseline and current equal |old slope|;
     `--gate drift_slope` (the old metric name) is still accepted;
  3. a run of today's `mdbench run` with the same settings writes the new names only (no old
     key) and the same physics: initial total energy within 1e-9 relative, drift slope and
     max deviation within 1e-4 relative of the old file's (same seed, same code path);
  4. the report package (analysis/mdbench_analysis) loads the old results.h5 with today's
     column names and the old JSON's numbers, and `summary` prints both cases.
Exit 0 all passed, 1 a failure, 77 skipped (no h5py for the report part).
"""
import json
import math
import os
import subprocess
import sys
import tempfile

MDB, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "tests/data/v0.2")
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}")
    return ok


def close(a, b, rel=1e-12):
    return a is not None and b is not None and math.isfinite(float(a)) and \
        math.isclose(float(a), float(b), rel_tol=rel, abs_tol=0.0)


def run(*args):
    p = subprocess.run([MDB, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def old_values(d):
    """The numbers an old case JSON holds, under the new names."""
    return {
        "median_ms": d["performance"]["median_step_time_ms"],
        "p99_ms": d["performance"]["p99_step_time_ms"],
        "steps_per_second": d["performance"]["steps_per_second"],
        "peak_memory_gb": d["memory"]["peak_gb"],
        "energy_drift": d["energy"]["drift"],
        "drift_slope_eV_per_atom_per_ps": d["energy"]["drift_slope_ev_per_atom_per_ps"],
        "max_abs_deviation_eV_per_atom": d["energy"]["max_abs_deviation_ev_per_atom"],
        "energy_std_eV": d["energy"]["std"],
        "final_extended_energy_eV": d["thermo"]["final_thermostat_barostat_energy_ev"],
    }


cases = {}
for name in sorted(os.listdir(os.path.join(DATA, "cases"))):
    with open(os.path.join(DATA, "cases", name)) as fh:
        d = json.load(fh)
    check(d["schema"] == "mdbench-case/1", f"{name} is an old file (schema {d['schema']})")
    cases[d["case_id"]] = old_values(d)
check(len(cases) == 2, f"two old case files ({len(cases)})")
with open(os.path.join(DATA, "run_nve.json")) as fh:
    run_old = json.load(fh)

# 1. analyze: the old HDF5, the old JSON directory, the old single JSON
for src, what in ((os.path.join(DATA, "suite/results.h5"), "old results.h5"),
                  (os.path.join(DATA, "cases"), "old case JSON directory")):
    rc, out, err = run("analyze", src, "--format", "json")
    if not check(rc == 0, f"analyze {what}: exit {rc} {err.strip()}"):
        continue
    got = {c["case_id"]: c for c in json.loads(out)["cases"]}
    check(set(got) == set(cases), f"analyze {what}: cases {sorted(got)}")
    for cid, want in cases.items():
        for k, v in want.items():
            check(close(got.get(cid, {}).get(k), v), f"analyze {what} {cid} {k}: {got.get(cid, {}).get(k)} vs {v}")
rc, out, err = run("analyze", os.path.join(DATA, "run_nve.json"), "--format", "json")
if check(rc == 0, f"analyze old run_nve.json: exit {rc} {err.strip()}"):
    got = json.loads(out)["cases"][0]
    for k, v in old_values(run_old).items():
        check(close(got.get(k), v), f"analyze old run_nve.json {k}: {got.get(k)} vs {v}")
rc, out, err = run("analyze", os.path.join(DATA, "suite/results.h5"), "--sort", "max_deviation_eV_per_atom")
check(rc == 0, f"analyze --sort by an old column name: exit {rc} {err.strip()}")

# 2. regress: old HDF5 against old JSON of the same run
with tempfile.TemporaryDirectory() as tmp:
    rep = os.path.join(tmp, "regress.json")
    rc, out, err = run("regress", "--baseline", os.path.join(DATA, "suite/results.h5"), "--current",
                       os.path.join(DATA, "cases"), "--output", rep)
    check(rc == 0, f"regress old h5 vs old JSON: exit {rc} {err.strip()}")
    if os.path.exists(rep):
        with open(rep) as fh:
            r = json.load(fh)
        pairs = [c for c in r["cases"] if c.get("metrics")]
        check(len(pairs) == 2, f"regress: two matched cases ({len(pairs)})")
        for c in pairs:
            cid = c.get("case")
            want = abs(cases.get(cid, {}).get("drift_slope_eV_per_atom_per_ps", float("nan")))
            m = c["metrics"].get("drift_slope_eV_per_atom_per_ps", {})
            check(close(m.get("baseline"), want) and close(m.get("current"), want),
                  f"regress {cid}: drift baseline/current {m.get('baseline')}/{m.get('current')} vs {want}")
            check(c["verdict"] == "unchanged", f"regress {cid}: verdict {c['verdict']}")
    rc, out, err = run("regress", "--baseline", os.path.join(DATA, "suite/results.h5"), "--current",
                       os.path.join(DATA, "suite/results.h5"), "--gate", "median_ms,drift_slope")
    check(rc == 0 and "drift_slope_eV_per_atom_per_ps" in out, f"regress --gate drift_slope (old name): exit {rc}")

    # 3. today's writer, same settings: new names only, same physics
    new = os.path.join(tmp, "run_nve_new.json")
    rc, out, err = run("run", "--atoms", "32", "--steps", "60", "--warmup", "5", "--seed", "7", "--quiet",
                       "--output", new)
    if check(rc == 0, f"mdbench run: exit {rc} {err.strip()}"):
        with open(new) as fh:
            d = json.load(fh)
        check(d["schema"] == "mdbench-case/2", f"new JSON schema {d['schema']}")
        for sec, key in (("energy", "drift_slope_ev_per_atom_per_ps"), ("energy", "max_abs_deviation_ev_per_atom"),
                         ("thermo", "conserved_drift_ev_per_atom_per_ps"), ("energy", "initial_total_ev"),
                         ("thermo", "final_thermostat_barostat_energy_ev")):
            check(key not in d[sec], f"new JSON has no old key {sec}.{key}")
        e = d["energy"]
        check(close(e["initial_total_eV"], run_old["energy"]["initial_total_ev"], 1e-9),
              f"initial total energy {e['initial_total_eV']} vs old {run_old['energy']['initial_total_ev']}")
        check(close(e["drift_slope_eV_per_atom_per_ps"], run_old["energy"]["drift_slope_ev_per_atom_per_ps"], 1e-4),
              f"drift slope {e['drift_slope_eV_per_atom_per_ps']} vs old "
              f"{run_old['energy']['drift_slope_ev_per_atom_per_ps']}")
        check(close(e["max_abs_deviation_eV_per_atom"], run_old["energy"]["max_abs_deviation_ev_per_atom"], 1e-4),
              "max deviation vs old")
        rc, out, err = run("analyze", new, "--format", "json")
        got = json.loads(out)["cases"][0] if rc == 0 else {}
        check(close(got.get("drift_slope_eV_per_atom_per_ps"), e["drift_slope_eV_per_atom_per_ps"]),
              "analyze of the new JSON reads its drift slope")

# 4. the report package
try:
    import h5py  # noqa: F401
    import numpy  # noqa: F401
except ImportError:
    print(f"passed {passed}, failed {failed}; report part skipped: no h5py/numpy")
    sys.exit(1 if failed else 77)
sys.path.insert(0, os.path.join(SRC, "analysis"))
from mdbench_analysis import results  # noqa: E402

res = results.load(os.path.join(DATA, "suite/results.h5"))
check(res.attrs.get("schema") == "mdbench/1", "the old file is mdbench/1")
rows = {r["case_id"]: r for r in res.rows}
for cid, want in cases.items():
    row = rows.get(cid, {})
    check("max_deviation_eV_per_atom" not in row, f"report row {cid}: old column name mapped")
    for k in ("median_ms", "drift_slope_eV_per_atom_per_ps", "max_abs_deviation_eV_per_atom", "energy_std_eV"):
        check(close(row.get(k), want[k]), f"report row {cid} {k}: {row.get(k)} vs {want[k]}")
check(res.units.get("max_abs_deviation_eV_per_atom") == "eV/atom", "report units under the new name")
env = dict(os.environ, PYTHONPATH=os.path.join(SRC, "analysis"))
p = subprocess.run([sys.executable, "-m", "mdbench_analysis", "summary", os.path.join(DATA, "suite/results.h5")],
                   capture_output=True, text=True, env=env)
check(p.returncode == 0 and all(cid in p.stdout for cid in cases),
      f"mdbench_analysis summary of the old file: exit {p.returncode} {p.stderr.strip()[-300:]}")
print(f"passed {passed}, failed {failed}")
sys.exit(1 if failed else 0)
