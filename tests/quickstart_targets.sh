#!/usr/bin/env bash
# scripts/quickstart.sh builds every program and plugin the READMEs use from
# build/: each build/mdbench, build/mdbench-suite and build/examples/plugins/libX.so
# named in README.md and examples/README.md must be a --target of quickstart's
# cmake --build line (target X for libX.so). Usage: quickstart_targets.sh SOURCE_DIR
set -u
src=$1
targets=" $(grep -E 'cmake --build .*--target' "$src/scripts/quickstart.sh" | sed 's/.*--target//') "
[[ "$targets" =~ [a-z] ]] || { echo "FAIL: no cmake --build --target line in scripts/quickstart.sh"; exit 1; }
fail=0 n=0
for p in $(grep -ohE 'build/(mdbench-suite|mdbench|examples/plugins/lib[A-Za-z0-9_]+\.so)\b' "$src/README.md" "$src/examples/README.md" | sort -u); do
  t=$(basename "$p")
  t=${t#lib}
  t=${t%.so}
  n=$((n + 1))
  if [[ "$targets" != *" $t "* ]]; then
    echo "FAIL: the READMEs use $p but scripts/quickstart.sh does not build target $t (builds:$targets)"
    fail=1
  fi
done
[[ $n -ge 3 ]] || { echo "FAIL: found only $n build/ artefacts in the READMEs (expected mdbench, mdbench-suite, libmorse.so)"; exit 1; }
echo "$n artefacts named in the READMEs, all built by quickstart.sh:$targets"
exit $fail
