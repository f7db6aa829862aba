#!/usr/bin/env bash
# gpu.sh — the GPU engine's benchmarks (issue: CUDA backend), each beside
# mdbench's own CPU engine on the same machine in the same run.
#
# Usage: bench/gpu.sh [PATH/TO/mdbench]
#   env: STEPS (2000; the 1M-atom case 200), REPEATS (3, median reported),
#        PEAK_GBS (device memory bandwidth for the LJ fraction; default: 4800,
#        an H200's HBM3e), CPU (1: also time the CPU engine; 0: skip),
#        MDBENCH (default: the argument, else build/mdbench)
#
# Problems: silicon 64 (sw), copper 108 (eam, Zhou 2004), argon LJ (rc 8.5 Å)
# at 32,000, 256,000 and 1,000,000 atoms; NVE, 300 K, skin 1 Å. For each:
# µs/step (median of the synchronised per-step wall times), atom-steps/s,
# the GPU time of the force kernels (CUDA events), and for LJ the achieved
# fraction of memory bandwidth under a traffic model (below). Goals from the
# issue: < 10 µs/step at 64 atoms; HOOMD-blue's A100 LJ benchmark runs
# 64,000 atoms at about 4,400 steps/s (2.8e8 atom-steps/s).
#
# LJ traffic model (bytes a step must move at least, per atom): the list
# row (4 B index + 1 B image code per neighbour), the atom's own position,
# force write and the integrator's x, v, f reads and writes (9 × 8 B × 3),
# neighbour positions counted once (they are cached): 5·nn + 24 + 216,
# with nn = 4/3 π r_list³ ρ at the benchmark's density: fcc argon at
# a = 5.26 Å, ρ = 4/a³ = 0.0275 Å⁻³ (not the liquid's 0.0213).
#
# The small problems also run with graphs off (MDBENCH_GPU_GRAPHS=0) and
# sampled every step (thermo each step: the sampled step's extra kernels
# and copies), and with one step per graph launch (MDBENCH_GPU_BATCH=1;
# by default mdbench run launches up to 12 unsampled steps at once), so the
# table shows what the graphs, the batches and the samples cost.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
MDBENCH=${MDBENCH:-${1:-$here/../build/mdbench}}
STEPS=${STEPS:-2000}
REPEATS=${REPEATS:-3}
PEAK_GBS=${PEAK_GBS:-4800}
CPU=${CPU:-1}
[[ -x $MDBENCH ]] || die "no mdbench binary at $MDBENCH"
work=$(mktemp -d "${TMPDIR:-/tmp}/mdb_gpu.XXXXXX")
trap 'rm -rf "$work"' EXIT
py=${PYTHON:-python3}

# one run: device system atoms calc steps -> prints "median_us atom_steps force_ms nbuilds"
# env of the caller: GRAPHS (1/0), BATCH (steps per graph launch, 1..12), EVERY (energy interval; 1000000: unsampled)
one() {
  local dev=$1 sys=$2 n=$3 calc=$4 steps=$5 out=$work/r.json
  MDBENCH_GPU_GRAPHS=${GRAPHS:-1} MDBENCH_GPU_BATCH=${BATCH:-12} "$MDBENCH" run --device "$dev" --system "$sys" --atoms "$n" --calculator "$calc" \
    --steps "$steps" --warmup 20 --energy-interval "${EVERY:-1000000}" --memory-interval 1000000 --quiet \
    --output "$out" >/dev/null
  $py - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["performance"]; g = d.get("gpu") or {}
print(f'{p["median_step_time_ms"]*1e3:.3f} {p["atom_steps_per_second"]:.4g} {g.get("force_median_ms", 0)*1e3:.3f} '
      f'{p["neighbor_builds"]} {d["energy"]["max_abs_deviation_eV_per_atom"]:.2e} {g.get("name", "cpu")}')
PY
}

median_of() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench() { # label system atoms calc steps lj
  local label=$1 sys=$2 n=$3 calc=$4 steps=$5 lj=$6 runs=()
  for ((k = 0; k < REPEATS; k++)); do runs+=("$(one cuda "$sys" "$n" "$calc" "$steps")"); done
  local us ase fus nb dev name
  us=$(printf '%s\n' "${runs[@]}" | awk '{print $1}' | median_of)
  ase=$(printf '%s\n' "${runs[@]}" | awk '{print $2}' | median_of)
  fus=$(printf '%s\n' "${runs[@]}" | awk '{print $3}' | median_of)
  read -r _ _ _ nb dev name <<<"${runs[0]}"
  local frac="" cpu_us="" ratio=""
  if [[ $lj == 1 ]]; then
    # neighbours within r_list = 9.5 Å at fcc-argon density 4/5.26³ = 0.0275 /Å³: 4/3 π r³ ρ
    frac=$(awk -v us="$us" -v n="$n" -v peak="$PEAK_GBS" \
      'BEGIN {nn = 4.18879 * 9.5^3 * 0.0275; b = n * (5 * nn + 24 + 216); printf "%.1f %%", 100 * b / (us * 1e-6) / (peak * 1e9)}')
  fi
  if [[ $CPU == 1 && $n -le 256000 ]]; then
    cpu_us=$(one cpu "$sys" "$n" "$calc" $((steps / 20 > 20 ? steps / 20 : 20)) | awk '{print $1}')
    ratio=$(awk -v a="$cpu_us" -v b="$us" 'BEGIN {printf "%.1f", a / b}')
  fi
  printf '%-14s %9s atoms  %10s µs/step  %10s atom-steps/s  force kernels %9s µs  %s  builds %s  max|E-E0| %s  CPU engine %s µs (%sx)  [%s]\n' \
    "$label" "$n" "$us" "$ase" "$fus" "${frac:+bandwidth $frac}" "$nb" "$dev" "${cpu_us:--}" "${ratio:--}" "$name"
}

echo "mdbench GPU benchmarks: $("$MDBENCH" --version 2>/dev/null || true), $REPEATS repeats, median"
bench si64 silicon 64 sw "$STEPS" 0
GRAPHS=0 bench si64-nograph silicon 64 sw "$STEPS" 0
BATCH=1 bench si64-batch1 silicon 64 sw "$STEPS" 0
EVERY=1 bench si64-sampled silicon 64 sw "$STEPS" 0
bench cu108 copper 108 eam "$STEPS" 0
GRAPHS=0 bench cu108-nograph copper 108 eam "$STEPS" 0
bench ar256 argon 256 lj "$STEPS" 0
GRAPHS=0 bench ar256-nograph argon 256 lj "$STEPS" 0
BATCH=1 bench ar256-batch1 argon 256 lj "$STEPS" 0
EVERY=1 bench ar256-sampled argon 256 lj "$STEPS" 0
bench lj32k argon 32000 lj:rc=8.5 "$STEPS" 1
bench lj256k argon 256000 lj:rc=8.5 "$STEPS" 1
bench lj1M argon 1000188 lj:rc=8.5 $((STEPS / 10 > 100 ? STEPS / 10 : 100)) 1
