# bash completion for mdbench and mdbench-suite: subcommands, flags (read from
# the program's own --help, so they follow the build), and the values of the
# flags that take names (systems, calculators, protocols, devices, suites).
# Installed as share/bash-completion/completions/{mdbench,mdbench-suite};
# by hand: source scripts/completion/mdbench.bash

_mdbench_systems="silicon copper aluminum argon water"
_mdbench_calculators="lj eam sw spcfw plugin ipi"

# the --flags a help text names
_mdbench_flags() {
  "$@" --help 2>/dev/null | grep -oE -- '(^|[ ,])--[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[ ,]*//' | sort -u
}

# the suite names: shipped ones, plus every suite installed beside the program
_mdbench_suites() {
  local bin dir f names="quick baseline comprehensive"
  bin=$(command -v mdbench-suite 2>/dev/null) || bin=""
  for dir in "${MDBENCH_SUITES:-}" "${bin%/*}/../share/mdbench/suites"; do
    [[ -n $dir && -d $dir ]] || continue
    for f in "$dir"/*.json; do
      [[ -e $f ]] && f=${f##*/} && names+=" ${f%.json}"
    done
  done
  printf '%s\n' $names | sort -u
}

# values of a flag; returns 1 when prev takes no value we know
_mdbench_values() {
  local prev=$1 cur=$2
  case $prev in
  --system) COMPREPLY=($(compgen -W "$_mdbench_systems" -- "$cur") $(compgen -f -X '!*.xyz' -- "$cur")) ;;
  --calculator | --reference | --shadow) COMPREPLY=($(compgen -W "$_mdbench_calculators" -- "$cur")) ;;
  --calculators) COMPREPLY=($(compgen -W "$_mdbench_calculators" -- "$cur")) ;;
  --protocol) COMPREPLY=($(compgen -W "NVE NVT NPT" -- "$cur")) ;;
  --thermostat) COMPREPLY=($(compgen -W "nhc langevin" -- "$cur")) ;;
  --device) COMPREPLY=($(compgen -W "cpu cuda auto" -- "$cur")) ;;
  --precision) COMPREPLY=($(compgen -W "double mixed" -- "$cur")) ;;
  --submit) COMPREPLY=($(compgen -W "slurm" -- "$cur")) ;;
  --template) COMPREPLY=($(compgen -W "cpu gpu-node gpu-nodes" -- "$cur") $(compgen -f -- "$cur")) ;;
  --launcher) COMPREPLY=($(compgen -W "srun mpirun" -- "$cur")) ;;
  -o | --output | --resume | --suites-dir) COMPREPLY=($(compgen -f -- "$cur")) ;;
  --atoms | --steps | --warmup | --seed | --timestep-fs | --temperature-K | --*-interval | --skin-A | \
    --lattice-A | --tdamp-fs | --pdamp-fs | --pressure-bar | --filter | --nodes | --time | --bootstrap)
    COMPREPLY=() ;;
  *) return 1 ;;
  esac
  return 0
}

_mdbench() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local prog=${COMP_WORDS[0]}
  COMPREPLY=()
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W "run eval compare analyze regress list --help --version" -- "$cur"))
    return 0
  fi
  local sub=${COMP_WORDS[1]}
  if [[ $sub == list ]] && ((COMP_CWORD == 2)); then
    COMPREPLY=($(compgen -W "systems calculators suites" -- "$cur"))
    return 0
  fi
  _mdbench_values "$prev" "$cur" && return 0
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_mdbench_flags "$prog" "$sub")" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  return 0
}

_mdbench_suite() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local prog=${COMP_WORDS[0]}
  COMPREPLY=()
  _mdbench_values "$prev" "$cur" && return 0
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_mdbench_flags "$prog")" -- "$cur"))
  else # the suite: a name or a .json file
    COMPREPLY=($(compgen -W "$(_mdbench_suites)" -- "$cur") $(compgen -f -X '!*.json' -- "$cur"))
  fi
  return 0
}

complete -o filenames -F _mdbench mdbench
complete -o filenames -F _mdbench_suite mdbench-suite
