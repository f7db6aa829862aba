#!/usr/bin/env bash
# mdbench-suite --submit without a Slurm (no daemons; sbatch is a stand-in
# script or missing), and the clean stop on a signal outside Slurm:
#  1. bad submit options: exit 2, one stderr line naming the valid choices,
#     no directory created;
#  2. --dry-run fills each template completely (no @...@ left, bash -n
#     passes) with the options given, and picks the template from them;
#  3. sbatch missing: exit 3, one line, the script written; sbatch failing:
#     exit 3; a stand-in sbatch: called as `sbatch --parsable DIR/job.sbatch`
#     with the user's environment (none of MPI_Init's variables), its job id
#     printed and written to DIR/slurm_job_id;
#  4. SIGTERM to mdbench-suite, SIGUSR1 to mpirun (2 ranks): exit 75 and the
#     one line that says what is done and the command that finishes it.
# Usage: submit_cli.sh MDBENCH_SUITE SOURCE_DIR
set -u
SUITE_BIN=$1 SRC=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_base_warn_component_unused=0
tmp=$(mktemp -d)
bg=""
trap '[[ -z $bg ]] || kill -9 $bg 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# ------------------------------------------------------------- 1. bad options
# bad WANT_RC WANT_TEXT ARGS...: exit code, a single stderr line holding the text, nothing created
n=0
bad() {
  local want=$1 text=$2 out
  shift 2
  n=$((n + 1))
  out="$tmp/bad$n"
  "$SUITE_BIN" "$@" -o "$out" >"$tmp/bad.out" 2>"$tmp/bad.err"
  local rc=$?
  if [[ $rc -eq $want && $(wc -l <"$tmp/bad.err") -eq 1 && ! -e $out ]] && grep -qF -- "$text" "$tmp/bad.err"; then ok; else
    no "mdbench-suite $*: exit $rc (want $want), $(wc -l <"$tmp/bad.err") stderr line(s) (want 1 with '$text'), output $([[ -e $out ]] && echo created || echo absent): $(head -c 400 "$tmp/bad.err")"
  fi
}
bad 2 "unknown scheduler 'pbs' for --submit (valid: slurm)" quick --submit pbs
bad 2 "unknown launcher 'aprun' (valid: srun, mpirun)" quick --submit slurm --launcher aprun
bad 2 "bad --time '1h' (valid: Slurm's MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS" quick --submit slurm --time 1h
bad 2 "bad --time '10:75'" quick --submit slurm --time 10:75
bad 2 "bad --time '1-2:3:4:5'" quick --submit slurm --time 1-2:3:4:5
bad 2 "unknown template 'gpu' (valid: cpu, gpu-node, gpu-nodes, or the path of a template file)" quick --submit slurm --template gpu
bad 2 "bad --nodes '0' (valid: a whole number >= 1)" quick --submit slurm --nodes 0
bad 2 "bad --gpus-per-node 'four'" quick --submit slurm --gpus-per-node four
bad 2 "--nodes is an option of --submit (valid: --submit slurm)" quick --nodes 2
bad 2 "--signal-before 120 s is not shorter than --time 2 (120 s)" quick --submit slurm --time 2
bad 2 "--template gpu-node is one node: use --template gpu-nodes for --nodes 3" quick --submit slurm --template gpu-node --nodes 3
bad 2 "--template gpu-nodes needs --nodes N" quick --submit slurm --template gpu-nodes
bad 2 "--ntasks-per-node 2 with --gpus-per-node 4: the GPU templates run one rank per GPU" quick --submit slurm --gpus-per-node 4 --ntasks-per-node 2
bad 2 "--gpus-per-node 1 with --template cpu" quick --submit slurm --template cpu --gpus-per-node 1
bad 2 "--partition 'a b': a job script cannot carry" quick --submit slurm --partition "a b"
bad 2 "--sbatch-arg 'qos=long': give one sbatch option per --sbatch-arg" quick --submit slurm --sbatch-arg qos=long
bad 2 "unknown suite 'quik'" quik --submit slurm
bad 2 "unknown key 'system2'" quick --submit slurm --filter system2=copper
mkdir -p "$tmp/held" && : >"$tmp/held/results.h5"
"$SUITE_BIN" quick --submit slurm -o "$tmp/held" --dry-run >/dev/null 2>"$tmp/bad.err"
[[ $? -eq 2 && ! -e $tmp/held/job.sbatch ]] && grep -q "already holds results: use --resume" "$tmp/bad.err" && ok ||
  no "--submit into a directory with results: $(cat "$tmp/bad.err")"
"$SUITE_BIN" quick --submit slurm --resume "$tmp/held" --dry-run >"$tmp/out" 2>"$tmp/bad.err"
[[ $? -eq 0 && -s $tmp/held/job.sbatch ]] && grep -q "^SUITE=\"quick\"" "$tmp/held/job.sbatch" && ok ||
  no "--submit --resume of a directory with results: $(cat "$tmp/bad.err")"

# ----------------------------------------------------- 2. filling the templates
# filled FILE: every placeholder filled, valid bash
filled() {
  if [[ -s $1 ]] && ! grep -qE '@[A-Z0-9_]+@' "$1" && bash -n "$1"; then ok; else
    no "$1 is not a complete script: $(grep -nE '@[A-Z0-9_]+@' "$1" | head -n 3)"
  fi
}
has() { # has FILE LINE...: each line present exactly
  local f=$1 l
  shift
  for l in "$@"; do grep -qxF -- "$l" "$f" && ok || no "$f lacks the line '$l'"; done
}
d="$tmp/dry"
"$SUITE_BIN" quick --submit slurm --dry-run -o "$d" --device cpu --nodes 2 --ntasks-per-node 3 --time 90 --partition short \
  --sbatch-arg=--qos=long --sbatch-arg --mail-type=END --module gcc --module openmpi --filter system=copper \
  --launcher mpirun --launcher-args "--bind-to core" --job-name cu-bench --signal-before 300 --requeue \
  >"$tmp/out" 2>&1
rc=$?
[[ $rc -eq 0 ]] && grep -q "template cpu, 2 nodes x 3 tasks, launcher mpirun, time 01:30:00, SIGUSR1 300 s before" "$tmp/out" &&
  grep -qF "dry run: not submitted; submit with: sbatch $d/job.sbatch" "$tmp/out" && ok ||
  no "dry run exited $rc: $(cat "$tmp/out")"
filled "$d/job.sbatch"
has "$d/job.sbatch" "#SBATCH --job-name=cu-bench" "#SBATCH --nodes=2" "#SBATCH --ntasks-per-node=3" \
  "##SBATCH --cpus-per-task=" "#SBATCH --time=90" "#SBATCH --partition=short" "##SBATCH --account=" \
  "#SBATCH --signal=B:USR1@300" "#SBATCH --requeue" "#SBATCH --output=$d/slurm-%j.out" "#SBATCH --qos=long" \
  "#SBATCH --mail-type=END" 'MODULES="gcc openmpi"' 'LAUNCHER="mpirun"' 'LAUNCHER_ARGS="--bind-to core"' \
  "MDBENCH_SUITE=\"$(readlink -f "$SUITE_BIN")\"" 'SUITE="quick"' \
  "SUITE_ARGS=('--suites-dir' '$SRC/suites' '--filter' 'system=copper' '--device' 'cpu')" "OUTDIR=\"$d\"" 'REQUEUE="requeue"'
[[ ! -e $d/slurm_job_id ]] && ok || no "a dry run wrote a job id"
# the template follows the GPUs asked for; each template fills completely
"$SUITE_BIN" quick --submit slurm --dry-run -o "$tmp/g2" --gpus-per-node 4 --nodes 2 >"$tmp/out" 2>&1 &&
  grep -q "template gpu-nodes, 2 nodes x 4 GPUs (one rank each)" "$tmp/out" && ok || no "gpu-nodes not chosen: $(cat "$tmp/out")"
filled "$tmp/g2/job.sbatch"
has "$tmp/g2/job.sbatch" "#SBATCH --nodes=2" "#SBATCH --gpus-per-node=4" "#SBATCH --ntasks-per-node=4" \
  "#SBATCH --no-requeue" "#SBATCH --signal=B:USR1@120" 'LAUNCHER="srun"' "##SBATCH --time="
"$SUITE_BIN" quick --submit slurm --dry-run -o "$tmp/g1" --gpus-per-node 2 >"$tmp/out" 2>&1 &&
  grep -q "template gpu-node, 1 node x 2 GPUs" "$tmp/out" && ok || no "gpu-node not chosen: $(cat "$tmp/out")"
filled "$tmp/g1/job.sbatch"
has "$tmp/g1/job.sbatch" "#SBATCH --nodes=1" "#SBATCH --gpus-per-node=2" "#SBATCH --ntasks-per-node=2"
# a suite file is passed on by its absolute path
cp "$SRC/suites/quick.json" "$tmp/mine.json"
(cd "$tmp" && "$SUITE_BIN" mine.json --submit slurm --dry-run -o rel >"$tmp/out" 2>&1) && ok || no "relative suite file: $(cat "$tmp/out")"
has "$tmp/rel/job.sbatch" "SUITE=\"$tmp/mine.json\"" "SUITE_ARGS=()" "OUTDIR=\"$tmp/rel\""
# each template by hand: every placeholder replaced with sed gives a valid script
for t in "$SRC"/jobscripts/*.sbatch; do
  sed -e 's/@[A-Z0-9_]*@/1/g' "$t" >"$tmp/hand.sbatch"
  filled "$tmp/hand.sbatch"
done

# -------------------------------------------------------------------- 3. sbatch
mkdir -p "$tmp/fake" "$tmp/failing"
# PATH without sbatch (but with the rest: a singleton MPI_Init starts orted
# through ssh/rsh lookups): each PATH directory that holds sbatch is mirrored
# without it
nosb="" k=0
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  if [[ -e $dir/sbatch ]]; then
    k=$((k + 1))
    mkdir -p "$tmp/nosb$k"
    for f in "$dir"/*; do [[ ${f##*/} == sbatch ]] || ln -s "$f" "$tmp/nosb$k/"; done
    dir="$tmp/nosb$k"
  fi
  nosb="$nosb${nosb:+:}$dir"
done
PATH="$nosb" "$SUITE_BIN" quick --submit slurm -o "$tmp/s0" >/dev/null 2>"$tmp/err"
rc=$?
[[ $rc -eq 3 && $(wc -l <"$tmp/err") -eq 1 && -s $tmp/s0/job.sbatch && ! -e $tmp/s0/slurm_job_id ]] &&
  grep -qF "sbatch not found on PATH" "$tmp/err" && grep -qF "sbatch $tmp/s0/job.sbatch" "$tmp/err" && ok ||
  no "no sbatch: exit $rc (want 3): $(cat "$tmp/err")"
cat >"$tmp/fake/sbatch" <<EOF
#!/bin/sh
echo "\$*" >"$tmp/fake.args"
env >"$tmp/fake.env"
echo "4242;mdbtest"
EOF
cat >"$tmp/failing/sbatch" <<'EOF'
#!/bin/sh
echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2
exit 1
EOF
chmod +x "$tmp/fake/sbatch" "$tmp/failing/sbatch"
PATH="$tmp/fake:$PATH" "$SUITE_BIN" quick --submit slurm -o "$tmp/s1" --time 10 >"$tmp/out" 2>&1
rc=$?
[[ $rc -eq 0 && $(cat "$tmp/s1/slurm_job_id" 2>/dev/null) == 4242 ]] &&
  grep -qF "submitted: Slurm job 4242 (id in $tmp/s1/slurm_job_id); its output: $tmp/s1/slurm-4242.out" "$tmp/out" && ok ||
  no "stand-in sbatch: exit $rc: $(cat "$tmp/out")"
[[ $(cat "$tmp/fake.args" 2>/dev/null) == "--parsable $tmp/s1/job.sbatch" ]] && ok || no "sbatch called with '$(cat "$tmp/fake.args")'"
# the job gets the user's environment, not the one MPI_Init made
added=$(comm -13 <(env | sed 's/=.*//' | sort -u) <(sed 's/=.*//' "$tmp/fake.env" | sort -u) | grep -E '^(OMPI_|PMIX_|OPAL_|ORTE_)')
[[ -z $added ]] && ok || no "sbatch saw variables MPI_Init added: $added"
PATH="$tmp/failing:$PATH" "$SUITE_BIN" quick --submit slurm -o "$tmp/s2" >"$tmp/out" 2>"$tmp/err"
rc=$?
[[ $rc -eq 3 && -s $tmp/s2/job.sbatch ]] && grep -q "Invalid partition" "$tmp/err" &&
  grep -qF "mdbench-suite: error: sbatch failed" "$tmp/err" && ok || no "failing sbatch: exit $rc: $(cat "$tmp/err")"

# ------------------------------------------------------ 4. stop outside Slurm
cat >"$tmp/stop.json" <<'EOF'
{"description": "long enough to be stopped", "steps": 200000, "warmup": 0, "energy_interval": 100,
 "memory_interval": 1000,
 "matrix": {"system": ["argon"], "atoms": {"argon": [4000, 4116]}, "protocol": ["NVE"], "device": ["cpu"]}}
EOF
# started LOG: waits (up to 30 s) until the run has started its cases
started() {
  for ((i = 0; i < 300; i++)); do
    grep -q "cases (2 to run" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
"$SUITE_BIN" "$tmp/stop.json" -o "$tmp/t1" >"$tmp/t1.out" 2>"$tmp/t1.err" &
bg=$!
started "$tmp/t1.out" && sleep 0.5
ts=$SECONDS
kill -TERM "$bg"
wait "$bg"
rc=$?
bg=""
[[ $rc -eq 75 && $((SECONDS - ts)) -le 10 ]] && ok || no "SIGTERM: exit $rc after $((SECONDS - ts)) s (want 75 at once): $(cat "$tmp/t1.err")"
grep -qxF "mdbench-suite: stopped by SIGTERM: 0 of 2 cases done, results so far in $tmp/t1/results.h5; finish with: $SUITE_BIN $tmp/stop.json --resume $tmp/t1" "$tmp/t1.err" &&
  ok || no "SIGTERM message: $(cat "$tmp/t1.err")"
mpirun -n 2 "$SUITE_BIN" "$tmp/stop.json" -o "$tmp/t2" --filter atoms=4000,atoms=4116 >"$tmp/t2.out" 2>"$tmp/t2.err" &
bg=$!
started "$tmp/t2.out" && sleep 0.5
ts=$SECONDS
kill -USR1 "$bg" # mpirun passes SIGUSR1 on to every rank
wait "$bg"
rc=$?
bg=""
[[ $rc -eq 75 && $((SECONDS - ts)) -le 10 ]] && ok || no "SIGUSR1 to mpirun: exit $rc after $((SECONDS - ts)) s (want 75 at once): $(cat "$tmp/t2.err")"
grep -qF "mdbench-suite: stopped by SIGUSR1: 0 of 2 cases done, results so far in $tmp/t2/results.h5; finish with: mpirun -n 2 $SUITE_BIN $tmp/stop.json --filter atoms=4000,atoms=4116 --resume $tmp/t2" "$tmp/t2.err" &&
  ok || no "SIGUSR1 message: $(cat "$tmp/t2.err")"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
