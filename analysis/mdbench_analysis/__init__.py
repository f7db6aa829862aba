"""mdbench_analysis: reports and plots from an mdbench results file.

    python3 -m mdbench_analysis report results.h5 -o DIR
    python3 -m mdbench_analysis summary results.h5 [--sort COLUMN]
    python3 -m mdbench_analysis history RUN1 RUN2 ... -o DIR

    df = mdbench_analysis.load("results.h5")   # pandas DataFrame, per-step arrays in columns

The input is the HDF5 file that `mdbench-suite` (and `mdbench compare`)
writes, schema "mdbench/2" (or "mdbench/1" before 0.3.0; docs/hdf5-layout.md).
"""
__version__ = "0.3.0"

from .frame import load
from .results import Results, ResultsError
from .results import load as load_results

__all__ = ["Results", "ResultsError", "load", "load_results"]
