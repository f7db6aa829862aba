#!/usr/bin/python3
"""suite_results_check.py — results directories of mdbench-suite, read with h5py.

Usage: suite_results_check.py same DIR1 DIR2 [DIR3 ...]
         every directory holds the same cases, and each case's thermo series
         (total, potential, kinetic energy, pressure) is identical bit for bit:
         the runs differ only in rank count, and a case's trajectory must not
         depend on which rank ran it.
       suite_results_check.py complete DIR N
         results.h5 holds exactly N cases, every one with status ok, its
         step_time_ms as long as n_steps, and a case file and JSON marker each.
The last line is `N passed, M failed`; exit 77 without h5py.
"""
import json
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError as exc:  # pragma: no cover
    print(f"SKIP: h5py/numpy not importable ({exc}); run with /usr/bin/python3 (Debian: python3-h5py)")
    print("0 passed, 0 failed")
    sys.exit(77)

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}")


def cases(d):
    with h5py.File(os.path.join(d, "results.h5"), "r") as f:
        out = {}
        for cid, g in f["cases"].items():
            out[cid] = {k: np.array(g["thermo"][k]) for k in
                        ("total_energy_eV", "potential_energy_eV", "kinetic_energy_eV", "pressure_bar")}
            out[cid]["status"] = g.attrs["status"]
            out[cid]["rank"] = int(g.attrs["rank"])
        return out


def same(dirs):
    ref = cases(dirs[0])
    check(len(ref) > 0, f"{dirs[0]} holds no cases")
    for d in dirs[1:]:
        other = cases(d)
        check(sorted(other) == sorted(ref), f"{d} holds other cases than {dirs[0]}")
        for cid in ref:
            if cid not in other:
                continue
            for k in ("total_energy_eV", "potential_energy_eV", "kinetic_energy_eV", "pressure_bar"):
                a, b = ref[cid][k], other[cid][k]
                check(a.shape == b.shape and a.tobytes() == b.tobytes(),
                      f"{cid} {k} differs between {dirs[0]} and {d}")
    ranks = {d: sorted({c["rank"] for c in cases(d).values()}) for d in dirs}
    print("ranks that ran cases:", ranks)


def complete(d, n):
    with h5py.File(os.path.join(d, "results.h5"), "r") as f:
        check(len(f["cases"]) == n, f"{d}/results.h5 holds {len(f['cases'])} cases, want {n}")
        check(len(f["summary"]) == n, f"{d}/results.h5 summary has {len(f['summary'])} rows, want {n}")
        for cid, g in f["cases"].items():
            check(g.attrs["status"] == "ok", f"{cid} status {g.attrs['status']}")
            check(len(g["step_time_ms"]) == int(g.attrs["n_steps"]), f"{cid} has {len(g['step_time_ms'])} step times")
            for ext in ("h5", "json"):
                check(os.path.exists(os.path.join(d, "cases", f"{cid}.{ext}")), f"{cid}.{ext} missing")
            with open(os.path.join(d, "cases", f"{cid}.json")) as fh:
                j = json.load(fh)
            check(j["case_id"] == cid and j["status"] == "ok", f"{cid}.json does not describe it")
    with open(os.path.join(d, "summary.jsonc")) as fh:
        s = json.load(fh)
    check(len(s["cases"]) == n and s["n_failed"] == 0, f"{d}/summary.jsonc lists {len(s['cases'])} cases")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "same" and len(sys.argv) >= 4:
        same(sys.argv[2:])
    elif mode == "complete" and len(sys.argv) == 4:
        complete(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
