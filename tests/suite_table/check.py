#!/usr/bin/python3
"""mdbench-suite's final table and summary.jsonc, on argon in NVE, NVT and NPT.

The table's drift column: for NVE the total-energy drift labelled "total"
(equal to /summary energy_drift to the 4 printed digits); for NVT and NPT the
conserved-quantity drift (C_end - C_0)/|C_0| of thermo/conserved_energy_eV,
computed here with h5py, labelled "conserved" (4 digits). summary.jsonc has
potential_drift per case, equal to /summary potential_drift (1e-12 relative).
Skipped (77) without h5py/numpy. Usage: check.py MDBENCH_SUITE SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
except ImportError as e:
    print(f"skipped: {e.name} missing")
    sys.exit(77)

SUITE, SRC = sys.argv[1:3]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader")
tmp = tempfile.mkdtemp(prefix="mdb_table.")
p = subprocess.run([SUITE, os.path.join(SRC, "tests/suite_table/nvt_suite.json"), "--output", tmp],
                   env=env, capture_output=True, text=True)
print(p.stdout)
fails = []
lines = {ln.split()[0]: ln.split() for ln in p.stdout.splitlines() if ln.startswith("argon_")}
sj = {c["case_id"]: c for c in json.load(open(os.path.join(tmp, "summary.jsonc")))["cases"]}
with h5py.File(os.path.join(tmp, "results.h5"), "r") as f:
    for rec in f["summary"][()]:
        cid, proto = rec["case_id"].decode(), rec["protocol"].decode()
        if proto == "NVE":
            want, label = float(rec["energy_drift"]), "total"
        else:
            c = f["cases"][cid]["thermo/conserved_energy_eV"][()]
            want, label = float((c[-1] - c[0]) / abs(c[0])), "conserved"
        cells = lines.get(cid)
        if not cells:
            fails.append(f"{cid}: no table line")
            continue
        got, lab = float(cells[5]), cells[6]
        print(f"{cid}: table {got:.3e} {lab}, computed {want:.3e} {label}")
        if lab != label or abs(got - want) > 5e-4 * abs(want):
            fails.append(f"{cid}: table {got} {lab}, expected {want} {label}")
        pd_ = float(rec["potential_drift"])
        if abs(sj[cid].get("potential_drift", float("nan")) - pd_) > 1e-12 * abs(pd_) or not np.isfinite(pd_):
            fails.append(f"{cid}: summary.jsonc potential_drift {sj[cid].get('potential_drift')} vs {pd_}")
if len(lines) != 3:
    fails.append(f"{len(lines)} table lines, expected 3")
if "drift (of energy)" not in p.stdout:
    fails.append("table header without 'drift (of energy)'")
for x in fails:
    print("FAIL:", x)
if not fails:
    subprocess.run(["rm", "-rf", tmp])
sys.exit(1 if fails else 0)
