#!/usr/bin/python3
"""mdbench_analysis.load(PATH): the summary as a pandas DataFrame with per-step arrays.

Runs tests/history/history_suite.json once and checks, against the file read
here with h5py: one row per /summary row, indexed by case_id; every numeric
summary field equal (exactly); step_time_ms and thermo_total_energy_eV equal
the datasets element for element; np.median(df.step_time_ms) equals
df.median_ms (1e-12 relative); df.attrs carries git_commit and created_utc.
Skipped (77) without pandas (Debian: python3-pandas), h5py or numpy.
Usage: frame_check.py MDBENCH_SUITE SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
    import pandas  # noqa: F401
except ImportError as e:
    print(f"skipped: {e.name} missing")
    sys.exit(77)

SUITE, SRC = sys.argv[1:3]
sys.path.insert(0, os.path.join(SRC, "analysis"))
import mdbench_analysis as mda  # noqa: E402

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader")
tmp = tempfile.mkdtemp(prefix="mdb_frame.")
subprocess.run([SUITE, os.path.join(SRC, "tests/history/history_suite.json"), "--output", tmp, "--quiet"],
               env=env, check=True)
path = os.path.join(tmp, "results.h5")
df = mda.load(path)
fails = []
with h5py.File(path, "r") as f:
    summ = f["summary"][()]
    if len(df) != len(summ):
        fails.append(f"{len(df)} rows, {len(summ)} in /summary")
    for rec in summ:
        cid = rec["case_id"].decode()
        row = df.loc[cid]
        for n in summ.dtype.names:
            v = rec[n]
            if isinstance(v, bytes) or v.dtype.kind in "SO":
                continue
            if not (row[n] == v or (np.isnan(v) and np.isnan(row[n]))):
                fails.append(f"{cid} {n}: {row[n]} vs {v}")
        g = f["cases"][cid]
        if not np.array_equal(row["step_time_ms"], g["step_time_ms"][()]):
            fails.append(f"{cid}: step_time_ms differs")
        if not np.array_equal(row["thermo_total_energy_eV"], g["thermo/total_energy_eV"][()]):
            fails.append(f"{cid}: thermo_total_energy_eV differs")
        med = float(np.median(row["step_time_ms"]))
        if abs(med - row["median_ms"]) > 1e-12 * med:
            fails.append(f"{cid}: median {med} vs {row['median_ms']}")
    for k in ("git_commit", "created_utc"):
        want = f.attrs[k].decode() if isinstance(f.attrs[k], bytes) else str(f.attrs[k])
        if df.attrs.get(k) != want:
            fails.append(f"attrs[{k}] {df.attrs.get(k)!r} vs {want!r}")
print(df[["n_atoms", "median_ms", "p99_ms"]])
for x in fails:
    print("FAIL:", x)
if not fails:
    subprocess.run(["rm", "-rf", tmp])
sys.exit(1 if fails else 0)
