#!/usr/bin/env bash
# cmake --install gives a prefix that works without the source tree, moved:
# installs BUILD_DIR to a temporary prefix, MOVES the prefix elsewhere, and
# from there (cwd an empty folder) runs the quick suite under mpirun, the
# quick suite edited in the moved prefix (so the binary found share/mdbench
# from its own location, not from the source tree compiled into it), the
# analysis package pip-installed from PREFIX/share/mdbench/analysis making a
# report, and a case with the installed example plugin; checks the docs the
# output points at and the plugin header are there.
#   usage: install_check.sh BUILD_DIR MPIRUN PYTHON3
set -u
build=$1 mpirun=$2 py=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$tmp/stage" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "cmake --install"; }
mv "$tmp/stage" "$tmp/moved"
p=$tmp/moved
for f in bin/mdbench bin/mdbench-suite include/mdbench/calculator.h lib/mdbench/plugins/libmorse.so \
         share/mdbench/examples/plugins/morse.c share/mdbench/suites/quick.json share/mdbench/suites/README.md \
         share/mdbench/analysis/pyproject.toml share/mdbench/analysis/mdbench_analysis/__init__.py \
         share/doc/mdbench/README.md share/doc/mdbench/docs/hdf5-layout.md share/man/man1/mdbench.1 \
         share/man/man1/mdbench-suite.1 share/bash-completion/completions/mdbench \
         share/bash-completion/completions/mdbench-suite; do
  [[ -e $p/$f ]] || fail "the prefix lacks $f"
done
# every docs/X.md the binaries' messages name is installed
for d in $(strings "$p/bin/mdbench" "$p/bin/mdbench-suite" | grep -o 'docs/[a-z0-9_-]*\.md' | sort -u); do
  [[ -e $p/share/doc/mdbench/$d ]] || fail "the binaries point at $d, not installed under share/doc/mdbench"
done
echo "prefix holds binaries, header, plugin, suites, jobscripts, docs, analysis: ok"

mkdir "$tmp/cwd" && cd "$tmp/cwd" || fail "cd"
# 1. the quick suite (CPU), from the moved prefix
"$mpirun" -n 2 "$p/bin/mdbench-suite" quick --device cpu -o run --quiet || fail "quick suite exited $?"
[[ -s run/results.h5 ]] || fail "no run/results.h5"
nok=$(grep -l '"status":[[:space:]]*"ok"' run/cases/*.json | wc -l)
[[ $nok -eq 6 ]] || fail "quick suite: $nok ok cases, want 6"
echo "quick suite from the moved prefix: 6 cases ok"

# 2. the suites are the moved prefix's, found beside the binary (not the
# source tree's compiled in): edit the installed quick suite and see it
sed -i 's/"steps": 100,/"steps": 37,/' "$p/share/mdbench/suites/quick.json"
"$p/bin/mdbench-suite" quick --device cpu -o run2 --quiet || fail "edited quick suite exited $?"
n2=$(grep -l '"n_steps":[[:space:]]*37,' run2/cases/*.json | wc -l)
[[ $n2 -eq 6 ]] || fail "$n2 of 6 cases ran the 37 steps of the edited installed quick suite: not the moved prefix's suite"
echo "suites are found beside the moved binary: ok"

# 3. the analysis package, pip-installed from the prefix (offline), makes a report
"$py" -m pip install -q --no-deps --no-build-isolation --no-index --target "$tmp/site" "$p/share/mdbench/analysis" \
  >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log"; fail "pip install PREFIX/share/mdbench/analysis"; }
PYTHONPATH=$tmp/site "$py" -m mdbench_analysis report run/results.h5 -o report >"$tmp/report.log" 2>&1 ||
  { cat "$tmp/report.log"; fail "python3 -m mdbench_analysis report"; }
[[ -s report/report.html && -s report/report.md ]] || fail "no report.html/report.md"
n=$(ls report/*.png 2>/dev/null | wc -l)
[[ $n -ge 1 ]] || fail "the report has no PNG"
grep -q 'silicon' report/report.md || fail "report.md does not name the silicon cases"
echo "report from the installed analysis package: ok ($n PNGs)"

# 4. the installed example plugin
"$p/bin/mdbench" run --system copper --atoms 108 --steps 100 --calculator "plugin:lib=$p/lib/mdbench/plugins/libmorse.so" \
  --output plugin.json --quiet || fail "plugin case exited $?"
grep -Eq '"status":[[:space:]]*"ok"' plugin.json || fail "plugin case status is not ok"
grep -q "plugin:lib=$p/lib/mdbench/plugins/libmorse.so" plugin.json || fail "plugin.json does not name the installed plugin"
echo "plugin case with the installed libmorse.so: ok"
echo "install check passed"
