"""Command line: python3 -m mdbench_analysis {report,summary,history} ...

Exit codes: 0 ok; 2 bad input (missing file, not HDF5, not schema
"mdbench/2" or "mdbench/1", bad arguments), nothing written; 3 the output could not be
written or a dependency is missing.
"""
import argparse
import math
import os
import sys

from . import metrics  # no third-party imports: the names of the C metrics table

PROG = "mdbench-analysis"

# the case's columns, then every /summary metric of the C table (src/io/metrics.def, via metrics.py)
SORT_KEYS = ("case_id", "system", "n_atoms", "protocol", "calculator", "device", "status") + metrics.SUMMARY


def _fail(cmd, msg, code):
    print(f"{PROG} {cmd}: error: {msg}", file=sys.stderr)
    return code


def _parser():
    p = argparse.ArgumentParser(prog=PROG, description="Reports and plots from an mdbench results.h5 "
                                "(schema mdbench/2 or mdbench/1, docs/hdf5-layout.md).")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True
    r = sub.add_parser("report", help="write report.md, report.html and the plots into a directory",
                       description="Writes DIR/report.md, a self-contained DIR/report.html and the PNG plots "
                       "(latency_dist, energy_conservation, comparison, scaling, shadow_error where there is data).")
    r.add_argument("results", help="results.h5 written by mdbench-suite or mdbench compare")
    r.add_argument("-o", "--output", metavar="DIR",
                   help="report directory (created; files in it are replaced) [report/ beside the results file]")
    r.add_argument("--title", help="report title [mdbench report: SUITE]")
    s = sub.add_parser("summary", help="print the summary table (one row per case) to stdout")
    s.add_argument("results", help="results.h5")
    s.add_argument("--sort", choices=SORT_KEYS, metavar="COLUMN",
                   help="sort by this summary field (" + ", ".join(SORT_KEYS) + "); run order by default")
    s.add_argument("--reverse", action="store_true", help="sort descending")
    h = sub.add_parser("history", help="median and P95/P99 per case over many runs, change steps marked",
                       description="Writes DIR/history.html (self-contained), DIR/history_<case>.png and "
                       "DIR/history.json: per case (matched by case id) the median, P95 and P99 of each run with "
                       "a 95 %% bootstrap band, runs ordered by time or commit, and the steps that `mdbench regress` "
                       "(run as the change test) calls a regression or an improvement of the median.")
    h.add_argument("results", nargs="+", help="results.h5 files or the directories that hold them (two or more)")
    h.add_argument("-o", "--output", metavar="DIR", required=True, help="history directory (created; files replaced)")
    h.add_argument("--order", choices=("time", "commit"), default="time",
                   help="order runs by created_utc (time) or by git_commit (commit) [time]")
    h.add_argument("--repo", metavar="GIT_DIR", help="with --order commit: order commits as git rev-list does here")
    h.add_argument("--mdbench", metavar="PATH", help="the mdbench binary for the change test [$MDBENCH, PATH, build/]")
    h.add_argument("--threshold", type=float, default=1.10, help="passed to mdbench regress [1.10]")
    h.add_argument("--alpha", type=float, default=0.01, help="passed to mdbench regress [0.01]")
    h.add_argument("--title", help="page title")
    return p


def cmd_history(args):
    try:
        from .history import HistoryError, write_history
        from .results import ResultsError
    except ImportError as e:  # pragma: no cover
        return _fail("history", f"missing Python package: {e.name} (install h5py, numpy and matplotlib)", 3)
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        return _fail("history", f"{args.output}: exists and is not a directory (give a directory for -o)", 2)
    try:
        h = write_history(args.results, args.output, args.order, args.repo, args.mdbench, args.threshold,
                          args.alpha, args.title)
    except (HistoryError, ResultsError) as e:
        return _fail("history", str(e), 2)
    except OSError as e:
        return _fail("history", f"cannot write into {args.output}: {e.strerror or e}", 3)
    marked = [(c["case_id"], s) for c in h["cases"] for s in c["steps"] if s["marked"]]
    print(f"history: {os.path.join(args.output, 'history.html')} ({len(h['runs'])} runs, {len(h['cases'])} cases, "
          f"{len(marked)} marked step(s)" + (": " + ", ".join(f"{cid} run {s['from_run'] + 1}->{s['to_run'] + 1} {s['verdict']}"
                                                             for cid, s in marked) if marked else "") + ")")
    return 0


def _load(cmd, path):
    try:
        from .results import ResultsError, load
    except ImportError as e:  # pragma: no cover - depends on the machine
        return None, _fail(cmd, f"missing Python package: {e.name} (install h5py, numpy and matplotlib)", 3)
    try:
        return load(path), 0
    except ResultsError as e:
        return None, _fail(cmd, str(e), 2)


def cmd_report(args):
    res, code = _load("report", args.results)
    if res is None:
        return code
    try:
        from .report import write_report
    except ImportError as e:  # pragma: no cover
        return _fail("report", f"missing Python package: {e.name} (install matplotlib)", 3)
    out = args.output or os.path.join(os.path.dirname(os.path.abspath(args.results)), "report")
    if os.path.exists(out) and not os.path.isdir(out):
        return _fail("report", f"{out}: exists and is not a directory (give a directory for -o)", 2)
    try:
        written, _, _ = write_report(res, out, args.title)
    except OSError as e:
        why = f"{e.strerror}: {e.filename}" if e.strerror and e.filename else (e.strerror or str(e))
        return _fail("report", f"cannot write the report into {out}: {why}", 3)
    print(f"report: {os.path.join(out, 'report.md')}, {os.path.join(out, 'report.html')} "
          f"({len(written) - 2} plots: {', '.join(w for w in written if w.endswith('.png'))})")
    return 0


def cmd_summary(args):
    res, code = _load("summary", args.results)
    if res is None:
        return code
    from .report import summary_table, SUMMARY_COLUMNS

    rows = list(res.rows)
    if args.sort:
        def key(r):
            v = r.get(args.sort)
            if isinstance(v, str):
                return (0, v)
            try:
                f = float(v)
            except (TypeError, ValueError):
                return (2, 0.0)
            return (1 if math.isnan(f) else 0, f)
        rows.sort(key=key, reverse=args.reverse)
        if args.reverse:  # NaN stays last either way
            rows = [r for r in rows if key(r)[0] == 0] + [r for r in rows if key(r)[0] != 0]
    headers, body = summary_table(rows)
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(headers)]
    numeric = {i for i, c in enumerate(SUMMARY_COLUMNS) if c[2] is not None}

    def line(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(headers).rstrip())
    for b in body:
        print(line(b).rstrip())
    bad = res.bad_rows()
    if bad:
        print(f"{len(bad)} case(s) not ok: " + ", ".join(f"{r['case_id']} ({r['status']})" for r in bad))
    return 0


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.cmd == "report":
            return cmd_report(args)
        if args.cmd == "history":
            return cmd_history(args)
        return cmd_summary(args)
    except BrokenPipeError:  # `... summary | head`
        try:
            sys.stdout.close()
        except OSError:
            pass
        return 0


if __name__ == "__main__":
    sys.exit(main())
