# shellcheck shell=bash
# A one-node Slurm on localhost, all of it inside one temporary directory:
# its own munge key and socket, slurm.conf, spool, state, logs and pid files.
# Sourced by the slurm tests:
#
#   source tests/slurm/cluster.sh
#   trap cluster_stop EXIT        # stops every daemon started, removes the directory
#   cluster_start || exit 77      # prints why when it cannot
#   sbatch ...                                 # SLURM_CONF points at our slurm.conf
#
# The daemons run as root (SlurmUser=root), without cgroups
# (proctrack/linuxproc, task/none), accounting or a database, on two free TCP
# ports, so they do not disturb a Slurm the machine may already run. Job
# credentials live 10 s (AuthInfo cred_expire, default 120 s): a requeued job
# may start again that soon.
# Needs: munged (munge), slurmctld, slurmd, sinfo/scontrol/sbatch (slurm-wlm).

CLUSTER_DIR=""
CLUSTER_PIDS=()

cluster_log_tail() { # the daemons' logs, for a failure message
  local f
  for f in "$CLUSTER_DIR"/log/*.log "$CLUSTER_DIR"/munge/munged.log; do
    [[ -s $f ]] || continue
    echo "---- $f (last 15 lines)"
    tail -n 15 "$f"
  done
}

_cluster_free_port() { # a TCP port nobody listens on, from a quiet range
  local p tries=0
  while ((tries++ < 200)); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# cluster_start: writes the configuration into a new temporary directory
# (CLUSTER_DIR; munged wants every directory above its socket searchable by
# all, so it is a directory of its own under /tmp), starts munged, slurmctld
# and slurmd, and waits (up to 60 s) until the node is idle. Returns 0 when
# sbatch can be used (SLURM_CONF is exported); otherwise prints why and
# returns 1.
cluster_start() {
  local d tool
  for tool in munged munge slurmctld slurmd sinfo scontrol sbatch; do
    if ! command -v "$tool" >/dev/null; then
      echo "cluster: $tool not found (install the Debian packages with scripts/deps.sh --test: slurm-wlm, munge)"
      return 1
    fi
  done
  if [[ $(id -u) -ne 0 ]]; then
    echo "cluster: slurmd must run as root to start jobs (this is uid $(id -u))"
    return 1
  fi
  CLUSTER_DIR=$(mktemp -d /tmp/mdbench-slurm.XXXXXX) || return 1
  d=$CLUSTER_DIR
  mkdir -p "$d"/{munge,spool/ctld,spool/d,log,run,etc} || return 1
  # munged insists that everyone can reach its socket's directory, and that
  # only its owner can read the key
  chmod 755 "$d" "$d/munge"
  head -c 1024 /dev/urandom >"$d/munge/munge.key" && chmod 400 "$d/munge/munge.key"
  munged --socket="$d/munge/socket" --key-file="$d/munge/munge.key" --pid-file="$d/munge/munged.pid" \
    --log-file="$d/munge/munged.log" --seed-file="$d/munge/seed" --num-threads=4 || {
    echo "cluster: munged would not start:"
    cluster_log_tail
    return 1
  }
  CLUSTER_PIDS+=("$(cat "$d/munge/munged.pid")")

  local host cpus mem ctld_port d_port
  host=$(hostname -s)
  cpus=$(nproc --all)
  # RealMemory in MB, a little under the total so slurmd never finds less
  mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  ctld_port=$(_cluster_free_port) && d_port=$(_cluster_free_port) || {
    echo "cluster: no free TCP port found"
    return 1
  }
  [[ $ctld_port != "$d_port" ]] || d_port=$((ctld_port + 1))
  cat >"$d/etc/slurm.conf" <<EOF
# one-node Slurm for the mdbench tests (tests/slurm/cluster.sh)
ClusterName=mdbtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/socket,cred_expire=10
StateSaveLocation=$d/spool/ctld
SlurmdSpoolDir=$d/spool/d
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
LaunchParameters=use_interactive_step
ReturnToService=2
MailProg=/bin/true
PlugStackConfig=$d/etc/plugstack.conf
# short timeouts: a test waits on them
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=10
InactiveLimit=0
MinJobAge=600
KillWait=5
Waittime=0
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,batch_sched_delay=0,defer=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  : >"$d/etc/plugstack.conf"
  export SLURM_CONF="$d/etc/slurm.conf"

  # -D: in the foreground of a background job, so we hold their pids;
  # -c (slurmctld): a clean start, no state from an earlier run
  slurmctld -D -c -f "$SLURM_CONF" >"$d/log/slurmctld.out" 2>&1 &
  CLUSTER_PIDS+=($!)
  slurmd -D -f "$SLURM_CONF" -N "$host" >"$d/log/slurmd.out" 2>&1 &
  CLUSTER_PIDS+=($!)

  local i state=""
  for i in $(seq 1 120); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null)
    [[ $state == idle ]] && return 0
    local p
    for p in "${CLUSTER_PIDS[@]:1}"; do
      if ! kill -0 "$p" 2>/dev/null; then
        echo "cluster: a Slurm daemon exited while starting:"
        cat "$d"/log/*.out 2>/dev/null | tail -n 20
        cluster_log_tail
        return 1
      fi
    done
    sleep 0.5
  done
  echo "cluster: node $host did not become idle in 60 s (sinfo says '${state:-nothing}'):"
  cluster_log_tail
  return 1
}

# Cancels our jobs, stops the daemons cluster_start started (TERM, then KILL
# after 10 s) and whatever job processes they left behind, and removes
# CLUSTER_DIR. Safe to call twice or before cluster_start.
cluster_stop() {
  local p i
  [[ -n $CLUSTER_DIR ]] || return 0
  if [[ -n ${SLURM_CONF:-} ]]; then scancel --full -u root >/dev/null 2>&1 || true; fi
  for ((i = ${#CLUSTER_PIDS[@]} - 1; i >= 0; i--)); do
    p=${CLUSTER_PIDS[i]}
    kill -TERM "$p" 2>/dev/null || true
  done
  for i in $(seq 1 100); do
    local alive=0
    for p in "${CLUSTER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for p in "${CLUSTER_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  # what our jobs left behind (slurmstepd and its tasks are nobody's
  # children we hold): every process whose environment names our slurm.conf
  local e left=()
  for e in /proc/[0-9]*/environ; do
    p=${e#/proc/}
    p=${p%/environ}
    [[ $p != "$$" && $p != "$BASHPID" ]] || continue
    if { tr '\0' '\n' <"$e"; } 2>/dev/null | grep -qxF "SLURM_CONF=$CLUSTER_DIR/etc/slurm.conf"; then left+=("$p"); fi
  done
  [[ ${#left[@]} -eq 0 ]] || kill -KILL "${left[@]}" 2>/dev/null || true
  CLUSTER_PIDS=()
  wait 2>/dev/null || true
  rm -rf "$CLUSTER_DIR"
  CLUSTER_DIR=""
}
