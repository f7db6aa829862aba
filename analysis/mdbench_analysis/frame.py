"""The one-liner for notebooks: a results file as a pandas DataFrame.

    import mdbench_analysis as mda
    df = mda.load("results/quick/results.h5")

One row per case (index: case_id), the /summary fields as columns, plus the
per-step arrays as numpy arrays in object columns: `step_time_ms`, and
`thermo_<name>` for every thermo array (`thermo_step`, `thermo_time_fs`,
`thermo_total_energy_eV`, ...). The file's root attributes (provenance:
created_utc, git_commit, suite, ...) are in `df.attrs`. Needs pandas
(Debian: python3-pandas); `mdbench_analysis.results.load` gives the same
data without it.
"""
from .results import THERMO, load as load_results


def load(path):
    """The summary of a results file as a pandas DataFrame with per-step arrays (see the module)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("mdbench_analysis.load needs pandas (Debian: python3-pandas); "
                          "mdbench_analysis.results.load reads the same file without it", name="pandas") from None
    res = load_results(path)
    rows = []
    for r in res.rows:
        row = dict(r)
        case = res.cases[r["case_id"]]
        row["step_time_ms"] = case.step_time_ms
        for k in THERMO:
            row["thermo_" + k] = case.thermo[k]
        rows.append(row)
    df = pd.DataFrame(rows)
    if len(df):
        df = df.set_index("case_id", drop=False)
    df.attrs.update(res.attrs)
    df.attrs["path"] = res.path
    return df
