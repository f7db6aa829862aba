#!/usr/bin/python3
"""The Python framework's `--analyze DIR` against mdbench's folders.

framework_load_dir() is a copy of the framework's directory loading written
from its guide (shared/reference/md-trajectory-benchmark-guide.md: "Analyze
directory of results", the "BenchmarkResults JSON" schema), not from its
code: every *.json file under DIR (recursively, sorted) is one
BenchmarkResults, built from its four blocks with the keys the guide lists;
a file without them fails the whole command (KeyError), as the framework
does on a summary or comparison file. Recursion is this copy's reading of
the guide: a suite's case files sit in DIR/cases/.

Checked:
  - a suite folder (tests/history/history_suite.json) loads: one result per
    /summary row (file name = case id), n_atoms, protocol equal, p99 and mean step time equal
    to /summary (1e-12 relative);
  - a compare folder (mdbench compare --calculators lj,lj) loads: two results,
    the reference's and the other's mean step time as in results.h5;
  - the old layout does not (a summary.json or comparison.json beside the
    case files fails the loader), so the check can fail;
  - mdbench itself still reads the old names: a directory holding an old
    comparison.json is recognised as mdbench compare's (mdbench-suite refuses
    it, exit 2, naming it).
Usage: analyze_dir.py MDBENCH_SUITE MDBENCH SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import h5py
except ImportError as e:
    print(f"skipped: {e.name} missing")
    sys.exit(77)

SUITE, MDB, SRC = sys.argv[1:4]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader")
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print("FAIL:", what)


class BenchmarkResults:
    """The guide's BenchmarkResults JSON: metadata, performance, memory, energy."""

    def __init__(self, d):
        m, p, mem, e = d["metadata"], d["performance"], d["memory"], d["energy"]
        self.name, self.protocol, self.n_steps = m["name"], m["protocol"], m["n_steps"]
        self.n_atoms, self.system_type, self.device = m["n_atoms"], m["system_type"], m["device"]
        self.total_time_s, self.steps_per_second = p["total_time_s"], p["steps_per_second"]
        self.mean_step_time_ms, self.std_step_time_ms = p["mean_step_time_ms"], p["std_step_time_ms"]
        self.median_step_time_ms = p["median_step_time_ms"]
        self.p95_step_time_ms, self.p99_step_time_ms = p["p95_step_time_ms"], p["p99_step_time_ms"]
        self.memory = {k: mem[k] for k in ("before_gb", "after_gb", "delta_gb", "peak_gb", "leak_detected")}
        self.energy_std, self.energy_drift = e["std"], e["drift"]

    def summary(self):
        return (f"{self.name}: {self.mean_step_time_ms:.3f} ms/step, {self.steps_per_second:.1f} steps/s, "
                f"drift {self.energy_drift:.2e}")


def framework_load_dir(d):
    out = []
    for f in sorted(Path(d).rglob("*.json")):
        with open(f) as fh:
            r = BenchmarkResults(json.load(fh))
        r.file = f.stem  # mdbench names each case file after its case id
        out.append(r)
    return out


def loads(d):
    try:
        return framework_load_dir(d), None
    except (KeyError, TypeError, ValueError) as e:
        return None, f"{type(e).__name__}: {e}"


def summary(h5):
    with h5py.File(h5, "r") as f:
        return {r["case_id"].decode(): r for r in f["summary"][()]}


tmp = tempfile.mkdtemp(prefix="mdb_framework.")
# ---- a suite folder
sdir = os.path.join(tmp, "suite")
p = subprocess.run([SUITE, os.path.join(SRC, "tests/history/history_suite.json"), "--output", sdir, "--quiet"],
                   env=env, capture_output=True, text=True)
check(p.returncode == 0, f"suite exit {p.returncode}: {p.stderr}")
res, err = loads(sdir)
check(res is not None, f"the framework loads the suite folder: {err}")
rows = summary(os.path.join(sdir, "results.h5"))
if res is not None:
    check(len(res) == len(rows) == 2, f"{len(res)} results, {len(rows)} summary rows")
    for r in res:
        print("suite:", r.summary())
        row = rows.get(r.file)
        check(row is not None, f"{r.file} is a case of results.h5")
        if row is None:
            continue
        check(r.n_atoms == int(row["n_atoms"]) and r.protocol == row["protocol"].decode(), f"{r.name}: metadata")
        for a, k in (("p99_step_time_ms", "p99_ms"), ("mean_step_time_ms", "mean_ms")):
            v = float(row[k])
            check(abs(getattr(r, a) - v) <= 1e-12 * v, f"{r.name} {a} {getattr(r, a)} vs /summary {v}")
check(os.path.exists(os.path.join(sdir, "summary.jsonc")) and not os.path.exists(os.path.join(sdir, "summary.json")),
      "the suite's summary is summary.jsonc")
# the old layout fails the loader
old = os.path.join(tmp, "suite_old")
shutil.copytree(sdir, old)
os.rename(os.path.join(old, "summary.jsonc"), os.path.join(old, "summary.json"))
res, err = loads(old)
check(res is None, "a summary.json beside the case files fails the framework's loader")
print("old suite layout:", err)

# ---- a compare folder
cdir = os.path.join(tmp, "compare")
p = subprocess.run([MDB, "compare", "--calculators", "lj,lj", "--system", "argon", "--atoms", "108", "--steps", "100",
                    "--output", cdir, "--quiet"], env=env, capture_output=True, text=True)
check(p.returncode == 0, f"compare exit {p.returncode}: {p.stderr}")
res, err = loads(cdir)
check(res is not None, f"the framework loads the compare folder: {err}")
crows = summary(os.path.join(cdir, "results.h5"))
if res is not None:
    check(sorted(r.file for r in res) == sorted(crows) and len(res) == 2, f"{[r.file for r in res]} vs {list(crows)}")
    for r in res:
        print("compare:", r.summary())
        v = float(crows[r.file]["mean_ms"]) if r.file in crows else float("nan")
        check(abs(r.mean_step_time_ms - v) <= 1e-12 * v, f"{r.name} mean {r.mean_step_time_ms} vs {v}")
cmp = json.load(open(os.path.join(cdir, "comparison.jsonc")))
check(len(cmp["calculators"]) == 2, "comparison.jsonc is the comparison table (2 calculators)")
oldc = os.path.join(tmp, "compare_old")
shutil.copytree(cdir, oldc)
os.rename(os.path.join(oldc, "comparison.jsonc"), os.path.join(oldc, "comparison.json"))
res, err = loads(oldc)
check(res is None, "a comparison.json beside the case files fails the framework's loader")
# ---- mdbench still recognises an old compare directory by its comparison.json
os.remove(os.path.join(oldc, "results.h5"))
p = subprocess.run([SUITE, os.path.join(SRC, "tests/history/history_suite.json"), "--output", oldc, "--quiet"],
                   env=env, capture_output=True, text=True)
check(p.returncode == 2 and "mdbench compare" in p.stderr,
      f"a directory with an old comparison.json is mdbench compare's: exit {p.returncode}, {p.stderr.strip()}")
print(p.stderr.strip())
for x in fails:
    print("FAIL:", x)
if not fails:
    shutil.rmtree(tmp)
sys.exit(1 if fails else 0)
