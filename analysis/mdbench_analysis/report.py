"""report.md and a self-contained report.html from a results file.

The report is built once as a list of blocks and rendered twice (Markdown
and HTML), so both say the same thing. Everything is written into a
temporary directory beside the output directory and moved into place only
when all of it exists: an error leaves the output directory as it was.
"""
import base64
import html
import os
import re
import shutil
import tempfile

from . import metrics, plots
from .results import finite

REPORT_FILES = ("latency_dist.png", "energy_conservation.png", "comparison.png", "scaling.png",
                "shadow_error.png", "report.md", "report.html")

# summary table: (header, summary field, format); numbers to 4 significant digits
SUMMARY_COLUMNS = (
    ("case id", "case_id", None),
    ("system", "system", None),
    ("atoms", "n_atoms", "d"),
    ("protocol", "protocol", None),
    ("calculator", "calculator", None),
    ("device", "device", None),
    ("status", "status", None),
    ("median ms", "median_ms", ".4g"),
    ("P95 ms", "p95_ms", ".4g"),
    ("P99 ms", "p99_ms", ".4g"),
    ("steps/s", "steps_per_second", ".4g"),
    ("atom-steps/s", "atom_steps_per_second", ".4g"),
    ("peak GB", "peak_memory_gb", ".4g"),
    ("drift slope eV/atom/ps", "drift_slope_eV_per_atom_per_ps", ".3e"),
)

# a metric named above that the C table (src/io/metrics.def) does not have is a bug: fail at import
_CASE_FIELDS = ("case_id", "system", "n_atoms", "protocol", "calculator", "device", "status")
assert all(k in _CASE_FIELDS or k in metrics.SUMMARY for _, k, _ in SUMMARY_COLUMNS), "a report column is not a metric"

PROVENANCE_ORDER = ("schema", "suite", "created_utc", "mdbench_version", "git_commit", "mpi_ranks", "n_cases",
                    "command", "build", "mpi_library", "hdf5_version")


def fmt(v, spec):
    """A summary value as printed in the tables; "n/a" for NaN or missing."""
    if spec is None:
        return "" if v is None else str(v)
    if v is None:
        return "n/a"
    if spec == "d":
        try:
            return str(int(v))
        except (TypeError, ValueError):
            return "n/a"
    if not finite(v):
        return "n/a"
    return format(float(v), spec)


def summary_table(rows):
    headers = [c[0] for c in SUMMARY_COLUMNS]
    body = [[fmt(r.get(key), spec) for _, key, spec in SUMMARY_COLUMNS] for r in rows]
    return headers, body


# ------------------------------------------------------------ the blocks
class Doc:
    def __init__(self):
        self.blocks = []

    def h(self, level, text):
        self.blocks.append(("h", level, text))

    def p(self, text):
        self.blocks.append(("p", text))

    def ul(self, items):
        self.blocks.append(("ul", list(items)))

    def table(self, headers, rows, numeric=()):
        self.blocks.append(("table", list(headers), [list(r) for r in rows], set(numeric)))

    def img(self, name, alt):
        self.blocks.append(("img", name, alt))


_CODE = re.compile(r"`([^`]+)`")


def _md_cell(s):
    return str(s).replace("|", "\\|").replace("\n", "<br>")


def render_md(doc):
    out = []
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append("#" * b[1] + " " + b[2])
        elif kind == "p":
            out.append(b[1])
        elif kind == "ul":
            out.append("\n".join("- " + it for it in b[1]))
        elif kind == "table":
            headers, rows, numeric = b[1], b[2], b[3]
            out.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
            out[-1] += "\n|" + "|".join(" ---: " if i in numeric else " --- " for i in range(len(headers))) + "|"
            for r in rows:
                out[-1] += "\n| " + " | ".join(_md_cell(c) for c in r) + " |"
        elif kind == "img":
            out.append(f"![{b[2]}]({b[1]})")
        out.append("")
    return "\n".join(out)


def _html_inline(s):
    s = html.escape(str(s))
    s = _CODE.sub(lambda m: "<code>" + m.group(1) + "</code>", s)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", s)


STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1700px;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #ccc; padding-bottom: .2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .15em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: .8em 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 7px; vertical-align: top; }
th { background: #f0f0f0; } tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
img { max-width: 100%; border: 1px solid #ddd; margin: .5em 0; }
td.status-failed, td.status-error, td.status-interrupted { color: #b00; font-weight: bold; }
"""


def render_html(doc, title, images):
    """images: name -> PNG bytes, embedded as data URIs."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>"]
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append(f"<h{b[1]}>{_html_inline(b[2])}</h{b[1]}>")
        elif kind == "p":
            out.append(f"<p>{_html_inline(b[1])}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_html_inline(it)}</li>" for it in b[1]) + "</ul>")
        elif kind == "table":
            headers, rows, numeric = b[1], b[2], b[3]
            status_col = headers.index("status") if "status" in headers else -1
            t = ["<table>", "<thead><tr>" + "".join(f"<th>{_html_inline(h)}</th>" for h in headers) + "</tr></thead>",
                 "<tbody>"]
            for r in rows:
                cells = []
                for i, c in enumerate(r):
                    cls = []
                    if i in numeric:
                        cls.append("num")
                    if i == status_col and c != "ok":
                        cls.append("status-" + re.sub(r"[^a-z]", "", str(c)))
                    attr = f' class="{" ".join(cls)}"' if cls else ""
                    cells.append(f"<td{attr}>" + html.escape(str(c)).replace("\n", "<br>") + "</td>")
                t.append("<tr>" + "".join(cells) + "</tr>")
            t.append("</tbody></table>")
            out.append("\n".join(t))
        elif kind == "img":
            data = base64.b64encode(images[b[1]]).decode("ascii")
            out.append(f'<figure><img alt="{html.escape(b[2])}" title="{html.escape(b[1])}" '
                       f'src="data:image/png;base64,{data}"><figcaption><code>{html.escape(b[1])}</code>'
                       "</figcaption></figure>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# ------------------------------------------------------------ the content
def _one_line(s):
    return " ".join(str(s).split())


def _ids(ids, limit=12):
    ids = list(ids)
    s = ", ".join(f"`{i}`" for i in ids[:limit])
    return s + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def build(res, figures, groups, title):
    doc = Doc()
    a = res.attrs
    doc.h(1, title)
    n_bad = len(res.bad_rows())
    doc.p(f"Results file `{os.path.basename(res.path)}`: suite `{a.get('suite', '')}`, {len(res.rows)} case"
          f"{'s' if len(res.rows) != 1 else ''} ({len(res.rows) - n_bad} ok"
          + (f", **{n_bad} not ok** — see Failures" if n_bad else "") + f"), written {a.get('created_utc', '?')} "
          f"by mdbench {a.get('mdbench_version', '?')} on {a.get('mpi_ranks', '?')} MPI rank(s).")

    if str(a.get("complete", 1)) in ("0", "False", "false"):
        sig = a.get("stop_signal") or "a signal or a time limit"
        doc.p(f"**Incomplete run**: stopped by {sig}; {len(res.rows)} of {a.get('suite_cases', '?')} cases have "
              "results. Finish it with `mdbench-suite SUITE --resume DIR` and report again.")

    # summary
    doc.h(2, "Summary")
    doc.p("One row per case, in the run's order, from `/summary`; numbers to 4 significant digits (drift slope "
          "3 decimals in scientific notation); `n/a` where the statistic does not exist. Latency is the wall "
          "time of one timed MD step; the drift slope is the least-squares slope of the conserved energy per atom. "
          "Cases whose status is not `ok` are not comparable: their numbers (if any) come from partial runs.")
    headers, body = summary_table(res.rows)
    doc.table(headers, body, numeric={2} | set(range(7, len(headers))))

    # plots
    doc.h(2, "Plots")
    by_name = {f.name: f for f in figures if f is not None}
    excluded = [r["case_id"] for r in res.bad_rows()]
    if excluded:
        doc.p(f"Plots show only `ok` cases; left out as not ok: {_ids(excluded)}.")

    def section(name, heading, text, missing):
        doc.h(3, heading)
        f = by_name.get(name)
        if f is None:
            doc.p(missing)
            return
        doc.p(text + f" ({f.size_px[0]}×{f.size_px[1]} px.)")
        if f.left_out:
            doc.p(f"Not drawn (the figure shows at most {len(f.shown)} cases): {_ids(f.left_out)}.")
        doc.img(name, heading)

    section("latency_dist.png", "Latency distribution",
            "`latency_dist.png`: histogram of the per-step wall time of every timed step of each case "
            "(`/cases/<id>/step_time_ms`), in the calculator's colour, with the median (P50, solid, circle), P95 "
            "(dashed, square) and P99 (dotted, triangle) marked. The x axis is logarithmic and spans P0.5 to "
            "P99.9, so a few very slow steps on a noisy machine do not squash the distribution; the steps beyond "
            "P99.9 are counted in the red tail marker at the right edge (with the slowest step), those below P0.5 "
            "in the legend.",
            "No `ok` case has timed steps: no latency plot.")
    section("energy_conservation.png", "Energy conservation",
            "`energy_conservation.png`: the NVE cases' total energy (left) and the NVT/NPT cases' conserved "
            "quantity, total energy plus the thermostat/barostat terms (right), against simulated time, as the "
            "change per atom since the start, (E(t) − E(0))/N in meV/atom, so cases of different sizes share an "
            "axis. Each should stay flat. An NVT/NPT total energy exchanges heat with the bath, so it is not "
            "drawn: on the NVE axis it would flatten the drift. Colour: calculator (as in every figure); marker: "
            "the case.",
            "No `ok` case has energy samples: no energy plot.")
    section("comparison.png", "Comparison",
            "`comparison.png`: per case (grouped by system and calculator): mean, P95 and P99 step latency (ms, "
            "log scale), throughput (steps/s, log), peak resident memory (GB) and the magnitude of the energy "
            "drift slope (eV/atom/ps, log; `0` or `n/a` where it is zero or undefined). Bars are coloured by "
            "calculator, in every panel; the latency statistics are told apart by hatch (mean plain, P95 "
            "`///`, P99 `xxx`). The legends sit outside the panels. For a model in its own process (`ase:`, `ipi:launch=`) the memory panel adds that "
            "process's peak (hatched), and the table below gives its time and memory.",
            "No `ok` case has latency statistics: no comparison plot.")
    models = [(cid, c.model) for cid, c in sorted(res.cases.items()) if getattr(c, "model", None)]
    if models:
        rows = []
        for cid, m in models:
            rows.append([cid, fmt(m.get("memory_peak_bytes", float("nan")) / 1e9, ".4g"),
                         fmt((m.get("memory_after_bytes", float("nan")) - m.get("memory_before_bytes", float("nan")))
                             / 1e9, ".4g"),
                         "yes" if int(m.get("leak_detected", 0) or 0) else "no", fmt(m.get("threads"), "d"),
                         fmt(m.get("model_median_ms"), ".4g"), fmt(m.get("harness_overhead_median_ms"), ".4g")])
        doc.table(["case id", "model peak GB", "model delta GB", "model leak", "threads", "model median ms",
                   "harness median ms"], rows, numeric=(1, 2, 4, 5, 6))
    section("scaling.png", "Scaling",
            "`scaling.png`: median time per step against the number of atoms, log-log, one line per calculator, "
            "system, protocol and device that was run at two or more sizes; the bar above each point reaches its "
            "P95. The exponent is the least-squares slope of log(median ms) against log(N): 1 means the cost "
            "grows linearly with the number of atoms.",
            "No calculator was run at two or more sizes of the same system, protocol and device: no scaling "
            "plot (`scaling.png` is not written).")
    if groups:
        rows = []
        for g in groups:
            calc, system, protocol, device = g["key"]
            rows.append([calc, system, protocol, device, ", ".join(str(int(n)) for n in g["n"]),
                         ", ".join(format(m, ".4g") for m in g["ms"]), f"{g['exponent']:.6f}",
                         fmt(g["r2"], ".4f")])
        doc.table(["calculator", "system", "protocol", "device", "atoms", "median ms", "exponent", "R²"], rows,
                  numeric=(6, 7))
    shadow = plots.shadow_cases(res)
    if shadow or "shadow_error.png" in by_name:
        section("shadow_error.png", "Shadow-mode error",
                "`shadow_error.png`: a second (shadow) calculator evaluated on every step of the reference's "
                "trajectory: force error against the reference (RMSE, MAE, and the largest per-atom error, eV/Å) "
                "and the energy difference per atom (meV/atom) against simulated time.",
                "No shadow data to plot.")
        rows = []
        for c in shadow:
            s = c.shadow
            de = s["energy_diff_eV_per_atom"] * 1000.0
            sh_ms = s["step_time_ms"]
            ref_ms = c.step_time_ms
            rows.append([c.case_id, s["reference_calculator"], s["calculator"], str(s["time_fs"].size),
                         fmt(_mean(s["force_mae_eV_per_A"]), ".4g"), fmt(_mean(s["force_rmse_eV_per_A"]), ".4g"),
                         fmt(_max(s["force_max_eV_per_A"]), ".4g"), fmt(_mean(de), ".4g"),
                         fmt(_mean(abs(de)), ".4g"), fmt(_max(abs(de)), ".4g"), fmt(_median(ref_ms), ".4g"),
                         fmt(_median(sh_ms), ".4g")])
        doc.p("Per shadowed case, over every evaluated step (the initial state and warmup included): force MAE "
              "and RMSE averaged over steps, the largest per-atom force error of any step, the mean signed and "
              "absolute energy difference per atom and its largest magnitude, and the two latencies: the "
              "reference's whole MD step and the shadow's energy-and-force evaluation (medians over timed steps).")
        doc.table(["case id", "reference", "shadow", "steps", "mean force MAE eV/Å", "mean force RMSE eV/Å",
                   "max force error eV/Å", "mean ΔE/N meV/atom", "mean |ΔE|/N meV/atom", "max |ΔE|/N meV/atom",
                   "reference median ms/step", "shadow median ms/eval"], rows, numeric=range(3, 12))

    # failures
    doc.h(2, "Failures")
    bad = res.bad_rows()
    if not bad:
        doc.p("Every case finished with status `ok`.")
    else:
        doc.p("These cases did not finish normally. `failed`: the run blew up (partial arrays up to the failure); "
              "`interrupted`: stopped by a signal at a step boundary (partial arrays; `mdbench-suite --resume` "
              "reruns it); `error`: it could not run (no arrays). They are left out of the plots.")
        rows = []
        for r in bad:
            c = res.cases[r["case_id"]]
            err = _one_line(c.attrs.get("error", "") or "")
            fs = int(r.get("fail_step", c.attrs.get("fail_step", -1)) or -1)
            rows.append([r["case_id"], r["status"], f"{int(r.get('n_timed_steps', 0))} / {int(r.get('n_steps', 0))}",
                         str(fs) if fs >= 0 else "–", err or "(no message)"])
        doc.table(["case id", "status", "timed steps done / requested", "fail step", "error"], rows,
                  numeric=(2, 3))

    # provenance
    doc.h(2, "Provenance")
    keys = [k for k in PROVENANCE_ORDER if k in a] + sorted(k for k in a if k not in PROVENANCE_ORDER)
    doc.table(["attribute", "value"], [[k, _one_line(_attr_text(a[k]))] for k in keys])
    hosts = sorted({str(c.attrs.get("host", "")) for c in res.cases.values() if c.attrs.get("host")})
    devs = sorted({f"{c.attrs.get('device', '')}: {c.attrs.get('device_name', '')}" for c in res.cases.values()
                   if c.attrs.get("device_name")})
    items = []
    if hosts:
        items.append("hosts: " + ", ".join(f"`{h}`" for h in hosts))
    if devs:
        items.append("devices: " + "; ".join(devs))
    commits = sorted({str(c.attrs.get("git_commit", "")) for c in res.cases.values() if c.attrs.get("git_commit")})
    if len(commits) > 1:
        items.append("the cases were run by different builds (a resumed run): " + ", ".join(commits))
    if items:
        doc.ul(items)
    return doc


def _attr_text(v):
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


def _finite_vals(v):
    import numpy as np
    v = np.asarray(v, dtype=float)
    return v[np.isfinite(v)]


def _mean(v):
    f = _finite_vals(v)
    return float(f.mean()) if f.size else float("nan")


def _max(v):
    f = _finite_vals(v)
    return float(f.max()) if f.size else float("nan")


def _median(v):
    import numpy as np
    f = _finite_vals(v)
    return float(np.median(f)) if f.size else float("nan")


# ------------------------------------------------------------ writing
def write_report(res, outdir, title=None):
    """Writes the report into outdir (created if needed); returns the list
    of files written. Raises OSError when the directory cannot be written."""
    outdir = os.path.abspath(outdir)
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise NotADirectoryError(f"{outdir} exists and is not a directory")
    parent = os.path.dirname(outdir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="." + os.path.basename(outdir) + ".tmp.", dir=parent)
    try:
        title = title or f"mdbench report: {res.attrs.get('suite', os.path.basename(res.path))}"
        figures = [plots.plot_latency(res, os.path.join(tmp, "latency_dist.png")),
                   plots.plot_energy(res, os.path.join(tmp, "energy_conservation.png")),
                   plots.plot_comparison(res, os.path.join(tmp, "comparison.png"))]
        groups = plots.scaling_groups(res)
        figures.append(plots.plot_scaling(groups, os.path.join(tmp, "scaling.png"), res))
        figures.append(plots.plot_shadow(res, os.path.join(tmp, "shadow_error.png")))
        figures = [f for f in figures if f is not None]
        doc = build(res, figures, groups, title)
        with open(os.path.join(tmp, "report.md"), "w", encoding="utf-8") as fh:
            fh.write(render_md(doc))
        images = {}
        for f in figures:
            with open(os.path.join(tmp, f.name), "rb") as fh:
                images[f.name] = fh.read()
        with open(os.path.join(tmp, "report.html"), "w", encoding="utf-8") as fh:
            fh.write(render_html(doc, title, images))
        written = [f.name for f in figures] + ["report.md", "report.html"]
        for name in written:
            with open(os.path.join(tmp, name), "rb") as fh:
                os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        if not os.path.exists(outdir):
            os.rename(tmp, outdir)   # the whole directory appears at once
            tmp = None
        else:
            # an existing directory: replace each file atomically, the reports
            # last, and drop plots of an earlier report that this one lacks
            for name in written:
                os.replace(os.path.join(tmp, name), os.path.join(outdir, name))
            for name in REPORT_FILES:
                if name not in written and os.path.exists(os.path.join(outdir, name)):
                    os.remove(os.path.join(outdir, name))
        return written, figures, groups
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
