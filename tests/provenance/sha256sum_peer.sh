#!/usr/bin/env bash
# mdbench's SHA-256 against coreutils' sha256sum on real files: LAMMPS
# potential files (funcfl, setfl, .sw, the largest there), the Morse plugin,
# and the same through calculator specs, where a bare name is resolved the
# way the calculator resolves it ($LAMMPS_POTENTIALS, the dynamic loader).
#   sha256sum_peer.sh TEST_PROVENANCE LIBMORSE
# Exit 77 (skip) without /usr/share/lammps/potentials or sha256sum.
set -u
bin=$1 morse=$2
[[ -f $morse ]] && morse=$(cd "$(dirname "$morse")" && pwd)/$(basename "$morse")
pots=/usr/share/lammps/potentials
[[ -d $pots ]] || { echo "skip: no $pots (Debian lammps-data)"; exit 77; }
command -v sha256sum >/dev/null || { echo "skip: no sha256sum"; exit 77; }
fail=0 checked=0
check() { # what got expected
  checked=$((checked + 1))
  if [[ "$2" == "$3" ]]; then echo "ok   $1"; else echo "FAIL $1: got '$2', sha256sum gives '$3'"; fail=1; fi
}

files=()
for f in Cu_u3.eam Al_zhou.eam.alloy CuNi.eam.alloy Si.sw CdTe.sw; do
  [[ -f $pots/$f ]] && files+=("$pots/$f")
done
largest=$(ls -S "$pots" | head -n 1)
[[ -n $largest ]] && files+=("$pots/$largest")
[[ -f $morse ]] && files+=("$morse")
((${#files[@]})) || { echo "skip: no potential files in $pots"; exit 77; }

for f in "${files[@]}"; do
  check "$f ($(stat -c %s "$f") bytes)" "$("$bin" sha256 "$f")" "$(sha256sum "$f")"
done

# through specs, from an empty directory so nothing is found "as given"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
if [[ -f $pots/Cu_u3.eam ]]; then
  sum=$(sha256sum "$pots/Cu_u3.eam" | cut -d' ' -f1)
  check "eam:file=Cu_u3.eam" "$(env -u LAMMPS_POTENTIALS "$bin" spec eam:file=Cu_u3.eam)" "$pots/Cu_u3.eam=$sum"
  # $LAMMPS_POTENTIALS comes first
  mkdir mine && printf 'abc' > mine/Cu_u3.eam
  check "LAMMPS_POTENTIALS=mine eam:file=Cu_u3.eam" "$(LAMMPS_POTENTIALS="$work/mine" "$bin" spec eam:file=Cu_u3.eam)" \
        "$work/mine/Cu_u3.eam=$(sha256sum mine/Cu_u3.eam | cut -d' ' -f1)"
  check "eam:file=$pots/Cu_u3.eam" "$("$bin" spec "eam:file=$pots/Cu_u3.eam")" "$pots/Cu_u3.eam=$sum"
fi
if [[ -f $pots/Si.sw ]]; then
  check "sw:file=$pots/Si.sw" "$("$bin" spec "sw:file=$pots/Si.sw")" "$pots/Si.sw=$(sha256sum "$pots/Si.sw" | cut -d' ' -f1)"
fi
if [[ -f $morse ]]; then
  # a bare plugin name: found through LD_LIBRARY_PATH as dlopen finds it
  mdir=$(dirname "$morse")
  check "plugin:lib=libmorse.so (LD_LIBRARY_PATH)" \
        "$(LD_LIBRARY_PATH="$mdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$bin" spec plugin:lib=libmorse.so,D0=0.3)" \
        "$mdir/libmorse.so=$(sha256sum "$morse" | cut -d' ' -f1)"
fi
# a missing file: an error naming it, exit 1, nothing on stdout
out=$(env -u LAMMPS_POTENTIALS "$bin" spec eam:file=prov_no_such.eam 2>err.txt); rc=$?
check "missing potential: exit status" "$rc" 1
check "missing potential: stdout" "$out" ""
grep -q "'prov_no_such.eam'" err.txt || { echo "FAIL missing potential: error does not name it: $(cat err.txt)"; fail=1; }
echo "$checked checks, $([[ $fail == 0 ]] && echo all passed || echo some FAILED)"
exit $fail
