#!/usr/bin/env bash
# manybody_vs_lammps.sh — EAM and Stillinger–Weber, mdbench and LAMMPS side by side.
#
# Usage: bench/manybody_vs_lammps.sh [PATH/TO/mdbench]
#   env: REPEATS (3) runs per code, median reported; SMALL_STEPS (20000);
#        LMP (lmp); MDBENCH (default: the argument, else build/mdbench);
#        POT (/usr/share/lammps/potentials)
#
# Problems (same potential file for both codes, single thread):
#   in.eam     LAMMPS's bench/in.eam: Cu, 32,000 atoms, Cu_u3.eam, 1600 K,
#              5 fs, skin 1.0 Å, 100 steps        -> atom-steps/s and ratios
#   cu108      copper 108, Cu_u3.eam, 300 K, 1 fs, skin 1.0 Å, SMALL_STEPS steps
#   si64       silicon 64, Si.sw, 300 K, 1 fs, skin 1.0 Å, SMALL_STEPS steps
#                                                 -> µs/step and ratios
# LAMMPS runs plain and with -sf opt (where an /opt style exists); its
# neighbour lists are checked every step (neigh_modify every 1 delay 0 check
# yes), as mdbench's are. Times exclude setup on both sides (LAMMPS's "Loop
# time"; mdbench's timed steps with --warmup 0).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
REPEATS=${REPEATS:-3}
SMALL_STEPS=${SMALL_STEPS:-20000}
LMP=${LMP:-lmp}
POT=${POT:-/usr/share/lammps/potentials}
MDBENCH=${MDBENCH:-${1:-$here/../build/mdbench}}
export OMP_NUM_THREADS=1
[[ -x $MDBENCH ]] || die "no mdbench binary at $MDBENCH"
[[ -r $POT/Cu_u3.eam && -r $POT/Si.sw ]] || die "need $POT/Cu_u3.eam and $POT/Si.sw (Debian: lammps-data)"
have_lmp=0
command -v "$LMP" >/dev/null 2>&1 && have_lmp=1
((have_lmp)) || echo "no LAMMPS ($LMP): measuring mdbench alone" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/mdb_manybody.XXXXXX")
trap 'rm -rf "$work"' EXIT

lammps_input() { # name lattice a reps pair_style pair_coeff T dt_ps steps
  cat >"$work/in.$1" <<EOF
units metal
atom_style atomic
lattice $2 $3
region box block 0 $4 0 $4 0 $4
create_box 1 box
create_atoms 1 box
mass 1 $( [[ $2 == fcc ]] && echo 63.546 || echo 28.085 )
pair_style $5
pair_coeff $6
velocity all create $7 376847 loop geom
neighbor 1.0 bin
neigh_modify every 1 delay 0 check yes
fix 1 all nve
timestep $8
thermo $9
run $9
EOF
}

# measure NAME NATOMS STEPS MDBENCH-ARGS...: fills $work/NAME.{lammps,lammps_opt,mdbench} with loop seconds
measure() {
  local name=$1 natoms=$2 steps=$3
  shift 3
  : >"$work/$name.mdbench"
  for ((r = 1; r <= REPEATS; r++)); do
    "$MDBENCH" run "$@" --steps "$steps" --warmup 0 --energy-interval "$steps" --quiet --output "$work/out.json" ||
      die "mdbench run $* failed"
    json_num total_time_s "$work/out.json" >>"$work/$name.mdbench"
  done
  if ((have_lmp)); then
    : >"$work/$name.lammps"
    for ((r = 1; r <= REPEATS; r++)); do lammps_loop "$LMP" "$work" "in.$name" "$natoms" "$steps" >>"$work/$name.lammps"; done
    if [[ -n ${OPT_STYLE[$name]:-} ]] && lammps_has "$LMP" "${OPT_STYLE[$name]}"; then
      : >"$work/$name.lammps_opt"
      for ((r = 1; r <= REPEATS; r++)); do
        lammps_loop "$LMP" "$work" "in.$name" "$natoms" "$steps" -sf opt >>"$work/$name.lammps_opt"
      done
    fi
  fi
}

declare -A OPT_STYLE=([ineam]=eam/opt [cu108]=eam/opt [si64]=sw/opt)
lammps_input ineam fcc 3.615 20 eam "1 1 $POT/Cu_u3.eam" 1600.0 0.005 100
lammps_input cu108 fcc 3.615 3 eam "1 1 $POT/Cu_u3.eam" 300.0 0.001 "$SMALL_STEPS"
lammps_input si64 diamond 5.431 2 sw "* * $POT/Si.sw Si" 300.0 0.001 "$SMALL_STEPS"

echo "measuring (median of $REPEATS; small systems $SMALL_STEPS steps)..." >&2
measure ineam 32000 100 --system copper --atoms 32000 --calculator "eam:file=$POT/Cu_u3.eam" \
  --temperature-K 1600 --timestep-fs 5 --skin-A 1.0
measure cu108 108 "$SMALL_STEPS" --system copper --atoms 108 --calculator "eam:file=$POT/Cu_u3.eam" \
  --temperature-K 300 --timestep-fs 1 --skin-A 1.0
measure si64 64 "$SMALL_STEPS" --system silicon --atoms 64 --calculator "sw:file=$POT/Si.sw" \
  --temperature-K 300 --timestep-fs 1 --skin-A 1.0

# value CODE NAME NATOMS STEPS UNIT: atom-steps/s (rate) or µs/step (us) from the median loop time
value() {
  [[ -s $work/$2.$1 ]] || return 0
  local t
  t=$(median <"$work/$2.$1")
  if [[ $5 == rate ]]; then awk -v n="$3" -v s="$4" -v t="$t" 'BEGIN { printf "%.4g", n * s / t }'
  else awk -v s="$4" -v t="$t" 'BEGIN { printf "%.4g", 1e6 * t / s }'; fi
}

# speedup MDB OTHER UNIT: how many times faster mdbench is (> 1: faster)
speedup() {
  [[ -n $2 ]] || { echo -; return 0; }
  if [[ $3 == rate ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
  else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; fi
}

row() { # name natoms steps unit title
  local m l o
  m=$(value mdbench "$1" "$2" "$3" "$4")
  l=$(value lammps "$1" "$2" "$3" "$4")
  o=$(value lammps_opt "$1" "$2" "$3" "$4")
  printf '%-30s %-13s %11s %11s %11s %9s %9s\n' "$5" "$([[ $4 == rate ]] && echo atom-steps/s || echo us/step)" \
    "$m" "${l:--}" "${o:--}" "$(speedup "$m" "$l" "$4")" "$(speedup "$m" "$o" "$4")"
  printf 'RESULT problem=%s unit=%s mdbench=%s lammps=%s lammps_opt=%s speedup_vs_lammps=%s speedup_vs_opt=%s\n' \
    "$1" "$4" "$m" "${l:--}" "${o:--}" "$(speedup "$m" "$l" "$4")" "$(speedup "$m" "$o" "$4")" >>"$work/results"
}

echo
printf '%-30s %-13s %11s %11s %11s %9s %9s\n' problem unit mdbench LAMMPS LAMMPS-OPT "x LAMMPS" "x OPT"
: >"$work/results"
row ineam 32000 100 rate "in.eam: Cu 32000, Cu_u3.eam"
row cu108 108 "$SMALL_STEPS" us "copper 108, Cu_u3.eam"
row si64 64 "$SMALL_STEPS" us "silicon 64, Si.sw"
echo
cat "$work/results"
echo "(x LAMMPS > 1: mdbench is that many times faster; single thread, median of $REPEATS)"
