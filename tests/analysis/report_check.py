"""report_check.py — the analysis package (analysis/mdbench_analysis) on a real
suite output and on files derived from it.

Usage: /usr/bin/python3 report_check.py MDBENCH_SUITE SOURCE_DIR [MPIRUN|""] [MDBENCH]

 1. runs tests/analysis/report_suite.json with mdbench-suite (under
    `mpirun -n 2` when MPIRUN is given): argon lj at 108/256/500 atoms,
    copper eam at 108/256, one NVT case, one case that blows up mid-run;
 2. `python3 -m mdbench_analysis report results.h5 -o DIR` (PYTHONPATH=analysis):
    every file exists; each PNG is a real PNG of the stated pixel size
    (figsize x dpi, dpi 100: latency 1600 x (90 + 300 x ceil(ok/4)), energy
    1600 x 700, comparison 1600 x max(450, 160 + 34 x ok), scaling 1600 x 900,
    shadow 1600 x 700) and not blank: more than 2 % of its pixels differ from
    the background and it has at least 16 distinct colours (a blank image of
    the same size is checked to fail this); the latency plot holds the exact
    colours of its P50/P95/P99 lines; report.html embeds every PNG byte for
    byte as a data URI and loads nothing from outside; report.md's summary
    table has one row per case, in order, with every number equal to /summary
    at the printed precision (4 significant digits: relative error <= 5e-4);
    the failed case is listed with its error text; each scaling exponent
    equals an independent numpy polyfit of log(median) vs log(N) to 1e-6;
 3. a copy with shadow groups added (the shadow contract), one case made
    "interrupted" and one "error": shadow_error.png appears, the shadow table
    matches numpy, a self-shadow shows zero error, the bad cases are listed
    and left out of the plots (the latency figure shrinks to one row);
 4. a file of 30 cases: the latency grid is capped at 24 panels, the energy
    plot at 20 cases, both say which were left out; no calculator has two
    sizes, so scaling.png is not written and the report says so; reporting
    into the previous directory removes its stale scaling/shadow plots;
 5. bad input (missing file, text file, HDF5 without or with another schema,
    no /summary, an output path that is a file): one stderr line naming the
    problem, exit 2, nothing written and an existing report left as it was;
    an exception mid-way leaves no directory and no temporary files;
 6. the `summary` command prints one row per case; `pip install` of
    analysis/ (into a temporary target, no network) gives a working package;
 7. with MDBENCH: the real output of `mdbench compare --reference lj --shadow
    eam` (copper): shadow_error.png, and the report's shadow table equals the
    summary attributes compare itself wrote into shadow/ (an independent
    computation) at the printed precision, with a plausible non-zero error;
    `mdbench compare --calculators lj,eam`: a report without a scaling plot.
Prints one line per failed check and `N passed, M failed`; exits 77 (skip)
without h5py/numpy/matplotlib, 1 on any failure. MDB_REPORT_KEEP=1 keeps the
temporary directory (its path is printed) to look at the reports.
"""
import base64
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77
try:
    import h5py
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"SKIP: h5py/numpy/matplotlib not importable ({exc}); run with /usr/bin/python3 "
          "(apt-get install python3-h5py python3-matplotlib)")
    print("0 passed, 0 failed")
    sys.exit(SKIP)

SUITE_BIN, SRC = sys.argv[1], sys.argv[2]
MPIRUN = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
MDBENCH = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
PY = sys.executable
ANALYSIS = os.path.join(SRC, "analysis")
sys.path.insert(0, ANALYSIS)

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return cond


def run_cli(*args):
    env = dict(os.environ, PYTHONPATH=ANALYSIS)
    p = subprocess.run([PY, "-m", "mdbench_analysis", *args], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


# ------------------------------------------------------------ image checks
PNG_SIG = b"\x89PNG\r\n\x1a\n"
MIN_NONBG_FRACTION = 0.02
MIN_COLOURS = 16


def png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(33)
    if len(head) < 33 or head[:8] != PNG_SIG or head[12:16] != b"IHDR":
        return None
    w, h = struct.unpack(">II", head[16:24])
    return w, h


def pixels(path):
    a = mpimg.imread(path)
    return (np.asarray(a)[..., :3] * 255 + 0.5).astype(np.uint8)


def nonblank_stats(path):
    u = pixels(path)
    bg = u[0, 0]
    frac = float(np.mean(np.any(u != bg, axis=2)))
    packed = (u[..., 0].astype(np.uint32) << 16) | (u[..., 1].astype(np.uint32) << 8) | u[..., 2]
    colours = len(np.unique(packed))
    return frac, colours


def is_nonblank(path):
    frac, colours = nonblank_stats(path)
    return frac > MIN_NONBG_FRACTION and colours >= MIN_COLOURS, frac, colours


def check_png(path, size, label):
    if not check(os.path.isfile(path), f"{label}: {path} exists"):
        return
    got = png_size(path)
    check(got == size, f"{label}: PNG header says {got}, expected {size} px")
    a = mpimg.imread(path)
    check(a.shape[1] == size[0] and a.shape[0] == size[1], f"{label}: decoded shape {a.shape} vs {size}")
    ok, frac, colours = is_nonblank(path)
    check(ok, f"{label}: not blank: {frac:.4f} of pixels off the background (> {MIN_NONBG_FRACTION}), "
              f"{colours} colours (>= {MIN_COLOURS})")


def has_colour(path, rgb):
    u = pixels(path)
    return bool(np.any(np.all(u == np.array(rgb, dtype=np.uint8), axis=2)))


def has_colour_near(path, rgb, tol):
    u = pixels(path).astype(int)
    return bool(np.any(np.all(np.abs(u - np.array(rgb)) <= tol, axis=2)))


# ------------------------------------------------------------ report parsing
def md_table(md, first_header):
    """Rows (lists of cells) of the Markdown table whose header starts with first_header."""
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| " + first_header + " |"):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]])
            return [c.strip() for c in line.strip().strip("|").split("|")], rows
    return None, []


def fmt(v, spec):
    if spec == "d":
        return str(int(v))
    v = float(v)
    return "n/a" if not math.isfinite(v) else format(v, spec)


def close_printed(printed, value, rel=5e-4):
    value = float(value)
    if not math.isfinite(value):
        return printed == "n/a"
    try:
        p = float(printed)
    except ValueError:
        return False
    return abs(p - value) <= rel * abs(value) + 1e-300


def summary_rows(path):
    with h5py.File(path, "r") as f:
        s = f["summary"][()]
    out = []
    for r in s:
        d = {}
        for n in s.dtype.names:
            v = r[n]
            d[n] = v.decode() if isinstance(v, bytes) else v
        out.append(d)
    return out


COLUMNS = (("case_id", None), ("system", None), ("n_atoms", "d"), ("protocol", None), ("calculator", None),
           ("device", None), ("status", None), ("median_ms", ".4g"), ("p95_ms", ".4g"), ("p99_ms", ".4g"),
           ("steps_per_second", ".4g"), ("atom_steps_per_second", ".4g"), ("peak_memory_gb", ".4g"),
           ("drift_slope_eV_per_atom_per_ps", ".3e"))


def check_summary_table(md, h5, label):
    rows = summary_rows(h5)
    _, table = md_table(md, "case id")
    check(len(table) == len(rows), f"{label}: summary table has {len(table)} rows, /summary {len(rows)}")
    for t, r in zip(table, rows):
        check(len(t) == len(COLUMNS), f"{label}: row {t[:1]} has {len(t)} cells")
        for cell, (key, spec) in zip(t, COLUMNS):
            if spec is None:
                check(cell == str(r[key]), f"{label}: {r['case_id']} {key}: {cell!r} vs {r[key]!r}")
            elif spec == "d":
                check(cell == str(int(r[key])), f"{label}: {r['case_id']} {key}: {cell!r} vs {r[key]}")
            else:
                check(cell == fmt(r[key], spec) and close_printed(cell, r[key]),
                      f"{label}: {r['case_id']} {key}: printed {cell!r}, /summary {r[key]!r}")


def expected_groups(h5):
    groups = {}
    for r in summary_rows(h5):
        if r["status"] != "ok" or not (math.isfinite(float(r["median_ms"])) and r["median_ms"] > 0):
            continue
        groups.setdefault((r["calculator"], r["system"], r["protocol"], r["device"]), []).append(r)
    out = {}
    for k, rs in groups.items():
        n = np.array([float(r["n_atoms"]) for r in rs])
        if np.unique(n).size < 2:
            continue
        ms = np.array([float(r["median_ms"]) for r in rs])
        out[k] = float(np.polyfit(np.log(n), np.log(ms), 1)[0])
    return out


def check_scaling(md, h5, label):
    exp = expected_groups(h5)
    _, table = md_table(md, "calculator")
    got = {tuple(r[:4]): r[6] for r in table}
    check(set(got) == set(exp), f"{label}: scaling groups {sorted(got)} vs expected {sorted(exp)}")
    for k, slope in exp.items():
        if k in got:
            check(abs(float(got[k]) - slope) <= 1e-6,
                  f"{label}: exponent {k}: printed {got[k]}, numpy polyfit {slope:.9f}")
    return exp


def check_html(outdir, pngs, label):
    with open(os.path.join(outdir, "report.html"), encoding="utf-8") as fh:
        text = fh.read()
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    check(len(uris) == len(pngs), f"{label}: report.html embeds {len(uris)} images, expected {len(pngs)}")
    embedded = {base64.b64decode(u) for u in uris}
    for p in pngs:
        with open(os.path.join(outdir, p), "rb") as fh:
            check(fh.read() in embedded, f"{label}: {p} embedded byte for byte in report.html")
    check('src="http' not in text and "src='http" not in text, f"{label}: no remote src in report.html")
    for bad in ("<script", "<link", "url(", "@import", '<img src="' + "latency"):
        check(bad not in text, f"{label}: report.html has no {bad!r}")
    check(re.search(r'<img[^>]*src="(?!data:)', text) is None, f"{label}: every <img> is a data URI")


def latency_height(n_ok):
    return 90 + 300 * math.ceil(min(n_ok, 24) / 4)


# ============================================================ the checks
tmp = tempfile.mkdtemp(prefix="mdb_report_check.")
try:
    # ---------------------------------------------------------- 1. the suite
    suite_out = os.path.join(tmp, "suite")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl="self,vader",
               OMPI_MCA_btl_base_warn_component_unused="0")
    cmd = [SUITE_BIN, os.path.join(SRC, "tests", "analysis", "report_suite.json"), "-o", suite_out, "--quiet"]
    if MPIRUN:
        cmd = [MPIRUN, "-n", "2", "--oversubscribe"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    h5 = os.path.join(suite_out, "results.h5")
    # exit 1: one case blew up, as it should
    if not check(p.returncode == 1 and os.path.isfile(h5),
                 f"suite run: exit {p.returncode} (expected 1), results.h5 exists: {os.path.isfile(h5)}; "
                 f"{p.stderr[-2000:]}"):
        raise SystemExit(1)
    rows = summary_rows(h5)
    statuses = {r["case_id"]: r["status"] for r in rows}
    check(len(rows) == 7 and statuses.get("argon_32_NVE_lj_cpu") == "failed"
          and sum(s == "ok" for s in statuses.values()) == 6, f"suite statuses {statuses}")
    failed_row = next((r for r in rows if r["status"] == "failed"), None)
    check(failed_row is not None and 0 < failed_row["n_timed_steps"] < failed_row["n_steps"],
          "the failed case has partial step times")

    # ---------------------------------------------------------- 2. the report
    rep = os.path.join(tmp, "rep")
    rc, out, err = run_cli("report", h5, "-o", rep)
    check(rc == 0 and err == "", f"report exit {rc}, stderr {err!r}")
    expected = {"latency_dist.png": (1600, latency_height(6)), "energy_conservation.png": (1600, 700),
                "comparison.png": (1600, max(450, 160 + 34 * 6)), "scaling.png": (1600, 900)}
    check(sorted(os.listdir(rep)) == sorted(list(expected) + ["report.md", "report.html"]),
          f"report files: {sorted(os.listdir(rep))}")
    for name, size in expected.items():
        check_png(os.path.join(rep, name), size, name)
    # one colour per calculator in every figure (sorted: eam tab:blue, lj tab:orange): exact in the energy
    # lines and the comparison bars, at the histograms' alpha 0.8 over white in latency_dist.png (+-2 per
    # channel); the percentile lines in one dark grey (0.15), told apart by style and marker
    lat = os.path.join(rep, "latency_dist.png")
    for calc, rgb in (("eam", (31, 119, 180)), ("lj", (255, 127, 14))):
        for name in ("energy_conservation.png", "comparison.png"):
            check(has_colour(os.path.join(rep, name), rgb), f"{name} has {calc}'s colour {rgb}")
        blend = tuple(round(0.8 * c + 0.2 * 255) for c in rgb)
        check(has_colour_near(lat, blend, 2), f"latency_dist.png has {calc}'s colour at alpha 0.8 {blend}")
    check(has_colour(lat, (38, 38, 38)), "latency_dist.png has the percentile lines' grey (38, 38, 38)")
    # the non-blank check itself rejects a blank image of the same size
    blank = os.path.join(tmp, "blank.png")
    fig = plt.figure(figsize=(1600.25 / 100, 690.25 / 100), dpi=100)
    fig.savefig(blank, dpi=100, facecolor="white")
    plt.close(fig)
    check(png_size(blank) == (1600, 690) and not is_nonblank(blank)[0],
          f"a blank 1600x690 image fails the non-blank check: {nonblank_stats(blank)}")
    check_html(rep, list(expected), "suite report")
    with open(os.path.join(rep, "report.md"), encoding="utf-8") as fh:
        md = fh.read()
    check_summary_table(md, h5, "suite report")
    exp = check_scaling(md, h5, "suite report")
    # the exponents' values are timings on a shared machine: only the groups are asserted
    check(sorted(exp) == [("eam", "copper", "NVE", "cpu"), ("lj", "argon", "NVE", "cpu")],
          f"two scaling groups (lj argon NVE, eam copper NVE): {exp}")
    _, fails = md_table(md, "case id | status")
    with h5py.File(h5, "r") as f:
        ferr = f["cases/argon_32_NVE_lj_cpu"].attrs["error"]
    check(len(fails) == 1 and fails[0][0] == "argon_32_NVE_lj_cpu" and fails[0][1] == "failed"
          and fails[0][4] == " ".join(ferr.split()), f"failures table {fails} (error {ferr!r})")
    check("left out as not ok: `argon_32_NVE_lj_cpu`" in md, "the report says the failed case is not plotted")
    for key in ("schema", "suite", "created_utc", "git_commit", "mpi_ranks", "command", "mpi_library"):
        check(re.search(rf"^\| {key} \| .+ \|$", md, re.M) is not None, f"provenance row {key}")
    for name in expected:
        check(re.search(r"^!\[[^]]*\]\(" + re.escape(name) + r"\)$", md, re.M) is not None, f"report.md shows {name}")

    # ---------------------------------------------------------- 3. shadow, interrupted, error
    sh5 = os.path.join(tmp, "shadow.h5")
    shutil.copy(h5, sh5)

    def rewrite_summary(f, fn):
        s = f["summary"][()]
        units = f["summary"].attrs["units"]
        s = fn(s)
        del f["summary"]
        d = f.create_dataset("summary", data=s)
        d.attrs["units"] = units

    shadow_ref = {}
    with h5py.File(sh5, "r+") as f:
        for cid, kind in (("argon_108_NVE_lj_cpu", "eam"), ("argon_256_NVE_lj_cpu", "self")):
            g = f["cases"][cid]
            n = int(g.attrs["n_atoms"])
            total = int(g.attrs["warmup_steps"] + g.attrs["n_steps"])
            step = np.arange(total + 1, dtype=np.int64)
            t = step * float(g.attrs["timestep_fs"])
            ref_e = -0.08 * n + 1e-4 * np.sin(t / 50.0)
            if kind == "self":
                sh_e, mae = ref_e.copy(), np.zeros(step.size)
            else:
                sh_e = ref_e + n * (0.003 + 0.001 * np.sin(t / 30.0))
                mae = 0.02 + 1e-5 * t
            sg = g.create_group("shadow")
            sg.attrs["calculator"] = "eam" if kind == "eam" else "lj"
            sg.attrs["reference_calculator"] = "lj"
            sg.attrs["n_atoms"] = np.int64(n)
            data = {"step": (step, "1"), "time_fs": (t, "fs"), "reference_energy_eV": (ref_e, "eV"),
                    "shadow_energy_eV": (sh_e, "eV"), "energy_diff_eV_per_atom": ((sh_e - ref_e) / n, "eV/atom"),
                    "force_mae_eV_per_A": (mae, "eV/A"), "force_rmse_eV_per_A": (1.3 * mae, "eV/A"),
                    "force_max_eV_per_A": (4.0 * mae, "eV/A"),
                    "step_time_ms": (0.5 * g["step_time_ms"][()], "ms")}
            for k, (v, u) in data.items():
                d = sg.create_dataset(k, data=v)
                d.attrs["units"] = u
            de = (sh_e - ref_e) / n * 1000
            shadow_ref[cid] = [fmt(mae.mean(), ".4g"), fmt((1.3 * mae).mean(), ".4g"), fmt((4 * mae).max(), ".4g"),
                               fmt(de.mean(), ".4g"), fmt(np.abs(de).mean(), ".4g"), fmt(np.abs(de).max(), ".4g"),
                               fmt(np.median(g["step_time_ms"][()]), ".4g"),
                               fmt(np.median(0.5 * g["step_time_ms"][()]), ".4g")]
        # a run stopped by a signal
        f.attrs["complete"] = np.int64(0)
        f.attrs["stop_signal"] = "SIGTERM"
        f.attrs["suite_cases"] = np.int64(9)
        # argon NVT: interrupted; copper 256: error (no arrays)
        f["cases/argon_108_NVT_lj_cpu"].attrs["status"] = "interrupted"
        f["cases/argon_108_NVT_lj_cpu"].attrs["error"] = "stopped by SIGTERM after step 200 of 410"
        g = f["cases/copper_256_NVE_eam_cpu"]
        g.attrs["status"] = "error"
        g.attrs["error"] = "eam: cannot open potential file 'gone.eam'"
        for path in ["step_time_ms"] + [f"thermo/{k}" for k in g["thermo"]]:
            dt = g[path].dtype
            u = g[path].attrs["units"]
            del g[path]
            g.create_dataset(path, shape=(0,), dtype=dt).attrs["units"] = u

        def mark(s):
            for r in s:
                cid = r["case_id"].decode()
                if cid == "argon_108_NVT_lj_cpu":
                    r["status"] = b"interrupted"
                if cid == "copper_256_NVE_eam_cpu":
                    r["status"] = b"error"
                    for k in ("mean_ms", "median_ms", "p95_ms", "p99_ms", "steps_per_second",
                              "atom_steps_per_second", "peak_memory_gb", "drift_slope_eV_per_atom_per_ps"):
                        r[k] = np.nan
            return s
        rewrite_summary(f, mark)

    srep = os.path.join(tmp, "srep")
    rc, out, err = run_cli("report", sh5, "-o", srep)
    check(rc == 0 and err == "", f"shadow report exit {rc}, stderr {err!r}")
    # four ok cases left: one row of histograms; the error case fits no line for copper
    sexp = {"latency_dist.png": (1600, latency_height(4)), "energy_conservation.png": (1600, 700),
            "comparison.png": (1600, 450), "scaling.png": (1600, 900), "shadow_error.png": (1600, 700)}
    check(sorted(os.listdir(srep)) == sorted(list(sexp) + ["report.md", "report.html"]),
          f"shadow report files: {sorted(os.listdir(srep))}")
    for name, size in sexp.items():
        check_png(os.path.join(srep, name), size, "shadow report " + name)
    check_html(srep, list(sexp), "shadow report")
    with open(os.path.join(srep, "report.md"), encoding="utf-8") as fh:
        smd = fh.read()
    check_summary_table(smd, sh5, "shadow report")
    sexp_groups = check_scaling(smd, sh5, "shadow report")
    check(list(sexp_groups) == [("lj", "argon", "NVE", "cpu")], f"only lj argon NVE scales now: {sexp_groups}")
    _, stable = md_table(smd, "case id | reference")
    got = {r[0]: r[4:] for r in stable}
    check(set(got) == set(shadow_ref), f"shadow table cases {sorted(got)}")
    for cid, want in shadow_ref.items():
        check(got.get(cid) == want, f"shadow table {cid}: {got.get(cid)} vs numpy {want}")
    check(got.get("argon_256_NVE_lj_cpu", [None])[0] == "0" and got["argon_256_NVE_lj_cpu"][4] == "0",
          "a calculator shadowing itself shows zero error")
    check("**Incomplete run**: stopped by SIGTERM; 7 of 9 cases have results" in smd,
          "an incomplete run is said so")
    _, sfails = md_table(smd, "case id | status")
    sf = {r[0]: (r[1], r[4]) for r in sfails}
    check(sf == {"argon_108_NVT_lj_cpu": ("interrupted", "stopped by SIGTERM after step 200 of 410"),
                 "copper_256_NVE_eam_cpu": ("error", "eam: cannot open potential file 'gone.eam'"),
                 "argon_32_NVE_lj_cpu": ("failed", " ".join(ferr.split()))}, f"failures {sf}")

    # ---------------------------------------------------------- 4. many cases, stale plots
    mh5 = os.path.join(tmp, "many.h5")
    src_id = "argon_108_NVE_lj_cpu"
    with h5py.File(h5, "r") as fi, h5py.File(mh5, "w") as fo:
        for k, v in fi.attrs.items():
            fo.attrs[k] = v
        base = fi["summary"][()]
        row = base[[r["case_id"].decode() == src_id for r in base]][0]
        cg = fo.create_group("cases")
        rows_m = np.zeros(30, dtype=base.dtype)
        for i in range(30):
            cid = f"many_{i:02d}_argon_108_NVE_lj_cpu"
            fi.copy(fi["cases"][src_id], cg, name=cid)
            cg[cid].attrs["case_id"] = cid
            rows_m[i] = row
            rows_m[i]["case_id"] = cid.encode()
            rows_m[i]["median_ms"] = row["median_ms"] * (1 + 0.01 * i)
        fo.attrs["n_cases"] = np.int64(30)
        d = fo.create_dataset("summary", data=rows_m)
        d.attrs["units"] = fi["summary"].attrs["units"]
    rc, out, err = run_cli("report", mh5, "-o", srep)   # into the shadow report's directory
    check(rc == 0 and err == "", f"many-case report exit {rc}, stderr {err!r}")
    mexp = {"latency_dist.png": (1600, latency_height(30)), "energy_conservation.png": (1600, 700),
            "comparison.png": (1600, 160 + 34 * 30)}
    check(sorted(os.listdir(srep)) == sorted(list(mexp) + ["report.md", "report.html"]),
          f"stale scaling/shadow plots removed: {sorted(os.listdir(srep))}")
    for name, size in mexp.items():
        check_png(os.path.join(srep, name), size, "many-case " + name)
    with open(os.path.join(srep, "report.md"), encoding="utf-8") as fh:
        mmd = fh.read()
    check_summary_table(mmd, mh5, "many-case report")
    check("(the figure shows at most 24 cases)" in mmd and "many_29_argon_108_NVE_lj_cpu" in mmd,
          "the latency cap is reported with the cases left out")
    check("(the figure shows at most 20 cases)" in mmd, "the energy cap is reported")
    check("no scaling plot (`scaling.png` is not written)" in mmd, "the report says there is no scaling plot")

    # ---------------------------------------------------------- 5. bad input
    keep = os.path.join(tmp, "keep")
    shutil.copytree(rep, keep)
    before = {n: open(os.path.join(keep, n), "rb").read() for n in os.listdir(keep)}
    txt = os.path.join(tmp, "notes.txt")
    with open(txt, "w") as fh:
        fh.write("not hdf5\n")
    noschema = os.path.join(tmp, "noschema.h5")
    with h5py.File(noschema, "w") as f:
        f.create_dataset("x", data=[1.0])
    other = os.path.join(tmp, "other.h5")
    with h5py.File(other, "w") as f:
        f.attrs["schema"] = "mdbench/99"
    nosum = os.path.join(tmp, "nosum.h5")
    with h5py.File(nosum, "w") as f:
        f.attrs["schema"] = "mdbench/1"
        f.create_group("cases")
    for path, needle in ((os.path.join(tmp, "missing.h5"), "no such file"), (txt, "not an HDF5 file"),
                         (noschema, "no root attribute 'schema'"), (other, "unsupported schema 'mdbench/99'"),
                         (nosum, "has no /summary")):
        for outdir in (os.path.join(tmp, "bad_new"), keep):
            rc, out, err = run_cli("report", path, "-o", outdir)
            lines = err.strip().splitlines()
            check(rc == 2 and len(lines) == 1 and needle in lines[0] and lines[0].startswith(
                "mdbench-analysis report: error: ") and os.path.basename(path) in lines[0],
                f"bad input {os.path.basename(path)}: exit {rc}, stderr {err!r} (want {needle!r})")
        check(not os.path.exists(os.path.join(tmp, "bad_new")), f"{os.path.basename(path)}: no output directory")
        rc, out, err = run_cli("summary", path)
        check(rc == 2 and needle in err and out == "", f"summary of {os.path.basename(path)}: exit {rc}")
    rc, out, err = run_cli("report", h5, "-o", txt)
    check(rc == 2 and "not a directory" in err and len(err.strip().splitlines()) == 1,
          f"output path that is a file: exit {rc}, {err!r}")
    rc, out, err = run_cli("report", h5, "-o", os.path.join(txt, "sub"))
    check(rc == 3 and len(err.strip().splitlines()) == 1, f"unwritable output: exit {rc}, {err!r}")
    after = {n: open(os.path.join(keep, n), "rb").read() for n in os.listdir(keep)}
    check(after == before, "an existing report is untouched by bad input")
    check(not [n for n in os.listdir(tmp) if ".tmp." in n], f"no temporary directories left: {os.listdir(tmp)}")

    # an exception half-way (in-process): nothing appears, nothing is left over
    from mdbench_analysis import plots as mplots
    from mdbench_analysis import report as mreport
    from mdbench_analysis.results import load

    res = load(h5)
    saved = mplots.plot_scaling

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    mplots.plot_scaling = boom
    for outdir in (os.path.join(tmp, "half"), keep):
        try:
            mreport.write_report(res, outdir)
            check(False, "write_report should have raised")
        except OSError:
            pass
    mplots.plot_scaling = saved
    check(not os.path.exists(os.path.join(tmp, "half")), "a failed report creates no directory")
    after = {n: open(os.path.join(keep, n), "rb").read() for n in os.listdir(keep)}
    check(after == before, "a failed report leaves an existing directory as it was")
    check(not [n for n in os.listdir(tmp) if ".tmp." in n], "a failed report leaves no temporary directory")

    # ---------------------------------------------------------- 6. summary command, pip install
    rc, out, err = run_cli("summary", h5, "--sort", "median_ms")
    lines = out.strip().splitlines()
    meds = [float(line.split()[7]) for line in lines[1:8]]
    check(rc == 0 and len(lines) == 1 + 7 + 1 and meds == sorted(meds) and "argon_32_NVE_lj_cpu (failed)" in lines[-1],
          f"summary --sort median_ms: exit {rc}, {len(lines)} lines")
    pip_src = os.path.join(tmp, "pip_src")
    shutil.copytree(ANALYSIS, pip_src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    site = os.path.join(tmp, "site")
    p = subprocess.run([PY, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                        "--target", site, pip_src], capture_output=True, text=True)
    if p.returncode != 0 and "No module named pip" in p.stderr:
        print("note: pip is not installed for", PY, "- the install check is skipped")
    else:
        check(p.returncode == 0, f"pip install analysis/: exit {p.returncode}: {p.stderr[-1500:]}")
        q = subprocess.run([PY, "-m", "mdbench_analysis", "summary", h5], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=site), cwd=tmp)
        check(q.returncode == 0 and len(q.stdout.strip().splitlines()) == 9,
              f"the pip-installed package runs: exit {q.returncode} {q.stderr[-500:]}")

    # ---------------------------------------------------------- 7. real mdbench compare output
    if MDBENCH:
        cdir = os.path.join(tmp, "cmp")
        p = subprocess.run([MDBENCH, "compare", "--reference", "lj", "--shadow", "eam", "--system", "copper",
                            "--atoms", "108", "--steps", "200", "--output", cdir, "--quiet"],
                           capture_output=True, text=True, env=env)
        ch5 = os.path.join(cdir, "results.h5")
        if check(p.returncode == 0 and os.path.isfile(ch5), f"mdbench compare --shadow: exit {p.returncode} "
                 f"{p.stderr[-1500:]}"):
            crep = os.path.join(tmp, "crep")
            rc, out, err = run_cli("report", ch5, "-o", crep)
            check(rc == 0 and err == "", f"compare report exit {rc}, stderr {err!r}")
            cexp = {"latency_dist.png": (1600, latency_height(1)), "energy_conservation.png": (1600, 700),
                    "comparison.png": (1600, 450), "shadow_error.png": (1600, 700)}
            check(sorted(os.listdir(crep)) == sorted(list(cexp) + ["report.md", "report.html"]),
                  f"compare report files: {sorted(os.listdir(crep))}")
            for name, size in cexp.items():
                check_png(os.path.join(crep, name), size, "compare report " + name)
            check_html(crep, list(cexp), "compare report")
            with open(os.path.join(crep, "report.md"), encoding="utf-8") as fh:
                cmd_md = fh.read()
            check_summary_table(cmd_md, ch5, "compare report")
            _, ctable = md_table(cmd_md, "case id | reference")
            with h5py.File(ch5, "r") as f:
                cid = list(f["cases"])[0]
                sa = dict(f["cases"][cid]["shadow"].attrs)
            want = [sa["force_mae_mean_eV_per_A"], sa["force_rmse_mean_eV_per_A"], sa["force_max_eV_per_A"],
                    sa["energy_diff_mean_eV_per_atom"] * 1000, None, sa["energy_diff_max_abs_eV_per_atom"] * 1000,
                    None, sa["median_ms"]]
            if check(len(ctable) == 1 and ctable[0][1:3] == ["lj", "eam"], f"compare shadow table {ctable}"):
                for cell, w, what in zip(ctable[0][4:], want, ("MAE", "RMSE", "max", "mean dE", "mean |dE|",
                                                              "max |dE|", "ref median", "shadow median")):
                    if w is not None:
                        check(close_printed(cell, w), f"compare shadow {what}: report {cell}, compare wrote {w}")
                mae = float(ctable[0][4])
                check(0.01 < mae < 5.0, f"lj shadowing eam on copper: a plausible non-zero force MAE {mae} eV/A")
        p = subprocess.run([MDBENCH, "compare", "--calculators", "lj,eam", "--system", "copper", "--atoms", "108",
                            "--steps", "100", "--output", os.path.join(tmp, "cmp2"), "--quiet"],
                           capture_output=True, text=True, env=env)
        c2 = os.path.join(tmp, "cmp2", "results.h5")
        if check(p.returncode == 0 and os.path.isfile(c2), f"mdbench compare lj,eam: exit {p.returncode}"):
            rc, out, err = run_cli("report", c2, "-o", os.path.join(tmp, "crep2"))
            check(rc == 0 and sorted(os.listdir(os.path.join(tmp, "crep2"))) == sorted(
                ["latency_dist.png", "energy_conservation.png", "comparison.png", "report.md", "report.html"]),
                f"compare lj,eam report: exit {rc} {err!r}")
            check_png(os.path.join(tmp, "crep2", "comparison.png"), (1600, 450), "compare lj,eam comparison.png")
            with open(os.path.join(tmp, "crep2", "report.md"), encoding="utf-8") as fh:
                c2md = fh.read()
            check_summary_table(c2md, c2, "compare lj,eam report")
            check("no scaling plot" in c2md, "compare lj,eam: no scaling plot, said so")
    else:
        print("note: no mdbench binary given: the checks on real `mdbench compare` output are skipped")
finally:
    if os.environ.get("MDB_REPORT_KEEP"):  # debugging: keep the files
        print("kept", tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
