#!/usr/bin/python3
"""Synthetic "current" runs for the mdbench regress tests, and checks.

  synth.py scale SRC_DIR DST_DIR FACTOR [--jitter J] [--seed S]
      copies SRC_DIR/results.h5 to DST_DIR/results.h5 with every case's
      step_time_ms multiplied by FACTOR (and, with --jitter, each step by
      U(1-J, 1+J)); the summary's step statistics are recomputed from the
      scaled arrays exactly as mdbench computes them (numpy conventions).
  synth.py scale-json SRC.json DST.json FACTOR [--jitter J] [--seed S]
      the same for one case JSON (raw.step_time_ms and performance.*).
  synth.py drop DIR CASE_ID          removes a case from DIR/results.h5
  synth.py device DIR CASE_ID NAME   sets a case's device_name attribute
  synth.py check-report REPORT.json KIND [CASE ...]
      KIND self: every compared case has ratios exactly 1 and is unchanged;
      slow / fast / jitter: every compared case is a regression /
      improvement / unchanged with the median ratio as expected; prints the
      p-values and ratios.
  synth.py check-csv RESULTS.h5 ANALYZE.csv   analyze's rows equal /summary
  synth.py check-sorted ANALYZE.csv COLUMN asc|desc
"""
import csv
import json
import math
import shutil
import sys
from pathlib import Path

import h5py
import numpy as np


def stats(ms, n_atoms, dt_fs):
    ms = np.asarray(ms, dtype=np.float64)
    if ms.size == 0:
        nan = float("nan")
        return dict(mean_ms=nan, median_ms=nan, p95_ms=nan, p99_ms=nan, std_ms=nan, min_ms=nan, max_ms=nan,
                    total_time_s=0.0, steps_per_second=nan, atom_steps_per_second=nan, ns_per_day=nan)
    total = float(ms.sum()) / 1000.0
    sps = ms.size / total
    return dict(mean_ms=float(ms.mean()), median_ms=float(np.median(ms)), p95_ms=float(np.percentile(ms, 95)),
                p99_ms=float(np.percentile(ms, 99)), std_ms=float(ms.std()), min_ms=float(ms.min()),
                max_ms=float(ms.max()), total_time_s=total, steps_per_second=sps,
                atom_steps_per_second=sps * n_atoms, ns_per_day=sps * dt_fs * 1e-6 * 86400)


def factors(n, factor, jitter, rng):
    f = np.full(n, factor)
    if jitter > 0:
        f *= rng.uniform(1 - jitter, 1 + jitter, n)
    return f


def opts(args):
    jitter, seed, rest = 0.0, 1, []
    i = 0
    while i < len(args):
        if args[i] == "--jitter":
            jitter = float(args[i + 1]); i += 2
        elif args[i] == "--seed":
            seed = int(args[i + 1]); i += 2
        else:
            rest.append(args[i]); i += 1
    return jitter, seed, rest


def scale(src, dst, factor, jitter, seed):
    rng = np.random.default_rng(seed)
    Path(dst).mkdir(parents=True, exist_ok=True)
    out = Path(dst) / "results.h5"
    shutil.copyfile(Path(src) / "results.h5", out)
    with h5py.File(out, "r+") as f:
        summ = f["summary"][()]
        for row in summ:
            cid = row["case_id"].decode()
            d = f["cases"][cid]["step_time_ms"]
            ms = d[()]
            if ms.size == 0:
                continue
            ms = ms * factors(ms.size, factor, jitter, rng)
            d[...] = ms
            for k, v in stats(ms, int(row["n_atoms"]), float(row["timestep_fs"])).items():
                row[k] = v
        f["summary"][...] = summ


def scale_json(src, dst, factor, jitter, seed):
    rng = np.random.default_rng(seed)
    j = json.loads(Path(src).read_text())
    ms = np.asarray(j["raw"]["step_time_ms"], dtype=np.float64)
    ms = ms * factors(ms.size, factor, jitter, rng)
    j["raw"]["step_time_ms"] = ms.tolist()
    s = stats(ms, int(j["metadata"]["n_atoms"]), float(j["metadata"]["timestep_fs"]))
    p = j["performance"]
    for k in ("mean", "median", "p95", "p99", "std", "min", "max"):
        p[f"{k}_step_time_ms"] = s[f"{k}_ms"]
    for k in ("total_time_s", "steps_per_second", "atom_steps_per_second", "ns_per_day"):
        p[k] = s[k]
    Path(dst).write_text(json.dumps(j, indent=1))


def drop(d, cid):
    with h5py.File(Path(d) / "results.h5", "r+") as f:
        summ = f["summary"][()]
        units = f["summary"].attrs["units"]
        keep = summ[np.array([r["case_id"].decode() != cid for r in summ])]
        assert len(keep) == len(summ) - 1, f"no case {cid}"
        dtype = f["summary"].dtype
        del f["summary"]
        del f["cases"][cid]
        ds = f.create_dataset("summary", data=keep, dtype=dtype)
        ds.attrs["units"] = units
        f.attrs["n_cases"] = np.int64(len(keep))


def device(d, cid, name):
    with h5py.File(Path(d) / "results.h5", "r+") as f:
        f["cases"][cid].attrs["device_name"] = name


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def check_report(path, kind, cases):
    r = json.loads(Path(path).read_text())
    compared = [c for c in r["cases"] if c["metrics"] is not None]
    if not compared:
        fail(f"{path}: no compared case")
    want = {"self": "unchanged", "jitter": "unchanged", "slow": "regression", "fast": "improvement"}[kind]
    for c in compared:
        m = c["metrics"]
        med = m["median_ms"]
        print(f"{kind:6s} {c['case']:28s} {c['verdict']:12s} median ratio {med['ratio']:.6f} "
              f"p_regression {med['p_regression']:.3g} p_improvement {med['p_improvement']:.3g} "
              f"p99 ratio {m['p99_ms']['ratio']:.4f} steps/s ratio {m['steps_per_second']['ratio']:.6f} "
              f"[{m['steps_per_second']['ratio_lower']:.4f}, {m['steps_per_second']['ratio_upper']:.4f}]")
        if c["verdict"] != want:
            fail(f"{kind}: case {c['case']} is {c['verdict']}, expected {want}")
        if kind == "self":
            for k, v in m.items():
                if v["ratio"] != 1.0:
                    fail(f"self: {c['case']} {k} ratio {v['ratio']!r} != 1")
        if kind in ("slow", "fast"):
            f = 1.2 if kind == "slow" else 0.8
            for k in ("median_ms", "p95_ms", "p99_ms"):
                if abs(m[k]["ratio"] - f) > 1e-9 * f:
                    fail(f"{kind}: {c['case']} {k} ratio {m[k]['ratio']!r}, expected {f}")
            if abs(m["steps_per_second"]["ratio"] - 1 / f) > 1e-9:
                fail(f"{kind}: {c['case']} steps/s ratio {m['steps_per_second']['ratio']!r}, expected {1 / f}")
            p = med["p_regression"] if kind == "slow" else med["p_improvement"]
            if not p < r["settings"]["alpha"]:
                fail(f"{kind}: {c['case']} p {p} not below alpha")
        if kind == "jitter" and not (0.99 < med["ratio"] < 1.06 and med["p_regression"] > 0.5):
            fail(f"jitter: {c['case']} median ratio {med['ratio']} p_regression {med['p_regression']}")
    for name in cases:  # cases that must appear with a given verdict: NAME=VERDICT
        cid, v = name.split("=")
        got = [c["verdict"] for c in r["cases"] if c["case"] == cid]
        if got != [v]:
            fail(f"{path}: case {cid} has verdicts {got}, expected [{v}]")
    want_exit = 1 if kind == "slow" else 0
    if r["exit_code"] != want_exit:
        fail(f"{path}: exit_code {r['exit_code']} != {want_exit}")


def num(s):
    return float(s) if s != "" else float("nan")


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def check_csv(h5, csvfile):
    rows = list(csv.DictReader(open(csvfile)))
    with h5py.File(h5, "r") as f:
        summ = f["summary"][()]
    if len(rows) != len(summ):
        fail(f"{csvfile}: {len(rows)} rows, /summary has {len(summ)}")
    cols = {"median_ms": "median_ms", "p95_ms": "p95_ms", "p99_ms": "p99_ms", "mean_ms": "mean_ms",
            "steps_per_second": "steps_per_second", "peak_memory_gb": "peak_memory_gb",
            "energy_drift": "energy_drift",
            "drift_slope_eV_per_atom_per_ps": "drift_slope_eV_per_atom_per_ps"}
    for row, s in zip(rows, summ):
        if row["case_id"] != s["case_id"].decode() or row["status"] != s["status"].decode():
            fail(f"row {row['case_id']}/{row['status']} vs {s['case_id']}/{s['status']}")
        if int(row["n_atoms"]) != int(s["n_atoms"]):
            fail(f"{row['case_id']}: n_atoms")
        for a, b in cols.items():
            if not same(num(row[a]), float(s[b])):
                fail(f"{row['case_id']}: {a} {row[a]} != /summary {float(s[b])!r}")
    print(f"analyze csv: {len(rows)} rows equal /summary in {len(cols)} numeric columns")


def check_sorted(csvfile, col, order):
    vals = [num(r[col]) for r in csv.DictReader(open(csvfile))]
    finite = [v for v in vals if not math.isnan(v)]
    if any(math.isnan(v) for v in vals[:len(finite)]):
        fail(f"{col}: missing values are not last: {vals}")
    ok = all(a <= b for a, b in zip(finite, finite[1:])) if order == "asc" else \
        all(a >= b for a, b in zip(finite, finite[1:]))
    if not ok:
        fail(f"{col} not {order}: {vals}")
    print(f"sorted by {col} {order}: {vals}")


def main(a):
    cmd = a[0]
    if cmd in ("scale", "scale-json"):
        jitter, seed, rest = opts(a[1:])
        (scale if cmd == "scale" else scale_json)(rest[0], rest[1], float(rest[2]), jitter, seed)
    elif cmd == "drop":
        drop(a[1], a[2])
    elif cmd == "device":
        device(a[1], a[2], a[3])
    elif cmd == "check-report":
        check_report(a[1], a[2], a[3:])
    elif cmd == "check-csv":
        check_csv(a[1], a[2])
    elif cmd == "check-sorted":
        check_sorted(a[1], a[2], a[3])
    else:
        fail(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv[1:])
