"""Reading an mdbench results file (schema "mdbench/2", or "mdbench/1" written before 0.3.0;
docs/hdf5-layout.md).

`load(path)` reads everything a report needs into plain Python/numpy objects
and closes the file. It raises `ResultsError` with a one-line message for a
missing file, a file that is not HDF5, a file of another schema, or one
that lacks the parts of the layout the report reads. Anything the contract
may add later (attributes, datasets, summary columns) is ignored.

The metric names come from metrics.py, generated from the C table
(src/io/metrics.def): a file written before 0.3.0 has its old /summary column
names read as today's (docs/metric-names.md).
"""
import math
import os

import numpy as np

from . import metrics

SCHEMA = metrics.H5_SCHEMAS[0]
SCHEMAS = metrics.H5_SCHEMAS

# summary fields the report uses; a missing one reads as NaN / "" / 0
SUMMARY_STR = ("case_id", "system", "protocol", "calculator", "device", "status", "host")
SUMMARY_INT = ("n_atoms", "n_steps", "n_timed_steps", "warmup_steps", "fail_step", "rank", "leak_detected",
               "neighbor_builds")

THERMO = ("step", "time_fs", "total_energy_eV", "potential_energy_eV", "kinetic_energy_eV", "conserved_energy_eV",
          "temperature_K", "pressure_bar", "volume_A3", "momentum_amu_A_per_fs")

SHADOW = ("step", "time_fs", "reference_energy_eV", "shadow_energy_eV", "energy_diff_eV_per_atom",
          "force_mae_eV_per_A", "force_rmse_eV_per_A", "force_max_eV_per_A", "step_time_ms")


class ResultsError(Exception):
    """The input is not a readable mdbench results file; str(e) says why."""


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    if isinstance(v, np.ndarray):
        return " ".join(_text(x) for x in v)
    return str(v)


def _attr(obj, name, default=None):
    if name not in obj.attrs:
        return default
    v = obj.attrs[name]
    if isinstance(v, (bytes, str)):
        return _text(v)
    if isinstance(v, np.ndarray):
        if v.shape == ():
            return v[()].item() if hasattr(v[()], "item") else v[()]
        if v.dtype.kind in "SOU":
            return [_text(x) for x in v]
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v


class Case:
    """One case group: its attributes, raw arrays and optional shadow data."""

    def __init__(self, case_id, attrs, step_time_ms, thermo, memory, shadow):
        self.case_id = case_id
        self.attrs = attrs              # dict of the group's attributes
        self.step_time_ms = step_time_ms
        self.thermo = thermo            # dict name -> array (empty arrays when absent)
        self.memory = memory            # dict step/bytes -> array
        self.shadow = shadow            # None, or dict: attrs + arrays (SHADOW names)

    @property
    def status(self):
        return self.attrs.get("status", "")

    @property
    def n_atoms(self):
        return int(self.attrs.get("n_atoms", 0) or 0)


class Results:
    """A whole results file: root attributes, summary rows, cases."""

    def __init__(self, path, attrs, rows, cases):
        self.path = path
        self.attrs = attrs              # root attributes (provenance)
        self.rows = rows                # list of dicts, one per summary row, file order
        self.cases = cases              # dict case_id -> Case

    def ok_rows(self):
        return [r for r in self.rows if r["status"] == "ok"]

    def bad_rows(self):
        return [r for r in self.rows if r["status"] != "ok"]


def _read_array(group, name, dtype=float):
    if group is None or name not in group:
        return np.zeros(0, dtype=dtype)
    ds = group[name]
    return np.asarray(ds[()], dtype=dtype).reshape(-1)


def _read_summary(f):
    if "summary" not in f:
        raise ResultsError("has no /summary table")
    ds = f["summary"]
    data = ds[()]
    names = data.dtype.names
    if not names or "case_id" not in names:
        raise ResultsError("/summary is not the mdbench compound table (no case_id field)")
    units = {}
    if "units" in ds.attrs:
        u = [_text(x) for x in np.asarray(ds.attrs["units"]).reshape(-1)]
        units = dict(zip(names, u))
    for old, new in metrics.OLD_COLUMNS.items():  # a file written before 0.3.0
        if old in units and new not in units:
            units[new] = units.pop(old)
    rows = []
    for rec in np.atleast_1d(data):
        row = {}
        for n in names:
            v = rec[n]
            if isinstance(v, (bytes, str)) or (isinstance(v, np.ndarray) and v.dtype.kind in "SOU"):
                row[n] = _text(v)
            elif isinstance(v, np.generic):
                row[n] = v.item()
            else:
                row[n] = v
        for old, new in metrics.OLD_COLUMNS.items():
            if old in row and new not in row:
                row[new] = row.pop(old)
        for n in SUMMARY_STR:
            row.setdefault(n, "")
        for n in SUMMARY_INT:
            row.setdefault(n, 0)
        rows.append(row)
    return rows, units


def _read_case(g, case_id):
    attrs = {k: _attr(g, k) for k in g.attrs.keys()}
    attrs.setdefault("case_id", case_id)
    st = _read_array(g, "step_time_ms")
    th = g["thermo"] if "thermo" in g else None
    thermo = {k: _read_array(th, k, np.int64 if k == "step" else float) for k in THERMO}
    mem = g["memory"] if "memory" in g else None
    memory = {"step": _read_array(mem, "step", np.int64), "bytes": _read_array(mem, "bytes", np.int64)}
    if mem is not None and "model_bytes" in mem:  # a launched client's resident set (ase worker, ipi:launch)
        memory["model_bytes"] = _read_array(mem, "model_bytes", np.int64)
    shadow = None
    if "shadow" in g:
        sg = g["shadow"]
        shadow = {k: _read_array(sg, k, np.int64 if k == "step" else float) for k in SHADOW}
        shadow["calculator"] = _attr(sg, "calculator", "") or ""
        shadow["reference_calculator"] = _attr(sg, "reference_calculator", "") or ""
        shadow["n_atoms"] = int(_attr(sg, "n_atoms", attrs.get("n_atoms", 0)) or 0)
    case = Case(case_id, attrs, st, thermo, memory, shadow)
    # model/: the external model's own record (attributes: memory_peak_bytes, leak_detected, ...); None without
    case.model = {k: _attr(g["model"], k) for k in g["model"].attrs.keys()} if "model" in g else None
    return case


def load(path):
    """Reads a results file; raises ResultsError naming the problem."""
    import h5py  # imported here so a missing h5py is a clear message in the CLI

    if not os.path.exists(path):
        raise ResultsError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ResultsError(f"{path}: is a directory (give the results.h5 inside it)")
    try:
        is_h5 = h5py.is_hdf5(path)
    except OSError as e:
        raise ResultsError(f"{path}: cannot read: {e.strerror or e}") from None
    if not is_h5:
        raise ResultsError(f"{path}: not an HDF5 file (expected an mdbench results.h5, schema {SCHEMA})")
    try:
        with h5py.File(path, "r") as f:
            schema = _attr(f, "schema")
            if schema is None:
                raise ResultsError(f"{path}: not an mdbench results file: no root attribute 'schema' "
                                   f"(expected {SCHEMA!r})")
            if schema not in SCHEMAS:
                raise ResultsError(f"{path}: unsupported schema {schema!r} (this reader knows "
                                   f"{' and '.join(repr(x) for x in SCHEMAS)})")
            attrs = {k: _attr(f, k) for k in f.attrs.keys()}
            try:
                rows, units = _read_summary(f)
            except ResultsError as e:
                raise ResultsError(f"{path}: {e}") from None
            if "cases" not in f:
                raise ResultsError(f"{path}: has no /cases group")
            cg = f["cases"]
            cases = {}
            for row in rows:
                cid = row["case_id"]
                if cid not in cg:
                    raise ResultsError(f"{path}: /summary names case {cid!r} but /cases/{cid} is missing")
                cases[cid] = _read_case(cg[cid], cid)
    except ResultsError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as e:
        raise ResultsError(f"{path}: cannot read the results file: {e}") from None
    res = Results(path, attrs, rows, cases)
    res.units = units
    return res


def finite(x):
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
