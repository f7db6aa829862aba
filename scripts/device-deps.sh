#!/usr/bin/env bash
# device-deps.sh — build and test mdbench on a GPU machine that has CUDA and
# CMake but no network, no MPI, no HDF5 headers and no cJSON (the machine a
# development session is sometimes lent; see docs/gpu-results.md).
#
#   scripts/device-deps.sh fetch    here, with network: Debian's Open MPI,
#                                   parallel HDF5 and cJSON packages and the
#                                   libraries they need -> .devdeps/*.deb
#                                   (git-ignored; about 15 MB)
#   scripts/device-deps.sh build    there: unpacks them with dpkg -x into
#                                   .devdeps/root (never into /), points
#                                   CMake at them, builds build-device/
#   scripts/device-deps.sh test     there: the GPU tests (label gpu) and the
#                                   GPU-engine tests on the host backend
#   scripts/device-deps.sh bench    there: bench/gpu.sh
#
# The unpacked Open MPI is relocated with OPAL_PREFIX; its wrappers are not
# used (CMake gets the include and library paths directly).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=$here/.devdeps
root=$deps/root
pkgs=(libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libcjson-dev)

env_for_root() {
  local lib=$root/usr/lib/x86_64-linux-gnu
  export OPAL_PREFIX=$root/usr
  export LD_LIBRARY_PATH=$lib:$lib/openmpi/lib:$lib/hdf5/openmpi:${LD_LIBRARY_PATH:-}
  export PATH=$root/usr/bin:/usr/local/cuda/bin:$PATH
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
}

case ${1:-} in
fetch)
  if ex=$(git -C "$here" rev-parse --git-path info/exclude 2>/dev/null); then
    [[ $ex = /* ]] || ex=$here/$ex
    mkdir -p "$(dirname "$ex")"
    grep -qx '/.devdeps/' "$ex" 2>/dev/null || echo '/.devdeps/' >>"$ex"
  fi
  mkdir -p "$deps"
  # the packages and the libraries they pull in on Debian 12 (bookworm),
  # less what a base system has and what a headless build needs not
  # (X11, OpenCL, ssh, libxml2/ICU for hwloc's optional plugins)
  want=(libopenmpi-dev openmpi-bin openmpi-common libopenmpi3 libhdf5-openmpi-dev libhdf5-openmpi-103-1
    libhdf5-openmpi-hl-100 libcjson-dev libcjson1 libaec0 libsz2 libaec-dev libatomic1 libbsd0 libmd0
    libevent-2.1-7 libevent-core-2.1-7 libevent-pthreads-2.1-7 libevent-extra-2.1-7 libevent-openssl-2.1-7
    libfabric1 libhwloc15 libibverbs1 ibverbs-providers librdmacm1 libnl-3-200 libnl-route-3-200 libnuma1
    libpciaccess0 libpmix2 libpsm-infinipath1 libpsm2-2 libucx0 libmunge2 libltdl7 libtinfo6 libuuid1)
  (cd "$deps" && apt-get download "${want[@]}" >/dev/null)
  du -sh "$deps"
  echo "fetched ${#want[@]} packages into $deps; carry .devdeps to the GPU machine"
  ;;
build)
  ls "$deps"/*.deb >/dev/null 2>&1 || { echo "no $deps/*.deb: run '$0 fetch' where there is network" >&2; exit 2; }
  mkdir -p "$root"
  for f in "$deps"/*.deb; do dpkg -x "$f" "$root"; done
  env_for_root
  lib=$root/usr/lib/x86_64-linux-gnu
  cmake -S "$here" -B "$here/build-device" -DCMAKE_BUILD_TYPE=Release -DMDBENCH_CUDA=ON \
    -DMPI_C_COMPILER="$root/usr/bin/mpicc.openmpi" -DMPIEXEC_EXECUTABLE="$root/usr/bin/mpirun.openmpi" \
    -DHDF5_C_INCLUDE_DIR="$root/usr/include/hdf5/openmpi" \
    -DHDF5_C_LIBRARY_hdf5="$lib/hdf5/openmpi/libhdf5.so" -DHDF5_C_LIBRARY_m="$(find /usr/lib* /lib* -name 'libm.so*' -print -quit)" \
    -DHDF5_C_LIBRARY_hdf5_hl="$lib/hdf5/openmpi/libhdf5_hl.so" -DHDF5_hdf5_hl_LIBRARY_RELEASE="$lib/hdf5/openmpi/libhdf5_hl.so" \
    -DCJSON_INCLUDE_DIR="$root/usr/include" -DCJSON_LIBRARY="$lib/libcjson.so" -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON \
    -DCMAKE_PREFIX_PATH="$root/usr" >/dev/null
  cmake --build "$here/build-device" -j"$(nproc)"
  ;;
test)
  env_for_root
  cd "$here/build-device" && ctest -L 'gpu|gpu-host' --output-on-failure -j4
  ;;
bench)
  env_for_root
  "$here/bench/gpu.sh" "$here/build-device/mdbench"
  ;;
*)
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
