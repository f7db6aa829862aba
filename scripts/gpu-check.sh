#!/usr/bin/env bash
# gpu-check.sh — one command that proves the CUDA backend on a GPU node:
#
#   scripts/gpu-check.sh            probe, build (sm_90 only), the `gpu`
#                                   tests, bench/gpu.sh, docs/gpu-results.md
#   scripts/gpu-check.sh --probe    only the device probe (what CTest runs)
#
# 1. Probe for a device first, before building anything (nvidia-smi, else
#    the driver's /proc/driver/nvidia/gpus). None: ONE line saying so, exit 1.
# 2. Dependencies. A bare GPU node has CUDA and CMake but no MPI, no HDF5
#    headers and no cJSON, and no network. The choice: carry Debian's
#    packages (.devdeps/*.deb, about 15 MB, made here with
#    `scripts/device-deps.sh fetch`) and build on the node, rather than
#    carry a build made elsewhere. A build is larger (objects, test
#    binaries), holds absolute paths of the machine it was configured on
#    (CTest files, the source directory), and still needs the same MPI,
#    HDF5 and cJSON shared libraries at run time; the packages are small
#    and the build adapts to the node's CUDA. A node that has MPI, HDF5
#    and cJSON installed builds against them and needs nothing carried.
# 3. Build build-gpucheck/ for sm_90 only, only the targets the checks run.
# 4. Run only the `gpu`-labelled tests. A skipped test (exit 77: the CUDA
#    runtime saw no device) is a failure here, and the log must name the
#    probed device: a run that never touched the GPU cannot pass.
# 5. bench/gpu.sh, and its table into docs/gpu-results.md (between the
#    gpu-check markers), with the device, driver, commit and date; where
#    $OUT names a folder (the session's device tool), the table, the logs
#    and the page are copied there too.
# Each phase has a time limit; all of it fits in 8 minutes on a 16-core node.
#
# Exit: 0 all passed; 1 no device, a test failed or was skipped, the device
# was not named, or a phase ran out of time; 2 a dependency is missing.
# env: GPU_CHECK_SMI, GPU_CHECK_PROC (where the probe looks; tests point
# them at nothing), GPU_CHECK_BUILD (build-gpucheck), JOBS, STEPS (1000),
# REPEATS (3), PEAK_GBS (bench/gpu.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
smi=${GPU_CHECK_SMI:-nvidia-smi}
proc=${GPU_CHECK_PROC:-/proc/driver/nvidia/gpus}

# Names of the GPUs the driver sees, one a line; nothing when none.
probe() {
  local names=""
  if command -v "$smi" >/dev/null 2>&1; then
    names=$("$smi" --query-gpu=name --format=csv,noheader 2>/dev/null || true)
  fi
  if [[ -z ${names//[[:space:]]/} && -d $proc ]]; then
    local f
    for f in "$proc"/*/information; do
      [[ -r $f ]] && names+=$(awk -F':[ \t]*' '/^Model/ {print $2}' "$f")$'\n'
    done
  fi
  printf '%s\n' "$names" | sed '/^[[:space:]]*$/d'
}

devices=$(probe)
if [[ -z $devices ]]; then
  echo "gpu-check: no GPU device found (no GPU from $smi, none in $proc); nothing was built or run"
  exit 1
fi
device=$(head -n1 <<<"$devices")
if [[ ${1:-} == --probe ]]; then
  echo "gpu-check: device found: $device"
  exit 0
fi

t_start=$SECONDS
build=${GPU_CHECK_BUILD:-$here/build-gpucheck}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 4)}
log=$build/gpu-check.log
export PATH="/usr/local/cuda/bin:$PATH"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
say() { echo "gpu-check: $*"; }
fail() {
  say "FAILED: $*"
  exit 1
}
command -v nvcc >/dev/null || { say "nvcc not found (looked in PATH and /usr/local/cuda/bin)"; exit 2; }
command -v cmake >/dev/null || { say "cmake not found"; exit 2; }
say "device: $device ($(wc -l <<<"$devices") visible)"

# ----------------------------------------------------------- dependencies
cmake_deps=()
deps=$here/.devdeps
if ls "$deps"/*.deb >/dev/null 2>&1; then
  root=$deps/root
  mkdir -p "$root"
  for f in "$deps"/*.deb; do dpkg -x "$f" "$root" || fail "dpkg -x $f"; done
  lib=$root/usr/lib/x86_64-linux-gnu
  export OPAL_PREFIX=$root/usr
  export LD_LIBRARY_PATH=$lib:$lib/openmpi/lib:$lib/hdf5/openmpi:${LD_LIBRARY_PATH:-}
  export PATH=$root/usr/bin:$PATH
  cmake_deps=(-DMPI_C_COMPILER="$root/usr/bin/mpicc.openmpi" -DMPIEXEC_EXECUTABLE="$root/usr/bin/mpirun.openmpi"
    -DHDF5_C_INCLUDE_DIR="$root/usr/include/hdf5/openmpi" -DHDF5_C_LIBRARY_hdf5="$lib/hdf5/openmpi/libhdf5.so"
    -DHDF5_C_LIBRARY_m="$(find /usr/lib* /lib* -name 'libm.so*' -print -quit 2>/dev/null)"
    -DCJSON_INCLUDE_DIR="$root/usr/include" -DCJSON_LIBRARY="$lib/libcjson.so"
    -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON -DCMAKE_PREFIX_PATH="$root/usr")
  say "dependencies: the carried packages in .devdeps"
elif command -v mpicc >/dev/null && { command -v h5pcc >/dev/null || [[ -d /usr/include/hdf5 ]]; } &&
  [[ -e /usr/include/cjson/cJSON.h ]]; then
  say "dependencies: the node's MPI, HDF5 and cJSON"
else
  say "MPI, HDF5 or cJSON missing and no .devdeps/*.deb: run scripts/device-deps.sh fetch where there is network and carry .devdeps"
  exit 2
fi

# ----------------------------------------------------------------- build
mkdir -p "$build"
: >"$log"
targets=(mdbench test_gmd test_gpu_md test_dev_rules gpu_hd_formulas_match_host)
say "building ${targets[*]} for sm_90 in $build"
timeout 240 cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMDBENCH_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 "${cmake_deps[@]}" >>"$log" 2>&1 || fail "cmake configure (see $log)"
timeout $((240 - (SECONDS - t_start))) cmake --build "$build" -j"$JOBS" --target "${targets[@]}" >>"$log" 2>&1 ||
  fail "build (see $log)"
say "built in $((SECONDS - t_start)) s"

# ----------------------------------------------------------------- tests
tlog=$build/gpu-tests.log
t0=$SECONDS
(cd "$build" && timeout 150 ctest -L '^gpu$' -j4 -V) >"$tlog" 2>&1
rc=$?
[[ $rc == 124 ]] && fail "the gpu tests ran out of time (150 s; see $tlog)"
ntests=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#' "$tlog")
skipped=$(grep -E '^ *[0-9]+/[0-9]+ Test +#.*(Skipped|Not Run)' "$tlog")
[[ $ntests -gt 0 ]] || fail "no test labelled gpu ran (see $tlog)"
[[ -z $skipped ]] || fail "skipped tests count as failures here (no device seen by CUDA?):
$skipped"
[[ $rc == 0 ]] || fail "gpu tests failed: $(grep -E '^ *[0-9]+/[0-9]+ Test +#.*Failed' "$tlog" | head -5)"
grep -qF "device: $device" "$tlog" || fail "the test output never names the device '$device' (see $tlog)"
say "$ntests gpu tests passed on $device in $((SECONDS - t0)) s"

# ----------------------------------------------------------------- bench
blog=$build/gpu-bench.log
t0=$SECONDS
left=$((470 - (SECONDS - t_start)))
[[ $left -gt 60 ]] || fail "no time left for the benchmarks"
STEPS=${STEPS:-1000} REPEATS=${REPEATS:-3} CPU=${CPU:-0} timeout "$left" "$here/bench/gpu.sh" "$build/mdbench" \
  >"$blog" 2>&1 || fail "bench/gpu.sh (see $blog)"
say "benchmarks in $((SECONDS - t0)) s"

# ------------------------------------------------------------- the table
doc=$here/docs/gpu-results.md
driver=$("$smi" --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n1)
commit=$(git -C "$here" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
{
  echo "<!-- gpu-check:begin -->"
  echo "Latest \`scripts/gpu-check.sh\`: $(date -u '+%Y-%m-%d %H:%M UTC'), $device, driver ${driver:-unknown},"
  echo "nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'), commit $commit; $ntests \`gpu\` tests passed."
  echo
  echo '```'
  cat "$blog"
  echo '```'
  echo "<!-- gpu-check:end -->"
} >"$build/table.md"
if grep -q '<!-- gpu-check:begin -->' "$doc"; then
  awk -v tf="$build/table.md" '
    /<!-- gpu-check:begin -->/ {while ((getline l < tf) > 0) print l; skip = 1; next}
    /<!-- gpu-check:end -->/ {skip = 0; next}
    !skip' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
else
  { echo; cat "$build/table.md"; } >>"$doc"
fi
# the device tool brings back only what is under $OUT
[[ -n ${OUT:-} && -d ${OUT:-} ]] && cp "$build/table.md" "$tlog" "$blog" "$doc" "$OUT/" 2>/dev/null
say "table written to docs/gpu-results.md; all done in $((SECONDS - t_start)) s"
