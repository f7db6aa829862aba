#!/usr/bin/env bash
# What a new user asks the programs first: --version, --help, and
# `mdbench list systems|calculators|suites`. Every list is checked against
# what the programs really accept and do, not against a copy in this script:
#   version   `mdbench --version` and `mdbench-suite --version` print the
#             CMake project version and the commit of the source tree
#   help      every subcommand main() dispatches is in `mdbench --help`, and
#             each answers its own --help; `mdbench-suite --help` names
#             --device auto|cpu|cuda
#   systems   every name `mdbench run` accepts is listed, with the default
#             size and calculator a 1-step run of that system really uses
#   calcs     every calculator the registry knows (its error message) is
#             listed with each key its spec check accepts
#   suites    each suite file is listed; for those of at most 50 cases the
#             total equals the number of cases of `--dry-run` with every
#             device usable (suite_plan.sh checks comprehensive's cpu count)
# usage: cli_misc.sh MDBENCH MDBENCH_SUITE PROJECT_VERSION SOURCE_DIR
set -u
MDB=$1 SUITE=$2 VERSION=$3 SRC=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export MDBENCH_SUITES=$SRC/suites
pass=0 fail=0
# Open MPI's MPI_Init leaks by design (strings of unloaded plugins): no leak
# check for mdbench-suite under ASan (as tests/CMakeLists.txt does); mdbench
# itself keeps it
nolsan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# ---- version: "PROG X.Y.Z (git COMMIT; ...)"
commit=unknown
if git -C "$SRC" rev-parse --short=12 HEAD >/dev/null 2>&1; then commit=$(git -C "$SRC" rev-parse --short=12 HEAD); fi
for prog in "$MDB" "$SUITE"; do
  name=$(basename "$prog")
  out=$(ASAN_OPTIONS=$nolsan "$prog" --version 2>&1) || { bad "$name --version exits $?"; continue; }
  if [[ $out =~ ^$name\ ([0-9.]+)\ \(git\ ([0-9a-f]+|unknown)(-dirty)?\; ]]; then
    [[ ${BASH_REMATCH[1]} == "$VERSION" ]] && ok || bad "$name --version says ${BASH_REMATCH[1]}, project is $VERSION"
    # the commit is the tree's at configure time: HEAD, or an ancestor of it
    v_commit=${BASH_REMATCH[2]}
    if [[ $commit == unknown || $v_commit == "$commit" ]] ||
       git -C "$SRC" merge-base --is-ancestor "$v_commit" HEAD 2>/dev/null; then ok
    else bad "$name --version commit $v_commit is not HEAD ($commit) nor an ancestor"; fi
  else
    bad "$name --version: '$out' is not '$name VERSION (git COMMIT; ...)'"
  fi
done

# ---- help: the subcommands main() dispatches, each in --help and answering --help
help=$("$MDB" --help) || bad "mdbench --help exits $?"
cmds=$(grep -o 'strcmp(cmd, "[a-z]*") == 0) return' "$SRC/src/cli/mdbench.c" | sed 's/.*"\([a-z]*\)".*/\1/')
[[ $(echo "$cmds" | wc -w) -ge 6 ]] && ok || bad "found only '$cmds' in mdbench.c's dispatch"
for c in $cmds; do
  grep -Eq "^(usage:)? +mdbench $c( |$)" <<<"$help" && ok || bad "mdbench --help does not list '$c'"
  "$MDB" "$c" --help >/dev/null 2>&1 && ok || bad "mdbench $c --help exits $?"
done
ASAN_OPTIONS=$nolsan "$SUITE" --help | grep -q -- '--device auto|cpu|cuda' && ok || bad "mdbench-suite --help does not list --device auto|cpu|cuda"

# ---- systems: the names run accepts (its error lists them), default size and calculator as really used
valid=$("$MDB" run --system no_such_system 2>&1 | sed -n 's/.*(valid: \([^)]*\)).*/\1/p' | head -1 | sed 's/, or .*//')
[[ -n $valid ]] || bad "mdbench run --system no_such_system does not list the valid systems"
list=$("$MDB" list systems) || bad "mdbench list systems exits $?"
for s in ${valid//,/ }; do
  row=$(grep -E "^  $s " <<<"$list")
  if [[ -z $row ]]; then bad "list systems has no row for $s"; continue; fi
  read -r _ _ _ _ def calc _ <<<"$row"
  "$MDB" run --system "$s" --steps 1 --warmup 0 --quiet --output "$tmp/$s.json" || { bad "run $s exits $?"; continue; }
  got=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['metadata']; print(m['n_atoms'], m['calculator'])" "$tmp/$s.json")
  [[ $got == "$def $calc" ]] && ok || bad "list says $s defaults to '$def $calc', a run uses '$got'"
done

# ---- calculators: each registered name, each key its spec check accepts
list=$("$MDB" list calculators) || bad "mdbench list calculators exits $?"
names=$("$MDB" eval --calculator no_such_calc --system argon 2>&1 | sed -n 's/.*(valid: \([^)]*\)).*/\1/p')
[[ -n $names ]] || bad "mdbench eval --calculator no_such_calc does not list the calculators"
for c in ${names//,/ }; do
  grep -Eq "^  $c +devices: cpu" <<<"$list" && ok || bad "list calculators has no row for $c"
  keys=$("$MDB" eval --calculator "$c:no_such_key=1" --system argon 2>&1 | sed -n 's/.*has no parameter.*(valid: \([^)]*\)).*/\1/p')
  [[ -z $keys ]] && continue # plugin: its keys are the plugin's own
  block=$(awk -v c="$c" '$1 == c && $2 == "devices:" {on = 1; next} /^  [a-z]/ {on = 0} on' <<<"$list")
  for k in ${keys//,/ }; do
    grep -Eq "^ +$k +default: [^ ]" <<<"$block" && ok || bad "list calculators: $c has no line for key $k with a default"
  done
done
# the GPU engine's calculators say cuda
grep -Eq '^  lj +devices: cpu, cuda' <<<"$list" && ok || bad "lj does not list its cuda device"
grep -Eq '^  spcfw .*' <<<"$list" && grep -Eq '^ +alpha +default: 0\.2 ' <<<"$list" && ok ||
  bad "spcfw alpha's default 0.2 is not listed"

# ---- suites: each file, its total the number of cases of --dry-run with every device usable
list=$("$MDB" list suites) || bad "mdbench list suites exits $?"
for f in "$SRC"/suites/*.json; do
  s=$(basename "$f" .json)
  row=$(grep -E "^  $s " <<<"$list")
  if [[ -z $row ]]; then bad "list suites has no row for $s"; continue; fi
  read -r _ cpu cuda total _ <<<"$row"
  # (a suite of hundreds of cases is left to suite_plan.sh: its dry run
  # times every size class, minutes under ASan)
  [[ $total -gt 50 ]] && continue
  n=$(MDBENCH_GPU_BACKEND=host ASAN_OPTIONS=$nolsan "$SUITE" "$s" --dry-run 2>/dev/null | sed -n "s/^suite $s: \([0-9]*\) cases*$/\1/p")
  [[ $total == "$n" && $((cpu + cuda)) == "$total" ]] && ok || bad "list suites: $s has $cpu+$cuda=$total cases, --dry-run $n"
done
"$MDB" list nonsense >/dev/null 2>"$tmp/err"
[[ $? == 2 ]] && grep -q "valid: systems, calculators, suites" "$tmp/err" && ok || bad "mdbench list nonsense: not exit 2 with the choices"

echo "cli_misc: $pass passed, $fail failed"
[[ $fail == 0 ]]
