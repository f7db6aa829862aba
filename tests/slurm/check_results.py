#!/usr/bin/python3
"""check_results.py — what a Slurm job left in a results directory, read with h5py.

Usage: check_results.py complete DIR N JOBID PARTITION RANKS
         results.h5 says complete (root attribute complete = 1, suite_cases = N),
         was written by a run on RANKS MPI ranks, holds N cases, every one "ok",
         and each case's provenance names the Slurm job JOBID and PARTITION
         (the job's own SLURM_* variables).
       check_results.py stopped DIR N
         a run stopped by SIGUSR1: root attributes complete = 0 and
         stop_signal = "SIGUSR1"; at least one case "interrupted" (fewer timed
         steps than asked, no JSON marker, so --resume reruns it), every other
         case present "ok" with its marker; fewer than N finished cases.
The last line is `N passed, M failed`; exit 77 without h5py.
"""
import json
import os
import sys

try:
    import h5py
except ImportError as exc:  # pragma: no cover
    print(f"SKIP: h5py not importable ({exc}); run with /usr/bin/python3 (Debian: python3-h5py)")
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


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def complete(d, n, jobid, partition, ranks):
    with h5py.File(os.path.join(d, "results.h5"), "r") as f:
        check(int(f.attrs["mpi_ranks"]) == ranks, f"{d}/results.h5: mpi_ranks = {f.attrs['mpi_ranks']}, want {ranks}")
        check(int(f.attrs["complete"]) == 1, f"{d}/results.h5: complete = {f.attrs['complete']}, want 1")
        check(int(f.attrs["suite_cases"]) == n, f"{d}/results.h5: suite_cases = {f.attrs['suite_cases']}, want {n}")
        check(len(f["cases"]) == n, f"{d}/results.h5 holds {len(f['cases'])} cases, want {n}")
        for cid, g in f["cases"].items():
            check(text(g.attrs["status"]) == "ok", f"{cid}: status {text(g.attrs['status'])}")
            check(text(g.attrs["slurm_job_id"]) == jobid,
                  f"{cid}: slurm_job_id '{text(g.attrs['slurm_job_id'])}', want {jobid}")
            check(text(g.attrs["slurm_job_partition"]) == partition,
                  f"{cid}: slurm_job_partition '{text(g.attrs['slurm_job_partition'])}', want {partition}")
    with open(os.path.join(d, "summary.jsonc")) as fh:
        s = json.load(fh)
    check(s["complete"] is True and s["n_failed"] == 0 and len(s["cases"]) == n,
          f"{d}/summary.jsonc: complete {s['complete']}, {len(s['cases'])} cases, {s['n_failed']} failed")


def stopped(d, n):
    counts = {}
    with h5py.File(os.path.join(d, "results.h5"), "r") as f:
        check(int(f.attrs["complete"]) == 0, f"{d}/results.h5: complete = {f.attrs['complete']}, want 0")
        check(text(f.attrs["stop_signal"]) == "SIGUSR1",
              f"{d}/results.h5: stop_signal '{text(f.attrs['stop_signal'])}', want SIGUSR1")
        check(int(f.attrs["suite_cases"]) == n, f"suite_cases = {f.attrs['suite_cases']}, want {n}")
        for cid, g in f["cases"].items():
            st = text(g.attrs["status"])
            counts[st] = counts.get(st, 0) + 1
            marker = os.path.exists(os.path.join(d, "cases", f"{cid}.json"))
            timed, want = int(g.attrs["n_timed_steps"]), int(g.attrs["n_steps"])
            if st == "interrupted":
                check(not marker, f"{cid} is interrupted but has a JSON marker (--resume would skip it)")
                check(timed < want and len(g["step_time_ms"]) == timed,
                      f"{cid} is interrupted after {timed} of {want} steps with {len(g['step_time_ms'])} step times")
            else:
                check(st == "ok", f"{cid}: status {st}, want ok or interrupted")
                check(marker and timed == want, f"{cid}: ok but marker {marker}, {timed} of {want} steps")
    print(f"stopped run: {counts}")
    check(counts.get("interrupted", 0) >= 1, "no case was interrupted: the stop did not come mid-case")
    check(counts.get("ok", 0) < n, "every case finished: the stop came too late to show anything")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "complete" and len(sys.argv) == 7:
        complete(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]))
    elif mode == "stopped" and len(sys.argv) == 4:
        stopped(sys.argv[2], int(sys.argv[3]))
    else:
        print(__doc__)
        sys.exit(2)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
