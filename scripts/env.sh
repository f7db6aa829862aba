# Sourced by the scripts: where the build goes and how tools are found.
# shellcheck shell=bash
MDB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# nvcc lives outside PATH in the usual toolkit layout; with it CMake builds the
# CUDA code too (MDBENCH_CUDA=AUTO).
if [[ -x /usr/local/cuda/bin/nvcc ]] && ! command -v nvcc >/dev/null; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi
# Open MPI refuses to run as root and to oversubscribe unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
JOBS=$(nproc 2>/dev/null || echo 2)
