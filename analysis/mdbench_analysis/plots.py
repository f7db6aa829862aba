"""The report's figures (matplotlib, Agg backend).

Each `plot_*` function takes the loaded `Results` (or the cases it needs),
writes one PNG and returns a `Figure` record (file name, pixel size, what was
left out), or None when there is nothing to plot. Only cases whose status is
"ok" are plotted: a failed, interrupted or errored case has partial or no
data and is listed in the report instead.

Pixel sizes are exact (figsize x DPI, DPI = 100):
  latency_dist.png         1600 x (90 + 300 x rows), 4 panels per row, at most
                           LATENCY_MAX_PANELS panels (rows = ceil(panels / 4))
  energy_conservation.png  1600 x 700
  comparison.png           1600 x max(450, 160 + 34 x cases)
  scaling.png              1600 x 900
  shadow_error.png         1600 x 700
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from .results import finite  # noqa: E402

DPI = 100
WIDTH_PX = 1600
LATENCY_MAX_PANELS = 24
LATENCY_COLS = 4
ENERGY_MAX_CASES = 20
SHADOW_MAX_CASES = 10
SCALING_SIZE = (1600, 900)
ENERGY_SIZE = (1600, 700)
SHADOW_SIZE = (1600, 700)

PROTOCOL_STYLE = {"NVE": "-", "NVT": "--", "NPT": "-."}


class Figure:
    def __init__(self, name, size_px, shown, left_out=(), note=""):
        self.name = name            # file name inside the report directory
        self.size_px = size_px      # (width, height)
        self.shown = list(shown)    # case ids (or group labels) drawn
        self.left_out = list(left_out)  # ok cases not drawn because of a cap
        self.note = note


def latency_size(n_panels):
    rows = max(1, math.ceil(n_panels / LATENCY_COLS))
    return WIDTH_PX, 90 + 300 * rows


def comparison_size(n_cases):
    return WIDTH_PX, max(450, 160 + 34 * n_cases)


def _figure(size_px):
    w, h = size_px
    # +0.25 px: matplotlib truncates figsize x dpi to whole pixels
    kw = dict(figsize=((w + 0.25) / DPI, (h + 0.25) / DPI), dpi=DPI)
    try:
        return plt.figure(layout="constrained", **kw)
    except TypeError:  # matplotlib < 3.5
        return plt.figure(constrained_layout=True, **kw)


def _save(fig, path):
    fig.savefig(path, dpi=DPI, facecolor="white")
    plt.close(fig)


def _colors(n):
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def _ok_cases(res):
    return [res.cases[r["case_id"]] for r in res.rows if r["status"] == "ok"]


# ----------------------------------------------------------------- colours
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
# statistics: one grey, told apart by line style and marker (latency) or hatch (bars)
STAT_LINE = {"P50": ("-", "o"), "P95": ("--", "s"), "P99": (":", "^")}
STAT_HATCH = {"mean": "", "P95": "///", "P99": "xxx"}
STAT_INK = "0.15"


def calculator_colors(res):
    """One colour per calculator, the same in every figure of a report."""
    calcs = sorted({r["calculator"] for r in res.rows})
    return dict(zip(calcs, _colors(len(calcs))))


def _calc_of(c):
    return c.attrs.get("calculator", "") or ""


# ----------------------------------------------------------------- latency
def plot_latency(res, path):
    cases = [c for c in _ok_cases(res) if c.step_time_ms.size > 0]
    if not cases:
        return None
    ccol = calculator_colors(res)
    shown, rest = cases[:LATENCY_MAX_PANELS], cases[LATENCY_MAX_PANELS:]
    n = len(shown)
    cols = min(LATENCY_COLS, n)
    rows = math.ceil(n / cols)
    size = latency_size(n)
    fig = _figure(size)
    axes = fig.subplots(rows, LATENCY_COLS, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_visible(False)
            continue
        c = shown[i]
        ms = c.step_time_ms[np.isfinite(c.step_time_ms)]
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        # a robust axis: log, from P0.5 to P99.9, so neither a few slow steps
        # (a noisy machine) nor a few fast ones squash the distribution; the
        # steps beyond are counted and the tail marked at the right edge
        lo, hi = (float(v) for v in np.percentile(ms, [0.5, 99.9]))
        positive = lo > 0
        if hi <= lo:
            hi = lo * 1.05 + 1e-9
        inside = ms[(ms >= lo) & (ms <= hi)]
        nb = min(60, max(10, int(math.sqrt(inside.size)) * 2))
        bins = np.geomspace(lo, hi, nb + 1) if positive else np.linspace(lo, hi, nb + 1)
        col = ccol.get(_calc_of(c), "tab:blue")
        ax.hist(inside, bins=bins, color=col, alpha=0.8, edgecolor="none", label=f"steps ({_calc_of(c)})")
        if positive:
            ax.set_xscale("log")
        for lab, v in (("P50", p50), ("P95", p95), ("P99", p99)):
            ls, mk = STAT_LINE[lab]
            ax.axvline(v, color=STAT_INK, ls=ls, lw=1.8)
            ax.plot([v], [1.0], marker=mk, color=STAT_INK, transform=ax.get_xaxis_transform(), clip_on=False,
                    ms=6, ls="none", label=f"{lab} {v:.4g} ms")
        above, below = int((ms > hi).sum()), int((ms < lo).sum())
        if above:
            ax.annotate(f"tail: {above} > P99.9\nmax {ms.max():.3g} ms", xy=(1.0, 0.5), xycoords="axes fraction",
                        xytext=(-4, 0), textcoords="offset points", ha="right", va="center", fontsize=7,
                        color="tab:red", bbox=dict(boxstyle="rarrow,pad=0.25", fc="white", ec="tab:red", lw=0.8))
        ax.set_xlim(lo, hi)
        ax.set_title(f"{c.case_id}\n{ms.size} timed steps, {c.n_atoms} atoms", fontsize=9)
        ax.set_xlabel("step time (ms" + (", log" if positive else "") + "; P0.5 to P99.9)", fontsize=8)
        ax.set_ylabel("steps", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="upper left", framealpha=0.85,
                  title=f"{below} < P0.5 off axis" if below else None, title_fontsize=7)
    title = "Per-step latency distribution (timed steps; colour: calculator; P50/P95/P99 by line style and marker)"
    if rest:
        title += f" - first {n} of {len(cases)} cases"
    fig.suptitle(title, fontsize=12)
    _save(fig, path)
    return Figure("latency_dist.png", size, [c.case_id for c in shown], [c.case_id for c in rest])


# ------------------------------------------------------------------ energy
def _energy_cases(res):
    out = []
    for c in _ok_cases(res):
        t = c.thermo["time_fs"]
        if t.size >= 2 and c.n_atoms > 0:
            out.append(c)
    return out


def plot_energy(res, path):
    cases = _energy_cases(res)
    if not cases:
        return None
    shown, rest = cases[:ENERGY_MAX_CASES], cases[ENERGY_MAX_CASES:]
    ccol = calculator_colors(res)
    fig = _figure(ENERGY_SIZE)
    ax_t, ax_c = fig.subplots(1, 2, sharex=False)
    handles = []
    used = {}
    counts = {"nve": 0, "ens": 0}
    for c in shown:
        t_ps = c.thermo["time_fs"] / 1000.0
        n = c.n_atoms
        proto = c.attrs.get("protocol", "")
        calc = _calc_of(c)
        col = ccol.get(calc, "tab:blue")
        mk = MARKERS[used.get(calc, 0) % len(MARKERS)]
        used[calc] = used.get(calc, 0) + 1
        ls = PROTOCOL_STYLE.get(proto, "-")
        # NVE: the total energy is the conserved quantity; NVT/NPT: only the
        # extended (conserved) energy should stay flat, their total energy
        # exchanges heat and would flatten the NVE drift on a shared axis
        ax, key = (ax_t, "total_energy_eV") if proto == "NVE" else (ax_c, "conserved_energy_eV")
        e = c.thermo[key]
        if e.size != t_ps.size or e.size == 0:
            continue
        counts["nve" if proto == "NVE" else "ens"] += 1
        ax.plot(t_ps, (e - e[0]) / n * 1000.0, color=col, ls=ls, lw=1.4, marker=mk, ms=5,
                markevery=max(1, e.size // 8))
        handles.append(Line2D([], [], color=col, ls=ls, marker=mk, lw=1.6, label=f"{c.case_id}"))
    ax_t.set_title("NVE: total energy drift", fontsize=11)
    ax_c.set_title("NVT/NPT: conserved quantity (total + thermostat/barostat terms)", fontsize=11)
    for ax, k, what in ((ax_t, "nve", "NVE"), (ax_c, "ens", "NVT or NPT")):
        ax.set_xlabel("time (ps)")
        ax.set_ylabel("(E(t) - E(0)) / N  (meV/atom)")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.grid(alpha=0.3)
        if not counts[k]:
            ax.text(0.5, 0.5, f"no {what} case", transform=ax.transAxes, ha="center", va="center", color="0.4")
    title = "Energy conservation: change per atom since the start (colour: calculator; NVE solid, NVT dashed, NPT dash-dot)"
    if rest:
        title += f"; first {len(shown)} of {len(cases)} cases"
    fig.suptitle(title, fontsize=12)
    _legend_right(fig, ax_c, handles, "case")
    _save(fig, path)
    return Figure("energy_conservation.png", ENERGY_SIZE, [c.case_id for c in shown], [c.case_id for c in rest])


def _outside_ok():
    """fig.legend(loc="outside ...") exists from matplotlib 3.7 on."""
    try:
        major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (3, 7)


def _legend_right(fig, ax, handles, title):
    if _outside_ok():
        fig.legend(handles=handles, loc="outside right center", fontsize=8, title=title, title_fontsize=9)
    else:
        ax.legend(handles=handles, fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), title=title,
                  title_fontsize=8)


# -------------------------------------------------------------- comparison
def _sort_key(r):
    return (r["system"], r["calculator"], int(r["n_atoms"]), r["protocol"], r["device"], r["case_id"])


def plot_comparison(res, path):
    rows = [r for r in res.ok_rows() if finite(r.get("median_ms"))]
    if not rows:
        return None
    rows.sort(key=_sort_key)
    n = len(rows)
    size = comparison_size(n)
    fig = _figure(size)
    axes = fig.subplots(1, 4, sharey=True)
    y = np.arange(n)
    labels = [r["case_id"] for r in rows]
    ccol = calculator_colors(res)
    calcs = sorted({r["calculator"] for r in rows})
    bar_colors = [ccol[r["calculator"]] for r in rows]

    def val(key):
        return np.array([float(r.get(key, float("nan"))) for r in rows])

    # 1 latency: mean / P95 / P99 side by side, in the calculator's colour, told apart by hatch
    ax = axes[0]
    h = 0.26
    for k, (key, lab) in enumerate((("mean_ms", "mean"), ("p95_ms", "P95"), ("p99_ms", "P99"))):
        v = val(key)
        ax.barh(y + (k - 1) * h, np.where(np.isfinite(v), v, 0), height=h, color=bar_colors, edgecolor=STAT_INK,
                linewidth=0.5, hatch=STAT_HATCH[lab], label=lab)
    ax.set_xscale("log")
    ax.set_title("Step latency (ms, log)", fontsize=11)
    ax.set_xlabel("ms per step")

    def bars(ax, v, title, xlabel, log, fmt):
        ok = np.isfinite(v) & ((v > 0) if log else True)
        ax.barh(y, np.where(ok, v, 0), height=0.7, color=bar_colors)
        if log:
            ax.set_xscale("log")
            if ok.any():
                ax.set_xlim(v[ok].min() / 3, v[ok].max() * 4)
        else:
            if ok.any():
                ax.set_xlim(0, max(v[ok].max(), 1e-12) * 1.3)
        left = ax.get_xlim()[0]
        for yi, vi, oki in zip(y, v, ok):
            if oki:
                ax.text(vi, yi, " " + format(vi, fmt), va="center", fontsize=7)
            else:
                ax.text(left, yi, " n/a" if not np.isfinite(vi) else " 0", va="center", fontsize=7, color="0.4")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel)

    bars(axes[1], val("steps_per_second"), "Throughput (steps/s, log)", "steps per second", True, ".3g")
    bars(axes[2], val("peak_memory_gb"), "Peak memory (GB)", "GB (10^9 bytes), resident-set high-water mark",
         False, ".3g")
    # an external model's own process (ase worker, ipi:launch): its peak beside mdbench's, hatched
    model = getattr(res, "cases", {})
    mpeak = np.array([float((getattr(model.get(r["case_id"]), "model", None) or {}).get("memory_peak_bytes",
                                                                                      float("nan"))) / 1e9
                      for r in rows])
    if np.isfinite(mpeak).any():
        ok = np.isfinite(mpeak)
        axes[2].barh(y[ok] + 0.25, mpeak[ok], height=0.3, color="none", edgecolor="0.2", hatch="///",
                     label="model process")
        for yi, vi in zip(y[ok], mpeak[ok]):
            axes[2].text(vi, yi + 0.25, " model " + format(vi, ".3g"), va="center", fontsize=6)
        top = max(np.nanmax(mpeak), np.nanmax(np.where(np.isfinite(val("peak_memory_gb")), val("peak_memory_gb"), 0)))
        axes[2].set_xlim(0, max(top, 1e-12) * 1.45)
        axes[2].set_title("Peak memory (GB; model hatched)", fontsize=10)
        axes[2].legend(fontsize=7, loc="lower right")
    bars(axes[3], np.abs(val("drift_slope_eV_per_atom_per_ps")), "|Energy drift slope| (log)",
         "eV / atom / ps (conserved energy)", True, ".2e")
    axes[0].set_yticks(y)
    axes[0].set_yticklabels(labels, fontsize=8)
    axes[0].invert_yaxis()
    for ax in axes:
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=8)
    handles = [Patch(facecolor=ccol[c], edgecolor=STAT_INK, lw=0.5, label=c) for c in calcs]
    stats = [Patch(facecolor="white", edgecolor=STAT_INK, hatch=STAT_HATCH[lab], label=lab)
             for lab in ("mean", "P95", "P99")]
    # both legends outside the panels, right of the last one: they never cover a bar
    if _outside_ok():
        fig.legend(handles=stats, loc="outside right upper", fontsize=8, title="latency (hatch)", title_fontsize=9)
        fig.legend(handles=handles, loc="outside right lower", fontsize=8, title="calculator (colour)",
                   title_fontsize=9)
    else:
        leg = axes[3].legend(handles=stats, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                             title="latency (hatch)", title_fontsize=8)
        axes[3].add_artist(leg)
        axes[3].legend(handles=handles, fontsize=8, loc="lower left", bbox_to_anchor=(1.02, 0.0),
                       title="calculator (colour)", title_fontsize=8)
    fig.suptitle("Per-case comparison (ok cases, grouped by system and calculator)", fontsize=12)
    _save(fig, path)
    return Figure("comparison.png", size, labels)


# ----------------------------------------------------------------- scaling
def scaling_groups(res):
    """Groups of ok cases that share calculator, system, protocol and device,
    with at least two different atom counts. Each: dict with key, n (atoms),
    ms (median ms per step), p95, exponent, prefactor, r2, case_ids."""
    groups = {}
    for r in res.ok_rows():
        if not (finite(r.get("median_ms")) and float(r["median_ms"]) > 0 and int(r["n_atoms"]) > 0):
            continue
        key = (r["calculator"], r["system"], r["protocol"], r["device"])
        groups.setdefault(key, []).append(r)
    out = []
    for key, rs in groups.items():
        rs.sort(key=lambda r: (int(r["n_atoms"]), r["case_id"]))
        n = np.array([float(r["n_atoms"]) for r in rs])
        if np.unique(n).size < 2:
            continue
        ms = np.array([float(r["median_ms"]) for r in rs])
        x, yv = np.log(n), np.log(ms)
        slope, icpt = np.polyfit(x, yv, 1)
        fit = slope * x + icpt
        ss_tot = float(((yv - yv.mean()) ** 2).sum())
        r2 = 1.0 - float(((yv - fit) ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan")
        out.append(dict(key=key, n=n, ms=ms, p95=np.array([float(r.get("p95_ms", float("nan"))) for r in rs]),
                        exponent=float(slope), prefactor=float(math.exp(icpt)), r2=r2,
                        case_ids=[r["case_id"] for r in rs]))
    out.sort(key=lambda g: g["key"])
    return out


def plot_scaling(groups, path, res=None):
    if not groups:
        return None
    fig = _figure(SCALING_SIZE)
    ax = fig.subplots()
    ccol = calculator_colors(res) if res is not None else {}
    extra = _colors(len(groups))
    systems = sorted({g["key"][1] for g in groups})
    handles = []
    for g, col0 in zip(groups, extra):
        calc, system, protocol, device = g["key"]
        col = ccol.get(calc, col0)
        mk = MARKERS[systems.index(system) % len(MARKERS)]
        ax.errorbar(g["n"], g["ms"], yerr=[np.zeros_like(g["ms"]), np.clip(g["p95"] - g["ms"], 0, None)],
                    fmt=mk, color=col, ms=7, capsize=3, lw=1)
        xs = np.geomspace(g["n"].min(), g["n"].max(), 50)
        ax.plot(xs, g["prefactor"] * xs ** g["exponent"], color=col, ls=PROTOCOL_STYLE.get(protocol, "-"), lw=1.6)
        handles.append(Line2D([], [], color=col, marker=mk, ls=PROTOCOL_STYLE.get(protocol, "-"),
                              label=f"{calc} | {system} | {protocol} | {device}:  exponent {g['exponent']:.2f}"))
    allx = np.concatenate([g["n"] for g in groups])
    ally = np.concatenate([g["ms"] for g in groups])
    gx = np.geomspace(allx.min(), allx.max(), 10)
    anchor_x, anchor_y = math.exp(np.log(allx).mean()), math.exp(np.log(ally).mean())
    ax.plot(gx, anchor_y * gx / anchor_x, color="0.6", ls=":", lw=1.2)
    handles.append(Line2D([], [], color="0.6", ls=":", label="guide: time proportional to N (exponent 1)"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = np.unique(allx)
    if ticks.size <= 12:
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(int(t)) for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("atoms N (log)")
    ax.set_ylabel("median time per step (ms, log); bar up to P95")
    ax.grid(which="both", alpha=0.3)
    ax.set_title("Cost vs system size: median step time, fitted as time ~ N^exponent (least squares in log-log)",
                 fontsize=12)
    _legend_right(fig, ax, handles, "calculator | system | protocol | device")
    _save(fig, path)
    return Figure("scaling.png", SCALING_SIZE, [" | ".join(g["key"]) for g in groups])


# ------------------------------------------------------------------ shadow
def shadow_cases(res):
    return [c for c in _ok_cases(res) if c.shadow is not None and c.shadow["time_fs"].size > 0]


def plot_shadow(res, path):
    cases = shadow_cases(res)
    if not cases:
        return None
    shown, rest = cases[:SHADOW_MAX_CASES], cases[SHADOW_MAX_CASES:]
    fig = _figure(SHADOW_SIZE)
    ax_f, ax_e = fig.subplots(1, 2)
    colors = _colors(len(shown))
    positive = True
    handles = []
    pos_vals, de_vals = [], []
    for c, col in zip(shown, colors):
        s = c.shadow
        t_ps = s["time_fs"] / 1000.0
        for key, ls in (("force_rmse_eV_per_A", "-"), ("force_mae_eV_per_A", "--"), ("force_max_eV_per_A", ":")):
            v = s[key]
            if v.size != t_ps.size:
                continue
            ax_f.plot(t_ps, v, color=col, ls=ls, lw=1.4)
            fv = v[np.isfinite(v)]
            positive = positive and fv.size > 0 and bool((fv > 0).any())
            pos_vals.append(fv[fv > 0])
        de = s["energy_diff_eV_per_atom"]
        if de.size == t_ps.size:
            ax_e.plot(t_ps, de * 1000.0, color=col, lw=1.4)
            de_vals.append(de[np.isfinite(de)] * 1000.0)
        handles.append(Line2D([], [], color=col, lw=2,
                              label=f"{c.case_id}\n  shadow {s['calculator']} vs {s['reference_calculator']}"))
    if positive:
        # log scale; values far below the typical error (an initial state
        # where both calculators give zero force by symmetry) sit at the bottom
        pv = np.concatenate(pos_vals)
        ax_f.set_yscale("log")
        ax_f.set_ylim(max(pv.min(), np.median(pv) * 1e-3) / 1.5, pv.max() * 1.5)
    ax_f.set_title("Force error of the shadow vs the reference (solid RMSE, dashed MAE, dotted max)", fontsize=10)
    ax_f.set_xlabel("time (ps)")
    ax_f.set_ylabel("|F_shadow - F_reference| (eV/A)" + (" (log)" if positive else ""))
    ax_e.set_title("Energy difference per atom (shadow - reference)", fontsize=10)
    ax_e.set_xlabel("time (ps)")
    ax_e.set_ylabel("(E_shadow - E_reference) / N  (meV/atom)")
    dv = np.concatenate(de_vals) if de_vals else np.zeros(0)
    if dv.size == 0 or (dv.min() <= 0 <= dv.max()):
        ax_e.axhline(0, color="0.6", lw=0.8)
    for ax in (ax_f, ax_e):
        ax.grid(alpha=0.3)
    style = [Line2D([], [], color="0.3", ls="-", label="force RMSE"),
             Line2D([], [], color="0.3", ls="--", label="force MAE"),
             Line2D([], [], color="0.3", ls=":", label="force max (per-atom vector norm)")]
    ax_f.legend(handles=style, fontsize=8, loc="best")
    _legend_right(fig, ax_e, handles, "case")
    title = "Shadow mode: a second calculator evaluated along the reference's trajectory"
    if rest:
        title += f"; first {len(shown)} of {len(cases)} cases"
    fig.suptitle(title, fontsize=12)
    _save(fig, path)
    return Figure("shadow_error.png", SHADOW_SIZE, [c.case_id for c in shown], [c.case_id for c in rest])
