# bench/lib.sh — shared by the bench scripts: medians, LAMMPS runs, JSON numbers.
# shellcheck shell=bash

die() { echo "${0##*/}: $*" >&2; exit 2; }

median() { # numbers on stdin -> median
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.6g", v[(NR + 1) / 2];
                                      else printf "%.6g", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

json_num() { # key, file -> the first number stored under "key"
  tr -d '\n' <"$2" | grep -oE "\"$1\"[[:space:]]*:[[:space:]]*[0-9.eE+-]+" | head -n 1 | sed 's/.*://; s/[[:space:]]//g'
}

# lammps_loop LMP WORKDIR INPUT NATOMS STEPS [ARGS...]: runs LAMMPS once, prints
# its loop time (s); the neighbour-list build count goes to WORKDIR/last.builds.
lammps_loop() {
  local lmp=$1 work=$2 input=$3 natoms=$4 steps=$5
  shift 5
  local log="$work/lammps.log" line
  (cd "$work" && "$lmp" "$@" -in "$input" -log none -screen "$log" >/dev/null 2>&1) ||
    die "$lmp $* -in $input failed; last lines:$(printf '\n'; tail -n 5 "$log" 2>/dev/null)"
  line=$(grep -E "^Loop time of [0-9.eE+-]+ on 1 procs for $steps steps with $natoms atoms" "$log") ||
    die "no 'Loop time of ... on 1 procs for $steps steps with $natoms atoms' in $lmp $* output"
  grep -m1 -oE 'Neighbor list builds = [0-9]+' "$log" | awk '{ print $NF }' >"$work/last.builds" || true
  awk '{ print $4 }' <<<"$line"
}

# lammps_has LMP STYLE: whether LAMMPS lists STYLE (e.g. eam/opt) in lmp -h.
lammps_has() {
  local help
  help=$("$1" -h 2>/dev/null || true) # captured: grep -q on a pipe would SIGPIPE lmp under pipefail
  grep -qw -- "$2" <<<"$help"
}
