#!/usr/bin/env bash
# mdbench-suite --submit slurm against a real Slurm: slurmctld and slurmd on
# this machine (tests/slurm/cluster.sh), jobs submitted through the project's
# own submit path, results read back with h5py.
#  a. the quick suite, cpu template, mpirun on 2 tasks: the job COMPLETES with
#     exit 0 and results.h5 holds every case of the suite, ok, with the job's
#     id and partition in each case's provenance;
#  b. a suite of ~15 s cases with a 1-minute time limit and the warning signal
#     50 s before it (srun --mpi=pmix on 2 tasks): Slurm's SIGUSR1 reaches the
#     batch shell, which passes it on; mdbench-suite stops at a step boundary
#     and exits 75 before the limit (the job ends FAILED 75:0, not TIMEOUT);
#     results.h5 says incomplete, the cases in flight are "interrupted", the
#     finished ones "ok"; then --resume finishes every case, and the case
#     files finished before the stop are left byte for byte;
#  c. --requeue (mpirun on 2 tasks): a SIGUSR1 sent to the batch shell
#     (scancel --batch, as Slurm's warning does) stops the run; the job
#     requeues itself, runs again (10 s later: cred_expire in cluster.sh)
#     with --resume and COMPLETES with every case.
# The daemons are stopped at the end whatever happens. Exit 77 (skip) when
# they cannot start here (the reason is printed) or h5py is missing.
# Usage: slurm_jobs.sh MDBENCH_SUITE MDBENCH PYTHON SOURCE_DIR
# (for debugging: MDB_SLURM_PARTS=bc runs only parts b and c; MDB_SLURM_KEEP=1
# keeps the results directories and job outputs in the temporary directory)
set -u
parts=${MDB_SLURM_PARTS:-abc}
SUITE_BIN=$1 MDBENCH=$2 PY=$3 SRC=$4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# one machine: keep Open MPI off the network interfaces and quiet
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_base_warn_component_unused=0
# shellcheck source=tests/slurm/cluster.sh
source "$SRC/tests/slurm/cluster.sh"
tmp=$(mktemp -d)
trap 'cluster_stop; [[ -n ${MDB_SLURM_KEEP:-} ]] && echo "kept: $tmp" || rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check_py() { # runs a checker; its FAIL lines and counts go to the log
  local out
  out=$("$PY" "$@" 2>&1)
  local rc=$?
  echo "$out" | sed 's/^/    /'
  return $rc
}

if ! "$PY" -c "import h5py" 2>/dev/null; then
  echo "SKIP: $PY cannot import h5py (Debian: python3-h5py)"
  exit 77
fi
t0=$SECONDS
if ! cluster_start; then
  echo "SKIP: the Slurm daemons could not start on this machine (see above)"
  exit 77
fi
echo "cluster: up in $((SECONDS - t0)) s, $(sinfo -h -o '%D node, %c CPUs, partition %P, state %T')"

# job_field ID NAME: one field of `scontrol show job`
job_field() { scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
# job_wait ID SECONDS: until the job has ended (any final state); prints it
job_wait() {
  local id=$1 limit=$2 state="" i
  for ((i = 0; i < limit * 2; i++)); do
    state=$(job_field "$id" JobState)
    case $state in
    COMPLETED | FAILED | TIMEOUT | CANCELLED | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) break ;;
    esac
    sleep 0.5
  done
  echo "$state"
}
show_job() { # for a failure message: the job and its output
  echo "---- scontrol show job $1"
  scontrol show job "$1" 2>&1 | sed 's/^/    /'
  echo "---- $2"
  sed 's/^/    /' "$2" 2>/dev/null | tail -n 40
  cluster_log_tail
}
# cases in a suite as mdbench-suite expands it
n_cases() { "$SUITE_BIN" "$1" --dry-run | sed -n 's/^suite .*: \([0-9]*\) cases\?$/\1/p'; }

# ---------------------------------------------------------------- a. quick
if [[ $parts == *a* ]]; then
ta=$SECONDS
nq=$(n_cases quick)
if "$SUITE_BIN" quick --device cpu --submit slurm -o "$tmp/a" --launcher mpirun --ntasks-per-node 2 --time 5 \
  >"$tmp/a.submit" 2>&1; then ok; else no "a: submit exited $?: $(cat "$tmp/a.submit")"; fi
ida=$(cat "$tmp/a/slurm_job_id" 2>/dev/null)
if [[ $ida =~ ^[0-9]+$ ]] && grep -q "submitted: Slurm job $ida " "$tmp/a.submit" && [[ -s $tmp/a/job.sbatch ]]; then ok; else
  no "a: no job id printed and written: $(cat "$tmp/a.submit")"
fi
state=$(job_wait "$ida" 120)
exitcode=$(job_field "$ida" ExitCode)
if [[ $state == COMPLETED && $exitcode == 0:0 ]]; then ok; else
  no "a: job $ida ended $state, exit $exitcode (want COMPLETED 0:0)"
  show_job "$ida" "$tmp/a/slurm-$ida.out"
fi
if check_py "$SRC/tests/slurm/check_results.py" complete "$tmp/a" "$nq" "$ida" debug 2; then ok; else no "a: results.h5 incomplete"; fi
if check_py "$SRC/tests/peers/suite_results_check.py" complete "$tmp/a" "$nq"; then ok; else no "a: case files incomplete"; fi
echo "a. quick suite through sbatch: job $ida $state in $((SECONDS - ta)) s"
fi

# ------------------------------------------------------- calibration for b, c
# time per step of 4000 argon atoms here and now, two at once as the jobs'
# two ranks run: the cases of b and c are sized from it, so they last about
# as long on a slower or faster (or busier) machine
tc=$(date +%s%N)
"$MDBENCH" run --system argon --atoms 4000 --steps 500 --warmup 0 --quiet >/dev/null &
cal=$!
"$MDBENCH" run --system argon --atoms 4000 --steps 500 --warmup 0 --quiet >/dev/null || no "calibration run failed"
wait "$cal" || no "calibration run failed"
us_step=$((($(date +%s%N) - tc) / 500000))
((us_step > 0)) || us_step=1
steps_for() { echo $(($1 * 1000000 / us_step)); } # steps for about $1 seconds of 4000 atoms
echo "calibration: $us_step us per step of 4000 argon atoms"
write_suite() { # write_suite FILE STEPS: 8 argon cases near 4000 atoms
  cat >"$1" <<EOF
{
  "description": "Slurm time-limit test: argon, 8 sizes near 4000 atoms, sized to last seconds per case",
  "steps": $2, "warmup": 0, "energy_interval": 100, "memory_interval": 1000,
  "matrix": {"system": ["argon"], "atoms": {"argon": [3456, 3600, 3888, 4000, 4116, 4320, 4500, 4800]},
             "protocol": ["NVE"], "device": ["cpu"]}
}
EOF
}

# ------------------------------------------------------------ b. time limit
if [[ $parts == *b* ]]; then
tb=$SECONDS
write_suite "$tmp/timelimit.json" "$(steps_for 16)"
nb=$(n_cases "$tmp/timelimit.json")
# 8 cases of ~16 s on 2 ranks: ~64 s of work; Slurm sends SIGUSR1 when 50 s
# are left (it checks every 30 s: between 10 and 40 s into the job), the
# limit is 60 s: the signal comes while cases run, whatever the machine
if "$SUITE_BIN" "$tmp/timelimit.json" --submit slurm -o "$tmp/b" --launcher srun --launcher-args=--mpi=pmix \
  --ntasks-per-node 2 --time 1 --signal-before 50 >"$tmp/b.submit" 2>&1; then ok; else
  no "b: submit exited $?: $(cat "$tmp/b.submit")"
fi
idb=$(cat "$tmp/b/slurm_job_id" 2>/dev/null)
grep -q -- "--signal=B:USR1@50" "$tmp/b/job.sbatch" && grep -q -- "--time=1$" "$tmp/b/job.sbatch" && ok ||
  no "b: job script lacks --signal=B:USR1@50 / --time=1"
state=$(job_wait "$idb" 150)
exitcode=$(job_field "$idb" ExitCode)
runtime=$(job_field "$idb" RunTime)
log="$tmp/b/slurm-$idb.out"
# FAILED with 75: the job script passed on mdbench-suite's exit 75; TIMEOUT would mean Slurm killed it
if [[ $state == FAILED && $exitcode == 75:0 ]]; then ok; else
  no "b: job $idb ended $state, exit $exitcode after $runtime (want FAILED 75:0: a clean stop before the limit)"
  show_job "$idb" "$log"
fi
if grep -q "^mdbench job: SIGUSR1 at" "$log" && grep -q "mdbench-suite: stopped by SIGUSR1: [0-9]* of $nb cases done" "$log" &&
  grep -q "stopped cleanly (exit 75)" "$log"; then ok; else
  no "b: the job's output does not show SIGUSR1 reaching the batch shell and mdbench-suite stopping on it"
  show_job "$idb" "$log"
fi
if grep -q "CANCELLED AT .* DUE TO TIME LIMIT" "$log"; then no "b: Slurm had to kill the job at its time limit"; else ok; fi
if check_py "$SRC/tests/slurm/check_results.py" stopped "$tmp/b" "$nb"; then ok; else no "b: results of the stopped run"; fi
(cd "$tmp/b/cases" && sha256sum -- *.json | sort -k2 >"$tmp/b.sha") 2>/dev/null
ndone=$(wc -l <"$tmp/b.sha")
tr=$SECONDS
if mpirun -n 2 "$SUITE_BIN" "$tmp/timelimit.json" --resume "$tmp/b" >"$tmp/b.resume" 2>&1; then ok; else
  no "b: --resume exited $?: $(tail -n 5 "$tmp/b.resume")"
fi
grep -q "($((nb - ndone)) to run, $ndone already done)" "$tmp/b.resume" && ok ||
  no "b: resume did not run exactly the $((nb - ndone)) unfinished cases: $(grep -m1 'cases (' "$tmp/b.resume")"
if [[ $ndone -eq 0 ]]; then
  echo "b: no case had finished before the stop: nothing to compare after the resume"
else
  (cd "$tmp/b/cases" && sha256sum -c --quiet "$tmp/b.sha") && ok || no "b: case files finished before the stop changed"
fi
if check_py "$SRC/tests/peers/suite_results_check.py" complete "$tmp/b" "$nb"; then ok; else no "b: resumed results incomplete"; fi
echo "b. time limit: job $idb $state $exitcode after $runtime, $ndone of $nb cases done; resume $((SECONDS - tr)) s; part b $((SECONDS - tb)) s"
fi

# ----------------------------------------------------------------- c. requeue
if [[ $parts == *c* ]]; then
tq=$SECONDS
write_suite "$tmp/requeue.json" "$(steps_for 3)"
nc=$(n_cases "$tmp/requeue.json")
if "$SUITE_BIN" "$tmp/requeue.json" --submit slurm -o "$tmp/c" --launcher mpirun --ntasks-per-node 2 --time 10 \
  --requeue >"$tmp/c.submit" 2>&1; then ok; else no "c: submit exited $?: $(cat "$tmp/c.submit")"; fi
idc=$(cat "$tmp/c/slurm_job_id" 2>/dev/null)
log="$tmp/c/slurm-$idc.out"
for ((i = 0; i < 120; i++)); do # until mdbench-suite runs cases (up to 60 s)
  grep -q "cases (.* to run" "$log" 2>/dev/null && break
  sleep 0.5
done
sleep 1
scancel --batch --signal=USR1 "$idc" && ok || no "c: scancel --batch --signal=USR1 $idc failed"
for ((i = 0; i < 120; i++)); do # requeued: pending again, restart count 1
  [[ $(job_field "$idc" Restarts) == 1 && $(job_field "$idc" JobState) == PENDING ]] && break
  sleep 0.5
done
if [[ $(job_field "$idc" Restarts) == 1 ]]; then ok; else
  no "c: job $idc did not requeue itself"
  show_job "$idc" "$log"
fi
# a requeued job may start again once its first run's credential has
# expired: AuthInfo=cred_expire, 120 s by default, 10 s in this cluster
state=$(job_wait "$idc" 120)
exitcode=$(job_field "$idc" ExitCode)
if [[ $state == COMPLETED && $exitcode == 0:0 && $(job_field "$idc" Restarts) == 1 ]]; then ok; else
  no "c: job $idc ended $state $exitcode, restarts $(job_field "$idc" Restarts) (want COMPLETED 0:0 after 1 restart)"
  show_job "$idc" "$log"
fi
if grep -q "stopped by SIGUSR1" "$log" && grep -q "requeueing job $idc (restart 1" "$log" &&
  grep -q "restart 1) on .*--resume $tmp/c" "$log" && grep -q "every case done" "$log"; then ok; else
  no "c: the job's output does not show stop, requeue, resume and the end"
  show_job "$idc" "$log"
fi
if check_py "$SRC/tests/slurm/check_results.py" complete "$tmp/c" "$nc" "$idc" debug 2; then ok; else no "c: results incomplete"; fi
echo "c. requeue: job $idc $state after $(job_field "$idc" Restarts) restart(s); part c $((SECONDS - tq)) s"
fi

echo "$pass passed, $fail failed (${SECONDS} s)"
[[ $fail -eq 0 ]]
