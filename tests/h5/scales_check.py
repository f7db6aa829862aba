#!/usr/bin/env python3
"""Dimension scales in results files (src/io/h5_results.c, docs/hdf5-layout.md).

usage: scales_check.py MDBENCH MDBENCH_SUITE [xarray]

Writes a suite's results.h5 (merged from per-case files), one per-case file
and compare's results.h5 in shadow mode, then checks with h5py that
thermo/step, timed_step, memory/step and shadow/step are dimension scales
(CLASS, NAME, REFERENCE_LIST) attached (DIMENSION_LIST) to every array of
their steps, that the references resolve to the right datasets in the same
file, that timed_step is W+1..W+n_timed, and that thermo arrays name time_fs
in a "coordinates" attribute. With "xarray": opens the groups with xarray
through h5netcdf and checks the coordinates (exit 77 when xarray or h5netcdf
cannot be imported).
"""
import glob
import os
import subprocess
import sys
import tempfile

MDB, SUITE = sys.argv[1], sys.argv[2]
XR = len(sys.argv) > 3 and sys.argv[3] == "xarray"
try:
    import h5py
    import numpy as np
    if XR:
        import xarray as xr
        import h5netcdf  # noqa: F401
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

failures = []


def check(cond, what):
    if not cond:
        print("FAIL " + what)
        failures.append(what)
    return cond


THERMO = ["time_fs", "total_energy_eV", "potential_energy_eV", "kinetic_energy_eV", "conserved_energy_eV",
          "temperature_K", "pressure_bar", "volume_A3", "momentum_amu_A_per_fs"]
SHADOW = ["time_fs", "reference_energy_eV", "shadow_energy_eV", "energy_diff_eV_per_atom", "force_mae_eV_per_A",
          "force_rmse_eV_per_A", "force_max_eV_per_A"]


def check_scale(f, scale, arrays, where):
    s = f[scale]
    check(s.attrs.get("CLASS") == b"DIMENSION_SCALE", f"{where}{scale}: CLASS is DIMENSION_SCALE")
    check(s.attrs.get("NAME") == scale.split("/")[-1].encode(), f"{where}{scale}: NAME {s.attrs.get('NAME')!r}")
    refs = s.attrs.get("REFERENCE_LIST")
    check(refs is not None and len(refs) == len(arrays),
          f"{where}{scale}: REFERENCE_LIST has {len(arrays)} entries (got {None if refs is None else len(refs)})")
    if refs is not None:
        got = sorted(f[r[0]].name for r in refs)
        check(got == sorted(f[a].name for a in arrays), f"{where}{scale}: REFERENCE_LIST names its arrays ({got})")
    for a in arrays:
        d = f[a]
        check("DIMENSION_LIST" in d.attrs, f"{where}{a}: has DIMENSION_LIST")
        if "DIMENSION_LIST" in d.attrs:
            attached = [x.name for x in d.dims[0].values()]
            check(attached == [s.name], f"{where}{a}: dimension 0 has the one scale {s.name} (got {attached})")
            check(d.shape == s.shape, f"{where}{a}: as long as its scale ({d.shape} vs {s.shape})")


def check_case(f, g, where):
    p = g.name + "/"
    check_scale(f, p + "thermo/step", [p + "thermo/" + n for n in THERMO], where)
    timed = [p + "step_time_ms"] + ([p + "gpu/force_ms"] if "gpu" in g else []) + \
            ([p + "shadow/step_time_ms"] if "shadow" in g else [])
    check_scale(f, p + "timed_step", timed, where)
    check_scale(f, p + "memory/step", [p + "memory/bytes"], where)
    if "shadow" in g:
        check_scale(f, p + "shadow/step", [p + "shadow/" + n for n in SHADOW], where)
        for n in SHADOW[1:]:
            check(g["shadow/" + n].attrs.get("coordinates") == "time_fs", f"{where}shadow/{n}: coordinates time_fs")
    w, nt = int(g.attrs["warmup_steps"]), int(g.attrs["n_timed_steps"])
    ts = g["timed_step"][()]
    check(ts.dtype == np.int64 and np.array_equal(ts, np.arange(w + 1, w + 1 + nt)),
          f"{where}timed_step is {w + 1}..{w + nt} (got {ts[:3]}...{ts[-2:]})")
    check(g["timed_step"].attrs.get("units") == "1", f"{where}timed_step units '1'")
    for n in THERMO[1:]:
        check(g["thermo/" + n].attrs.get("coordinates") == "time_fs", f"{where}thermo/{n}: coordinates time_fs")
    check("coordinates" not in g["thermo/time_fs"].attrs and "DIMENSION_LIST" in g["thermo/time_fs"].attrs,
          f"{where}thermo/time_fs is attached to step, itself no coordinates attribute")


def check_xarray(path, cid, has_shadow):
    kw = dict(engine="h5netcdf", phony_dims="sort")
    th = xr.open_dataset(path, group=f"cases/{cid}/thermo", **kw)
    check(list(th.dims) == ["step"], f"xarray {cid}/thermo: one dimension 'step' (got {list(th.dims)})")
    check("step" in th.indexes and "time_fs" in th.coords, f"xarray {cid}/thermo: step index, time_fs coordinate")
    check(th["total_energy_eV"].dims == ("step",), "xarray: total_energy_eV is along step")
    st = th["step"].values
    check(st[0] == 0 and np.all(np.diff(st) > 0), "xarray: step starts at 0 and rises")
    k = int(st[len(st) // 2])
    e = float(th["total_energy_eV"].sel(step=k))
    with h5py.File(path) as f:
        g = f["cases"][cid]["thermo"]
        i = int(np.where(g["step"][()] == k)[0][0])
        check(e == g["total_energy_eV"][i], f"xarray: .sel(step={k}) gives the stored energy")
        check(float(th["time_fs"].sel(step=k)) == g["time_fs"][i], "xarray: time_fs along step")
    case = xr.open_dataset(path, group=f"cases/{cid}", **kw)
    check("timed_step" in case.indexes and case["step_time_ms"].dims == ("timed_step",),
          f"xarray {cid}: step_time_ms is along timed_step")
    mem = xr.open_dataset(path, group=f"cases/{cid}/memory", **kw)
    check(mem["bytes"].dims == ("step",) and "step" in mem.indexes, f"xarray {cid}/memory: bytes along step")
    if has_shadow:
        sh = xr.open_dataset(path, group=f"cases/{cid}/shadow", **kw)
        check(sh["force_rmse_eV_per_A"].dims == ("step",) and "time_fs" in sh.coords,
              f"xarray {cid}/shadow: per-sample arrays along step, time_fs a coordinate")


env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader")
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "suite")
    subprocess.run([SUITE, "quick", "--device", "cpu", "--filter", "system=argon", "-o", out, "--quiet"],
                   env=env, check=True)
    cmp = os.path.join(tmp, "cmp")
    subprocess.run([MDB, "compare", "--reference", "lj", "--shadow", "lj:rc=7", "--system", "argon", "--atoms",
                    "256", "--steps", "60", "--warmup", "5", "--output", cmp, "--quiet"], env=env, check=True)
    files = [(os.path.join(out, "results.h5"), "suite results.h5 (merged)"),
             (sorted(glob.glob(os.path.join(out, "cases", "*.h5")))[0], "per-case file"),
             (os.path.join(cmp, "results.h5"), "compare results.h5 (shadow)")]
    nshadow = 0
    for path, what in files:
        with h5py.File(path) as f:
            cases = list(f["cases"])
            check(len(cases) >= 1, f"{what}: has cases")
            for cid in cases:
                nshadow += "shadow" in f["cases"][cid]
                check_case(f, f["cases"][cid], f"{what}: /cases/{cid}/")
        if XR:
            with h5py.File(path) as f:
                todo = [(cid, "shadow" in f["cases"][cid]) for cid in f["cases"]]
            for cid, sh in todo:
                check_xarray(path, cid, sh)
        print(f"{what}: {len(cases)} case(s) checked")
    check(nshadow >= 1, "compare in shadow mode wrote a shadow group")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("dimension scales ok" + (" (and xarray coordinates)" if XR else ""))
