"""h5_layout_check.py — an mdbench HDF5 file, read with h5py, has exactly the
documented layout (docs/hdf5-layout.md, schema "mdbench/2").

Usage: /usr/bin/python3 h5_layout_check.py FILE.h5   (the file test_h5 wrote)

Checks, with h5py as a user would read the file:
  - the root attributes, the groups and datasets, their dtypes (little-endian
    int64/uint64/float64, variable-length UTF-8 strings read as str) and
    their "units" attributes: exactly the documented sets, nothing missing,
    nothing undocumented;
  - the compound /summary: its field names in order, their dtypes and its
    per-column "units" attribute;
  - consistency: array lengths against n_timed_steps/n_steps, status and
    error, summary rows against the case groups, and the step statistics
    recomputed with numpy from the raw step_time_ms (rel. tolerance 1e-12;
    the same definitions: population std, linear percentiles);
  - `h5dump -H FILE` exits 0 where h5dump (Debian's hdf5-tools) is installed.
Prints one line per failed check and `N passed, M failed`; exits 77 (skip)
without h5py.
"""
import math
import shutil
import subprocess
import sys

SKIP = 77
try:
    import h5py
    import numpy as np
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"SKIP: h5py/numpy not importable ({exc}); install python3-h5py and run with /usr/bin/python3")
    print("0 passed, 0 failed")
    sys.exit(SKIP)

# ------------------------------------------------------------ the contract
# kinds: str (scalar vlen UTF-8), i64, u64, f64, i64[3]
ROOT_ATTRS = {
    "schema": "str", "suite": "str", "created_utc": "str", "mdbench_version": "str", "git_commit": "str",
    "mpi_ranks": "i64", "command": "str",
    # added
    "build": "str", "mpi_library": "str", "hdf5_version": "str", "n_cases": "i64",
    "complete": "i64", "suite_cases": "i64", "stop_signal": "str",
}

CASE_ATTRS = {
    "system": "str", "n_atoms": "i64", "protocol": "str", "calculator": "str", "device": "str", "precision": "str", "host": "str",
    "rank": "i64", "status": "str", "error": "str", "seed": "u64", "timestep_fs": "f64", "temperature_K": "f64",
    "n_steps": "i64", "warmup_steps": "i64",
    # added: the full case
    "case_id": "str", "n_timed_steps": "i64", "fail_step": "i64", "thermostat": "str", "tdamp_fs": "f64",
    "chain_length": "i64", "barostat": "str", "pdamp_fs": "f64", "pressure_bar": "f64", "lattice_A": "f64",
    "replication": "i64[3]", "energy_interval": "i64", "memory_interval": "i64", "skin_A": "f64",
    "memory_kind": "str",
    # added: provenance
    "started_utc": "str", "ended_utc": "str", "mdbench_version": "str", "git_commit": "str", "build": "str",
    "mpi_library": "str", "device_name": "str",
    # added: provenance (core/provenance.h)
    "potential_sha256": "str", "cpu_model": "str", "cpu_count": "i64", "os": "str", "slurm_job_id": "str",
    "slurm_array_job_id": "str", "slurm_array_task_id": "str", "slurm_job_nodelist": "str",
    "slurm_job_partition": "str", "slurm_cluster_name": "str", "compiler": "str", "build_type": "str",
    "sanitized": "i64", "git_dirty": "i64", "mpi_version": "str", "gpu_count": "i64", "gpu_driver": "str",
    "gpu_models": "str", "gpu_uuids": "str", "cuda_visible_devices": "str", "cuda_runtime": "str",
}

# dataset (relative to the case group) -> (dtype, units, length key)
CASE_DATASETS = {
    "step_time_ms": ("<f8", "ms", "timed"),
    "timed_step": ("<i8", "1", "timed"),
    "thermo/step": ("<i8", "1", "thermo"),
    "thermo/time_fs": ("<f8", "fs", "thermo"),
    "thermo/total_energy_eV": ("<f8", "eV", "thermo"),
    "thermo/potential_energy_eV": ("<f8", "eV", "thermo"),
    "thermo/kinetic_energy_eV": ("<f8", "eV", "thermo"),
    "thermo/conserved_energy_eV": ("<f8", "eV", "thermo"),
    "thermo/temperature_K": ("<f8", "K", "thermo"),
    "thermo/pressure_bar": ("<f8", "bar", "thermo"),
    "thermo/volume_A3": ("<f8", "A^3", "thermo"),
    "thermo/momentum_amu_A_per_fs": ("<f8", "amu*A/fs", "thermo"),
    "memory/step": ("<i8", "1", "memory"),
    "memory/bytes": ("<i8", "bytes", "memory"),
}

# (field, dtype, units); the contract's fields first, in this order
SUMMARY = [
    ("case_id", "str", ""), ("system", "str", ""), ("n_atoms", "<i8", "1"), ("protocol", "str", ""),
    ("calculator", "str", ""), ("device", "str", ""), ("status", "str", ""),
    ("mean_ms", "<f8", "ms"), ("median_ms", "<f8", "ms"), ("p95_ms", "<f8", "ms"), ("p99_ms", "<f8", "ms"),
    ("std_ms", "<f8", "ms"), ("steps_per_second", "<f8", "1/s"), ("peak_memory_gb", "<f8", "GB"),
    ("energy_drift", "<f8", "1"),
    # added
    ("min_ms", "<f8", "ms"), ("max_ms", "<f8", "ms"), ("n_steps", "<i8", "1"), ("n_timed_steps", "<i8", "1"),
    ("warmup_steps", "<i8", "1"), ("fail_step", "<i8", "1"), ("rank", "<i8", "1"), ("host", "str", ""),
    ("seed", "<u8", "1"), ("timestep_fs", "<f8", "fs"), ("temperature_K", "<f8", "K"),
    ("total_time_s", "<f8", "s"), ("wall_time_s", "<f8", "s"), ("setup_time_s", "<f8", "s"),
    ("atom_steps_per_second", "<f8", "1/s"), ("ns_per_day", "<f8", "ns/day"),
    ("memory_before_gb", "<f8", "GB"), ("memory_after_gb", "<f8", "GB"), ("memory_delta_gb", "<f8", "GB"),
    ("leak_detected", "<i8", "1"), ("energy_std_eV", "<f8", "eV"),
    ("drift_slope_eV_per_atom_per_ps", "<f8", "eV/atom/ps"), ("max_abs_deviation_eV_per_atom", "<f8", "eV/atom"),
    ("momentum_drift_amu_A_per_fs_per_atom", "<f8", "amu*A/fs/atom"), ("final_extended_energy_eV", "<f8", "eV"),
    ("mean_temperature_K", "<f8", "K"), ("std_temperature_K", "<f8", "K"), ("mean_pressure_bar", "<f8", "bar"),
    ("std_pressure_bar", "<f8", "bar"), ("mean_volume_A3", "<f8", "A^3"), ("neighbor_builds", "<i8", "1"),
    ("potential_drift", "<f8", "1"),
]
STEP_STATS = ["mean_ms", "median_ms", "p95_ms", "p99_ms", "std_ms", "min_ms", "max_ms", "steps_per_second"]

# ------------------------------------------------------------------ tally
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
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-300)


def is_vlen_utf8(dtype):
    info = h5py.check_string_dtype(dtype)
    return info is not None and info.encoding == "utf-8" and info.length is None


def check_attr(obj, name, kind, where):
    if not check(name in obj.attrs, f"{where}: attribute {name} present"):
        return None
    value = obj.attrs[name]
    stored = obj.attrs.get_id(name).dtype
    shape = obj.attrs.get_id(name).shape
    if kind == "str":
        check(is_vlen_utf8(stored) and isinstance(value, str) and shape == (),
              f"{where}: {name} is a scalar UTF-8 string read as str (got {type(value).__name__}, {stored})")
    elif kind == "i64[3]":
        check(stored == np.dtype("<i8") and shape == (3,), f"{where}: {name} is int64[3] (got {stored} {shape})")
    else:
        want = {"i64": "<i8", "u64": "<u8", "f64": "<f8"}[kind]
        check(stored == np.dtype(want) and shape == (), f"{where}: {name} is a scalar {want} (got {stored} {shape})")
    return value


def check_attr_set(obj, spec, where):
    got, want = set(obj.attrs.keys()), set(spec)
    check(got == want, f"{where}: attributes are exactly the documented ones "
          f"(missing {sorted(want - got)}, undocumented {sorted(got - want)})")
    return {name: check_attr(obj, name, kind, where) for name, kind in spec.items()}


def members(group):
    out = set()
    group.visit(out.add)
    return out


# ------------------------------------------------------------------ checks
def check_case(f, cid):
    where = f"/cases/{cid}"
    g = f["cases"][cid]
    a = check_attr_set(g, CASE_ATTRS, where)
    check(a["case_id"] == cid, f"{where}: case_id attribute equals the group name")
    groups = {"thermo", "memory"}
    check(members(g) == set(CASE_DATASETS) | groups,
          f"{where}: members are exactly the documented ones (got {sorted(members(g))})")
    status, n_timed, n_steps = a["status"], a["n_timed_steps"], a["n_steps"]
    check(status in ("ok", "failed", "error"), f"{where}: status {status!r} is ok, failed or error")
    check((a["error"] == "") == (status == "ok"), f"{where}: error is empty exactly when status is ok")
    check(0 <= n_timed <= n_steps, f"{where}: 0 <= n_timed_steps ({n_timed}) <= n_steps ({n_steps})")
    if status == "ok":
        check(n_timed == n_steps and a["fail_step"] == -1, f"{where}: an ok case ran every step")
    if status == "error":
        check(n_timed == 0, f"{where}: a case that did not run has no timed steps")
    lengths = {"timed": n_timed}
    data = {}
    for name, (dtype, units, key) in CASE_DATASETS.items():
        if name not in g:
            check(False, f"{where}/{name} present")
            continue
        d = g[name]
        check(d.dtype == np.dtype(dtype) and d.ndim == 1, f"{where}/{name}: 1-D {dtype} (got {d.dtype} {d.shape})")
        check("units" in d.attrs and d.attrs["units"] == units and is_vlen_utf8(d.attrs.get_id("units").dtype),
              f"{where}/{name}: units {units!r} (got {d.attrs.get('units')!r})")
        lengths.setdefault(key, d.shape[0])
        check(d.shape[0] == lengths[key], f"{where}/{name}: length {d.shape[0]} matches its group ({lengths[key]})")
        data[name] = d[()]
    if status == "error":
        check(all(v.size == 0 for v in data.values()), f"{where}: a case that did not run has empty arrays")
    else:
        check(lengths["thermo"] >= 1 and data["thermo/step"][0] == 0, f"{where}: thermo starts at step 0")
        check(np.all(np.diff(data["thermo/step"]) > 0), f"{where}: thermo steps increase")
        check(np.all(data["step_time_ms"] > 0), f"{where}: step times are positive")
    return a, data


def check_summary(f, cases):
    d = f["summary"]
    names = [n for n, _, _ in SUMMARY]
    check(d.ndim == 1 and d.dtype.names is not None, "/summary is a 1-D compound dataset")
    check(list(d.dtype.names) == names, f"/summary fields are exactly the documented ones, in order "
          f"(got {d.dtype.names})")
    for name, dtype, _ in SUMMARY:
        if name not in d.dtype.names:
            continue
        ft = d.dtype.fields[name][0]
        ok = is_vlen_utf8(ft) if dtype == "str" else ft == np.dtype(dtype)
        check(ok, f"/summary.{name} is {dtype} (got {ft})")
    units = d.attrs.get("units")
    check(units is not None and list(units) == [u for _, _, u in SUMMARY],
          f"/summary units, one per field (got {None if units is None else list(units)})")
    rows = d[()]
    check(len(rows) == len(cases), f"/summary has one row per case ({len(rows)} vs {len(cases)})")
    ids = [r["case_id"].decode() for r in rows]
    check(sorted(ids) == sorted(cases), "/summary case ids are the case groups")
    for r in rows:
        cid = r["case_id"].decode()
        if cid not in cases:
            continue
        a, data = cases[cid]
        where = f"/summary[{cid}]"
        for key in ("system", "protocol", "calculator", "device", "status", "host"):
            check(r[key].decode() == a[key], f"{where}.{key} {r[key]!r} equals the case attribute {a[key]!r}")
        for key in ("n_atoms", "n_steps", "n_timed_steps", "warmup_steps", "fail_step", "rank", "seed"):
            check(r[key] == a[key], f"{where}.{key} {r[key]} equals the case attribute {a[key]}")
        for key in ("timestep_fs", "temperature_K"):
            check(r[key] == a[key], f"{where}.{key} equals the case attribute")
        ms = data.get("step_time_ms", np.zeros(0))
        if ms.size == 0:
            check(all(math.isnan(r[k]) for k in STEP_STATS), f"{where}: no timed step, step statistics are NaN")
        else:
            want = {"mean_ms": ms.mean(), "median_ms": np.median(ms), "p95_ms": np.percentile(ms, 95),
                    "p99_ms": np.percentile(ms, 99), "std_ms": ms.std(), "min_ms": ms.min(), "max_ms": ms.max(),
                    "steps_per_second": ms.size / (ms.sum() * 1e-3)}
            for key, value in want.items():
                check(close(r[key], value), f"{where}.{key} {r[key]!r} equals numpy's {value!r} (rel 1e-12)")
            check(close(r["total_time_s"], ms.sum() * 1e-3), f"{where}.total_time_s is the sum of step times")
        if a["status"] != "error" and {"thermo/total_energy_eV", "memory/bytes"} <= set(data):
            e = data["thermo/total_energy_eV"]
            check(close(r["energy_drift"], (e[-1] - e[0]) / abs(e[0])),
                  f"{where}.energy_drift is (E_end - E_0)/|E_0| of the total energy")
            u = data["thermo/potential_energy_eV"]
            check(close(r["potential_drift"], (u[-1] - u[0]) / abs(u[0])),
                  f"{where}.potential_drift is (U_end - U_0)/|U_0| of the potential energy")
            check(r["peak_memory_gb"] * 1e9 >= data["memory/bytes"].max() * (1 - 1e-12),
                  f"{where}.peak_memory_gb covers every memory sample")
        elif a["status"] == "error":
            check(math.isnan(r["energy_drift"]), f"{where}: a case that did not run has NaN energy_drift")
            check(math.isnan(r["potential_drift"]), f"{where}: a case that did not run has NaN potential_drift")


def main():
    if len(sys.argv) != 2:
        print("usage: h5_layout_check.py FILE.h5", file=sys.stderr)
        return 2
    path = sys.argv[1]
    with h5py.File(path, "r") as f:
        root = check_attr_set(f, ROOT_ATTRS, "/")
        check(root["schema"] == "mdbench/2", f"schema is mdbench/2 (got {root['schema']!r})")
        check(root["mpi_ranks"] >= 1, "mpi_ranks >= 1")
        check(set(f.keys()) == {"cases", "summary"}, f"the root holds exactly cases and summary (got {list(f)})")
        check(isinstance(f["cases"], h5py.Group) and len(f["cases"].attrs) == 0, "/cases is a plain group")
        cases = {cid: check_case(f, cid) for cid in f["cases"]}
        check(root["n_cases"] == len(cases), f"n_cases {root['n_cases']} equals the case groups ({len(cases)})")
        statuses = sorted({a["status"] for a, _ in cases.values()})
        print(f"{path}: {len(cases)} cases, statuses {statuses}")
        check_summary(f, cases)

    h5dump = shutil.which("h5dump")
    if h5dump:
        run = subprocess.run([h5dump, "-H", path], capture_output=True, text=True)
        check(run.returncode == 0, f"h5dump -H exits 0 (got {run.returncode}: {run.stderr.strip()[:200]})")
    else:
        print("note: h5dump not found (Debian: hdf5-tools); its check is skipped")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
