"""Command line: python3 -m mdbench_analysis {report,summary} ...

Exit codes: 0 ok; 2 bad input (missing file, not HDF5, not schema
"mdbench/1", bad arguments), nothing written; 3 the output could not be
written or a dependency is missing.
"""
import argparse
import math
import os
import sys

PROG = "mdbench-analysis"

SORT_KEYS = ("case_id", "system", "n_atoms", "protocol", "calculator", "device", "status", "median_ms", "p95_ms",
             "p99_ms", "steps_per_second", "atom_steps_per_second", "peak_memory_gb",
             "drift_slope_eV_per_atom_per_ps")


def _fail(cmd, msg, code):
    print(f"{PROG} {cmd}: error: {msg}", file=sys.stderr)
    return code


def _parser():
    p = argparse.ArgumentParser(prog=PROG, description="Reports and plots from an mdbench results.h5 "
                                "(schema mdbench/1, docs/hdf5-layout.md).")
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
    return p


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
        return cmd_summary(args)
    except BrokenPipeError:  # `... summary | head`
        try:
            sys.stdout.close()
        except OSError:
            pass
        return 0


if __name__ == "__main__":
    sys.exit(main())
