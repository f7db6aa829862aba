"""Trends over many runs: `python3 -m mdbench_analysis history RESULTS... -o DIR`.

Per case (matched by case id, as `mdbench regress` matches suite results),
the median, P95 and P99 of the per-step times of each run, with a moving-block
bootstrap band (95 %, 1000 resamples, seeded) around each, over the runs
ordered by time (root attribute `created_utc`) or by commit (`git_commit`,
in the order of `git rev-list` of a repository, or of first appearance in
time). A step between two consecutive runs is marked when `mdbench regress`
calls the median a regression or an improvement: the change test is not
reimplemented here; history runs the same binary (`--mdbench`), so its
one-sided Mann-Whitney test on the per-step times divided by the threshold,
its threshold and alpha are exactly the ones `regress` applies.

Writes DIR/history_<case>.png, DIR/history.html (self-contained: the images
are inlined as base64) and DIR/history.json (the numbers behind them).
"""
import base64
import html
import json
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np

from .results import load

BAND = 0.95
RESAMPLES = 1000
STATS = (("median", 50.0), ("p95", 95.0), ("p99", 99.0))


class HistoryError(Exception):
    """Bad input for history (exit 2); str(e) is the one-line message."""


def block_bootstrap_band(ms, q, B=RESAMPLES, seed=1, band=BAND):
    """(lo, hi): the central `band` interval of the q-th percentile over B
    moving-block resamples of the per-step times (block length n^(1/3), so
    correlated neighbouring steps stay together)."""
    ms = np.asarray(ms, dtype=np.float64)
    n = ms.size
    if n < 2:
        return float("nan"), float("nan")
    L = max(1, int(round(n ** (1.0 / 3.0))))
    nb = -(-n // L)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n - L + 1, size=(B, nb))
    idx = (starts[:, :, None] + np.arange(L)[None, None, :]).reshape(B, -1)[:, :n]
    vals = np.percentile(ms[idx], q, axis=1)
    a = (1.0 - band) / 2.0
    return float(np.quantile(vals, a)), float(np.quantile(vals, 1.0 - a))


def _results_file(p):
    if os.path.isdir(p):
        f = os.path.join(p, "results.h5")
        if not os.path.exists(f):
            raise HistoryError(f"{p}: a directory without results.h5 (give a suite or compare directory, or the file)")
        return f
    return p


def _commit_order(repo):
    try:
        out = subprocess.run(["git", "-C", repo, "rev-list", "--topo-order", "--reverse", "--all"],
                             capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError) as e:
        raise HistoryError(f"--repo {repo}: cannot list its commits ({e})") from None
    return out


def order_runs(runs, order, repo=None):
    """Sorts the runs by time, or by commit (then time)."""
    runs.sort(key=lambda r: (r["created_utc"], r["index"]))
    if order == "commit":
        ranks = {}
        if repo:
            for i, c in enumerate(_commit_order(repo)):
                ranks[c[:12]] = i
        first = {}
        for r in runs:  # commits git does not know sort by their first run, after the known ones
            c = r["git_commit"].replace("-dirty", "")[:12]
            first.setdefault(c, len(first))
        runs.sort(key=lambda r: (0, ranks[r["commit12"]]) if r["commit12"] in ranks else (1, first[r["commit12"]]))
    return runs


def find_mdbench(explicit=None):
    cands = [explicit] if explicit else [os.environ.get("MDBENCH"), shutil.which("mdbench")]
    here = os.path.dirname(os.path.abspath(__file__))
    if not explicit:
        cands += [os.path.join(here, "..", "..", "build", "mdbench"), os.path.join(here, "..", "..", "..", "bin", "mdbench")]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def change_test(mdbench, base, cur, threshold, alpha, workdir, tag):
    """{key: median_ms metric dict} from `mdbench regress` between two results files."""
    out = os.path.join(workdir, f"regress_{tag}.json")
    p = subprocess.run([mdbench, "regress", "--baseline", base, "--current", cur, "--threshold", str(threshold),
                        "--alpha", str(alpha), "--output", out], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        msg = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise HistoryError(f"mdbench regress {base} -> {cur} failed (exit {p.returncode}): {msg}")
    with open(out) as f:
        rep = json.load(f)
    res = {}
    for c in rep.get("cases", []):
        m = (c.get("metrics") or {}).get("median_ms")
        res[c["key"]] = {"verdict": (m or {}).get("verdict", c.get("verdict")), "ratio": (m or {}).get("ratio"),
                         "p_regression": (m or {}).get("p_regression"),
                         "p_improvement": (m or {}).get("p_improvement"), "case_verdict": c.get("verdict")}
    return res, rep.get("matched_by")


def build_history(paths, order="time", repo=None, mdbench=None, threshold=1.10, alpha=0.01, workdir=None):
    """The history as a dict (what history.json holds)."""
    if len(paths) < 2:
        raise HistoryError("give at least two results (files or directories) to draw a history")
    runs = []
    for i, p in enumerate(paths):
        f = _results_file(p)
        res = load(f)  # ResultsError names the problem
        gc = str(res.attrs.get("git_commit", "unknown") or "unknown")
        runs.append({"index": i, "path": os.path.abspath(f), "res": res,
                     "created_utc": str(res.attrs.get("created_utc", "") or ""), "git_commit": gc,
                     "commit12": gc.replace("-dirty", "")[:12]})
    order_runs(runs, order, repo)
    mdb = find_mdbench(mdbench)
    if mdb is None:
        raise HistoryError("cannot find the mdbench binary for the change test (give --mdbench PATH or set MDBENCH)")
    steps = []
    for a, b in zip(runs, runs[1:]):
        verdicts, matched = change_test(mdb, a["path"], b["path"], threshold, alpha, workdir, len(steps))
        steps.append(verdicts)
    cases = {}
    for ri, r in enumerate(runs):
        for row in r["res"].rows:
            cid = row["case_id"]
            c = cases.setdefault(cid, {"case_id": cid, "system": row.get("system", ""), "n_atoms": row.get("n_atoms", 0),
                                       "protocol": row.get("protocol", ""), "calculator": row.get("calculator", ""),
                                       "device": row.get("device", ""), "points": [None] * len(runs)})
            ms = r["res"].cases[cid].step_time_ms
            pt = {"run": ri, "status": row.get("status", ""), "n_timed_steps": int(ms.size)}
            for name, q in STATS:
                if ms.size and row.get("status") == "ok":
                    lo, hi = block_bootstrap_band(ms, q, seed=1000 * ri + int(q))
                    pt[name] = float(np.percentile(ms, q))
                    pt[name + "_lo"], pt[name + "_hi"] = lo, hi
                else:
                    pt[name] = pt[name + "_lo"] = pt[name + "_hi"] = None
            c["points"][ri] = pt
    for cid, c in cases.items():
        c["steps"] = []
        for si, v in enumerate(steps):
            t = v.get(cid)
            verdict = t["verdict"] if t else "not_compared"
            c["steps"].append({"from_run": si, "to_run": si + 1, "verdict": verdict,
                               "marked": verdict in ("regression", "improvement"),
                               "ratio": t["ratio"] if t else None,
                               "p_regression": t["p_regression"] if t else None,
                               "p_improvement": t["p_improvement"] if t else None})
    return {"schema": "mdbench-history/1", "order": order, "threshold": threshold, "alpha": alpha,
            "change_test": "mdbench regress (median_ms: one-sided Mann-Whitney of current/threshold vs baseline)",
            "mdbench": mdb, "band": {"level": BAND, "resamples": RESAMPLES, "method": "moving-block bootstrap"},
            "runs": [{"path": r["path"], "created_utc": r["created_utc"], "git_commit": r["git_commit"],
                      "label": run_label(r, order)} for r in runs],
            "cases": [cases[k] for k in sorted(cases)]}


def run_label(r, order):
    t = r["created_utc"].replace("T", " ").replace("Z", "")
    return f"{r['commit12'][:8]}\n{t[5:16]}" if order == "commit" else f"{t[5:16]}\n{r['commit12'][:8]}"


def _safe(cid):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", cid)


def plot_case(h, c, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [r["label"] for r in h["runs"]]
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(max(6.4, 1.1 * len(labels) + 2.5), 4.2), dpi=100)
    styles = {"median": ("o", "-", "#1f77b4"), "p95": ("s", "--", "#ff7f0e"), "p99": ("^", ":", "#2ca02c")}
    for name, _ in STATS:
        y = np.array([p[name] if p and p[name] is not None else np.nan for p in c["points"]])
        lo = np.array([p[name + "_lo"] if p and p[name + "_lo"] is not None else np.nan for p in c["points"]])
        hi = np.array([p[name + "_hi"] if p and p[name + "_hi"] is not None else np.nan for p in c["points"]])
        m, ls, col = styles[name]
        ax.plot(x, y, marker=m, linestyle=ls, color=col, label=name.upper() if name != "median" else "median")
        ax.fill_between(x, lo, hi, color=col, alpha=0.18, linewidth=0)
    marked = False
    for s in c["steps"]:
        if s["marked"]:
            col = "#d62728" if s["verdict"] == "regression" else "#2ca02c"
            ax.axvspan(s["from_run"] + 0.05, s["to_run"] - 0.05, color=col, alpha=0.12)
            txt = f"{s['verdict']} x{s['ratio']:.2f}" if s["ratio"] is not None else s["verdict"]
            ax.annotate(txt, xy=((s["from_run"] + s["to_run"]) / 2, 1.0), xycoords=("data", "axes fraction"),
                        ha="center", va="bottom", color=col, fontsize=9, fontweight="bold")
            marked = True
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=8)
    ys = [p[n] for p in c["points"] if p for n, _ in STATS if p[n]]
    if ys and max(ys) > 3 * min(ys):  # a tail far above the median: log, so both stay readable
        ax.set_yscale("log")
    ax.set_ylabel("step time (ms)")
    ax.set_xlim(-0.4, len(labels) - 0.6)
    ax.set_title(c["case_id"] + ("" if marked else "  (no change)"), fontsize=10, pad=16)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="95 % band shaded", title_fontsize=7)
    fig.tight_layout()
    fig.savefig(path, facecolor="white")
    plt.close(fig)


def _fmt(v, spec=".4g"):
    return "n/a" if v is None else format(v, spec)


def render_html(h, images, title):
    e = html.escape
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}.regression{color:#c00;font-weight:bold}"
           ".improvement{color:#080;font-weight:bold}img{max-width:100%}</style></head><body>",
           f"<h1>{e(title)}</h1>",
           f"<p>{len(h['runs'])} runs ordered by {e(h['order'])}; steps marked where <code>mdbench regress</code> "
           f"(threshold {h['threshold']}, alpha {h['alpha']}) calls the median a regression or an improvement. "
           f"Bands: {int(BAND * 100)} % moving-block bootstrap of each statistic ({RESAMPLES} resamples).</p>",
           "<table><tr><th>#</th><th>created (UTC)</th><th>commit</th><th>results</th></tr>"]
    for i, r in enumerate(h["runs"]):
        out.append(f"<tr><td>{i + 1}</td><td>{e(r['created_utc'])}</td><td>{e(r['git_commit'])}</td>"
                   f"<td style='text-align:left'>{e(r['path'])}</td></tr>")
    out.append("</table>")
    for c in h["cases"]:
        out.append(f"<h2>{e(c['case_id'])}</h2><img alt='{e(c['case_id'])}' "
                   f"src='data:image/png;base64,{base64.b64encode(images[c['case_id']]).decode('ascii')}'>")
        out.append("<table><tr><th>run</th><th>median ms</th><th>P95 ms</th><th>P99 ms</th><th>step</th>"
                   "<th>median ratio</th><th>p (regression)</th><th>verdict</th></tr>")
        for i, p in enumerate(c["points"]):
            s = c["steps"][i - 1] if i > 0 else None
            cells = [str(i + 1)] + [_fmt(p[n]) if p else "absent" for n, _ in STATS]
            if s:
                cells += [f"{i}&rarr;{i + 1}", _fmt(s["ratio"], ".3f"), _fmt(s["p_regression"], ".2g"),
                          f"<span class='{e(s['verdict'])}'>{e(s['verdict'])}</span>"]
            else:
                cells += ["", "", "", ""]
            out.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def write_history(paths, outdir, order="time", repo=None, mdbench=None, threshold=1.10, alpha=0.01, title=None):
    """Builds the history and writes it into outdir (replaced only when all of it exists)."""
    parent = os.path.dirname(os.path.abspath(outdir)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".history.", dir=parent)
    try:
        h = build_history(paths, order, repo, mdbench, threshold, alpha, workdir=tmp)
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        images = {}
        for c in h["cases"]:
            name = f"history_{_safe(c['case_id'])}.png"
            plot_case(h, c, os.path.join(tmp, name))
            c["png"] = name
            with open(os.path.join(tmp, name), "rb") as f:
                images[c["case_id"]] = f.read()
        with open(os.path.join(tmp, "history.json"), "w") as f:
            json.dump(h, f, indent=1)
        with open(os.path.join(tmp, "history.html"), "w") as f:
            f.write(render_html(h, images, title or f"mdbench history ({len(h['runs'])} runs)"))
        os.makedirs(outdir, exist_ok=True)
        for f in os.listdir(tmp):
            os.replace(os.path.join(tmp, f), os.path.join(outdir, f))
        return h
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
