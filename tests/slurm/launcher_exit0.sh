#!/usr/bin/env bash
# The job templates after a stop whose launcher exits 0: MPICH's mpiexec
# before 4.2.3 may report 0 once it has passed a signal on, although every
# rank exits 75 (pmodels/mpich#7057). Each template, filled in by hand with a
# stand-in srun that runs mdbench-suite and always exits 0, is sent SIGUSR1
# (Slurm's warning signal) and must still end with 75 ("stopped cleanly"),
# which requeues the job, because summary.jsonc says the suite is not
# complete. Without the template's check it ends with 0: finished.
#
#   launcher_exit0.sh MDBENCH_SUITE SRC     exit 0 ok, 1 a check failed
set -u
SUITE_BIN=$1 SRC=$2
tmp=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$tmp"' EXIT
fail=0
mkdir -p "$tmp/bin"
cat >"$tmp/bin/srun" <<'SH'
#!/bin/bash
# stand-in for a launcher that passes SIGUSR1 on and then exits 0
"$@" &
child=$!
trap 'kill -USR1 $child 2>/dev/null' USR1
while kill -0 "$child" 2>/dev/null; do wait "$child"; done
exit 0
SH
chmod +x "$tmp/bin/srun"
for t in "$SRC"/jobscripts/*.sbatch; do
  name=${t##*/}
  out="$tmp/out-$name"
  sed -e "s|@MODULES@||; s|@LAUNCHER@|srun|; s|@LAUNCHER_ARGS@||; s|@MDBENCH_SUITE@|$SUITE_BIN|; s|@SUITE@|comprehensive|" \
    -e "s|@SUITE_ARGS@|'--filter' 'device=cpu,system=water' '--quiet'|; s|@OUTDIR@|$out|; s|@REQUEUE@|requeue|" \
    -e 's/@[A-Z0-9_]*@/1/g' "$t" >"$tmp/$name"
  PATH="$tmp/bin:$PATH" bash "$tmp/$name" >"$tmp/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do [[ -d $out/cases ]] && break; sleep 0.1; done
  sleep 1
  kill -USR1 "$pid"
  rc=0
  wait "$pid" || rc=$?
  if [[ $rc -eq 75 ]] && grep -q 'stopped cleanly (exit 75)' "$tmp/$name.log" &&
    grep -Eq '"complete":[[:space:]]*false' "$out/summary.jsonc"; then
    echo "ok: $name ends with 75 after a stop whose launcher exited 0"
  else
    echo "FAIL: $name: exit $rc (want 75): $(tail -3 "$tmp/$name.log")"
    fail=1
  fi
done
exit $fail
