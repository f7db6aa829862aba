#!/usr/bin/python3
"""h5_hostile_attrs.py — well-formed HDF5 files with hostile attributes.

Usage: h5_hostile_attrs.py GOOD.h5 OUTDIR
Copies GOOD.h5 (an mdbench/1 results file) once per scenario into OUTDIR and
replaces one attribute there with something no mdbench writer produces: a
root `schema` that holds 1,000 strings, a fixed-length string array, a
string of 4 MB, a fixed-length string of 200,000 bytes, a number, an empty
(null) dataspace; and a case's `device_name` that holds 1,000 strings or a
fixed-length array, `host` as a huge string, `tdamp_fs` as a string and as
an array of numbers. Prints one file name per line. Exit 77 without h5py.
"""
import os
import shutil
import sys

try:
    import h5py
    import numpy as np
except ImportError as exc:  # pragma: no cover
    print(f"SKIP: h5py/numpy not importable ({exc})")
    sys.exit(77)

good, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
vstr = h5py.string_dtype("utf-8")


def scenario(name, edit, **kw):
    path = os.path.join(out, name + ".h5")
    shutil.copyfile(good, path)
    with h5py.File(path, "r+", **kw) as f:
        edit(f)
    print(path)


def first_case(f):
    return f["cases"][next(iter(f["cases"]))]


def root(name, value, **kw):
    return lambda f: (f.attrs.__delitem__(name), f.attrs.create(name, value, **kw))


scenario("schema_1000_strings", root("schema", np.array(["mdbench/1"] * 1000, dtype=object), dtype=vstr))
scenario("schema_fixed_array", root("schema", np.array([b"mdbench/1"] * 1000, dtype="S64")))
scenario("schema_huge_string", root("schema", "mdbench/1" + "x" * (4 << 20), dtype=vstr))


def rebuilt_latest(name, attr, value):
    """Over 64 KiB an attribute needs dense storage: a new file in the latest format, same content."""
    path = os.path.join(out, name + ".h5")
    with h5py.File(good, "r") as src, h5py.File(path, "w", libver="latest") as dst:
        for k in src:
            src.copy(src[k], dst, name=k)
        for k, v in src.attrs.items():
            dst.attrs[k] = v
        del dst.attrs[attr]
        dst.attrs.create(attr, value)
    print(path)


rebuilt_latest("schema_fixed_huge", "schema", np.bytes_(b"y" * 200000))
scenario("schema_fixed_60k", root("schema", np.bytes_(b"mdbench/1" + b"z" * 60000)))
scenario("schema_number", root("schema", np.float64(1.0)))
scenario("schema_empty", root("schema", h5py.Empty("f8")))


def case_attr(name, value, **kw):
    def edit(f):
        g = first_case(f)
        del g.attrs[name]
        g.attrs.create(name, value, **kw)
    return edit


scenario("device_name_1000_strings",
         case_attr("device_name", np.array(["cpu"] * 1000, dtype=object), dtype=vstr))
scenario("device_name_fixed_array", case_attr("device_name", np.array([b"cpu"] * 100, dtype="S300")))
scenario("host_huge_string", case_attr("host", "h" * (1 << 20), dtype=vstr))
scenario("host_fixed_long", case_attr("host", np.bytes_(b"h" * 5000)))
scenario("tdamp_string", case_attr("tdamp_fs", "100", dtype=vstr))
scenario("tdamp_array", case_attr("tdamp_fs", np.arange(1000, dtype="f8")))
