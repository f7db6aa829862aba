#!/usr/bin/env bash
# lj_vs_lammps.sh — LAMMPS's bench/in.lj problem, LAMMPS and mdbench side by side.
#
# Usage: bench/lj_vs_lammps.sh [PATH/TO/mdbench]
#   env: REPEATS (3)      runs per code; the median is reported
#        STEPS (100)      MD steps per run (in.lj runs 100)
#        LMP (lmp)        LAMMPS executable
#        MDBENCH          mdbench binary (default: the argument, else build/mdbench)
#
# The problem (LAMMPS bench/in.lj): 32000 LJ atoms, fcc at reduced density
# 0.8442, T* = 1.44, rc = 2.5 σ, skin 0.3 σ, dt = 0.005 τ, NVE, 100 steps.
# LAMMPS runs it in lj units; mdbench runs the same physical system in argon
# units (σ = 3.405 Å, ε = 119.8 K·kB, m = 39.948 amu). Both timings exclude
# the setup (LAMMPS's "Loop time", mdbench's timed steps with --warmup 0).
# Everything runs single-threaded (OMP_NUM_THREADS=1, one MPI process).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib.sh"
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-100}
LMP=${LMP:-lmp}
MDBENCH=${MDBENCH:-${1:-$repo/build/mdbench}}
export OMP_NUM_THREADS=1

[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || die "REPEATS must be a positive integer (got '$REPEATS')"
[[ $STEPS =~ ^[1-9][0-9]*$ ]] || die "STEPS must be a positive integer (got '$STEPS')"
[[ -x $MDBENCH ]] || die "no mdbench binary at $MDBENCH (build it: cmake -S . -B build && cmake --build build)"

NATOMS=32000 # 4 atoms/cell · 20³ cells

# ---- in.lj in argon units (constants as in mdbench's src/core/units.h) ----
# τ = σ·sqrt(m/ε); 1 eV/(Å·amu) = 9.648533212e-3 Å/fs², so τ[fs] = σ·sqrt(m/(ε·9.648533212e-3)).
read -r EPS TAU DT ALAT TEMP RC SKIN < <(awk 'BEGIN {
  kB = 8.617333262e-5; sigma = 3.405; eps = 119.8 * kB; m = 39.948
  tau = sigma * sqrt(m / (eps * 9.648533212e-3))
  printf "%.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", eps, tau, 0.005 * tau,
         (4 / 0.8442) ^ (1 / 3) * sigma, 1.44 * 119.8, 2.5 * sigma, 0.3 * sigma }')

work=$(mktemp -d "${TMPDIR:-/tmp}/mdb_lj_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- LAMMPS --------------------------------------------------------------
have_lmp=0 have_opt=0 lmp_help=
if command -v "$LMP" >/dev/null 2>&1; then
  have_lmp=1
  lmp_help=$("$LMP" -h 2>/dev/null || true) # captured: grep -q on a pipe would SIGPIPE lmp under pipefail
  if grep -qw 'lj/cut/opt' <<<"$lmp_help"; then have_opt=1; fi
else
  echo "lj_vs_lammps.sh: no LAMMPS executable '$LMP' on PATH: running mdbench alone" >&2
fi

cat >"$work/in.lj" <<EOF
# LAMMPS bench/in.lj (3d Lennard-Jones melt), 20x20x20 fcc cells
units           lj
atom_style      atomic
lattice         fcc 0.8442
region          box block 0 20 0 20 0 20
create_box      1 box
create_atoms    1 box
mass            1 1.0
velocity        all create 1.44 87287 loop geom
pair_style      lj/cut 2.5
pair_coeff      1 1 1.0 1.0 2.5
neighbor        0.3 bin
neigh_modify    delay 0 every 20 check no
fix             1 all nve
run             $STEPS
EOF

run_lammps() { # label, extra args...; loop seconds per run go to $work/<label>.times
  local label=$1; shift
  : >"$work/$label.times"
  for ((r = 1; r <= REPEATS; r++)); do
    lammps_loop "$LMP" "$work" in.lj "$NATOMS" "$STEPS" "$@" >>"$work/$label.times"
    cp "$work/last.builds" "$work/$label.builds" 2>/dev/null || true
    echo "  $label run $r: loop $(tail -n 1 "$work/$label.times") s" >&2
  done
}

if ((have_lmp)); then
  lmp_version=$(grep -m1 -oE 'Simulator - .*' <<<"$lmp_help" | sed 's/^Simulator - //' || true)
  echo "LAMMPS ${lmp_version:-?} ($(command -v "$LMP")):" >&2
  run_lammps lammps
  if ((have_opt)); then
    run_lammps lammps_opt -sf opt
  else
    echo "  $LMP has no OPT package (lj/cut/opt): skipping -sf opt" >&2
  fi
fi

# ---- mdbench -------------------------------------------------------------
: >"$work/mdbench.times"
: >"$work/mdbench.rates"
echo "mdbench ($MDBENCH):" >&2
for ((r = 1; r <= REPEATS; r++)); do
  json="$work/mdbench.$r.json"
  "$MDBENCH" run --system argon --atoms "$NATOMS" --lattice-A "$ALAT" --calculator "lj:rc=$RC" \
    --temperature-K "$TEMP" --timestep-fs "$DT" --skin-A "$SKIN" --steps "$STEPS" --warmup 0 \
    --energy-interval "$STEPS" --quiet --output "$json" ||
    die "mdbench run failed (exit $?)"
  t=$(json_num total_time_s "$json") rate=$(json_num atom_steps_per_second "$json")
  [[ -n $t && -n $rate ]] || die "no performance.total_time_s / atom_steps_per_second in $json"
  echo "$t" >>"$work/mdbench.times"
  json_num neighbor_builds "$json" >"$work/mdbench.builds" || true
  echo "$rate" >>"$work/mdbench.rates"
  echo "  mdbench run $r: loop $t s, $rate atom-steps/s" >&2
done

# ---- report --------------------------------------------------------------
rate_of() { # label -> median atom-steps/s (LAMMPS: N·steps / loop time)
  if [[ $1 == mdbench ]]; then median <"$work/mdbench.rates"
  else awk -v n="$NATOMS" -v s="$STEPS" '{ print n * s / $1 }' "$work/$1.times" | median; fi
}

labels=(mdbench)
if ((have_opt)); then labels=(lammps lammps_opt mdbench)
elif ((have_lmp)); then labels=(lammps mdbench); fi

declare -A name=([lammps]="LAMMPS lj/cut" [lammps_opt]="LAMMPS -sf opt" [mdbench]="mdbench lj")
declare -A rate loop
for l in "${labels[@]}"; do
  rate[$l]=$(rate_of "$l")
  loop[$l]=$(median <"$work/$l.times")
done

echo
echo "in.lj: $NATOMS atoms, $STEPS steps, rc 2.5 sigma, skin 0.3 sigma, single thread, median of $REPEATS"
printf 'argon units: sigma 3.405 A, eps %.6g eV, m 39.948 amu, tau %.6g fs, dt %.6g fs, a %.6g A, T %.6g K, rc %.6g A, skin %.6g A\n' \
  "$EPS" "$TAU" "$DT" "$ALAT" "$TEMP" "$RC" "$SKIN"
echo
printf '%-16s %14s %20s %13s %13s %16s\n' code "loop time (s)" "atom-steps/s" "mdb/this" "this/LAMMPS" "neighbor builds"
for l in "${labels[@]}"; do
  vs_mdb=$(awk -v a="${rate[mdbench]}" -v b="${rate[$l]}" 'BEGIN { printf "%.3f", a / b }')
  vs_lmp=-
  if [[ -n ${rate[lammps]:-} ]]; then
    vs_lmp=$(awk -v a="${rate[$l]}" -v b="${rate[lammps]}" 'BEGIN { printf "%.3f", a / b }')
  fi
  builds=$(cat "$work/$l.builds" 2>/dev/null || true)
  printf '%-16s %14.4f %20.4e %13s %13s %16s\n' "${name[$l]}" "${loop[$l]}" "${rate[$l]}" "$vs_mdb" "$vs_lmp" "${builds:-?}"
done
echo
for l in "${labels[@]}"; do
  printf 'RESULT code=%s atoms=%d steps=%d repeats=%d median_loop_s=%s median_atom_steps_per_s=%s runs_loop_s=%s\n' \
    "$l" "$NATOMS" "$STEPS" "$REPEATS" "${loop[$l]}" "${rate[$l]}" "$(paste -sd, "$work/$l.times")"
done
for l in lammps lammps_opt; do
  if [[ -n ${rate[$l]:-} ]]; then
    awk -v a="${rate[mdbench]}" -v b="${rate[$l]}" -v l="$l" 'BEGIN { printf "RATIO mdbench/%s=%.4f\n", l, a / b }'
  fi
done
if ((!have_lmp)); then echo "NOTE: LAMMPS ($LMP) not found: mdbench measured alone"; fi
exit 0
