#!/usr/bin/env bash
# plugin:lib=NAME with a short name loads mdbench's own plugin from beside the
# binary (calc/files.h mdb_plugin_find): the same energy and forces as the
# library's full path, and a provenance digest of that file; an unknown short
# name is one line, exit 2, no output.
#   plugin_short_names.sh MDBENCH BUILD_DIR    exit 0 ok, 1 a check failed
set -u
BIN=$1 BUILD=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
no() { echo "FAIL: $*"; fail=1; }
same() { # two extended XYZ files: identical bytes (same code, same input)
  cmp -s "$1" "$2"
}
check() { # short name, full path, extra keys
  local name=$1 full=$2 extra=$3
  "$BIN" eval --system copper --calculator "plugin:lib=$full$extra" --output "$tmp/full.xyz" >/dev/null 2>"$tmp/e1" ||
    { no "$name by path: $(cat "$tmp/e1")"; return; }
  "$BIN" eval --system copper --calculator "plugin:lib=$name$extra" --output "$tmp/short.xyz" >/dev/null 2>"$tmp/e2" ||
    { no "$name by short name: $(cat "$tmp/e2")"; return; }
  if same "$tmp/full.xyz" "$tmp/short.xyz" && grep -q "energy=" "$tmp/short.xyz"; then
    ok "plugin:lib=$name gives what the path $full gives"
  else no "plugin:lib=$name and its path differ"; fi
}
check morse "$BUILD/examples/plugins/libmorse.so" ""
if [[ -f $BUILD/plugins/pyase/libmdbench_pyase.so ]] && /usr/bin/python3 -c "import ase, numpy" 2>/dev/null; then
  check pyase "$BUILD/plugins/pyase/libmdbench_pyase.so" ",calc=ase.calculators.emt:EMT"
else
  echo "pyase not built or ase missing: its short name not checked"
fi
"$BIN" eval --system copper --calculator plugin:lib=nosuch --output "$tmp/bad.xyz" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -eq 2 && $(wc -l <"$tmp/err") -eq 1 && ! -e $tmp/bad.xyz ]] && grep -q "mdbench's own plugins" "$tmp/err"; then
  ok "unknown short name: exit 2, one line"
else no "unknown short name: exit $rc: $(cat "$tmp/err")"; fi
exit $fail
