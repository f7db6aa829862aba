#!/usr/bin/env python3
"""mdbench compare: identical seeded starts, speedup table, files, shadow mode, bad input.

usage: compare_check.py MDBENCH
Exit 0 when every check passes, 1 otherwise, 77 when h5py/numpy are missing.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    print(f"skip: {e}")
    sys.exit(77)

MDBENCH = sys.argv[1]
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def run(*args, expect=0):
    p = subprocess.run([MDBENCH, "compare", *args], capture_output=True, text=True, timeout=240)
    if p.returncode != expect:
        print(p.stdout, p.stderr)
    return p


tmp = tempfile.mkdtemp(prefix="mdb-compare-")

# ---- two instances of the same calculator start identically and stay identical
out = os.path.join(tmp, "same")
p = run("--calculators", "lj,lj", "--system", "argon", "--atoms", "256", "--steps", "300", "--seed", "7",
        "--energy-interval", "5", "--output", out)
check(p.returncode == 0, f"compare lj,lj exits 0 (got {p.returncode})")
files = sorted(os.listdir(out))
check(files == ["comparison.jsonc", "lj-2.json", "lj.json", "results.h5"], f"files {files}")
a, b = (json.load(open(os.path.join(out, f))) for f in ("lj.json", "lj-2.json"))
with h5py.File(os.path.join(out, "results.h5")) as f:
    check(f.attrs["schema"] == "mdbench/2" and f.attrs["n_cases"] == 2, "results.h5 is mdbench/2 with 2 cases")
    ea = f["cases/lj/thermo/total_energy_eV"][()]
    eb = f["cases/lj-2/thermo/total_energy_eV"][()]
    check(len(ea) == (300 + 10) // 5 + 1 and np.array_equal(ea, eb),
          f"same seed, same calculator: all {len(ea)} energy samples bit-identical (first {ea[0]!r})")
    check(np.array_equal(f["cases/lj/thermo/temperature_K"][()], f["cases/lj-2/thermo/temperature_K"][()]),
          "temperatures bit-identical")
    ms = f["cases/lj-2/step_time_ms"][()]
    check(len(ms) == 300, "300 step times")
cmp = json.load(open(os.path.join(out, "comparison.jsonc")))
rows = cmp["calculators"]
check([r["case_id"] for r in rows] == ["lj", "lj-2"], "comparison rows in order")
s = rows[1]
check(s["speedup_ci95_low"] <= s["speedup"] <= s["speedup_ci95_high"], f"speedup {s['speedup']:.3f} inside its interval")
with h5py.File(os.path.join(out, "results.h5")) as f:
    m0 = f["cases/lj/step_time_ms"][()].mean()
    m1 = f["cases/lj-2/step_time_ms"][()].mean()
check(abs(s["speedup"] - m0 / m1) < 1e-12 * m0 / m1, f"speedup = mean0/mean1 = {m0 / m1:.4f}")
check(0.3 < s["speedup"] < 3, "same code, same machine: speedup near 1 (0.3..3)")
check(rows[0]["initial_energy_eV"] == rows[1]["initial_energy_eV"] == ea[0], "initial energies equal in comparison.jsonc")
check("speedup [95% CI]" in p.stdout and "1 (reference)" in p.stdout, "the table is printed")

# ---- the guide's spelling: --compare A B
out2 = os.path.join(tmp, "guide")
p = run("--compare", "lj", "lj:rc=6.0", "--system", "argon", "--atoms", "108", "--steps", "50", "--output", out2)
check(p.returncode == 0 and os.path.exists(os.path.join(out2, "lj_rc_6.0.json")), "--compare A B works, ids from specs")

# ---- shadow: a calculator shadowing itself has zero error
out3 = os.path.join(tmp, "self")
p = run("--reference", "lj", "--shadow", "lj", "--system", "argon", "--atoms", "256", "--steps", "200",
        "--output", out3)
check(p.returncode == 0, "shadow self exits 0")
with h5py.File(os.path.join(out3, "results.h5")) as f:
    g = f["cases/lj/shadow"]
    n = len(g["step"])
    check(n == 211 and list(g["step"][:3]) == [0, 1, 2], f"one shadow record per step, step 0 included ({n})")
    check(len(g["step_time_ms"]) == 200, "one shadow latency per timed step")
    for k in ("force_mae_eV_per_A", "force_rmse_eV_per_A", "force_max_eV_per_A", "energy_diff_eV_per_atom"):
        check(np.max(np.abs(g[k][()])) <= 1e-12, f"self-shadow {k} = 0 (max {np.max(np.abs(g[k][()])):.2e})")
    check(g.attrs["calculator"] == "lj" and g.attrs["reference_calculator"] == "lj", "shadow attributes")
    units = {k: g[k].attrs["units"] for k in g}
    check(units["force_rmse_eV_per_A"] == "eV/A" and units["step_time_ms"] == "ms", "shadow units")

# ---- lj shadowing eam on copper: non-zero error of plausible size
pot = "/usr/share/lammps/potentials/Cu_u3.eam"
ref = f"eam:file={pot}" if os.path.exists(pot) else "eam"
out4 = os.path.join(tmp, "cu")
p = run("--reference", ref, "--shadow", "lj", "--system", "copper", "--atoms", "108", "--steps", "300",
        "--temperature-K", "600", "--energy-interval", "10", "--output", out4)
check(p.returncode == 0, f"lj shadowing {ref} exits 0")
with h5py.File(os.path.join(out4, "results.h5")) as f:
    cid = list(f["cases"])[0]
    c = f["cases"][cid]
    g = c["shadow"]
    mae, rmse, fmax = g["force_mae_eV_per_A"][()], g["force_rmse_eV_per_A"][()], g["force_max_eV_per_A"][()]
    de = g["energy_diff_eV_per_atom"][()]
    steps = g["step"][()]
    # a perfect lattice at step 0: both force fields give zero force
    check(rmse[0] < 1e-10, f"step 0 (perfect lattice): both forces vanish (rmse {rmse[0]:.1e})")
    late = rmse[steps >= 100]
    check(0.01 < late.mean() < 5.0, f"lj vs eam force RMSE after 100 fs: {late.mean():.3f} eV/A (plausible: 0.01..5)")
    check(np.all(mae <= rmse + 1e-15) and np.all(rmse <= fmax + 1e-15), "MAE <= RMSE <= max at every step")
    check(np.all(np.isfinite(de)) and abs(de.mean()) > 1e-3, f"energy difference {de.mean():.4f} eV/atom, non-zero")
    # the reference energies recorded by the shadow are the reference's own
    th_step = c["thermo/step"][()]
    th_pot = c["thermo/potential_energy_eV"][()]
    ref_e = dict(zip(steps.tolist(), g["reference_energy_eV"][()].tolist()))
    worst = max(abs(ref_e[s_] - e_) for s_, e_ in zip(th_step.tolist(), th_pot.tolist()))
    check(worst <= 1e-9 * abs(th_pot[0]), f"shadow's reference energy = thermo potential energy at every sample ({worst:.1e} eV)")
    e_sh0 = g["shadow_energy_eV"][0]
    e_ref0 = g["reference_energy_eV"][0]
# step 0 against mdbench eval of the same configuration
def eval_energy(spec):
    q = subprocess.run([os.path.dirname(MDBENCH) + "/mdbench" if os.path.isabs(MDBENCH) else MDBENCH, "eval",
                        "--calculator", spec, "--system", "copper", "--atoms", "108"],
                       capture_output=True, text=True, timeout=60)
    return float(q.stdout.split("energy ")[1].split(" eV")[0])
e_lj, e_eam = eval_energy("lj"), eval_energy(ref)
check(abs(e_sh0 - e_lj) <= 1e-9 * abs(e_lj), f"shadow energy at step 0 = mdbench eval lj ({e_sh0:.10g} vs {e_lj:.10g})")
check(abs(e_ref0 - e_eam) <= 1e-9 * abs(e_eam), f"reference energy at step 0 = mdbench eval eam ({e_ref0:.10g})")
js = json.load(open(os.path.join(out4, cid + ".json")))
if os.path.exists(pot):
    import hashlib
    want = f"{pot}=" + hashlib.sha256(open(pot, "rb").read()).hexdigest()
    check(js["metadata"]["potential_sha256"] == want, f"JSON records the potential's SHA-256 ({want[-12:]})")
    with h5py.File(os.path.join(out4, "results.h5")) as f:
        check(f["cases"][cid].attrs["potential_sha256"] == want, "HDF5 records the potential's SHA-256")
    prov = js["metadata"]["provenance"]
    check(prov["cpu_count"] >= 1 and prov["build_type"] != "" and prov["git_commit"] != "", "JSON provenance filled")
check(abs(js["shadow"]["force_rmse_mean_eV_per_A"] - rmse.mean()) <= 1e-12 * rmse.mean(), "JSON shadow summary = HDF5 mean")

# ---- bad input: one line, exit 2, nothing written
def bad(args, needle):
    d = os.path.join(tmp, "bad")
    q = run(*args, "--output", d, expect=2)
    lines = [l for l in q.stderr.splitlines() if l.strip()]
    check(q.returncode == 2 and len(lines) == 1 and needle in lines[0] and not os.path.exists(d),
          f"{' '.join(args)} -> exit 2, one line naming '{needle}' ({lines[:1]})")

bad(["--calculators", "lj"], "at least two")
bad(["--calculators", "lj,nosuch"], "valid")
bad(["--reference", "lj"], "--shadow")
bad(["--reference", "lj", "--shadow", "nosuch"], "valid")
bad(["--calculators", "lj,lj", "--steps", "0"], "--steps")
bad(["--calculators", "lj,lj", "--calculator", "eam"], "--calculators")
q = run("--calculators", "lj,lj", "--steps", "5", "--output", out, expect=2)
check(q.returncode == 2 and "already holds results" in q.stderr, "an output directory with results is refused")

print(f"{'all passed' if not failures else str(failures) + ' failed'}")
sys.exit(1 if failures else 0)
