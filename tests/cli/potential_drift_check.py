#!/usr/bin/env python3
"""energy.potential_drift: the Python framework's drift, kept beside mdbench's.

usage: potential_drift_check.py MDBENCH

A silicon NVE run (64 atoms, 1000 steps, sw) from a perfect lattice at 300 K:
half the kinetic energy flows into the potential, so the potential energy
rises by about (3/4) N kB T ≈ 0.019 eV/atom against |U_0| ≈ 4.3 eV/atom
(≈ 4.5e-3), while the total energy is conserved to ~1e-5. Checks
  - energy.potential_drift equals (U_end − U_0)/|U_0| of raw.thermo (rel 1e-12),
  - energy.drift stays (E_end − E_0)/|E_0| of the total energy,
  - potential_drift lies in [1e-3, 1e-2] (the estimate above within ×4) and
    exceeds |drift| a hundredfold: they measure different things,
  - the HDF5 summary column potential_drift of a compare run equals the JSON.
"""
import json
import os
import subprocess
import sys
import tempfile

MDB = sys.argv[1]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "si.json")
    subprocess.run([MDB, "run", "--system", "silicon", "--atoms", "64", "--steps", "1000", "--output", out,
                    "--quiet"], check=True)
    d = json.load(open(out))
    en, th = d["energy"], d["raw"]["thermo"]
    u, e = th["potential_energy_eV"], th["total_energy_eV"]
    check("potential_drift" in en, "energy.potential_drift is in the JSON")
    pd, td = en.get("potential_drift", float("nan")), en["drift"]
    check(close(pd, (u[-1] - u[0]) / abs(u[0])), f"potential_drift {pd:.6e} = (U_end - U_0)/|U_0|")
    check(close(td, (e[-1] - e[0]) / abs(e[0])), f"drift {td:.3e} = (E_end - E_0)/|E_0| of the total energy")
    check(1e-3 <= pd <= 1e-2, f"potential_drift {pd:.3e} in [1e-3, 1e-2] (equipartition estimate ~4.5e-3)")
    check(pd > 100 * abs(td), f"potential_drift exceeds |drift| {abs(td):.2e} a hundredfold")

    cmp = os.path.join(tmp, "cmp")
    subprocess.run([MDB, "compare", "--calculators", "sw,sw", "--system", "silicon",
                    "--atoms", "64", "--steps", "1000", "--output", cmp, "--quiet"], check=True)
    h5 = os.path.join(cmp, "results.h5")
    try:
        import h5py
    except ImportError:
        h5py = None
    if h5py and os.path.exists(h5):
        with h5py.File(h5) as f:
            rows = f["summary"][()]
            check("potential_drift" in rows.dtype.names, "/summary has a potential_drift column")
            for row in rows:
                check(close(float(row["potential_drift"]), pd),
                      f"{row['case_id'].decode()}: summary potential_drift equals the run's (same seed, same trajectory)")
    else:
        print("(no h5py or no compare results.h5: HDF5 column not checked here; h5_layout covers it)")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("potential drift ok")
