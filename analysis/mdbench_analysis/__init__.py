"""mdbench_analysis: reports and plots from an mdbench results file.

    python3 -m mdbench_analysis report results.h5 -o DIR
    python3 -m mdbench_analysis summary results.h5 [--sort COLUMN]

The input is the HDF5 file that `mdbench-suite` (and `mdbench compare`)
writes, schema "mdbench/1" (docs/hdf5-layout.md).
"""
__version__ = "0.1.0"

from .results import Results, ResultsError, load

__all__ = ["Results", "ResultsError", "load"]
